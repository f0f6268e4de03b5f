#!/usr/bin/env bash
# benign import --format=image|idx|h5: images made by tools/tool_mkimage
# with known pixels (PNG gray and colour, PGM raw and plain, JPEG, IDX
# plain and gzip'd, an HDF5 stack) become /Y; its shape, rows checked
# against the patch the tool computes from the pattern (centered, raw, unit
# norm), the same file at 1, 2 and 3 processes, --max-patches the same
# sample at 1 and 3 processes, --patches-png a PNG of the documented size,
# and bad inputs each refused with one message.
. "$(dirname "$0")/lib.sh"

MK=${BN_BUILD_DIR:?}/tests/tool_mkimage

# shape FILE: the "{rows, cols}" of /Y as h5ls prints it.
shape() { h5ls "$1/Y" | sed -n 's/.*Dataset {\([^}]*\)}.*/\1/p'; }
# same NAME A B: the two files are identical (data and attributes).
same() { check "$1" h5diff "$2" "$3"; }
# row_ok NAME ARGS...: tool_mkimage check ARGS passes.
row_ok() {
  local name=$1
  shift
  if "$MK" check "$@" >"$T/check.out" 2>&1; then
    pass "$name ($(cat "$T/check.out"))"
  else
    fail "$name: $(cat "$T/check.out")"
  fi
}

# --- one PNG, 20 x 16 (W x H), patch 4x4, stride 2: 9 x 7 corners ---------
"$MK" png "$T/tex.png" 20 16 tex 0
for np in 1 2 3; do
  bn_ok "png at $np processes" "$np" import --format=image \
    --input="$T/tex.png" --output="$T/png$np.h5" --patch=4x4 --stride=2
done
check "png: /Y is 63 x 16" test "$(shape "$T/png1.h5")" = "63, 16"
info_has "png: log line" "wrote .*png3.h5: /Y 63 x 16 \(4x4 patches, stride 2, centered\) from 1 images"
same "png: same /Y at 1 and 2 processes" "$T/png1.h5" "$T/png2.h5"
same "png: same /Y at 1 and 3 processes" "$T/png1.h5" "$T/png3.h5"
# Corner (y, x) = (6, 10) is row (6/2) 9 + 10/2 = 32; (12, 16) is row 62.
row_ok "png: row 32 = centered patch at (6, 10)" "$T/png3.h5" 32 tex 0 6 10 4 4 1 0 u8 1e-12
row_ok "png: row 62 = centered patch at (12, 16)" "$T/png2.h5" 62 tex 0 12 16 4 4 1 0 u8 1e-12
bn_ok "png raw (--center=false)" 2 import --format=image --input="$T/tex.png" \
  --output="$T/raw.h5" --patch=4x4 --stride=2 --center=false
row_ok "png raw: row 0 = the pixels / 255" "$T/raw.h5" 0 tex 0 0 0 4 4 0 0 u8 1e-12
bn_ok "png unit norm" 3 import --format=image --input="$T/tex.png" \
  --output="$T/unit.h5" --patch=4x4 --stride=2 --unit-norm
row_ok "png unit norm: row 40 (8, 8)" "$T/unit.h5" 40 tex 0 8 8 4 4 1 1 u8 1e-12
bn_ok "png 3x5 patches, stride 1" 2 import --format=image \
  --input="$T/tex.png" --output="$T/rect.h5" --patch=3x5
check "3x5: /Y is 14*16 x 15" test "$(shape "$T/rect.h5")" = "224, 15"
row_ok "3x5: row 5*16+7 = patch at (5, 7)" "$T/rect.h5" 87 tex 0 5 7 3 5 1 0 u8 1e-12

# --- colour PNG: BT.601 luma ------------------------------------------------
"$MK" png "$T/rgb.png" 20 16 rgb 0
bn_ok "colour png" 1 import --format=image --input="$T/rgb.png" \
  --output="$T/rgb.h5" --patch=4x4 --stride=2 --center=false
row_ok "colour png: row 10 = luma at (2, 2)" "$T/rgb.h5" 10 rgb 0 2 2 4 4 0 0 u8 1e-12

# --- a directory: PNG, raw PGM, plain PGM, in name order; other files skipped
mkdir "$T/dir"
"$MK" png "$T/dir/a.png" 20 16 tex 0
"$MK" pgm "$T/dir/b.pgm" 12 10 tex 1
"$MK" pgm "$T/dir/c.PGM" 9 9 tex 2 ascii
echo "not an image" >"$T/dir/README.txt"
for np in 1 2 3; do
  bn_ok "directory at $np processes" "$np" import --format=image \
    --input="$T/dir" --output="$T/dir$np.h5" --patch=4x4 --stride=2
done
# 63 + 5*4 + 3*3 patches.
check "directory: /Y is 92 x 16" test "$(shape "$T/dir1.h5")" = "92, 16"
info_has "directory: 3 images" "from 3 images"
same "directory: same /Y at 1 and 2 processes" "$T/dir1.h5" "$T/dir2.h5"
same "directory: same /Y at 1 and 3 processes" "$T/dir1.h5" "$T/dir3.h5"
row_ok "directory: raw PGM (2, 4) is row 63+5+2" "$T/dir3.h5" 70 tex 1 2 4 4 4 1 0 u8 1e-12
row_ok "directory: plain PGM (4, 2) is row 83+6+1" "$T/dir2.h5" 90 tex 2 4 2 4 4 1 0 u8 1e-12

