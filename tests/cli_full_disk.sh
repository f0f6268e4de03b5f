#!/usr/bin/env bash
# A full disk destroys nothing (issue 20, class 1): on a small tmpfs nearly
# filled, every kind of writer — generate (complete, rpca), import, a
# solver's result, deconv's result and picture — fails with one message
# and a non-zero status on every process, within the timeout, leaves the
# previous file byte-identical and no temporary behind, at 1, 2 and 3
# processes; both when the free-space check refuses at once and when the
# write runs into the full disk (BN_FAULT=no-space-check skips the check:
# the read-back of the closed temporary must catch it). Needs root (mount);
# without it the script says so and checks nothing. A periodic checkpoint
# there is a warning and the run goes on, the previous checkpoint intact.
. "$(dirname "$0")/lib.sh"

D="$T/full"
mkdir -p "$D"
if ! mount -t tmpfs -o size=3m tmpfs "$D" 2>/dev/null; then
  echo "skip: cannot mount a tmpfs here (not root, or not allowed);" \
    "the full-disk cases are not checked"
  check "nothing to check without a tmpfs" true
  bn_summary
  exit
fi
trap 'st=$?; umount "$D" 2>/dev/null; (exit $st); bn_cleanup' EXIT

# Inputs live outside the tmpfs; the previous outputs inside it.
bn_ok "generate a completion input" 2 generate complete --output="$T/c.h5" \
  --rows=3000 --cols=2000 --rank=8 --sample-rate=0.05 --seed=3
bn_ok "generate a deconv input" 2 generate deconv --output="$T/d.h5" \
  --channels=200 --n=400 --kernel-size=8 --seed=2
printf 'user,item,rating\n1,10,4\n2,10,3\n1,11,5\n3,12,2\n' >"$T/r.csv"
bn_ok "previous: generate complete" 1 generate complete --output="$D/g.h5" \
  --rows=50 --cols=40 --rank=2 --sample-rate=0.2
bn_ok "previous: generate rpca" 1 generate rpca --output="$D/rp.h5" \
  --rows=40 --cols=30 --rank=2
bn_ok "previous: import" 1 import --format=csv --input="$T/r.csv" \
  --output="$D/imp.h5"
bn_ok "previous: a completion result and checkpoint" 1 complete \
  --input="$T/c.h5" --rank=8 --max-iter=2 --certificate=off \
  --output="$D/res.h5" --checkpoint="$D/ck.h5" --checkpoint-every=1
bn_ok "previous: a deconv result" 1 deconv --input="$T/d.h5" --max-iter=2 \
  --output="$D/dres.h5"
bn_ok "previous: a kernel picture" 1 deconv --input="$T/d.h5" --max-iter=2 \
  --output="$T/dk.h5" --png-prefix="$D/p-"
for f in g rp imp res ck dres; do cp "$D/$f.h5" "$T/prev-$f.h5"; done
cp "$D/p-kernel.png" "$T/prev-kernel.png"
# Leave about 200 KB free.
free=$(df -k --output=avail "$D" | tail -n 1)
dd if=/dev/zero of="$D/filler" bs=1k count=$((free - 200)) 2>/dev/null || true

# same NAME FILE: FILE is byte-identical to its copy, no temporary left.
same() {
  check "$1: previous $2.h5 byte-identical" cmp -s "$D/$2.h5" "$T/prev-$2.h5"
  check "$1: no temporary left" \
    test -z "$(find "$D" -name '*.tmp*' -print -quit)"
}

P="not enough space|writing failed|cannot write dataset|cannot create"
for fault in "" no-space-check; do
  for np in 1 2 3; do
    tag="np=$np${fault:+, $fault}"
    export BN_FAULT=$fault
    expect_fail "generate complete ($tag)" "$np" "$P" generate complete \
      --output="$D/g.h5" --rows=3000 --cols=2000 --rank=3 --sample-rate=0.1
    same "generate complete ($tag)" g
    expect_fail "generate rpca ($tag)" "$np" "$P" generate rpca \
      --output="$D/rp.h5" --rows=400 --cols=300 --rank=2
    same "generate rpca ($tag)" rp
    expect_fail "complete result ($tag)" "$np" "$P" complete \
      --input="$T/c.h5" --rank=8 --max-iter=1 --certificate=off \
      --output="$D/res.h5"
    same "complete result ($tag)" res
    # A periodic checkpoint that cannot be written is a warning: the run
    # goes on (docs/reliability.md); the previous one stays as it was.
    bn_ok "checkpoint ($tag): the run goes on" "$np" complete \
      --input="$T/c.h5" --rank=8 --max-iter=3 --certificate=off \
      --output="$T/x.h5" --checkpoint="$D/ck.h5" --checkpoint-every=1
    check "checkpoint ($tag): warned" \
      grep -q "warning: checkpoint at iteration 1 not written" "$T/last.err" "$T/last.out"
    same "checkpoint ($tag)" ck
    expect_fail "deconv result ($tag)" "$np" "$P" deconv --input="$T/d.h5" \
      --max-iter=2 --codes=true --output="$D/dres.h5"
    same "deconv result ($tag)" dres
    unset BN_FAULT
  done
done
# import runs on one process (rank 0 parses): a file of many entries.
awk 'BEGIN { print "user,item,rating"; for (i = 0; i < 20000; i++)
  print i % 977 "," i % 1013 "," (i % 5) + 1 }' >"$T/big.csv"
for fault in "" no-space-check; do
  BN_FAULT=$fault expect_fail "import (${fault:-checked})" 2 "$P" import \
    --format=csv --input="$T/big.csv" --output="$D/imp.h5" --duplicates=last
  same "import (${fault:-checked})" imp
done
# Pictures: a PNG is a few KB, so fill the file system to the last block;
# refused by the room check, or (check skipped) the write itself fails or
# the read-back of the temporary catches it. The result goes elsewhere.
dd if=/dev/zero of="$D/filler2" bs=4k 2>/dev/null || true
for fault in "" no-space-check; do
  for np in 1 3; do
    BN_FAULT=$fault expect_fail "PNG (np=$np ${fault:-checked})" "$np" \
      "not enough space|cannot write|writing failed" deconv \
      --input="$T/d.h5" --max-iter=2 --output="$T/dk2-$np.h5" \
      --png-prefix="$D/p-"
    check "PNG (np=$np ${fault:-checked}): previous picture byte-identical" \
      cmp -s "$D/p-kernel.png" "$T/prev-kernel.png"
    check "PNG (np=$np ${fault:-checked}): no temporary left" \
      test -z "$(find "$D" -name '*.tmp*' -print -quit)"
  done
done
check "the previous checkpoint still loads" \
  "$BN_MPIRUN" -n 1 --oversubscribe "$BENIGN" info "$D/ck.h5"
bn_summary
