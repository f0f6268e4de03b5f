/* Low-rank factorization: objective, gradient, metrics, initial points. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problems/lowrank/factor.h"

bn_status_t bn_factor_gather(bn_factor_t *c, const double *local) {
  bn_ctx_t *ctx = c->ctx;
  int me = bn_ctx_rank(ctx);
  bn_timer_start(ctx, c->t_gather);
  BN_MPI(ctx,
         MPI_Allgatherv(local, c->counts[me], MPI_DOUBLE, c->full, c->counts,
                        c->displs, MPI_DOUBLE, bn_ctx_comm(ctx)));
  bn_timer_stop(ctx, c->t_gather);
  return BN_OK;
}

/* One pass over the local rows of Y in blocks: R = Y - U W^T with W the
 * gathered factor; returns |R|^2 and, when gu is given, gu = -R W and
 * (general mode, gw != NULL) gw -= R^T U, n2 x r. */
static double bn_factor_pass(bn_factor_t *c, const double *u, double *gu,
                             double *gw) {
  const int r = c->r, n2 = (int)c->n2;
  const double *y = bn_dmat_cdata(c->y), *w = c->full;
  double sumsq = 0.0;
  for (bn_idx_t i0 = 0; i0 < c->nu; i0 += c->blk_rows) {
    int m = (int)(c->nu - i0 < c->blk_rows ? c->nu - i0 : c->blk_rows);
    double *rb = c->blk;
    memcpy(rb, y + i0 * n2, (size_t)m * n2 * sizeof(double));
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n2, r, -1.0,
                u + i0 * r, r, w, r, 1.0, rb, n2);
    double s = 0.0;
#pragma omp simd reduction(+ : s)
    for (size_t e = 0; e < (size_t)m * n2; e++) s += rb[e] * rb[e];
    sumsq += s;
    if (gu)
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, r, n2, -1.0, rb,
                  n2, w, r, 0.0, gu + i0 * r, r);
    if (gw)
      cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n2, r, m, -1.0, rb,
                  n2, u + i0 * r, r, 1.0, gw, r);
  }
  return sumsq;
}

bn_status_t bn_factor_eval(void *data, const double *x, double *f, double *g) {
  bn_factor_t *c = data;
  bn_ctx_t *ctx = c->ctx;
  const int r = c->r, rr = r * r;
  const double *u = x, *v = x + c->nu * r;
  double *gu = g, *gv = g ? g + c->nu * r : NULL;
  BN_CALL(ctx, bn_factor_gather(c, c->sym ? u : v));
  double *red = c->red, *guu = red + 1, *gvv = guu + rr;
  size_t nred = c->sym ? 1 : 1 + 2 * (size_t)rr;
  memset(red, 0, nred * sizeof(double));
  bn_timer_start(ctx, c->t_kernel);
  double *gw = NULL;
  if (g && !c->sym) {
    gw = c->gfull;
    memset(gw, 0, (size_t)c->n2 * r * sizeof(double));
  }
  red[0] = bn_factor_pass(c, u, gu, gw);
  if (!c->sym) {
    bn_gram_local(r, c->nu, u, u, guu);
    bn_gram_local(r, c->nv, v, v, gvv);
  }
  bn_timer_stop(ctx, c->t_kernel);
  bn_timer_start(ctx, c->t_reduce);
  if (gw) /* -R^T U summed over the row blocks, onto V's distribution */
    BN_MPI(ctx, MPI_Reduce_scatter(gw, gv, c->counts, MPI_DOUBLE, MPI_SUM,
                                   bn_ctx_comm(ctx)));
  BN_CALL(ctx, bn_allreduce_sum(ctx, red, nred));
  bn_timer_stop(ctx, c->t_reduce);
  if (c->sym) {
    *f = red[0] / 4; /* gradient (U U^T - Y) U = -R U for symmetric Y */
    return BN_OK;
  }
  double bal = bn_lr_balance(r, guu, gvv);
  *f = red[0] / 2 + bal;
  if (g) bn_lr_balance_grad(r, c->nu, u, c->nv, v, guu, gu, gv);
  return BN_OK;
}

