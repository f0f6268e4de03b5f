#!/usr/bin/env bash
# Round trips through the command line: generate -> info -> complete;
# MatrixMarket and CSV -> import -> info -> complete at 1, 2 and 3 processes;
# the layout of the result file.
. "$(dirname "$0")/lib.sh"

# --- generate -> info -> complete ---------------------------------------
bn_ok "generate" 2 generate complete --output="$T/gen.h5" --rows=60 \
  --cols=50 --rank=2 --sample-rate=0.5
bn_ok "info on the generated file" 1 info "$T/gen.h5"
info_has "gen: /omega/row with shape" '^/omega/row +\[[1-9][0-9]*\] +int64'
info_has "gen: /omega/col with shape" '^/omega/col +\[[1-9][0-9]*\] +int64'
info_has "gen: /omega/val with shape" '^/omega/val +\[[1-9][0-9]*\] +float64'
info_has "gen: /truth/U is 60 x 2" '^/truth/U +\[60 x 2\] +float64'
info_has "gen: /truth/V is 50 x 2" '^/truth/V +\[50 x 2\] +float64'
# rows/cols attributes of /omega (the lines after the "/omega  group" line).
check "gen: /omega has @rows = 60 and @cols = 50" awk '
  /^\/omega +group/ { g = 1; next }
  /^\// { g = 0 }
  g && /^ +@rows = 60$/ { r = 1 }
  g && /^ +@cols = 50$/ { c = 1 }
  END { exit !(r && c) }' "$T/last.out"
n=$(sed -n 's/^\/omega\/row *\[\([0-9]*\)\].*/\1/p' "$T/last.out")
check "gen: about half of the 3000 entries observed ($n)" \
  awk -v n="$n" 'BEGIN { exit !(n > 1200 && n < 1800) }'

for np in 1 2 3; do
  bn_ok "complete the generated file (np=$np)" "$np" complete \
    --input="$T/gen.h5" --rank=2 --json --output="$T/gen-out-$np.h5"
  check "gen np=$np: converged" test "$(json_field converged "$T/last.out")" = true
  e=$(json_field rel_error "$T/last.out")
  check "gen np=$np: rel_error $e < 1e-5" num_lt "$e" 1e-5
done

# --- MatrixMarket: a rank-1 6 x 5 matrix, every entry given -------------
{
  echo '%%MatrixMarket matrix coordinate real general'
  echo '% M(i, j) = i * j / 4, rank 1'
  echo '6 5 30'
  for i in 1 2 3 4 5 6; do
    for j in 1 2 3 4 5; do
      echo "$i $j $(awk -v i="$i" -v j="$j" 'BEGIN { print i * j / 4 }')"
    done
  done
} >"$T/r1.mtx"

bn_ok "import --format=mtx" 2 import --format=mtx --input="$T/r1.mtx" \
  --output="$T/mtx.h5"
check "import mtx reports the size" grep -q '6 x 5, 30 entries' "$T/last.out"
bn_ok "info on the imported mtx" 1 info "$T/mtx.h5"
info_has "mtx: /omega/row [30]" '^/omega/row +\[30\] +int64'
info_has "mtx: /omega/col [30]" '^/omega/col +\[30\] +int64'
info_has "mtx: /omega/val [30]" '^/omega/val +\[30\] +float64'
info_has "mtx: @rows = 6" '^ +@rows = 6$'
info_has "mtx: @cols = 5" '^ +@cols = 5$'
info_has "mtx: @format = mtx" '^ +@format = "mtx"$'
check "mtx: no id maps" test -z "$(grep '^/map' "$T/last.out")"

