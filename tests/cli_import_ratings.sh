#!/usr/bin/env bash
# Text ratings as people have them (issue 17, item 1): MovieLens
# ratings.csv (header, commas), u.data (tabs, no header), ratings.dat
# ('::'), a semicolon file, a blank-separated one and a Netflix-style
# 'movie,user,rating,date' file with a header all import with no option
# but --input/--output (--format=auto) into the same /omega and /map, at
# 1, 2 and 3 processes, and the log says what was detected; a header read
# with --header=true on a data line is reported in the log.
. "$(dirname "$0")/lib.sh"

awk 'BEGIN {
  for (i = 0; i < 40; i++) for (j = 0; j < 30; j++) {
    if ((i * 7 + j * 3) % 5 >= 2) continue
    printf "%d %d %.1f %d\n", 100 + 13 * i, 7 + 5 * j, 1 + (i * j) % 9 / 2, 881250949 + i
  }
}' >"$T/raw"
{ echo "userId,movieId,rating,timestamp"; awk '{ print $1 "," $2 "," $3 "," $4 }' "$T/raw"; } >"$T/ratings.csv"
awk '{ print $1 "\t" $2 "\t" $3 "\t" $4 }' "$T/raw" >"$T/u.data"
awk '{ print $1 "::" $2 "::" $3 "::" $4 }' "$T/raw" >"$T/ratings.dat"
awk '{ print $1 ";" $2 ";" $3 }' "$T/raw" >"$T/semi.txt"
cp "$T/raw" "$T/blanks.txt"
{ echo "movie,user,rating,date"; awk '{ print $2 "," $1 "," $3 ",2005-09-06" }' "$T/raw"; } >"$T/netflix.csv"

declare -A want=([ratings.csv]="','-separated \(detected\), a header line; columns user 1, item 2, value 3"
  [u.data]="tab-separated \(detected\), no header"
  [ratings.dat]="'::'-separated \(detected\), no header"
  [semi.txt]="';'-separated \(detected\), no header"
  [blanks.txt]="blanks-separated \(detected\), no header"
  [netflix.csv]="a header line; columns user 2, item 1, value 3")
for f in ratings.csv u.data ratings.dat semi.txt blanks.txt netflix.csv; do
  for np in 1 3; do
    bn_ok "$f at $np" "$np" import --input="$T/$f" --output="$T/$f-$np.h5"
    check "$f at $np: the format and layout logged" grep -Eq \
      "${want[$f]}" "$T/last.out"
  done
  check "$f: the same file at 1 and 3 processes" h5diff -q "$T/$f-1.h5" \
    "$T/$f-3.h5" /omega
  for o in /omega/row /omega/col /omega/val /map/row_ids /map/col_ids; do
    check "$f: $o as from ratings.csv" h5diff -q "$T/ratings.csv-1.h5" \
      "$T/$f-1.h5" "$o" "$o"
  done
done
check "the format was detected" grep -q "format: csv (detected" "$T/last.out"
n=$(h5dump -H -d /omega/val "$T/ratings.csv-1.h5" | sed -n 's/.*( \([0-9]*\) ).*/\1/p' | head -1)
check "every line an entry ($n = $(wc -l <"$T/raw"))" test "$n" = "$(wc -l <"$T/raw")"
bn_ok "--header=true on a file without one" 2 import --header=true \
  --input="$T/u.data" --output="$T/h.h5"
check "... is reported" grep -q "skipped (--header=true) though it looks like data" \
  "$T/last.out"
check "... and one entry fewer" test \
  "$(h5dump -H -d /omega/val "$T/h.h5" | sed -n 's/.*( \([0-9]*\) ).*/\1/p' | head -1)" = "$((n - 1))"

bn_summary
