#!/usr/bin/env bash
# Options and output of the command line: --help, --version, per-command
# help with defaults, deck files (the command line wins), unknown commands,
# and the --json summary line.
. "$(dirname "$0")/lib.sh"

# --- top-level help and version -----------------------------------------
bn_ok "benign --help" 2 --help
for cmd in complete generate import info; do
  check "--help lists '$cmd'" grep -Eq "^  $cmd +[a-z]" "$T/last.out"
done
check "--help printed once at 2 processes" \
  test "$(grep -c '^usage:' "$T/last.out")" = 1
check "--help mentions deck files" grep -q 'deck' "$T/last.out"

st=0
bn_run 1 >"$T/last.out" 2>"$T/last.err" || st=$?
check "no command: exit status 2" test "$st" = 2
check "no command: prints the usage" grep -q '^usage:' "$T/last.out"

bn_ok "benign --version" 2 --version
check "--version prints 'benign X.Y.Z' once" \
  grep -Eqx 'benign [0-9]+\.[0-9]+\.[0-9]+.*' "$T/last.out"
check "--version is one line" test "$(wc -l <"$T/last.out")" = 1
VERSION=$(sed 's/^benign //' "$T/last.out")

# --- per-command help ---------------------------------------------------
bn_ok "complete --help" 2 complete --help
H=$T/help-complete.txt
cp "$T/last.out" "$H"
check "complete --help: a usage line" grep -q '^usage: .*benign complete' "$H"
check "complete --help printed once" test "$(grep -c '^usage:' "$H")" = 1
nkeys=$(grep -c '^  --[a-z]' "$H")
check "complete --help lists many keys ($nkeys)" test "$nkeys" -ge 15
check "complete --help: every key shows a default (or 'no default')" awk '
  /^  --[a-z]/ { n++; if ($0 ~ /\((default: [^)]*|no default)\)/) ok++ }
  END { exit !(n > 0 && n == ok) }' "$H"
check "complete --help: every key is explained" awk '
  /^  --[a-z]/ { k++; next }
  k && /^      [^ ]/ { e++ }
  END { exit !(k > 0 && k == e) }' "$H"
for kd in 'rank=<integer>  (default: 5)' 'solver=<gd|agd|als|aals|cg>  (default: gd)' \
  'tol=<real>  (default: 1e-8)' 'max-iter=<integer>  (default: 1000)' \
  'init=<spectral|random>  (default: spectral)' 'json=<bool>  (default: false)' \
  'monitor=<bool>  (default: false)' 'input=<text>  (no default)' \
  'output=<text>  (default: result.h5)' 'seed=<integer>  (default: 1)'; do
  check "complete --help: --$kd" grep -qxF -- "  --$kd" "$H"
done

bn_ok "generate --help" 1 generate --help
check "generate --help: every key shows a default" awk '
  /^  --[a-z]/ { n++; if ($0 ~ /\((default: [^)]*|no default)\)/) ok++ }
  END { exit !(n >= 9 && n == ok) }' "$T/last.out"
check "generate --help: --sample-rate default 0.1" \
  grep -qxF -- '  --sample-rate=<real>  (default: 0.1)' "$T/last.out"
bn_ok "import --help" 1 import --help
check "import --help: --format auto|mtx|csv|image|idx|h5" \
  grep -qxF -- '  --format=<auto|mtx|csv|image|idx|h5>  (default: auto)' "$T/last.out"
check "import --help: --duplicates default error" \
  grep -qxF -- '  --duplicates=<error|first|last|sum>  (default: error)' "$T/last.out"

# --- unknown commands suggest the closest -------------------------------
expect_fail_rc 2 "unknown command 'complet'" 2 \
  "unknown command 'complet' \(did you mean 'complete'\?\)" complet --rank=2
expect_fail_rc 2 "unknown command 'genrate'" 2 \
  "unknown command 'genrate' \(did you mean 'generate'\?\)" genrate complete
expect_fail_rc 2 "unknown command 'ifno'" 2 \
  "unknown command 'ifno' \(did you mean 'info'\?\)" ifno x.h5
expect_fail_rc 2 "unknown command 'cmoplete'" 1 \
  "unknown command 'cmoplete' \(did you mean 'complete'\?\)" cmoplete
expect_fail_rc 2 "unknown command: --help points to the list" 3 \
  "unknown command 'xyzzy'.*benign --help" xyzzy

# --- a small input with truth and a test set ----------------------------
bn_ok "generate" 2 generate complete --output="$T/in.h5" --rows=40 \
  --cols=30 --rank=2 --sample-rate=0.6 --test-fraction=0.2
bn_ok "generate without a test set" 2 generate complete \
  --output="$T/notest.h5" --rows=40 --cols=30 --rank=2 --sample-rate=0.6

