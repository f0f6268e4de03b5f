#!/usr/bin/env bash
# The installable library (docs/library.md): `cmake --install` of this
# build into a temporary prefix gives libbenign.so and .a, the public
# headers, benign.pc and the CMake package; examples/complete.c is built
# against the installed tree with pkg-config and with find_package(benign)
# and run at 1, 2 and 3 processes (the same answer: relative error below
# 1e-6 and a result file with U and V).
. "$(dirname "$0")/lib.sh"
: "${BN_BUILD_DIR:?}" "${BN_SOURCE_DIR:?}"
cc="${BN_CC:-cc}"
P="$T/prefix"

check "cmake --install into a temporary prefix" \
  cmake --install "$BN_BUILD_DIR" --prefix "$P"
libdir=$(dirname "$(find "$P" -name libbenign.so -print -quit)")
for f in include/benign/benign.h include/benign/problem.h; do
  check "installed: $f" test -f "$P/$f"
done
check "installed: libbenign.so" test -f "$libdir/libbenign.so"
check "installed: libbenign.a" test -f "$libdir/libbenign.a"
check "installed: benign.pc" test -f "$libdir/pkgconfig/benign.pc"
check "installed: benignConfig.cmake" test -f "$libdir/cmake/benign/benignConfig.cmake"
check "no private header installed" \
  test -z "$(find "$P/include" -name '*internal*' -print -quit)"

# The umbrella header is complete (the example includes only it and is
# compiled with -Wall -Wextra -Werror below).
for h in "$P"/include/benign/*.h; do
  b=$(basename "$h")
  [ "$b" = benign.h ] && continue
  check "benign.h includes $b" grep -q "\"benign/$b\"" "$P/include/benign/benign.h"
done

# pkg-config
export PKG_CONFIG_PATH="$libdir/pkgconfig"
flags=$(pkg-config --cflags --libs benign)
check "pkg-config --cflags --libs benign" test -n "$flags"
# shellcheck disable=SC2086
check "compile with pkg-config" "$cc" -std=c11 -Wall -Wextra -Werror \
  -o "$T/ex_pc" "$BN_SOURCE_DIR/examples/complete.c" $flags
export LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
mkdir -p "$T/run_pc"
check "pkg-config build runs at 2 processes" \
  timeout 120 "$BN_MPIRUN" -n 2 -x LD_LIBRARY_PATH "$T/ex_pc" "$T/run_pc"
check "it links the installed libbenign.so" \
  sh -c "ldd '$T/ex_pc' | grep -q '$libdir/libbenign.so'"

# find_package(benign)
check "configure examples/ with find_package" \
  cmake -S "$BN_SOURCE_DIR/examples" -B "$T/ex" -DCMAKE_C_COMPILER="$cc" \
  -DCMAKE_PREFIX_PATH="$P" -DCMAKE_BUILD_TYPE=Release
check "build examples/" cmake --build "$T/ex"
for np in 1 2 3; do
  mkdir -p "$T/run$np"
  timeout 120 "$BN_MPIRUN" -n "$np" "$T/ex/complete_example" "$T/run$np" \
    >"$T/ex$np.out" 2>&1
  check "find_package build at $np: relative error below 1e-6" test $? = 0
  check "at $np: the error is printed" grep -q "relative error" "$T/ex$np.out"
  check "at $np: result written" \
    "$BN_MPIRUN" -n 1 "$BENIGN" info "$T/run$np/result.h5"
done
check "the same iterations at 1 and 3 processes" \
  test "$(grep -o '^complete: [0-9]* iterations' "$T/ex1.out")" = \
  "$(grep -o '^complete: [0-9]* iterations' "$T/ex3.out")"
bn_summary
