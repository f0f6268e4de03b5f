#!/usr/bin/env bash
# benign eig (leading eigenvectors of a symmetric matrix):
#  - generate dense and sparse n = 200 with 4 separated top eigenvalues:
#    the same file on 1 and 3 processes;
#  - k = 1 (sphere) and k = 4 (Stiefel), dense and sparse, at 1 and 3
#    processes, spectral and random starts: rel_error (sine of the largest
#    principal angle to /truth/X) < 1e-6, /eigenvalues equal to
#    /truth/eigenvalues to 1e-9 (relative), and /eigenvectors spanning the
#    same as /X; the same /eigenvalues at every process count;
#  - a symmetric MatrixMarket file (path-graph Laplacian, n = 20) through
#    `benign import`: the top two eigenvalues 2 + 2 cos(j pi / 21);
#  - a run stopped by --max-iter with a checkpoint, continued with
#    --restart, is the same run (history and /X to 1e-12);
#  - bad inputs: non-square, asymmetric (dense, and sparse with one
#    triangle), NaN (dense and sparse), k > n, both or neither of /A and
#    /omega: one message from rank 0, non-zero status everywhere.
. "$(dirname "$0")/lib.sh"
BAD=${BN_BUILD_DIR:?}/tests/tool_glmeig_bad
SETNAN=${BN_BUILD_DIR:?}/tests/tool_setnan

bn_ok "generate dense 200, top 4" 2 generate eig --n=200 --k=4 --seed=3 \
  --output="$T/d.h5"
bn_ok "generate dense on 3 processes" 3 generate eig --n=200 --k=4 --seed=3 \
  --output="$T/d3.h5"
check "the dense file is the same on 2 and 3 processes (1e-13)" \
  h5diff -q -d 1e-13 "$T/d.h5" "$T/d3.h5"
bn_ok "generate sparse 200, top 4" 1 generate eig --n=200 --k=4 --seed=4 \
  --format=sparse --output="$T/s.h5"
bn_ok "generate sparse on 3 processes" 3 generate eig --n=200 --k=4 \
  --seed=4 --format=sparse --output="$T/s3.h5"
check "the sparse file is the same on 1 and 3 processes (1e-13)" \
  h5diff -q -d 1e-13 "$T/s.h5" "$T/s3.h5"

for f in d s; do
  for k in 1 4; do
    for np in 1 3; do
      for init in spectral random; do
        out="$T/$f-$k-$np-$init.h5"
        bn_ok "$f k=$k at $np processes, $init start" "$np" eig \
          --input="$T/$f.h5" --k=$k --init=$init --tol=1e-11 \
          --output="$out" --json --progress=false
        rel=$(json_field rel_error "$T/last.out")
        check "$f/$k/$np/$init: rel_error ${rel:-missing} < 1e-6" \
          num_lt "${rel:-1}" 1e-6
        check "$f/$k/$np/$init: converged" grep -q '"converged":true' \
          "$T/last.out"
      done
    done
    check "$f k=$k: /eigenvalues at 3 processes equal 1 process (1e-12)" \
      h5diff -q -p 1e-12 "$T/$f-$k-1-random.h5" "$T/$f-$k-3-random.h5" \
      /eigenvalues /eigenvalues
  done
  check "$f k=4: /eigenvalues equal /truth/eigenvalues (1e-9 relative)" \
    h5diff -q -p 1e-9 "$T/$f-4-3-spectral.h5" "$T/$f.h5" /eigenvalues \
    /truth/eigenvalues
done
bn_ok "info on an eig result" 1 info "$T/s-4-3-random.h5"
info_has "the result lists /eigenvectors" "eigenvectors"

# A symmetric MatrixMarket file (lower triangle only) through import.
{
  echo "%%MatrixMarket matrix coordinate real symmetric"
  echo "20 20 39"
  for i in $(seq 1 20); do echo "$i $i 2"; done
  for i in $(seq 2 20); do echo "$i $((i - 1)) -1"; done
} >"$T/path.mtx"
bn_ok "import the path Laplacian" 1 import --format=mtx \
  --input="$T/path.mtx" --output="$T/path.h5"
bn_ok "eig k=2 on the imported matrix (2 processes)" 2 eig \
  --input="$T/path.h5" --k=2 --tol=1e-12 --max-iter=5000 \
  --output="$T/path-out.h5" --progress=false