# --- --json: one line on stdout, the documented keys --------------------
# A value: a string, true/false/null, a number, or an array of flat objects
# of numbers (the plateaus).
V='("[^"]*"|true|false|null|-?[0-9][0-9.eE+-]*|\[(\{"[a-z]+":-?[0-9][0-9.eE+-]*(,"[a-z]+":-?[0-9][0-9.eE+-]*)*\}(,\{"[a-z]+":-?[0-9][0-9.eE+-]*(,"[a-z]+":-?[0-9][0-9.eE+-]*)*\})*)?\])'
JSON_RE="^\\{\"[a-z_]+\":$V(,\"[a-z_]+\":$V)*\\}\$"
for np in 1 3; do
  bn_ok "complete --json (np=$np)" "$np" complete --input="$T/in.h5" \
    --rank=2 --json --output="$T/json-$np.h5"
  J=$T/last.out
  check "json np=$np: exactly one line on stdout" test "$(wc -l <"$J")" = 1
  check "json np=$np: valid-looking JSON" grep -Eq "$JSON_RE" "$J"
  for key in problem solver processes iterations reason converged objective \
    grad_norm seconds output rel_error test_rmse; do
    check "json np=$np: has \"$key\"" grep -q "[{,]\"$key\":" "$J"
  done
  check "json np=$np: problem = complete" test "$(json_field problem "$J")" = complete
  check "json np=$np: solver = gd" test "$(json_field solver "$J")" = gd
  check "json np=$np: processes = $np" test "$(json_field processes "$J")" = "$np"
  check "json np=$np: output names the file" \
    test "$(json_field output "$J")" = "$T/json-$np.h5"
  check "json np=$np: converged is true or false" \
    grep -Eq '"converged":(true|false)[,}]' "$J"
  check "json np=$np: iterations is a count" \
    grep -Eq '^[0-9]+$' <<<"$(json_field iterations "$J")"
  check "json np=$np: the result file exists" test -s "$T/json-$np.h5"
  check "json np=$np: the header went to stderr" grep -q '^PROBLEM=complete' "$T/last.err"
done

bn_ok "complete --json without a test set" 2 complete --input="$T/notest.h5" \
  --rank=2 --json --output="$T/notest-out.h5"
check "json without /test: no test_rmse" \
  test -z "$(json_field test_rmse "$T/last.out")"
check "json without /test: rel_error (there is /truth)" \
  test -n "$(json_field rel_error "$T/last.out")"

bn_ok "complete --json --monitor" 2 complete --input="$T/in.h5" --rank=2 \
  --json --monitor --max-iter=4 --tol=0 --output="$T/mon.h5"
check "--json --monitor: still one line on stdout" test "$(wc -l <"$T/last.out")" = 1
check "--json --monitor: iteration lines on stderr" \
  test "$(grep -c '^its = ' "$T/last.err")" = 5

bn_ok "complete --monitor" 2 complete --input="$T/in.h5" --rank=2 \
  --monitor --max-iter=4 --tol=0 --output="$T/mon.h5"
check "--monitor: one line per iteration (0..4)" \
  test "$(grep -c '^its = ' "$T/last.out")" = 5
bn_ok "complete --log-level=quiet" 2 complete --input="$T/in.h5" --rank=2 \
  --log-level=quiet --output="$T/quiet.h5"
check "--log-level=quiet: nothing on stdout" test ! -s "$T/last.out"

# --- deck files: honoured, and the command line wins --------------------
cat >"$T/deck.ini" <<EOF
# a deck for benign complete
rank = 2        ; the rank
max-iter = 3    # three iterations

tol = 0
--seed = 7
output = "$T/deck out.h5"
EOF
bn_ok "deck alone" 2 complete "$T/deck.ini" --input="$T/in.h5" --json
check "deck: max-iter = 3 honoured" test "$(json_field iterations "$T/last.out")" = 3
check "deck: quoted output with a space" test -s "$T/deck out.h5"
bn_ok "info on the deck result" 1 info "$T/deck out.h5"
info_has "deck: rank = 2 honoured" '^ +@rank = 2$'
info_has "deck: seed = 7 honoured" '^ +@seed = 7$'
info_has "deck: options record max-iter=3" '^ +@options = ".*\\nmax-iter=3\\n'

bn_ok "deck and --max-iter=5" 2 complete "$T/deck.ini" --input="$T/in.h5" \
  --max-iter=5 --rank=1 --json --output="$T/deck5.h5"
check "command line wins: iterations = 5" \
  test "$(json_field iterations "$T/last.out")" = 5
check "command line wins: --output" test "$(json_field output "$T/last.out")" = "$T/deck5.h5"
bn_ok "info on the overridden result" 1 info "$T/deck5.h5"
info_has "command line wins: rank = 1" '^ +@rank = 1$'
info_has "command line wins: options record max-iter=5" '^ +@options = ".*\\nmax-iter=5\\n'
info_has "deck still honoured: seed = 7" '^ +@seed = 7$'

bn_ok "--key value form" 1 complete "$T/deck.ini" --input "$T/in.h5" \
  --max-iter 4 --json --output "$T/sep.h5"
check "--max-iter 4 (separate value): iterations = 4" \
  test "$(json_field iterations "$T/last.out")" = 4

# --- the time limit is one decision for every process -------------------
# Rank 0's clock decides for all; a per-rank decision could leave one rank
# in the next iteration's collectives and hang (the timeout would catch it).
bn_ok "generate for the time limit" 2 generate complete \
  --output="$T/tl.h5" --rows=3000 --cols=2000 --rank=8 --sample-rate=0.2
for np in 2 3; do
  bn_ok "--time-limit at $np processes" "$np" complete --input="$T/tl.h5" \
    --rank=8 --init=random --tol=0 --max-iter=100000 --time-limit=0.01 \
    --json --output="$T/tl-$np.h5"
  check "--time-limit at $np: reason is the time limit" \
    grep -q '"reason":"stopped: time limit reached"' "$T/last.out"
done

# --- the result records where it came from ------------------------------
bn_ok "info on a --json result" 1 info "$T/json-3.h5"
info_has "result: @version = $VERSION" "^ +@version = \"$VERSION\"$"
info_has "result: @processes = 3" '^ +@processes = 3$'
info_has "result: @input" "^ +@input = \"$T/in.h5\"$"

bn_summary
