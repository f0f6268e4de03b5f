#!/usr/bin/env bash
# More bad inputs (beside cli_bad_input.sh): damaged or mistyped HDF5
# inputs, duplicate entries and --duplicates, an empty Omega, more processes
# than rows, MatrixMarket and CSV text problems, decks with a repeated key,
# absurd option values. Every bad case gives one message (rank 0), a
# non-zero exit on every rank, no hang, and leaves an earlier result
# byte-for-byte intact with no temporary behind. Files with CRLF line ends
# or a UTF-8 byte order mark are accepted and give the same result as the
# plain file. Cases that depend on how the data is spread run at 1, 2 and 3
# processes; the others at 2.
. "$(dirname "$0")/lib.sh"

MKBAD=${BN_BUILD_DIR:?}/tests/tool_mkbad

# A real small result to protect.
bn_ok "generate the input" 2 generate complete --output="$T/in.h5" \
  --rows=30 --cols=20 --rank=2 --sample-rate=0.5
bn_ok "complete the input" 2 complete --input="$T/in.h5" --rank=2 \
  --max-iter=20 --output="$T/out.h5"
check "result file written" test -s "$T/out.h5"
SUM=$(cksum <"$T/out.h5")

# After each bad run: the result is unchanged and no temporary is left.
untouched() {
  local name=$1 tmps
  if [ "$(cksum <"$T/out.h5")" = "$SUM" ]; then
    pass "$name: out.h5 untouched"
  else
    fail "$name: out.h5 changed"
  fi
  tmps=$(find "$T" -name '*.tmp*')
  if [ -z "$tmps" ]; then
    pass "$name: no temporary left"
  else
    fail "$name: temporaries left: $(tr "\n" " " <<<"$tmps")"
    find "$T" -name '*.tmp*' -exec rm -f {} +
  fi
}

# bad RC NAME NP PATTERN ARGS...: fails cleanly with status RC on every
# rank, and out.h5 is untouched.
bad() {
  local rc=$1 name="$2 (np=$3)"
  shift 2
  expect_fail_rc "$rc" "$name" "$@"
  untouched "$name"
}

# same NAME A B: two strings (JSON values) are equal and not empty.
same() {
  if [ -n "$2" ] && [ "$2" = "$3" ]; then
    pass "$1"
  else
    fail "$1: '$2' != '$3'"
  fi
}

# close NAME A B: two numbers agree to a relative 1e-12 (the rounding of
# sums taken in another order, when the rows are spread differently).
close() {
  if awk -v a="$2" -v b="$3" 'BEGIN { d = a - b; if (d < 0) d = -d
      m = a < 0 ? -a : a; exit !(a != "" && b != "" && d <= 1e-12 * m) }'; then
    pass "$1"
  else
    fail "$1: '$2' vs '$3'"
  fi
}

# objective NAME NP ARGS...: `complete ARGS --json` succeeds (a bn_ok
# check); OBJ is set to the objective it reports.
objective() {
  local name="$1 (np=$2)" np=$2
  shift 2
  bn_ok "$name" "$np" complete "$@" --json
  OBJ=$(json_field objective "$T/last.out")
}

# Bad HDF5 inputs (tests/tool_mkbad.c), all in one run.
KINDS="good neg-row neg-col inf empty row-float val-int row-2d no-rows \
neg-rows rows-float full2x2 dup dup-last dup-sum"
args=()
for kind in $KINDS; do args+=("$kind" "$T/$kind.h5"); done
st=0
"$BN_MPIRUN" -n 1 "$MKBAD" "${args[@]}" || st=$?
check "tool_mkbad writes the inputs" test "$st" = 0
for kind in $KINDS; do
  test -s "$T/$kind.h5" || fail "tool_mkbad $kind: no file"
done
# Damaged files: the first half of a real input, and an empty file.
cp "$T/in.h5" "$T/trunc.h5"
truncate -s $(($(stat -c %s "$T/in.h5") / 2)) "$T/trunc.h5"
: >"$T/zero.h5"

