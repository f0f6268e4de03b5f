#!/usr/bin/env bash
# Progress under mpirun (stderr is a file, never a terminal): with the
# default --progress=auto a status line every --progress-every seconds,
# whose percentage never decreases; none with --progress=off; a bad
# --progress-every refused. At 1, 2 and 3 processes (rank 0 alone writes).
. "$(dirname "$0")/lib.sh"

# Ill-conditioned and noisy, so gd takes all its 400 iterations (1-2 s).
bn_ok "generate 3000 x 2000 rank 8" 2 generate complete --rows=3000 \
  --cols=2000 --rank=8 --sample-rate=0.08 --condition=100 --noise=0.1 \
  --seed=3 --output="$T/c.h5"
for np in 1 2 3; do
  # A line every 0.05 s.
  bn_run "$np" complete --input="$T/c.h5" --rank=8 --solver=gd --tol=0 \
    --max-iter=400 --certificate=off --progress-every=0.05 \
    --output="$T/r$np.h5" >"$T/out$np.txt" 2>"$T/err$np.txt"
  check "np=$np: the run succeeded" test -s "$T/r$np.h5"
  n=$(grep -c '^progress: iteration' "$T/err$np.txt" || true)
  check "np=$np: at least 5 progress lines ($n)" test "$n" -ge 5
  check "np=$np: the percentage never decreases" awk '
    /^progress: iteration/ { p = $4; gsub(/[()%]/, "", p); p += 0
      if (p < last) bad = 1; last = p }
    END { exit bad }' "$T/err$np.txt"
  check "np=$np: each line has f, |g|/|g0| and seconds" awk '
    /^progress: iteration/ && !/ f = [-0-9.e+]+  \|g\|\/\|g0\| = [-0-9.e+]+ .* [0-9.]+ s/ { bad = 1 }
    END { exit bad }' "$T/err$np.txt"
  check "np=$np: no bar drawn into a file" \
    test "$(grep -c '\[#' "$T/err$np.txt" || true)" = 0
done
bn_run 2 complete --input="$T/c.h5" --rank=8 --solver=gd --tol=0 \
  --max-iter=400 --certificate=off --progress-every=0.05 --progress=off \
  --output="$T/off.h5" >"$T/out.txt" 2>"$T/err.txt"
check "--progress=off: no progress line" \
  test "$(grep -c '^progress:' "$T/err.txt" || true)" = 0
expect_fail_rc 2 "--progress-every=0" 2 "progress-every=0: must be a positive" \
  complete --input="$T/c.h5" --rank=8 --progress-every=0 --output="$T/x.h5"
expect_fail_rc 2 "--progress=sometimes" 2 "progress" \
  complete --input="$T/c.h5" --rank=8 --progress=sometimes --output="$T/x.h5"
bn_summary
