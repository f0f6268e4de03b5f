#!/usr/bin/env bash
# benign plot (convergence pictures):
#  - a small result of every problem family (complete, sense, rpca, factor,
#    dict, deconv, sasd, phase, tensor, glm, eig) drawn at 2 processes:
#    the PNG is 1088 x 690 (read from its IHDR bytes), and read back it is
#    not blank (thousands of non-white pixels, at least 5 colors: axes,
#    grid, curves); --x=iteration gives one column (548 wide);
#  - a saddle escape (factor from the origin) and its plateau are marked
#    (the summary line counts them), a checkpoint is drawn like a result;
#  - bad input, each refused with one message and a non-zero exit on every
#    rank, an earlier picture left as it was: a missing file, a file
#    without a history (an input), an output in a missing directory,
#    --output missing, a bad --x.
. "$(dirname "$0")/lib.sh"

STAT=${BN_BUILD_DIR:?}/tests/tool_pngstat
SCALE=${BN_BUILD_DIR:?}/tests/tool_scale
Q=(--progress=false)

# ihdr FILE: "WIDTH HEIGHT" from the PNG header (bytes 16..23, big endian).
ihdr() {
  od -An -tu1 -j16 -N8 "$1" |
    awk '{ print ($1 * 16777216 + $2 * 65536 + $3 * 256 + $4), ($5 * 16777216 + $6 * 65536 + $7 * 256 + $8) }'
}

# png_ok NAME FILE W H: a PNG of W x H pixels that is not blank.
png_ok() {
  local name=$1 f=$2 w=$3 h=$4 sig s
  sig=$(od -An -tx1 -N8 "$f" 2>/dev/null | tr -d ' \n')
  check "$name: PNG signature" test "$sig" = 89504e470d0a1a0a
  check "$name: $(ihdr "$f") pixels (IHDR) = $w $h" test "$(ihdr "$f")" = "$w $h"
  s=$("$STAT" "$f" || true)
  check "$name: read back $w x $h (${s:-unreadable})" test \
    "$(echo "$s" | cut -d' ' -f1,2)" = "$w $h"
  check "$name: not blank (inked, colors: ${s#* * })" awk -v s="$s" \
    'BEGIN { split(s, a, " "); exit !(a[3] > 5000 && a[4] >= 5) }'
}

gen() { bn_ok "generate $1" 2 generate "$@" --output="$T/$1.in.h5"; }
gen complete --rows=60 --cols=50 --rank=2 --sample-rate=0.4 \
  --test-fraction=0.1
gen sense --rows=16 --cols=16 --rank=2
gen rpca --rows=50 --cols=40 --rank=2
gen factor --rows=50 --cols=40 --rank=2
gen dict --dim=9 --samples=1500
gen deconv --n=64 --channels=20
gen sasd --length=1000 --kernel-size=12
gen phase --n=24
gen tensor --dim=8
gen glm --samples=800 --dim=10
gen eig --n=40 --k=2

for f in complete sense rpca factor dict deconv sasd phase tensor glm eig; do
  q=("${Q[@]}")
  [ "$f" = sasd ] && q=() # its own iteration: no progress bar
  bn_ok "$f" 2 "$f" --input="$T/$f.in.h5" --output="$T/$f.h5" --max-iter=60 \
    "${q[@]}"
  bn_ok "plot $f" 2 plot "$T/$f.h5" --output="$T/$f.png"
  png_ok "$f" "$T/$f.png" 1088 690
  check "$f: the summary names the picture" grep -q "^wrote $T/$f.png: 1088 x 690" \
    "$T/last.err" "$T/last.out"
done

bn_ok "plot --x=iteration" 1 plot "$T/complete.h5" --output="$T/it.png" \
  --x=iteration
png_ok "--x=iteration" "$T/it.png" 548 690

