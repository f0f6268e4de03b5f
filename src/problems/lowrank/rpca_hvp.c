/* Robust PCA: Hessian-vector products of the smooth piece.
 *
 * f is piecewise smooth: S = T(M - U V^T) changes its support where a
 * residual crosses a threshold. A central difference of the full gradient
 * straddles such crossings near a solution (the corrupted entries' residuals
 * sit right at the thresholds' scale), which gives a meaningless "Hessian".
 * The Hessian of the piece the point lies on is well defined: hold the
 * support of S at x fixed and difference the gradients of that piece. */
#include <math.h>
#include <stdlib.h>

#include "benign/landscape.h"
#include "problems/lowrank/rpca_state.h"

bn_status_t bn_rpca_hvp(void *data, const double *x, const double *v,
                        double *hv) {
  bn_rpca_t *c = data;
  bn_ctx_t *ctx = c->ctx;
  size_t nloc = c->dense ? (size_t)c->nu * (size_t)c->n2 : (size_t)c->obs->nnz;
  if (!c->keep)
    BN_CALL(ctx, bn_agree(ctx, bn_malloc(ctx, nloc ? nloc : 1, &c->keep)));
  BN_CALL(ctx, bn_rpca_residual(c, x, c->gamma * c->alpha));
  if (c->dense) {
    for (bn_idx_t i = 0; i < c->nu; i++)
      for (bn_idx_t j = 0; j < c->n2; j++) {
        double a = fabs(c->res[i * c->n2 + j]);
        c->keep[i * c->n2 + j] = a >= c->rthr[i] && a >= c->cthr[j];
      }
  } else {
    const bn_obs_t *o = c->obs;
    for (bn_idx_t i = 0; i < c->nu; i++)
      for (bn_idx_t e = o->rowptr[i]; e < o->rowptr[i + 1]; e++)
        c->keep[e] = bn_rpca_kept(c, i, o->ghost[o->gcol[e]], c->res[e]);
  }
  bn_objective_t piece = {0};
  piece.data = c;
  piece.n = (size_t)(c->nu + c->nv) * (size_t)c->r;
  piece.eval = bn_rpca_eval;
  c->frozen = true;
  bn_status_t st = bn_hvp_fd(ctx, &piece, x, v, hv);
  c->frozen = false;
  return st;
}
