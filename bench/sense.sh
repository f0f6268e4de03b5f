#!/usr/bin/env bash
# Matrix sensing benchmark (issue 4): n1 = n2 = 2000, r = 10,
# m = 5 r (n1 + n2) = 200000, rank-one and implicit operators, seconds per
# objective-and-gradient evaluation against the DGEMM rate measured in the
# same run (bench/sense_bench.c). First the quick form at 1 and 2 processes
# (two sub-sizes, extrapolated), then both operators at the full m on 2
# processes (BN_BENCH_FULL=1: the implicit evaluation draws 8e11 normals,
# about 20-25 minutes on this 2-core machine; BN_BENCH_SKIP_FULL=1 skips it).
# Writes bench/results/sense.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
bench=${BN_BENCH_PROGRAM:-build/bench_sense}
mkdir -p bench/results
{
  echo "# benign sense benchmark, $(date -u +%Y-%m-%d), $(nproc) cores:" \
    "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
  for np in 1 2; do
    echo
    echo "## $np process(es), extrapolated from sub-sizes"
    echo "load: $(cut -d' ' -f1-3 /proc/loadavg) at $(date -u +%H:%M:%S) UTC"
    mpirun -n "$np" "$bench"
  done
  if [ "${BN_BENCH_SKIP_FULL:-0}" != 1 ]; then
    echo
    echo "## 2 processes, full size (BN_BENCH_FULL=1)"
    echo "load: $(cut -d' ' -f1-3 /proc/loadavg) at $(date -u +%H:%M:%S) UTC"
    BN_BENCH_FULL=1 /usr/bin/time -f "wall %e s, user %U s, sys %S s, max RSS %M KB (one process)" \
      mpirun -n 2 "$bench"
    echo "load: $(cut -d' ' -f1-3 /proc/loadavg) at $(date -u +%H:%M:%S) UTC (end)"
  fi
} 2>&1 | tee bench/results/sense.txt
