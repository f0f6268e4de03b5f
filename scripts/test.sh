#!/usr/bin/env bash
# Set up (install what is missing, build) and run the whole test suite.
#   BN_SANITIZE=1 bash scripts/test.sh   the same under ASan + UBSan
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. scripts/env.sh
build=build
[ "${BN_SANITIZE:-0}" = 1 ] && build=build-asan
ctest --test-dir "$build" --output-on-failure -j "$(nproc)" "$@"
