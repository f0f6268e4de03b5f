#!/usr/bin/env bash
# Robust PCA, the two methods side by side (issue 21): accelerated
# alternating projections (--method=altproj) and the gradient method
# (--method=gd, the default) on the same instance as bench/rpca.sh --
# N x N, rank 5, 10% of the entries corrupted (~10x the largest entry),
# dense M -- to relative error 1e-6 of the low-rank part, on 2 processes,
# REPEAT times alternating. Writes bench/results/rpca_altproj-N.txt.
# BN_BENCH_N sets N (default 3000; 10000 is bench/rpca.sh's size),
# BN_BENCH_REPEAT the repeats (3), BN_BENCH_NP the processes (2),
# BN_BENCH_DATA the data directory, BENIGN the program. ALTPROJ_ARGS adds
# options to the altproj runs (e.g. --power-iters=1).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
n=${BN_BENCH_N:-3000}
reps=${BN_BENCH_REPEAT:-3}
np=${BN_BENCH_NP:-2}
data=${BN_BENCH_DATA:-bench/data}
benign=${BENIGN:-build/benign}
mkdir -p "$data" bench/results
in="$data/rpca-${n}x${n}-r5.h5"
if [ ! -f "$in" ]; then
  mpirun -n 2 "$benign" generate rpca --output="$in" --rows="$n" --cols="$n" \
    --rank=5 --corrupt=0.1 --magnitude=10 --seed=10
fi
run() { # run METHOD [OPTIONS]: one solve, its JSON line and timing table
  echo "### --method=$1 ${*:2} (load: $(cut -d' ' -f1-3 /proc/loadavg))"
  /usr/bin/time -f "cpu: user %U s, sys %S s, wall %e s (all processes)" \
    mpirun -n "$np" "$benign" rpca --input="$in" --rank=5 --alpha=0.1 \
    --method="$1" "${@:2}" --rel-tol=1e-6 --tol=0 --max-iter=200 \
    --output="$data/rpca-altproj-out.h5" --progress=false \
    --certificate=off --json
}
out=bench/results/rpca_altproj-$n.txt
{
  echo "# benign rpca: altproj and gd, ${n} x ${n}, $np processes," \
    "$(date -u +%Y-%m-%d), $(nproc) cores:" \
    "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
  for ((k = 1; k <= reps; k++)); do
    echo
    echo "## repeat $k"
    # shellcheck disable=SC2086 # ALTPROJ_ARGS: several options
    run altproj ${ALTPROJ_ARGS:-}
    run gd
  done
} 2>&1 | tee "$out"
