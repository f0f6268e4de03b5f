#!/usr/bin/env bash
# benign glm (generalized linear model, squared loss):
#  - generate d = 50, n = 20000 (sigmoid, noise 0.1): the same file on 1 and
#    2 processes;
#  - recovery at 1 and 3 processes from the moment estimate (spectral) and
#    from w = 0 (--init=random --init-scale=0): rel_error within 1.4 times
#    the asymptotic prediction 0.0151 of mpi_glm (noise sqrt((d-1)/a +
#    1/b) / (|w*| sqrt(n))), the same /w at every process count; noiseless
#    (tanh link, read from the file): rel_error < 1e-6;
#  - a run stopped by --max-iter with a checkpoint, continued with
#    --restart (also on another process count), is the same run;
#  - bad inputs: one clear message from rank 0, non-zero status everywhere.
. "$(dirname "$0")/lib.sh"
BAD=${BN_BUILD_DIR:?}/tests/tool_glmeig_bad
SETNAN=${BN_BUILD_DIR:?}/tests/tool_setnan
SETATTR=${BN_BUILD_DIR:?}/tests/tool_setattr

bn_ok "generate d=50 n=20000 sigmoid noise 0.1" 2 generate glm --dim=50 \
  --samples=20000 --noise=0.1 --seed=5 --output="$T/g.h5"
bn_ok "generate on 1 process" 1 generate glm --dim=50 --samples=20000 \
  --noise=0.1 --seed=5 --output="$T/g1.h5"
check "the generated file is the same on 1 and 2 processes" \
  h5diff -q "$T/g.h5" "$T/g1.h5"
bn_ok "generate noiseless tanh" 3 generate glm --dim=20 --samples=3001 \
  --link=tanh --norm=1.5 --seed=6 --output="$T/t.h5"

for np in 1 3; do
  for init in spectral zero; do
    extra=(--init="$init")
    [ "$init" = zero ] && extra=(--init=random --init-scale=0)
    bn_ok "$init start at $np processes" "$np" glm --input="$T/g.h5" \
      "${extra[@]}" --tol=1e-10 --output="$T/$init-$np.h5" --json \
      --progress=false
    rel=$(json_field rel_error "$T/last.out")
    check "$init/$np: rel_error ${rel:-missing} < 1.4 x 0.0151" \
      num_lt "${rel:-1}" 0.0212
    check "$init/$np: converged" grep -q '"converged":true' "$T/last.out"
  done
done
for init in spectral zero; do
  check "$init: /w at 3 processes equals 1 process (1e-8)" \
    h5diff -q -d 1e-8 "$T/$init-1.h5" "$T/$init-3.h5" /w /w
done
check "spectral and zero starts reach the same w (1e-7)" \
  h5diff -q -d 1e-7 "$T/spectral-1.h5" "$T/zero-1.h5" /w /w
bn_ok "noiseless tanh (link from the file) at 2 processes" 2 glm \
  --input="$T/t.h5" --tol=1e-12 --output="$T/tanh.h5" --json --progress=false
rel=$(json_field rel_error "$T/last.out")
check "tanh: rel_error ${rel:-missing} < 1e-6" num_lt "${rel:-1}" 1e-6
check "tanh: the result names its link" \
  sh -c "h5dump -a link '$T/tanh.h5' | grep -q tanh"

# Checkpoint: stop at 12 (a checkpoint at 10), continue to the end.
A=(glm --input="$T/g.h5" --init=random --init-scale=1 --tol=1e-14
  --max-iter=60 --progress=false)
bn_ok "checkpoint: uninterrupted run" 2 "${A[@]}" --output="$T/ref.h5"
bn_ok "checkpoint: stop at 12, checkpoint at 10" 2 "${A[@]}" --max-iter=12 \
  --checkpoint="$T/ck.h5" --checkpoint-every=10 --output="$T/stop.h5"
bn_ok "checkpoint: restart" 2 "${A[@]}" --restart="$T/ck.h5" \
  --output="$T/cont.h5"
bn_ok "checkpoint: restart on 3 processes" 3 "${A[@]}" --restart="$T/ck.h5" \
  --output="$T/cont3.h5"
ok=0
for d in /history/iteration /history/objective /history/grad_norm \
  /history/rel_error /w; do
  if ! h5diff -q -p 1e-12 "$T/ref.h5" "$T/cont.h5" "$d" "$d" >/dev/null 2>&1; then
    echo "    $d differs"
    ok=1
  fi
done
check "restart continues as the same run (/history, /w to 1e-12)" test $ok = 0
check "restart on 3 processes reaches the same w" \
  h5diff -q -d 1e-9 "$T/ref.h5" "$T/cont3.h5" /w /w

# Bad inputs.
"$BAD" glm-nan-x "$T/nanx.h5" glm-rows "$T/rows.h5" glm-nolink \
  "$T/nolink.h5" glm-truth "$T/truth.h5"
expect_fail_rc 1 "NaN in X" 2 "/X row 4 holds a NaN" glm --input="$T/nanx.h5"
expect_fail_rc 1 "y shorter than X" 3 "/X has 7 rows, /y has 6" glm \
  --input="$T/rows.h5"
expect_fail_rc 1 "no link attribute" 2 "no .link. attribute" glm \
  --input="$T/nolink.h5"
bn_ok "an explicit --link makes it usable" 2 glm --input="$T/nolink.h5" \
  --link=sigmoid --max-iter=5 --output="$T/nolink-out.h5"
expect_fail_rc 1 "truth of the wrong length" 2 "/truth/w must be 1-D with d = 3" \
  glm --input="$T/truth.h5"
cp "$T/t.h5" "$T/nany.h5"
"$SETNAN" "$T/nany.h5" /y 1234
expect_fail_rc 1 "NaN in y" 3 "/y\[1234\] is NaN" glm --input="$T/nany.h5"
cp "$T/t.h5" "$T/link.h5"
"$SETATTR" "$T/link.h5" /y link relu
expect_fail_rc 1 "unknown link in the file" 2 "unknown link 'relu'" glm \
  --input="$T/link.h5"
expect_fail_rc 2 "unknown --link" 2 "--link" glm --input="$T/t.h5" --link=relu
expect_fail_rc 1 "missing /X" 2 "no dataset /X" glm --input="$T/tanh.h5"
expect_fail_rc 2 "als has no sweep" 2 "solver=als" glm --input="$T/t.h5" \
  --solver=als
expect_fail_rc 2 "negative noise to generate" 2 "noise" generate glm \
  --noise=-1 --output="$T/x.h5"
expect_fail_rc 2 "negative init-scale" 2 "init-scale" glm --input="$T/t.h5" \
  --init=random --init-scale=-1
bn_summary
