#!/usr/bin/env bash
# Bad inputs and options: every case gives one clear message, a non-zero exit
# on every rank, no hang, and leaves an earlier result byte-for-byte intact,
# at 1, 2 and 3 processes.
. "$(dirname "$0")/lib.sh"

MKBAD=${BN_BUILD_DIR:?}/tests/tool_mkbad

# A real small result to protect.
bn_ok "generate the input" 2 generate complete --output="$T/in.h5" \
  --rows=60 --cols=50 --rank=2 --sample-rate=0.5
bn_ok "complete the input" 2 complete --input="$T/in.h5" --rank=2 \
  --output="$T/out.h5"
check "result file written" test -s "$T/out.h5"
SUM=$(cksum <"$T/out.h5")

# After each bad run: the result is unchanged and no temporary is left.
untouched() {
  local name=$1 tmps
  if [ "$(cksum <"$T/out.h5")" = "$SUM" ]; then
    pass "$name: out.h5 untouched"
  else
    fail "$name: out.h5 changed"
  fi
  tmps=$(find "$T" -name '*.tmp*')
  if [ -z "$tmps" ]; then
    pass "$name: no temporary left"
  else
    fail "$name: temporaries left: $(tr "\n" " " <<<"$tmps")"
    find "$T" -name '*.tmp*' -exec rm -f {} +
  fi
}

# bad RC NAME NP PATTERN ARGS...: fails cleanly with status RC on every
# rank, and out.h5 is untouched.
bad() {
  local rc=$1 name="$2 (np=$3)"
  shift 2
  expect_fail_rc "$rc" "$name" "$@"
  untouched "$name"
}

# Bad input files, written with the library's own HDF5 layer.
for kind in no-val row-range nan tiny len-mismatch; do
  st=0
  "$BN_MPIRUN" -n 1 "$MKBAD" "$kind" "$T/$kind.h5" || st=$?
  check "tool_mkbad $kind" test "$st" = 0 -a -s "$T/$kind.h5"
done

# Decks and text inputs.
printf '# a deck with a bad line\nrank = 2\nthis line is bad\n' >"$T/bad.ini"
printf 'rank = 2\n; typo below\nrnak = 3\n' >"$T/typo.ini"
printf 'userId,movieId,rating,timestamp\n1001,5,4.0,1\n1002,7,oops,2\n' \
  >"$T/bad.csv"
printf '%%%%MatrixMarket matrix coordinate real general\n3 3 2\n1 1 1.0\n4 2 2.0\n' \
  >"$T/bad.mtx"

# A directory nobody may write to (root writes anywhere, so only then).
mkdir "$T/ro"
chmod 555 "$T/ro"

