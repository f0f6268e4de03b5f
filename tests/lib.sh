# shellcheck shell=bash
# Helpers for the command-line tests (tests/cli_*.sh). Source it first:
#
#   . "$(dirname "$0")/lib.sh"
#   bn_run 2 generate complete --output="$T/in.h5" ...
#   expect_fail "missing input" 2 "cannot open" complete --input="$T/nope.h5"
#   check "result exists" test -s "$T/out.h5"
#   bn_summary                # prints "N passed, M failed"; exits non-zero if M > 0
#
# Needs BENIGN (the program) and BN_MPIRUN (mpirun) in the environment (ctest
# sets both: tests/CMakeLists.txt); BN_TIMEOUT (seconds, default 120) bounds
# each run. Only bash, coreutils, grep, awk and sed.

set -euo pipefail

: "${BENIGN:?BENIGN must name the benign program}"
: "${BN_MPIRUN:?BN_MPIRUN must name mpirun}"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1

BN_PASSED=0
BN_FAILED=0
BN_DONE=0

# Per-test temporary directory, removed on exit. If the script stops early
# (an unexpected error under set -e), that counts as a failure and the
# summary line is still printed.
T=$(mktemp -d "${TMPDIR:-/tmp}/bn_cli.XXXXXX")
# This script's mpirun keep their Open MPI session directory (and any other
# temporary file) in $T: two scripts starting mpirun at the same moment in
# one shared /tmp/ompi.HOST.UID can collide (docs/testing.md).
export TMPDIR="$T"
bn_cleanup() {
  local st=$?
  if [ "$BN_DONE" = 0 ]; then
    echo "FAIL: script stopped early (status $st)"
    BN_FAILED=$((BN_FAILED + 1))
    echo "$BN_PASSED passed, $BN_FAILED failed"
    st=1
  fi
  rm -rf "$T"
  exit "$st"
}
trap bn_cleanup EXIT

pass() {
  BN_PASSED=$((BN_PASSED + 1))
  echo "ok: $*"
}

fail() {
  BN_FAILED=$((BN_FAILED + 1))
  echo "FAIL: $*"
}

# bn_summary: the final line, exactly "N passed, M failed" (parsed by ctest
# and CI); exits non-zero if anything failed.
bn_summary() {
  BN_DONE=1
  echo "$BN_PASSED passed, $BN_FAILED failed"
  [ "$BN_FAILED" = 0 ]
}

# check NAME COMMAND...: pass if COMMAND succeeds.
check() {
  local name=$1
  shift
  if "$@"; then pass "$name"; else fail "$name"; fi
}

# bn_run NP ARGS...: run benign on NP processes; a hang ends in status 124.
bn_run() {
  local np=$1
  shift
  timeout "${BN_TIMEOUT:-120}" "$BN_MPIRUN" -n "$np" --oversubscribe "$BENIGN" "$@"
}

# bn_ok NAME NP ARGS...: run; pass if it succeeds. Its stdout and stderr are
# kept in $T/last.out and $T/last.err for further checks.
bn_ok() {
  local name=$1 np=$2 st=0
  shift 2
  bn_run "$np" "$@" >"$T/last.out" 2>"$T/last.err" || st=$?
  if [ "$st" = 0 ]; then
    pass "$name"
  else
    fail "$name: exit status $st"
    sed 's/^/    | /' "$T/last.err" | head -20
  fi
}

# Run benign on NP processes with each rank's exit status recorded in
# $T/ranks/rc.RANK. The launcher is told not to kill the job when one rank
# fails (Open MPI 4), so every rank's own status can be seen.
bn_run_ranks() {
  local np=$1
  shift
  rm -rf "$T/ranks"
  mkdir "$T/ranks"
  # shellcheck disable=SC2016 # expanded by the inner sh
  BN_RC_DIR="$T/ranks" OMPI_MCA_orte_abort_on_non_zero_status=0 \
    timeout "${BN_TIMEOUT:-120}" "$BN_MPIRUN" -n "$np" --oversubscribe sh -c \
    '"$0" "$@"; s=$?; echo "$s" >"$BN_RC_DIR/rc.${OMPI_COMM_WORLD_RANK:-${PMIX_RANK:-0}}"; exit "$s"' \
    "$BENIGN" "$@"
}

