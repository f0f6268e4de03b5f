#!/usr/bin/env bash
# benign rpca --method=altproj (accelerated alternating projections, issue
# 21): recovery of a 1000 x 1000 rank-5 matrix with 10% of its entries
# corrupted to relative error < 1e-6 in a few iterations; the same answer
# and sparse part at 1, 2 and 3 processes; a checkpoint/restart that
# continues as the same run (and on another process count); bad inputs,
# each with one clear message and a non-zero status everywhere.
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
bn_ok "altproj: solve at 2 processes" 2 rpca --input="$T/d.h5" --rank=5 \
  --alpha=0.1 --method=altproj --rel-tol=1e-6 --tol=0 --max-iter=30 \
  --output="$T/d-out.h5" --json --progress=false
rel_below "altproj 1000x1000" 1e-6
its=$(json_field iterations "$T/last.out")
check "altproj: ${its:-?} iterations <= 10" test "${its:-99}" -le 10
check "altproj: solver als (the projection is the sweep)" \
  grep -q '"solver":"als"' "$T/last.out"
check "altproj: no certificate (nonsmooth)" grep -q 'certificate: skipped' \
  "$T/last.err"
bn_ok "info on the result" 1 info "$T/d-out.h5"
info_has "result has /S/val" "/S/val"
info_has "result records the threshold" "altproj_zeta"
# S holds the corruptions: about 10% of 10^6 entries.
nS=$(h5ls "$T/d-out.h5/S/val" | sed -n 's/.*{\([0-9]*\)}.*/\1/p')
check "S has ${nS:-?} entries, within 5% of the corrupted count" \
  awk -v n="${nS:-0}" 'BEGIN { exit !(n > 95000 && n < 105000) }'

# --- the same run at 1, 2 and 3 processes (uneven split) --------------------
bn_ok "generate 150x110" 1 generate rpca --output="$T/s.h5" --rows=150 \
  --cols=110 --rank=3 --corrupt=0.05 --seed=8
for np in 1 2 3; do
  bn_ok "small: $np processes" "$np" rpca --input="$T/s.h5" --rank=3 \
    --alpha=0.15 --method=altproj --rel-tol=1e-9 --tol=0 --max-iter=60 \
    --output="$T/s$np.h5" --json --progress=false
  rel_below "small/$np" 1e-9
  if [ "$np" != 1 ]; then
    for d in /S/row /S/col; do
      check "$d at $np processes equals 1 process" \
        h5diff -q "$T/s1.h5" "$T/s$np.h5" "$d" "$d"
    done
    check "/history/iteration at $np processes equals 1 process" \
      h5diff -q "$T/s1.h5" "$T/s$np.h5" /history/iteration /history/iteration
  fi
done

# --- checkpoint and restart: the same run as one never stopped --------------
A=(rpca --input="$T/s.h5" --rank=3 --alpha=0.15 --method=altproj --tol=0
  --max-iter=12 --progress=false)
bn_ok "uninterrupted run of 12" 2 "${A[@]}" --output="$T/ref.h5"
bn_ok "stop at 7 with a checkpoint at 5" 2 "${A[@]}" --max-iter=7 \
  --checkpoint="$T/ck.h5" --checkpoint-every=5 --output="$T/7.h5"
bn_ok "continue from 5 (same process count)" 2 "${A[@]}" \
  --restart="$T/ck.h5" --output="$T/cont.h5"
ok=0
for d in /history/iteration /history/objective /history/grad_norm \
  /history/rel_error /U /V /S/row /S/val; do
  if ! h5diff -q "$T/ref.h5" "$T/cont.h5" "$d" "$d" >/dev/null 2>&1; then
    echo "    $d differs"
    ok=1
  fi
done
check "restart: identical history, /U, /V and /S to the uninterrupted run" \
  test $ok = 0
bn_ok "continue from 5 on 3 processes" 3 "${A[@]}" --restart="$T/ck.h5" \
  --output="$T/cont3.h5"
check "restart on 3 processes: /U within 1e-8 of the uninterrupted run" \
  h5diff -q -p 1e-8 "$T/ref.h5" "$T/cont3.h5" /U /U

# --- bad inputs ---------------------------------------------------------------
bn_ok "generate observed entries" 1 generate rpca --output="$T/o.h5" \
  --rows=150 --cols=110 --rank=3 --corrupt=0.05 --sample-rate=0.5 --seed=4
expect_fail_rc 2 "altproj on observed entries" 2 \
  "--method=altproj needs a dense matrix /M" rpca --input="$T/o.h5" \
  --rank=3 --method=altproj --output="$T/x.h5"
expect_fail_rc 2 "altproj with --solver=gd" 2 \
  "--solver=gd: --method=altproj runs its own step" rpca --input="$T/s.h5" \
  --rank=3 --method=altproj --solver=gd --output="$T/x.h5"
expect_fail_rc 2 "altproj with --init=random" 3 \
  "--init=random: --method=altproj starts from the spectral point" rpca \
  --input="$T/s.h5" --rank=3 --method=altproj --init=random \
  --output="$T/x.h5"
for d in 0 1 -0.5 nan; do
  expect_fail_rc 2 "--altproj-decay=$d" 2 "altproj-decay.*(must be in|not a finite)" \
    rpca --input="$T/s.h5" --rank=3 --method=altproj --altproj-decay="$d" \
    --output="$T/x.h5"
done
expect_fail_rc 2 "--altproj-beta=-1" 2 "--altproj-beta=-1: must be >= 0" \
  rpca --input="$T/s.h5" --rank=3 --method=altproj --altproj-beta=-1 \
  --output="$T/x.h5"
expect_fail_rc 2 "--method=bogus" 2 "method" rpca --input="$T/s.h5" \
  --rank=3 --method=bogus --output="$T/x.h5"
bn_summary
