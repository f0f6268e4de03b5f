#!/usr/bin/env bash
# benign dict and benign generate dict (complete dictionaries):
#  - recovery at the acceptance size, m = 30 atoms (orthogonal), theta =
#    0.3, p = 20000 samples: --method=l4 (MSP, random orthogonal starts)
#    and --method=sphere --loss=huber (random starts, deflation) at 1, 2
#    and 3 processes: every atom matched (|cos| > 0.99), every solve
#    converged and certified an approximate local minimizer, codes sparse
#    (nonzero fraction near theta) with a small representation error, and
#    the same /A at every process count (1e-6);
#  - a Gaussian (not orthogonal) complete dictionary, recovered through
#    the preconditioning; the l1 loss (subgradient method) and the l4
#    loss on the sphere (m = 12);
#  - checkpoints: a fault (SIGKILL) at the 6th checkpoint write, in the
#    middle of the deflation, then --restart gives the same result as an
#    uninterrupted run (1e-12), and converges at another process count;
#  - bad inputs and options, each refused with one message (fewer samples
#    than the dimension, a NaN sample, no /Y, a 1-D /Y, a singular Y Y^T,
#    options that do not fit the method).
# The overcomplete method is tests/cli_dict_over.sh, the saddle test
# tests/cli_dict_saddle.sh.
. "$(dirname "$0")/lib.sh"

# mk FILE NAME "DIMS" TEXT: a float64 dataset from text (h5import).
mk() {
  local f=$1 name=$2 dims=$3 txt=$4 rank
  rank=$(echo "$dims" | wc -w)
  printf '%s\n' "$txt" >"$T/mk.txt"
  printf 'PATH %s\nINPUT-CLASS TEXTFP\nRANK %s\nDIMENSION-SIZES %s\nOUTPUT-CLASS FP\nOUTPUT-SIZE 64\n' \
    "$name" "$rank" "$dims" >"$T/mk.cfg"
  h5import "$T/mk.txt" -c "$T/mk.cfg" -o "$f" >/dev/null
}

json() { json_field "$1" "$T/last.out"; }

# recovered NAME [nocert]: the last run matched every atom, converged,
# certified (nocert: l4's default stop, the relative change of f, is above
# the certificate's first-order threshold, which skips Lanczos).
recovered() {
  local name=$1 mf mc cs sp re
  mf=$(json matched_fraction)
  mc=$(json min_abs_cos)
  check "$name: all atoms matched (fraction ${mf:-missing})" test "${mf:-0}" = 1
  check "$name: min |cos| ${mc:-missing} > 0.99" num_lt 0.99 "${mc:-0}"
  check "$name: converged" grep -q '"converged":true' "$T/last.out"
  cs=$(json certified_solves)
  if [ "${2:-}" = nocert ]; then
    check "$name: stopped by the relative change of f" grep -q \
      "relative objective change below ftol" "$T/last.err"
  else
    check "$name: every solve certified (${cs:-missing} of $(json solves))" \
      test "${cs:-x}" = "$(json solves)"
  fi
  sp=$(json code_sparsity)
  re=$(json rep_error)
  check "$name: code sparsity ${sp:-missing} within 0.05 of theta = 0.3" \
    awk -v s="${sp:-0}" 'BEGIN { exit !(s > 0.25 && s < 0.35) }'
  check "$name: representation error ${re:-missing} < 0.05" num_lt \
    "${re:-1}" 0.05
}

bn_ok "generate m=30, theta=0.3, p=20000 (orthogonal)" 2 generate dict \
  --dim=30 --theta=0.3 --samples=20000 --seed=1 --output="$T/o.h5"
for m in l4 sphere; do
  for np in 1 2 3; do
    bn_ok "$m at $np processes" "$np" dict --input="$T/o.h5" --method="$m" \
      --init=random --json --progress=false --output="$T/$m-$np.h5"
    recovered "$m/$np" "$([ $m = l4 ] && echo nocert)"
  done
  for np in 2 3; do
    check "$m: /A at $np processes equals 1 process" h5diff -q -d 1e-6 \
      "$T/$m-1.h5" "$T/$m-$np.h5" /A /A
  done
done
check "sphere: the last atom needs no solve (29 solves for 30 atoms)" \
  test "$(json solves)" = 29
bn_ok "info on a dict result" 1 info "$T/l4-1.h5"
info_has "info: /A is 30 x 30" "/A +\[30 x 30\]"
info_has "info: sparse codes /X/val" "/X/val"

