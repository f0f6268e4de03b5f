#!/usr/bin/env bash
# benign sasd: short-and-sparse blind deconvolution.
#  - 1-D, k = 32, n = 10000, theta = k^(-3/4), noise-free: the kernel is
#    recovered up to shift with error < 1e-2 (on 2 processes, each holding
#    the whole signal);
#  - 2-D 64 x 64, 5 x 5 kernel, FFTW-MPI slabs at 1, 2 and 3 processes
#    (64 = 22 + 21 + 21 rows): error < 1e-3, the same kernel, activation
#    map and objective;
#  - the generator writes the same file at 1 and 3 processes;
#  - a smooth kernel with noise (error < 0.05); --png-prefix pictures; an
#    image file (PNG) as the input;
#  - checkpoints: a run stopped at iteration 130 and restarted from its
#    checkpoint (iteration 100) equals the uninterrupted run (/a, /x,
#    /history to 1e-12); a restart at 3 processes gives the same kernel;
#    a restart against another input, and a checkpoint of an image input,
#    are refused; SIGTERM: status 75 on every rank, one message, a
#    checkpoint that a restart continues;
#  - bad input: kernel window larger than the signal, kernel larger than
#    the generated signal, theta and lambda out of range, an all-zero
#    signal, a NaN, a missing file.
. "$(dirname "$0")/lib.sh"

SCALE=${BN_BUILD_DIR:?}/tests/tool_scale
SETNAN=${BN_BUILD_DIR:?}/tests/tool_setnan
MKIMAGE=${BN_BUILD_DIR:?}/tests/tool_mkimage

bn_ok "generate 1-D n = 10000, k = 32" 1 generate sasd --length=10000 \
  --kernel-size=32 --seed=4 --output="$T/s1.h5"
bn_ok "generate 2-D 64 x 64, k = 5 (1 process)" 1 generate sasd --height=64 \
  --width=64 --kernel-size=5 --seed=5 --output="$T/s2.h5"
bn_ok "generate 2-D 64 x 64, k = 5 (3 processes)" 3 generate sasd \
  --height=64 --width=64 --kernel-size=5 --seed=5 --output="$T/s2b.h5"
check "generate: the same file on 1 and 3 processes" \
  h5diff -q "$T/s2.h5" "$T/s2b.h5"
bn_ok "generate a smooth 1-D kernel with noise" 2 generate sasd \
  --length=3000 --kernel-size=16 --kernel=smooth --noise=0.01 \
  --output="$T/sm.h5"

ERR=
solve() { # solve NAME NP FILE ARGS...
  local name=$1 np=$2 file=$3
  shift 3
  bn_ok "$name" "$np" sasd --input="$T/$file.h5" --json \
    --output="$T/$name.h5" "$@"
  ERR=$(json_field kernel_error "$T/last.out")
  cp "$T/last.out" "$T/$name.json"
}

solve d1 2 s1
check "1-D: kernel error ${ERR:-missing} < 1e-2" num_lt "${ERR:-1}" 1e-2

for np in 1 2 3; do
  solve "d2-$np" $np s2 --png-prefix="$T/p$np"
  check "2-D on $np: kernel error ${ERR:-missing} < 1e-3" num_lt "${ERR:-1}" 1e-3
done
for np in 2 3; do
  check "2-D: kernel at $np processes = at 1 (1e-9)" \
    h5diff -q -d 1e-9 "$T/d2-1.h5" "$T/d2-$np.h5" /a /a
  check "2-D: activation map at $np processes = at 1 (1e-9)" \
    h5diff -q -d 1e-9 "$T/d2-1.h5" "$T/d2-$np.h5" /x /x
  o1=$(json_field objective "$T/d2-1.json")
  on=$(json_field objective "$T/d2-$np.json")
  check "2-D: objective at $np processes = at 1 ($on vs $o1)" \
    awk -v a="$o1" -v b="$on" 'BEGIN { d = a - b; exit !(d < 1e-9 * a && -d < 1e-9 * a) }'
done
check "2-D: kernel and activation PNGs" test -s "$T/p3_kernel.png" -a \
  -s "$T/p3_activation.png"
check "result has /a 5 x 5, /x 64 x 64, /history/kernel_error" \
  sh -c "h5ls -r '$T/d2-1.h5' | grep -q '^/a .*{5, 5}' &&
         h5ls -r '$T/d2-1.h5' | grep -q '^/x .*{64, 64}' &&
         h5ls -r '$T/d2-1.h5' | grep -q '^/history/kernel_error'"
solve smr 2 sm --png-prefix="$T/sm"
check "smooth noisy 1-D: kernel error ${ERR:-missing} < 0.05" num_lt "${ERR:-1}" 0.05
check "1-D kernel plot" test -s "$T/sm_kernel.png"

"$MKIMAGE" png "$T/img.png" 48 40 tex 0
bn_ok "an image file as the input" 2 sasd --input="$T/img.png" \
  --kernel-size=3 --max-iter=50 --output="$T/img.h5" --json
