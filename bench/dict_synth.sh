#!/usr/bin/env bash
# The synthesis model on real patches: all 255,025 sliding 8x8 patches of
# camera.png (python3-skimage), centered and scaled to unit norm, 256
# atoms, lambda = 0.15. benign dict --method=synthesis, online
# (--batch-size, default 512; one iteration = --iter-batches=50
# mini-batches, 25,600 patches), on NP processes (default 2): training
# seconds until the mean objective 1/2 |y - A x|^2 + lambda |x|_1 per patch,
# codes from a converged lasso of every patch (the run's final step,
# timed apart), is at most TARGET (0.3152): runs of STEP, 2 STEP, ...
# iterations (each from the start) until one reaches it. Then the same patches through
# scikit-learn's MiniBatchDictionaryLearning (bench/dict_sklearn.py, with
# Debian's /usr/bin/python3), evaluated by the same benign evaluation, and
# the ratio of the two times. Writes bench/results/dict_synth.txt.
#   BN_BENCH_NP, BN_BENCH_BATCH, BN_BENCH_TARGET, BN_BENCH_STEP (2),
#   BN_BENCH_ITER_BATCHES (50), BN_BENCH_MAX_ITERS (30),
#   BN_BENCH_SK_CAP (scikit-learn's training time cap, seconds, 600),
#   BN_BENCH_SK_EPOCHS (its passes at most, 1), BN_BENCH_SKIP_SK=1.
# Needs: apt-get install -y python3-skimage python3-sklearn python3-h5py
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
np=${BN_BENCH_NP:-2} bs=${BN_BENCH_BATCH:-512} target=${BN_BENCH_TARGET:-0.3152}
step=${BN_BENCH_STEP:-2} ib=${BN_BENCH_ITER_BATCHES:-50}
maxi=${BN_BENCH_MAX_ITERS:-30}
data=${BN_BENCH_DATA:-bench/data}
build=${BN_BUILD:-build}
png=/usr/lib/python3/dist-packages/skimage/data/camera.png
mkdir -p "$data" bench/results
in="$data/camera-8x8.h5"
[ -x "$build/benign" ] || bash scripts/setup.sh
[ -f "$png" ] || {
  echo "no $png: apt-get install -y python3-skimage" >&2
  exit 1
}
[ -f "$in" ] || "$build/benign" import --format=image --input="$png" \
  --patch=8x8 --stride=1 --center=true --unit-norm=true --output="$in"
out=bench/results/dict_synth.txt
field() { sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p" "$2"; }
{
  echo "# benign dict --method=synthesis on camera.png 8x8 patches," \
    "$(date -u +%Y-%m-%d), $(nproc) cores:" \
    "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2);" \
    "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# 255,025 patches, 256 atoms, lambda 0.15, --batch-size=$bs," \
    "--iter-batches=$ib, $np processes, target mean objective $target"
  ours=nan
  for its in $(seq "$step" "$step" "$maxi"); do
    mpirun -n "$np" "$build/benign" dict --input="$in" --method=synthesis \
      --atoms=256 --lambda=0.15 --batch-size="$bs" --iter-batches="$ib" \
      --max-iter="$its" \
      --codes=none --json --progress=false \
      --atoms-png=bench/results/dict_synth_camera_atoms.png \
      --output="$data/camera-synth.h5" >"$data/synth.json" 2>"$data/synth.err"
    obj=$(field synthesis_objective "$data/synth.json")
    train=$(field solve_seconds "$data/synth.json")
    total=$(field seconds "$data/synth.json")
    grep "final codes" "$data/synth.err" | sed 's/^/#   /'
    echo "benign: $its iterations ($((its * ib * bs)) patches seen): training" \
      "${train} s, mean objective" \
      "${obj} (converged lasso of every patch), whole run ${total} s"
    if awk -v o="$obj" -v t="$target" 'BEGIN { exit !(o <= t) }'; then
      ours=$train
      echo "BENIGN_SECONDS_TO_TARGET=$ours ($its iterations, $np processes)"
      break
    fi
  done
  [ "$ours" = nan ] && echo "BENIGN_NOT_REACHED in $maxi iterations"
  if [ "${BN_BENCH_SKIP_SK:-0}" != 1 ]; then
    OPENBLAS_NUM_THREADS=$np OMP_NUM_THREADS=$np \
      /usr/bin/python3 bench/dict_sklearn.py --input="$in" --work="$data" \
      --benign="$build/benign" --np="$np" --alpha=0.15 --atoms=256 \
      --time-cap="${BN_BENCH_SK_CAP:-600}" \
      --epochs="${BN_BENCH_SK_EPOCHS:-1}" --target="$target" \
      --ours-seconds="$ours" --ours-dict="$data/camera-synth.h5"
  fi
  echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
} 2>&1 | tee "$out"
