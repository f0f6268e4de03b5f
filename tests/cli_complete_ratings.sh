#!/usr/bin/env bash
# Completion on ratings-like data (issue 16):
#  - generate --bias-scale --value-range: a clipped instance with row and
#    column biases; --bias=true reaches the noise floor on held-out
#    entries, --bias=false does not; the same answer at 1, 2 and 3
#    processes; /bias/row, /bias/col and their mean in the result;
#  - a restart from a checkpoint continues as the same run, biases and
#    early-stopping state included;
#  - --solver=aals (the extrapolated sweep) reaches the same floor, the
#    same answer at 1 and 3 processes;
#  - early stopping keeps the iterate of the lowest test RMSE and says so;
#  - the bounded certificate: no Lanczos when the gradient test fails,
#    Lanczos (capped or full) at a converged point;
#  - bad inputs: a bias of another shape, a start without biases, a
#    negative lambda, --early-stop and --value-range that do not parse.
. "$(dirname "$0")/lib.sh"

json() { json_field "$1" "$T/last.out"; }
noise=0.15
bn_ok "generate ratings 1500x1000 rank 4, biases, values in [-1, 7]" 2 \
  generate complete --output="$T/r.h5" --rows=1500 --cols=1000 --rank=4 \
  --sample-rate=0.06 --test-fraction=0.1 --noise="$noise" --bias-scale=0.5 \
  --value-range=-1,7 --seed=4
check "generate: value range attributes" \
  sh -c "h5dump -a /value_max '$T/r.h5' | grep -q '7'"
A=(complete --input="$T/r.h5" --rank=4 --solver=als --lambda=0.01 --json)
for np in 1 2 3; do
  bn_ok "--bias=true at $np processes" "$np" "${A[@]}" --bias=true \
    --output="$T/b$np.h5"
  rmse[np]=$(json saved_test_rmse)
  check "--bias=true/$np: held-out RMSE ${rmse[np]:-missing} < 1.25 x noise" \
    num_lt "${rmse[np]:-9}" "$(awk -v s=$noise 'BEGIN { print 1.25 * s }')"
done
check "1, 2, 3 processes: the same held-out RMSE (to 1e-9)" awk \
  -v a="${rmse[1]:-1}" -v b="${rmse[2]:-2}" -v c="${rmse[3]:-3}" \
  'BEGIN { exit !((a - b) ^ 2 < 1e-18 * a * a && (a - c) ^ 2 < 1e-18 * a * a) }'
check "1 and 3 processes: the same biases (to 1e-8)" \
  h5diff -q -p 1e-8 "$T/b1.h5" "$T/b3.h5" /bias/row /bias/row
check "result: /bias/col and the mean" \
  sh -c "h5ls -r '$T/b2.h5' | grep -q '^/bias/col .*{1000}' &&
         h5dump -a /bias/mean '$T/b2.h5' | grep -q DATA"
bn_ok "--bias=false" 2 "${A[@]}" --bias=false --output="$T/nb.h5"
nb=$(json saved_test_rmse)
check "--bias=false: held-out RMSE ${nb:-missing} > 2 x noise" \
  num_lt "$(awk -v s=$noise 'BEGIN { print 2 * s }')" "${nb:-0}"

# The extrapolated sweep (aals) on the same data: the noise floor, the
# same answer at 1 and 3 processes.
for np in 1 3; do
  bn_ok "--solver=aals --bias=true at $np processes" "$np" "${A[@]}" \
    --solver=aals --bias=true --output="$T/x$np.h5"
  xr[np]=$(json saved_test_rmse)
  check "aals/$np: held-out RMSE ${xr[np]:-missing} < 1.25 x noise" \
    num_lt "${xr[np]:-9}" "$(awk -v s=$noise 'BEGIN { print 1.25 * s }')"
done
check "aals: 1 and 3 processes, the same held-out RMSE (to 1e-9)" awk \
  -v a="${xr[1]:-1}" -v c="${xr[3]:-3}" 'BEGIN { exit !((a - c) ^ 2 < 1e-18 * a * a) }'

# Early stopping: the saved iterate is the one of the lowest test RMSE in
# the history, and the result says which.
bn_ok "early stopping (K = 2)" 2 "${A[@]}" --bias=true --early-stop=2 \
  --monitor --output="$T/es.h5"
saved=$(json saved_iteration) its=$(json iterations)
low=$(sed -n 's/^its = *\([0-9]*\) .*test_rmse = \([0-9.e+-]*\).*/\1 \2/p' \
  "$T/last.err" | sort -g -k2 | head -n 1 | cut -d' ' -f1)
check "early stopping: saved iteration ${saved:-?} = the lowest test RMSE's (${low:-?}), of ${its:-?}" \
  test -n "$saved" -a "$saved" = "${low:--1}"