OUT=--output="$T/out.h5"
LAST=() # --duplicates=last's objective by process count
for np in 1 2 3; do
  bad 1 "truncated HDF5 file" "$np" "cannot open '.*/trunc\.h5' with HDF5: it starts like an HDF5 file but is truncated or damaged" \
    complete --input="$T/trunc.h5" --rank=1 "$OUT"
  bad 1 "negative row index" "$np" \
    "neg-row\.h5: /omega: entry 3 has row index -1, outside \[0, 4\)" \
    complete --input="$T/neg-row.h5" --rank=1 "$OUT"
  bad 1 "Inf value" "$np" \
    "inf\.h5: /omega: entry 4 \(row 3, column 1\) has value inf" \
    complete --input="$T/inf.h5" --rank=1 "$OUT"
  bad 1 "empty Omega (0 entries)" "$np" \
    "empty\.h5: /omega has no entries: nothing to complete" \
    complete --input="$T/empty.h5" --rank=1 "$OUT"
  bad 1 "duplicate entries, default --duplicates=error" "$np" \
    "dup\.h5: /omega: 4 duplicate entries \(same row and column\), e\.g\. \(row 0, column 0\); use --duplicates=first\|last\|sum to merge them" \
    complete --input="$T/dup.h5" --rank=1 "$OUT"
  # --duplicates=last keeps the copy latest in the file, whichever process
  # read it: the same as the file merged by hand (iteration 0's objective,
  # which depends on every value).
  objective "--duplicates=last runs" "$np" --input="$T/dup.h5" \
    --duplicates=last --rank=1 --max-iter=0 --output="$T/acc.h5"
  check "duplicates merged are reported (np=$np)" grep -q \
    "^DUPLICATES_MERGED=4$" "$T/last.err"
  last=$OBJ
  objective "dup-last.h5 runs" "$np" --input="$T/dup-last.h5" --rank=1 \
    --max-iter=0 --output="$T/acc.h5"
  close "--duplicates=last = merged by hand (np=$np)" "$last" "$OBJ"
  LAST[np]=$last
done
# The same up to rounding on 1, 2 and 3 processes.
close "--duplicates=last: same at 1 and 2 processes" "${LAST[1]}" "${LAST[2]}"
close "--duplicates=last: same at 1 and 3 processes" "${LAST[1]}" "${LAST[3]}"
objective "--duplicates=sum runs" 3 --input="$T/dup.h5" --duplicates=sum \
  --rank=1 --max-iter=0 --output="$T/acc.h5"
sum=$OBJ
objective "dup-sum.h5 runs" 3 --input="$T/dup-sum.h5" --rank=1 --max-iter=0 \
  --output="$T/acc.h5"
close "--duplicates=sum = merged by hand (np=3)" "$sum" "$OBJ"
objective "--duplicates=first runs" 3 --input="$T/dup.h5" \
  --duplicates=first --rank=1 --max-iter=0 --output="$T/acc.h5"
# The comparisons above can tell the policies apart.
check "first, last and sum give different objectives" awk -v f="$OBJ" \
  -v l="$last" -v s="$sum" 'BEGIN { exit !(f != "" && (f - l) ^ 2 > 1e-6 &&
    (f - s) ^ 2 > 1e-6 && (l - s) ^ 2 > 1e-6) }'


# More processes than rows: a 2 x 2 matrix works on 2 processes; on 3 one
# process would own no row, which is refused.
bn_ok "2 x 2 matrix on 2 processes" 2 complete --input="$T/full2x2.h5" \
  --rank=1 --output="$T/acc.h5"
bad 1 "more processes than rows" 3 \
  "process [0-9] of 3 owns no observed entries \(4 entries in 2 rows\): run with fewer processes" \
  complete --input="$T/full2x2.h5" --rank=1 "$OUT"

# Types, shapes and attributes: every process reads the same metadata.
bad 1 "negative column index" 2 \
  "neg-col\.h5: /omega: entry 4 has column index -2, outside \[0, 3\)" \
  complete --input="$T/neg-col.h5" --rank=1 "$OUT"
bad 1 "/omega/row stored as float64" 2 \
  "row-float\.h5: dataset '/omega/row' has a floating-point type, expected an integer type" \
  complete --input="$T/row-float.h5" --rank=1 "$OUT"
bad 1 "/omega/row 2-D" 2 \
  "row-2d\.h5: dataset /omega/row has 2 dimensions, must be 1-D" \
  complete --input="$T/row-2d.h5" --rank=1 "$OUT"
bad 1 "attribute rows missing" 2 \
  "no-rows\.h5: '/omega' has no attribute 'rows'" \
  complete --input="$T/no-rows.h5" --rank=1 "$OUT"
