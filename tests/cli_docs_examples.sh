#!/usr/bin/env bash
# docs/commands.md's examples run as written and print what the page shows
# (issue 19, item 6), and its option tables show the defaults that each
# command's --help prints.
#
# Examples: in a code block (indented four spaces, or fenced with ```), a
# line starting with `$ ` is a command; a line ending in `\` continues on
# the next. Every command of the page runs, in page order, with bash in one
# temporary directory, `benign` the program under test and `mpirun` the
# test's launcher; each must exit with status 0. The lines after a command,
# up to the next `$ ` line or the end of the block, are what it prints
# (stdout and stderr together). They are compared with numbers masked
# (timings, iteration counts and last digits vary) and blanks squeezed:
#   - every line the page shows is printed (in any order);
#   - unless the page shows a line `...`, every line printed is shown;
#   - a JSON line is compared by its keys, in order.
# A command with no lines after it is run, and its output not compared.
#
# Option tables: in a section `## benign CMD [WORD]`, a table row
# `| \`--key\` | type | \`default\` | meaning |` must name a key that
# `benign CMD [WORD] --help` lists, with that default.
. "$(dirname "$0")/lib.sh"
: "${BN_SOURCE_DIR:?}"
doc="$BN_SOURCE_DIR/docs/commands.md"

# The examples' `benign` and `mpirun`.
mkdir -p "$T/bin" "$T/run"
ln -s "$BENIGN" "$T/bin/benign"
cat >"$T/bin/mpirun" <<EOF
#!/usr/bin/env bash
exec timeout "\${BN_TIMEOUT:-120}" "$BN_MPIRUN" --oversubscribe "\$@"
EOF
chmod +x "$T/bin/mpirun"

# The examples as records: "C command", "O output line", "E" (end).
awk '
  function finish() { if (cmd != "") print "E"; cmd = ""; more = 0 }
  function code(s) {
    if (more) { sub(/^ +/, "", s); line = line " " s }
    else if (s ~ /^\$ /) { finish(); line = substr(s, 3) }
    else { if (cmd != "" && s !~ /^ *$/) print "O " s; return }
    more = line ~ /\\$/
    if (more) { sub(/ *\\$/, "", line); return }
    cmd = line; print "C " cmd
  }
  /^```/ { finish(); fence = !fence; next }
  fence { code($0); next }
  /^    / { code(substr($0, 5)); next }
  /^ *$/ { next }
  { finish() }
  END { finish() }' "$doc" >"$T/examples.txt"

ncmd=$(grep -c '^C ' "$T/examples.txt" || true)
check "docs/commands.md has examples ($ncmd commands)" test "$ncmd" -ge 10

# norm: numbers masked, blanks squeezed; a JSON line becomes its keys.
norm() {
  awk '
    /^[[:space:]]*\{.*\}[[:space:]]*$/ {
      s = $0; keys = ""
      while (match(s, /"[a-z_0-9]+":/)) {
        keys = keys " " substr(s, RSTART + 1, RLENGTH - 3)
        s = substr(s, RSTART + RLENGTH)
      }
      print "JSON keys:" keys; next
    }
    { print }' "$1" |
    sed -E -e 's/[-+]?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?/#/g' \
      -e 's/[[:space:]]+/ /g' -e 's/^ //' -e 's/ $//' -e '/^$/d'
}

# compare N: the example's doc lines ($T/want) against its output ($T/got).
compare() {
  local n=$1 partial=0 bad=0 l
  grep -qx ' *\.\.\. *' "$T/want" && partial=1
  grep -vx ' *\.\.\. *' "$T/want" >"$T/want1" || true
  norm "$T/want1" | sort -u >"$T/w"
  norm "$T/got" | sort -u >"$T/g"
  while IFS= read -r l; do
    grep -Fxq -- "$l" "$T/g" && continue
    echo "    shown, not printed: $l"
    bad=1
  done <"$T/w"
  if [ "$partial" = 0 ]; then
    while IFS= read -r l; do
      grep -Fxq -- "$l" "$T/w" && continue
      echo "    printed, not shown: $l"
      bad=1
    done <"$T/g"
  fi
  check "example $n prints what docs/commands.md shows" test "$bad" = 0
}

n=0
cmd=""
: >"$T/want"
run_one() {
  [ -n "$cmd" ] || return 0
  n=$((n + 1))
  local st=0
  (cd "$T/run" && PATH="$T/bin:$PATH" bash -c "$cmd") </dev/null >"$T/got" 2>&1 || st=$?
  if [ "$st" = 0 ]; then
    pass "example $n runs: $cmd"
  else
    fail "example $n runs: $cmd (status $st)"
    sed 's/^/    | /' "$T/got" | head -20
  fi
  [ -s "$T/want" ] && compare "$n"
  cmd=""
  : >"$T/want"
}
while IFS= read -r rec; do
  case $rec in
    "C "*) cmd=${rec#C } ;;
    "O "*) printf '%s\n' "${rec#O }" >>"$T/want" ;;
    E) run_one ;;
  esac
done <"$T/examples.txt"

# Option tables against --help.
awk '/^## benign [a-z]/ { sec = $3 ($4 != "" ? " " $4 : ""); next }
     /^## / { sec = ""; next }
     sec != "" && /^\| `--[a-z0-9-]+` \|/ {
       row = $0; gsub(/\\\|/, "\001", row)
       n = split(row, f, "|")
       key = f[2]; gsub(/[ `]/, "", key); sub(/^--/, "", key)
       def = f[4]; sub(/^ +/, "", def); sub(/ +$/, "", def)
       gsub(/\001/, "|", def)
       print sec "\t" key "\t" def
     }' "$doc" >"$T/tables.txt"
check "docs/commands.md has option tables" test -s "$T/tables.txt"
last=""
nopt=0
while IFS=$'\t' read -r sec key def; do
  if [ "$sec" != "$last" ]; then
    # shellcheck disable=SC2086 # "generate complete" is two words
    "$BENIGN" $sec --help </dev/null >"$T/help.txt" 2>&1 || true
    last=$sec
  fi
  line=$(grep -E -- "^  --$key=<" "$T/help.txt" || true)
  if [ -z "$line" ]; then
    fail "benign $sec --help lists --$key (docs/commands.md has it)"
    continue
  fi
  # The help's default: the text in "(default: X)", "" for an empty one,
  # nothing for "(no default)".
  got=$(printf '%s\n' "$line" | sed -n 's/.*  (default: \(.*\))$/\1/p')
  case $def in
    \`*\`) want=${def#\`}; want=${want%\`} ;;
    empty*) want='""' ;;
    *) continue ;; # none, (required), (all), ...: no default to compare
  esac
  nopt=$((nopt + 1))
  check "benign $sec --$key: docs default '$want' is the program's" \
    test "$want" = "$got"
done <"$T/tables.txt"
check "option defaults compared ($nopt)" test "$nopt" -ge 90
bn_summary
