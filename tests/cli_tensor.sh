#!/usr/bin/env bash
# benign tensor and benign generate tensor:
#  - n = 20, K = 20 orthogonal components (weights 1 .. 1.95) recovered
#    from random starts by rgd, power and shifted-power at 1, 2 and 3
#    processes (every true component's best |cos| > 0.999, all solves
#    converged), the same /A_hat and /lambda_hat at every process count
#    (1e-8); the default (spectral start) run; the explicit form (n = 8);
#    the samples form (n = 10, N = 100000, kurtosis 3) to |cos| > 0.995;
#  - the Kofidis-Regalia tensor (written with h5import): --method=power
#    does not converge in 300 iterations, shifted-power converges to an
#    eigenpair with |T x^3 - lambda x| = |grad|/4 < 1e-8;
#  - checkpoints: a fault (SIGKILL) at the 12th checkpoint write, in the
#    middle of the decomposition, then --restart gives the same result as
#    an uninterrupted run (and converges at another process count); SIGTERM
#    -> checkpoint, status 75 on every rank, --restart -> the same result;
#  - bad inputs and options, each refused with one message.
. "$(dirname "$0")/lib.sh"

SETNAN=${BN_BUILD_DIR:?}/tests/tool_setnan

# mk FILE NAME "DIMS" TEXT: a float64 dataset from text (h5import).
mk() {
  local f=$1 name=$2 dims=$3 txt=$4 rank
  rank=$(echo "$dims" | wc -w)
  printf '%s\n' "$txt" >"$T/mk.txt"
  printf 'PATH %s\nINPUT-CLASS TEXTFP\nRANK %s\nDIMENSION-SIZES %s\nOUTPUT-CLASS FP\nOUTPUT-SIZE 64\n' \
    "$name" "$rank" "$dims" >"$T/mk.cfg"
  h5import "$T/mk.txt" -c "$T/mk.cfg" -o "$f" >/dev/null
}

json() { json_field "$1" "$T/last.out"; }

LAM=$(seq 0 19 | awk '{ printf "%s%.2f", (NR > 1 ? "," : ""), 1 + 0.05 * $1 }')
bn_ok "generate n=20, K=20 components" 2 generate tensor --dim=20 \
  --lambda="$LAM" --seed=11 --output="$T/c.h5"

for m in rgd power shifted-power; do
  for np in 1 2 3; do
    bn_ok "$m at $np processes" "$np" tensor --input="$T/c.h5" --method="$m" \
      --init=random --tol=1e-10 --json --progress=false \
      --output="$T/$m-$np.h5"
    mc=$(json min_abs_cos)
    check "$m/$np: min |cos| ${mc:-missing} > 0.999" num_lt 0.999 "${mc:-0}"
    check "$m/$np: every component converged" grep -q '"converged":true' \
      "$T/last.out"
    cc=$(json certified_components)
    check "$m/$np: all 20 solves certified local minimizers (${cc:-missing})" \
      test "${cc:-0}" = 20
  done
  for np in 2 3; do
    for d in /A_hat /lambda_hat; do
      check "$m: $d at $np processes equals 1 process" h5diff -q -d 1e-8 \
        "$T/$m-1.h5" "$T/$m-$np.h5" "$d" "$d"
    done
  done
done
bn_ok "default method and spectral start" 3 tensor --input="$T/c.h5" \
  --json --progress=false --output="$T/spec.h5"
mc=$(json min_abs_cos)
check "spectral: min |cos| ${mc:-missing} > 0.999" num_lt 0.999 "${mc:-0}"
bn_ok "info on a tensor result" 1 info "$T/spec.h5"
info_has "info: /A_hat is 20 x 20" "/A_hat +\[20 x 20\]"

bn_ok "generate explicit n=8" 2 generate tensor --form=explicit --dim=8 \
  --components=5 --lambda=2,1.5,1.2,1,0.8 --seed=12 --output="$T/e.h5"
bn_ok "explicit at 3 processes" 3 tensor --input="$T/e.h5" --init=random \
  --json --progress=false --output="$T/e-out.h5"
mc=$(json min_abs_cos)
check "explicit: min |cos| ${mc:-missing} > 0.999" num_lt 0.999 "${mc:-0}"
check "explicit: 5 components (the file's number)" test "$(json found)" = 5

