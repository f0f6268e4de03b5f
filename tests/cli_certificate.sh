#!/usr/bin/env bash
# The end-of-solve certificate and saddle escape from the command line:
#  - factor, complete, sense and rpca runs end with "certificate":
#    "local-minimizer" and lambda_min >= -eps_H in the JSON, the log and
#    the result file's attributes; a run cut short says "not-converged";
#    --certificate=off skips it;
#  - the origin is a strict saddle of symmetric factorization (gradient
#    exactly 0, lambda_min = -lambda_max(Y)): started there (--init-file)
#    plain gradient descent stays (certificate: saddle) and with --escape
#    the run reaches the global minimizer, at 1, 2 and 3 processes;
#  - bad certificate/escape options are refused with one message.
. "$(dirname "$0")/lib.sh"

SCALE=${BN_BUILD_DIR:?}/tests/tool_scale
Q=(--progress=false --json)

bn_ok "generate factor sym 40x40 rank 3" 2 generate factor --mode=sym \
  --rows=40 --cols=40 --rank=3 --seed=5 --output="$T/fs.h5"

cert_ok() { # cert_ok NAME: the last run's JSON says local minimizer
  local c lam htol
  c=$(json_field certificate "$T/last.out")
  lam=$(json_field lambda_min "$T/last.out")
  htol=$(json_field cert_htol "$T/last.out")
  check "$1: certificate ${c:-missing} = local-minimizer" test "$c" = \
    local-minimizer
  check "$1: lambda_min ${lam:-missing} >= -eps_H (${htol:-missing})" \
    awk -v l="$lam" -v h="$htol" 'BEGIN { exit !(l != "" && h != "" && l + h >= 0) }'
}

bn_ok "factor sym, random start" 2 factor --input="$T/fs.h5" --mode=sym \
  --rank=3 --init=random --tol=1e-10 --output="$T/f.h5" "${Q[@]}"
cert_ok "factor"
check "factor: certificate in the log" grep -q \
  'certificate: approximate local minimizer' "$T/last.err"
check "factor: certificate attribute in the result" \
  sh -c "h5dump -a /certificate '$T/f.h5' | grep -q local-minimizer"
check "factor: lambda_min attribute in the result" \
  sh -c "h5dump -a /lambda_min '$T/f.h5' | grep -q DATA"

bn_ok "factor cut short (2 iterations)" 2 factor --input="$T/fs.h5" \
  --mode=sym --rank=3 --init=random --max-iter=2 --output="$T/f2.h5" "${Q[@]}"
check "cut short: certificate not-converged" test \
  "$(json_field certificate "$T/last.out")" = not-converged
bn_ok "--certificate=off" 1 factor --input="$T/fs.h5" --mode=sym --rank=3 \
  --certificate=off --output="$T/f3.h5" "${Q[@]}"
check "--certificate=off: certificate off, no lambda_min" \
  grep -q '"certificate":"off","lambda_min":null' "$T/last.out"
check "--certificate=off: no certificate line" \
  sh -c "! grep -q 'certificate:' '$T/last.err'"

# The other low-rank problems (rpca's Hessian by finite differences).
bn_ok "generate complete 60x50" 2 generate complete --rows=60 --cols=50 \
  --rank=2 --sample-rate=0.5 --seed=2 --output="$T/c.h5"
bn_ok "complete" 2 complete --input="$T/c.h5" --rank=2 --tol=1e-10 \
  --output="$T/co.h5" "${Q[@]}"
cert_ok "complete"
bn_ok "generate sense 20x20" 2 generate sense --operator=gaussian --rows=20 \
  --cols=20 --rank=2 --seed=3 --output="$T/s.h5"
bn_ok "sense" 2 sense --input="$T/s.h5" --rank=2 --tol=1e-10 \
  --output="$T/so.h5" "${Q[@]}"
cert_ok "sense"
bn_ok "generate rpca 60x60" 2 generate rpca --rows=60 --cols=60 --rank=2 \
  --corrupt=0.05 --seed=4 --output="$T/r.h5"
bn_ok "rpca" 2 rpca --input="$T/r.h5" --rank=2 --alpha=0.15 --tol=1e-10 \
  --output="$T/ro.h5" "${Q[@]}"
cert_ok "rpca"

# The origin: a strict saddle. A result file with /U scaled by 0.
bn_ok "a factor result to start from" 1 factor --input="$T/fs.h5" \
  --mode=sym --rank=3 --max-iter=1 --certificate=off --output="$T/zero.h5"
check "its /U set to zero" "$SCALE" "$T/zero.h5" /U 0
for np in 1 2 3; do
  bn_ok "origin, no escape ($np processes)" "$np" factor --input="$T/fs.h5" \
    --mode=sym --rank=3 --init-file="$T/zero.h5" --escape=false --tol=1e-10 \
    --output="$T/stay$np.h5" "${Q[@]}"
  rel=$(json_field rel_error "$T/last.out")
  check "no escape/$np: stays at the saddle (rel_error ${rel:-missing} = 1)" \
    awk -v r="$rel" 'BEGIN { exit !(r != "" && r > 0.999) }'
  check "no escape/$np: certificate saddle" test \
    "$(json_field certificate "$T/last.out")" = saddle
  bn_ok "origin, escape ($np processes)" "$np" factor --input="$T/fs.h5" \
    --mode=sym --rank=3 --init-file="$T/zero.h5" --tol=1e-10 \
    --output="$T/esc$np.h5" "${Q[@]}"
  rel=$(json_field rel_error "$T/last.out")
  check "escape/$np: global minimizer (rel_error ${rel:-missing} < 1e-6)" \
    num_lt "${rel:-1}" 1e-6
  cert_ok "escape/$np"
  esc=$(json_field escapes "$T/last.out")
  check "escape/$np: escapes ${esc:-missing} >= 1" test "${esc:-0}" -ge 1
  check "escape/$np: the escape is in the log" grep -q '^escape 1 at iteration' \
    "$T/last.err"
done

# Bad options: one message, non-zero exit on every rank.
A=(factor --input="$T/fs.h5" --mode=sym --rank=3 --output="$T/bad.h5")
expect_fail_rc 2 "--certificate=maybe" 2 "certificate" "${A[@]}" \
  --certificate=maybe
expect_fail "--escape-max=-1" 2 "escape-max" "${A[@]}" --escape-max=-1
expect_fail "--cert-gtol=-1" 2 "cert-gtol" "${A[@]}" --cert-gtol=-1
expect_fail "--init-file missing" 2 "nope.h5" "${A[@]}" --init-file="$T/nope.h5"
expect_fail "--init-file of another size" 2 "co.h5.*rows" "${A[@]}" \
  --init-file="$T/co.h5"
check "no result written by the refused runs" test ! -e "$T/bad.h5"

bn_summary
