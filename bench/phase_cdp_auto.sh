#!/usr/bin/env bash
# Benchmark: benign phase on coded diffraction patterns with the default
# method (--method=auto: raf from the optimal spectral start) against the
# former recipe (--method=raf, its weighted start), to relative error
# 1e-8 (--tol=0 --gatol=0: only the error stops it), on NP processes,
# REPEATS times each, for each SIZE:L case: iterations, init (spectral
# start) and solve seconds from the timing table, the program's own
# seconds ("in all": reading, FFTW planning, init, solve, writing) and the
# wall seconds of the whole command (MPI start-up included). The peer's
# (PhasePack under GNU Octave) command lines are in bench/README.md.
# Usage: bench/phase_cdp_auto.sh BUILD_DIR [CASES] [REPEATS] [NP]
set -euo pipefail
. "$(dirname "$0")/../scripts/env.sh"
B=${1:?build dir}/benign
CASES=${2:-128:4 512:8}
R=${3:-3}
NP=${4:-1}
T=$(mktemp -d)
trap 'rm -rf "$T" "$BN_PRIVATE_TMP"' EXIT
A=(--rel-tol=1e-8 --tol=0 --gatol=0 --max-iter=3000 --progress=false
  --certificate=off)
for c in $CASES; do
  N=${c%%:*} L=${c##*:}
  "$B" generate phase --model=cdp --height="$N" --width="$N" \
    --patterns="$L" --seed=1 --output="$T/c.h5" >/dev/null
  for meth in auto raf; do
    arg=()
    [ "$meth" = auto ] || arg=(--method="$meth")
    for r in $(seq 1 "$R"); do
      s0=$(date +%s.%N)
      mpirun --oversubscribe -n "$NP" "$B" phase --input="$T/c.h5" \
        "${arg[@]}" "${A[@]}" --output="$T/o.h5" >"$T/log" 2>&1 ||
        { cat "$T/log"; exit 1; }
      s1=$(date +%s.%N)
      awk -v c="$N^2 L=$L" -v m="$meth" -v r="$r" -v w="$(echo "$s1 - $s0" | bc)" \
        -v ld="$(cut -d' ' -f1-3 /proc/loadavg)" '
        /after [0-9]+ iterations/ {for (i = 1; i <= NF; i++)
          if ($i == "after") its = $(i + 1)}
        /rel_error =/ {for (i = 1; i <= NF; i++)
          if ($i == "rel_error") err = $(i + 2)}
        /in all\)/ {gsub(/[(]/, ""); for (i = 1; i <= NF; i++)
          if ($i == "s" && $(i + 1) == "in") total = $(i - 1)}
        /^  init/ {init = $4}
        /^  solve/ {solve = $4}
        END {printf "%s %-4s run %d: iterations %d (error %s), init %.3f s, " \
                    "solve %.3f s, init+solve %.3f s, in all %.2f s, wall " \
                    "%.2f s (load %s)\n", c, m, r, its, err, init, solve,
                    init + solve, total, w, ld}' "$T/log"
    done
  done
done
