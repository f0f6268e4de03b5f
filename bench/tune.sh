#!/usr/bin/env bash
# Model selection (issue 17, item 3): `benign tune` on a synthetic
# ratings instance (biases, values clipped to 1..5, 10% held out), 2
# processes: the grid's validation RMSE, the chosen point, and how the
# chosen model's held-out RMSE compares with the best held-out RMSE of the
# grid (each point refitted on all the training entries by `complete` and
# scored on /test). Writes bench/results/tune.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
export OPENBLAS_NUM_THREADS=1
B=${BN_BUILD_DIR:-build}
[ -x "$B/benign" ] || bash scripts/setup.sh
data=${BN_BENCH_DATA:-bench/data}
mkdir -p "$data" bench/results
in="$data/tune-ratings.h5"
[ -f "$in" ] || mpirun -n 2 "$B/benign" generate complete --rows=20000 \
  --cols=5000 --rank=8 --sample-rate=0.02 --noise=0.5 --bias-scale=0.5 \
  --value-range=1,5 --test-fraction=0.1 --seed=21 --output="$in" >/dev/null
ranks=4,8,16 lambdas=0.01,0.03,0.1
out=bench/results/tune.txt
{
  echo "# benign tune benchmark, $(date -u +%Y-%m-%d), $(nproc) cores:" \
    "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
  echo "# $in: 20000 x 5000, rank 8, biases, noise 0.5, clipped to 1..5, 10% held out"
  t0=$(date +%s.%N)
  mpirun -n 2 "$B/benign" tune --input="$in" --output="$data/tune-model.h5" \
    --ranks=$ranks --lambdas=$lambdas --bias=true --solver=als --json \
    2>"$data/tune.log" >"$data/tune.json"
  t1=$(date +%s.%N)
  sed -n '/rank       lambda/,/^chose/p' "$data/tune.log"
  echo "tune wall time: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s"
  echo "chosen model's held-out RMSE: $(sed -n 's/.*"test_rmse":\([0-9.e+-]*\).*/\1/p' "$data/tune.json")"
  echo "every point refitted on all the training entries, held-out RMSE:"
  best=""
  for r in ${ranks//,/ }; do
    for l in ${lambdas//,/ }; do
      v=$(mpirun -n 2 "$B/benign" complete --input="$in" --rank=$r --lambda=$l \
        --bias=true --solver=als --early-stop=0 --json --progress=off \
        --output="$data/tune-point.h5" 2>/dev/null |
        sed -n 's/.*"test_rmse":\([0-9.e+-]*\).*/\1/p')
      printf "  rank %2d lambda %-5s %s\n" "$r" "$l" "$v"
      best=$(awk -v a="$best" -v b="$v" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }')
    done
  done
  echo "best held-out RMSE of the grid: $best"
} | tee "$out"