bn_ok "generate samples n=10, N=100000" 2 generate tensor --form=samples \
  --dim=10 --lambda=3 --samples=100000 --seed=13 --output="$T/s.h5"
bn_ok "samples at 2 processes" 2 tensor --input="$T/s.h5" --init=random \
  --json --progress=false --output="$T/s-out.h5"
mc=$(json min_abs_cos)
check "samples: min |cos| ${mc:-missing} > 0.995" num_lt 0.995 "${mc:-0}"

# Kofidis and Regalia (2002), Example 1: the 15 distinct entries of a
# symmetric 3 x 3 x 3 x 3 tensor, as the 3 x 27 unfolding.
KR=$(awk 'BEGIN {
  split("0.2883 -0.0031 0.1973 -0.2485 -0.2939 0.3847 0.2972 0.1862 0.0919 -0.3619 0.1241 -0.3420 0.2127 0.2727 -0.3054", v, " ")
  e = 0
  for (a = 0; a < 3; a++) for (b = a; b < 3; b++) for (c = b; c < 3; c++)
    for (d = c; d < 3; d++) key[a "" b "" c "" d] = v[++e]
  for (i = 0; i < 3; i++) for (j = 0; j < 3; j++) for (k = 0; k < 3; k++)
    for (l = 0; l < 3; l++) {
      s[0] = i; s[1] = j; s[2] = k; s[3] = l
      for (p = 0; p < 4; p++) for (q = p + 1; q < 4; q++)
        if (s[q] < s[p]) { t = s[p]; s[p] = s[q]; s[q] = t }
      printf "%s%s", key[s[0] "" s[1] "" s[2] "" s[3]], l == 2 && k == 2 && j == 2 ? "\n" : " "
    } }')
mk "$T/kr.h5" T "3 27" "$KR"
bn_ok "Kofidis-Regalia: unshifted power" 2 tensor --input="$T/kr.h5" \
  --method=power --components=1 --init=random --max-iter=300 --json \
  --progress=false --output="$T/kr-p.h5"
check "unshifted power does not converge" grep -q '"converged":false' \
  "$T/last.out"
check "unshifted power: |grad| $(json grad_norm) stays > 1e-2" num_lt 1e-2 \
  "$(json grad_norm)"
for np in 1 3; do
  bn_ok "Kofidis-Regalia: shifted power at $np processes" "$np" tensor \
    --input="$T/kr.h5" --components=1 --init=random --tol=1e-13 --json \
    --progress=false --output="$T/kr-s.h5"
  g=$(json grad_norm)
  check "shifted power converges" grep -q '"converged":true' "$T/last.out"
  check "eigenpair residual |grad|/4 = ${g:-missing}/4 < 1e-8" num_lt \
    "$(awk -v g="${g:-1}" 'BEGIN { print g / 4 }')" 1e-8
done

# A fault (the process killed) at the 12th checkpoint write, then a
# restart from the 11th: the same result as a run never interrupted.
A=(tensor --input="$T/c.h5" --method=rgd --init=random --tol=1e-10
  --progress=false)
bn_ok "checkpoint: uninterrupted run" 2 "${A[@]}" --output="$T/ref.h5"
st=0
BN_FAULT=before-rename:12 bn_run 2 "${A[@]}" --output="$T/f-out.h5" \
  --checkpoint="$T/ck.h5" --checkpoint-every=2 >"$T/last.out" \
  2>"$T/last.err" || st=$?
check "fault kills the job (status $st)" test "$st" != 0 -a "$st" != 124
found=$(h5dump -a /components_found "$T/ck.h5" 2>/dev/null |
  awk '/\(0\)/ { print $2 }')
check "the checkpoint is mid-decomposition (${found:-?} components found)" \
  test "${found:-0}" -ge 1 -a "${found:-0}" -lt 20
bn_ok "checkpoint: restart" 2 "${A[@]}" --restart="$T/ck.h5" \
  --output="$T/cont.h5"
ok=0
for d in /A_hat /lambda_hat /stages/iterations /history/iteration \
  /history/objective /history/component /x; do
  if ! h5diff -q -p 1e-12 "$T/ref.h5" "$T/cont.h5" "$d" "$d" >/dev/null 2>&1; then
    echo "    $d differs"
    ok=1
  fi
