#!/usr/bin/env bash
# Sizes that cannot be (issue 20, class 4): a rows attribute of 2^62 or
# 2^61 + 1 (before: SIGSEGV, the size computation wrapped), one of
# 2^64 - 1 stored unsigned (before: clamped, quoted wrong), a MatrixMarket
# size line of 2^62 x 2^62 then solved: one message naming the attribute
# and the memory a factor would need, non-zero status on every process, at
# 1, 2 and 3 processes, for complete, rpca and eig.
. "$(dirname "$0")/lib.sh"

SET=${BN_BUILD_DIR:-build}/tests/tool_setattr
bn_ok "generate" 1 generate complete --output="$T/c.h5" --rows=60 \
  --cols=50 --rank=2 --sample-rate=0.3
for v in i64:4611686018427387904 i64:2305843009213693953; do
  cp "$T/c.h5" "$T/big.h5"
  "$SET" "$T/big.h5" /omega rows "$v"
  for np in 1 2 3; do
    expect_fail "complete, rows ${v#i64:} ($np)" "$np" \
      "/omega rows = ${v#i64:}: its factor would need .* bytes" \
      complete --input="$T/big.h5" --rank=2 --output="$T/x.h5"
  done
  expect_fail "rpca, rows ${v#i64:}" 2 "/omega rows = ${v#i64:}" \
    rpca --input="$T/big.h5" --rank=2 --output="$T/x.h5"
done
cp "$T/c.h5" "$T/u.h5"
"$SET" "$T/u.h5" /omega cols u64:18446744073709551615
expect_fail "an unsigned cols of 2^64 - 1 is quoted as it is" 2 \
  "attribute 'cols' of '/omega' is 18446744073709551615" \
  complete --input="$T/u.h5" --rank=2 --output="$T/x.h5"
printf '%%%%MatrixMarket matrix coordinate real general\n%s %s 2\n1 1 1.5\n2 2 2.5\n' \
  4611686018427387904 4611686018427387904 >"$T/huge.mtx"
bn_run 1 import --format=mtx --input="$T/huge.mtx" --output="$T/huge.h5" \
  >"$T/last.out" 2>&1 || true
if [ -f "$T/huge.h5" ]; then
  expect_fail "complete on a 2^62 x 2^62 import" 2 \
    "rows = 4611686018427387904" complete --input="$T/huge.h5" --rank=1 \
    --output="$T/x.h5"
  expect_fail "eig on a 2^62 x 2^62 import" 2 "rows = 4611686018427387904" \
    eig --input="$T/huge.h5" --output="$T/x.h5"
else
  check "import refuses a 2^62 x 2^62 size line" \
    grep -q "benign: error" "$T/last.out"
fi
check "no result from the refusals" test ! -e "$T/x.h5"
bn_summary
