#!/usr/bin/env bash
# Complete dictionary learning by l4 maximization (MSP), the protocol of
# the l4/MSP paper: n = 100 atoms (orthogonal), p = 40000 samples,
# theta = 0.3, random orthogonal start, no preconditioning; seconds until
# every atom has |cos| > 0.99 and the MSP step against the DGEMM rate, at
# 1 and 2 processes (one BLAS thread each). Then the same with the
# preconditioning benign dict applies by default. Writes
# bench/results/dict.txt.
#   BN_BENCH_N, BN_BENCH_P, BN_BENCH_THETA override the size.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
n=${BN_BENCH_N:-100} p=${BN_BENCH_P:-40000} theta=${BN_BENCH_THETA:-0.3}
data=${BN_BENCH_DATA:-bench/data}
build=${BN_BUILD:-build}
mkdir -p "$data" bench/results
in="$data/dict-n${n}-p${p}.h5"
[ -x "$build/bench_dict" ] || bash scripts/setup.sh
if [ ! -f "$in" ]; then
  mpirun -n 2 "$build/benign" generate dict --output="$in" --dim="$n" \
    --samples="$p" --theta="$theta" --seed=100 --store-codes=false
fi
out=bench/results/dict.txt
{
  echo "# benign dict (l4, MSP) benchmark, $(date -u +%Y-%m-%d), $(nproc) cores:" \
    "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2);" \
    "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  for pre in 0 1; do
    for np in 1 2; do
      echo
      mpirun -n "$np" "$build/bench_dict" "$in" "$pre" 30
    done
  done
  echo
  echo "# the same through the command line (2 processes, --certificate=off):"
  mpirun -n 2 "$build/benign" dict --input="$in" --precondition=false \
    --rel-tol=0.14106735979665885 --certificate=off --codes=none --json \
    --progress=false --log-level=quiet --output="$data/dict-out.h5"
  echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$out"