bad 1 "attribute rows negative" 2 \
  "neg-rows\.h5: /omega attribute 'rows' is -4, must be at least 1" \
  complete --input="$T/neg-rows.h5" --rank=1 "$OUT"
bad 1 "attribute rows stored as float64" 2 \
  "rows-float\.h5: attribute 'rows' of '/omega' is not a single integer" \
  complete --input="$T/rows-float.h5" --rank=1 "$OUT"
bad 1 "empty file (0 bytes)" 2 "'.*/zero\.h5' is not an HDF5 file" \
  complete --input="$T/zero.h5" --rank=1 "$OUT"
# Integers where reals are expected are exact: accepted, same result.
objective "good.h5 runs" 2 --input="$T/good.h5" --rank=1 --output="$T/acc.h5"
good=$OBJ
objective "val-int.h5 runs" 2 --input="$T/val-int.h5" --rank=1 \
  --output="$T/acc.h5"
same "/omega/val stored as int64: same result as float64" "$good" "$OBJ"

# MatrixMarket files.
mm() { printf '%%%%MatrixMarket matrix %s\n' "$1"; }
{
  mm "coordinate real general"
  printf '%% a comment\n3 4 4\n1 1 1.5\n2 3 -2.0\n3 4 3.25\n1 4 0.5\n'
} >"$T/ok.mtx"
sed 's/$/\r/' "$T/ok.mtx" >"$T/crlf.mtx"
printf '\357\273\277' | cat - "$T/ok.mtx" >"$T/bom.mtx"
{ mm "array real general" && printf '3 4\n1.0\n'; } >"$T/array.mtx"
printf 'rows cols entries\n3 4 1\n1 1 1.0\n' >"$T/garbage.mtx"
{ mm "coordinate real general" && printf '3 4\n1 1 1.0\n'; } >"$T/size2.mtx"
{ mm "coordinate real general" && printf '3 4 2\n1 1 1.0\n2 3\n'; } \
  >"$T/missing.mtx"
{ mm "coordinate real general" && printf '3 4 2\n1 1 1.0\n2 3 abc\n'; } \
  >"$T/nonnum.mtx"
IMP=(import --format=mtx)
bad 1 "mtx: array (dense) banner" 2 \
  "array\.mtx:1: MatrixMarket format 'array' is not supported" \
  "${IMP[@]}" --input="$T/array.mtx" "$OUT"
bad 1 "mtx: garbage first line" 2 \
  "garbage\.mtx:1: not a MatrixMarket file \(no %%MatrixMarket banner\)" \
  "${IMP[@]}" --input="$T/garbage.mtx" "$OUT"
bad 1 "mtx: size line with 2 numbers" 2 \
  "size2\.mtx:2: expected the size line 'rows cols entries'" \
  "${IMP[@]}" --input="$T/size2.mtx" "$OUT"
bad 1 "mtx: missing field" 2 \
  "missing\.mtx:4: expected 'row col value', found 2 fields" \
  "${IMP[@]}" --input="$T/missing.mtx" "$OUT"
bad 1 "mtx: non-numeric value" 2 "nonnum\.mtx:4: value 'abc' is not a number" \
  "${IMP[@]}" --input="$T/nonnum.mtx" "$OUT"
for f in ok crlf bom; do
  bn_ok "mtx: $f.mtx imported" 2 "${IMP[@]}" --input="$T/$f.mtx" \
    --output="$T/$f-mtx.h5"
done
check "mtx: CRLF file gives the same /omega" h5diff -q "$T/ok-mtx.h5" \
  "$T/crlf-mtx.h5" /omega
check "mtx: byte order mark gives the same /omega" h5diff -q "$T/ok-mtx.h5" \
  "$T/bom-mtx.h5" /omega

# CSV files.
printf '%s\n' userId,movieId,rating,timestamp 10,500,4.0,1 10,501,3.5,2 \
  20,500,5,3 30,502,1.0,4 >"$T/ok.csv"
