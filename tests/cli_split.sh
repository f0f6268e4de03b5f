#!/usr/bin/env bash
# benign split (issue 17, item 2): every entry of /omega ends in exactly one
# of /omega and /test, both sorted; the same file at 1, 2 and 3 processes;
# by entry about the fraction asked, per row exactly round(f k) of each
# row of k (capped at k - 1); the id maps and the truth come along;
# `complete` reads the result and reports a test RMSE; bad inputs refused
# with one message and nothing written.
. "$(dirname "$0")/lib.sh"

# dump FILE DATASET: the values, one a line.
dump() {
  local tmp
  tmp="$T/dump$(printf '%s' "$1$2" | tr -c 'A-Za-z0-9' _).txt"
  h5dump -d "$2" -o "$tmp" -y -w 20 "$1" >/dev/null &&
    tr -s ', ' '\n\n' <"$tmp" | grep .
}
# same_h5 A B [OBJ OBJ]: h5diff finds no difference and nothing it could
# not compare (h5diff exits 0 on objects of different shapes).
same_h5() {
  local out
  out=$(h5diff "$@" 2>&1) && ! printf '%s\n' "$out" | grep -qi "not comparable"
}
# triples FILE GROUP: "row col val" lines.
triples() {
  paste -d ' ' <(dump "$1" "$2/row") <(dump "$1" "$2/col") <(dump "$1" "$2/val")
}

bn_ok "generate 300 x 200, 20% observed" 2 generate complete --rows=300 \
  --cols=200 --rank=3 --sample-rate=0.2 --seed=2 --output="$T/in.h5"
triples "$T/in.h5" /omega | sort >"$T/all.txt"
total=$(wc -l <"$T/all.txt")
check "the input has entries ($total)" test "$total" -gt 1000

for mode in entry per-row; do
  extra=()
  [ "$mode" = per-row ] && extra=(--per-row=true)
  for np in 1 2 3; do
    bn_ok "$mode at $np" "$np" split --input="$T/in.h5" \
      --output="$T/$mode-$np.h5" --test-fraction=0.2 --seed=5 "${extra[@]}"
  done
  s="$T/$mode-1.h5"
  check "$mode: the same file at 1 and 2 processes" same_h5 "$s" "$T/$mode-2.h5"
  check "$mode: the same file at 1 and 3 processes" same_h5 "$s" "$T/$mode-3.h5"
  triples "$s" /omega >"$T/train.txt"
  triples "$s" /test >"$T/test.txt"
  sort "$T/train.txt" "$T/test.txt" >"$T/union.txt"
  check "$mode: every entry exactly once in /omega or /test" \
    cmp -s "$T/all.txt" "$T/union.txt"
  check "$mode: /omega sorted by (row, col)" sort -c -k1,1n -k2,2n "$T/train.txt"
  check "$mode: /test sorted by (row, col)" sort -c -k1,1n -k2,2n "$T/test.txt"
  ntest=$(wc -l <"$T/test.txt")
  check "$mode: about 20% held out ($ntest of $total)" \
    awk -v t="$ntest" -v n="$total" 'BEGIN { exit !(t > 0.17 * n && t < 0.23 * n) }'
  check "$mode: the truth comes along" same_h5 "$T/in.h5" "$s" /truth/U /truth/U
  check "$mode: rows and cols on /test" \
    sh -c "h5dump -a /test/rows '$s' | grep -q '300'"
done
# Per row: exactly round(0.2 k), at most k - 1, of each row's k entries.
check "per-row: round(0.2 k) of every row, a training entry left" awk '
  FNR == NR { k[$1]++; next } { t[$1]++ }
  END { for (r in k) { w = int(0.2 * k[r] + 0.5); if (w > k[r] - 1) w = k[r] - 1
        if (t[r] + 0 != w) { print "row " r ": " t[r] + 0 " of " k[r]; bad = 1 } }
        exit bad }' "$T/all.txt" <(triples "$T/per-row-1.h5" /test)
