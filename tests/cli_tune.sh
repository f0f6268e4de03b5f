#!/usr/bin/env bash
# benign tune (issue 17, item 3): the grid is scored on the training
# entries only -- with /test poisoned by a NaN it still runs and chooses
# the same -- the choice is the same at 1, 2 and 3 processes, the written
# model's held-out RMSE is within 0.005 of the best of the grid (each
# point fitted by `complete` on all the training entries), K-fold works,
# and bad options are refused.
. "$(dirname "$0")/lib.sh"

bn_ok "generate 200 x 150 rank 3, noise, 10% held out" 2 generate complete \
  --rows=200 --cols=150 --rank=3 --sample-rate=0.3 --noise=0.1 \
  --test-fraction=0.1 --seed=4 --output="$T/in.h5"
GRID=(--ranks=1,2,3,5 --lambdas=0.001,0.05,0.5 --solver=als)
for np in 1 2 3; do
  bn_ok "tune at $np" "$np" tune --input="$T/in.h5" --output="$T/m$np.h5" \
    "${GRID[@]}" --json
  cp "$T/last.out" "$T/tune$np.json"
done
r=$(json_field rank "$T/tune1.json")
l=$(json_field lambda "$T/tune1.json")
test_rmse=$(json_field test_rmse "$T/tune1.json")
check "chose rank ${r:-?} (the truth's, 3)" test "${r:-0}" = 3
for np in 2 3; do
  check "$np processes choose the same" sh -c \
    "test '$(json_field rank "$T/tune$np.json")' = '$r' && test '$(json_field lambda "$T/tune$np.json")' = '$l'"
done
check "the model is written with the chosen rank" sh -c \
  "h5dump -H -d /U '$T/m1.h5' | grep -q '( 200, $r )'"
check "the table is in the log" grep -Eq "^ +3 +0.05 +[0-9.]+ +[0-9.]+$" \
  "$T/last.err"

# every grid point fitted on all the training entries, scored on /test
best=""
for rank in 1 2 3 5; do
  for lam in 0.001 0.05 0.5; do
    bn_run 2 complete --input="$T/in.h5" --rank=$rank --lambda=$lam \
      --solver=als --early-stop=0 --json --progress=off \
      --output="$T/g.h5" >"$T/g.json" 2>/dev/null
    v=$(json_field test_rmse "$T/g.json")
    best=$(awk -v a="$best" -v b="$v" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }')
  done
done
check "the chosen model's test RMSE ($test_rmse) within 0.005 of the grid's best ($best)" \
  awk -v a="$test_rmse" -v b="$best" 'BEGIN { exit !(a != "" && a - b <= 0.005) }'

# /test is never read for the choice
cp "$T/in.h5" "$T/poison.h5"
"${BN_BUILD_DIR:?}/tests/tool_setnan" "$T/poison.h5" /test/val 0
bn_ok "tune with a NaN in /test" 2 tune --input="$T/poison.h5" \
  --output="$T/mp.h5" "${GRID[@]}" --json
check "... chooses the same" sh -c \
  "test '$(json_field rank "$T/last.out")' = '$r' && test '$(json_field lambda "$T/last.out")' = '$l'"
tp=$(json_field test_rmse "$T/last.out")
check "... and reports a test RMSE over the finite values ($tp)" \
  awk -v a="$tp" 'BEGIN { exit !(a != "" && a + 0 > 0) }'

bn_ok "3-fold" 3 tune --input="$T/in.h5" --output="$T/mk.h5" --folds=3 \
  --ranks=2,3 --lambdas=0.05 --solver=als --json
check "3-fold chooses rank 3" test "$(json_field rank "$T/last.out")" = 3
check "no temporary directory left" sh -c "! ls -a '$T' | grep -q benign-tune"

cp "$T/m1.h5" "$T/keep.h5"
expect_fail_rc 2 "--folds=1" 2 "--folds=1: K-fold needs K in \[2, 100\]" \
  tune --input="$T/in.h5" --output="$T/m1.h5" --folds=1
expect_fail_rc 2 "a rank of 0" 2 "--ranks=2,0: expected up to 64" \
  tune --input="$T/in.h5" --output="$T/m1.h5" --ranks=2,0
expect_fail_rc 2 "a negative lambda" 1 "--lambdas=-1: expected" \
  tune --input="$T/in.h5" --output="$T/m1.h5" --lambdas=-1
expect_fail "a missing input" 2 "nope.h5" tune --input="$T/nope.h5" \
  --output="$T/m1.h5"
check "nothing overwritten by the failures" cmp -s "$T/keep.h5" "$T/m1.h5"

bn_summary
