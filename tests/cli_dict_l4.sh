#!/usr/bin/env bash
# benign dict --method=l4 (MSP), its stopping rule, sample continuation and
# the path from images to atoms:
#  - m = 30, p = 20000: the first MSP steps run on every 32nd sample
#    (--l4-coarse=0.5: p/s >= 0.5 m^2), the run stops by the relative
#    change of f (--ftol's l4 default) before the gradient test would,
#    every atom matched; --l4-coarse=0 recovers them too;
#  - m = 80, p = m^2, all the samples: the default solver (aals, MSP from
#    a point extrapolated along the last step) takes fewer steps than
#    plain MSP (--solver=als) and ends at the same fixed point; its
#    search in single precision switches to double and ends where the
#    double-precision run does;
#  - a checkpoint with a damaged l4_single attribute is refused;
#  - checkpoints: a fault (SIGKILL) at the 3rd checkpoint write, while the
#    continuation is still on a subset of the samples, then --restart
#    gives the same result as an uninterrupted run (1e-12) and recovers at
#    another process count;
#  - images: IDX images made by tools/tool_mkimage, imported with the
#    defaults (8x8 patches, centered: Y Y^T has the null direction 1), then
#    benign dict with its defaults: preconditioned within the span (the
#    log says so), stops by itself, no Lanczos run for the certificate;
#    the sphere method refuses the same input with one message;
#  - bad options refused with one message.
. "$(dirname "$0")/lib.sh"

json() { json_field "$1" "$T/last.out"; }
MK=${BN_BUILD_DIR:?}/tests/tool_mkimage

bn_ok "generate m=30, theta=0.3, p=20000" 2 generate dict --dim=30 \
  --theta=0.3 --samples=20000 --seed=11 --output="$T/o.h5"
bn_ok "l4 with its defaults" 2 dict --input="$T/o.h5" --json \
  --progress=false --output="$T/def.h5"
check "continuation: the first level is every 32nd sample" grep -q \
  "every 32-th sample (625 of 20000" "$T/last.out" "$T/last.err"
check "stopped by the relative change of f" grep -q \
  "relative objective change below ftol" "$T/last.out" "$T/last.err"
its=$(json iterations)
mc=$(json min_abs_cos)
check "all atoms: matched fraction $(json matched_fraction)" \
  test "$(json matched_fraction)" = 1
check "min |cos| ${mc:-missing} > 0.99" num_lt 0.99 "${mc:-0}"
bn_ok "l4 to the gradient test (--ftol=0)" 2 dict --input="$T/o.h5" \
  --ftol=0 --json --progress=false --output="$T/grad.h5"
check "the gradient test takes more steps ($(json iterations) > ${its:-?})" \
  test "$(json iterations)" -gt "${its:-1000}"
bn_ok "l4 on all the samples (--l4-coarse=0)" 2 dict --input="$T/o.h5" \
  --l4-coarse=0 --json --progress=false --output="$T/full.h5"
mc=$(json min_abs_cos)
check "all the samples: min |cos| ${mc:-missing} > 0.99" num_lt 0.99 "${mc:-0}"
check "all the samples: no continuation in the log" sh -c \
  "! grep -q 'first steps use' '$T/last.out' '$T/last.err'"

bn_ok "generate m=80, p=6400" 2 generate dict --dim=80 --theta=0.3 \
  --samples=6400 --seed=11 --output="$T/o80.h5"
bn_ok "l4, plain MSP (--solver=als)" 2 dict --input="$T/o80.h5" --solver=als \
  --l4-coarse=0 --json --progress=false --output="$T/p80.h5"
its=$(json iterations)
fp=$(json objective)
bn_ok "l4, extrapolated MSP (default: aals, single-precision search)" 2 \
  dict --input="$T/o80.h5" --l4-coarse=0 --json --progress=false \
  --log-level=debug --output="$T/x80.h5"
check "the search switched to double precision" grep -q \
  "double precision from here" "$T/last.out" "$T/last.err"
check "SOLVER=aals in the log" grep -q "^SOLVER=aals" "$T/last.out" "$T/last.err"
check "aals: fewer steps ($(json iterations) < ${its:-?})" \
  test "$(json iterations)" -lt "${its:-0}"
check "aals: the same fixed point (f $(json objective) vs ${fp:-?}, 1e-5)" \
  awk -v a="$(json objective)" -v b="${fp:-nan}" \
  'BEGIN { d = a - b; if (d < 0) d = -d; exit !(b < 0 && d <= 1e-5 * -b) }'
