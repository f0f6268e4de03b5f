#!/usr/bin/env bash
# Fuzz the importers (MatrixMarket, CSV) and the options/deck parser with
# libFuzzer under AddressSanitizer + UBSan (tests/fuzz/). Installs what is
# missing (clang and its libFuzzer runtime as well), builds with clang into
# build-fuzz/ (or $BN_BUILD_DIR), and runs each target for FUZZ_SECONDS
# (default 60) starting from its seed corpus tests/fuzz/corpus/<target>/.
#
#   bash scripts/fuzz.sh                  every target, 60 s each
#   FUZZ_SECONDS=600 bash scripts/fuzz.sh mtx opts
#
# Inputs that reach new code are kept in build-fuzz/corpus/<target>/ (the
# seed corpus in the tree is left alone). A crash, timeout, leak or broken
# invariant stops that target, leaves the input in
# build-fuzz/crashes/<target>/ and makes the script exit 1; once it is
# fixed, copy the input to tests/fuzz/regress/<target>/, where ctest replays
# it in every test build (test fuzz_<target>).
set -euo pipefail
cd "$(dirname "$0")/.."

BN_SETUP_BUILD=0 BN_SETUP_EXTRA=clang bash scripts/setup.sh
# The libFuzzer runtime ships apart from clang (Recommends only).
v=$(clang -dumpversion | cut -d. -f1)
BN_SETUP_BUILD=0 BN_SETUP_EXTRA="libclang-rt-$v-dev" bash scripts/setup.sh
. scripts/env.sh

build="${BN_BUILD_DIR:-build-fuzz}"
seconds="${FUZZ_SECONDS:-60}"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(mtx csv opts ckpt)
for t in "${targets[@]}"; do
  [ -f "tests/fuzz/fuzz_$t.c" ] || { echo "fuzz: no target '$t'" >&2; exit 2; }
done

cmake -S . -B "$build" -DCMAKE_C_COMPILER=clang -DBN_FUZZ=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g" \
  -DBN_WERROR="${BN_WERROR:-OFF}" -DBN_NATIVE=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" --target "${targets[@]/#/fuzz_}"

# libFuzzer checks each input for leaks itself; LeakSanitizer's own check at
# exit can crash while Open MPI's threads shut down, so it is off.
export ASAN_OPTIONS="leak_check_at_exit=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
status=0
for t in "${targets[@]}"; do
  mkdir -p "$build/corpus/$t" "$build/crashes/$t"
  log="$build/fuzz_$t.log"
  echo "fuzz: $t for ${seconds} s (log: $log)"
  rc=0
  "$build/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 \
    -dict="tests/fuzz/dict/$t.dict" \
    -artifact_prefix="$build/crashes/$t/" \
    "$build/corpus/$t" "tests/fuzz/corpus/$t" >"$log" 2>&1 || rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
  echo "fuzz: $t: exit $rc, ${runs:-?} runs, ${cov:-cov: ?}," \
    "$(find "$build/corpus/$t" -type f | wc -l) inputs in the corpus"
  if [ "$rc" != 0 ]; then
    status=1
    grep -E 'ERROR|SUMMARY|invariant|runtime error|Test unit written' "$log" |
      head -n 8 || true
  fi
done
exit "$status"
