#!/usr/bin/env bash
# benign phase --model=cdp: coded diffraction patterns (L = 6 octanary
# masks, 64 x 64 complex image): wf and twf recover x_true to relative
# error < 1e-6 at 1, 2 and 3 processes (FFTW's slabs 64 = 22 + 22 + 20 at
# 3), with the same answer /x; a smooth image; amplitude data
# with rwf; a checkpoint restart continues as the same run; bad inputs.
. "$(dirname "$0")/lib.sh"

SETATTR=${BN_BUILD_DIR:?}/tests/tool_setattr
S=3
bn_ok "generate cdp 64 x 64, L = 6 (1 process)" 1 generate phase \
  --model=cdp --height=64 --width=64 --patterns=6 --seed=$S \
  --output="$T/c.h5"
bn_ok "generate cdp 64 x 64, L = 6 (3 processes)" 3 generate phase \
  --model=cdp --height=64 --width=64 --patterns=6 --seed=$S \
  --output="$T/c3.h5"
check "generate: the same file on 1 and 3 processes" \
  h5diff -q "$T/c.h5" "$T/c3.h5" /y /y
bn_ok "generate smooth image" 2 generate phase --model=cdp --height=48 \
  --width=40 --patterns=6 --image=smooth --seed=$S --output="$T/s.h5"
bn_ok "generate amplitude data" 1 generate phase --model=cdp --height=32 \
  --width=32 --patterns=6 --data=amplitude --seed=$S --output="$T/a.h5"

REL=
solve() { # solve NAME NP FILE ARGS...
  local name=$1 np=$2 file=$3
  shift 3
  bn_ok "$name" "$np" phase --input="$T/$file.h5" --json --progress=false \
    --output="$T/$name.h5" --tol=1e-12 --max-iter=1000 "$@"
  REL=$(json_field rel_error "$T/last.out")
}
succeeds() {
  solve "$@"
  check "$1: rel_error ${REL:-missing} < 1e-6" num_lt "${REL:-1}" 1e-6
}
for m in wf twf; do
  for np in 1 2 3; do succeeds "c-$m-$np" $np c --method=$m; done
  for np in 2 3; do # the same start (keyed by pixel), so the same phase
    check "c-$m: /x at $np processes equals 1 process (to 1e-8)" \
      h5diff -q -d 1e-8 "$T/c-$m-1.h5" "$T/c-$m-$np.h5" /x /x
  done
done
succeeds s-wf 2 s --method=wf
succeeds a-rwf 3 a --method=rwf
bn_ok "info shows model cdp" 1 info "$T/c-wf-1.h5"
info_has "info: /x is 4096 x 2" '/x.*4096 x 2'

# Checkpoint: stop at 25 with a checkpoint at 20, restart: the same run.
# --fft-plan=estimate: FFTW_MEASURE may pick another plan in the second
# run, and so other last bits.
A=(phase --input="$T/c.h5" --progress=false --method=twf --tol=1e-12
  --max-iter=80 --fft-plan=estimate)
bn_ok "uninterrupted run" 2 "${A[@]}" --output="$T/ref.h5"
bn_ok "stop at 25, checkpoint at 20" 2 "${A[@]}" --max-iter=25 \
  --checkpoint="$T/ck.h5" --checkpoint-every=20 --output="$T/stop.h5"
bn_ok "restart" 2 "${A[@]}" --restart="$T/ck.h5" --output="$T/cont.h5"
ok=0
for d in /history/objective /history/rel_error /x; do
  if ! h5diff -q -p 1e-12 "$T/ref.h5" "$T/cont.h5" "$d" "$d" >/dev/null 2>&1
  then
    echo "    $d differs"
    ok=1
  fi
done
check "restart continues as the same run (/history, /x to 1e-12)" test $ok = 0

# Bad inputs: one message, non-zero status everywhere, no hang.
expect_fail_rc 2 "generate --patterns=0" 2 "patterns=0" generate phase \
  --model=cdp --patterns=0 --output="$T/x.h5"
expect_fail_rc 2 "generate --height=0" 1 "height and --width" generate \
  phase --model=cdp --height=0 --output="$T/x.h5"
h5copy -i "$T/a.h5" -o "$T/mix.h5" -s /y -d /y
"$SETATTR" "$T/mix.h5" /y model gaussian
expect_fail_rc 1 "3-D /y with model gaussian" 2 "/y is 3-D but the model" \
  phase --input="$T/mix.h5"
bn_ok "generate 32 x 32 intensity" 1 generate phase --model=cdp \
  --height=32 --width=32 --patterns=6 --seed=$S --output="$T/b.h5"
h5copy -i "$T/b.h5" -o "$T/hw.h5" -s /y -d /y
"$SETATTR" "$T/hw.h5" /y height 16
expect_fail_rc 1 "height attribute not an integer" 2 "height" phase \
  --input="$T/hw.h5"
bn_ok "generate 48 x 40" 1 generate phase --model=cdp --height=48 \
  --width=40 --patterns=6 --seed=$S --output="$T/r.h5"
h5copy -i "$T/r.h5" -o "$T/sw.h5" -s /y -d /y
h5copy -i "$T/s.h5" -o "$T/sw.h5" -s /x_true -d /x_true
bn_ok "x_true of the right size is accepted" 1 phase --input="$T/sw.h5" \
  --max-iter=2 --progress=false --output="$T/sw-out.h5"
expect_fail_rc 2 "--model=implicit on a cdp input" 2 \
  "--model=implicit, but .* holds a cdp model" phase --input="$T/c.h5" \
  --model=implicit
bn_summary
