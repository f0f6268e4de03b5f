#!/usr/bin/env bash
# benign phase --method=auto (the default) and the optimal spectral start:
# with no --method, complex Gaussian data at m/n = 3 (n = 100, near the
# phase transition, where wf, the former default, fails on 4 of 10 seeds)
# is recovered to < 1e-6 at 1, 2 and 3 processes with the same /x, the log
# says what auto chose (raf-loss from the optimal start), and so do the
# run header and the result's attributes; coded diffraction at L = 4
# (where wf does not converge) is recovered with raf from the optimal
# start (its eigenvector by Lanczos); an explicit --method keeps its own
# start and the former log; the optimal start with another method, and
# with --power-iters=N by shifted power iterations; a checkpoint restart of the default
# method continues as the same run; bad --power-iters and --init values
# are refused with one message.
#
# Seed 2 at m/n = 3: seeds 1-5 were all recovered by the default (123-168
# iterations, 5e-9 to 1e-7 at the default tolerance).
. "$(dirname "$0")/lib.sh"

gen() { # gen NAME ARGS...
  local name=$1
  shift
  bn_ok "generate $name" 1 generate phase --seed=2 --output="$T/$name.h5" "$@"
}
gen c3 --n=100 --oversampling=3
gen cdp --model=cdp --height=64 --width=64 --patterns=4

# solve NAME NP FILE ARGS...: run with --json; REL = the rel_error.
REL=
solve() {
  local name=$1 np=$2 file=$3
  shift 3
  bn_ok "$name" "$np" phase --input="$T/$file.h5" --json --progress=false \
    --output="$T/$name.h5" "$@"
  REL=$(json_field rel_error "$T/last.out")
}
succeeds() { # succeeds NAME NP FILE ARGS...
  solve "$@"
  check "$1: rel_error ${REL:-missing} < 1e-6" num_lt "${REL:-1}" 1e-6
}
said() { # said NAME REGEX: the last run's stdout or stderr holds REGEX
  check "$1" grep -Eq -- "$2" "$T/last.out" "$T/last.err"
}

for np in 1 2 3; do
  succeeds "default, $np processes" "$np" c3
  said "default, $np processes: the log says auto chose raf-loss, optimal" \
    "method auto: raf-loss from the optimal start \(gaussian model, m/n = 3\)"
  said "default, $np processes: the optimal start's Lanczos converged" \
    "optimal init: Lanczos, [0-9]+ products \(converged\)"
done
check "default: 1 and 3 processes give the same /x (1e-9)" \
  h5diff -q -d 1e-9 "$T/default, 1 processes.h5" "$T/default, 3 processes.h5" \
  /x /x
bn_ok "info on the default's result" 1 info "$T/default, 2 processes.h5"
info_has "the result says method raf-loss" 'method.*raf-loss'
info_has "the result says start optimal" 'start.*optimal'
bn_ok "the run header" 1 phase --input="$T/c3.h5" --max-iter=1 \
  --progress=false --output="$T/one.h5"
info_has "header: METHOD=raf-loss" '^METHOD=raf-loss'
info_has "header: METHOD_CHOSEN_BY=auto" '^METHOD_CHOSEN_BY=auto'
info_has "header: START=optimal" '^START=optimal'

succeeds "cdp default, 2 processes" 2 cdp
said "cdp: the log says auto chose raf from the optimal start" \
  "method auto: raf from the optimal start \(cdp model, m/n = 4\)"
said "cdp: the optimal start's Lanczos converged" \
  "optimal init: Lanczos, [0-9]+ products \(converged\)"

solve "explicit wf" 1 c3 --method=wf
said "--method=wf: no auto line" "spectral init: 50 power iterations"
check "--method=wf: no 'method auto' line" \
  bash -c "! grep -q 'method auto' '$T/last.out' '$T/last.err'"
succeeds "rwf from the optimal start" 2 c3 --method=rwf --init=optimal
said "rwf --init=optimal: the optimal start" "optimal init:"
succeeds "default with --power-iters=200" 1 c3 --power-iters=200
said "--power-iters=200: exactly 200 after the 10" \
  "optimal init: 10 \+ 200 power iterations"

# Checkpoint: stop at 25 with a checkpoint at 20, continue: the same run.
A=(phase --input="$T/c3.h5" --progress=false --tol=1e-12 --max-iter=150)
bn_ok "restart: uninterrupted run" 2 "${A[@]}" --output="$T/ref.h5"
bn_ok "restart: stop at 25, checkpoint at 20" 2 "${A[@]}" --max-iter=25 \
  --checkpoint="$T/ck.h5" --checkpoint-every=20 --output="$T/stop.h5"
bn_ok "restart: continue" 2 "${A[@]}" --restart="$T/ck.h5" \
  --output="$T/cont.h5"
ok=0
for d in /history/iteration /history/objective /history/grad_norm \
  /history/rel_error /x; do
  if ! h5diff -q -p 1e-12 "$T/ref.h5" "$T/cont.h5" "$d" "$d" >/dev/null 2>&1
  then
    echo "    $d differs"
    ok=1
  fi
done
check "restart of the default continues as the same run (1e-12)" test $ok = 0

expect_fail_rc 2 "--power-iters=0" 2 "--power-iters=0: must be auto or an" \
  phase --input="$T/c3.h5" --power-iters=0
expect_fail_rc 2 "--power-iters=ten" 2 "--power-iters=ten: must be auto" \
  phase --input="$T/c3.h5" --power-iters=ten
expect_fail_rc 2 "--init=optimum" 2 "init" phase --input="$T/c3.h5" \
  --init=optimum
expect_fail_rc 2 "--method=raf-los" 2 "method" phase --input="$T/c3.h5" \
  --method=raf-los
bn_summary
