#!/usr/bin/env bash
# From a ratings file to recommendations (issue 17, items 4-6): import a
# CSV with arbitrary ids, split per user, fit with biases, then
#  - predict: the pairs of the held-out set give the solver's own test
#    RMSE (--clip=off); the same file at 1, 2 and 3 processes; a
#    tab-separated pairs file with a header and unknown ids under each
#    cold-start policy; the model still works once its input is gone;
#  - recommend: the same lists at 1, 2 and 3 processes, CSV and HDF5
#    agreeing; with every rated item excluded no list holds one; the
#    ranking metrics against the held-out set; --users;
#  - bad inputs: one message, non-zero on every rank, nothing written.
. "$(dirname "$0")/lib.sh"

# ratings: 120 users x 80 items, rank 2 plus biases, about 35% observed,
# user ids 1000 + 7 i, item ids 50 + 3 j, a header and a timestamp column.
awk 'BEGIN {
  print "userId,movieId,rating,timestamp"
  for (i = 0; i < 120; i++) for (j = 0; j < 80; j++) {
    if ((i * 7 + j * 3 + int(i / 5)) % 20 >= 7) continue
    m = 3 + 0.3 * sin(i) + 0.2 * cos(2 * j)
    m += sin(1.3 * i + 0.1) * cos(0.9 * j + 0.3) + sin(0.7 * i) * cos(1.7 * j)
    printf "%d,%d,%.6f,978300760\n", 1000 + 7 * i, 50 + 3 * j, m
  }
}' >"$T/r.csv"
bn_ok "import the CSV" 2 import --format=csv --input="$T/r.csv" \
  --output="$T/r.h5"
bn_ok "split 20% of every user's ratings" 2 split --input="$T/r.h5" \
  --output="$T/s.h5" --per-row --test-fraction=0.2 --seed=3
bn_ok "fit rank 2 with biases" 2 complete --input="$T/s.h5" --rank=2 \
  --bias=true --solver=als --ftol=1e-12 --max-iter=200 --json \
  --progress=off --output="$T/m.h5"
trmse=$(json_field test_rmse "$T/last.out")
check "the fit generalizes (test RMSE ${trmse:-missing} < 0.05)" \
  num_lt "${trmse:-1}" 0.05

for np in 1 2 3; do
  bn_ok "predict the held-out set at $np" "$np" predict --model="$T/m.h5" \
    --pairs="$T/s.h5" --output="$T/p$np.csv" --clip=off --json
  rmse=$(json_field rmse "$T/last.out")
  check "$np: the held-out RMSE ($rmse) is the solver's ($trmse)" awk \
    -v a="$rmse" -v b="$trmse" 'BEGIN { d = a - b; exit !(a != "" && d * d < 1e-18 + 1e-16 * b * b) }'
done
check "the same predictions at 1, 2, 3 processes" sh -c \
  "cmp -s '$T/p1.csv' '$T/p2.csv' && cmp -s '$T/p1.csv' '$T/p3.csv'"
check "predictions are in the original ids" grep -q '^1000,' "$T/p1.csv"
held=$(h5dump -H -d /test/row "$T/s.h5" | sed -n 's/.*( \([0-9]*\) ).*/\1/p' | head -1)
check "one line per held-out entry ($held) and a header" test \
  "$(wc -l <"$T/p1.csv")" = "$((held + 1))"

# a tab-separated file with a header, an unknown user and an unknown item
printf 'user\titem\n1000\t50\n1007\t53\n999999\t50\n1000\t999999\n' \
  >"$T/pairs.tsv"
bn_ok "predict a TSV (cold start: mean)" 3 predict --model="$T/m.h5" \
  --pairs="$T/pairs.tsv" --output="$T/q.csv"
check "tab-separated with a header detected" grep -q \
  "pairs: text, tab-separated, a header line" "$T/last.out"
check "all four lines, the unknown ones finite" sh -c \
  "test \$(grep -c . '$T/q.csv') = 5 && ! grep -qi nan '$T/q.csv'"
bn_ok "cold start: nan" 2 predict --model="$T/m.h5" --pairs="$T/pairs.tsv" \
  --output="$T/qn.csv" --cold-start=nan
check "two NaN predictions" test "$(grep -ci nan "$T/qn.csv")" = 2
bn_ok "cold start: drop" 2 predict --model="$T/m.h5" \
  --pairs="$T/pairs.tsv" --output="$T/qd.h5" --cold-start=drop
check "two pairs kept" sh -c \
  "h5dump -H -d /prediction '$T/qd.h5' | grep -q '( 2 )'"
bn_ok "clip to the training range" 1 predict --model="$T/m.h5" \
  --pairs="$T/s.h5" --output="$T/pc.csv"
lo=$(h5dump -a /value_min "$T/m.h5" | sed -n 's/.*(0): \(.*\)/\1/p')
hi=$(h5dump -a /value_max "$T/m.h5" | sed -n 's/.*(0): \(.*\)/\1/p')
check "clipped predictions inside [$lo, $hi]" awk -F, -v lo="$lo" -v hi="$hi" \
  'NR > 1 && ($3 < lo - 1e-9 || $3 > hi + 1e-9) { bad = 1 } END { exit bad }' \
  "$T/pc.csv"

