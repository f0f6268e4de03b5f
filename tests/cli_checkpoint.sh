#!/usr/bin/env bash
# Checkpoints, restarts and faults (issue 3):
#  - SIGTERM (and SIGUSR1) mid-run -> a checkpoint, status 75 on every rank,
#    no result; --restart gives the same iterations, history (1e-12
#    relative) and factors as a run never interrupted, at 1, 2 and 3
#    processes;
#  - SIGKILL of one process -> the job dies; restart from the last
#    checkpoint -> the same answer;
#  - a fault between writing the temporary checkpoint and renaming it -> the
#    previous checkpoint still loads; a result write killed the same way
#    leaves the earlier result byte-identical;
#  - a restart on another number of processes continues and converges;
#  - --checkpoint-keep, benign info on a checkpoint, refusals (other input,
#    options, solver, a result file), and a full disk.
. "$(dirname "$0")/lib.sh"

# A slowly converging instance (1.7x oversampled), so that a run lasts long
# enough to be interrupted after its first checkpoint.
bn_ok "generate a slow instance" 2 generate complete --output="$T/h.h5" \
  --rows=800 --cols=700 --rank=8 --sample-rate=0.03 --seed=5
A=(complete --input="$T/h.h5" --rank=8 --tol=1e-12 --max-iter=2500
  --progress=false --json)

# same_run REF OUT NAME: the two results are the same run.
same_run() {
  local ref=$1 out=$2 name=$3 d ok=0
  for d in /history/iteration /history/objective /history/grad_norm \
    /history/step /history/rel_error /U /V; do
    if ! h5diff -q -p 1e-12 "$ref" "$out" "$d" "$d" >/dev/null 2>&1; then
      echo "    $d differs:"
      h5diff -p 1e-12 "$ref" "$out" "$d" "$d" 2>&1 | head -5 | sed 's/^/    | /'
      ok=1
    fi
  done
  check "$name: same history and factors as the uninterrupted run" test $ok = 0
}

# all_ranks NP RC: every rank exited with status RC.
all_ranks() {
  local r
  for ((r = 0; r < $1; r++)); do
    [ "$(cat "$T/ranks/rc.$r" 2>/dev/null)" = "$2" ] || return 1
  done
}

json() { json_field "$1" "$T/last.out"; }

for np in 1 2 3; do
  bn_ok "np=$np: uninterrupted run" "$np" "${A[@]}" --output="$T/ref$np.h5"
  ref_its=$(json iterations)
  sig=TERM
  [ "$np" = 2 ] && sig=USR1
  ck="$T/ck$np.h5"
  bn_interrupt "$sig" all "$ck" "$np" "${A[@]}" --output="$T/out$np.h5" \
    --checkpoint="$ck" --checkpoint-every=40
  check "np=$np: SIG$sig -> status 75 on every rank (launcher $ST)" \
    all_ranks "$np" 75
  n=$(grep -c "^benign: interrupted by SIG$sig at iteration [0-9]*: checkpoint written to $ck; continue with --restart=$ck" "$T/last.err" || true)
  [ "$n" = 1 ] || sed 's/^/    | /' "$T/last.err" | tail -20
  check "np=$np: one message naming the checkpoint" test "$n" = 1
  check "np=$np: no result and no temporary after the interruption" \
    test ! -e "$T/out$np.h5" -a -z "$(ls "$T" | grep "out$np.h5.tmp" || true)"
  at=$(sed -n 's/.*interrupted by SIG[A-Z0-9]* at iteration \([0-9]*\).*/\1/p' "$T/last.err")
  check "np=$np: interrupted mid-run (iteration ${at:-?} of $ref_its)" \
    test "${at:-0}" -ge 40 -a "${at:-0}" -lt "$ref_its"
  bn_ok "np=$np: restart" "$np" "${A[@]}" --output="$T/out$np.h5" \
    --checkpoint="$ck" --checkpoint-every=40 --restart="$ck"
  check "np=$np: restart says where it continues" \
    grep -q "^RESTART=$ck (iteration $at, written by $np process" "$T/last.err"
  check "np=$np: same iteration count ($(json iterations) vs $ref_its)" \
    test "$(json iterations)" = "$ref_its"
  same_run "$T/ref$np.h5" "$T/out$np.h5" "np=$np"
