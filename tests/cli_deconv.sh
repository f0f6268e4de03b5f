#!/usr/bin/env bash
# benign deconv and benign generate deconv (multichannel sparse blind
# deconvolution):
#  - 1-D, n = 200, p = 50, theta = 0.25, huber from a random start at 1, 2
#    and 3 processes: kernel error < 1e-8 after rounding, converged, a
#    certified local minimizer, /kernel the same at every process count
#    (1e-12), /X and /kernel of the documented shapes, the PNG written;
#  - l1 (subgradient method) at 2 processes: error < 1e-8;
#  - 2-D, 16 x 16, p = 40, theta = 0.2 at 2 processes: error < 1e-6, the
#    2-D layouts of /kernel and /X (the acceptance size, 32 x 32, p = 100,
#    is in tests/mpi_deconv.c);
#  - a short smooth (motif) kernel with a little noise: error < 1e-3, and
#    the codes by a lasso (--lasso=1e-3) closer to the truth than the
#    direct deconvolution;
#  - checkpoints: a run stopped at iteration 23 (huber, gd) or 57 (l1, the
#    subgradient method whose step schedule depends on the iteration) with
#    a checkpoint at 20 or 50, then --restart: the same /kernel, /q and
#    /history (1e-12) as the run never interrupted, at 2 processes; the
#    huber checkpoint restarted at 3 processes: kernel error < 1e-8;
#    SIGTERM during a run: status 75 on every rank, one message, a
#    checkpoint, no result, and a restart continues from the iteration the
#    message names; a restart against another input is refused;
#  - --save-init / --init-file: a start written as /init/q and read back
#    gives the same run as the random start it came from;
#  - bad input and options, each refused with one message: theta outside
#    (0, 1) (generator and solver), a kernel larger than the signal, an
#    all-zero channel, a 1-D /Y (channels of different lengths cannot be
#    one array), l1 with a smooth solver, an --init-file of another size.
. "$(dirname "$0")/lib.sh"

json() { json_field "$1" "$T/last.out"; }

# mk FILE NAME "DIMS" TEXT: a float64 dataset from text (h5import).
mk() {
  local f=$1 name=$2 dims=$3 txt=$4 rank
  rank=$(echo "$dims" | wc -w)
  printf '%s\n' "$txt" >"$T/mk.txt"
  printf 'PATH %s\nINPUT-CLASS TEXTFP\nRANK %s\nDIMENSION-SIZES %s\nOUTPUT-CLASS FP\nOUTPUT-SIZE 64\n' \
    "$name" "$rank" "$dims" >"$T/mk.cfg"
  h5import "$T/mk.txt" -c "$T/mk.cfg" -o "$f" >/dev/null
}

# values FILE DATASET: the dataset's numbers, one per line.
values() {
  h5dump -d "$2" -y -w 1 "$1" | sed -n '/DATA {/,/}/p' | grep -Eo -- '-?[0-9][0-9.e+-]*'
}

# same FILE1 FILE2 DATASET TOL: equal entries within TOL.
same() {
  paste <(values "$1" "$3") <(values "$2" "$3") |
    awk -v t="$4" '{ d = $1 - $2; if (d < 0) d = -d; if (d > t) bad++; n++ }
      END { exit !(n > 0 && bad == 0) }'
}

bn_ok "generate 1-D" 2 generate deconv --output="$T/d1.h5" --n=200 \
  --channels=50 --theta=0.25 --seed=3
for np in 1 2 3; do
  bn_ok "huber at $np" "$np" deconv --input="$T/d1.h5" --output="$T/r$np.h5" \
    --seed=5 --json --png-prefix="$T/p${np}_"
  e=$(json kernel_error)
  check "huber at $np: kernel error ${e:-missing} < 1e-8" num_lt "${e:-1}" 1e-8
  check "huber at $np: converged" grep -q '"converged":true' "$T/last.out"
  check "huber at $np: certified" grep -q '"certificate":"local-minimizer"' \
    "$T/last.out"
  check "huber at $np: PNG" test -s "$T/p${np}_kernel.png"
done
check "same /kernel at 1 and 2 processes" same "$T/r1.h5" "$T/r2.h5" /kernel 1e-12
check "same /kernel at 1 and 3 processes" same "$T/r1.h5" "$T/r3.h5" /kernel 1e-12
check "/kernel has 200 values" test "$(values "$T/r1.h5" /kernel | wc -l)" = 200
check "/X is 50 x 200" grep -q 'DATASPACE  SIMPLE { ( 50, 200 )' \
  <(h5dump -H -d /X "$T/r1.h5")

bn_ok "l1 at 2" 2 deconv --input="$T/d1.h5" --output="$T/l1.h5" --loss=l1 \
  --seed=6 --json
e=$(json kernel_error)
check "l1: kernel error ${e:-missing} < 1e-8" num_lt "${e:-1}" 1e-8

bn_ok "generate 2-D" 2 generate deconv --output="$T/d2.h5" --n=16 \
  --height=16 --channels=40 --theta=0.2 --seed=4