# --- JPEG (quality 100: a few gray levels of error at most) ----------------
"$MK" jpeg "$T/grad.jpg" 20 16 grad 0
bn_ok "jpeg" 2 import --format=image --input="$T/grad.jpg" \
  --output="$T/jpg.h5" --patch=4x4 --stride=2 --center=false
row_ok "jpeg: row 32 close to the pixels at (6, 10)" "$T/jpg.h5" 32 grad 0 6 10 4 4 0 0 u8 0.02

# --- IDX: 5 images of 6 x 7 (H x W), plain and gzip'd ------------------------
"$MK" idx "$T/imgs.idx" 5 6 7 tex
"$MK" idx "$T/imgs.idx.gz" 5 6 7 tex gz
check "idx.gz is gzip'd" test "$(od -An -tx1 -N2 "$T/imgs.idx.gz" | tr -d ' ')" = 1f8b
for np in 1 2 3; do
  bn_ok "idx.gz at $np processes" "$np" import --format=idx \
    --input="$T/imgs.idx.gz" --output="$T/idx$np.h5" --patch=4x4
done
bn_ok "plain idx" 2 import --format=idx --input="$T/imgs.idx" \
  --output="$T/idxp.h5" --patch=4x4
check "idx: /Y is 5*12 x 16" test "$(shape "$T/idx1.h5")" = "60, 16"
check "idx: plain and gzip'd give the same /Y" h5diff "$T/idx1.h5" "$T/idxp.h5" /Y /Y
same "idx: same /Y at 1 and 2 processes" "$T/idx1.h5" "$T/idx2.h5"
same "idx: same /Y at 1 and 3 processes" "$T/idx1.h5" "$T/idx3.h5"
row_ok "idx: image 3 (1, 2) is row 36+4+2" "$T/idx3.h5" 42 tex 3 1 2 4 4 1 0 u8 1e-12

# --- --max-patches: the same sample on any number of processes -------------
for np in 1 3; do
  bn_ok "idx sample 20 at $np processes" "$np" import --format=idx \
    --input="$T/imgs.idx" --output="$T/s$np.h5" --patch=4x4 \
    --max-patches=20 --seed=7
done
check "sample: /Y is 20 x 16" test "$(shape "$T/s1.h5")" = "20, 16"
same "sample: same rows at 1 and 3 processes" "$T/s1.h5" "$T/s3.h5"
bn_ok "idx sample, another seed" 2 import --format=idx --input="$T/imgs.idx" \
  --output="$T/s8.h5" --patch=4x4 --max-patches=20 --seed=8
check "sample: another seed, other rows" \
  bash -c "! h5diff -q '$T/s1.h5' '$T/s8.h5' /Y /Y"
bn_ok "idx sample larger than the corpus" 2 import --format=idx \
  --input="$T/imgs.idx" --output="$T/sall.h5" --patch=4x4 --max-patches=1000
check "sample larger than the corpus: all 60 rows" h5diff "$T/sall.h5" "$T/idx1.h5" /Y /Y

# --- HDF5 stack N x H x W, values as stored ---------------------------------
"$MK" h5 "$T/stack.h5" 4 9 8 tex
for np in 1 3; do
  bn_ok "h5 stack at $np processes" "$np" import --format=h5 \
    --input="$T/stack.h5" --output="$T/st$np.h5" --patch=3x3 --stride=3
done
check "h5: /Y is 4*3*2 x 9" test "$(shape "$T/st1.h5")" = "24, 9"
same "h5: same /Y at 1 and 3 processes" "$T/st1.h5" "$T/st3.h5"
row_ok "h5: image 2 (3, 3) is row 12+2+1, values as stored" "$T/st3.h5" 15 tex 2 3 3 3 3 1 0 1 1e-12

# --- unit norm drops the constant patches (left half of "blocks") ----------
"$MK" png "$T/blocks.png" 20 16 blocks 0
bn_ok "blocks, unit norm" 2 import --format=image --input="$T/blocks.png" \
  --output="$T/blocks.h5" --patch=4x4 --stride=2 --unit-norm
# Corners x = 0, 2, 4, 6 (patch inside x < 10) on 7 rows: 28 dropped.
info_has "blocks: 28 dropped and said so" "dropped 28 patches with zero norm"
check "blocks: /Y is 63 - 28 x 16" test "$(shape "$T/blocks.h5")" = "35, 16"
# Row 0 is now the corner (0, 8), the first one not dropped.
row_ok "blocks: row 0 = unit patch at (0, 8)" "$T/blocks.h5" 0 blocks 0 0 8 4 4 1 1 u8 1e-12

# --- --patches-png: a PNG of the documented size ----------------------------
bn_ok "patches png" 2 import --format=image --input="$T/tex.png" \
  --output="$T/pp.h5" --patch=4x4 --stride=2 --patches-png="$T/pp.png"
