#!/usr/bin/env bash
# benign dict --method=overcomplete: m = 20, n = 40 atoms (a unit-norm
# tight frame), theta = 0.1, p = 20000 samples, at 1 and 3 processes: at
# least 95% of the atoms matched (|cos| > 0.99) after the l4 solves from
# random starts and the MOD refinement; every atom the l4 solves kept is
# within |cos| > 0.9 of a true one (before refinement); the same /A at
# both process counts (1e-6); a run with --atoms and no /A_true in the
# input.
. "$(dirname "$0")/lib.sh"

json() { json_field "$1" "$T/last.out"; }

bn_ok "generate m=20, n=40 (UNTF), theta=0.1, p=20000" 2 generate dict \
  --dim=20 --atoms=40 --theta=0.1 --samples=20000 --seed=3 \
  --output="$T/ov.h5"
for np in 1 3; do
  bn_ok "overcomplete at $np processes" "$np" dict --input="$T/ov.h5" \
    --method=overcomplete --init=random --json --progress=false \
    --output="$T/ov-$np.h5"
  mf=$(json matched_fraction)
  check "$np: matched fraction ${mf:-missing} >= 0.95" \
    awk -v f="${mf:-0}" 'BEGIN { exit !(f >= 0.95) }'
  check "$np: 40 atoms in /A" test "$(json found)" = 40
  check "$np: refinement logged" grep -q "refinement: .* MOD rounds" \
    "$T/last.err"
done
check "/A at 3 processes equals 1 process" h5diff -q -d 1e-6 \
  "$T/ov-1.h5" "$T/ov-3.h5" /A /A
bn_ok "l4 solves alone (--refine=0)" 2 dict --input="$T/ov.h5" \
  --method=overcomplete --refine=0 --codes=none --json --progress=false \
  --output="$T/raw.h5"
ac=$(json atom_abs_cos_min)
check "every atom kept is near a true one (min |cos| ${ac:-missing} > 0.9)" \
  num_lt 0.9 "${ac:-0}"
check "some atoms found without refinement ($(json found))" \
  test "$(json found)" -ge 30
h5copy -i "$T/ov.h5" -o "$T/nt.h5" -s /Y -d /Y
bn_ok "no truth, --atoms=40" 2 dict --input="$T/nt.h5" \
  --method=overcomplete --atoms=40 --trials=40 --refine=2 --codes=none \
  --json --progress=false --output="$T/nt-out.h5"
check "no truth: no matched fraction in the JSON" \
  grep -q '"matched_fraction":null' "$T/last.out"
bn_summary
