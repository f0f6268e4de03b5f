#!/usr/bin/env bash
# benign landscape: the census of random starts and the slice picture.
#  1. a benign completion instance (30 x 30, rank 2, half the entries):
#     8 starts at 1 and 3 processes, every start at a global minimizer,
#     the same records at both counts, the JSON object complete;
#  2. a non-benign one (5% of the entries: 44 for 116 degrees of freedom,
#     rows with fewer than r = 2 entries): fewer than 100% of the starts
#     reach the truth, and the failures are listed with their distances;
#  3. --png: a valid PNG (signature, IHDR size) and the grid in the output
#     with its minimum on the orbit of the truth (the unit circle of the
#     plane, for rank 2) at about f = 0; rank 3 with a random slice;
#  4. bad inputs, each refused with one message.
. "$(dirname "$0")/lib.sh"

bn_ok "generate a benign instance" 1 generate complete --rows=30 --cols=30 \
  --rank=2 --sample-rate=0.5 --seed=3 --output="$T/b.h5"
bn_ok "generate a non-benign instance" 1 generate complete --rows=30 \
  --cols=30 --rank=2 --sample-rate=0.05 --seed=3 --output="$T/nb.h5"

# 1. Benign: 100% at 1 and 3 processes, the same census.
for np in 1 3; do
  bn_ok "benign census at $np processes" "$np" landscape complete \
    --input="$T/b.h5" --rank=2 --starts=8 --seed=5 --json \
    --output="$T/b$np.h5"
  cp "$T/last.out" "$T/b$np.json"
  cp "$T/last.err" "$T/b$np.log"
  check "np $np: 8 of 8 starts at global minimizers (JSON)" \
    test "$(json_field global_minimizers "$T/b$np.json")" = 8
  check "np $np: global_fraction = 1" \
    test "$(json_field global_fraction "$T/b$np.json")" = 1
  check "np $np: the log says 100%" \
    grep -q "global minimizers: 8 of 8 starts (100.0%)" "$T/b$np.log"
  check "np $np: JSON object with clusters and starts" \
    grep -Eq '^\{"problem":"complete".*"clusters":\[\{.*"starts":\[\{"start":0,.*\}$' \
    "$T/b$np.json"
  n=$(grep -o '"start":[0-9]*,"seed"' "$T/b$np.json" | wc -l)
  check "np $np: 8 start records in the JSON (got $n)" test "$n" = 8
  n=$(grep -o '[{[]' "$T/b$np.json" | wc -l)
  m=$(grep -o '[]}]' "$T/b$np.json" | wc -l)
  check "np $np: JSON brackets balance ($n, $m)" test "$n" = "$m"
  check "np $np: every start certified a local minimizer" \
    test "$(grep -o '"verdict":"local-minimizer"' "$T/b$np.json" | wc -l)" -ge 9
done
check "same number of clusters at 1 and 3 processes" \
  test "$(json_field num_clusters "$T/b1.json")" = \
  "$(json_field num_clusters "$T/b3.json")"
for d in /starts/objective /starts/distance /starts/hessian_index \
  /starts/global /clusters/count; do
  check "$d: the same at 1 and 3 processes" \
    h5diff -q "$T/b1.h5" "$T/b3.h5" "$d" "$d"
done
# A global minimizer of rank-2 completion: index 0 and one flat direction
# (the O(2) orbit), checked on the dense Hessian (30 + 30) x 2 = 120 <= 200.
check "Hessian index 0 with 1 zero eigenvalue at the minimizers" \
  grep -Eq '^  1 +[0-9.e+-]+ +[0-9.e+-]+ +0 +1 approximate local minimizer +8 +8$' \
  "$T/b1.log"

# 2. Non-benign: honest failures.
bn_ok "non-benign census" 2 landscape complete --input="$T/nb.h5" --rank=2 \
  --starts=8 --seed=5 --json --output="$T/nb.h5out"
frac=$(json_field global_fraction "$T/last.out")
check "non-benign: global_fraction ${frac:-missing} < 1" num_lt "${frac:-1}" 1
check "non-benign: the failures are listed with their distances" \
  grep -Eq '^  start [0-9]+: distance [0-9.]+e[+-][0-9]+, objective' \
  "$T/last.err"
check "non-benign: a failure is far from the truth (distance > 0.1)" \
  awk '/^  start [0-9]+: distance/ { gsub(",", "", $4); if ($4 + 0 > 0.1) f = 1 }
       END { exit !f }' "$T/last.err"
