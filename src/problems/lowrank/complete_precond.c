/* Matrix completion: the scaled metric (the objective's precond).
 *
 * Gradient steps on U, V slow down with the condition number of the
 * factors -- of the truth, and of a poor start, where some directions are
 * tiny. ScaledGD (Tong, Ma and Chi 2021) and R3MC (Mishra and Sepulchre
 * 2014) multiply the U gradient by (V^T V)^-1 and the V gradient by
 * (U^T U)^-1: the metric in which a step of alternating least squares on
 * fully observed data is one unit. It costs two r x r Grams, one
 * allreduce and two Cholesky solves with n x r right-hand sides. */
#include "problems/lowrank/complete_precond.h"

#include <math.h>
#include <string.h>

#include "benign/dense.h"

/* Rows of a (n x r) times G^-1 (G SPD), in chunks whose count fits an
 * int. Local. */
static bn_status_t bn_precond_rsolve(bn_ctx_t *ctx, int r, double *gram,
                                     bn_idx_t n, double *a) {
  const bn_idx_t chunk = (bn_idx_t)1 << 24;
  for (bn_idx_t i = 0; i < n; i += chunk) {
    int m = (int)(n - i < chunk ? n - i : chunk);
    BN_CALL(ctx, bn_small_spd_solve(ctx, r, gram, m, a + (size_t)i * r));
  }
  return BN_OK;
}

bn_status_t bn_complete_precond(void *data, const double *x, const double *g,
                                double *pg) {
  bn_complete_t *c = data;
  bn_ctx_t *ctx = c->ctx;
  const int r = c->r, rr = r * r;
  size_t n = (size_t)(c->nu + c->nv) * (size_t)c->w;
  if (pg != g) memcpy(pg, g, n * sizeof(double));
  bn_complete_parts_t p = bn_complete_split(c, x), q = bn_complete_split(c, pg);
  double *guu = c->red, *gvv = c->red + rr; /* eval's scratch */
  memset(guu, 0, 2 * (size_t)rr * sizeof(double));
  bn_gram_local(r, c->nu, p.u, p.u, guu);
  bn_gram_local(r, c->nv, p.v, p.v, gvv);
  BN_CALL(ctx, bn_allreduce_sum(ctx, guu, 2 * (size_t)rr));
  double tr = 0.0;
  for (int a = 0; a < r; a++) tr += guu[a * r + a] + gvv[a * r + a];
  if (!(tr > 0) || !isfinite(tr)) return BN_OK; /* x = 0: no metric */
  /* A relative shift keeps a rank-deficient factor's Gram definite. */
  double eps = 1e-10 * tr / (2 * r);
  for (int a = 0; a < r; a++) {
    guu[a * r + a] += eps;
    gvv[a * r + a] += eps;
  }
  bn_status_t st = bn_precond_rsolve(ctx, r, gvv, c->nu, q.u);
  if (st == BN_OK) st = bn_precond_rsolve(ctx, r, guu, c->nv, q.v);
  return bn_agree(ctx, st);
}