bn_ok "generate a Gaussian complete dictionary (m=12)" 1 generate dict \
  --dim=12 --dictionary=gaussian --theta=0.3 --samples=6000 --seed=4 \
  --output="$T/g.h5"
for m in l4 sphere; do
  bn_ok "$m on the Gaussian dictionary" 2 dict --input="$T/g.h5" \
    --method="$m" --init=random --json --progress=false --output="$T/g-$m.h5"
  recovered "Gaussian/$m" "$([ $m = l4 ] && echo nocert)"
done
bn_ok "l4 to the gradient test (--ftol=0)" 2 dict --input="$T/g.h5" \
  --ftol=0 --json --progress=false --output="$T/g-l4g.h5"
recovered "Gaussian/l4, --ftol=0"
bn_ok "generate orthogonal m=12" 1 generate dict --dim=12 --samples=6000 \
  --seed=5 --output="$T/o12.h5"
bn_ok "sphere, l1 loss (subgradient method)" 3 dict --input="$T/o12.h5" \
  --method=sphere --loss=l1 --init=random --json --progress=false \
  --output="$T/l1.h5"
mc=$(json min_abs_cos)
check "l1: min |cos| ${mc:-missing} > 0.99" num_lt 0.99 "${mc:-0}"
check "l1: certificate skipped (not smooth)" grep -q \
  "certificate: skipped" "$T/last.err"
bn_ok "sphere, l4 loss by its fixed point (als)" 2 dict --input="$T/o12.h5" \
  --method=sphere --loss=l4 --solver=als --json --progress=false \
  --output="$T/s4.h5"
recovered "sphere l4/als"
bn_ok "dense codes" 1 dict --input="$T/o12.h5" --codes=dense \
  --output="$T/dense.h5"
check "dense codes: /X is 6000 x 12" \
  sh -c "h5dump -H -d /X '$T/dense.h5' | grep -q '( 6000, 12 )'"

# A fault (the process killed) at the 6th checkpoint write, then a restart
# from the 5th: the same result as a run never interrupted.
A=(dict --input="$T/o12.h5" --method=sphere --init=random --progress=false)
bn_ok "checkpoint: uninterrupted run" 2 "${A[@]}" --output="$T/ref.h5"
st=0
BN_FAULT=before-rename:6 bn_run 2 "${A[@]}" --output="$T/f-out.h5" \
  --checkpoint="$T/ck.h5" --checkpoint-every=3 >"$T/last.out" \
  2>"$T/last.err" || st=$?
check "fault kills the job (status $st)" test "$st" != 0 -a "$st" != 124
found=$(h5dump -a /atoms_found "$T/ck.h5" 2>/dev/null |
  awk '/\(0\)/ { print $2 }')
check "the checkpoint is mid-deflation (${found:-?} atoms found)" \
  test "${found:-0}" -ge 1 -a "${found:-0}" -lt 12
bn_ok "checkpoint: restart" 2 "${A[@]}" --restart="$T/ck.h5" \
  --output="$T/cont.h5"
ok=0
for d in /A /Q /q /stages/iterations /history/iteration /history/objective \
  /history/stage; do
  if ! h5diff -q -p 1e-12 "$T/ref.h5" "$T/cont.h5" "$d" "$d" >/dev/null 2>&1; then
    echo "    $d differs"
    ok=1
  fi
done
check "restart continues as the same run (to 1e-12)" test $ok = 0
bn_ok "checkpoint: restart at 3 processes" 3 "${A[@]}" --restart="$T/ck.h5" \
  --output="$T/cont3.h5" --json
mc=$(json min_abs_cos)
check "restart at 3 processes: min |cos| ${mc:-missing} > 0.99" num_lt 0.99 \
  "${mc:-0}"

# Bad inputs and options: one message from rank 0, non-zero status on
# every rank, no hang.
mk "$T/few.h5" Y "3 4" "1 2 3 4
5 6 7 8
9 1 2 3"
expect_fail_rc 1 "fewer samples than the dimension (l4)" 2 \
  "at least m samples are needed" dict --input="$T/few.h5"
mk "$T/nan.h5" Y "5 2" "1 2
3 4
5 6
nan 1
2 3"
expect_fail_rc 1 "NaN sample" 3 "/Y row 3 \(sample 3\) holds a NaN" dict \
  --input="$T/nan.h5"
