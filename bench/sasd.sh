#!/usr/bin/env bash
# Benchmark: benign sasd (short-and-sparse blind deconvolution, iADM).
#  1. A generated SIZE x SIZE image (default 4096) with a K x K Gaussian
#     kernel (default 16, theta = (K^2)^(-3/4)) on NP processes (default 2,
#     FFTW-MPI slabs): ITS iterations (default 40) of iADM; seconds per
#     iteration, against the mean time of a bare forward + backward
#     real-to-complex FFT pair of the same size with the same plans in the
#     same run (--fft-bench=10: 10 pairs before and 10 after the solve, the
#     smaller mean; an iteration needs 4 transforms = 2 pairs, plus
#     pointwise passes and small reductions), the time inside the FFT calls
#     during the solve, and the peak resident memory (VmHWM) of each
#     process, max and min.
#  2. The ECG demo: scipy's electrocardiogram (scripts/sasd_data.py, the
#     first 60 s = 21600 samples, baseline removed), k = 256 (0.71 s at
#     360 Hz), 1 process (a 1-D signal is replicated); the kernel's plot is
#     bench/results/sasd_ecg_kernel.png.
#  3. A 2-D real image: scipy's 512 x 512 `ascent` (mean removed), 7 x 7
#     kernel, 2 processes; pictures bench/results/sasd_ascent_*.png.
# Usage: bench/sasd.sh BUILD_DIR [NP] [SIZE] [K] [ITS]
set -euo pipefail
. "$(dirname "$0")/../scripts/env.sh"
B=${1:?build dir}/benign
NP=${2:-2}
N=${3:-4096}
K=${4:-16}
ITS=${5:-40}
R=$(cd "$(dirname "$0")" && pwd)/results
T=$(mktemp -d)
trap 'rm -rf "$T" "$BN_PRIVATE_TMP"' EXIT
echo "load before: $(uptime)"
echo "== 1. ${N} x ${N} image, ${K} x ${K} kernel, ${NP} processes, ${ITS} iterations"
mpirun -n "$NP" "$B" generate sasd --height="$N" --width="$N" \
  --kernel-size="$K" --seed=1 --output="$T/img.h5"
mpirun -n "$NP" "$B" sasd --input="$T/img.h5" --output="$T/r.h5" \
  --max-iter="$ITS" --stage-iter=20 --fft-bench=10 --monitor \
  --monitor-every=10 --json >"$T/j.out"
cat "$T/j.out"
awk -F'[:,]' '{for (i = 1; i < NF; i++) {
    if ($i == "\"seconds_per_iteration\"") spi = $(i + 1)
    if ($i == "\"iterations\"") its = $(i + 1)
    if ($i == "\"solve_seconds\"") sol = $(i + 1)
    if ($i == "\"fft_seconds_in_solve\"") fin = $(i + 1)
    if ($i == "\"fft_pair_seconds\"") fp = $(i + 1)
    if ($i == "\"fft_pair_seconds_before\"") fb = $(i + 1)
    if ($i == "\"fft_pair_seconds_after\"") fa = $(i + 1)
    if ($i == "\"peak_rss_mb_max\"") mx = $(i + 1)
    if ($i == "\"peak_rss_mb_min\"") mn = $(i + 1)
    if ($i == "\"kernel_error\"") ke = $(i + 1) }}
  END {
    printf "SUMMARY seconds/iteration %.3f; bare FFT pair %.3f (before %.3f, after %.3f)\n", spi, fp, fb, fa
    printf "SUMMARY iteration / bare pair = %.2f (an iteration needs 2 pairs: %.2f x that)\n", spi / fp, spi / (2 * fp)
    printf "SUMMARY FFTs inside the solve: %.1f s of %.1f s (%.0f%%)\n", fin, sol, 100 * fin / sol
    printf "SUMMARY peak RSS per process %.0f-%.0f MB; kernel error after %d iterations %s\n", mn, mx, its, ke
  }' "$T/j.out"
echo "load after: $(uptime)"

echo "== 2. ECG (scipy.misc.electrocardiogram, 60 s), k = 256, 1 process"
if /usr/bin/python3 "$(dirname "$0")/../scripts/sasd_data.py" ecg "$T/ecg.h5" 60; then
  mpirun -n 1 "$B" sasd --input="$T/ecg.h5" --kernel-size=256 \
    --output="$T/ecg_r.h5" --max-iter=3000 --png-prefix="$R/sasd_ecg"
else
  echo "(skipped: needs /usr/bin/python3 with python3-scipy and python3-h5py)"
fi

echo "== 3. ascent (scipy.misc.ascent, 512 x 512), 7 x 7 kernel, 2 processes"
if /usr/bin/python3 "$(dirname "$0")/../scripts/sasd_data.py" ascent "$T/ascent.pgm"; then
  mpirun -n 2 "$B" sasd --input="$T/ascent.pgm" --kernel-size=7 \
    --output="$T/asc_r.h5" --max-iter=1000 --png-prefix="$R/sasd_ascent"
else
  echo "(skipped: needs /usr/bin/python3 with python3-scipy)"
fi