done
check "restart continues as the same run (to 1e-12)" test $ok = 0
bn_ok "checkpoint: restart at 3 processes" 3 "${A[@]}" --restart="$T/ck.h5" \
  --output="$T/cont3.h5" --json
mc=$(json min_abs_cos)
check "restart at 3 processes: min |cos| ${mc:-missing} > 0.999" num_lt 0.999 \
  "${mc:-0}"

# SIGTERM once the first checkpoint exists: a checkpoint and status 75 on
# every rank, then --restart gives the uninterrupted run's result.
bn_ok "generate a slower samples instance" 2 generate tensor --form=samples \
  --dim=16 --lambda=3 --samples=400000 --seed=2 --output="$T/big.h5"
B=(tensor --input="$T/big.h5" --method=rgd --init=random --progress=false)
bn_ok "signal: uninterrupted run" 2 "${B[@]}" --output="$T/big-ref.h5"
ck="$T/sig-ck.h5"
bn_interrupt TERM all "$ck" 2 "${B[@]}" --output="$T/big-out.h5" --checkpoint="$ck" \
  --checkpoint-every=1
st=$ST
check "signal: every rank exits with status 75" \
  test "$(cat "$T/ranks/rc.0" 2>/dev/null)" = 75 -a \
  "$(cat "$T/ranks/rc.1" 2>/dev/null)" = 75
check "signal: one 'interrupted' message naming the checkpoint" \
  test "$(grep -c "interrupted by SIGTERM .*checkpoint written" "$T/last.err")" = 1
check "signal: no result written" test ! -e "$T/big-out.h5"
bn_ok "signal: restart" 2 "${B[@]}" --restart="$ck" --output="$T/big-out.h5"
ok=0
for d in /A_hat /lambda_hat /stages/iterations /history/objective; do
  if ! h5diff -q -p 1e-12 "$T/big-ref.h5" "$T/big-out.h5" "$d" "$d" \
    >/dev/null 2>&1; then
    echo "    $d differs"
    ok=1
  fi
done
check "signal: restart continues as the same run (to 1e-12)" test $ok = 0

# Bad inputs and options: one message from rank 0, non-zero status on
# every rank, no hang.
bn_ok "generate n=6, K=4" 1 generate tensor --dim=6 --components=4 \
  --output="$T/c6.h5"
bn_ok "generate n=6, K=5" 1 generate tensor --dim=6 --components=5 \
  --output="$T/c65.h5"
bn_ok "generate n=8 samples" 1 generate tensor --form=samples --dim=8 \
  --samples=100 --output="$T/s8.h5"
h5copy -i "$T/c6.h5" -o "$T/lam.h5" -s /A -d /A
h5copy -i "$T/c65.h5" -o "$T/lam.h5" -s /lambda -d /lambda
expect_fail_rc 1 "/lambda and /A disagree" 2 \
  "/lambda has 5 entries but /A has 4 columns" tensor --input="$T/lam.h5"
cp "$T/c6.h5" "$T/nan.h5"
"$SETNAN" "$T/nan.h5" /lambda 2
expect_fail_rc 1 "NaN in /lambda" 3 "/lambda\[2\] is NaN" tensor \
  --input="$T/nan.h5"
mk "$T/znan.h5" Z "3 2" "1 2
nan 4
5 6"
expect_fail_rc 1 "NaN in /Z" 3 "/Z row 1 holds a NaN" tensor \
  --input="$T/znan.h5"
h5copy -i "$T/s8.h5" -o "$T/tr8.h5" -s /A_true -d /A_true
h5copy -i "$T/c6.h5" -o "$T/tr8.h5" -s /A -d /A
h5copy -i "$T/c6.h5" -o "$T/tr8.h5" -s /lambda -d /lambda
expect_fail_rc 1 "n of /A_true differs" 2 \
  "/A_true has 8 rows but the tensor has dimension n = 6" tensor \
  --input="$T/tr8.h5"
mk "$T/nonorth.h5" A "3 2" "1 1
0 1
0 0"
mk "$T/nonorth.h5" lambda "2" "1 1"
expect_fail_rc 1 "/A not orthonormal" 2 "columns of /A must be orthonormal" \
  tensor --input="$T/nonorth.h5"
bn_ok "non-orthonormal /A with --check-orthonormal=false" 2 tensor \
  --input="$T/nonorth.h5" --check-orthonormal=false --output="$T/no.h5"
