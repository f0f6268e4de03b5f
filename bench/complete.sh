#!/usr/bin/env bash
# Matrix completion benchmark (issue: 200000 x 100000, rank 32, 20 million
# observed entries) at 1 and 2 processes. Writes bench/results/complete.txt.
#   BN_BENCH_ROWS/COLS/RANK/RATE override the size (for a quick look);
#   BN_BENCH_SOLVER (default agd) and BN_BENCH_TIME (solve time limit,
#   default 900 s) the solve.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
rows=${BN_BENCH_ROWS:-200000} cols=${BN_BENCH_COLS:-100000}
rank=${BN_BENCH_RANK:-32} rate=${BN_BENCH_RATE:-0.001}
data=${BN_BENCH_DATA:-bench/data}
mkdir -p "$data" bench/results
in="$data/complete-${rows}x${cols}-r${rank}.h5"
[ -x build/bench_complete ] || bash scripts/setup.sh
if [ ! -f "$in" ]; then
  mpirun -n 2 build/benign generate complete --output="$in" --rows="$rows" \
    --cols="$cols" --rank="$rank" --sample-rate="$rate" --seed=32
fi
out=bench/results/complete.txt
{
  echo "# benign complete benchmark, $(date -u +%Y-%m-%d), $(nproc) cores:" \
       "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
  for np in 1 2; do
    echo
    mpirun -n "$np" build/bench_complete "$in" "$rank" 5 "${BN_BENCH_TIME:-900}" \
      "${BN_BENCH_SOLVER:-agd}"
  done
} | tee "$out"
