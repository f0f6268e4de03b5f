#!/usr/bin/env bash
# benign rpca (robust PCA, issue 4): recovery of a 1000 x 1000 rank-5
# matrix with 10% of its entries corrupted by ~10x the largest entry, dense
# and with half of the entries observed, to relative error < 1e-6 (at 2
# processes); the same answer and sparse part at 1, 2 and 3 processes on a
# smaller instance; a checkpoint/restart that continues as the same run;
# bad inputs, each with one clear message and a non-zero status everywhere.
. "$(dirname "$0")/lib.sh"

rel_below() { # rel_below NAME LIMIT: rel_error of the last JSON line
  local rel
  rel=$(json_field rel_error "$T/last.out")
  check "$1: rel_error ${rel:-missing} < $2" num_lt "${rel:-1}" "$2"
  check "$1: converged" grep -q '"converged":true' "$T/last.out"
}

# --- recovery, 1000 x 1000, rank 5, 10% corrupted ---------------------------
bn_ok "generate 1000x1000 rank 5, 10% corrupted" 2 generate rpca \
  --output="$T/d.h5" --rows=1000 --cols=1000 --rank=5 --corrupt=0.1 \
  --magnitude=10 --seed=3
bn_ok "dense: solve at 2 processes" 2 rpca --input="$T/d.h5" --rank=5 \
  --alpha=0.1 --tol=1e-10 --output="$T/d-out.h5" --json --progress=false
rel_below "dense" 1e-6
bn_ok "info on the result" 1 info "$T/d-out.h5"
info_has "result has /S/row, /S/col, /S/val" "/S/val"
info_has "result has /U" "^ */U "

bn_ok "generate 1000x1000, half of the entries observed" 2 generate rpca \
  --output="$T/o.h5" --rows=1000 --cols=1000 --rank=5 --corrupt=0.1 \
  --sample-rate=0.5 --seed=4
bn_ok "observed: solve at 2 processes" 2 rpca --input="$T/o.h5" --rank=5 \
  --alpha=0.1 --tol=1e-10 --output="$T/o-out.h5" --json --progress=false
rel_below "observed 50%" 1e-6

# --- the same run at 1, 2 and 3 processes (uneven split) --------------------
# 5% corrupted, alpha = 0.15: on a matrix this small, a row with more than
# alpha of its entries corrupted leaves spikes larger than L's singular
# values in M - T_alpha(M), and the spectral start fails.
bn_ok "generate 150x110" 1 generate rpca --output="$T/s.h5" --rows=150 \
  --cols=110 --rank=3 --corrupt=0.05 --seed=8
for np in 1 2 3; do
  bn_ok "small: $np processes" "$np" rpca --input="$T/s.h5" --rank=3 \
    --alpha=0.15 --tol=1e-10 --max-iter=2000 --output="$T/s$np.h5" --json --progress=false
  rel_below "small/$np" 1e-6
  if [ "$np" != 1 ]; then
    for d in /S/row /S/col; do
      check "$d at $np processes equals 1 process" \
        h5diff -q "$T/s1.h5" "$T/s$np.h5" "$d" "$d"
    done
    check "/U at $np processes equals 1 process" \
      h5diff -q -d 1e-8 "$T/s1.h5" "$T/s$np.h5" /U /U
  fi
done

# --- checkpoint and restart: the same run as one never stopped --------------
A=(rpca --input="$T/s.h5" --rank=3 --alpha=0.15 --tol=0 --max-iter=40
  --progress=false)
bn_ok "uninterrupted run of 40" 2 "${A[@]}" --output="$T/ref.h5"
bn_ok "stop at 17 with a checkpoint at 15" 2 "${A[@]}" --max-iter=17 \
  --checkpoint="$T/ck.h5" --checkpoint-every=15 --output="$T/17.h5"
bn_ok "continue from 15 (same process count)" 2 "${A[@]}" --restart="$T/ck.h5" \
  --output="$T/cont.h5"
ok=0
for d in /history/iteration /history/objective /history/grad_norm \
  /history/rel_error /U /V; do
  if ! h5diff -q -p 1e-12 "$T/ref.h5" "$T/cont.h5" "$d" "$d" >/dev/null 2>&1; then
    echo "    $d differs"
    ok=1
  fi
done
check "restart: same history, /U and /V as the uninterrupted run" test $ok = 0

# --- bad inputs ---------------------------------------------------------------
TOOL=${BN_BUILD_DIR:-}/tests/tool_rpcabad
# A NaN in a start (or a checkpoint) is refused, not iterated on: the
# threshold search cannot order it (it spun before this check).
cp "$T/s1.h5" "$T/nanU.h5"
"${BN_BUILD_DIR:?}/tests/tool_setnan" "$T/nanU.h5" /U 7
expect_fail_rc 1 "NaN in an --init-file" 2 "hold a NaN or infinite value" \
  rpca --input="$T/s.h5" --rank=3 --alpha=0.15 --init-file="$T/nanU.h5" \
  --output="$T/x.h5"
expect_fail_rc 1 "no /M nor /omega" 2 "no dataset /M" rpca \
  --input="$T/d-out.h5" --output="$T/x.h5"
for a in 0 1 -0.2 1.5; do
  expect_fail_rc 2 "--alpha=$a" 2 "--alpha=.*must be in \(0, 1\)" rpca \
    --input="$T/s.h5" --alpha="$a" --output="$T/x.h5"
done
expect_fail_rc 2 "rank too large" 3 "--rank=200 is larger than min" rpca \
  --input="$T/s.h5" --rank=200 --output="$T/x.h5"
expect_fail_rc 2 "gamma * alpha >= 1" 2 "--gamma" rpca --input="$T/s.h5" \
  --alpha=0.6 --gamma=2 --output="$T/x.h5"
if [ -x "$TOOL" ]; then
  "$TOOL" nan "$T/nan.h5" >/dev/null
  expect_fail_rc 1 "NaN in M" 3 "/M has a non-finite value .* row 7, column 3" \
    rpca --input="$T/nan.h5" --rank=2 --output="$T/x.h5"
  "$TOOL" 3d "$T/m3.h5" >/dev/null
  expect_fail_rc 1 "3-D /M" 2 "/M must be a 2-D dataset" rpca \
    --input="$T/m3.h5" --rank=2 --output="$T/x.h5"
else
  fail "tests/tool_rpcabad not built (BN_BUILD_DIR=${BN_BUILD_DIR:-unset})"
fi
bn_summary