# A saddle: factor (sym) from the origin escapes it.
bn_ok "generate factor sym" 1 generate factor --mode=sym --rows=40 --cols=40 \
  --rank=3 --seed=5 --output="$T/fs.h5"
bn_ok "a result to start from" 1 factor --input="$T/fs.h5" --mode=sym \
  --rank=3 --max-iter=1 --certificate=off --output="$T/zero.h5" "${Q[@]}"
check "its /U set to zero" "$SCALE" "$T/zero.h5" /U 0
bn_ok "escape from the origin" 2 factor --input="$T/fs.h5" --mode=sym \
  --rank=3 --init-file="$T/zero.h5" --tol=1e-10 --output="$T/esc.h5" "${Q[@]}"
bn_ok "plot the escape" 2 plot "$T/esc.h5" --output="$T/esc.png"
png_ok "escape" "$T/esc.png" 1088 690
check "escape: 1 escape marked" grep -q "1 escape marked" "$T/last.out" "$T/last.err"
check "escape: the result says after which iteration (0)" \
  bash -c "h5dump -a escape_iterations '$T/esc.h5' | grep -q '(0): \"0\"'"
# Through a checkpoint and a restart on 3 processes: the iteration is kept.
bn_run 2 factor --input="$T/fs.h5" --mode=sym --rank=3 --init-file="$T/zero.h5" \
  --tol=1e-10 --checkpoint="$T/eck.h5" --checkpoint-every=1 --max-iter=5 \
  --output="$T/esc5.h5" "${Q[@]}" || true
check "escape: the checkpoint records it" bash -c \
  "h5dump -a /checkpoint/state/escape_iterations '$T/eck.h5' | grep -q '(0): \"0\"'"
bn_ok "escape: restart on 3 processes" 3 factor --input="$T/fs.h5" --mode=sym \
  --rank=3 --init-file="$T/zero.h5" --tol=1e-10 --restart="$T/eck.h5" \
  --output="$T/esc-r.h5" "${Q[@]}"
check "escape: the restarted result keeps it" bash -c \
  "h5dump -a escape_iterations '$T/esc-r.h5' | grep -q '(0): \"0\"'"
bn_ok "plot the restarted run" 1 plot "$T/esc-r.h5" --output="$T/esc-r.png"
check "escape: marked after the restart too" grep -q "1 escape marked" \
  "$T/last.out" "$T/last.err"
check "escape: a plateau marked" grep -Eq " [1-9][0-9]* plateaus?," \
  "$T/last.out" "$T/last.err"

# A checkpoint.
bn_ok "complete with a checkpoint" 2 complete --input="$T/complete.in.h5" \
  --max-iter=45 --checkpoint="$T/ck.h5" --checkpoint-every=40 \
  --output="$T/ckr.h5" "${Q[@]}"
bn_ok "plot the checkpoint" 3 plot "$T/ck.h5" --output="$T/ck.png"
png_ok "checkpoint" "$T/ck.png" 1088 690
check "checkpoint: its 41 entries" grep -q "over 41 history entries" "$T/last.out" \
  "$T/last.err"

# Bad input: one message, non-zero everywhere, the earlier picture kept.
cp "$T/esc.png" "$T/keep.png"
expect_fail_rc 1 "missing file" 2 "nope.h5" plot "$T/nope.h5" \
  --output="$T/keep.png"
expect_fail_rc 1 "no history" 2 "no history" plot "$T/complete.in.h5" \
  --output="$T/keep.png"
check "the earlier picture is untouched" cmp -s "$T/esc.png" "$T/keep.png"
expect_fail "output in a missing directory" 2 "nodir" plot "$T/complete.h5" \
  --output="$T/nodir/x.png"
expect_fail_rc 2 "--output missing" 2 "output" plot "$T/complete.h5"
expect_fail_rc 2 "bad --x" 2 "x" plot "$T/complete.h5" --output="$T/x.png" \
  --x=time
check "no temporary left" sh -c "! ls '$T' | grep -q tmp"

bn_summary
