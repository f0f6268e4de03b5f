#!/usr/bin/env bash
# Exact recovery near the information limit, per solver (issue 16):
#   1. 1000 x 1000, rank 5, m = F r (2n - r) entries for F = 2 and 3, five
#      seeds each: how many instances each solver recovers to relative
#      error 1e-6 within 5000 iterations, and the median iterations and
#      solve seconds of those it recovers. Solvers: the default (gd with
#      --incoherence=auto), gd without the penalty, agd, als (lambda 0),
#      cg (conjugate gradient in the scaled metric, --incoherence=auto).
#   2. 50000 x 25000, rank 32, 2x oversampled (4.8 M entries): iterations
#      and seconds to 1e-6 for gd (default), agd, als and cg.
#   3. the 200000 x 100000, rank 32, 20 M-entry instance of
#      bench/complete.sh with the default solver and cg: iterations and
#      seconds to 1e-6 (BN_BENCH_TIME, default 600 s, bounds each solve);
#      cg also with --precision=mixed (the ghost rows stored in single
#      precision until the relative residual is below 3e-7), here and on
#      the 4.8 M instance, and on 20 M once more with --tile-cache=0 (the
#      pass without column tiles: the same iterates, bit for bit).
# 2 processes. Raw output: bench/results/complete_exact.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
data=${BN_BENCH_DATA:-bench/data}
build=${BN_BUILD:-build}
mkdir -p "$data" bench/results
[ -x "$build/benign" ] || bash scripts/setup.sh
B="$build/benign"
field() { sed -n "s/.*\"$1\":\"*\([^,}\"]*\).*/\1/p" "$2"; }
# run NAME ARGS...: one line, iterations, passes over the entries (f and
# gradient evaluations), seconds, relative error, reason.
run() {
  local name=$1
  shift
  mpirun -n 2 "$B" complete "$@" --tol=0 --rel-tol=1e-6 --certificate=off \
    --json --output="$TMPDIR/o.h5" >"$TMPDIR/r.json" 2>"$TMPDIR/r.err" || true
  printf '%-28s %6s its %6s passes %8.2f s  rel %9.3e  %s\n' "$name" \
    "$(field iterations "$TMPDIR/r.json")" \
    "$(awk '/entries kernel/ { print $NF }' "$TMPDIR/r.err")" \
    "$(field solve_seconds "$TMPDIR/r.json")" \
    "$(field rel_error "$TMPDIR/r.json")" "$(field reason "$TMPDIR/r.json")"
}
exec > >(tee bench/results/complete_exact.txt) 2>&1
echo "# benign complete, exact recovery, $(date -u +%Y-%m-%d), $(nproc) cores:" \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2);" \
  "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for F in 2 3; do
  rate=$(awk -v f="$F" 'BEGIN { printf "%.6f", f * 5 * 1995 / 1e6 }')
  echo
  echo "## 1000 x 1000, rank 5, $F x oversampled (sample rate $rate)"
  for seed in 1 2 3 4 5; do
    f="$data/exact-$F-$seed.h5"
    [ -f "$f" ] || mpirun -n 2 "$B" generate complete --output="$f" \
      --rows=1000 --cols=1000 --rank=5 --sample-rate="$rate" --seed="$seed" >/dev/null
    A=(--input="$f" --rank=5 --max-iter=5000)
    run "seed $seed default (gd)" "${A[@]}"
    run "seed $seed gd, no penalty" "${A[@]}" --incoherence=0
    run "seed $seed agd" "${A[@]}" --solver=agd
    run "seed $seed als" "${A[@]}" --solver=als
    run "seed $seed cg" "${A[@]}" --solver=cg
  done
done
f="$data/complete-50000x25000-r32.h5"
[ -f "$f" ] || mpirun -n 2 "$B" generate complete --output="$f" --rows=50000 \
  --cols=25000 --rank=32 --sample-rate=0.00384 --seed=32 >/dev/null
echo
echo "## 50000 x 25000, rank 32, 4.8 M entries (2 x oversampled)"
A=(--input="$f" --rank=32 --max-iter=5000 --time-limit=300)
run "default (gd)" "${A[@]}"
run "agd" "${A[@]}" --solver=agd
run "als" "${A[@]}" --solver=als
run "cg" "${A[@]}" --solver=cg
run "cg, --precision=mixed" "${A[@]}" --solver=cg --precision=mixed
f="$data/complete-200000x100000-r32.h5"
[ -f "$f" ] || mpirun -n 2 "$B" generate complete --output="$f" --rows=200000 \
  --cols=100000 --rank=32 --sample-rate=0.001 --seed=32 >/dev/null
echo
echo "## 200000 x 100000, rank 32, 20 M entries (2 x oversampled)"
run "default (gd)" --input="$f" --rank=32 --max-iter=5000 \
  --time-limit="${BN_BENCH_TIME:-600}"
run "cg" --input="$f" --rank=32 --max-iter=5000 --solver=cg \
  --time-limit="${BN_BENCH_TIME:-600}"
run "cg, --precision=mixed" --input="$f" --rank=32 --max-iter=5000 --solver=cg \
  --precision=mixed --time-limit="${BN_BENCH_TIME:-600}"
run "cg, mixed, --tile-cache=0" --input="$f" --rank=32 --max-iter=5000 \
  --solver=cg --precision=mixed --tile-cache=0 \
  --time-limit="${BN_BENCH_TIME:-600}"
