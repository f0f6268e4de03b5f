#!/usr/bin/env bash
# The pictures of what a run learned (include/benign/pictures.h):
#  - dict --atoms-png on 4x4 patches of an image whose left quarter is
#    constant (so the DC atom codes far more samples than any other): the
#    logged order is non-increasing in usage but for the DC atom, which is
#    last and tagged; in the stored order the usages are not sorted (so
#    the check can fail); the last tile of the mosaic is the flattest (the
#    least spread of gray levels: a near-constant atom); benign plot --what=atoms
#    finds the same order from the file's codes (sparse and dense /X), and
#    the stored order without codes (--codes=none), said so;
#  - deconv --png-prefix on a motif kernel, stored with its peak at index
#    0: the curve's peak is drawn in the middle of its x extent, not at
#    its left end; benign plot --what=kernel draws the same picture;
#  - a sasd kernel made near-constant (/a * 0.01 + 1): its curve still
#    spans most of the plot's height;
#  - bad input: a bad --what, --what=atoms of a file without atoms,
#    --what=kernel of one without a kernel, --x with --what=kernel.
. "$(dirname "$0")/lib.sh"

STAT=${BN_BUILD_DIR:?}/tests/tool_pngstat
SCALE=${BN_BUILD_DIR:?}/tests/tool_scale
MK=${BN_BUILD_DIR:?}/tests/tool_mkimage
Q=(--progress=false)
CURVE=1f5ab4 # the kernel's line colour

# order_of FILE: the "i:usage" list after "ordered by usage (...): ".
order_of() { sed -n 's/.*ordered by usage ([^)]*): //p' "$1" | head -1; }

# --- atoms --------------------------------------------------------------
check "a 40 x 40 image, constant left quarter" "$MK" png "$T/bl.png" 40 40 \
  blocks 0
bn_ok "import 4x4 patches, not centred" 1 import --input="$T/bl.png" \
  --patch=4x4 --center=false --output="$T/pa.h5"
bn_ok "dict --atoms-png" 2 dict --input="$T/pa.h5" --output="$T/di.h5" \
  --atoms-png="$T/di.png" "${Q[@]}"
ord=$(order_of "$T/last.err")
[ -n "$ord" ] || ord=$(order_of "$T/last.out")
check "the order is logged (${ord:0:60}...)" test -n "$ord"
check "16 atoms, the DC atom last and only it tagged" awk -v s="$ord" \
  'BEGIN { n = split(s, a, " "); t = 0; for (i = 1; i <= n; i++) t += a[i] ~ /\(DC\)$/
           exit !(n == 16 && a[n] ~ /\(DC\)$/ && t == 1) }'
check "usage non-increasing before the DC atom" awk -v s="$ord" \
  'BEGIN { n = split(s, a, " "); for (i = 2; i < n; i++) {
             split(a[i - 1], p, ":"); split(a[i], q, ":"); if (q[2] + 0 > p[2] + 0) exit 1 }
           exit 0 }'
check "the DC atom is the most used (so DC-last is a real move)" awk -v s="$ord" \
  'BEGIN { n = split(s, a, " "); split(a[n], d, ":"); split(a[1], f, ":")
           exit !(d[2] + 0 > f[2] + 0) }'
check "in stored order the usages are not sorted" awk -v s="$ord" \
  'BEGIN { n = split(s, a, " "); for (i = 1; i < n; i++) { split(a[i], p, ":"); u[p[1]] = p[2] }
           for (j = 1; j < 16; j++) if ((j in u) && ((j - 1) in u) && u[j] + 0 > u[j - 1] + 0) exit 0
           exit 1 }'
# 16 tiles of 4 x 4: 4 x 4 tiles of 64 pixels (zoom 16), 1-pixel borders.
flat=$(for t in $(seq 0 15); do
  x=$((1 + (t % 4) * 65)) y=$((1 + (t / 4) * 65))
  "$STAT" "$T/di.png" $x $y $((x + 63)) $((y + 63)) |
    awk -v t=$t '{ print $2 - $1, t }'
done | sort -g | head -1 | cut -d' ' -f2)
check "the last tile is the flattest (tile ${flat:-none})" test "$flat" = 15
bn_ok "plot --what=atoms (sparse codes)" 2 plot "$T/di.h5" \
  --output="$T/pa.png" --what=atoms