check "early stopping: the reason and the log line" \
  grep -q "saved the iterate of iteration $saved" "$T/last.err"
check "early stopping: saved_iteration attribute" \
  sh -c "h5dump -a /saved_iteration '$T/es.h5' | grep -Eq '\(0\): $saved\s*$'"

# Restart: 4 iterations with a checkpoint, then on to 9, is the run of 9.
R=("${A[@]}" --bias=true --early-stop=20 --max-iter=9 --ftol=0 --tol=0)
bn_ok "restart: uninterrupted 9 iterations" 2 "${R[@]}" --output="$T/ref.h5"
bn_ok "restart: 4 iterations with a checkpoint" 2 "${A[@]}" --bias=true \
  --early-stop=20 --ftol=0 --tol=0 --max-iter=4 --checkpoint="$T/ck.h5" \
  --checkpoint-every=2 --output="$T/part.h5"
bn_ok "restart: on to 9 at 3 processes" 3 "${R[@]}" --restart="$T/ck.h5" \
  --output="$T/cont.h5"
ok=0
for d in /U /V /bias/row /bias/col /history/objective /history/test_rmse; do
  if ! h5diff -q -p 1e-9 "$T/ref.h5" "$T/cont.h5" "$d" "$d" >/dev/null 2>&1; then
    echo "    $d differs"
    ok=1
  fi
done
check "restart continues as the same run (biases too)" test $ok = 0

# The bounded certificate.
bn_ok "3 sweeps" 2 "${A[@]}" --bias=true --max-iter=3 --output="$T/c3.h5"
check "certificate: no Lanczos when the gradient test fails" \
  test "$(json cert_lanczos)/$(json certificate)" = "skipped/not-converged"
bn_ok "generate an exact instance" 1 generate complete --output="$T/e.h5" \
  --rows=300 --cols=200 --rank=3 --sample-rate=0.3 --seed=2
bn_ok "exact: gd to convergence" 2 complete --input="$T/e.h5" --rank=3 \
  --tol=1e-10 --json --output="$T/e-out.h5"
check "certificate at a converged point: $(json cert_lanczos), $(json certificate)" \
  test "$(json certificate)" = local-minimizer -a "$(json cert_lanczos)" != skipped
bn_ok "exact: --certificate=full" 2 complete --input="$T/e.h5" --rank=3 \
  --tol=1e-10 --json --certificate=full --output="$T/e-full.h5"
check "--certificate=full: Lanczos run to the end" \
  test "$(json cert_lanczos)/$(json certificate)" = run/local-minimizer

# Bad inputs: one message, non-zero status on every rank.
bn_ok "an instance of another shape (1000 x 1500)" 1 generate complete \
  --output="$T/t.h5" --rows=1000 --cols=1500 --rank=4 --sample-rate=0.02 --seed=5
bn_ok "its result with biases" 1 complete --input="$T/t.h5" --rank=4 \
  --solver=als --bias=true --max-iter=1 --output="$T/t-out.h5"
h5copy -i "$T/b1.h5" -o "$T/mix.h5" -s /U -d /U
h5copy -i "$T/b1.h5" -o "$T/mix.h5" -s /V -d /V
h5copy -i "$T/t-out.h5" -o "$T/mix.h5" -s /bias -d /bias
for np in 1 3; do
  expect_fail "a start whose biases have another shape ($np)" "$np" \
    "mix.h5: /bias/row has shape \{1000\}, expected \{1500\}" \
    "${A[@]}" --bias=true --init-file="$T/mix.h5" --output="$T/x.h5"
done
expect_fail "--bias=true from a result without biases" 2 \
  "nb.h5: no /bias/row: --bias=true needs the biases" \
  "${A[@]}" --bias=true --init-file="$T/nb.h5" --output="$T/x.h5"
expect_fail_rc 2 "--lambda-scale=count with lambda < 0" 2 \
  "--lambda, --incoherence and --incoherence-radius must be nonnegative" \
  "${A[@]}" --lambda=-0.1 --lambda-scale=count --output="$T/x.h5"
expect_fail_rc 2 "--early-stop=soon" 2 "--early-stop=soon: expected auto" \
  "${A[@]}" --early-stop=soon --output="$T/x.h5"
expect_fail_rc 2 "generate --value-range=5,1" 1 "--value-range=5,1: expected LO,HI" \
  generate complete --output="$T/x.h5" --value-range=5,1
expect_fail_rc 2 "generate --bias-scale=-1" 1 "--bias-scale must be finite" \
  generate complete --output="$T/x.h5" --bias-scale=-1
check "no result left by the failures" test ! -e "$T/x.h5"
bn_summary
