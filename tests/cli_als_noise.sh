#!/usr/bin/env bash
# Acceptance: on noisy data with a held-out test set, ALS reaches the noise
# floor: test RMSE within 10% of the noise level, at 1, 2 and 3 processes.
. "$(dirname "$0")/lib.sh"

json_num() { sed -n "s/.*\"$1\":\([-0-9.eE+]*\).*/\1/p" "$2" | tail -n 1; }

noise=0.1
bn_ok "generate noisy 2000x1500 rank 5" 2 generate complete \
  --output="$T/n.h5" --rows=2000 --cols=1500 --rank=5 --sample-rate=0.1 \
  --test-fraction=0.1 --noise="$noise" --seed=3
for np in 1 2 3; do
  bn_ok "als at $np processes" "$np" complete --input="$T/n.h5" --rank=5 \
    --solver=als --lambda=0.01 --tol=1e-6 --max-iter=50 \
    --output="$T/als-$np.h5" --json
  rmse=$(json_num test_rmse "$T/last.out")
  check "als/$np: test RMSE ${rmse:-missing} within 10% of $noise" \
    awk -v e="${rmse:-1}" -v s="$noise" 'BEGIN { d = e / s - 1; exit !(d < 0.1 && d > -0.1) }'
done
# The initial point is not at the noise floor (so the check can fail).
bn_ok "no iterations" 1 complete --input="$T/n.h5" --rank=5 --solver=als \
  --max-iter=0 --output="$T/none.h5" --json
rmse=$(json_num test_rmse "$T/last.out")
check "spectral init alone (${rmse:-missing}) is above the floor" \
  awk -v e="${rmse:-0}" -v s="$noise" 'BEGIN { exit !(e / s - 1 >= 0.1) }'
bn_summary
