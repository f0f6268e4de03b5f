#!/usr/bin/env bash
# Self-describing files (issue 19, item 5): every HDF5 file benign writes
# -- the input of every generate family, the result of every problem (and
# its variants that write other datasets: sparse and dense codes, the
# synthesis model, CDP phase, 2-D deconvolution, sparse eig, --save-init),
# import (ratings and image patches), split, tune, predict, recommend, a
# checkpoint and a landscape census -- has a root attribute `creator`
# ("benign VERSION COMMAND"), a `description` on every dataset, and
# `rows_are`/`cols_are` on every 2-D dataset (read with h5dump -A, not with
# benign). The dict result carries the patch shape of an imported input,
# and `benign info` prints the descriptions.
. "$(dirname "$0")/lib.sh"

MK=${BN_BUILD_DIR:?}/tests/tool_mkimage
VERSION=$("$BENIGN" --version | awk '{ print $2 }')

# gaps FILE: one line per missing piece ("NO creator", "DATASET: no
# description", "DATASET: no rows_are/cols_are"); empty when complete.
# h5dump -A indents three spaces a level: a dataset's attributes and its
# DATASPACE are one level below its DATASET line.
gaps() {
  h5dump -A "$1" | awk '
    { match($0, /^ */); ind = RLENGTH / 3 }
    /^ *GROUP "/ { split($0, a, "\""); g[ind] = (a[2] == "/") ? "" : a[2] }
    ind == 1 && /^ *ATTRIBUTE "creator"/ { creator = 1 }
    /^ *DATASET "/ {
      split($0, a, "\""); p = ""
      for (i = 1; i < ind; i++) p = p "/" g[i]
      cur = p "/" a[2]; dl = ind; n++; name[n] = cur
      desc[n] = 0; two[n] = 0; ra[n] = 0; ca[n] = 0; next
    }
    cur != "" && ind == dl + 1 && /^ *DATASPACE +SIMPLE/ {
      s = $0; sub(/\).*/, "", s); sub(/.*\(/, "", s)
      two[n] = (gsub(/,/, ",", s) == 1)
    }
    cur != "" && ind == dl + 1 && /^ *ATTRIBUTE "description"/ { desc[n] = 1 }
    cur != "" && ind == dl + 1 && /^ *ATTRIBUTE "rows_are"/ { ra[n] = 1 }
    cur != "" && ind == dl + 1 && /^ *ATTRIBUTE "cols_are"/ { ca[n] = 1 }
    cur != "" && ind == dl && /^ *}/ { cur = "" }
    END {
      if (!creator) print "NO creator"
      if (!n) print "NO datasets"
      for (i = 1; i <= n; i++) {
        if (!desc[i]) print name[i] ": no description"
        if (two[i] && !(ra[i] && ca[i])) print name[i] ": no rows_are/cols_are"
      }
    }'
}

# described NAME FILE [CREATOR-WORDS]: FILE is complete; its creator is
# "benign VERSION CREATOR-WORDS".
described() {
  local name=$1 f=$2 words=${3:-} out
  if [ ! -s "$f" ]; then
    fail "$name: $f was not written"
    return
  fi
  out=$(gaps "$f")
  if [ -z "$out" ]; then
    pass "$name: every dataset described"
  else
    fail "$name: $(echo "$out" | tr '\n' ';')"
  fi
  if [ -n "$words" ]; then
    check "$name: creator is 'benign $VERSION $words'" sh -c \
      "h5dump -a /creator '$f' | grep -qF '\"benign $VERSION $words\"'"
  fi
}

# gen FAMILY FILE ARGS...: generate and check the input.
gen() {
  local fam=$1 f=$2
  shift 2
  bn_ok "generate $fam ($*)" 2 generate "$fam" --output="$f" "$@"
  described "generate $fam $*" "$f" "generate $fam"
}
# solve PROBLEM FILE ARGS...: run and check the result.
solve() {
  local p=$1 f=$2
  shift 2
  bn_ok "$p ($*)" 2 "$p" --output="$f" "$@"
  described "$p $*" "$f" "$p"
}

# --- completion and its neighbours ----------------------------------------
gen complete "$T/c.h5" --rows=60 --cols=50 --rank=2 --sample-rate=0.4 \
  --test-fraction=0.1 --seed=3
solve complete "$T/c-out.h5" --input="$T/c.h5" --rank=2 --max-iter=20 \
  --save-init=true --checkpoint="$T/c-ck.h5" --checkpoint-every=5
described "checkpoint of complete" "$T/c-ck.h5" complete
gen rpca "$T/r.h5" --rows=40 --cols=30 --rank=2 --corrupt=0.05
solve rpca "$T/r-out.h5" --input="$T/r.h5" --rank=2 --max-iter=20
gen factor "$T/f.h5" --rows=30 --cols=20 --rank=2
solve factor "$T/f-out.h5" --input="$T/f.h5" --rank=2 --max-iter=20
gen factor "$T/fs.h5" --mode=sym --rows=30 --cols=30 --rank=2
solve factor "$T/fs-out.h5" --input="$T/fs.h5" --rank=2 --max-iter=20
for op in gaussian rank-one implicit; do
  gen sense "$T/s-$op.h5" --operator=$op --rows=12 --cols=10 --rank=2
  solve sense "$T/s-$op-out.h5" --input="$T/s-$op.h5" --rank=2 --max-iter=20
