#!/usr/bin/env bash
# benign sense: recovery (gaussian 40 x 40 and rank-one 200 x 200 at 1 and 3
# processes; r = 3, m = 6 r (n1 + n2)) to relative error < 1e-6
# from the spectral and a random initial point, the same initial point at
# every process count, a checkpoint/restart that continues as the same run,
# and bad inputs, each refused with one message. The implicit n = 150
# recovery is in cli_sense_implicit.sh (the costly one).
. "$(dirname "$0")/lib.sh"

SETATTR=${BN_BUILD_DIR:?}/tests/tool_setattr
SETNAN=${BN_BUILD_DIR:?}/tests/tool_setnan

bn_ok "generate gaussian 40x40" 2 generate sense --operator=gaussian \
  --rows=40 --cols=40 --rank=3 --seed=3 --output="$T/g.h5"
bn_ok "generate rank-one 200x200" 2 generate sense --operator=rank-one \
  --rows=200 --cols=200 --rank=3 --seed=4 --output="$T/r.h5"

recover() { # recover NAME FILE NP INIT
  local out="$T/$1-$4-$3.h5"
  bn_ok "$1: $4 init at $3 processes" "$3" sense --input="$2" --rank=3 \
    --init="$4" --tol=1e-10 --max-iter=3000 --save-init --output="$out" \
    --json --progress=false
  local rel
  rel=$(json_field rel_error "$T/last.out")
  check "$1/$4/$3: rel_error ${rel:-missing} < 1e-6" num_lt "${rel:-1}" 1e-6
  check "$1/$4/$3: converged" grep -q '"converged":true' "$T/last.out"
}

for init in spectral random; do
  for np in 1 3; do recover gaussian "$T/g.h5" "$np" "$init"; done
  for np in 1 3; do recover rank-one "$T/r.h5" "$np" "$init"; done
  for d in /init/U /init/V; do
    check "gaussian/$init: $d at 3 processes equals 1 process" \
      h5diff -q -d 1e-10 "$T/gaussian-$init-1.h5" "$T/gaussian-$init-3.h5" \
      "$d" "$d"
  done
done
bn_ok "info on a sensing result" 1 info "$T/rank-one-spectral-3.h5"

# Checkpoint: stop at 25 by the iteration limit with a checkpoint at 20,
# continue to the end: the same run as one never stopped.
A=(sense --input="$T/r.h5" --rank=3 --init=random --tol=1e-12
  --max-iter=400 --progress=false)
bn_ok "checkpoint: uninterrupted run" 2 "${A[@]}" --output="$T/ref.h5"
bn_ok "checkpoint: stop at 25, checkpoint at 20" 2 "${A[@]}" --max-iter=25 \
  --checkpoint="$T/ck.h5" --checkpoint-every=20 --output="$T/stop.h5"
bn_ok "checkpoint: restart (3 processes)" 3 "${A[@]}" --restart="$T/ck.h5" \
  --output="$T/cont3.h5"
bn_ok "checkpoint: restart" 2 "${A[@]}" --restart="$T/ck.h5" \
  --output="$T/cont.h5"
ok=0
for d in /history/iteration /history/objective /history/grad_norm \
  /history/rel_error /U /V; do
  if ! h5diff -q -p 1e-12 "$T/ref.h5" "$T/cont.h5" "$d" "$d" >/dev/null 2>&1; then
    echo "    $d differs"
    ok=1
  fi
done
check "restart continues as the same run (/history, /U, /V to 1e-12)" \
  test $ok = 0
check "restart on 3 processes converges" \
  h5diff -q -d 1e-6 "$T/ref.h5" "$T/cont3.h5" /U /U

# Bad inputs: one message from rank 0, non-zero status everywhere, no hang.
h5copy -i "$T/r.h5" -o "$T/no-y.h5" -s /a -d /a
h5copy -i "$T/r.h5" -o "$T/no-y.h5" -s /b -d /b
expect_fail_rc 1 "missing /y" 3 "no dataset /y" sense --input="$T/no-y.h5" \
  --rank=3
bn_ok "generate a shorter rank-one instance" 1 generate sense \
  --operator=rank-one --rows=200 --cols=200 --rank=3 --measurements=3000 \
  --output="$T/r-short.h5"
for d in /y /a; do h5copy -i "$T/r.h5" -o "$T/ab.h5" -s $d -d $d; done
h5copy -i "$T/r-short.h5" -o "$T/ab.h5" -s /b -d /b
expect_fail_rc 1 "/a and /b of different lengths" 2 \
  "/a has 7200 rows but /b has 3000" sense --input="$T/ab.h5" --rank=3
bn_ok "generate a gaussian instance with fewer measurements" 1 generate \
  sense --operator=gaussian --rows=40 --cols=40 --rank=3 --measurements=500 \
  --output="$T/g-short.h5"
h5copy -i "$T/g.h5" -o "$T/am.h5" -s /y -d /y
h5copy -i "$T/g-short.h5" -o "$T/am.h5" -s /A -d /A
expect_fail_rc 1 "m of /A differs from /y" 3 \
  "/A has 500 rows but /y has 1440 measurements" sense --input="$T/am.h5" \
  --rank=3
expect_fail_rc 2 "rank too large" 2 "--rank=41 is larger than min" sense \
  --input="$T/g.h5" --rank=41
cp "$T/r.h5" "$T/nan.h5"
"$SETNAN" "$T/nan.h5" /y 4000
expect_fail_rc 1 "NaN in y" 3 "/y\[4000\] is NaN" sense --input="$T/nan.h5" \
  --rank=3
cp "$T/g.h5" "$T/op.h5"
"$SETATTR" "$T/op.h5" /y operator fourier
expect_fail_rc 1 "unknown operator in the file" 2 "unknown operator 'fourier'" \
  sense --input="$T/op.h5" --rank=3
expect_fail_rc 2 "unknown operator to generate" 2 "operator" generate sense \
  --operator=fourier --output="$T/x.h5"
expect_fail_rc 2 "als has no sweep" 2 "solver=als" sense --input="$T/g.h5" \
  --rank=3 --solver=als
bn_summary