bn_ok "2-D huber at 2" 2 deconv --input="$T/d2.h5" --output="$T/r2d.h5" \
  --json --png-prefix="$T/q_"
e=$(json kernel_error)
check "2-D: kernel error ${e:-missing} < 1e-6" num_lt "${e:-1}" 1e-6
check "2-D: /kernel is 16 x 16" grep -q 'DATASPACE  SIMPLE { ( 16, 16 )' \
  <(h5dump -H -d /kernel "$T/r2d.h5")
check "2-D: /X is 40 x 16 x 16" grep -q 'DATASPACE  SIMPLE { ( 40, 16, 16 )' \
  <(h5dump -H -d /X "$T/r2d.h5")
check "2-D: PNG" test -s "$T/q_kernel.png"

bn_ok "generate motif + noise" 1 generate deconv --output="$T/dm.h5" \
  --kernel=motif --kernel-size=16 --noise=1e-3 --seed=7
bn_ok "motif at 2" 2 deconv --input="$T/dm.h5" --output="$T/rm.h5" --json
e=$(json kernel_error)
check "motif + noise: kernel error ${e:-missing} < 1e-3" num_lt "${e:-1}" 1e-3
c0=$(json codes_error)
bn_ok "motif, lasso codes" 2 deconv --input="$T/dm.h5" --output="$T/rm.h5" \
  --json --lasso=1e-3
c1=$(json codes_error)
check "lasso codes error ${c1:-missing} < direct ${c0:-missing}" \
  num_lt "${c1:-1}" "${c0:-0}"

# Checkpoints. same_run REF OUT NAME: the same kernel, iterate and history
# (not the seconds) as the run never interrupted.
same_run() {
  local d ok=0
  for d in /kernel /q /history/iteration /history/objective \
    /history/grad_norm /history/step /history/rel_error; do
    if ! h5diff -q -p 1e-12 "$1" "$2" "$d" "$d" >/dev/null 2>&1; then
      echo "    $d differs"
      ok=1
    fi
  done
  check "$3: same /kernel, /q and /history as the uninterrupted run" test $ok = 0
}
C=(deconv --input="$T/d1.h5" --fft-plan=estimate --progress=false --json)
for loss in huber l1; do
  # The references: r2.h5 (huber, seed 5) and l1.h5 (l1, seed 6) above.
  if [ $loss = huber ]; then
    L=("${C[@]}" --seed=5) ref="$T/r2.h5" k=20 stop=23
  else
    L=("${C[@]}" --seed=6 --loss=l1) ref="$T/l1.h5" k=50 stop=57
  fi
  bn_ok "$loss: stop at $stop with a checkpoint at $k" 2 "${L[@]}" \
    --max-iter=$stop --checkpoint="$T/ck-$loss.h5" --checkpoint-every=$k \
    --output="$T/stop-$loss.h5"
  bn_ok "$loss: restart" 2 "${L[@]}" --restart="$T/ck-$loss.h5" \
    --output="$T/cont-$loss.h5"
  check "$loss: restart says where it continues" \
    grep -q "^RESTART=$T/ck-$loss.h5 (iteration $k, written by 2 processes" \
    "$T/last.err"
  same_run "$ref" "$T/cont-$loss.h5" "$loss restart"
done
bn_ok "huber: restart at 3 processes" 3 "${C[@]}" --seed=5 \
  --restart="$T/ck-huber.h5" --output="$T/cont3.h5"
e=$(json kernel_error)
check "huber: restart at 3 processes: kernel error ${e:-missing} < 1e-8" \
  num_lt "${e:-1}" 1e-8
expect_fail_rc 2 "restart against another input" 2 \
  "input differs from the one '.*ck-huber\.h5' was written for" \
  "${C[@]}" --seed=5 --input="$T/dm.h5" --restart="$T/ck-huber.h5" \
  --output="$T/x.h5"

# SIGTERM once the first checkpoint exists (l1 with slowly decaying steps:
# a run of thousands of iterations): status 75 on every rank, then the
# restart, told to stop 5 iterations later, continues there.
S=("${C[@]}" --seed=6 --loss=l1 --decay=0.999)
ck="$T/sig-ck.h5"
bn_interrupt TERM all "$ck" 2 "${S[@]}" --max-iter=20000 --output="$T/sig-out.h5" \
  --checkpoint="$ck" --checkpoint-every=1
check "signal: every rank exits with status 75" \
  test "$(cat "$T/ranks/rc.0" 2>/dev/null)" = 75 -a \
  "$(cat "$T/ranks/rc.1" 2>/dev/null)" = 75
check "signal: one message naming the checkpoint" test "$(grep -c \
  "interrupted by SIGTERM at iteration [0-9]*: checkpoint written to $ck; continue with --restart=$ck" \
  "$T/last.err")" = 1
check "signal: no result written" test ! -e "$T/sig-out.h5"
at=$(sed -n 's/.*interrupted by SIGTERM at iteration \([0-9]*\).*/\1/p' "$T/last.err")
at=${at:-0}
bn_ok "signal: restart, to iteration $((at + 5))" 2 "${S[@]}" \
  --max-iter=$((at + 5)) --restart="$ck" --output="$T/sig-out.h5"