bn_ok "another seed" 1 split --input="$T/in.h5" --output="$T/seed6.h5" \
  --test-fraction=0.2 --seed=6
triples "$T/seed6.h5" /test >"$T/test6.txt"
triples "$T/entry-1.h5" /test >"$T/test5.txt"
check "another seed, another split" sh -c "! cmp -s '$T/test5.txt' '$T/test6.txt'"

bn_ok "complete on the split file" 2 complete --input="$T/entry-1.h5" --rank=3 \
  --solver=als --max-iter=30 --json --output="$T/res.h5"
check "complete reports a test RMSE" grep -q '"test_rmse":[0-9]' "$T/last.out"

# Id maps from a CSV import come along.
printf 'user,item,rating\n' >"$T/r.csv"
for u in 101 202 303 404; do
  for i in 7 8 9 10 11; do printf '%s,%s,%s\n' "$u" "$i" $(((u + i) % 5 + 1)); done
done >>"$T/r.csv"
bn_ok "import a CSV" 1 import --format=csv --input="$T/r.csv" --output="$T/r.h5"
bn_ok "split it per row" 2 split --input="$T/r.h5" --output="$T/rs.h5" \
  --per-row=true --test-fraction=0.4
check "/map/row_ids copied" same_h5 "$T/r.h5" "$T/rs.h5" /map/row_ids /map/row_ids
check "/map/col_ids copied" same_h5 "$T/r.h5" "$T/rs.h5" /map/col_ids /map/col_ids
check "2 of each user's 5 ratings held out" \
  test "$(dump "$T/rs.h5" /test/row | wc -l)" = 8
# complete carries the maps into its result (for predictions in the
# users' ids), the same at 1, 2 and 3 processes.
for np in 1 2 3; do
  bn_ok "complete on it at $np" "$np" complete --input="$T/rs.h5" --rank=1 \
    --max-iter=5 --certificate=off --output="$T/rm$np.h5"
  check "result at $np: /map/row_ids" \
    same_h5 "$T/r.h5" "$T/rm$np.h5" /map/row_ids /map/row_ids
  check "result at $np: /map/col_ids" \
    same_h5 "$T/r.h5" "$T/rm$np.h5" /map/col_ids /map/col_ids
done
check "no maps in a result whose input has none" \
  sh -c "h5dump -n '$T/res.h5' | grep -q /U && ! h5dump -n '$T/res.h5' | grep -q /map"
# A map of the wrong length is refused.
cp "$T/in.h5" "$T/badmap.h5"
h5copy -i "$T/r.h5" -o "$T/badmap.h5" -s /map -d /map
expect_fail "complete: /map/row_ids of the wrong length" 2 \
  "row_ids must hold one id for each of the 300 rows" \
  complete --input="$T/badmap.h5" --rank=3 --output="$T/x.h5"

# Bad inputs: one message, every rank non-zero, nothing written.
cp "$T/entry-1.h5" "$T/keep.h5"
expect_fail_rc 2 "--test-fraction=0" 2 "test-fraction=0: must be in \(0, 1\)" \
  split --input="$T/in.h5" --output="$T/x.h5" --test-fraction=0
expect_fail_rc 2 "--test-fraction=1" 3 "must be in \(0, 1\)" \
  split --input="$T/in.h5" --output="$T/x.h5" --test-fraction=1
expect_fail "an input that already has /test" 2 "already has held-out entries" \
  split --input="$T/entry-1.h5" --output="$T/x.h5"
mkdir -p "$T/sub"
expect_fail "output = input" 2 "same file" \
  split --input="$T/in.h5" --output="$T/sub/../in.h5"
expect_fail "a missing input" 1 "nope.h5" \
  split --input="$T/nope.h5" --output="$T/x.h5"
expect_fail_rc 2 "no --output" 1 "--output is required" \
  split --input="$T/in.h5"
check "nothing written by a refused split" test ! -e "$T/x.h5"
check "an earlier file untouched" cmp -s "$T/entry-1.h5" "$T/keep.h5"
bn_summary
