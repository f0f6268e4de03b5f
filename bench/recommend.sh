#!/usr/bin/env bash
# Top-N benchmark (issue 17, item 5): top-10 for every user of a
# 1,000,000 x 100,000 rank-32 model on 1 and 2 processes, against the
# machine's DGEMM rate measured in the same run. Writes
# bench/results/recommend.txt. BN_BENCH_ROWS/COLS/RANK/TOP override.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
[ -x build/bench_recommend ] || bash scripts/setup.sh
export OPENBLAS_NUM_THREADS=1
out=bench/results/recommend.txt
args=("${BN_BENCH_ROWS:-1000000}" "${BN_BENCH_COLS:-100000}"
  "${BN_BENCH_RANK:-32}" "${BN_BENCH_TOP:-10}")
{
  echo "# benign recommend benchmark, $(date -u +%Y-%m-%d), $(nproc) cores:" \
    "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
  for np in 1 2; do
    echo
    mpirun -n "$np" build/bench_recommend "${args[@]}"
  done
} | tee "$out"