check "the file's codes give the same order" grep -qF "ordered by usage (% of samples, DC atom last): $ord" \
  "$T/last.err" "$T/last.out"
check "the same picture" cmp -s "$T/di.png" "$T/pa.png"
bn_ok "dict --codes=dense" 3 dict --input="$T/pa.h5" --output="$T/dd.h5" \
  --codes=dense "${Q[@]}"
bn_ok "plot --what=atoms (dense codes)" 2 plot "$T/dd.h5" \
  --output="$T/pd.png" --what=atoms
check "dense codes: the same order" grep -qF "DC atom last): $ord" \
  "$T/last.err" "$T/last.out"
bn_ok "dict --codes=none" 2 dict --input="$T/pa.h5" --output="$T/dn.h5" \
  --codes=none --atoms-png="$T/dn.png" "${Q[@]}"
check "--codes=none: stored order, said so" grep -q "atoms in stored order" \
  "$T/last.err" "$T/last.out"
bn_ok "plot --what=atoms (no codes)" 1 plot "$T/dn.h5" \
  --output="$T/pn.png" --what=atoms
check "no codes: stored order, said so" grep -q \
  "in stored order (the file holds no codes /X): 0 1 2 3 4 5" \
  "$T/last.err" "$T/last.out"
check "no codes: the run's picture" cmp -s "$T/dn.png" "$T/pn.png"

# --- kernels ------------------------------------------------------------
bn_ok "generate deconv (motif)" 2 generate deconv --n=64 --channels=20 \
  --kernel=motif --kernel-size=9 --output="$T/dc.in.h5"
bn_ok "deconv --png-prefix" 2 deconv --input="$T/dc.in.h5" \
  --output="$T/dc.h5" --png-prefix="$T/dc_" "${Q[@]}"
s=$("$STAT" "$T/dc_kernel.png" $CURVE)
check "deconv: the peak in the middle of the curve ($s)" awk -v s="$s" \
  'BEGIN { split(s, a, " "); w = a[3] - a[2]; d = a[6] - (a[2] + a[3]) / 2
           exit !(a[1] > 500 && w > 500 && (d < 0 ? -d : d) < 0.05 * w) }'
bn_ok "plot --what=kernel (deconv)" 2 plot "$T/dc.h5" --output="$T/pk.png" \
  --what=kernel
check "the same curve" test "$("$STAT" "$T/pk.png" $CURVE)" = "$s"
bn_ok "generate sasd" 1 generate sasd --length=1000 --kernel-size=12 \
  --output="$T/sa.in.h5"
bn_ok "sasd" 2 sasd --input="$T/sa.in.h5" --output="$T/sa.h5"
check "its kernel made near-constant" "$SCALE" "$T/sa.h5" /a 0.01 1
bn_ok "plot --what=kernel (sasd)" 2 plot "$T/sa.h5" --output="$T/sk.png" \
  --what=kernel
s=$("$STAT" "$T/sk.png" $CURVE)
check "near-constant kernel: the curve spans the plot's height ($s)" awk \
  -v s="$s" 'BEGIN { split(s, a, " "); exit !(a[5] - a[4] > 250) }'

# --- bad input ----------------------------------------------------------
expect_fail_rc 2 "bad --what" 2 "convergence|atoms|kernel" plot "$T/di.h5" \
  --output="$T/x.png" --what=image
expect_fail_rc 1 "atoms of a deconv result" 2 "has no atoms" plot \
  "$T/dc.h5" --output="$T/x.png" --what=atoms
expect_fail_rc 1 "kernel of a dict result" 2 "has no kernel" plot \
  "$T/di.h5" --output="$T/x.png" --what=kernel
expect_fail_rc 2 "--x with --what=kernel" 2 "is for --what=convergence" \
  plot "$T/dc.h5" --output="$T/x.png" --what=kernel --x=seconds
check "no picture from the failures" test ! -e "$T/x.png"

bn_summary