sed 's/$/\r/' "$T/ok.csv" >"$T/crlf.csv"
printf '\357\273\277' | cat - "$T/ok.csv" >"$T/bom.csv"
# Without a header the byte order mark is in front of the first user id.
printf '\357\273\277' | cat - <(tail -n +2 "$T/ok.csv") >"$T/bom-nohead.csv"
printf 'userId,movieId,rating\n10,500,4.0\n10,501\n' >"$T/missing.csv"
printf 'userId,movieId,rating\n10,500,4.0\n10,abc,3\n' >"$T/nonnum.csv"
printf 'userId;movieId;rating\n10;500;4.0\n' >"$T/semicolon.csv"
IMP=(import --format=csv)
bad 1 "csv: missing field" 2 \
  "missing\.csv:3: expected 'user item rating' \(','-separated\), found 2 fields" \
  "${IMP[@]}" --input="$T/missing.csv" "$OUT"
bad 1 "csv: non-numeric id" 2 "nonnum\.csv:3: item id 'abc' is not an integer" \
  "${IMP[@]}" --input="$T/nonnum.csv" "$OUT"
bad 1 "csv: ';' separated read with --delimiter=," 2 \
  "semicolon\.csv:2: expected 'user item rating' \(','-separated\), found 1 field" \
  "${IMP[@]}" --delimiter=, --input="$T/semicolon.csv" "$OUT"
bad 1 "csv: a header read as data (--header=false)" 2 \
  "ok\.csv:1: user id 'userId' is not an integer" \
  "${IMP[@]}" --header=false --input="$T/ok.csv" "$OUT"
bad 2 "csv: --delimiter on an image import" 1 \
  "--delimiter applies to text ratings" import --format=idx --delimiter=tab \
  --input="$T/ok.csv" "$OUT"
for f in ok crlf bom bom-nohead; do
  bn_ok "csv: $f.csv imported" 2 "${IMP[@]}" --input="$T/$f.csv" \
    --output="$T/$f-csv.h5"
done
for f in crlf bom bom-nohead; do
  check "csv: $f.csv gives the same /omega" h5diff -q "$T/ok-csv.h5" \
    "$T/$f-csv.h5" /omega
  check "csv: $f.csv gives the same /map" h5diff -q "$T/ok-csv.h5" \
    "$T/$f-csv.h5" /map
done

# Decks: a repeated key names both lines; CRLF and a byte order mark are
# fine.
printf 'rank = 2\nsolver = gd\n\n# again\nrank = 3\n' >"$T/twice.ini"
printf 'rank = 2\nsolver = agd\nmax-iter = 3\n' >"$T/lf.ini"
sed 's/$/\r/' "$T/lf.ini" >"$T/crlf.ini"
printf '\357\273\277' | cat - "$T/lf.ini" >"$T/bom.ini"
bad 2 "deck with a repeated key" 2 \
  "twice\.ini:5: 'rank' is already set on line 1" \
  complete "$T/twice.ini" --input="$T/in.h5" "$OUT"
declare -A DECK
for f in lf crlf bom; do
  objective "$f.ini deck runs" 2 "$T/$f.ini" --input="$T/in.h5" \
    --output="$T/acc.h5"
  DECK[$f]=$OBJ
done
same "CRLF deck: same result" "${DECK[lf]}" "${DECK[crlf]}"
same "deck with a byte order mark: same result" "${DECK[lf]}" "${DECK[bom]}"

# Absurd option values (exit status 2).
IN=--input="$T/in.h5"
bad 2 "--rank=-1" 2 "--rank=-1: must be in \[1, 4096\]" complete "$IN" \
  --rank=-1 "$OUT"
bad 2 "--tol=abc" 2 "option --tol: 'abc' is not a finite number" complete \
  "$IN" --tol=abc "$OUT"
bad 2 "--max-iter=-5" 2 "--max-iter=-5: must be nonnegative" \
  complete "$IN" --max-iter=-5 "$OUT"
bad 2 "--rank=99999999999999999999" 2 \
  "option --rank: '99999999999999999999' is outside the 64-bit integer range" \
  complete "$IN" --rank=99999999999999999999 "$OUT"
bad 2 "--max-iter=1e19" 2 \
  "option --max-iter: '1e19' is outside the 64-bit integer range" \
  complete "$IN" --max-iter=1e19 "$OUT"
bad 2 "--oversample=-1" 2 "--oversample and --power-iters must be nonnegative" \
  complete "$IN" --oversample=-1 "$OUT"
bad 2 "--duplicates=median" 2 \
  "option --duplicates: 'median' is not one of error\|first\|last\|sum" \
  complete "$IN" --duplicates=median "$OUT"

bn_summary