done

# ratings: import, split, fit with biases, tune, predict, recommend.
awk 'BEGIN {
  print "userId,movieId,rating"
  for (i = 0; i < 40; i++) for (j = 0; j < 30; j++)
    if ((i * 7 + j * 3) % 5 < 3) printf "%d,%d,%.4f\n", 100 + i, 7 * j, 3 + sin(i) * cos(j)
}' >"$T/r.csv"
bn_ok "import a CSV" 2 import --format=csv --input="$T/r.csv" \
  --output="$T/ri.h5"
described "import csv" "$T/ri.h5" import
bn_ok "split" 2 split --input="$T/ri.h5" --output="$T/rs.h5" --per-row \
  --test-fraction=0.2 --seed=3
described "split" "$T/rs.h5" split
solve complete "$T/rb.h5" --input="$T/rs.h5" --rank=2 --bias=true \
  --solver=als --max-iter=10
bn_ok "tune" 2 tune --input="$T/rs.h5" --output="$T/rt.h5" --ranks=1,2 \
  --max-iter=10 --progress=false
described "tune" "$T/rt.h5" tune
bn_ok "predict" 2 predict --model="$T/rb.h5" --pairs="$T/rs.h5" \
  --output="$T/rp.h5"
described "predict" "$T/rp.h5" predict
bn_ok "recommend" 2 recommend --model="$T/rb.h5" --output="$T/rr.h5" --top=3
described "recommend" "$T/rr.h5" recommend

# --- the other problems -----------------------------------------------------
for m in gaussian implicit cdp; do
  gen phase "$T/p-$m.h5" --model=$m --n=16 --height=8 --width=8 --patterns=4
  solve phase "$T/p-$m-out.h5" --input="$T/p-$m.h5" --max-iter=20
done
gen glm "$T/g.h5" --dim=5 --samples=200
solve glm "$T/g-out.h5" --input="$T/g.h5" --max-iter=20
for fmt in dense sparse; do
  gen eig "$T/e-$fmt.h5" --n=30 --k=2 --format=$fmt
  solve eig "$T/e-$fmt-out.h5" --input="$T/e-$fmt.h5" --k=2 --max-iter=20
done
gen tensor "$T/t.h5" --dim=6 --components=3 --lambda=2,1.5,1
solve tensor "$T/t-out.h5" --input="$T/t.h5" --max-iter=30
gen dict "$T/d.h5" --dim=8 --samples=400 --theta=0.3
for m in l4 sphere; do
  solve dict "$T/d-$m.h5" --input="$T/d.h5" --method=$m --max-iter=20
done
gen dict "$T/dg.h5" --dim=8 --samples=300 --dictionary=gaussian --theta=0.2
for m in synthesis synthesis-orth; do
  solve dict "$T/d-$m.h5" --input="$T/dg.h5" --method=$m --max-iter=5
done
gen dict "$T/do.h5" --dim=6 --atoms=9 --samples=300 --theta=0.2
solve dict "$T/d-over.h5" --input="$T/do.h5" --max-iter=5
gen deconv "$T/dc.h5" --n=40 --channels=8
solve deconv "$T/dc-out.h5" --input="$T/dc.h5" --max-iter=10
gen deconv "$T/dc2.h5" --n=8 --height=8 --channels=6 --kernel-size=3
solve deconv "$T/dc2-out.h5" --input="$T/dc2.h5" --max-iter=10
gen sasd "$T/sa.h5" --length=400 --kernel-size=8
solve sasd "$T/sa-out.h5" --input="$T/sa.h5" --max-iter=10
gen sasd "$T/sa2.h5" --height=16 --width=16 --kernel-size=3
solve sasd "$T/sa2-out.h5" --input="$T/sa2.h5" --max-iter=10

# --- image patches: the dict result carries the patch shape -----------------
"$MK" png "$T/tex.png" 20 16 tex 0
bn_ok "import image patches" 2 import --format=image --input="$T/tex.png" \
  --output="$T/im.h5" --patch=4x4 --stride=1 \
  --center=false
described "import image" "$T/im.h5" import
solve dict "$T/im-out.h5" --input="$T/im.h5" --max-iter=10
for a in patch_h patch_w; do
  check "dict result: @$a = 4" sh -c \
    "h5dump -a /$a '$T/im-out.h5' | grep -q '(0): 4\$'"
done

# --- a landscape census -----------------------------------------------------
bn_ok "landscape" 2 landscape complete --input="$T/c.h5" --rank=2 --starts=2 \
  --seed=5 --output="$T/ls.h5"
described "landscape complete" "$T/ls.h5" "landscape complete"

# --- benign info prints the descriptions ------------------------------------
bn_ok "info on a dict result" 1 info "$T/d-l4.h5"
info_has "info: /A described" '^ +@description = ".*atoms'
info_has "info: /A rows_are" '^ +@rows_are = '

bn_summary
