#!/usr/bin/env bash
# Set up (install what is missing, build) and run the whole test suite.
#   BN_SANITIZE=1 bash scripts/test.sh   the same under ASan + UBSan
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. scripts/env.sh
build=build
[ "${BN_SANITIZE:-0}" = 1 ] && build=build-asan
# Two tests per core: most of a test's time is process start-up and
# waiting, not arithmetic (the tests' MPI processes yield when idle).
ctest --test-dir "$build" --output-on-failure -j "$((2 * $(nproc)))" "$@"
