#!/usr/bin/env bash
# complete --solver=cg (nonlinear conjugate gradient in the scaled metric):
#  - recovers an exact, 3x oversampled instance to relative error 1e-8 at
#    1, 2 and 3 processes, in the same number of iterations (to within 2:
#    the iterates agree up to rounding);
#  - a checkpoint at 20, the run stopped at 27 by its iteration limit, then
#    continued: the same run (history and factors) as one never stopped;
#  - the result and the JSON name the solver; a misspelt solver is refused
#    with the list of solvers, on every rank;
#  - --precision=mixed (ghost rows stored in single precision until the
#    relative residual is below 3e-7): reaches 1e-8 at 1, 2 and 3 processes in at
#    most 20% more iterations than double; a restart from a checkpoint taken
#    before the switch to double and one taken after it continue as the
#    uninterrupted run (the switch is the result's attribute mixed_double);
#    a damaged switch attribute and a misspelt precision are refused;
#  - --tile-cache=1K (the pass in column tiles) is the same run as no
#    tiles; a size it cannot read is refused.
. "$(dirname "$0")/lib.sh"

bn_ok "generate an exact instance" 2 generate complete --output="$T/in.h5" \
  --rows=400 --cols=300 --rank=4 --sample-rate=0.07 --seed=3
A=(complete --input="$T/in.h5" --rank=4 --solver=cg --tol=0 --rel-tol=1e-8
  --max-iter=1500 --progress=false --certificate=off --json)

json() { json_field "$1" "$T/last.out"; }

its=""
for np in 1 2 3; do
  bn_ok "np=$np: cg run" "$np" "${A[@]}" --output="$T/cg$np.h5"
  check "np=$np: converged by the relative error ($(json reason))" \
    grep -q '"reason":"converged: relative error' "$T/last.out"
  check "np=$np: the JSON names the solver" grep -q '"solver":"cg"' "$T/last.out"
  n=$(json iterations)
  [ -z "$its" ] && its=$n
  check "np=$np: $n iterations (1 process: $its)" \
    test "$n" -ge $((its - 2)) -a "$n" -le $((its + 2))
done

# same_run REF OUT NAME: the two results are the same run.
same_run() {
  local ref=$1 out=$2 name=$3 d ok=0
  for d in /history/iteration /history/objective /history/grad_norm \
    /history/step /history/rel_error /U /V; do
    if ! h5diff -q -p 1e-12 "$ref" "$out" "$d" "$d" >/dev/null 2>&1; then
      echo "    $d differs:"
      h5diff -p 1e-12 "$ref" "$out" "$d" "$d" 2>&1 | head -5 | sed 's/^/    | /'
      ok=1
    fi
  done
  check "$name: same history and factors as the uninterrupted run" test $ok = 0
}

B=("${A[@]}" --rel-tol=0 --max-iter=60)
bn_ok "uninterrupted run of 60" 2 "${B[@]}" --output="$T/ref.h5"
bn_ok "stop at 27 with a checkpoint at 20" 2 "${B[@]}" --max-iter=27 \
  --checkpoint="$T/ck.h5" --checkpoint-every=20 --output="$T/27.h5"
bn_ok "continue from 20" 2 "${B[@]}" --restart="$T/ck.h5" \
  --output="$T/out.h5"
same_run "$T/ref.h5" "$T/out.h5" "cg restart"

for np in 1 2 3; do
  bn_ok "np=$np: cg run, --precision=mixed" "$np" "${A[@]}" --precision=mixed \
    --output="$T/mx$np.h5"
  check "np=$np mixed: converged by the relative error ($(json reason))" \
    grep -q '"reason":"converged: relative error' "$T/last.out"
  n=$(json iterations)
  # Float rounding moves the path (90-95 iterations measured against
  # double's 87); a broken switch or pass stalls or takes far more.
  check "np=$np mixed: $n iterations, at most 20% over double's $its" \
    test "$n" -le $((its + its / 5))
  check "np=$np mixed: the result says it switched to double" \
    sh -c "h5dump -a /mixed_double '$T/mx$np.h5' | grep -q '(0): 1'"
done

M=("${A[@]}" --rel-tol=0 --max-iter=80 --precision=mixed)
bn_ok "mixed: uninterrupted run of 80" 2 "${M[@]}" --output="$T/mref.h5"
# mixed_restart AT FLAG WORDS: stop 2 iterations after a checkpoint at AT,
# whose attribute mixed_double must be FLAG, and continue from it: the
# same run as the uninterrupted one.
mixed_restart() {
  local at=$1 flag=$2 words=$3
  bn_ok "mixed: stop at $((at + 2)) with a checkpoint at $at" 2 "${M[@]}" \
    --max-iter=$((at + 2)) --checkpoint="$T/mck$at.h5" \
    --checkpoint-every="$at" --output="$T/m$at.h5"
  check "mixed: in $words precision at $at" \
    sh -c "h5dump -a /mixed_double '$T/mck$at.h5' | grep -q '(0): $flag'"
  bn_ok "mixed: continue from $at" 2 "${M[@]}" --restart="$T/mck$at.h5" \
    --output="$T/mout$at.h5"
  same_run "$T/mref.h5" "$T/mout$at.h5" "mixed restart at $at ($words)"
}
mixed_restart 45 0 single
mixed_restart 75 1 double  # (the switch comes between 65 and 70)
"${BN_BUILD_DIR:?}/tests/tool_setattr" "$T/mck75.h5" / mixed_double i64:7
expect_fail_rc 1 "a damaged switch attribute" 2 \
  "attribute mixed_double is 7, must be 0 or 1" "${M[@]}" \
  --restart="$T/mck75.h5" --output="$T/mbad.h5"
expect_fail_rc 2 "a misspelt precision" 2 \
  "option --precision: 'single' is not one of double\|mixed" \
  "${A[@]}" --precision=single --output="$T/x.h5"

# --tile-cache: the same run tiled and untiled (the pass is bitwise the
# same: mpi_complete_bias checks f and g); a size it cannot read.
bn_ok "mixed, 40 iterations, tiles of 1 KB" 2 "${M[@]}" --max-iter=40 \
  --tile-cache=1K --output="$T/t1k.h5"
bn_ok "mixed, 40 iterations, no tiles" 2 "${M[@]}" --max-iter=40 \
  --tile-cache=0 --output="$T/t0.h5"
same_run "$T/t0.h5" "$T/t1k.h5" "tiles of 1 KB"
expect_fail_rc 2 "a size --tile-cache cannot read" 2 \
  "--tile-cache=8X: expected auto, 0 or a size in bytes" \
  "${A[@]}" --tile-cache=8X --output="$T/x.h5"

expect_fail_rc 2 "a misspelt solver" 2 \
  "option --solver: 'CG' is not one of gd\|agd\|als\|aals\|cg" \
  "${A[@]}" --solver=CG --output="$T/x.h5"

bn_summary
