#!/usr/bin/env bash
# A damaged checkpoint is refused, not used (issue 20, class 5): each field
# of /checkpoint/state set out of its range (a line-search ring count of
# 1e12 or -3, an iteration of -5 or 1e300, a NaN objective), a NaN in the
# solver's saved vectors, a history that disagrees with the state: one
# message naming what is wrong, non-zero status on every process, no
# result, at 1, 2 and 3 processes. A restart onto an input whose values
# changed but whose size and structure did not is refused too (a content
# fingerprint of every dataset is part of the input's identity).
. "$(dirname "$0")/lib.sh"

SET=${BN_BUILD_DIR:-build}/tests/tool_setnan
bn_ok "generate" 1 generate complete --output="$T/in.h5" --rows=300 \
  --cols=200 --rank=3 --sample-rate=0.2 --seed=6
A=(complete --input="$T/in.h5" --rank=3 --certificate=off --progress=false)
bn_ok "a run with a checkpoint (gd: a ring and saved vectors)" 2 "${A[@]}" \
  --max-iter=6 --checkpoint="$T/ck.h5" --checkpoint-every=3 \
  --output="$T/r.h5"
bn_ok "the good checkpoint restarts" 2 "${A[@]}" --max-iter=8 \
  --restart="$T/ck.h5" --output="$T/r2.h5"
# damage NAME INDEX VALUE PATTERN: state[INDEX] = VALUE is refused.
damage() {
  cp "$T/ck.h5" "$T/bad.h5"
  "$SET" "$T/bad.h5" "$1" "$2" "$3"
  local np
  for np in 1 2 3; do
    expect_fail "$4 ($np)" "$np" "$5" "${A[@]}" --max-iter=8 \
      --restart="$T/bad.h5" --output="$T/x.h5"
  done
}
damage /checkpoint/state 7 1e12 "ring count 1e12" "damaged: nring = 1000000000000"
damage /checkpoint/state 7 4.5 "ring count 4.5" "damaged: nring = 4.5"
damage /checkpoint/state 7 -3 "ring count -3" "damaged: nring = -3"
damage /checkpoint/state 0 -5 "iteration -5" "damaged: iteration = -5"
damage /checkpoint/state 0 1e300 "iteration 1e300" "damaged: iteration = 1\\.0*1e\\+300"
damage /checkpoint/state 0 2 "iteration 2 against a history to 3" \
  "iteration 2 but the history"
damage /checkpoint/state 1 nan "a NaN objective" "damaged: objective = nan"
damage /checkpoint/xprev/U 5 nan "a NaN in the saved previous iterate" \
  "xprev.* NaN"
damage /U 0 nan "a NaN in the iterate" "NaN or infinite"
check "no result from the refusals" test ! -e "$T/x.h5"
# The same size and structure, other values: refused by the fingerprint.
cp "$T/in.h5" "$T/in2.h5"
"$SET" "$T/in2.h5" /omega/val 7 0.125
expect_fail "restart onto an input with another value" 2 \
  "the input differs from the one" complete --input="$T/in2.h5" --rank=3 \
  --certificate=off --max-iter=8 --restart="$T/ck.h5" --output="$T/x.h5"
bn_summary
