#!/usr/bin/env bash
# Benchmark: benign phase's success rate against m/n (PhasePack's protocol:
# complex Gaussian x and A, n = 100, success = relative error to the truth
# after removing the global phase below 1e-5), TRIALS instances per ratio
# (seeds 1..TRIALS), for each method given. Each run stops at relative
# error 1e-8 or after 10000 iterations (PhasePack's maxIters).
# Usage: bench/phase_transition.sh BUILD_DIR [TRIALS] [RATIOS] [METHODS]
#   METHODS: space-separated; "auto" is the default method (no --method).
set -euo pipefail
. "$(dirname "$0")/../scripts/env.sh"
B=${1:?build dir}/benign
TRIALS=${2:-50}
RATIOS=${3:-2 2.5 3 3.5 4 5 6}
METHODS=${4:-auto wf twf raf rwf}
T=$(mktemp -d)
trap 'rm -rf "$T" "$BN_PRIVATE_TMP"' EXIT
echo "load before: $(uptime)"
for r in $RATIOS; do
  for s in $(seq 1 "$TRIALS"); do
    "$B" generate phase --n=100 --oversampling="$r" --seed="$s" \
      --output="$T/p$r-$s.h5" >/dev/null
  done
done
for meth in $METHODS; do
  arg=()
  [ "$meth" = auto ] || arg=(--method="$meth")
  for r in $RATIOS; do
    ok=0 its=0 t0=$(date +%s.%N)
    for s in $(seq 1 "$TRIALS"); do
      "$B" phase --input="$T/p$r-$s.h5" "${arg[@]}" --output="$T/r.h5" \
        --rel-tol=1e-8 --tol=0 \
        --gatol=0 --max-iter=10000 --progress=false --certificate=off \
        --json >"$T/out" 2>&1 || { cat "$T/out"; exit 1; }
      line=$(grep '^{' "$T/out" | tail -1)
      err=$(sed 's/.*"rel_error":\([^,}]*\).*/\1/' <<<"$line")
      it=$(sed 's/.*"iterations":\([0-9]*\).*/\1/' <<<"$line")
      its=$((its + it))
      ok=$((ok + $(awk -v e="$err" 'BEGIN {print (e < 1e-5) ? 1 : 0}')))
    done
    awk -v m="$meth" -v r="$r" -v ok="$ok" -v n="$TRIALS" -v its="$its" \
      -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {
      printf "%s m/n=%s: %d/%d succeeded (rel error < 1e-5), mean " \
             "iterations %.0f, %.1f s\n", m, r, ok, n, its / n, b - a}'
  done
done
echo "load after: $(uptime)"