check "image input: 40 x 48 result" sh -c "h5ls -r '$T/img.h5' | grep -q '^/x .*{40, 48}'"

# Checkpoints (2-D 64 x 64, 2 processes, FFTW_ESTIMATE plans): a run
# stopped at 130 with checkpoints every 50, restarted, is the run never
# interrupted (d2-2); a restart at 3 processes reaches the same kernel;
# another input is refused; SIGTERM writes a checkpoint, status 75.
same_run() { # same_run REF OUT NAME
  local d ok=0
  for d in /a /a_window /x /history/iteration /history/objective \
    /history/lambda /history/change /history/residual /history/kernel_error; do
    if ! h5diff -q -p 1e-12 "$1" "$2" "$d" "$d" >/dev/null 2>&1; then
      echo "    $d differs"
      ok=1
    fi
  done
  check "$3: same /a, /x and /history as the uninterrupted run" test $ok = 0
}
C=(sasd --input="$T/s2.h5" --json)
bn_ok "checkpoint: stop at 130, checkpoints every 50" 2 "${C[@]}" \
  --max-iter=130 --checkpoint="$T/ck.h5" --checkpoint-every=50 \
  --output="$T/stop.h5"
check "checkpoint: kept as ck.h5 (iteration 100) and ck.h5.1" sh -c \
  "h5dump -a iteration '$T/ck.h5' | grep -q '(0): 100' && test -e '$T/ck.h5.1'"
bn_ok "checkpoint: restart" 2 "${C[@]}" --restart="$T/ck.h5" \
  --output="$T/cont.h5"
check "restart says where it continues" \
  grep -q "^RESTART=$T/ck.h5 (iteration 100, written by 2 processes" \
  "$T/last.err"
same_run "$T/d2-2.h5" "$T/cont.h5" "restart at 2"
bn_ok "checkpoint: restart at 3 processes" 3 "${C[@]}" --restart="$T/ck.h5" \
  --output="$T/cont3.h5"
e=$(json_field kernel_error "$T/last.out")
check "restart at 3: kernel error ${e:-missing} < 1e-3" num_lt "${e:-1}" 1e-3
check "restart at 3: the kernel of the run at 1 (1e-9)" \
  h5diff -q -d 1e-9 "$T/d2-1.h5" "$T/cont3.h5" /a /a
expect_fail_rc 2 "restart against another input" 2 \
  "input differs from the one '.*ck\.h5' was written for" \
  sasd --input="$T/s1.h5" --restart="$T/ck.h5" --output="$T/bad.h5"
expect_fail_rc 2 "checkpoint of an image input" 2 "need an HDF5 input" \
  sasd --input="$T/img.png" --kernel-size=3 --checkpoint="$T/badck.h5" \
  --output="$T/bad.h5"

# SIGTERM once the first checkpoint exists (--tol=1e-30: a run of many
# iterations): status 75 on every rank, one message, no result; the
# restart, told to stop 5 iterations later, continues there.
S=("${C[@]}" --tol=1e-30)
ck="$T/sig-ck.h5"
bn_interrupt TERM all "$ck" 2 "${S[@]}" --max-iter=100000 --output="$T/sig-out.h5" \
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
check "signal: and stops at $((at + 5))" \
  test "$(json_field iterations "$T/last.out")" = $((at + 5))

# bad input
cp "$T/s1.h5" "$T/nan-a.h5"
"$SETNAN" "$T/nan-a.h5" /a_true 3
expect_fail "NaN in /a_true" 2 "/a_true holds a NaN" \
  sasd --input="$T/nan-a.h5" --output="$T/bad.h5"
expect_fail "kernel window larger than the signal" 2 "window 3k - 2" \
  sasd --input="$T/s1.h5" --kernel-size=4000 --output="$T/bad.h5"
expect_fail "generate: kernel larger than the signal" 2 "kernel-size" \
  generate sasd --length=20 --kernel-size=32 --output="$T/bad.h5"
expect_fail "generate: theta > 1" 2 "theta" generate sasd --theta=1.5 \
  --output="$T/bad.h5"
expect_fail "lambda < 0" 2 "lambda" sasd --input="$T/s1.h5" --lambda=-1 \
  --output="$T/bad.h5"
cp "$T/s2.h5" "$T/zero.h5"
"$SCALE" "$T/zero.h5" /y 0
expect_fail "all-zero signal" 3 "zero everywhere" sasd --input="$T/zero.h5" \
  --output="$T/bad.h5"
cp "$T/s1.h5" "$T/nan.h5"
"$SETNAN" "$T/nan.h5" /y 1234
expect_fail "a NaN in the signal" 2 "non-finite" sasd --input="$T/nan.h5" \
  --output="$T/bad.h5"
expect_fail "missing input" 2 "nope" sasd --input="$T/nope.h5" \
  --output="$T/bad.h5"
check "no result from a failed run" test ! -e "$T/bad.h5"
bn_summary
