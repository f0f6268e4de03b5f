#!/usr/bin/env bash
# The cluster recipes parse: the Spack recipe compiles as Python, the
# Slurm script as bash and holds the requeue pieces (it is run for real,
# scheduler played, by tests/cli_slurm.sh).
set -u
cd "$(dirname "$0")/.."
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok: $*"; }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
if python3 -c 'import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)' \
  examples/spack/package.py "$T/package.pyc"; then
  ok "examples/spack/package.py compiles"
else
  bad "examples/spack/package.py does not compile"
fi
if bash -n examples/slurm/benign-requeue.sbatch; then
  ok "examples/slurm/benign-requeue.sbatch parses"
else
  bad "the Slurm script does not parse"
fi
for key in "--signal=B:USR1@" "--requeue" "scontrol requeue" "--restart=auto" \
  "trap forward USR1"; do
  if grep -qF -- "$key" examples/slurm/benign-requeue.sbatch; then
    ok "the Slurm script has $key"
  else
    bad "the Slurm script lacks $key"
  fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
