#!/usr/bin/env bash
# benign dict --method=synthesis and synthesis-orth through the program:
# a Gaussian dictionary m = n = 16 (theta = 0.15, p = 3000) learned at 1
# and 3 processes with >= 90% of the atoms matched, the same /A at both
# (1e-8), /history/objective never rising, /A (16 x 16) and sparse codes
# /X written, the synthesis objective in the JSON and the file; the online
# variant (--batch-size) runs and reports its objective; synthesis-orth
# recovers an orthogonal dictionary; --atoms-png draws the atoms; bad
# options are refused (one message, non-zero status everywhere).
. "$(dirname "$0")/lib.sh"

json() { json_field "$1" "$T/last.out"; }

bn_ok "generate gaussian m=n=16, theta=0.15, p=3000" 2 generate dict \
  --dim=16 --dictionary=gaussian --theta=0.15 --samples=3000 --seed=2 \
  --output="$T/g.h5"
for np in 1 3; do
  bn_ok "synthesis at $np processes" "$np" dict --input="$T/g.h5" \
    --method=synthesis --lambda=0.1 --max-iter=60 --json --progress=false \
    --output="$T/s-$np.h5"
  mf=$(json matched_fraction)
  check "$np: matched fraction ${mf:-missing} >= 0.9" \
    awk -v f="${mf:-0}" 'BEGIN { exit !(f >= 0.9) }'
  so=$(json synthesis_objective)
  check "$np: synthesis objective ${so:-missing} reported" \
    awk -v f="${so:-x}" 'BEGIN { exit !(f + 0 > 0 && f + 0 < 0.3) }'
  check "$np: final codes logged" grep -q "final codes: a converged lasso" \
    "$T/last.err"
done
check "/A at 3 processes equals 1 process" h5diff -q -d 1e-8 \
  "$T/s-1.h5" "$T/s-3.h5" /A /A
check "/A is 16 x 16" sh -c "h5dump -H -d /A '$T/s-1.h5' | grep -q '( 16, 16 )'"
check "sparse codes /X/val written" sh -c "h5dump -H -d /X/val '$T/s-1.h5' \
  >/dev/null"
check "synthesis_objective attribute" sh -c "h5dump -a /synthesis_objective \
  '$T/s-1.h5' >/dev/null"
h5dump -d /history/objective -y -w 1 "$T/s-1.h5" |
  awk '/^ *[0-9.e+-]+,?$/ { gsub(",", ""); print }' >"$T/hist.txt"
check "history: $(wc -l <"$T/hist.txt") iterates, never rising" awk '
  NR > 1 && $1 > prev * (1 + 1e-13) { bad = 1 } { prev = $1; n++ }
  END { exit !(n > 10 && !bad) }' "$T/hist.txt"

bn_ok "online, mini-batches of 200" 2 dict --input="$T/g.h5" \
  --method=synthesis --batch-size=200 --max-iter=5 --codes=none --json \
  --progress=false --output="$T/on.h5"
so=$(json synthesis_objective)
check "online: synthesis objective ${so:-missing} below 0.3" \
  awk -v f="${so:-x}" 'BEGIN { exit !(f + 0 > 0 && f + 0 < 0.3) }'
check "online: BATCH_SIZE in the header" grep -q "BATCH_SIZE=200" \
  "$T/last.err"

bn_ok "generate orthogonal m=12, theta=0.2" 1 generate dict --dim=12 \
  --theta=0.2 --samples=2000 --seed=5 --output="$T/o.h5"
bn_ok "synthesis-orth" 2 dict --input="$T/o.h5" --method=synthesis-orth \
  --max-iter=40 --json --progress=false --atoms-png="$T/atoms.png" \
  --output="$T/o-out.h5"
mf=$(json matched_fraction)
check "synthesis-orth: matched fraction ${mf:-missing} = 1" \
  awk -v f="${mf:-0}" 'BEGIN { exit !(f == 1) }'
check "atoms mosaic written" test -s "$T/atoms.png"

# Bad options: one message from rank 0, non-zero status on every rank.
h5copy -i "$T/g.h5" -o "$T/nt.h5" -s /Y -d /Y
S=(dict --input="$T/g.h5" --method=synthesis --output="$T/bad.h5")
expect_fail_rc 2 "lambda = 0" 2 "--lambda=0: the weight of \|X\|_1 must be \
positive" "${S[@]}" --lambda=0
expect_fail_rc 2 "negative lambda" 3 "must be positive" "${S[@]}" \
  --lambda=-0.5
expect_fail_rc 2 "batch larger than p" 2 "larger than the 3000 samples" \
  "${S[@]}" --batch-size=3001
expect_fail_rc 2 "negative atoms" 2 "--atoms=-2" "${S[@]}" --atoms=-2
expect_fail_rc 2 "no atom count, no truth" 2 "give the number of atoms" \
  dict --input="$T/nt.h5" --method=synthesis --output="$T/bad.h5"
expect_fail_rc 2 "gd solver" 2 "solver als only" "${S[@]}" --solver=gd
expect_fail_rc 2 "orth with n != m" 2 "orthogonal dictionary of m = 16" \
  dict --input="$T/g.h5" --method=synthesis-orth --atoms=20 \
  --output="$T/bad.h5"
check "no result left by the refused runs" test ! -e "$T/bad.h5"
bn_summary
