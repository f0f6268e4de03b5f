#!/usr/bin/env bash
# Benchmark: benign phase --model=cdp, 1024 x 1024 complex image, L = 8
# octanary patterns: seconds to relative error 1e-8 (twf, default gd
# solver, no certificate) and the time per evaluation against the bare
# FFTs of the same plans in the same run (the `cdp FFTs` line of the
# timing table: 2L transforms per gradient, 3L per Hessian-vector product).
# Usage: bench/phase_cdp.sh BUILD_DIR [NP] [SIZE] [L]
set -euo pipefail
B=${1:?build dir}/benign
NP=${2:-1}
N=${3:-1024}
L=${4:-8}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
echo "load: $(uptime)"
"$B" generate phase --model=cdp --height="$N" --width="$N" --patterns="$L" \
  --seed=1 --output="$T/cdp.h5"
mpirun --oversubscribe -n "$NP" "$B" phase --input="$T/cdp.h5" \
  --method=twf --rel-tol=1e-8 --max-iter=1000 --progress=false \
  --certificate=off --output="$T/out.h5" 2>&1 | tee "$T/log"
awk '/^  cdp FFTs/ {fft = $4} /^  measurements pass/ {pass = $4}
     /^  solve/ {solve = $4}
     END {if (fft > 0) printf "pass / FFTs = %.2f, solve / FFTs = %.2f\n",
          pass / fft, solve / fft}' "$T/log"