mk "$T/nonsym.h5" T "3 27" "$(echo "$KR" | awk 'NR == 1 { $2 = 0.5 } 1')"
expect_fail_rc 1 "non-symmetric explicit T" 3 \
  "/T is not symmetric: T\[0,0,0,1\] = 0.5 but T\[0,0,1,0\]" tensor \
  --input="$T/nonsym.h5"
mk "$T/t4.h5" T "3 3 3 3" "$KR"
expect_fail_rc 1 "4-D /T" 2 "store its n x n\^3 unfolding" tensor \
  --input="$T/t4.h5"
mk "$T/t27.h5" T "3 9" "$(echo "$KR" | cut -d' ' -f1-9)"
expect_fail_rc 1 "/T of the wrong width" 2 "n\^3 = 27 columns" tensor \
  --input="$T/t27.h5"
cp "$T/c6.h5" "$T/two.h5"
h5copy -i "$T/s8.h5" -o "$T/two.h5" -s /Z -d /Z
expect_fail_rc 1 "both /A and /Z" 2 "input form is ambiguous" tensor \
  --input="$T/two.h5"
# Weights of the wrong sign are not found (issue 20, class 8): the solves
# end orthogonal to every component with mu ~ 1e-16, which is no
# component; all negative is an error with no result, mixed signs keep
# the positive ones, write them and say how many were missing.
h5copy -i "$T/c6.h5" -o "$T/neg.h5" -s /A -d /A
mk "$T/neg.h5" lambda "4" "-1 -2 -1.5 -1"
for np in 1 2 3; do
  expect_fail_rc 1 "all weights negative (np=$np)" $np \
    "no component with a positive weight: the first solve ended at" \
    tensor --input="$T/neg.h5" --output="$T/neg-out.h5"
  if [ -e "$T/neg-out.h5" ]; then fail "all negative: a result was written"; fi
done
h5copy -i "$T/c6.h5" -o "$T/mix.h5" -s /A -d /A
mk "$T/mix.h5" lambda "4" "2 -1 1 -3"
expect_fail_rc 1 "mixed signs" 2 "only 2 of 4 components have a positive weight" \
  tensor --input="$T/mix.h5" --output="$T/mix-out.h5"
got=$(h5dump -H -d /lambda_hat "$T/mix-out.h5" 2>/dev/null |
  grep -c "SIMPLE { ( 2 ) /")
if [ "$got" = 1 ]; then pass "mixed signs: the 2 positive written"; else
  fail "mixed signs: /lambda_hat does not hold 2 weights"; fi
bn_ok "mixed signs, --components=2" 2 tensor --input="$T/mix.h5" \
  --components=2 --output="$T/mix2.h5"
mk "$T/none.h5" lambda "2" "1 1"
expect_fail_rc 1 "no tensor datasets" 2 "not a tensor input" tensor \
  --input="$T/none.h5"
expect_fail_rc 2 "components > n" 2 "--components=21 is larger than the dimension n = 20" \
  tensor --input="$T/c.h5" --components=21
expect_fail_rc 2 "gd with the power method" 2 "--solver=gd does not apply" \
  tensor --input="$T/c.h5" --method=power --solver=gd
expect_fail_rc 2 "als with rgd" 2 "--solver=als: --method=rgd" tensor \
  --input="$T/c.h5" --method=rgd --solver=als
expect_fail_rc 2 "--rel-tol without a truth" 2 "--rel-tol needs a ground truth" \
  tensor --input="$T/kr.h5" --rel-tol=1e-3
expect_fail_rc 2 "--init-file" 2 "--init-file" tensor --input="$T/c.h5" \
  --init-file="$T/ref.h5"
expect_fail_rc 2 "generate: wrong number of weights" 2 "--lambda has 3 values" \
  generate tensor --dim=6 --components=4 --lambda=1,2,3 --output="$T/x.h5"
expect_fail_rc 2 "generate: negative weight" 2 "must be positive" generate \
  tensor --dim=4 --lambda=1,-1,1,1 --output="$T/x.h5"
expect_fail_rc 2 "generate: components > dim" 2 "--components=9 must be in" \
  generate tensor --dim=8 --components=9 --output="$T/x.h5"
expect_fail_rc 2 "generate: explicit too large" 2 "limited to dim <= 256" \
  generate tensor --form=explicit --dim=300 --output="$T/x.h5"
bn_summary