done

# agd (momentum) and als: a checkpoint at 70, the run stopped at 77 by its
# iteration limit, then continued to 300: the same run as one of 300.
for solver in agd als; do
  B=("${A[@]}" --solver=$solver --max-iter=300)
  bn_ok "$solver: uninterrupted run" 2 "${B[@]}" --output="$T/$solver-ref.h5"
  bn_ok "$solver: stop at 77 with a checkpoint at 70" 2 "${B[@]}" \
    --max-iter=77 --checkpoint="$T/$solver-ck.h5" --checkpoint-every=70 \
    --output="$T/$solver-77.h5"
  bn_ok "$solver: continue from 70" 2 "${B[@]}" --restart="$T/$solver-ck.h5" \
    --output="$T/$solver-out.h5"
  same_run "$T/$solver-ref.h5" "$T/$solver-out.h5" "$solver"
done

# benign info on a checkpoint: iteration, problem, options, input identity.
bn_ok "info on a checkpoint" 1 info "$T/ck2.h5"
info_has "info: iteration" \
  "^checkpoint of problem 'complete' \(solver gd\) at iteration [0-9]+, written by 2 processes"
info_has "info: input identity" \
  "^input: .*/h\.h5 \([0-9]+ bytes, structure checksum [0-9a-f]{16}\)"
info_has "info: options" "^  rank=8$"

# SIGKILL of one process: the job dies; the last checkpoint restarts to the
# same answer as the uninterrupted run.
ck="$T/kill.h5"
bn_interrupt KILL one "$ck" 3 "${A[@]}" --output="$T/kill-out.h5" \
  --checkpoint="$ck" --checkpoint-every=40
check "SIGKILL of one process ends the job (launcher status $ST)" \
  test "$ST" != 0 -a "$ST" != 124
check "SIGKILL: no result" test ! -e "$T/kill-out.h5"
bn_ok "SIGKILL: restart from the last checkpoint" 3 "${A[@]}" \
  --output="$T/kill-out.h5" --restart="$ck"
same_run "$T/ref3.h5" "$T/kill-out.h5" "after SIGKILL"

# A fault between the temporary checkpoint and its rename (the second
# checkpoint): the first one stays and loads.
ck="$T/fault.h5"
st=0
BN_FAULT=before-rename:2 bn_run 2 "${A[@]}" --output="$T/fault-out.h5" \
  --checkpoint="$ck" --checkpoint-every=40 >"$T/last.out" 2>"$T/last.err" ||
  st=$?
check "fault before rename kills the job (status $st)" test "$st" != 0 -a "$st" != 124
check "fault: the killed write left its temporary" \
  test -n "$(ls "$T" | grep 'fault.h5.tmp' || true)"
bn_ok "fault: info on the previous checkpoint" 1 info "$ck"
info_has "fault: the previous checkpoint is iteration 40" \
  "^checkpoint of problem 'complete' .* at iteration 40,"
bn_ok "fault: restart from it" 2 "${A[@]}" --output="$T/fault-out.h5" \
  --restart="$ck"
same_run "$T/ref2.h5" "$T/fault-out.h5" "after the fault"

# The same fault while writing a result: the earlier result is untouched.
cp "$T/ref2.h5" "$T/keep.h5"
st=0
BN_FAULT=before-rename bn_run 2 "${A[@]}" --max-iter=5 \
  --output="$T/ref2.h5" >"$T/last.out" 2>"$T/last.err" || st=$?
check "fault before the result's rename: job dies (status $st)" test "$st" != 0
check "fault: the earlier result is byte-identical" cmp -s "$T/keep.h5" "$T/ref2.h5"

# Another number of processes: checkpoint at 2, continue at 3 and at 1; both
# converge to the ground truth (an easy instance).
bn_ok "generate an easy instance" 2 generate complete --output="$T/e.h5" \
  --rows=600 --cols=500 --rank=4 --sample-rate=0.15 --seed=9
E=(complete --input="$T/e.h5" --rank=4 --tol=1e-12 --max-iter=500
  --progress=false --json --init=random)
bn_ok "easy: 20 iterations with a checkpoint at 15" 2 "${E[@]}" \
  --max-iter=20 --checkpoint="$T/e-ck.h5" --checkpoint-every=15 \
  --output="$T/e20.h5"