check "non-benign: JSON marks starts not global" \
  grep -q '"global":false' "$T/last.out"
# Here f reaches ~0 away from the truth (44 entries cannot pin down 116
# parameters): the census says so rather than calling them spurious.
check "non-benign: certified minimizers at f ~ 0 away from the truth" \
  grep -Eq '"failed_at_lowest_objective":[1-9]' "$T/last.out"

# 2b. Phase retrieval in a benign regime (complex, m = 10 n): every start
# at a global minimizer (distance after removing the global phase).
bn_ok "generate complex phase n=16 m=160" 1 generate phase --n=16 \
  --oversampling=10 --field=complex --seed=4 --output="$T/ph.h5"
for np in 1 3; do
  bn_ok "phase census at $np processes" "$np" landscape phase \
    --input="$T/ph.h5" --starts=8 --seed=3 --json --output="$T/ph$np.h5out"
  check "phase/$np: global_fraction = 1" \
    test "$(json_field global_fraction "$T/last.out")" = 1
done

# 2c. Dictionary learning on the sphere (m = 8, orthogonal, theta = 0.3,
# p = 4000, Huber loss): every start at a minimizer near an atom. The
# Huber surrogate's minimizers sit O(mu) + O(1/sqrt(p)) off the atoms
# (distances 3e-2 to 5e-2 here), so "global" is judged with
# --global-tol=0.1; the clusters are the distinct atoms reached.
bn_ok "generate dict m=8 p=4000" 1 generate dict --dim=8 --samples=4000 \
  --theta=0.3 --seed=3 --output="$T/d.h5"
for np in 1 3; do
  bn_ok "dict census at $np processes" "$np" landscape dict --input="$T/d.h5" \
    --method=sphere --starts=8 --global-tol=0.1 --json \
    --output="$T/d$np.h5out"
  check "dict/$np: global_fraction = 1" \
    test "$(json_field global_fraction "$T/last.out")" = 1
done

# 2d. Orthogonal 4th-order tensor (n = 8, distinct weights): every start
# ends at a true component (each is a local minimizer of -T(x,x,x,x) on
# the sphere); the slice goes through the heaviest one and its sign copy.
bn_ok "generate tensor n=8" 1 generate tensor --dim=8 --components=8 \
  --lambda=2,1.8,1.6,1.4,1.2,1,0.8,0.6 --output="$T/t.h5"
bn_ok "tensor census + slice at 3 processes" 3 landscape tensor \
  --input="$T/t.h5" --starts=6 --json --png="$T/t.png" --grid=21 \
  --output="$T/t3.h5out"
check "tensor: global_fraction = 1" \
  test "$(json_field global_fraction "$T/last.out")" = 1
check "tensor: the slice goes through the heaviest component (f = -2)" \
  grep -q "slice minimum: f = -2.0000" "$T/last.out" "$T/last.err"
check "tensor: PNG written" test -s "$T/t.png"

# 3. The picture.
bn_ok "slice through the truth and a copy" 3 landscape complete \
  --input="$T/b.h5" --rank=2 --starts=4 --png="$T/s.png" --grid=31 \
  --output="$T/s.h5"
sig=$(od -An -tx1 -N8 "$T/s.png" | tr -d ' \n')
check "PNG signature ($sig)" test "$sig" = 89504e470d0a1a0a
ihdr=$(od -An -c -j12 -N4 "$T/s.png" | tr -d ' \n')
check "PNG IHDR chunk first ($ihdr)" test "$ihdr" = IHDR
w=$(od -An -tu1 -j16 -N4 "$T/s.png" | awk '{ print $1*16777216+$2*65536+$3*256+$4 }')
h=$(od -An -tu1 -j20 -N4 "$T/s.png" | awk '{ print $1*16777216+$2*65536+$3*256+$4 }')
check "PNG size ${w}x$h is a picture (>= 31 pixels each way)" \
  test "$w" -ge 31 -a "$h" -ge 31
check "/slice/f is 31 x 31" \
  grep -q 'SIMPLE { ( 31, 31 ) / ( 31, 31 ) }' \
  <(h5dump -H -d /slice/f "$T/s.h5")
# The grid's smallest value: where, and how small against the largest.
h5dump -d /slice/f -w 0 -m %.17g "$T/s.h5" | awk '
  /DATA \{/ && !done { on = 1; next } on && /\}/ { on = 0; done = 1 }
  on { sub(/^ *\([0-9]+,[0-9]+\): */, ""); n = split($0, v, ",");
       for (k = 1; k <= n; k++) if (v[k] != "") print v[k] + 0 }' \
  >"$T/grid.txt"
