#!/usr/bin/env bash
# Phase retrieval benchmark: complex Gaussian, n = 2000, m = 8n = 16000
# (A stored: 512 MB), every method with the default solver (gd) from its
# own initial point, until the relative error to the truth (after removing
# the global phase) is below 1e-8 (--rel-tol=1e-8 --tol=0), on 1 and 2
# processes. Writes bench/results/phase.txt: the machine, the load before
# and after each run, each run's JSON summary and timer table, and a table
# of seconds at the end. BN_BENCH_N and BN_BENCH_OVER change the size,
# BN_BENCH_METHODS the methods, BN_BENCH_DATA the data directory, BENIGN
# the program.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
n=${BN_BENCH_N:-2000}
over=${BN_BENCH_OVER:-8}
methods=${BN_BENCH_METHODS:-wf twf raf rwf gd-random}
data=${BN_BENCH_DATA:-bench/data}
benign=${BENIGN:-build/benign}
mkdir -p "$data" bench/results
in="$data/phase-n$n-m${over}n.h5"
if [ ! -f "$in" ]; then
  mpirun -n 2 "$benign" generate phase --output="$in" --n="$n" \
    --oversampling="$over" --field=complex --model=gaussian --seed=10
fi
out=bench/results/phase.txt
tmp=$(mktemp)
trap 'rm -rf "$tmp" "$BN_PRIVATE_TMP"' EXIT
{
  echo "# benign phase benchmark, $(date -u +%Y-%m-%d), $(nproc) cores:" \
    "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
  echo "# input: $in (complex Gaussian, n = $n, m = $over n, stored A)"
  for np in 1 2; do
    for m in $methods; do
      echo
      echo "## $m, $np process(es); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
      mpirun -n "$np" "$benign" phase --input="$in" --method="$m" \
        --rel-tol=1e-8 --tol=0 --max-iter=2000 --output="$data/phase-out.h5" \
        --progress=false --certificate=off --json | tee -a "$tmp"
      echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
    done
  done
  echo
  echo "## summary: seconds to relative error 1e-8"
  echo "method processes iterations rel_error solve_s total_s"
  sed -e 's/.*"processes":\([0-9]*\).*"iterations":\([0-9]*\).*"rel_error":\([^,]*\).*"seconds":\([^,]*\),"solve_seconds":\([^,]*\),.*/\1 \2 \3 \5 \4/' "$tmp" |
    paste -d' ' <(for np in 1 2; do for m in $methods; do echo "$m"; done; done) - |
    awk '{ printf "%-10s %s %5s %.2e %7.2f %7.2f\n", $1, $2, $3, $4, $5, $6 }'
} 2>&1 | tee "$out"
