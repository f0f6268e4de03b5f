#!/usr/bin/env bash
# Complete dictionary learning by l4 maximization (MSP), the protocol of
# the l4/MSP paper: n atoms (orthogonal), p = 40000 samples, theta = 0.3,
# random orthogonal start, at n = 50, 100, 200, 400 on 2 processes (one
# BLAS thread each):
#   1. build/bench_dict (no preconditioning, as in the paper; the default
#      sample continuation): MSP steps and seconds until every atom has
#      |cos| > 0.99 (a stop by the truth), the steady-state step (all the
#      samples) against its two GEMMs at the DGEMM rate of the same shapes
#      measured in the same run;
#   2. `benign dict` with its defaults (--certificate=off), stopped by its
#      blind rule (the relative change of f): iterations, solve seconds,
#      whole command, best of 3.
# The load average is written before and after each size. Writes
# bench/results/dict.txt.
#   BN_BENCH_NS ("50 100 200 400"), BN_BENCH_P, BN_BENCH_THETA.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
p=${BN_BENCH_P:-40000} theta=${BN_BENCH_THETA:-0.3}
data=${BN_BENCH_DATA:-bench/data}
build=${BN_BUILD:-build}
mkdir -p "$data" bench/results
[ -x "$build/bench_dict" ] || bash scripts/setup.sh
field() { sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p" "$2"; }
out=bench/results/dict.txt
{
  echo "# benign dict (l4, MSP) benchmark, $(date -u +%Y-%m-%d), $(nproc) cores:" \
    "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
  for n in ${BN_BENCH_NS:-50 100 200 400}; do
    in="$data/dict-n${n}-p${p}.h5"
    if [ ! -f "$in" ]; then
      mpirun -n 2 "$build/benign" generate dict --output="$in" --dim="$n" \
        --samples="$p" --theta="$theta" --seed=100 --store-codes=false
    fi
    echo
    echo "## n = $n; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
    mpirun -n 2 "$build/bench_dict" "$in" 0 20
    for r in 1 2 3; do
      s=$(date +%s.%N)
      mpirun -n 2 "$build/benign" dict --input="$in" --certificate=off \
        --json --progress=false --log-level=quiet \
        --output="$data/dict-out.h5" >"$data/dict.json"
      e=$(date +%s.%N)
      echo "benign dict (defaults): iterations $(field iterations "$data/dict.json")," \
        "solve $(field solve_seconds "$data/dict.json") s, run" \
        "$(field seconds "$data/dict.json") s, whole command" \
        "$(awk -v a="$s" -v b="$e" 'BEGIN { printf "%.3f", b - a }') s," \
        "min |cos| $(field min_abs_cos "$data/dict.json")"
    done
    echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  done
} | tee "$out"