mc=$(json min_abs_cos)
check "aals: min |cos| ${mc:-missing} > 0.98" num_lt 0.98 "${mc:-0}"
fx=$(json objective)
bn_ok "l4, all in double precision (--l4-single=false)" 2 dict \
  --input="$T/o80.h5" --l4-coarse=0 --l4-single=false --json \
  --progress=false --output="$T/d80.h5"
check "single-precision search: the same fixed point (f ${fx:-?} vs $(json objective), 1e-7)" \
  awk -v a="${fx:-nan}" -v b="$(json objective)" \
  'BEGIN { d = a - b; if (d < 0) d = -d; exit !(b < 0 && d <= 1e-7 * -b) }'
expect_fail_rc 2 "--l4-single=maybe refused" 2 "l4-single" dict \
  --input="$T/o80.h5" --l4-single=maybe --output="$T/no.h5"
expect_fail_rc 2 "aals on the huber loss (no sweep): refused" 2 \
  "--solver=aals: the huber loss has no sweep" dict --input="$T/o80.h5" --method=sphere \
  --solver=aals --output="$T/no.h5"

# A fault at the 3rd checkpoint write (iteration 6, on a subset of the
# samples), then a restart from the 2nd.
A=(dict --input="$T/o.h5" --progress=false)
st=0
BN_FAULT=before-rename:3 bn_run 2 "${A[@]}" --output="$T/f-out.h5" \
  --checkpoint="$T/ck.h5" --checkpoint-every=2 >"$T/last.out" \
  2>"$T/last.err" || st=$?
check "fault kills the job (status $st)" test "$st" != 0 -a "$st" != 124
stride=$(h5dump -a /W/l4_stride "$T/ck.h5" 2>/dev/null |
  awk '/\(0\)/ { print $2 }')
check "the checkpoint is on a coarse level (stride ${stride:-?})" \
  awk -v s="${stride:-0}" 'BEGIN { exit !(s > 1) }'
single=$(h5dump -a /W/l4_single "$T/ck.h5" 2>/dev/null |
  awk '/\(0\)/ { print $2 }')
check "the checkpoint is in the single-precision search (${single:-?})" \
  test "${single:-0}" = 1
bn_ok "checkpoint: restart" 2 "${A[@]}" --restart="$T/ck.h5" \
  --output="$T/cont.h5"
ok=0
for d in /A /W /history/iteration /history/objective /history/grad_norm; do
  if ! h5diff -q -p 1e-12 "$T/def.h5" "$T/cont.h5" "$d" "$d" >/dev/null 2>&1; then
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
cp "$T/ck.h5" "$T/ck-bad.h5"
"${BN_BUILD_DIR:?}/tests/tool_setattr" "$T/ck-bad.h5" /W l4_single i64:5
expect_fail_rc 1 "a checkpoint whose l4_single is 5" 2 \
  "l4_single = 5: expected 0 or 1" "${A[@]}" --restart="$T/ck-bad.h5" \
  --output="$T/bad.h5"

# Images to atoms with the defaults.
"$MK" idx "$T/img.idx.gz" 300 28 28 tex gz
bn_ok "import IDX images, 8x8 patches (defaults: centered)" 2 import \
  --format=idx --input="$T/img.idx.gz" --patch=8x8 --max-patches=20000 \
  --output="$T/patches.h5"
bn_ok "dict with its defaults on centered patches" 2 dict \
  --input="$T/patches.h5" --json --progress=false --output="$T/img.h5"
check "patches: preconditioned within the span (log)" grep -q \
  "1 null direction .*within the span of the data (63 dimensions)" \
  "$T/last.out" "$T/last.err"
check "patches: NULL_DIRECTIONS=1" grep -q "^NULL_DIRECTIONS=1" \
  "$T/last.out" "$T/last.err"
check "patches: converged by itself" grep -q '"converged":true' "$T/last.out"
check "patches: fewer than 1000 iterations ($(json iterations))" \
  test "$(json iterations)" -lt 1000
check "patches: the certificate ran no Lanczos" grep -q \
  "Lanczos was not run" "$T/last.out" "$T/last.err"
expect_fail_rc 1 "patches, sphere method" 2 \
  "Y Y\^T is singular.*--method=l4 preconditions within their span" dict \
  --input="$T/patches.h5" --method=sphere

expect_fail_rc 2 "negative --l4-coarse" 2 "--l4-coarse=-1: must be a number" \
  dict --input="$T/o.h5" --l4-coarse=-1

bn_summary