bn_status_t bn_factor_metrics(void *data, const double *x, double *rel,
                              double *rmse) {
  bn_factor_t *c = data;
  *rel = NAN;
  *rmse = NAN;
  if (!c->truth) return BN_OK;
  if (c->sym)
    BN_CALL(c->ctx,
            bn_lr_truth_error(c->ctx, c->truth, c->r, c->nu, x, c->nu, x, rel));
  else
    BN_CALL(c->ctx, bn_lr_truth_error(c->ctx, c->truth, c->r, c->nu, x, c->nv,
                                      x + c->nu * c->r, rel));
  return BN_OK;
}

/* The operator Y for the randomized SVD: y = Y x gathers x (cols x k) and
 * multiplies the local rows; x = Y^T y multiplies locally and
 * reduce-scatters onto the column distribution. */
static bn_status_t bn_y_apply(void *data, const bn_dmat_t *x, bn_dmat_t *y) {
  bn_factor_t *c = data;
  bn_ctx_t *ctx = c->ctx;
  const int k = bn_dmat_cols(x);
  double *buf = NULL;
  BN_CALL(ctx, bn_agree(ctx, bn_mallocn(ctx, bn_size_mul((size_t)c->n2, k),
                                        sizeof(double), &buf)));
  bn_status_t st =
      bn_lr_allgather_rows(ctx, c->cdist, bn_dmat_cdata(x), k, buf, "Y x");
  if (st == BN_OK && c->nu > 0)
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)c->nu, k,
                (int)c->n2, 1.0, bn_dmat_cdata(c->y), (int)c->n2, buf, k, 0.0,
                bn_dmat_data(y), k);
  free(buf);
  return st;
}

static bn_status_t bn_y_apply_t(void *data, const bn_dmat_t *y, bn_dmat_t *x) {
  bn_factor_t *c = data;
  bn_ctx_t *ctx = c->ctx;
  const int k = bn_dmat_cols(y);
  double *buf = NULL;
  BN_CALL(ctx, bn_agree(ctx, bn_calloc(ctx, bn_size_mul((size_t)c->n2, k),
                                       sizeof(double), &buf)));
  if (c->nu > 0)
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)c->n2, k,
                (int)c->nu, 1.0, bn_dmat_cdata(c->y), (int)c->n2,
                bn_dmat_cdata(y), k, 0.0, buf, k);
  bn_status_t st = bn_lr_reduce_scatter_rows(ctx, c->cdist, buf, k,
                                             bn_dmat_data(x), "Y^T y");
  free(buf);
  return st;
}

/* Top-r singular triplets of Y; balanced factors U = u s^(1/2), V = v
 * s^(1/2). In sym mode U = u s^(1/2) (the top eigenvectors of a PSD Y). */
static bn_status_t bn_factor_spectral(void *data, const bn_opts_t *opts,
                                      uint64_t seed, double *x) {
  bn_factor_t *c = data;
  bn_linop_t op = {c->n1, c->n2,      c->rdist,    c->cdist,
                   c,     bn_y_apply, bn_y_apply_t};
  return bn_lr_spectral(c->ctx, opts, &op, c->r, seed, c->nu, c->nv, x, NULL);
}

/* Small Gaussian factors keyed by global row index: the same point on any
 * number of processes. Balanced factors of entries a give entries of Y of
 * size about sqrt(r) a^2. */
static bn_status_t bn_factor_random(void *data, const bn_opts_t *opts,
                                    uint64_t seed, double *x) {
  bn_factor_t *c = data;
  bn_ctx_t *ctx = c->ctx;
  double scale;
  BN_CALL(ctx, bn_opts_real(opts, "init-scale", &scale));
  const int r = c->r;
  double y_rms = sqrt(c->ynorm2 / ((double)c->n1 * (double)c->n2));
  double sigma = scale * sqrt(y_rms / sqrt((double)r));
  bn_lr_random_fill(seed, sigma, r, bn_dist_first(c->rdist), c->nu,
                    bn_dist_first(c->cdist), c->nv, x);
  return BN_OK;
}

bn_status_t bn_factor_init(void *data, const bn_opts_t *opts, double *x) {
  bn_factor_t *c = data;
  return bn_lr_init(c->ctx, c, opts, bn_factor_random, bn_factor_spectral, x);
}