for np in 3 1; do
  bn_ok "easy: continue on $np processes" "$np" "${E[@]}" \
    --restart="$T/e-ck.h5" --output="$T/e-$np.h5"
  check "easy/$np: notes the repartition" grep -q "^note: $np processes now" \
    "$T/last.err"
  rel=$(json rel_error)
  check "easy/$np: rel_error ${rel:-?} < 1e-9" \
    awk -v e="${rel:-1}" 'BEGIN { exit !(e < 1e-9) }'
  check "easy/$np: history continues from iteration 15" \
    sh -c "h5dump -d /history/iteration -s 15 -c 2 '$T/e-$np.h5' | grep -q '15, 16'"
done

# --checkpoint-keep: checkpoints at 40, 80, 120 with keep 3 -> the newest
# three; keep 1 -> one file.
bn_ok "keep=3" 1 "${A[@]}" --max-iter=130 --checkpoint="$T/k.h5" \
  --checkpoint-every=40 --checkpoint-keep=3 --output="$T/k-out.h5"
for f in k.h5:120 k.h5.1:80 k.h5.2:40; do
  bn_ok "keep=3: info ${f%%:*}" 1 info "$T/${f%%:*}"
  info_has "keep=3: ${f%%:*} is iteration ${f##*:}" \
    "at iteration ${f##*:}, written"
done
check "keep=3: nothing older kept" test ! -e "$T/k.h5.3"
bn_ok "keep=1" 1 "${A[@]}" --max-iter=90 --checkpoint="$T/k1.h5" \
  --checkpoint-every=40 --checkpoint-keep=1 --output="$T/k1-out.h5"
check "keep=1: one checkpoint file" test -e "$T/k1.h5" -a ! -e "$T/k1.h5.1"

# --restart=auto: afresh without the file, continued with it.
bn_ok "restart=auto without a checkpoint starts afresh" 1 "${E[@]}" \
  --checkpoint="$T/auto.h5" --restart=auto --output="$T/auto-out.h5"
check "restart=auto: no RESTART line" test -z "$(grep '^RESTART=' "$T/last.err" || true)"
bn_ok "restart=auto with a checkpoint continues it" 1 "${E[@]}" \
  --checkpoint="$T/e-ck.h5" --restart=auto --output="$T/auto-out.h5"
check "restart=auto: RESTART line" grep -q "^RESTART=$T/e-ck.h5" "$T/last.err"

# Refusals, each with one message saying what differs.
bn_ok "generate another input" 1 generate complete --output="$T/other.h5" \
  --rows=600 --cols=501 --rank=4 --sample-rate=0.15 --seed=9
OUT=--output="$T/never.h5"
expect_fail_rc 2 "restart against another input" 2 \
  "input differs from the one '.*e-ck\.h5' was written for: size [0-9]+ bytes and structure checksum [0-9a-f]+ there" \
  "${E[@]}" --input="$T/other.h5" --restart="$T/e-ck.h5" "$OUT"
expect_fail_rc 2 "restart with another rank" 2 \
  "options differ from those of checkpoint .*--rank: checkpoint '4', this run '3'" \
  "${E[@]}" --rank=3 --restart="$T/e-ck.h5" "$OUT"
expect_fail_rc 2 "restart with another solver" 2 \
  "options differ .*--solver: checkpoint 'gd', this run 'agd'" \
  "${E[@]}" --solver=agd --restart="$T/e-ck.h5" "$OUT"
expect_fail_rc 1 "restart from a result file" 2 \
  "is not a benign checkpoint \(no /checkpoint/state" \
  "${E[@]}" --restart="$T/e20.h5" "$OUT"
expect_fail_rc 1 "restart from a missing file" 2 "cannot open '.*/nope\.h5'" \
  "${E[@]}" --restart="$T/nope.h5" "$OUT"
expect_fail_rc 2 "checkpoint = output" 2 "--checkpoint and --output name the same file" \
  "${E[@]}" --checkpoint="$T/never.h5" "$OUT"
expect_fail_rc 2 "--checkpoint-every without --checkpoint" 2 \
  "--checkpoint-every and --checkpoint-seconds need --checkpoint=FILE\.h5" \
  "${E[@]}" --checkpoint-every=5 "$OUT"