for np in 1 2 3; do
  bn_ok "recommend top 5 at $np" "$np" recommend --model="$T/m.h5" \
    --top=5 --output="$T/t$np.csv" --json
done
check "the same lists at 1, 2, 3 processes" sh -c \
  "cmp -s '$T/t1.csv' '$T/t2.csv' && cmp -s '$T/t1.csv' '$T/t3.csv'"
check "5 items for each of 120 users" test "$(wc -l <"$T/t1.csv")" = 601
prec=$(json_field precision "$T/last.out")
ndcg=$(json_field ndcg "$T/last.out")
check "ranking metrics against the held-out set (precision@5 $prec, NDCG@5 $ndcg)" \
  awk -v p="$prec" -v n="$ndcg" 'BEGIN { exit !(p > 0 && p <= 1 && n > 0 && n <= 1) }'
# with the split's training entries excluded, the lists avoid /omega:
# every (user, item) of the lists not among the training ratings
bn_ok "recommend with every rating excluded" 2 recommend --model="$T/m.h5" \
  --top=8 --exclude="$T/r.h5" --test=none --output="$T/tx.csv"
check "no list holds an item the user rated" awk -F, \
  'FNR == 1 { next } NR == FNR { seen[$1 "," $2] = 1; next } ($1 "," $3) in seen { bad = 1 } END { exit bad }' \
  "$T/r.csv" "$T/tx.csv"
bn_ok "recommend into HDF5" 3 recommend --model="$T/m.h5" --top=5 \
  --output="$T/t.h5"
h5dump -d /items -y -w 5 -o "$T/items.txt" "$T/t.h5" >/dev/null
check "HDF5 and CSV lists agree" sh -c \
  "tr -s ', ' '\n\n' <'$T/items.txt' | grep . >'$T/i1' && awk -F, 'NR > 1 { print \$3 }' '$T/t1.csv' >'$T/i2' && cmp -s '$T/i1' '$T/i2'"
printf '1000\n1007\n' >"$T/users.txt"
bn_ok "recommend for two users" 2 recommend --model="$T/m.h5" --top=3 \
  --users="$T/users.txt" --output="$T/tu.csv"
check "3 items for each of 2 users" test "$(wc -l <"$T/tu.csv")" = 7
grep -E '^(1000|1007),[123],' "$T/t1.csv" >"$T/tu-full"
tail -n +2 "$T/tu.csv" >"$T/tu-part"
check "... and their lines equal the full run's" cmp -s "$T/tu-full" "$T/tu-part"

# the model carries its maps: it works once its input is gone
mv "$T/s.h5" "$T/s-moved.h5"
bn_ok "recommend without the model's input" 2 recommend --model="$T/m.h5" \
  --top=3 --output="$T/tg.csv"
check "... which excludes nothing then" grep -q "0 seen entries excluded)" \
  "$T/last.out"
bn_ok "predict without the model's input" 2 predict --model="$T/m.h5" \
  --pairs="$T/pairs.tsv" --output="$T/qg.csv"
mv "$T/s-moved.h5" "$T/s.h5"

cp "$T/t1.csv" "$T/keep.csv"
printf '1000,50\n1007,x3\n' >"$T/badpairs.csv"
expect_fail "malformed pairs line" 2 "badpairs.csv:2: item id 'x3'" predict \
  --model="$T/m.h5" --pairs="$T/badpairs.csv" --output="$T/t1.csv"
expect_fail "--top above the number of items" 3 "--top=81: must be in \[1, 80\]" \
  recommend --model="$T/m.h5" --top=81 --output="$T/t1.csv"
expect_fail "an input is not a model" 2 "not the result of benign complete|no dataset '/U'" \
  recommend --model="$T/s.h5" --output="$T/t1.csv"
expect_fail "a missing model" 2 "nope.h5" predict --model="$T/nope.h5" \
  --pairs="$T/pairs.tsv" --output="$T/t1.csv"
printf '1000\n4\n' >"$T/badusers.txt"
expect_fail "an unknown user in --users" 2 "1 id the model does not know \(the first: 4\)" \
  recommend --model="$T/m.h5" --users="$T/badusers.txt" --output="$T/t1.csv"
: >"$T/nousers.txt"
expect_fail "an empty --users file" 2 "--users=.*nousers.txt: no user ids" \
  recommend --model="$T/m.h5" --users="$T/nousers.txt" --output="$T/t1.csv"
expect_fail "--relevant-min not a number" 1 "--relevant-min=high" recommend \
  --model="$T/m.h5" --relevant-min=high --output="$T/t1.csv"
expect_fail_rc 2 "no --pairs" 2 "--pairs is required" predict \
  --model="$T/m.h5" --output="$T/t1.csv"
check "nothing overwritten by the failures" cmp -s "$T/keep.csv" "$T/t1.csv"

bn_summary