# bn_interrupt SIGNAL WHICH CK NP ARGS...: run benign in the background;
# once the checkpoint CK exists send SIGNAL to all ranks (WHICH=all) or to
# one (WHICH=one), then wait. Each rank's status lands in $T/ranks/rc.RANK;
# the launcher's in $ST. With WHICH=all the launcher lets every rank finish
# (to see each status); with WHICH=one it ends the job when one rank dies,
# as by default. The wait for CK has no clock of its own beyond the run's
# timeout, so a loaded machine only makes it slower; the run must be long
# enough that it is still going when CK appears (a checkpoint every
# iteration, many iterations).
bn_interrupt() {
  local sig=$1 which=$2 ck=$3 np=$4 pid pids abort=1
  shift 4
  [ "$which" = all ] && abort=0
  rm -rf "$T/ranks"
  mkdir "$T/ranks"
  # shellcheck disable=SC2016 # expanded by the inner sh
  BN_RC_DIR="$T/ranks" OMPI_MCA_orte_abort_on_non_zero_status=$abort \
    timeout "${BN_TIMEOUT:-120}" "$BN_MPIRUN" -n "$np" --oversubscribe sh -c \
    '"$0" "$@"; s=$?; echo "$s" >"$BN_RC_DIR/rc.${OMPI_COMM_WORLD_RANK:-${PMIX_RANK:-0}}"; exit "$s"' \
    "$BENIGN" "$@" >"$T/last.out" 2>"$T/last.err" &
  pid=$!
  while [ ! -e "$ck" ] && kill -0 "$pid" 2>/dev/null; do
    sleep 0.05
  done
  # The ranks only (their command line starts with the program; the
  # launcher's and the wrapper's do not), and only this run's.
  pids=$(pgrep -f "^$BENIGN .*--checkpoint=$ck" || true)
  [ "$which" = one ] && pids=$(echo "$pids" | tail -n 1)
  # shellcheck disable=SC2086
  [ -n "$pids" ] && kill -s "$sig" $pids
  ST=0
  wait "$pid" || ST=$?
}

# expect_fail NAME NP PATTERN ARGS...: benign must fail cleanly:
#   - no hang (timeout), and a non-zero exit status on every rank;
#   - exactly one stderr line starting with "benign: error:", matching the
#     grep -E PATTERN;
#   - no other line (from another rank, on stdout or stderr) repeating it,
#     and no "benign: error on process" lines (an error not agreed).
# Output is kept in $T/last.out and $T/last.err.
expect_fail() { bn_expect_fail "" "$@"; }

# expect_fail_rc RC NAME NP PATTERN ARGS...: as expect_fail, and every rank
# exits with status RC (2 for bad options or arguments, 1 otherwise).
expect_fail_rc() { bn_expect_fail "$@"; }

bn_expect_fail() {
  local want=$1 name=$2 np=$3 pattern=$4 st=0 bad="" r rc n line msg
  shift 4
  bn_run_ranks "$np" "$@" >"$T/last.out" 2>"$T/last.err" || st=$?
  if [ "$st" = 124 ] || [ "$st" = 137 ]; then
    bad="$bad; timed out (hang)"
  else
    local nonzero=0
    [ "$st" != 0 ] && nonzero=1
    for ((r = 0; r < np; r++)); do
      rc=""
      [ -f "$T/ranks/rc.$r" ] && rc=$(cat "$T/ranks/rc.$r")
      # No status (or an empty one): the launcher killed that process.
      if [ -n "$rc" ]; then
        if [ "$rc" = 0 ]; then
          bad="$bad; process $r exited with status 0"
        else
          nonzero=1
          if [ -n "$want" ] && [ "$rc" != "$want" ]; then
            bad="$bad; process $r exited with status $rc, expected $want"
          fi
        fi
      elif [ "$st" = 0 ]; then
        bad="$bad; no exit status from process $r"
      fi
    done
    [ "$nonzero" = 1 ] || bad="$bad; exit status 0"
  fi
  n=$(awk '/^benign: error:/ { n++ } END { print n + 0 }' "$T/last.err")
  if [ "$n" != 1 ]; then
    bad="$bad; $n lines start with 'benign: error:' on stderr (want 1)"
  fi
  if [ "$n" -ge 1 ]; then
    line=$(grep -m1 '^benign: error:' "$T/last.err")
    msg=${line#benign: error: }
    if ! printf '%s\n' "$line" | grep -Eq -- "$pattern"; then
      bad="$bad; message does not match /$pattern/"
    fi
    n=$(cat "$T/last.out" "$T/last.err" |
      BN_MSG=$msg awk 'index($0, ENVIRON["BN_MSG"]) { n++ } END { print n + 0 }')
    [ "$n" = 1 ] || bad="$bad; the message appears $n times"
  fi
  if grep -q '^benign: error on process' "$T/last.err" "$T/last.out"; then
    bad="$bad; an error was not agreed (benign: error on process ...)"
  fi
  if grep -q '^benign: error' "$T/last.out"; then
    bad="$bad; error printed on stdout"
  fi
  if [ -z "$bad" ]; then
    pass "$name"
  else
    fail "$name${bad/#;/:}"
    echo "    command: benign $* (on $np processes; launcher status $st)"
    sed 's/^/    | /' "$T/last.err" | head -20
  fi
}

# json_field KEY FILE: the value of "KEY" in the one-line JSON object in
# FILE (strings without their quotes); empty if the key is missing.
json_field() {
  sed -n -e "s/.*[{,]\"$1\":\"\\([^\"]*\\)\".*/\\1/p" \
    -e "t" -e "s/.*[{,]\"$1\":\\([^,}\"]*\\)[,}].*/\\1/p" "$2" | head -1
}

# num_lt A B: is the number A less than B? (awk arithmetic)
num_lt() {
  awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && a + 0 < b + 0) }'
}

# info_has NAME REGEX: does the last output ($T/last.out) hold a line
# matching the grep -E REGEX?
info_has() {
  check "$1" grep -Eq -- "$2" "$T/last.out"
}