mk "$T/noy.h5" Z "2 2" "1 2
3 4"
expect_fail_rc 1 "no /Y" 2 "no dataset /Y" dict --input="$T/noy.h5"
mk "$T/y1.h5" Y "4" "1 2 3 4"
expect_fail_rc 1 "1-D /Y" 2 "/Y must be 2-D" dict --input="$T/y1.h5"
mk "$T/sing.h5" Y "4 3" "1 2 0
3 4 0
5 6 0
7 9 0"
expect_fail_rc 1 "singular Y Y^T (sphere)" 3 \
  "Y Y\^T is singular.*--method=l4 preconditions within their span" dict \
  --input="$T/sing.h5" --method=sphere
bn_ok "singular Y Y^T: l4 within the span of the data" 3 dict \
  --input="$T/sing.h5" --output="$T/sing-span.h5"
check "singular Y Y^T: the log names the null direction" grep -q \
  "1 null direction .*within the span of the data (2 dimensions)" \
  "$T/last.out" "$T/last.err"
bn_ok "singular Y Y^T without preconditioning (l4)" 2 dict \
  --input="$T/sing.h5" --precondition=false --output="$T/sing-out.h5"
mk "$T/trbad.h5" Y "4 2" "1 2
3 4
5 7
2 1"
cp "$T/trbad.h5" "$T/trbad2.h5"
mk "$T/trbad2.h5" A_true "3 2" "1 0
0 1
1 1"
expect_fail_rc 1 "/A_true of the wrong shape" 2 "/A_true must be m x n" dict \
  --input="$T/trbad2.h5"
expect_fail_rc 2 "l4 with fewer atoms" 2 "learns a complete dictionary" dict \
  --input="$T/o12.h5" --atoms=5
expect_fail_rc 2 "sphere with more than m atoms" 2 \
  "finds at most m = 12 atoms" dict --input="$T/o12.h5" --method=sphere \
  --atoms=13
expect_fail_rc 2 "l1 with gd" 2 "the l1 loss is not smooth" dict \
  --input="$T/o12.h5" --method=sphere --loss=l1 --solver=gd
expect_fail_rc 2 "huber with als" 2 "the huber loss has no sweep" dict \
  --input="$T/o12.h5" --method=sphere --solver=als
expect_fail_rc 2 "--loss with l4" 2 "the losses are for --method=sphere" dict \
  --input="$T/o12.h5" --loss=l1
expect_fail_rc 2 "overcomplete without a truth or --atoms" 2 \
  "give the number of atoms" dict --input="$T/trbad.h5" --method=overcomplete
expect_fail_rc 2 "--rel-tol without a truth" 2 "--rel-tol needs a ground truth" \
  dict --input="$T/trbad.h5" --rel-tol=0.1
expect_fail_rc 2 "negative --mu" 2 "--mu=-1: must be positive" dict \
  --input="$T/o12.h5" --mu=-1
expect_fail_rc 2 "generate: orthogonal with n != m" 2 \
  "--dictionary=orthogonal needs --atoms = --dim" generate dict --dim=5 \
  --atoms=7 --dictionary=orthogonal --output="$T/x.h5"
expect_fail_rc 2 "generate: theta out of range" 2 "must be in \(0, 1\]" \
  generate dict --theta=1.5 --output="$T/x.h5"
expect_fail_rc 2 "generate: tight frame with n < m" 2 "at least dim" \
  generate dict --dim=8 --atoms=4 --dictionary=untf --output="$T/x.h5"
# --atoms-png: a mosaic of the 16 atoms of an m = 16 dictionary (4 x 4
# tiles, no patch shape in a generated input: square tiles), 4 x 4 tiles
# zoomed 16 times with 1-pixel separators: 4 (4 16 + 1) + 1 = 261 pixels.
bn_ok "generate m=16" 1 generate dict --dim=16 --samples=4000 --seed=9 \
  --output="$T/d16.h5"
bn_ok "l4 with --atoms-png" 2 dict --input="$T/d16.h5" --method=l4 \
  --atoms-png="$T/atoms.png" --output="$T/d16o.h5"
check "atoms mosaic: PNG signature" sh -c \
  "od -An -tx1 -N8 '$T/atoms.png' | tr -d ' \n' | grep -q '^89504e470d0a1a0a$'"
check "atoms mosaic: 261 x 261 (IHDR)" sh -c \
  "od -An -tu1 -j16 -N8 '$T/atoms.png' | tr -s ' ' | grep -q '^ 0 0 1 5 0 0 1 5$'"
expect_fail "--atoms-png into a missing directory" 1 "atoms.png" dict \
  --input="$T/d16.h5" --method=l4 --atoms-png="$T/nope/atoms.png" \
  --output="$T/d16p.h5"

bn_summary
