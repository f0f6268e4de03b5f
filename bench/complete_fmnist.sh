#!/usr/bin/env bash
# Completion on real data: Fashion-MNIST pixels (Debian's
# dataset-fashion-mnist, all 70,000 images as rows of a 70000 x 784 matrix,
# values / 255), each entry observed with probability 0.3, 5% of those held
# out (bench/fmnist_complete.py; 15.6 M training and 0.82 M test entries).
# Rank 20, --solver=als --lambda=0.002 (count-scaled: LIBMF's -l2 0.002),
# at 1 and 2 processes:
#   - the iteration and solve time at which the test RMSE first reaches
#     BN_BENCH_TARGET (default 0.14824 = 1.005 x the final RMSE of LIBMF's
#     18 epochs on this split, measured side by side: bench/README.md);
#   - the file-to-answer wall time (mpirun to exit: reading, init, solve,
#     writing) of the run stopped at that iteration (--max-iter);
#   - peak resident memory per observed entry, the ALS sweep's seconds and
#     entries per second (the timing table);
#   - the run with the default early stopping: iterations, final RMSE.
# Also writes the LIBMF text files beside the input, for a side-by-side
# run of a peer built elsewhere (never by this script).
# Raw output: bench/results/complete_fmnist.txt.
# Needs: apt-get install -y dataset-fashion-mnist python3-h5py python3-numpy
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
data=${BN_BENCH_DATA:-bench/data}
target=${BN_BENCH_TARGET:-0.14824}
build=${BN_BUILD:-build}
mkdir -p "$data" bench/results
[ -x "$build/benign" ] || bash scripts/setup.sh
[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || {
  echo "no Fashion-MNIST: apt-get install -y dataset-fashion-mnist" >&2
  exit 1
}
in="$data/fmnist-complete.h5"
[ -f "$in" ] || /usr/bin/python3 bench/fmnist_complete.py "${in%.h5}"
out=bench/results/complete_fmnist.txt
A=(complete --input="$in" --rank=20 --solver=als --lambda=0.002)
field() { sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p" "$2"; }
: >"$out"
exec > >(tee "$out") 2>&1
echo "# benign complete on Fashion-MNIST, $(date -u +%Y-%m-%d), $(nproc) cores:" \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2);" \
  "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
entries=$(h5ls "$in/omega/row" | sed 's/.*{\([0-9]*\)}.*/\1/')
tests=$(h5ls "$in/test/row" | sed 's/.*{\([0-9]*\)}.*/\1/')
echo "entries: $entries training, $tests test; target test RMSE $target"
for np in 1 2; do
  echo
  echo "## $np process(es)"
  mpirun -n "$np" "$build/benign" "${A[@]}" --monitor --json \
    --output="$TMPDIR/es.h5" >"$TMPDIR/es.json" 2>"$TMPDIR/es.log"
  grep -E '^its|^converged|^stopped|^saved|  als:|entries kernel|  init|peak' \
    "$TMPDIR/es.log"
  hit=$(awk -v t="$target" '/^its/ { it = $3 + 0; for (k = 1; k <= NF; k++)
    if ($k == "test_rmse") { if ($(k + 2) + 0 <= t) { print it; exit } } }' \
    "$TMPDIR/es.log")
  [ -n "$hit" ] || { echo "target not reached"; continue; }
  sec=$(awk -v n="$hit" '/^its/ && $3 + 0 == n { gsub(/[()s]/, "", $5); print $5 }' \
    "$TMPDIR/es.log")
  echo "target reached at iteration $hit, $sec s of solve"
  t0=$(date +%s.%N)
  mpirun -n "$np" "$build/benign" "${A[@]}" --max-iter="$hit" --json \
    --output="$TMPDIR/hit.h5" >"$TMPDIR/hit.json" 2>"$TMPDIR/hit.log"
  t1=$(date +%s.%N)
  echo "file to answer ($hit iterations): $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s wall," \
    "test RMSE $(field test_rmse "$TMPDIR/hit.json")"
  pk=$(field peak_memory_max "$TMPDIR/hit.json")
  echo "peak memory per process: $(awk -v p="$pk" 'BEGIN { printf "%.1f", p / 1e6 }') MB," \
    "$(awk -v p="$pk" -v n="$entries" -v t="$tests" -v np="$np" 'BEGIN { printf "%.1f", np * p / (n + t) }')" \
    "bytes per observed entry (all processes)"
  # timing table: NAME... min max mean calls (the name is 3 words here)
  awk -v n="$entries" '/als: row solves|als: column solves/ { s += $5; c = $7 }
    END { if (c) printf "ALS sweep %.3f s (slowest process), %.1f M entries/s\n", s / c, n / (s / c) / 1e6 }' \
    "$TMPDIR/hit.log"
done