check "31 x 31 grid values read" test "$(wc -l <"$T/grid.txt")" = 961
awk -v N=31 -v E=1.5 '
  { f[NR - 1] = $1 } END {
    mn = 0; mx = 0
    for (k = 0; k < N * N; k++) { if (f[k] < f[mn]) mn = k; if (f[k] > f[mx]) mx = k }
    a = -E + 2 * E * (mn % N) / (N - 1); b = -E + 2 * E * int(mn / N) / (N - 1)
    t = 1 * (N - 1) / (2 * E) + (N - 1) / 2   # grid index of a = 1
    print f[mn], f[mx], a, b, f[(N - 1) / 2 * N + t] }' "$T/grid.txt" \
  >"$T/gmin.txt"
read -r fmin fmax ga gb ftruth <"$T/gmin.txt"
check "grid minimum $fmin at (a, b) = ($ga, $gb) lies on the unit circle" \
  awk -v a="$ga" -v b="$gb" 'BEGIN { r = sqrt(a * a + b * b); exit !(r > 0.9 && r < 1.1) }'
check "grid minimum $fmin <= 1e-12 of the maximum $fmax" \
  awk -v a="$fmin" -v b="$fmax" 'BEGIN { exit !(a <= 1e-12 * b && b > 0) }'
check "f at the truth's grid point ($ftruth) <= 1e-12 of the maximum" \
  awk -v a="$ftruth" -v b="$fmax" 'BEGIN { exit !(a <= 1e-12 * b) }'
bn_ok "generate a rank-3 instance" 1 generate complete --rows=25 --cols=20 \
  --rank=3 --sample-rate=0.6 --seed=4 --output="$T/r3.h5"
bn_ok "random slice of a rank-3 instance" 2 landscape complete \
  --input="$T/r3.h5" --rank=3 --starts=3 --png="$T/r.png" --slice=random \
  --grid=21 --output="$T/r.h5" --json
check "random slice: PNG written" test -s "$T/r.png"
check "random slice: JSON slice kind" grep -q '"kind":"random"' "$T/last.out"
check "random slice: 3 of 3 at global minimizers" \
  test "$(json_field global_minimizers "$T/last.out")" = 3

# 4. Bad inputs.
h5copy -i "$T/b.h5" -o "$T/notruth.h5" -s /omega -d /omega
expect_fail_rc 2 "unknown problem" 2 "unknown problem 'complet' \(did you mean 'complete'" \
  landscape complet --input="$T/b.h5" --output="$T/x.h5"
expect_fail_rc 2 "--starts=0" 3 "--starts=0: must be in \[1, 1000000\]" \
  landscape complete --input="$T/b.h5" --rank=2 --starts=0 --output="$T/x.h5"
expect_fail_rc 2 "--max-dim negative" 2 "--max-dim=-1: must be nonnegative" \
  landscape complete --input="$T/b.h5" --rank=2 --max-dim=-1 \
  --output="$T/x.h5"
expect_fail_rc 2 "--png without a truth" 3 \
  "--png: the slice goes through the ground truth, but .* has none" \
  landscape complete --input="$T/notruth.h5" --rank=2 --png="$T/x.png" \
  --output="$T/x.h5"
check "--png without a truth wrote nothing" test ! -e "$T/x.png" -a ! -e "$T/x.h5"
bn_ok "without a truth the census runs (objective criterion)" 2 landscape \
  complete --input="$T/notruth.h5" --rank=2 --starts=3 --json \
  --output="$T/nt.h5"
check "no truth: criterion objective" \
  test "$(json_field criterion "$T/last.out")" = objective
expect_fail_rc 2 "--init=spectral" 1 "--init=spectral: benign landscape" \
  landscape complete --input="$T/b.h5" --rank=2 --init=spectral \
  --output="$T/x.h5"
expect_fail_rc 1 "missing input" 2 "cannot open|no such|nope" landscape \
  complete --input="$T/nope.h5" --rank=2 --output="$T/x.h5"
expect_fail_rc 2 "--grid=2" 2 "--grid=2: must be in" landscape complete \
  --input="$T/b.h5" --rank=2 --png="$T/x.png" --grid=2 --output="$T/x.h5"
bn_summary
