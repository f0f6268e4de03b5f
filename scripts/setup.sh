#!/usr/bin/env bash
# Installs the Debian 12 packages benign needs (only those missing; as root
# or through sudo) and builds benign into build/ (or $BN_BUILD_DIR).
#   BN_SANITIZE=1  build with AddressSanitizer + UBSan (into build-asan/)
#   BN_WERROR=0    do not treat warnings as errors
#   BN_SETUP_BUILD=0  install only, do not build (scripts/fuzz.sh, valgrind.sh)
#   BN_SETUP_EXTRA="pkg ..."  more Debian packages to install if missing
set -euo pipefail
cd "$(dirname "$0")/.."

pkgs="build-essential cmake pkg-config openmpi-bin libopenmpi-dev
  libscalapack-openmpi-dev libfftw3-dev libfftw3-mpi-dev libhdf5-openmpi-dev
  hdf5-tools libopenblas-dev liblapack-dev librandom123-dev libpng-dev
  libjpeg-dev zlib1g-dev python3-minimal python3-numpy python3-h5py
  python3-scipy python3-mpi4py python3-pytest python3-venv ${BN_SETUP_EXTRA:-}"
missing=()
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

[ "${BN_SETUP_BUILD:-1}" = 0 ] && exit 0

san="${BN_SANITIZE:-0}"
build="${BN_BUILD_DIR:-build}"
[ "$san" = 1 ] && build="${BN_BUILD_DIR:-build-asan}"
# -march=native: the scripts build on the machine that runs the jobs. For a
# cluster whose login nodes differ from the compute nodes, configure with
# -DBN_NATIVE=OFF (the CMake default) or build on a compute node.
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DBN_WERROR="${BN_WERROR:-ON}" \
  -DBN_NATIVE="${BN_NATIVE:-ON}" \
  -DBN_SANITIZE="$([ "$san" = 1 ] && echo ON || echo OFF)" >/dev/null
cmake --build "$build" -j "$(nproc)"
echo "setup: built $build/benign"
