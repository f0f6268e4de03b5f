#!/usr/bin/env bash
# Acceptance: recovery of a 2000 x 1500 rank-5 matrix from 10% of its
# entries to relative error < 1e-6, from the spectral and from a random
# initial point, at 1, 2 and 3 processes, with the same initial point on
# every process count (compared with h5diff on /init/U and /init/V:
# entries agree to 1e-10 absolute; the factors are O(0.1), and spectral
# initial points differ only by the order of floating-point sums).
. "$(dirname "$0")/lib.sh"

json_num() { # json_num KEY FILE: the number after "KEY": in a JSON line
  sed -n "s/.*\"$1\":\([-0-9.eE+]*\).*/\1/p" "$2" | tail -n 1
}

bn_ok "generate 2000x1500 rank 5" 2 generate complete --output="$T/m.h5" \
  --rows=2000 --cols=1500 --rank=5 --sample-rate=0.1 --seed=11

for init in spectral random; do
  for np in 1 2 3; do
    out="$T/$init-$np.h5"
    bn_ok "$init init at $np processes" "$np" complete --input="$T/m.h5" \
      --rank=5 --init="$init" --tol=1e-10 --max-iter=2000 --save-init \
      --output="$out" --json --progress=false
    rel=$(json_num rel_error "$T/last.out")
    check "$init/$np: rel_error ${rel:-missing} < 1e-6" \
      awk -v e="${rel:-1}" 'BEGIN { exit !(e < 1e-6) }'
    check "$init/$np: converged" grep -q '"converged":true' "$T/last.out"
    if [ "$np" != 1 ]; then
      for d in /init/U /init/V; do
        check "$init: $d at $np processes equals 1 process" \
          h5diff -q -d 1e-10 "$T/$init-1.h5" "$out" "$d" "$d"
      done
    fi
  done
done

# The comparison can fail: different seeds give different initial points.
bn_ok "random init, another seed" 2 complete --input="$T/m.h5" --rank=5 \
  --init=random --seed=2 --max-iter=1 --save-init --output="$T/other.h5"
if h5diff -q -d 1e-10 "$T/random-1.h5" "$T/other.h5" /init/U /init/U \
  >/dev/null 2>&1; then
  fail "different seeds gave the same initial point"
else
  pass "different seeds give different initial points"
fi
bn_summary
