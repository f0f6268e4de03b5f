#!/usr/bin/env bash
# Benchmark: benign phase --model=cdp (coded diffraction patterns).
#  1. SIZE x SIZE complex image (default 1024), L patterns (default 8), at
#     each process count of NPS (default "1 2"): raf (reweighted amplitude
#     flow, its weighted spectral start, gd with line search) run until the
#     relative error to the truth is below 1e-8 (--tol=0 --gatol=0: only
#     the error stops it); seconds to 1e-8, and the time per iteration
#     against the bare FFTs of the same plans in the same run (the `cdp
#     FFTs` timer: only the fftw_mpi_execute_dft calls; an iteration needs
#     2L transforms per evaluation).
#  2. 128 x 128, L = 4, 1 process: the size of PhasePack's TAF figure
#     quoted in the issue (about 1.9 s under GNU Octave on this kind of
#     machine): seconds to 1e-8, command start to result file written.
#     The default method (auto) against PhasePack measured side by side:
#     bench/phase_cdp_auto.sh and bench/README.md.
# Usage: bench/phase_cdp.sh BUILD_DIR [NPS] [SIZE] [L]
set -euo pipefail
. "$(dirname "$0")/../scripts/env.sh"
B=${1:?build dir}/benign
NPS=${2:-1 2}
N=${3:-1024}
L=${4:-8}
T=$(mktemp -d)
trap 'rm -rf "$T" "$BN_PRIVATE_TMP"' EXIT
echo "load before: $(uptime)"
A=(--method=raf --rel-tol=1e-8 --tol=0 --gatol=0 --max-iter=2000
  --progress=false --certificate=off)

# report LOG NP: the figures from one run's log and timing table.
report() {
  awk -v np="$2" -v L="$3" '
    /^converged|^stopped/ {reason = $0}
    /after [0-9]+ iterations/ {for (i = 1; i <= NF; i++)
      if ($i == "after") its = $(i + 1)}
    /rel_error =/ {for (i = 1; i <= NF; i++) if ($i == "rel_error") err = $(i + 2)}
    /in all\)/ {gsub(/[(]/, ""); for (i = 1; i <= NF; i++)
      if ($i == "s" && $(i + 1) == "in") total = $(i - 1)}
    /^  cdp FFTs/ {fft = $4; nfft = $6}
    /^  measurements pass/ {pass = $4; npass = $6}
    /^  init/ {init = $4}
    /^  solve/ {solve = $4}
    END {
      per = fft / nfft
      printf "np=%s: %s\n", np, reason
      printf "  iterations %d, rel_error %s, init %.2f s, solve %.2f s, " \
             "total %.2f s\n", its, err, init, solve, total
      printf "  one FFT %.2f ms; per iteration %.3f s = %.2fx the %d " \
             "bare FFTs of one evaluation (%.2f evaluations per iteration)\n",
             1e3 * per, solve / its, solve / its / (2 * L * per), 2 * L,
             npass / its
      printf "  pass / its own FFTs = %.2f\n", pass / (npass * 2 * L * per)
    }' "$1"
}

"$B" generate phase --model=cdp --height="$N" --width="$N" --patterns="$L" \
  --seed=1 --output="$T/cdp.h5"
for np in $NPS; do
  echo "== ${N} x ${N}, L = $L, $np process(es)"
  mpirun --oversubscribe -n "$np" "$B" phase --input="$T/cdp.h5" "${A[@]}" \
    --output="$T/out$np.h5" >"$T/log$np" 2>&1 || { cat "$T/log$np"; exit 1; }
  grep -A12 '^timing' "$T/log$np"
  report "$T/log$np" "$np" "$L"
done

echo "== 128 x 128, L = 4, 1 process (PhasePack TAF: ~1.9 s quoted)"
"$B" generate phase --model=cdp --height=128 --width=128 --patterns=4 \
  --seed=1 --output="$T/small.h5" >/dev/null
s0=$(date +%s.%N)
"$B" phase --input="$T/small.h5" "${A[@]}" --output="$T/small-out.h5" \
  >"$T/small.log" 2>&1 || { cat "$T/small.log"; exit 1; }
s1=$(date +%s.%N)
report "$T/small.log" 1 4
awk -v a="$s0" -v b="$s1" 'BEGIN {d = b - a
  printf "  wall (command) %.2f s; PhasePack TAF 1.9 s / ours = %.1fx\n",
         d, 1.9 / d}'
echo "load after: $(uptime)"
