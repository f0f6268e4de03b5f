#!/usr/bin/env bash
# docs/commands.md matches the program (issue 18, step 6): the `benign
# --help` it quotes is what the program prints, its synopsis table has a
# row for every command the program lists, and every command's --help runs
# (and every generate family's and landscape problem's) with status 0.
. "$(dirname "$0")/lib.sh"
: "${BN_SOURCE_DIR:?}"
doc="$BN_SOURCE_DIR/docs/commands.md"

"$BN_MPIRUN" -n 1 "$BENIGN" --help >"$T/help.txt" 2>&1
check "benign --help runs" test -s "$T/help.txt"
# The block right after "`benign --help` prints:" in the docs.
awk '/^`benign --help` prints:/ { want = 1; next }
     want && /^```/ { if (inside) exit; inside = 1; next }
     inside { print }' "$doc" >"$T/doc_help.txt"
check "docs/commands.md quotes benign --help exactly" \
  diff -u "$T/doc_help.txt" "$T/help.txt"

cmds=$(awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }
            on && /^$/ { exit }' "$T/help.txt")
check "the program lists commands" test -n "$cmds"
for c in $cmds; do
  check "synopsis table has a row for $c" grep -qE "^\| \`$c( [A-Z]+)?\` \|" "$doc"
  check "benign $c --help" "$BN_MPIRUN" -n 1 "$BENIGN" "$c" --help
done
fams=$(sed -n 's/.*families: \([a-z, ]*\)).*/\1/p' "$T/help.txt" | tr -d ',')
check "generate lists families" test -n "$fams"
for f in $fams; do
  check "benign generate $f --help" "$BN_MPIRUN" -n 1 "$BENIGN" generate "$f" --help
  check "a row for $f or generate" grep -qE "^\| \`($f|generate FAMILY)\`" "$doc"
done
bn_summary