# 63 tiles: 8 x 8 grid, zoom min(16, 400 / 32) = 12, 8 (4*12 + 1) + 1 = 393.
check "patches png: PNG signature" test \
  "$(od -An -tx1 -N8 "$T/pp.png" | tr -d ' \n')" = 89504e470d0a1a0a
check "patches png: IHDR 393 x 393" test \
  "$(od -An -tu1 -j16 -N8 "$T/pp.png" | tr -s ' ' | sed 's/^ //')" = "0 0 1 137 0 0 1 137"
info_has "patches png: log line" "wrote .*pp.png: the first 63 patches, 8 x 8 tiles \(393 x 393 pixels\)"

# --- bad inputs: one clear message, nothing written --------------------------
cp "$T/png1.h5" "$T/keep.h5"
expect_fail "patch larger than the image" 2 "tex.png: the image \(20 x 16.*smaller than the patch 32x32" \
  import --format=image --input="$T/tex.png" --output="$T/keep.h5" --patch=32x32
check "failed import left the output as it was" cmp "$T/png1.h5" "$T/keep.h5"
mkdir "$T/empty"
expect_fail "empty directory" 2 "holds no image files" \
  import --format=image --input="$T/empty" --output="$T/x.h5"
head -c 60 "$T/tex.png" >"$T/dir/d_trunc.png"
expect_fail "truncated PNG in a directory" 3 "d_trunc.png: (corrupt or truncated|not a readable) PNG" \
  import --format=image --input="$T/dir" --output="$T/x.h5" --patch=4x4
head -c 300 "$T/grad.jpg" >"$T/trunc.jpg"
expect_fail "truncated JPEG" 2 "trunc.jpg: corrupt or truncated JPEG" \
  import --format=image --input="$T/trunc.jpg" --output="$T/x.h5" --patch=4x4
expect_fail "not an image" 2 "README.txt: not a PNG, JPEG or PGM/PPM image" \
  import --format=image --input="$T/dir/README.txt" --output="$T/x.h5"
expect_fail "missing input" 2 "cannot open '.*nope.png'" \
  import --format=image --input="$T/nope.png" --output="$T/x.h5"
"$MK" badidx "$T/labels.idx"
expect_fail "IDX with a wrong magic" 2 "not an IDX file of images \(magic 0x00000801.*labels file" \
  import --format=idx --input="$T/labels.idx" --output="$T/x.h5" --patch=2x2
head -c 150 "$T/imgs.idx" >"$T/trunc.idx"
expect_fail "truncated IDX" 3 "trunc.idx: truncated: image 3" \
  import --format=idx --input="$T/trunc.idx" --output="$T/x.h5" --patch=2x2
expect_fail_rc 2 "--patch=0x8" 2 "--patch=0x8: expected HxW" \
  import --format=image --input="$T/tex.png" --output="$T/x.h5" --patch=0x8
expect_fail_rc 2 "--patch=8x" 1 "--patch=8x: expected HxW" \
  import --format=image --input="$T/tex.png" --output="$T/x.h5" --patch=8x
expect_fail_rc 2 "--stride=0" 2 "--stride=0: must be from 1" \
  import --format=image --input="$T/tex.png" --output="$T/x.h5" --stride=0
expect_fail_rc 2 "--max-patches=-1" 1 "--max-patches=-1" \
  import --format=idx --input="$T/imgs.idx" --output="$T/x.h5" --max-patches=-1
"$MK" h5 "$T/nan.h5" 3 5 5 tex nan
expect_fail "NaN pixel in an HDF5 stack" 3 "nan.h5: dataset '/images', image 2 has a non-finite pixel \(nan\) at row 1, column 2" \
  import --format=h5 --input="$T/nan.h5" --output="$T/x.h5" --patch=2x2
expect_fail "missing HDF5 dataset" 2 "no dataset.*/pics" \
  import --format=h5 --input="$T/stack.h5" --dataset=/pics --output="$T/x.h5"
expect_fail "2-D dataset is not a stack" 2 "has 2 dimensions; an image stack is N x H x W" \
  import --format=h5 --input="$T/png1.h5" --dataset=/Y --output="$T/x.h5"
"$MK" png "$T/flat.png" 9 9 blocks 0
expect_fail "only constant patches with --unit-norm" 2 "no patch left: all 36 patches are constant" \
  import --format=image --input="$T/flat.png" --output="$T/x.h5" --patch=4x4 --unit-norm
expect_fail_rc 2 "--duplicates with an image format" 1 "--duplicates applies to --format=mtx\|csv only" \
  import --format=image --input="$T/tex.png" --output="$T/x.h5" --duplicates=sum
expect_fail_rc 2 "--patch with a ratings format" 1 "--patch applies to --format=image\|idx\|h5 only" \
  import --format=csv --input="$T/tex.png" --output="$T/x.h5" --patch=4x4
expect_fail_rc 2 "--dataset with idx" 1 "--dataset applies to --format=h5 only" \
  import --format=idx --input="$T/imgs.idx" --output="$T/x.h5" --dataset=/a
check "no output left by the failures" test ! -e "$T/x.h5"

bn_summary