check "signal: the restart continues from iteration $at" \
  grep -q "^RESTART=$ck (iteration $at," "$T/last.err"
check "signal: and stops at $((at + 5))" test "$(json iterations)" = $((at + 5))

# --save-init / --init-file: the random start of seed 5 (a run of no
# iterations), read back, gives r2.h5's run; its /init/q is that start.
bn_ok "save-init: the start of seed 5" 2 "${C[@]}" --seed=5 --max-iter=0 \
  --certificate=off --rounds=0 --codes=false --save-init \
  --output="$T/start.h5"
# The values, bit for bit (h5diff would also compare the attributes, and
# /init/q's description says it is the start).
same_data() { # FILE1 PATH1 FILE2 PATH2
  h5dump -d "$2" -b NATIVE -o "$T/a.bin" "$1" >/dev/null &&
    h5dump -d "$4" -b NATIVE -o "$T/b.bin" "$3" >/dev/null &&
    test -s "$T/a.bin" && cmp -s "$T/a.bin" "$T/b.bin"
}
check "save-init: /init/q is the start" same_data "$T/start.h5" /init/q \
  "$T/start.h5" /q
bn_ok "init-file: from it (another --seed)" 2 "${C[@]}" --seed=9 \
  --init-file="$T/start.h5" --save-init --output="$T/from.h5"
check "init-file: /init/q is the file's /q" same_data "$T/start.h5" /q \
  "$T/from.h5" /init/q
check "init-file: the same history as the run from seed 5" h5diff -q \
  -p 1e-12 "$T/r2.h5" "$T/from.h5" /history/objective /history/objective
check "init-file: the same kernel" h5diff -q -p 1e-12 "$T/r2.h5" \
  "$T/from.h5" /kernel /kernel
e=$(json kernel_error)
check "init-file: kernel error ${e:-missing} < 1e-8" num_lt "${e:-1}" 1e-8

expect_fail "generate: theta 1.2" 1 "must be in \\(0, 1\\)" generate deconv \
  --output="$T/x.h5" --theta=1.2
expect_fail "generate: kernel larger than the signal" 2 "does not fit" \
  generate deconv --output="$T/x.h5" --n=50 --kernel-size=60
check "no file from a refused generate" test ! -e "$T/x.h5"
# /X_true of another shape than /Y (it overflowed a buffer before the
# check), and a NaN in /a_true, are refused.
bn_ok "generate 1-D n = 64, 4 channels" 1 generate deconv \
  --output="$T/x64.h5" --n=64 --channels=4 --seed=2
bn_ok "generate 1-D n = 128, 4 channels" 1 generate deconv \
  --output="$T/x128.h5" --n=128 --channels=4 --seed=2
h5copy -i "$T/x64.h5" -o "$T/xmix.h5" -s /Y -d /Y
h5copy -i "$T/x128.h5" -o "$T/xmix.h5" -s /X_true -d /X_true
expect_fail "deconv: /X_true of another shape" 2 "must have the shape of /Y" \
  deconv --input="$T/xmix.h5" --output="$T/x.h5"
cp "$T/x64.h5" "$T/anan.h5"
"${BN_BUILD_DIR:?}/tests/tool_setnan" "$T/anan.h5" /a_true 2
expect_fail "deconv: NaN in /a_true" 2 "/a_true holds a NaN" \
  deconv --input="$T/anan.h5" --output="$T/x.h5"
expect_fail "deconv: theta 0" 2 "must be in \\(0, 1\\)" deconv \
  --input="$T/d1.h5" --output="$T/x.h5" --theta=-1
expect_fail "deconv: l1 with gd" 1 "not smooth" deconv --input="$T/d1.h5" \
  --output="$T/x.h5" --loss=l1 --solver=gd
expect_fail "deconv: --init-file of another size" 2 "must hold 200 values" \
  deconv --input="$T/d1.h5" --output="$T/x.h5" --init-file="$T/r2d.h5"
mk "$T/zero.h5" /Y "3 4" "1 2 3 4
0 0 0 0
5 6 7 8"
expect_fail "deconv: all-zero channel" 2 "all zeros" deconv \
  --input="$T/zero.h5" --output="$T/x.h5"
mk "$T/flat.h5" /Y "12" "1 2 3 4 0 1 0 3 5 6 7 8"
expect_fail "deconv: 1-D /Y" 1 "same length" deconv --input="$T/flat.h5" \
  --output="$T/x.h5"
mk "$T/big.h5" /Y "3 4" "1 2 3 4
0 1 0 3
5 6 7 8"
mk "$T/big.h5" /a_true "6" "1 2 3 4 5 6"
expect_fail "deconv: kernel larger than the signal" 2 "larger than" deconv \
  --input="$T/big.h5" --output="$T/x.h5"
check "no result from a refused run" test ! -e "$T/x.h5"

bn_summary
