#!/usr/bin/env bash
# benign factor (fully observed low-rank factorization):
#  - generate + solve, sym and general, spectral and random starts, at 1, 2
#    and 3 processes: relative error to the truth < 1e-8 (noiseless);
#  - a run stopped by --max-iter with a checkpoint, continued with
#    --restart, is the same run as an uninterrupted one (history and
#    factors to 1e-12 relative);
#  - bad inputs: one clear message from rank 0, a non-zero status on every
#    rank, no hang.
. "$(dirname "$0")/lib.sh"
MK=${BN_BUILD_DIR:?}/tests/tool_mkfactor

bn_ok "generate general 300x200 rank 5" 2 generate factor \
  --output="$T/g.h5" --rows=300 --cols=200 --rank=5 --condition=10 --seed=3
bn_ok "generate sym 250 rank 5" 3 generate factor --mode=sym \
  --output="$T/s.h5" --rows=250 --rank=5 --condition=10 --seed=4
bn_ok "generate on 1 process" 1 generate factor --output="$T/g1.h5" \
  --rows=300 --cols=200 --rank=5 --condition=10 --seed=3
check "the generated file is the same on 1 and 2 processes" \
  h5diff -q "$T/g.h5" "$T/g1.h5" /Y /Y

for mode in sym general; do
  in="$T/g.h5"
  [ "$mode" = sym ] && in="$T/s.h5"
  for init in spectral random; do
    for np in 1 2 3; do
      bn_ok "$mode/$init at $np processes" "$np" factor --input="$in" \
        --mode="$mode" --rank=5 --init="$init" --tol=1e-12 --max-iter=3000 \
        --output="$T/$mode-$init-$np.h5" --json --progress=false
      rel=$(json_field rel_error "$T/last.out")
      check "$mode/$init/$np: rel_error ${rel:-missing} < 1e-8" \
        num_lt "${rel:-1}" 1e-8
      check "$mode/$init/$np: converged" grep -q '"converged":true' \
        "$T/last.out"
    done
  done
done
check "sym result has /U and no /V" \
  sh -c "h5ls '$T/sym-random-2.h5' | grep -q '^U ' && ! h5ls '$T/sym-random-2.h5' | grep -q '^V '"

# Checkpoints through the problem's save/load: stop at 37 (a checkpoint at
# 30), continue to 60; the same as one run of 60 iterations.
for np in 2 3; do
  A=(factor --input="$T/g.h5" --rank=5 --init=random --init-scale=1e-3
    --tol=0 --max-iter=60 --progress=false)
  bn_ok "np=$np: 60 iterations" "$np" "${A[@]}" --output="$T/ref$np.h5"
  bn_ok "np=$np: stop at 37, checkpoint at 30" "$np" "${A[@]}" \
    --max-iter=37 --checkpoint="$T/ck$np.h5" --checkpoint-every=30 \
    --output="$T/part$np.h5"
  bn_ok "np=$np: restart" "$np" "${A[@]}" --restart="$T/ck$np.h5" \
    --output="$T/out$np.h5"
  ok=0
  for d in /history/iteration /history/objective /history/grad_norm \
    /history/step /history/rel_error /U /V; do
    if ! h5diff -q -p 1e-12 "$T/ref$np.h5" "$T/out$np.h5" "$d" "$d" \
      >/dev/null 2>&1; then
      echo "    $d differs"
      ok=1
    fi
  done
  check "np=$np: the restarted run is the uninterrupted one" test $ok = 0
done

# Bad inputs, at 3 processes (7 rows: an uneven split).
bn_ok "generate a completion input (no /Y)" 1 generate complete \
  --output="$T/c.h5" --rows=20 --cols=10 --rank=2
check "tool_mkfactor" "$MK" sym "$T/sym.h5" nan "$T/nan.h5" \
  nonsym "$T/nonsym.h5" rect "$T/rect.h5" y-1d "$T/y1d.h5"
expect_fail_rc 1 "missing /Y" 3 "c\.h5: no dataset '/Y'" factor \
  --input="$T/c.h5" --rank=2 --output="$T/x.h5"
expect_fail_rc 1 "non-square Y in sym mode" 3 \
  "--mode=sym needs a square /Y, but .*rect\.h5's /Y is 7 x 4" factor \
  --input="$T/rect.h5" --mode=sym --rank=2 --output="$T/x.h5"
expect_fail_rc 1 "non-symmetric Y in sym mode" 3 \
  "--mode=sym needs a symmetric /Y, but .*nonsym\.h5's /Y is not" factor \
  --input="$T/nonsym.h5" --mode=sym --rank=2 --output="$T/x.h5"
bn_ok "the same Y in general mode" 3 factor --input="$T/nonsym.h5" --rank=2 \
  --output="$T/x.h5" --progress=false
bn_ok "a symmetric Y in sym mode" 3 factor --input="$T/sym.h5" --mode=sym \
  --rank=2 --output="$T/x.h5" --progress=false
expect_fail_rc 2 "rank > min(rows, cols)" 3 \
  "--rank=5 is larger than min\(rows, cols\) = 4" factor \
  --input="$T/rect.h5" --rank=5 --output="$T/x.h5"
expect_fail_rc 1 "NaN in Y" 3 "nan\.h5: /Y\(2, 5\) is NaN" factor \
  --input="$T/nan.h5" --rank=2 --output="$T/x.h5"
expect_fail_rc 1 "1-D /Y" 3 "y1d\.h5: /Y must be a 2-D matrix" factor \
  --input="$T/y1d.h5" --rank=2 --output="$T/x.h5"
expect_fail_rc 2 "--solver=als" 2 "no alternating sweep" factor \
  --input="$T/sym.h5" --rank=2 --solver=als --output="$T/x.h5"
expect_fail_rc 2 "generate: sym with rows != cols" 2 \
  "--mode=sym makes a square Y" generate factor --mode=sym --rows=5 \
  --cols=4 --output="$T/x.h5"
bn_summary
