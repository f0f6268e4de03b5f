#!/usr/bin/env bash
# Runs benign under Valgrind's memcheck at 2 processes: generate a small
# completion instance, complete it with each solver and both initial points,
# import a CSV and a MatrixMarket file, describe a file. Installs what is
# missing (valgrind too), builds without sanitizers at -O1 -g into build-vg/
# (or $BN_BUILD_DIR; no -march=native: Valgrind does not decode AVX-512).
# Slow (minutes), so not part of the test suite.
#
#   bash scripts/valgrind.sh        exit 0 when memcheck reports no error
#
# Errors are invalid reads and writes, uses of uninitialised values,
# invalid frees and definite leaks. Open MPI's shipped suppressions and
# scripts/valgrind.supp (MPI, HDF5 and OpenBLAS internals only) hide
# library noise. Logs: build-vg/valgrind/<step>.<pid>.log.
set -euo pipefail
cd "$(dirname "$0")/.."

BN_SETUP_BUILD=0 BN_SETUP_EXTRA=valgrind bash scripts/setup.sh
. scripts/env.sh

build="${BN_BUILD_DIR:-build-vg}"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g" -DBN_NATIVE=OFF -DBN_SANITIZE=OFF \
  -DBN_WERROR="${BN_WERROR:-ON}" >/dev/null
cmake --build "$build" -j "$(nproc)" --target benign_cli
benign="$build/benign"

ompi_supp=$(dpkg -L openmpi-common 2>/dev/null | grep 'openmpi-valgrind.supp$' |
  head -n 1 || true)
[ -n "$ompi_supp" ] || ompi_supp=/usr/share/openmpi/openmpi-valgrind.supp
logs="$build/valgrind"
rm -rf "$logs"
mkdir -p "$logs"
T=$(mktemp -d "${TMPDIR:-/tmp}/bn_vg.XXXXXX")
trap 'rm -rf "$T" "$BN_PRIVATE_TMP"' EXIT

vg=(valgrind --tool=memcheck --error-exitcode=99 --leak-check=full
  --show-leak-kinds=definite --errors-for-leak-kinds=definite
  --track-origins=yes --num-callers=40 -s --suppressions="$ompi_supp"
  --suppressions=scripts/valgrind.supp)
failed=()
# step NAME NP WANT ARGS...: mpirun -n NP valgrind benign ARGS, one log per
# rank; benign must exit with status WANT and memcheck report no error.
step() {
  local name=$1 np=$2 want=$3 rc=0
  shift 3
  echo "valgrind: $name ($np processes)"
  mpirun -n "$np" --oversubscribe "${vg[@]}" \
    --log-file="$logs/$name.%p.log" "$benign" "$@" >"$logs/$name.out" 2>&1 ||
    rc=$?
  # The last ERROR SUMMARY of each rank's log (-s prints it twice).
  local errs supp
  read -r errs supp < <(for f in "$logs/$name".*.log; do
    grep 'ERROR SUMMARY' "$f" | tail -n 1
  done | sed 's/.*SUMMARY: \([0-9]*\) errors.*suppressed: \([0-9]*\).*/\1 \2/' |
    awk '{ e += $1; s += $2 } END { print e + 0, s + 0 }')
  echo "valgrind: $name: exit $rc, $errs errors ($supp suppressed)"
  if [ "$rc" != "$want" ] || [ "$errs" != 0 ]; then
    failed+=("$name")
    tail -n 20 "$logs/$name.out"
  fi
}

step generate 2 0 generate complete --output="$T/m.h5" --rows=300 --cols=200 \
  --rank=3 --sample-rate=0.2 --test-fraction=0.1 --noise=0.01 --seed=5
common=(--input="$T/m.h5" --rank=3 --max-iter=30 --progress=false)
step complete-gd 2 0 complete "${common[@]}" --solver=gd --monitor \
  --save-init --output="$T/gd.h5"
step complete-agd 2 0 complete "${common[@]}" --solver=agd --init=random \
  --lambda=0.01 --incoherence=0.1 --json --output="$T/agd.h5"
step complete-als 2 0 complete "${common[@]}" --solver=als --lambda=0.01 \
  --max-iter=5 --output="$T/als.h5"
step info 1 0 info "$T/gd.h5"
printf 'user,item,rating\n10,7,4.5\n3,7,1\n10,2,2\n3,2,5\n8,7,3\n' >"$T/r.csv"
step import-csv 2 0 import --format=csv --input="$T/r.csv" --output="$T/r.h5"
printf '%%%%MatrixMarket matrix coordinate real symmetric\n3 3 3\n1 1 1\n3 1 2\n2 2 -1\n' \
  >"$T/s.mtx"
step import-mtx 2 0 import --format=mtx --input="$T/s.mtx" --output="$T/s.h5"
step complete-imported 2 0 complete --input="$T/r.h5" --rank=1 --max-iter=5 \
  --progress=false --output="$T/r-out.h5"
# A failing run must fail cleanly too (no error paths that leak or read
# freed memory).
step bad-option 2 2 complete "${common[@]}" --rank=0 --output="$T/bad.h5"

if [ ${#failed[@]} -gt 0 ]; then
  echo "valgrind: errors in: ${failed[*]} (logs in $logs)" >&2
  exit 1
fi
echo "valgrind: clean (logs in $logs)"
