#!/usr/bin/env bash
# examples/slurm/benign-requeue.sbatch with the scheduler played here
# (issue 19, item 4): the batch script runs a long solve through mpirun
# (for srun); once a checkpoint exists, SIGUSR1 goes to the batch shell
# as Slurm's --signal=B:USR1 does; the script must forward it, see status
# 75 and call `scontrol requeue` (a stub records it) and exit 0; the
# "requeued" run of the same script continues from the checkpoint and
# ends with the same factors as an uninterrupted run.
. "$(dirname "$0")/lib.sh"

SCRIPT="$(cd "$(dirname "$0")/.." && pwd)/examples/slurm/benign-requeue.sbatch"
mkdir -p "$T/bin"
cat >"$T/bin/scontrol" <<EOS
#!/bin/sh
echo "\$*" >>"$T/scontrol.log"
EOS
chmod +x "$T/bin/scontrol"

bn_ok "generate" 2 generate complete --rows=3000 --cols=2000 --rank=5 \
  --sample-rate=0.02 --seed=3 --output="$T/in.h5"
SOLVE=(complete --input="$T/in.h5" --rank=5 --solver=gd --max-iter=400
  --tol=0 --ftol=0 --certificate=off --progress=off)
bn_ok "uninterrupted run" 2 "${SOLVE[@]}" --output="$T/ref.h5"

export PATH="$T/bin:$PATH" SLURM_JOB_ID=4242 BENIGN CKPT="$T/ck.h5" \
  CKPT_SECONDS=0 SRUN="$BN_MPIRUN -n 2 --oversubscribe"
# the first "job": every iteration checkpointed, signalled mid-way
bash "$SCRIPT" "${SOLVE[@]}" --checkpoint-every=1 --output="$T/out.h5" \
  >"$T/job1.out" 2>"$T/job1.err" &
job=$!
while [ ! -e "$T/ck.h5" ] && kill -0 "$job" 2>/dev/null; do sleep 0.05; done
sleep 0.5
kill -USR1 "$job"
st=0
wait "$job" || st=$?
check "the first job exits 0 after requeueing (status $st)" test "$st" = 0
check "it asked for a requeue of job 4242" grep -qx "requeue 4242" \
  "$T/scontrol.log"
check "benign stopped at the signal with a checkpoint" grep -q \
  "interrupted by SIGUSR1 at iteration [0-9]*: checkpoint written" \
  "$T/job1.err"
check "no result written by the first job" test ! -e "$T/out.h5"
at=$(sed -n 's/.*interrupted by SIGUSR1 at iteration \([0-9]*\).*/\1/p' "$T/job1.err")
check "stopped before the end (iteration ${at:-?} < 400)" test "${at:-400}" -lt 400

# the requeued job: the same script, the same arguments
st=0
bash "$SCRIPT" "${SOLVE[@]}" --checkpoint-every=1 --output="$T/out.h5" \
  >"$T/job2.out" 2>"$T/job2.err" || st=$?
check "the requeued job finishes (status $st)" test "$st" = 0
check "it restarted from the checkpoint" grep -q "^RESTART=$T/ck.h5" \
  "$T/job2.out"
check "no second requeue" test "$(wc -l <"$T/scontrol.log")" = 1
check "the same factors as the uninterrupted run" h5diff -q "$T/ref.h5" \
  "$T/out.h5" /U /U
check "... U and V" h5diff -q "$T/ref.h5" "$T/out.h5" /V /V

bn_summary
