#!/usr/bin/env bash
# Robust PCA benchmark (issue 4): 10000 x 10000, rank 5, 10% of the entries
# corrupted (~10x the largest entry), dense M (800 MB). Seconds to relative
# error 1e-6 of the low-rank part at 1 and 2 processes. Writes
# bench/results/rpca.txt. BN_BENCH_N overrides the size (for a quick look),
# BN_BENCH_DATA the data directory, BENIGN the program.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
n=${BN_BENCH_N:-10000}
data=${BN_BENCH_DATA:-bench/data}
benign=${BENIGN:-build/benign}
mkdir -p "$data" bench/results
in="$data/rpca-${n}x${n}-r5.h5"
if [ ! -f "$in" ]; then
  mpirun -n 2 "$benign" generate rpca --output="$in" --rows="$n" --cols="$n" \
    --rank=5 --corrupt=0.1 --magnitude=10 --seed=10
fi
out=bench/results/rpca.txt
{
  echo "# benign rpca benchmark, $(date -u +%Y-%m-%d), $(nproc) cores:" \
    "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
  for np in 1 2; do
    echo
    echo "## $np process(es)"
    # The machine is shared: the load, and CPU seconds besides wall seconds.
    echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
    /usr/bin/time -f "cpu: user %U s, sys %S s, wall %e s (all processes)" \
      mpirun -n "$np" "$benign" rpca --input="$in" --rank=5 --alpha=0.1 \
      --rel-tol=1e-6 --tol=0 --max-iter=200 --output="$data/rpca-out.h5" \
      --monitor --progress=false --certificate=off --json
  done
} 2>&1 | tee "$out"
