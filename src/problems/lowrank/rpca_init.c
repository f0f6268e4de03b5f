/* Robust PCA: the initial point of Yi et al. -- S0 = T_alpha(M), then the
 * top-r SVD of (M - S0) / p (randomized, bn_rsvd), U = Us S^1/2,
 * V = Vs S^1/2 -- or small random factors. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problems/lowrank/rpca_state.h"

/* y = A x with A = (M - S0) / p held in res (zeros on S0's support); x on
 * the column distribution, y on the row distribution. */
static bn_status_t bn_rpca_apply(void *data, const bn_dmat_t *x, bn_dmat_t *y) {
  bn_rpca_t *c = data;
  bn_ctx_t *ctx = c->ctx;
  const int k = bn_dmat_cols(x);
  double *yd = bn_dmat_data(y), *buf = NULL;
  bn_idx_t nb = c->dense ? c->n2 : c->obs->nghost;
  bn_status_t st = bn_agree(
      ctx,
      bn_malloc(ctx,
                bn_size_add(bn_size_mul(bn_size_mul(nb, k), sizeof(double)), 1),
                &buf));
  if (st == BN_OK && c->dense) {
    st = bn_lr_allgather_rows(ctx, c->cdist, bn_dmat_cdata(x), k, buf,
                              "rpca init");
    if (st == BN_OK && c->nu > 0)
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)c->nu, k,
                  (int)c->n2, 1.0, c->res, (int)c->n2, buf, k, 0.0, yd, k);
  } else if (st == BN_OK) {
    const bn_obs_t *o = c->obs;
    st = bn_plan_gather(o->plan, bn_dmat_cdata(x), k, buf);
    bn_dmat_zero(y);
    for (bn_idx_t i = 0; st == BN_OK && i < c->nu; i++)
      for (bn_idx_t e = o->rowptr[i]; e < o->rowptr[i + 1]; e++)
        for (int a = 0; a < k; a++)
          yd[i * k + a] += c->res[e] * buf[(size_t)o->gcol[e] * k + a];
  }
  free(buf);
  return st;
}

static bn_status_t bn_rpca_apply_t(void *data, const bn_dmat_t *y,
                                   bn_dmat_t *x) {
  bn_rpca_t *c = data;
  bn_ctx_t *ctx = c->ctx;
  const int k = bn_dmat_cols(y);
  const double *yd = bn_dmat_cdata(y);
  double *buf = NULL;
  bn_idx_t nb = c->dense ? c->n2 : c->obs->nghost;
  bn_status_t st = bn_agree(
      ctx,
      bn_calloc(ctx, bn_size_add(bn_size_mul(nb, k), 1), sizeof(double), &buf));
  if (st == BN_OK && c->dense) {
    if (c->nu > 0)
      cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)c->n2, k,
                  (int)c->nu, 1.0, c->res, (int)c->n2, yd, k, 0.0, buf, k);
    st = bn_lr_reduce_scatter_rows(ctx, c->cdist, buf, k, bn_dmat_data(x),
                                   "rpca init");
  } else if (st == BN_OK) {
    const bn_obs_t *o = c->obs;
    for (bn_idx_t i = 0; i < c->nu; i++)
      for (bn_idx_t e = o->rowptr[i]; e < o->rowptr[i + 1]; e++)
        for (int a = 0; a < k; a++)
          buf[(size_t)o->gcol[e] * k + a] += c->res[e] * yd[i * k + a];
    bn_dmat_zero(x);
    st = bn_plan_scatter_add(o->plan, buf, k, bn_dmat_data(x));
  }
  free(buf);
  return st;
}

static bn_status_t bn_rpca_spectral(void *data, const bn_opts_t *opts,
                                    uint64_t seed, double *x) {
  bn_rpca_t *c = data;
  bn_ctx_t *ctx = c->ctx;
  /* res = M, thresholds of T_alpha(M); then res = (M - S0) / p. */
  BN_CALL(ctx, bn_rpca_residual(c, NULL, c->alpha));
  bn_idx_t n = c->dense ? c->nu * c->n2 : c->obs->nnz, kept = 0;
  for (bn_idx_t i = 0; i < c->nu; i++) {
    bn_idx_t e0 = c->dense ? i * c->n2 : c->obs->rowptr[i];
    bn_idx_t e1 = c->dense ? e0 + c->n2 : c->obs->rowptr[i + 1];
    for (bn_idx_t e = e0; e < e1; e++) {
      bn_idx_t j = c->dense ? e - e0 : c->obs->ghost[c->obs->gcol[e]];
      if (bn_rpca_kept(c, i, j, c->res[e])) {
        c->res[e] = 0.0;
        kept++;
      }
    }
  }
  for (bn_idx_t e = 0; e < n; e++) c->res[e] /= c->p;
  double dk = (double)kept;
  BN_CALL(ctx, bn_allreduce_sum(ctx, &dk, 1));
  bn_linop_t op = {c->n1, c->n2,         c->rdist,       c->cdist,
                   c,     bn_rpca_apply, bn_rpca_apply_t};
  double sv[2];
  BN_CALL(ctx, bn_lr_spectral(ctx, opts, &op, c->r, seed, c->nu, c->nv, x, sv));
  bn_log(ctx, BN_LOG_INFO,
         "spectral init: S0 = T_alpha(M) keeps %.0f entries; top singular "
         "values of M - S0: %.6g .. %.6g\n",
         dk, sv[0], sv[1]);
  return BN_OK;
}

/* Small Gaussian factors keyed by global row index. */
static bn_status_t bn_rpca_random(void *data, const bn_opts_t *opts,
                                  uint64_t seed, double *x) {
  bn_rpca_t *c = data;
  bn_ctx_t *ctx = c->ctx;
  double scale, loc[2] = {0.0, 0.0};
  BN_CALL(ctx, bn_opts_real(opts, "init-scale", &scale));
  const double *mv = c->dense ? bn_dmat_cdata(c->m) : c->obs->val;
  bn_idx_t n = c->dense ? c->nu * c->n2 : c->obs->nnz;
  for (bn_idx_t e = 0; e < n; e++) loc[0] += mv[e] * mv[e];
  loc[1] = (double)n;
  BN_CALL(ctx, bn_allreduce_sum(ctx, loc, 2));
  double m_rms = sqrt(loc[0] / fmax(loc[1], 1.0));
  double sigma = scale * sqrt(m_rms / sqrt((double)c->r));
  const int r = c->r;
  bn_lr_random_fill(seed, sigma, r, bn_dist_first(c->rdist), c->nu,
                    bn_dist_first(c->cdist), c->nv, x);
  return BN_OK;
}

bn_status_t bn_rpca_init(void *data, const bn_opts_t *opts, double *x) {
  bn_rpca_t *c = data;
  return bn_lr_init(c->ctx, c, opts, bn_rpca_random, bn_rpca_spectral, x);
}