expect_fail_rc 2 "--checkpoint-keep=0" 2 "--checkpoint-keep=0: must be in \[1, 1000\]" \
  "${E[@]}" --checkpoint="$T/x.h5" --checkpoint-keep=0 "$OUT"
expect_fail_rc 2 "--restart=auto without --checkpoint" 2 \
  "--restart=auto needs --checkpoint" "${E[@]}" --restart=auto "$OUT"
expect_fail_rc 2 "--save-init with --restart" 2 "--save-init cannot be used with --restart" \
  "${E[@]}" --save-init --restart="$T/e-ck.h5" "$OUT"
expect_fail_rc 1 "checkpoint directory missing" 2 \
  "cannot create '/nonexistent/dir/ck\.h5'" \
  "${E[@]}" --checkpoint=/nonexistent/dir/ck.h5 "$OUT"
# A checkpoint claiming another problem, and one of a future format.
SETATTR=${BN_BUILD_DIR:?}/tests/tool_setattr
cp "$T/e-ck.h5" "$T/sense-ck.h5"
"$BN_MPIRUN" -n 1 "$SETATTR" "$T/sense-ck.h5" / problem sense
expect_fail_rc 2 "restart from another problem's checkpoint" 2 \
  "'.*sense-ck\.h5' is a checkpoint of problem 'sense', not 'complete'" \
  "${E[@]}" --restart="$T/sense-ck.h5" "$OUT"
cp "$T/e-ck.h5" "$T/kind-ck.h5"
"$BN_MPIRUN" -n 1 "$SETATTR" "$T/kind-ck.h5" / kind result
expect_fail_rc 1 "restart from a file of another kind" 2 \
  "'.*kind-ck\.h5' is not a benign checkpoint \(its kind is 'result'\)" \
  "${E[@]}" --restart="$T/kind-ck.h5" "$OUT"
check "no output from the refused runs" test ! -e "$T/never.h5"

# A full disk: a small tmpfs (mounting needs root; the file-size limit of
# ulimit -f is no substitute, because Open MPI's own shared-memory files hit
# it first). (1) The result cannot be written -> a clear error, the earlier
# result byte-identical, no temporary left. (2) A periodic checkpoint that
# cannot be written is a warning; the run goes on and writes its result
# elsewhere.
mkdir "$T/mnt"
if mount -t tmpfs -o size=1m tmpfs "$T/mnt" 2>/dev/null; then
  cp "$T/e-1.h5" "$T/mnt/r.h5"
  cp "$T/mnt/r.h5" "$T/mnt-keep.h5"
  # Fill it, then free 8 KiB: the new result fails part-way through.
  head -c 2M /dev/zero >"$T/mnt/filler" 2>/dev/null || true
  truncate -s -8K "$T/mnt/filler"
  expect_fail_rc 1 "disk full while writing the result" 2 "mnt/r\.h5" \
    "${E[@]}" --output="$T/mnt/r.h5"
  check "disk full: earlier result byte-identical" \
    cmp -s "$T/mnt/r.h5" "$T/mnt-keep.h5"
  check "disk full: no temporary left" \
    test -z "$(ls "$T/mnt" | grep 'tmp' || true)"
  rm -f "$T/mnt/filler" "$T/mnt/r.h5"
  head -c 800K /dev/zero >"$T/mnt/filler"
  bn_ok "disk full for checkpoints: the run goes on" 2 "${A[@]}" \
    --max-iter=60 --checkpoint="$T/mnt/ck.h5" --checkpoint-every=20 \
    --output="$T/small-out.h5"
  check "disk full: warned about each checkpoint" \
    test "$(grep -c '^benign: warning: checkpoint at iteration [246]0 not written' "$T/last.err")" = 2
  check "disk full: the result was written" test -s "$T/small-out.h5"
  check "disk full: no checkpoint or temporary left" \
    test -z "$(ls "$T/mnt" | grep 'ck' || true)"
  umount "$T/mnt"
elif [ "$(id -u)" = 0 ]; then
  fail "cannot mount a tmpfs as root: the disk-full cases did not run"
else
  echo "note: not root, so no tmpfs: the disk-full cases did not run"
fi

bn_summary
