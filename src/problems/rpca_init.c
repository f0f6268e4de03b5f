/* Robust PCA: the initial point of Yi et al. -- S0 = T_alpha(M), then the
 * top-r SVD of (M - S0) / p (randomized, bn_rsvd), U = Us S^1/2,
 * V = Vs S^1/2 -- or small random factors. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problems/rpca.h"

/* y = A x with A = (M - S0) / p held in res (zeros on S0's support); x on
 * the column distribution, y on the row distribution. */
static bn_status_t bn_rpca_apply(void *data, const bn_dmat_t *x, bn_dmat_t *y) {
  bn_rpca_t *c = data;
  bn_ctx_t *ctx = c->ctx;
  const int P = bn_ctx_size(ctx), k = bn_dmat_cols(x);
  double *yd = bn_dmat_data(y), *buf = NULL;
  int *cnt = NULL;
  bn_idx_t nb = c->dense ? c->n2 : c->obs->nghost;
  bn_status_t st = bn_malloc(ctx, (size_t)(nb * k) * sizeof(double) + 1, &buf);
  if (st == BN_OK) st = bn_malloc(ctx, 2 * (size_t)P * sizeof(int), &cnt);
  st = bn_agree(ctx, st);
  if (st == BN_OK && c->dense) {
    for (int q = 0; q < P; q++) {
      bn_idx_t o0 = bn_dist_offset(c->cdist, q);
      cnt[q] = (int)((bn_dist_offset(c->cdist, q + 1) - o0) * k);
      cnt[P + q] = (int)(o0 * k);
    }
    if (MPI_Allgatherv(bn_dmat_cdata(x), (int)(c->nv * k), MPI_DOUBLE, buf, cnt,
                       cnt + P, MPI_DOUBLE, bn_ctx_comm(ctx)) != MPI_SUCCESS)
      st = BN_ERROR(ctx, BN_ERR_MPI, "MPI_Allgatherv failed (rpca init)");
    else if (c->nu > 0)
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
  free(cnt);
  return st;
}

static bn_status_t bn_rpca_apply_t(void *data, const bn_dmat_t *y,
                                   bn_dmat_t *x) {
  bn_rpca_t *c = data;
  bn_ctx_t *ctx = c->ctx;
  const int P = bn_ctx_size(ctx), k = bn_dmat_cols(y);
  const double *yd = bn_dmat_cdata(y);
  double *buf = NULL;
  int *cnt = NULL;
  bn_idx_t nb = c->dense ? c->n2 : c->obs->nghost;
  bn_status_t st = bn_calloc(ctx, (size_t)(nb * k) + 1, sizeof(double), &buf);
  if (st == BN_OK) st = bn_malloc(ctx, (size_t)P * sizeof(int), &cnt);
  st = bn_agree(ctx, st);
  if (st == BN_OK && c->dense) {
    for (int q = 0; q < P; q++)
      cnt[q] = (int)((bn_dist_offset(c->cdist, q + 1) -
                      bn_dist_offset(c->cdist, q)) *
                     k);
    if (c->nu > 0)
      cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)c->n2, k,
                  (int)c->nu, 1.0, c->res, (int)c->n2, yd, k, 0.0, buf, k);
    if (MPI_Reduce_scatter(buf, bn_dmat_data(x), cnt, MPI_DOUBLE, MPI_SUM,
                           bn_ctx_comm(ctx)) != MPI_SUCCESS)
      st = BN_ERROR(ctx, BN_ERR_MPI, "MPI_Reduce_scatter failed (rpca init)");
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
  free(cnt);
  return st;
}

static bn_status_t bn_rpca_spectral(bn_rpca_t *c, const bn_opts_t *opts,
                                    uint64_t seed, double *x) {
  bn_ctx_t *ctx = c->ctx;
  int64_t over, power;
  BN_CALL(ctx, bn_opts_int(opts, "oversample", &over));
  BN_CALL(ctx, bn_opts_int(opts, "power-iters", &power));
  bn_idx_t nmin = c->n1 < c->n2 ? c->n1 : c->n2;
  if (c->r + over > nmin) over = nmin - c->r;
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
  bn_dmat_t *u = NULL, *v = NULL;
  double *s = NULL;
  BN_CALL(ctx,
          bn_agree(ctx, bn_malloc(ctx, (size_t)c->r * sizeof(double), &s)));
  bn_status_t st =
      bn_rsvd(ctx, &op, c->r, (int)over, (int)power, seed, &u, s, &v);
  if (st == BN_OK) {
    const int r = c->r;
    const double *ud = bn_dmat_cdata(u), *vd = bn_dmat_cdata(v);
    double *xv = x + c->nu * r;
    for (bn_idx_t i = 0; i < c->nu; i++)
      for (int a = 0; a < r; a++) x[i * r + a] = ud[i * r + a] * sqrt(s[a]);
    for (bn_idx_t j = 0; j < c->nv; j++)
      for (int a = 0; a < r; a++) xv[j * r + a] = vd[j * r + a] * sqrt(s[a]);
    bn_log(ctx, BN_LOG_INFO,
           "spectral init: S0 = T_alpha(M) keeps %.0f entries; top singular "
           "values of M - S0: %.6g .. %.6g\n",
           dk, s[0], s[r - 1]);
  }
  bn_dmat_destroy(u);
  bn_dmat_destroy(v);
  free(s);
  return st;
}

/* Small Gaussian factors keyed by global row index. */
static bn_status_t bn_rpca_random(bn_rpca_t *c, const bn_opts_t *opts,
                                  uint64_t seed, double *x) {
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
  bn_ctx_t *ctx = c->ctx;
  int64_t seed;
  BN_CALL(ctx, bn_opts_int(opts, "seed", &seed));
  const char *how = bn_opts_string(opts, "init");
  int t = bn_timer_id(ctx, "init");
  bn_timer_start(ctx, t);
  bn_status_t st = how && strcmp(how, "random") == 0
                       ? bn_rpca_random(c, opts, (uint64_t)seed, x)
                       : bn_rpca_spectral(c, opts, (uint64_t)seed, x);
  bn_timer_stop(ctx, t);
  return st;
}
