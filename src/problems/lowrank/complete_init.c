/* Matrix completion: spectral and random initial points. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "linalg/spmm.h"
#include "problems/lowrank/complete_state.h"

/* Value of entry e of row i less the model's offsets (--bias: mu + b_i +
 * c_j, the start of the biases; c_j from the ghosts in vg). */
static inline double bn_init_val(const bn_complete_t *c, bn_idx_t i,
                                 bn_idx_t e) {
  const bn_obs_t *o = c->obs;
  if (!c->ib) return o->val[e];
  return o->val[e] - (c->mean + c->ib[i] + c->vg[o->gcol[e]]);
}

/* Entries of row i from e0 on, at most BN_OMEGA_BLK: their values (less
 * the offsets) times s into w; returns how many. */
#define BN_OMEGA_BLK 256
static int bn_omega_weights(const bn_complete_t *c, double s, bn_idx_t i,
                            bn_idx_t e0, double *w) {
  bn_idx_t end = c->obs->rowptr[i + 1];
  int n = end - e0 < BN_OMEGA_BLK ? (int)(end - e0) : BN_OMEGA_BLK;
  const double *val = c->obs->val + e0;
  if (!c->ib)
    for (int t = 0; t < n; t++) w[t] = s * val[t];
  else
    for (int t = 0; t < n; t++) w[t] = s * bn_init_val(c, i, e0 + t);
  return n;
}

/* The operator P_Omega(M) / p on the observations, for the randomized SVD:
 * y (rows, row dist) = A x (cols, col dist) and its transpose. */
static bn_status_t bn_omega_apply(void *data, const bn_dmat_t *x,
                                  bn_dmat_t *y) {
  bn_complete_t *c = data;
  bn_ctx_t *ctx = c->ctx;
  const bn_obs_t *o = c->obs;
  int k = bn_dmat_cols(x);
  double *buf = NULL, *yd = bn_dmat_data(y), s = 1.0 / c->p;
  BN_CALL(ctx, bn_agree(ctx, bn_mallocn(ctx, bn_size_mul((size_t)o->nghost, k),
                                        sizeof(double), &buf)));
  bn_status_t st = bn_plan_gather(o->plan, bn_dmat_cdata(x), k, buf);
  if (st == BN_OK) {
    bn_dmat_zero(y);
    double w[BN_OMEGA_BLK];
    for (bn_idx_t i = 0; i < c->nu; i++)
      for (bn_idx_t e0 = o->rowptr[i]; e0 < o->rowptr[i + 1];
           e0 += BN_OMEGA_BLK) {
        int n = bn_omega_weights(c, s, i, e0, w);
        bn_spmm_row(k, n, o->gcol + e0, w, buf, (size_t)k, yd + i * k);
      }
  }
  free(buf);
  return st;
}

static bn_status_t bn_omega_apply_t(void *data, const bn_dmat_t *y,
                                    bn_dmat_t *x) {
  bn_complete_t *c = data;
  bn_ctx_t *ctx = c->ctx;
  const bn_obs_t *o = c->obs;
  int k = bn_dmat_cols(y);
  const double *yd = bn_dmat_cdata(y);
  double *buf = NULL, s = 1.0 / c->p;
  BN_CALL(ctx, bn_agree(ctx, bn_calloc(ctx, bn_size_mul((size_t)o->nghost, k),
                                       sizeof(double), &buf)));
  double w[BN_OMEGA_BLK];
  for (bn_idx_t i = 0; i < c->nu; i++)
    for (bn_idx_t e0 = o->rowptr[i]; e0 < o->rowptr[i + 1];
         e0 += BN_OMEGA_BLK) {
      int n = bn_omega_weights(c, s, i, e0, w);
      bn_spmm_row_t(k, n, o->gcol + e0, w, yd + i * k, buf, (size_t)k);
    }
  bn_dmat_zero(x);
  bn_status_t st = bn_plan_scatter_add(o->plan, buf, k, bn_dmat_data(x));
  free(buf);
  return st;
}

/* Small Gaussian factors keyed by global row index: the same point on any
 * number of processes. */
static bn_status_t bn_complete_random(void *data, const bn_opts_t *opts,
                                      uint64_t seed, double *x) {
  bn_complete_t *c = data;
  bn_ctx_t *ctx = c->ctx;
  double scale, m_rms;
  BN_CALL(ctx, bn_opts_real(opts, "init-scale", &scale));
  if (scale <= 0)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--init-scale must be positive");
  BN_CALL(ctx, bn_complete_bias_init(c, x, &m_rms));
  /* Balanced factor entries a give entries of size sqrt(r) a^2. */
  double sigma = scale * sqrt(m_rms / sqrt((double)c->r));
  const int r = c->r;
  bn_lr_random_fill(seed, sigma, r, bn_dist_first(c->rdist), c->nu,
                    bn_dist_first(c->cdist), c->nv, x);
  return BN_OK;
}

/* The top-r singular pairs of what the biases leave (--bias), or of the
 * observed values. */
static bn_status_t bn_complete_spectral(void *data, const bn_opts_t *opts,
                                        uint64_t seed, double *x) {
  bn_complete_t *c = data;
  bn_linop_t op = {c->n1, c->n2,          c->rdist,        c->cdist,
                   c,     bn_omega_apply, bn_omega_apply_t};
  double rms;
  BN_CALL(c->ctx, bn_complete_bias_init(c, x, &rms));
  c->ib = c->bias ? bn_complete_split(c, x).b : NULL;
  bn_status_t st =
      bn_lr_spectral(c->ctx, opts, &op, c->r, seed, c->nu, c->nv, x, NULL);
  c->ib = NULL;
  return st;
}

bn_status_t bn_complete_init(void *data, const bn_opts_t *opts, double *x) {
  bn_complete_t *c = data;
  bn_ctx_t *ctx = c->ctx;
  if (c->implicit) return bn_implicit_init(c, opts, x);
  return bn_lr_init(ctx, c, opts, bn_complete_random, bn_complete_spectral, x);
}
