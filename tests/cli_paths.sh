#!/usr/bin/env bash
# A run's files checked together before any work (issue 20, classes 2, 3
# and 6), at 1, 2 and 3 processes: outputs that collide with an input or
# with each other (the same path spelled otherwise, a symbolic link, a hard
# link; side outputs such as --atoms-png and --patches-png too) are refused
# and the input is left as it was; a FIFO as an input is refused at once
# instead of blocking forever; a device or FIFO as an output is refused and
# left as it was; a legal long output name (240 characters) works, and a
# name over NAME_MAX is refused before the solve.
. "$(dirname "$0")/lib.sh"

bn_ok "generate a completion input" 1 generate complete --output="$T/in.h5" \
  --rows=200 --cols=150 --rank=3 --sample-rate=0.2 --seed=4
bn_ok "generate a dictionary input" 1 generate dict --output="$T/d.h5" \
  --dim=8 --samples=2000 --seed=2
cp "$T/in.h5" "$T/in-copy.h5"
cp "$T/d.h5" "$T/d-copy.h5"
C=(complete --input="$T/in.h5" --rank=3 --max-iter=5 --certificate=off)
mkdir -p "$T/sub"
ln -s "$T/in.h5" "$T/link.h5"
ln "$T/in.h5" "$T/hard.h5"

for np in 1 2 3; do
  expect_fail "output = the input by another spelling ($np)" "$np" \
    "same file|is the input file" "${C[@]}" --output="$T/sub/../in.h5"
  expect_fail "output = a symbolic link to the input ($np)" "$np" \
    "same file|is the input file" "${C[@]}" --output="$T/link.h5"
  expect_fail "output = a hard link to the input ($np)" "$np" \
    "same file|is the input file" "${C[@]}" --output="$T/hard.h5"
  expect_fail "--checkpoint = --output, neither existing yet ($np)" "$np" \
    "'--output' .*same file|same file" "${C[@]}" --output="$T/new.h5" \
    --checkpoint="$T/sub/../new.h5"
  check "no result from the refusals ($np)" test ! -e "$T/new.h5"
  expect_fail "--atoms-png = the input ($np)" "$np" "--atoms-png.*same file|same file" \
    dict --input="$T/d.h5" --max-iter=3 --output="$T/dout.h5" \
    --atoms-png="$T/d.h5"
  expect_fail "--atoms-png = --output ($np)" "$np" "same file" \
    dict --input="$T/d.h5" --max-iter=3 --output="$T/dout.h5" \
    --atoms-png="$T/./dout.h5"
done
check "the completion input is untouched" cmp -s "$T/in.h5" "$T/in-copy.h5"
check "the dictionary input is untouched" cmp -s "$T/d.h5" "$T/d-copy.h5"
bn_ok "a restart may go on writing the checkpoint it started from" 2 \
  "${C[@]}" --output="$T/r1.h5" --checkpoint="$T/ck.h5" --checkpoint-every=2
bn_ok "  ... by another spelling" 2 "${C[@]}" --max-iter=8 \
  --output="$T/r2.h5" --checkpoint="$T/ck.h5" --checkpoint-every=2 \
  --restart="$T/sub/../ck.h5"

# Special files. The device is a null device made here (root only), not
# the system's /dev/null: a build that failed this check would replace it.
mkfifo "$T/fifo.h5"
have_dev=0
mknod -m 666 "$T/null" c 1 3 2>/dev/null && have_dev=1
for np in 1 2 3; do
  expect_fail "a FIFO as --input ($np)" "$np" "not a regular file" \
    complete --input="$T/fifo.h5" --rank=3 --output="$T/x.h5"
  expect_fail "a FIFO as --restart ($np)" "$np" "not a regular file" \
    "${C[@]}" --output="$T/x.h5" --restart="$T/fifo.h5" \
    --checkpoint="$T/ck2.h5"
  expect_fail "a FIFO as --output ($np)" "$np" "not a regular file" \
    "${C[@]}" --output="$T/fifo.h5"
  [ "$have_dev" = 1 ] &&
    expect_fail "a character device as --output ($np)" "$np" \
      "not a regular file" "${C[@]}" --output="$T/null"
done
expect_fail "info on a FIFO" 1 "not a regular file" info "$T/fifo.h5"
check "the FIFO is still a FIFO" test -p "$T/fifo.h5"
if [ "$have_dev" = 1 ]; then
  check "the device is still a character device" test -c "$T/null"
else
  echo "skip: cannot make a device node here (not root): that case is not checked"
fi

# Long names: 240 characters are legal (the temporary gets a short name);
# 300 are not, and are refused before the solve.
long=$(printf 'r%.0s' $(seq 1 236)).h5
bn_ok "a 240-character output name (2 processes)" 2 "${C[@]}" \
  --output="$T/$long"
check "the long-named result is there" test -s "$T/$long"
check "no temporary left beside it" \
  test -z "$(find "$T" -name '*.tmp.*' -print -quit)"
bn_ok "a 240-character checkpoint name, 3 kept" 3 "${C[@]}" \
  --output="$T/o.h5" --checkpoint="$T/$long.c" --checkpoint-every=1 \
  --checkpoint-keep=3
check "its kept copies are there" test -s "$T/$long.c.2"
toolong=$(printf 'x%.0s' $(seq 1 297)).h5
expect_fail "a 300-character output name" 2 "longer than the file system allows" \
  "${C[@]}" --output="$T/$toolong"
bn_summary
