#!/usr/bin/env bash
# benign sense with the implicit operator (Gaussian A_i regenerated at each
# evaluation, never stored): a 100 x 100 rank-3 matrix from m = 6 r (n1 +
# n2) = 3600 measurements, recovered to relative error < 1e-6 from the
# spectral and a random initial point at 2 processes. About 3.6e7 normals
# per evaluation; the costliest sensing test, so it stands alone. Without
# the certificate and escape's Lanczos run (tens of Hessian-vector
# products, each a pass of the operator): those are tested on small
# instances in cli_certificate.sh.
. "$(dirname "$0")/lib.sh"

bn_ok "generate implicit 100x100" 2 generate sense --operator=implicit \
  --rows=100 --cols=100 --rank=3 --seed=5 --output="$T/i.h5"
check "implicit input stores no operator" \
  sh -c "! h5ls '$T/i.h5' | grep -Eq '^(A|a|b) '"
for init in spectral random; do
  bn_ok "implicit: $init init at 2 processes" 2 sense --input="$T/i.h5" \
    --rank=3 --init="$init" --tol=1e-10 --max-iter=3000 \
    --output="$T/o-$init.h5" --json --progress=false \
    --certificate=off --escape=false
  rel=$(json_field rel_error "$T/last.out")
  check "implicit/$init: rel_error ${rel:-missing} < 1e-6" num_lt "${rel:-1}" 1e-6
done
bn_summary