for np in 1 2 3; do
  bn_ok "complete the mtx input (np=$np)" "$np" complete \
    --input="$T/mtx.h5" --rank=1 --json --output="$T/mtx-out-$np.h5"
  check "mtx np=$np: one line on stdout" test "$(wc -l <"$T/last.out")" = 1
  check "mtx np=$np: converged" test "$(json_field converged "$T/last.out")" = true
  check "mtx np=$np: processes = $np" \
    test "$(json_field processes "$T/last.out")" = "$np"
  f=$(json_field objective "$T/last.out")
  check "mtx np=$np: objective $f < 1e-10" num_lt "$f" 1e-10
  check "mtx np=$np: no rel_error without truth" \
    test -z "$(json_field rel_error "$T/last.out")"
  # From a random start (the spectral start is already exact here).
  bn_ok "complete the mtx input, random init (np=$np)" "$np" complete \
    --input="$T/mtx.h5" --rank=1 --init=random --json \
    --output="$T/mtx-rnd-$np.h5"
  check "mtx random np=$np: converged" \
    test "$(json_field converged "$T/last.out")" = true
done

# --- the result file ----------------------------------------------------
bn_ok "info on a result (np=3)" 1 info "$T/mtx-out-3.h5"
info_has "result: /U is 6 x 1" '^/U +\[6 x 1\] +float64'
info_has "result: /V is 5 x 1" '^/V +\[5 x 1\] +float64'
info_has "result: /history/objective" '^/history/objective +\[[1-9][0-9]*\] +float64'
info_has "result: @problem" '^ +@problem = "complete"$'
info_has "result: @solver" '^ +@solver = "gd"$'
info_has "result: @options holds rank=1" '^ +@options = ".*rank=1\\n'
info_has "result: @seed" '^ +@seed = 1$'
info_has "result: @version" '^ +@version = "[0-9]+\.[0-9]+\.[0-9]+'
info_has "result: @processes = 3" '^ +@processes = 3$'
bn_ok "info on a result (np=1)" 1 info "$T/mtx-out-1.h5"
info_has "result np=1: @processes = 1" '^ +@processes = 1$'

# --- CSV with sparse ids: the same matrix -------------------------------
cols="7 42 100 311 5000"
{
  echo 'userId,movieId,rating,timestamp'
  i=0
  for u in 1001 1005 1009 1013 1017 1021; do
    i=$((i + 1))
    j=0
    for m in $cols; do
      j=$((j + 1))
      echo "$u,$m,$(awk -v i="$i" -v j="$j" 'BEGIN { print i * j / 4 }'),97${i}${j}"
    done
  done
} >"$T/ratings.csv"

bn_ok "import --format=csv" 3 import --format=csv --input="$T/ratings.csv" \
  --output="$T/csv.h5"
bn_ok "info on the imported csv" 1 info "$T/csv.h5"
info_has "csv: /map/row_ids [6]" '^/map/row_ids +\[6\] +int64'
info_has "csv: /map/col_ids [5]" '^/map/col_ids +\[5\] +int64'
info_has "csv: /omega/val [30]" '^/omega/val +\[30\] +float64'
info_has "csv: @rows = 6" '^ +@rows = 6$'
info_has "csv: @cols = 5" '^ +@cols = 5$'

for np in 1 3; do
  bn_ok "complete the csv input (np=$np)" "$np" complete \
    --input="$T/csv.h5" --rank=1 --json --output="$T/csv-out-$np.h5"
  check "csv np=$np: converged" test "$(json_field converged "$T/last.out")" = true
  f=$(json_field objective "$T/last.out")
  check "csv np=$np: objective $f < 1e-10" num_lt "$f" 1e-10
  bn_ok "complete the csv input, random init (np=$np)" "$np" complete \
    --input="$T/csv.h5" --rank=1 --init=random --json \
    --output="$T/csv-rnd-$np.h5"
  check "csv random np=$np: converged" \
    test "$(json_field converged "$T/last.out")" = true
done
bn_ok "info on the csv result" 1 info "$T/csv-out-3.h5"
info_has "csv result: /U is 6 x 1" '^/U +\[6 x 1\] +float64'

bn_summary