OUT=--output="$T/out.h5"
for np in 1 2 3; do
  bad 1 "missing input file" "$np" "cannot open '.*/missing\.h5'" \
    complete --input="$T/missing.h5" --rank=2 "$OUT"
  bad 1 "missing dataset /omega/val" "$np" "no-val\.h5: no dataset '/omega/val'" \
    complete --input="$T/no-val.h5" --rank=2 "$OUT"
  bad 1 "row index out of range" "$np" \
    "row-range\.h5: /omega: entry 5 has row index 4, outside \[0, 4\)" \
    complete --input="$T/row-range.h5" --rank=2 "$OUT"
  bad 1 "NaN value" "$np" "nan\.h5: /omega: entry 2 \(row 1, column 1\) has value (nan|NaN)" \
    complete --input="$T/nan.h5" --rank=2 "$OUT"
  bad 1 "row, col and val lengths differ" "$np" \
    "len-mismatch\.h5: /omega/row, col and val differ in length \(6, 6, 5\)" \
    complete --input="$T/len-mismatch.h5" --rank=2 "$OUT"
  bad 2 "--rank larger than min(rows, cols)" "$np" \
    "--rank=51 is larger than min\(rows, cols\) = 50" \
    complete --input="$T/in.h5" --rank=51 "$OUT"
  bad 2 "--rank=0" "$np" "--rank=0: must be in \[1, " \
    complete --input="$T/in.h5" --rank=0 "$OUT"
  bad 2 "generate --sample-rate=0" "$np" "--sample-rate=0 must be in \(0, 1\]" \
    generate complete "$OUT" --rows=10 --cols=10 --rank=1 --sample-rate=0
  bad 2 "generate --sample-rate=1.5" "$np" "--sample-rate=1\.5 must be in \(0, 1\]" \
    generate complete "$OUT" --rows=10 --cols=10 --rank=1 --sample-rate=1.5
  bad 2 "unknown option" "$np" "unknown option --rnak \(did you mean --rank\?\)" \
    complete --input="$T/in.h5" --rnak=2 "$OUT"
  bad 2 "non-numeric value" "$np" "option --rank: 'abc' is not an integer" \
    complete --input="$T/in.h5" --rank=abc "$OUT"
  bad 2 "non-numeric real" "$np" "option --tol: '1e-x' is not a (finite )?number" \
    complete --input="$T/in.h5" --rank=2 --tol=1e-x "$OUT"
  bad 2 "bad choice" "$np" "--solver.*'sgd'.*gd\|agd\|als" \
    complete --input="$T/in.h5" --rank=2 --solver=sgd "$OUT"
  bad 1 "output directory missing" "$np" \
    "cannot create '/nonexistent/dir/out\.h5'.*/nonexistent/dir" \
    complete --input="$T/in.h5" --rank=2 --output=/nonexistent/dir/out.h5
  bad 1 "output directory is a file" "$np" "cannot create '.*/in\.h5/out\.h5'" \
    complete --input="$T/in.h5" --rank=2 --output="$T/in.h5/out.h5"
  if [ "$(id -u)" != 0 ]; then
    bad 1 "output directory not writable" "$np" \
      "cannot create '.*/ro/out\.h5'.*(ermission|ot writable)" \
      complete --input="$T/in.h5" --rank=2 --output="$T/ro/out.h5"
  fi
  bad 1 "deck file missing" "$np" "cannot open deck file '.*/nodeck\.ini'" \
    complete "$T/nodeck.ini" --input="$T/in.h5" "$OUT"
  bad 2 "deck file with a bad line" "$np" \
    "bad\.ini:3: expected 'key = value', got 'this line is bad'" \
    complete "$T/bad.ini" --input="$T/in.h5" "$OUT"
  bad 2 "deck file with an unknown key" "$np" \
    "typo\.ini:3: unknown option --rnak \(did you mean --rank\?\)" \
    complete "$T/typo.ini" --input="$T/in.h5" "$OUT"
  bad 1 "import: malformed CSV line" "$np" "bad\.csv:3: .*'oops'" \
    import --format=csv --input="$T/bad.csv" "$OUT"
  bad 1 "import: MatrixMarket index out of range" "$np" \
    "bad\.mtx:4: entry \(4, 2\) is outside the 3 x 3 matrix" \
    import --format=mtx --input="$T/bad.mtx" "$OUT"
  bad 1 "import: missing input" "$np" "cannot open '.*/missing\.mtx'" \
    import --format=mtx --input="$T/missing.mtx" "$OUT"
  bad 1 "import: --format=auto finds MatrixMarket" "$np" \
    "bad\.mtx:4: entry \(4, 2\) is outside the 3 x 3 matrix" \
    import --input="$T/bad.mtx" "$OUT"

  # A process that owns no entries: two entries, both in row 0.
  if [ "$np" = 1 ]; then
    bn_ok "tiny input works at 1 process" 1 complete --input="$T/tiny.h5" \
      --rank=1 --output="$T/tiny-out.h5"
    check "tiny result written" test -s "$T/tiny-out.h5"
  else
    bad 1 "process without entries" "$np" \
      "process [0-9]+ of $np owns no observed entries.*fewer processes" \
      complete --input="$T/tiny.h5" --rank=1 "$OUT"
  fi
done

# More argument errors, at 2 processes: each is found identically on every
# rank, so it must still be reported once (agreed), not by every rank.
bad 2 "generate without --output" 2 "--output=FILE\.h5 is required" \
  generate complete --rows=10 --cols=10
bad 2 "generate --rank=0" 2 "--rank=0 .*range" \
  generate complete "$OUT" --rows=10 --cols=10 --rank=0
bad 2 "generate --rank larger than min(rows, cols)" 2 \
  "--rank=20 must be in \[1, min\(rows, cols\) = 10\]" \
  generate complete "$OUT" --rows=10 --cols=10 --rank=20
bad 2 "generate an unknown family" 2 "unknown 'other' \(one of complete[|a-z]*\)" \
  generate other "$OUT"
bad 2 "complete --tol=-1" 2 "--tol.* must be nonnegative" \
  complete --input="$T/in.h5" --rank=2 --tol=-1 "$OUT"
bad 2 "complete --output= (empty)" 2 "--output must name a file" \
  complete --input="$T/in.h5" --rank=2 --output=
bad 2 "complete --init-scale=0" 2 "--init-scale must be positive" \
  complete --input="$T/in.h5" --rank=2 --init=random --init-scale=0 "$OUT"
bad 2 "complete without --input" 2 "no input file: give --input=FILE\.h5" \
  complete --rank=2 "$OUT"
bad 2 "two deck files" 2 "unexpected argument '.*b\.ini'" \
  complete "$T/a.ini" "$T/b.ini" --input="$T/in.h5" "$OUT"
bad 1 "input that is not HDF5" 2 "'.*bad\.csv' is not an HDF5 file" \
  complete --input="$T/bad.csv" --rank=2 "$OUT"
bad 2 "info without a file" 2 "usage: benign info" info
bad 1 "info on a missing file" 2 "cannot open '.*/missing\.h5'" \
  info "$T/missing.h5"

# An output that names the input file is refused before anything is
# written: the input (here the earlier result) is left as it was.
bad 2 "complete: output is the input" 2 "same file: it would be overwritten" \
  complete --input="$T/out.h5" --rank=2 --output="$T/out.h5"
cp "$T/bad.csv" "$T/keep.csv"
bad 2 "import: output is the input" 2 "same file: it would be overwritten" \
  import --format=csv --input="$T/keep.csv" --output="$T/keep.csv"
check "import input untouched" cmp -s "$T/bad.csv" "$T/keep.csv"

# The result is still a readable result.
bn_ok "out.h5 still readable" 1 info "$T/out.h5"
check "out.h5 still has /U" grep -q '/U' "$T/last.out"

bn_summary