vals=$(h5dump -m '%.17g' -d /eigenvalues -y -w 200 "$T/path-out.h5" |
  awk '/DATA/{f=1; next} f && /[0-9]/{gsub(/,/, " "); print; exit}')
check "path Laplacian: eigenvalues ($vals) = 2 + 2 cos(j pi / 21)" \
  awk -v v="$vals" 'BEGIN { split(v, a, " "); pi = atan2(0, -1);
    e1 = 2 + 2 * cos(pi / 21); e2 = 2 + 2 * cos(2 * pi / 21);
    exit !(a[1] - e1 < 1e-9 && e1 - a[1] < 1e-9 &&
           a[2] - e2 < 1e-9 && e2 - a[2] < 1e-9) }'

# Checkpoint: stop at 25 (a checkpoint at 20), continue to the end.
A=(eig --input="$T/d.h5" --k=4 --init=random --tol=1e-13 --max-iter=200
  --progress=false)
bn_ok "checkpoint: uninterrupted run" 2 "${A[@]}" --output="$T/ref.h5"
bn_ok "checkpoint: stop at 25, checkpoint at 20" 2 "${A[@]}" --max-iter=25 \
  --checkpoint="$T/ck.h5" --checkpoint-every=20 --output="$T/stop.h5"
bn_ok "checkpoint: restart" 2 "${A[@]}" --restart="$T/ck.h5" \
  --output="$T/cont.h5"
bn_ok "checkpoint: restart on 3 processes" 3 "${A[@]}" --restart="$T/ck.h5" \
  --output="$T/cont3.h5"
ok=0
for d in /history/iteration /history/objective /history/grad_norm \
  /history/rel_error /X /eigenvalues; do
  if ! h5diff -q -p 1e-12 "$T/ref.h5" "$T/cont.h5" "$d" "$d" >/dev/null 2>&1; then
    echo "    $d differs"
    ok=1
  fi
done
check "restart continues as the same run (/history, /X to 1e-12)" test $ok = 0
check "restart on 3 processes reaches the same eigenvalues" \
  h5diff -q -p 1e-10 "$T/ref.h5" "$T/cont3.h5" /eigenvalues /eigenvalues

# Bad inputs.
"$BAD" eig-nonsquare "$T/ns.h5" eig-asym "$T/asym.h5" eig-nan "$T/nan.h5" \
  eig-lower "$T/lower.h5" eig-both "$T/both.h5" eig-none "$T/none.h5"
expect_fail_rc 1 "non-square A" 2 "/A is 5 x 4: a symmetric matrix must be square" \
  eig --input="$T/ns.h5"
expect_fail_rc 1 "asymmetric dense A" 3 "/A is not symmetric" eig \
  --input="$T/asym.h5"
expect_fail_rc 1 "sparse A with one triangle" 2 \
  "/omega is not symmetric.*both \(i, j\) and \(j, i\)" eig --input="$T/lower.h5"
expect_fail_rc 1 "NaN in dense A" 2 "/A row 2 holds a NaN" eig \
  --input="$T/nan.h5"
cp "$T/s.h5" "$T/snan.h5"
"$SETNAN" "$T/snan.h5" /omega/val 100
expect_fail_rc 1 "NaN in sparse A" 3 "entry 100 .*value nan" eig \
  --input="$T/snan.h5"
expect_fail_rc 1 "both /A and /omega" 2 "both /A .* and /omega" eig \
  --input="$T/both.h5"
expect_fail_rc 1 "neither /A nor /omega" 2 "no /A .* or /omega" eig \
  --input="$T/none.h5"
expect_fail_rc 2 "k larger than n" 2 "--k=6 is larger than n = 5" eig \
  --input="$T/lower.h5" --k=6
expect_fail_rc 2 "k = 0" 2 "--k=0" eig --input="$T/d.h5" --k=0
expect_fail_rc 2 "als has no sweep" 2 "solver=als" eig --input="$T/d.h5" \
  --solver=als
expect_fail_rc 2 "bad format to generate" 2 "format" generate eig \
  --format=banded --output="$T/x.h5"
expect_fail_rc 2 "k > n to generate" 2 "--k=9" generate eig --n=8 --k=9 \
  --output="$T/x.h5"
bn_summary
