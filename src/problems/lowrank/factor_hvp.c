/* Low-rank factorization: the Hessian-vector product of the objective that
 * bn_factor_eval computes (factor.h), in one pass over Y's local rows.
 *
 * With R = Y - U W^T (W = U in sym mode, V in general mode), eval's
 * gradient is -R W (sym: for a symmetric Y), and -R^T U for V. Along
 * (dU, dV), dR = -(dU W^T + U dW^T), so
 *   sym:      h_U = -R dU + dU (U^T U) + U (dU^T U)
 *   general:  h_U = -R dV + dU (V^T V) + U (dV^T V)
 *             h_V = -R^T dU + V (dU^T U) + dV (U^T U)
 *             plus the balancing term's Hessian (bn_lr_balance_hvp).
 * R is formed block by block from Y as in eval (no cancellation near a
 * minimum); the gathered factor and the gathered direction are multiplied
 * by each block, the general mode's -R^T dU is reduce-scattered onto V's
 * rows as eval's gradient is. */
#include <cblas.h>
#include <stdlib.h>
#include <string.h>

#include "problems/lowrank/factor.h"

/* One pass: hu = -R dW (local rows) and, general mode (gw != NULL), gw -=
 * R^T dU, with dw the gathered direction of the gathered factor. */
static void bn_factor_hvp_pass(bn_factor_t *c, const double *u,
                               const double *du, const double *dw, double *hu,
                               double *gw) {
  const int r = c->r, n2 = (int)c->n2;
  const double *y = bn_dmat_cdata(c->y), *w = c->full;
  for (bn_idx_t i0 = 0; i0 < c->nu; i0 += c->blk_rows) {
    int m = (int)(c->nu - i0 < c->blk_rows ? c->nu - i0 : c->blk_rows);
    double *rb = c->blk;
    memcpy(rb, y + i0 * n2, (size_t)m * n2 * sizeof(double));
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n2, r, -1.0,
                u + i0 * r, r, w, r, 1.0, rb, n2);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, r, n2, -1.0, rb,
                n2, dw, r, 0.0, hu + i0 * r, r);
    if (gw)
      cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n2, r, m, -1.0, rb,
                  n2, du + i0 * r, r, 1.0, gw, r);
  }
}

/* out += a b for n x r a and r x r b (row-major). */
static void bn_mul_rr(int r, bn_idx_t n, const double *a, const double *b,
                      double *out) {
  if (n > 0)
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, r, r, 1.0, a,
                r, b, r, 1.0, out, r);
}

bn_status_t bn_factor_hvp(void *data, const double *x, const double *v,
                          double *hv) {
  bn_factor_t *c = data;
  bn_ctx_t *ctx = c->ctx;
  const int r = c->r, rr = r * r, me = bn_ctx_rank(ctx);
  const bn_idx_t n = c->sym ? c->n1 : c->n2;
  const double *u = x, *xv = x + c->nu * r, *du = v, *dv = v + c->nu * r;
  double *hu = hv, *hvv = hv + c->nu * r;
  if (!c->hbuf) /* the gathered direction (n x r) and 4 Grams */
    BN_CALL(ctx,
            bn_agree(ctx, bn_mallocn(ctx,
                                     bn_size_add(bn_size_mul((size_t)n, r),
                                                 bn_size_mul(4, (size_t)rr)),
                                     sizeof(double), &c->hbuf)));
  double *dw = c->hbuf, *g = dw + (size_t)n * r;
  double *guu = g, *gvv = g + rr, *gdu = gvv + rr, *gdv = gdu + rr;
  BN_CALL(ctx, bn_factor_gather(c, c->sym ? u : xv));
  bn_timer_start(ctx, c->t_gather);
  BN_MPI(ctx,
         MPI_Allgatherv(c->sym ? du : dv, c->counts[me], MPI_DOUBLE, dw,
                        c->counts, c->displs, MPI_DOUBLE, bn_ctx_comm(ctx)));
  bn_timer_stop(ctx, c->t_gather);

  bn_timer_start(ctx, c->t_kernel);
  memset(g, 0, 4 * (size_t)rr * sizeof(double));
  double *gw = NULL;
  if (!c->sym) {
    gw = c->gfull;
    memset(gw, 0, (size_t)n * r * sizeof(double));
  }
  bn_factor_hvp_pass(c, u, du, dw, hu, gw);
  if (c->sym) { /* Grams of the gathered factors: the same on every rank */
    bn_gram_local(r, n, c->full, c->full, guu);
    bn_gram_local(r, n, dw, c->full, gdu);
    bn_mul_rr(r, c->nu, du, guu, hu);
    bn_mul_rr(r, c->nu, u, gdu, hu);
    bn_timer_stop(ctx, c->t_kernel);
    return BN_OK;
  }
  bn_gram_local(r, c->nu, u, u, guu);
  bn_gram_local(r, c->nv, xv, xv, gvv);
  bn_gram_local(r, c->nu, du, u, gdu);
  bn_gram_local(r, c->nv, dv, xv, gdv);
  bn_timer_stop(ctx, c->t_kernel);

  bn_timer_start(ctx, c->t_reduce);
  BN_MPI(ctx, MPI_Reduce_scatter(gw, hvv, c->counts, MPI_DOUBLE, MPI_SUM,
                                 bn_ctx_comm(ctx)));
  BN_CALL(ctx, bn_allreduce_sum(ctx, g, 4 * (size_t)rr));
  bn_timer_stop(ctx, c->t_reduce);
  bn_mul_rr(r, c->nu, du, gvv, hu);
  bn_mul_rr(r, c->nu, u, gdv, hu);
  bn_mul_rr(r, c->nv, xv, gdu, hvv);
  bn_mul_rr(r, c->nv, dv, guu, hvv);
  bn_lr_balance(r, guu, gvv); /* guu = D */
  bn_lr_balance_hvp(r, c->nu, u, du, c->nv, xv, dv, guu, gdu, gdv, hu, hvv);
  return BN_OK;
}
