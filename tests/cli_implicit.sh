#!/usr/bin/env bash
# Implicit feedback (issue 17, item 7): `generate complete --implicit`
# writes interaction counts where the true preference score is high;
# `complete --loss=implicit` (confidence-weighted ALS over every entry)
# gives the same factors at 1, 2 and 3 processes up to rounding, and its
# top-10 lists find the held-out interactions far more often than the
# random start's; refusals.
. "$(dirname "$0")/lib.sh"

bn_ok "generate implicit feedback" 2 generate complete --implicit \
  --rows=400 --cols=300 --rank=4 --sample-rate=0.9 --test-fraction=0.2 \
  --seed=5 --output="$T/in.h5"
h5dump -d /omega/val -y -w 1 -o "$T/vals.txt" "$T/in.h5" >/dev/null
check "the values are counts 1 to 5" awk -F, \
  '{ for (i = 1; i <= NF; i++) if ($i != "" && ($i < 1 || $i > 5 || $i != int($i))) bad = 1 } END { exit bad }' \
  "$T/vals.txt"
FIT=(complete --input="$T/in.h5" --loss=implicit --alpha=10 --rank=4
  --lambda=1 --solver=als --max-iter=15 --ftol=0 --tol=0 --progress=off)
for np in 1 2 3; do
  bn_ok "implicit ALS at $np" "$np" "${FIT[@]}" --output="$T/m$np.h5"
done
check "LOSS=implicit in the header" grep -q "^LOSS=implicit" "$T/last.out"
for np in 2 3; do
  check "$np processes: the same factors up to rounding" sh -c \
    "h5diff -q -d 1e-8 '$T/m1.h5' '$T/m$np.h5' /U /U && h5diff -q -d 1e-8 '$T/m1.h5' '$T/m$np.h5' /V /V"
done
bn_ok "recommend from the fit" 2 recommend --model="$T/m1.h5" --top=10 \
  --output="$T/t.csv" --json
p_fit=$(json_field precision "$T/last.out")
bn_ok "the random start" 1 "${FIT[@]}" --max-iter=0 --output="$T/m0.h5"
bn_ok "recommend from the random start" 2 recommend --model="$T/m0.h5" \
  --top=10 --output="$T/t0.csv" --json
p_0=$(json_field precision "$T/last.out")
check "precision@10 of the fit ($p_fit) > 5 x the random start's ($p_0)" \
  awk -v a="$p_fit" -v b="$p_0" 'BEGIN { exit !(a != "" && b != "" && a > 5 * b && a > 0.2) }'

expect_fail_rc 2 "--loss=implicit with --bias" 2 "does not take --bias=true" \
  "${FIT[@]}" --bias=true --output="$T/bad.h5"
expect_fail_rc 2 "a negative --alpha" 1 "--alpha=-2: must be >= 0" \
  "${FIT[@]}" --alpha=-2 --output="$T/bad.h5"
bn_summary
