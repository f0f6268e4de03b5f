#!/usr/bin/env bash
# The Python package (python/, docs/python.md): `pip install` into a fresh
# virtual environment (system site packages, offline), its pytest suite at
# 1 and 2 processes in-process through this build's libbenign.so, and the
# example in docs/python.md at 1 and 2 processes.
. "$(dirname "$0")/lib.sh"
: "${BN_SOURCE_DIR:?}" "${BN_BUILD_DIR:?}"
PY=/usr/bin/python3
export BENIGN_LIBRARY="$BN_BUILD_DIR/libbenign.so"
# An ASan build's library loads into Python only after the ASan runtime.
# (grep -c reads all of nm's output: with grep -q, nm may die of SIGPIPE
# and pipefail would then call the library uninstrumented.)
if [ "$(nm -D "$BENIGN_LIBRARY" 2>/dev/null | grep -c __asan_init)" != 0 ]; then
  export LD_PRELOAD="$(${BN_CC:-cc} -print-file-name=libasan.so)"
  export ASAN_OPTIONS="detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
fi

# A copy of the package: pip writes build/ and *.egg-info next to setup.py.
cp -r "$BN_SOURCE_DIR/python" "$T/src"
check "venv with system site packages" $PY -m venv --system-site-packages "$T/venv"
check "pip install --no-index ./python (offline)" \
  "$T/venv/bin/pip" install -q --no-index --no-cache-dir "$T/src"
check "the venv imports the installed package" \
  bash -c "cd '$T' && '$T/venv/bin/python' -c 'import benign, sys; sys.exit(0 if \"venv\" in benign.__file__ else 1)'"

cd "$T"
pt=("$T/venv/bin/python" -m pytest -q -p no:cacheprovider --color=no "$BN_SOURCE_DIR/python/tests")
check "pytest at 1 process" "${pt[@]}"
check "pytest at 2 processes (mpi4py)" "$BN_MPIRUN" -n 2 "${pt[@]}"

# Every ```python block of docs/python.md, in order, as one script.
awk '/^```python/ { on = 1; next } /^```/ { on = 0 } on' \
  "$BN_SOURCE_DIR/docs/python.md" >"$T/example.py"
check "docs/python.md has an example" grep -q "benign.complete" "$T/example.py"
check "the docs example at 1 process" "$T/venv/bin/python" "$T/example.py"
"$BN_MPIRUN" -n 2 "$T/venv/bin/python" "$T/example.py" >"$T/ex2.out" 2>&1 || true
check "the docs example at 2 processes" grep -q "worst atom" "$T/ex2.out"
check "  its solve is refused with benign's message" grep -q "refused:.*newton" "$T/ex2.out"
check "  one report, from rank 0" test "$(grep -c '^complete:' "$T/ex2.out")" = 1
bn_summary
