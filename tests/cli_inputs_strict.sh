#!/usr/bin/env bash
# Text and file inputs read strictly (issue 20, classes 7 and 8): a CSV
# whose first line is data with a bad id is reported, not dropped as a
# header; an unterminated quote in a deck is an error; a MatrixMarket file
# with no entries is refused at import; a subnormal --tol is accepted and
# one that rounds to 0 refused; a NaN in /truth is refused; info on
# another program's file that happens to hold /checkpoint/state describes
# it and succeeds.
. "$(dirname "$0")/lib.sh"

printf '1.0,10,4\n2,10,3\n3,11,5\n' >"$T/a.csv"
printf '12345678901234567890,10,4\n2,10,3\n' >"$T/b.csv"
printf 'user,item,rating\n1,10,4\n2,10,3\n' >"$T/c.csv"
for np in 1 2 3; do
  expect_fail "csv: a first line with user id 1.0 ($np)" "$np" \
    "a.csv:1: user id '1.0' is not an integer" \
    import --format=csv --input="$T/a.csv" --output="$T/x.h5"
  expect_fail "csv: a first line with a 20-digit id ($np)" "$np" \
    "b.csv:1: user id '12345678901234567890' is not an integer" \
    import --format=csv --input="$T/b.csv" --output="$T/x.h5"
done
bn_ok "csv: a real header is still a header" 2 import --format=csv \
  --input="$T/c.csv" --output="$T/c.h5"
check "csv: 2 entries from the 3 lines" grep -q "2 entries from 3 lines" \
  "$T/last.out"
printf '%%%%MatrixMarket matrix coordinate real general\n3 3 0\n' >"$T/z.mtx"
expect_fail "mtx: no entries" 2 "z.mtx:2: the size line declares no entries" \
  import --format=mtx --input="$T/z.mtx" --output="$T/x.h5"
bn_ok "generate" 1 generate complete --output="$T/in.h5" --rows=100 \
  --cols=80 --rank=2 --sample-rate=0.3
printf 'output = "%s/o.h5\nrank = 2\n' "$T" >"$T/d.ini"
expect_fail_rc 2 "deck: an unterminated quote" 2 \
  "d.ini:1: a quote .* is not closed" complete "$T/d.ini" --input="$T/in.h5"
bn_ok "--tol=1e-320 (subnormal) is a number" 2 complete --input="$T/in.h5" \
  --rank=2 --max-iter=2 --tol=1e-320 --output="$T/o.h5"
expect_fail_rc 2 "--tol=1e-400 rounds to 0" 2 \
  "'1e-400' is not a finite number \(or is too small" \
  complete --input="$T/in.h5" --rank=2 --tol=1e-400 --output="$T/x.h5"
cp "$T/in.h5" "$T/nan.h5"
"${BN_BUILD_DIR:-build}/tests/tool_setnan" "$T/nan.h5" /truth/U 7
for np in 1 2 3; do
  expect_fail "a NaN in /truth/U ($np)" "$np" \
    "/truth/U row 3 holds a NaN" complete --input="$T/nan.h5" --rank=2 \
    --output="$T/x.h5"
done
check "no output from the refusals" test ! -e "$T/x.h5"
# Another program's file with a /checkpoint/state of its own.
h5copy -p -i "$T/in.h5" -o "$T/other.h5" -s /omega/val -d /checkpoint/state
bn_ok "info on another program's file with /checkpoint/state" 1 info \
  "$T/other.h5"
check "info: described, not summarised as a checkpoint" \
  sh -c "grep -q '/checkpoint/state' '$T/last.out' &&
         ! grep -q 'continue with' '$T/last.out'"
bn_summary
