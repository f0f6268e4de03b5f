/* Leading eigenvectors: initial points.
 *
 * random:   X with N(0, 1) entries keyed by global index (the same start on
 *           any number of processes), retracted onto X^T X = I;
 * spectral: the random start improved by `power-iters` subspace
 *           iterations X <- R(A X + c X). With c = max_i sum_j |A_ij| >=
 *           |lambda_min| (Gershgorin), A + c I is positive semidefinite,
 *           so the iteration converges to the algebraically largest
 *           eigenvalues -- the ones the objective looks for -- rather than
 *           to the largest in magnitude. */
#include <string.h>

#include "problems/eig/eig.h"

bn_status_t bn_eig_init(void *data, const bn_opts_t *opts, double *x) {
  bn_eig_t *e = data;
  bn_ctx_t *ctx = e->ctx;
  const int k = e->k;
  int64_t seed;
  BN_CALL(ctx, bn_opts_int(opts, "seed", &seed));
  const char *how = bn_opts_string(opts, "init");
  int t = bn_timer_id(ctx, "init");
  bn_timer_start(ctx, t);
  bn_rng_fill_normal((uint64_t)seed, BN_EIG_STREAM_INIT, (uint64_t)(e->r0 * k),
                     (size_t)(e->nl * k), x);
  bn_status_t st = bn_eig_retract(e, x);
  /* A = 0: every X is a critical point, nothing to iterate on. */
  int iters = (how && !strcmp(how, "random")) || !(e->rmax > 0) ? 0 : e->power;
  for (int it = 0; it < iters && st == BN_OK; it++) {
    st = bn_eig_apply(e, x, k, e->out);
    if (st != BN_OK) break;
    for (bn_idx_t i = 0; i < e->nl * k; i++) x[i] = e->out[i] + e->rmax * x[i];
    st = bn_eig_retract(e, x);
  }
  bn_timer_stop(ctx, t);
  return st;
}
