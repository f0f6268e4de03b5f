#!/usr/bin/env bash
# Implicit feedback (issue 17, item 7): seconds per ALS sweep of
# `complete --loss=implicit` against the explicit (squared-loss) ALS on
# the same entries, at 2 processes, in one run. Writes
# bench/results/implicit.txt. BN_BENCH_ROWS/COLS/RANK/RATE override.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
export OPENBLAS_NUM_THREADS=1
rows=${BN_BENCH_ROWS:-100000} cols=${BN_BENCH_COLS:-20000}
rank=${BN_BENCH_RANK:-20} rate=${BN_BENCH_RATE:-0.02}
data=${BN_BENCH_DATA:-bench/data}
mkdir -p "$data" bench/results
in="$data/implicit-${rows}x${cols}-r${rank}.h5"
B=${BN_BUILD_DIR:-build}
[ -x "$B/benign" ] || bash scripts/setup.sh
[ -f "$in" ] || mpirun -n 2 "$B/benign" generate complete --implicit \
  --rows="$rows" --cols="$cols" --rank="$rank" --sample-rate="$rate" \
  --test-fraction=0.1 --seed=11 --output="$in"
out=bench/results/implicit.txt
sweeps=10
{
  echo "# benign implicit ALS benchmark, $(date -u +%Y-%m-%d), $(nproc) cores:" \
    "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
  echo "# $in: $(h5dump -H -d /omega/val "$in" | sed -n 's/.*( \([0-9]*\) ).*/\1/p' | head -1) training entries, rank $rank, $sweeps sweeps, 2 processes"
  for loss in squared implicit; do
    extra=(--lambda=0.05 --lambda-scale=uniform --init=random)
    [ "$loss" = implicit ] && extra=(--lambda=1 --alpha=10)
    mpirun -n 2 "$B/benign" complete --input="$in" --rank="$rank" \
      --solver=als --loss="$loss" "${extra[@]}" --max-iter="$sweeps" \
      --ftol=0 --tol=0 --early-stop=0 --certificate=off --progress=off \
      --json --output="$data/implicit-$loss.h5" 2>/dev/null |
      awk -v loss="$loss" -v n="$sweeps" '{
        match($0, /"solve_seconds":[0-9.e+-]+/); s = substr($0, RSTART + 16, RLENGTH - 16)
        printf "%-9s %d sweeps in %.3f s: %.4f s per sweep\n", loss, n, s, s / n }'
  done
  mpirun -n 2 "$B/benign" recommend --model="$data/implicit-implicit.h5" \
    --top=10 --output="$data/implicit-top10.h5" 2>/dev/null | tail -1
} | tee "$out"
