#!/usr/bin/env bash
# Benchmark: benign deconv (multichannel sparse blind deconvolution).
#  1. 1-D, n = 200, p = 50, theta = 0.25 (the multichannel paper's setting;
#     its authors' MATLAB code takes about 50 s under GNU Octave on this
#     kind of machine -- quoted from the issue, not rerun here): huber
#     from random starts (seeds 1..SEEDS) at each process count of NPS;
#     the kernel error after rounding, and the seconds of the solve plus
#     the rounding (the time to an error below 1e-6: the error reaches
#     machine precision only through the rounding) and of the whole
#     command (start to result file written).
#  2. Large instances, with bench_deconv (bench/deconv_bench.c): 1-D
#     n = 4096, p = 10000 and 2-D 256 x 256, p = 1000: seconds per
#     evaluation (objective and gradient) and per gd iteration against the
#     bare FFTW transforms of the same channels with the same plans in the
#     same run (one c2r and one r2c of every channel).
# Usage: bench/deconv.sh BUILD_DIR [NPS] [SEEDS] [LARGE=1]
set -euo pipefail
. "$(dirname "$0")/../scripts/env.sh"
BD=${1:?build dir}
B=$BD/benign
NPS=${2:-1 2}
SEEDS=${3:-5}
LARGE=${4:-1}
T=$(mktemp -d)
trap 'rm -rf "$T" "$BN_PRIVATE_TMP"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
field() { sed -n "s/.*[{,]\"$1\":\\([^,}]*\\).*/\\1/p" "$2" | head -1; }
echo "load before: $(uptime)"
echo "== 1-D n=200 p=50 theta=0.25, huber, random starts"
mpirun -n 1 "$B" generate deconv --output="$T/s.h5" --n=200 --channels=50 \
  --theta=0.25 --seed=1 >/dev/null
for np in $NPS; do
  for s in $(seq 1 "$SEEDS"); do
    mpirun -n "$np" "$B" deconv --input="$T/s.h5" --output="$T/r.h5" \
      --seed="$s" --json --progress=false 2>/dev/null >"$T/j"
    e=$(field kernel_error "$T/j")
    sv=$(field solve_seconds "$T/j")
    rs=$(field rounding_seconds "$T/j")
    tot=$(field seconds "$T/j")
    its=$(field iterations "$T/j")
    awk -v np="$np" -v s="$s" -v e="$e" -v sv="$sv" -v rs="$rs" -v t="$tot" \
      -v i="$its" 'BEGIN { printf "np=%s seed=%s iterations=%s kernel_error=%s solve+rounding=%.3f s (solve %.3f, rounding %.3f) command=%.3f s\n", np, s, i, e, sv + rs, sv, rs, t }'
  done
done
if [ "$LARGE" = 1 ]; then
  echo "== 1-D n=4096 p=10000 theta=0.25"
  mpirun -n 2 "$B" generate deconv --output="$T/b1.h5" --n=4096 \
    --channels=10000 --theta=0.25 --store-codes=false >/dev/null
  for np in $NPS; do mpirun -n "$np" "$BD/bench_deconv" "$T/b1.h5" 5; done
  mpirun -n 2 "$BD/bench_deconv" "$T/b1.h5" 5 measure
  rm -f "$T/b1.h5"
  echo "== 2-D 256x256 p=1000 theta=0.2"
  mpirun -n 2 "$B" generate deconv --output="$T/b2.h5" --n=256 --height=256 \
    --channels=1000 --theta=0.2 --store-codes=false >/dev/null
  for np in $NPS; do mpirun -n "$np" "$BD/bench_deconv" "$T/b2.h5" 3; done
  rm -f "$T/b2.h5"
fi
echo "load after: $(uptime)"
