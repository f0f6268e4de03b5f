#!/usr/bin/env bash
# Text ratings as people have them (issue 17, item 1): MovieLens
# ratings.csv (header, commas), u.data (tabs, no header), ratings.dat
# ('::'), a semicolon file, a blank-separated one, CRLF line ends, a
# UTF-8 byte order mark (with and without a header) and a Netflix-style
# 'movie,user,rating,date' file with a header all import with no option
# but --input/--output (--format=auto) into the same /omega and /map, at
# 1, 2 and 3 processes (on several, every process reads a byte range), and
# the log says what was detected; a header read
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
sed 's/$/\r/' "$T/ratings.csv" >"$T/crlf.csv"                        # CRLF
printf '\357\273\277' | cat - "$T/ratings.csv" >"$T/bom.csv"        # BOM, header
printf '\357\273\277' | cat - "$T/u.data" >"$T/bom.data"            # BOM, tabs

declare -A want=([ratings.csv]="','-separated \(detected\), a header line; columns user 1, item 2, value 3"
  [u.data]="tab-separated \(detected\), no header"
  [ratings.dat]="'::'-separated \(detected\), no header"
  [semi.txt]="';'-separated \(detected\), no header"
  [blanks.txt]="blanks-separated \(detected\), no header"
  [netflix.csv]="a header line; columns user 2, item 1, value 3"
  [crlf.csv]="','-separated \(detected\), a header line"
  [bom.csv]="','-separated \(detected\), a header line"
  [bom.data]="tab-separated \(detected\), no header")
for f in ratings.csv u.data ratings.dat semi.txt blanks.txt netflix.csv \
  crlf.csv bom.csv bom.data; do
  for np in 1 2 3; do
    bn_ok "$f at $np" "$np" import --input="$T/$f" --output="$T/$f-$np.h5"
    check "$f at $np: the format and layout logged" grep -Eq \
      "${want[$f]}" "$T/last.out"
  done
  for np in 2 3; do
    check "$f: the same /omega at 1 and $np processes" h5diff -q \
      "$T/$f-1.h5" "$T/$f-$np.h5" /omega /omega
    check "$f: the same /map at 1 and $np processes" h5diff -q \
      "$T/$f-1.h5" "$T/$f-$np.h5" /map /map
  done
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

# --timestamp keeps the fourth column (or the header's time/date column)
for np in 1 3; do
  bn_ok "u.data --timestamp at $np" "$np" import --timestamp=true \
    --input="$T/u.data" --output="$T/ts-$np.h5"
  check "timestamp kept is logged at $np" grep -q "timestamp kept" \
    "$T/last.out"
done
check "/omega/time the same at 1 and 3 processes" h5diff -q "$T/ts-1.h5" \
  "$T/ts-3.h5" /omega/time /omega/time
h5dump -m '%.0f' -d /omega/time -y -w 1 -o "$T/times.txt" "$T/ts-1.h5" >/dev/null
check "/omega/time holds the file's timestamps" sh -c \
  "tr -d ' ,' <'$T/times.txt' | grep . | sort -n >'$T/t1'; awk '{ print \$4 }' '$T/raw' | sort -n >'$T/t2'; cmp -s '$T/t1' '$T/t2'"
bn_ok "ratings.csv --timestamp (the header's column)" 2 import \
  --timestamp=true --input="$T/ratings.csv" --output="$T/ts-csv.h5"
check "... the same times" h5diff -q "$T/ts-1.h5" "$T/ts-csv.h5" \
  /omega/time /omega/time
bn_ok "split a file with timestamps" 2 split --input="$T/ts-1.h5" \
  --output="$T/ts-split.h5"
check "... says the timestamps are not carried" grep -q \
  "timestamps (/omega/time) are not carried" "$T/last.out"
expect_fail "--timestamp on a file without a numeric fourth column" 2 \
  "semi.txt:1: expected 'user item rating' \(';'-separated\), found 3 fields" \
  import --timestamp=true --input="$T/semi.txt" --output="$T/ts-bad.h5"

# duplicates and bad lines: the same verdict and file on 1 and 3 processes
# (on several processes every process reads a byte range; the entries meet
# at their rows' owners)
awk 'NR % 7 == 0 { printf "%s,%s,%s\n", $1, $2, $3 + 1 } { printf "%s,%s,%s\n", $1, $2, $3 }' \
  "$T/raw" | sort -t, -k2,2n -k1,1n >"$T/dups.csv"
for policy in first last sum; do
  for np in 1 3; do
    bn_ok "duplicates=$policy at $np" "$np" import --duplicates=$policy \
      --input="$T/dups.csv" --output="$T/d-$policy-$np.h5"
  done
  check "duplicates=$policy: the same file at 1 and 3 processes" h5diff -q \
    "$T/d-$policy-1.h5" "$T/d-$policy-3.h5" /omega /omega
done
for np in 1 3; do
  expect_fail "duplicates=error at $np" "$np" "dups\.csv:[0-9]+: duplicate entry" \
    import --input="$T/dups.csv" --output="$T/derr.h5"
  grep '^benign: error' "$T/last.err" >"$T/derr-$np.txt"
done
check "the same duplicates message at 1 and 3 processes" cmp -s \
  "$T/derr-1.txt" "$T/derr-3.txt"
awk 'NR % 50 == 0 { print "x" $0; next } { print }' "$T/ratings.csv" >"$T/bad.csv"
for np in 1 3; do
  expect_fail "bad lines at $np" "$np" "bad\.csv:[0-9]+: user id 'x" \
    import --input="$T/bad.csv" --output="$T/bad.h5"
  grep '^benign: error' "$T/last.err" >"$T/bad-$np.txt"
done
check "the same bad-line message at 1 and 3 processes" cmp -s \
  "$T/bad-1.txt" "$T/bad-3.txt"

bn_summary
