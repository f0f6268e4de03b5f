#!/usr/bin/env bash
# Fashion-MNIST (Debian's dataset-fashion-mnist: 60,000 + 10,000 images of
# 28x28): 8x8 patches of all 70,000 images (stride 1, centered, unit norm;
# constant patches dropped), a uniform random sample of them
# (--max-patches per file, default 600,000 of the training set's and
# 100,000 of the test set's, 30.9 million patches in all), merged into one
# input; then a dictionary of 256 atoms by benign dict --method=synthesis
# online (--batch-size=512, lambda 0.15, PASSES passes, 2 processes).
# Reports the training throughput (patches coded per second, all passes),
# the final converged lasso's time and objective, and writes the atom
# mosaic bench/results/dict_fmnist_atoms.png. Then the default path from
# images to atoms: 100,000 patches imported with the defaults (centered)
# and benign dict with its defaults (l4); its iterations, times and
# certificate, mosaic bench/results/dict_fmnist_l4_atoms.png. Raw output:
# bench/results/dict_fmnist.txt.
#   BN_BENCH_NP (2), BN_BENCH_TRAIN_PATCHES (600000), BN_BENCH_TEST_PATCHES
#   (100000), BN_BENCH_PASSES (1), BN_BENCH_BATCH (512).
# Needs: apt-get install -y dataset-fashion-mnist python3-h5py
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
np=${BN_BENCH_NP:-2} bs=${BN_BENCH_BATCH:-512} passes=${BN_BENCH_PASSES:-1}
ntr=${BN_BENCH_TRAIN_PATCHES:-600000} nte=${BN_BENCH_TEST_PATCHES:-100000}
data=${BN_BENCH_DATA:-bench/data}
build=${BN_BUILD:-build}
dir=/usr/share/datasets/fashion-mnist
mkdir -p "$data" bench/results
[ -x "$build/benign" ] || bash scripts/setup.sh
[ -f "$dir/train-images-idx3-ubyte.gz" ] || {
  echo "no $dir: apt-get install -y dataset-fashion-mnist" >&2
  exit 1
}
in="$data/fmnist-8x8-$ntr-$nte.h5"
out=bench/results/dict_fmnist.txt
field() { sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p" "$2"; }
{
  echo "# benign dict --method=synthesis on Fashion-MNIST 8x8 patches," \
    "$(date -u +%Y-%m-%d), $(nproc) cores:" \
    "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2);" \
    "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  if [ ! -f "$in" ]; then
    for part in train:"$ntr" t10k:"$nte"; do
      "$build/benign" import --format=idx \
        --input="$dir/${part%%:*}-images-idx3-ubyte.gz" --patch=8x8 \
        --stride=1 --center=true --unit-norm=true --max-patches="${part#*:}" \
        --seed=7 --output="$data/fmnist-${part%%:*}.h5"
    done
    /usr/bin/python3 - "$data/fmnist-train.h5" "$data/fmnist-t10k.h5" "$in" <<'EOF'
import sys, h5py, numpy as np
a, b, out = sys.argv[1:]
with h5py.File(a) as fa, h5py.File(b) as fb, h5py.File(out + ".tmp", "w") as fo:
    fo["Y"] = np.concatenate([fa["Y"][...], fb["Y"][...]])
    for k in ("patch_h", "patch_w"):
        fo.attrs[k] = fa.attrs[k]
    print(f"merged: /Y {fo['Y'].shape[0]} x {fo['Y'].shape[1]}")
EOF
    mv "$in.tmp" "$in"
  fi
  mpirun -n "$np" "$build/benign" dict --input="$in" --method=synthesis \
    --atoms=256 --lambda=0.15 --batch-size="$bs" --max-iter="$passes" \
    --codes=none --json --progress=false \
    --atoms-png=bench/results/dict_fmnist_atoms.png \
    --output="$data/fmnist-synth.h5" >"$data/fm.json" 2>"$data/fm.err"
  grep -E "^(SAMPLES|DIM|ATOMS)=|final codes|wrote .*png|samples kernel|allreduce|eigen|codes and" \
    "$data/fm.err" | sed 's/^/#   /'
  p=$(grep -m1 '^SAMPLES=' "$data/fm.err" | cut -d= -f2)
  train=$(field solve_seconds "$data/fm.json")
  echo "benign: $p patches x $passes pass(es) in ${train} s of training:" \
    "$(awk -v p="$p" -v k="$passes" -v t="$train" \
      'BEGIN { printf "%.0f", p * k / t }') patches/s ($np processes);" \
    "mean objective $(field synthesis_objective "$data/fm.json")" \
    "(converged lasso), whole run $(field seconds "$data/fm.json") s"
  # The path a new user takes: 100,000 8x8 patches of the training images
  # imported with the defaults (centered: Y Y^T has the null direction 1),
  # then benign dict with its defaults (l4).
  l4in="$data/fmnist-l4-100000.h5"
  [ -f "$l4in" ] || "$build/benign" import --format=idx \
    --input="$dir/train-images-idx3-ubyte.gz" --patch=8x8 \
    --max-patches=100000 --output="$l4in"
  mpirun -n "$np" "$build/benign" dict --input="$l4in" --json \
    --progress=false --atoms-png=bench/results/dict_fmnist_l4_atoms.png \
    --output="$data/fmnist-l4.h5" >"$data/fm-l4.json" 2>"$data/fm-l4.err"
  grep -E "null direction|^NULL_DIRECTIONS|^COND_YYT|^solve |^certificate|Hessian-vector|wrote .*png" \
    "$data/fm-l4.json" "$data/fm-l4.err" | sed 's/^[^:]*://; s/^/#   /'
  echo "benign dict (defaults, l4) on 100000 centered patches:" \
    "$(field iterations "$data/fm-l4.json") iterations, solve" \
    "$(field solve_seconds "$data/fm-l4.json") s, whole run" \
    "$(field seconds "$data/fm-l4.json") s, certificate" \
    "$(field certificate "$data/fm-l4.json")"
  echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
} 2>&1 | tee "$out"
