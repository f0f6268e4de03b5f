/* Matrix completion: the Hessian-vector product of the objective that
 * bn_complete_eval computes (complete.h), in one pass over the entries.
 *
 * Along (dU, dV), with res_ij = u_i . v_j - m_ij, dres_ij = du_i . v_j +
 * u_i . dv_j and s = 1/p, the data term 1/(2p) |P_Omega(U V^T - M)|^2 gives
 *   hU_i = s sum_j (dres_ij v_j + res_ij dv_j),
 *   hV_j = s sum_i (dres_ij u_i + res_ij du_i),
 * i.e. h_U = dR V + R dV, h_V = dR^T U + R^T dU with R = P_Omega(U V^T -
 * M)/p, dR = P_Omega(dU V^T + U dV^T)/p; with --bias the biases are two
 * more columns of the factors ([U b 1], [V 1 c]). The ghost rows of V and dV
 * travel together in one gather (rows [v_j | dv_j] of width 2r), the ghost part
 * of h_V goes back to its owners in one scatter-add, and the four r x r Grams
 * of the balancing term (U^T U, V^T V, dU^T U, dV^T V) are summed by one
 * allreduce. Ridge: + lambda dX. Incoherence, per row a with e = |a| -
 * alpha > 0:
 *   H da = 4 mu [e^3 / |a| da + (3 e^2 / |a|^2 - e^3 / |a|^3) (a . da) a]. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problems/lowrank/complete_state.h"

#ifndef BN_PREFETCH
#define BN_PREFETCH 16
#endif

/* One pass over the owned entries: hu_i += s (dres v_j + res dv_j), hb_i +=
 * s dres, hg_j += s [dres u_i + res du_i | dres]; wg holds the ghost rows
 * [v_j c_j | dv_j dc_j] (width 2w, w = r + bias). Inlined with a
 * compile-time r and bias for the common ranks (as the gradient's pass). */
static inline __attribute__((always_inline)) void bn_hvp_pass_r(
    const bn_obs_t *o, const int r, const int bias, const double *restrict u,
    const double *restrict du, const double *restrict b,
    const double *restrict db, double mean, const double *restrict wg, double s,
    double *restrict hu, double *restrict hb, double *restrict hg) {
  bn_idx_t nloc = bn_dist_local(o->rdist);
  const uint32_t *gc = o->gcol;
  const double *val = o->val;
  const size_t w = (size_t)(r + bias), w2 = 2 * w;
  double hi[r + 1];
  for (bn_idx_t i = 0; i < nloc; i++) {
    const double *ui = u + i * r, *dui = du + i * r;
    const double off = bias ? mean + b[i] : 0.0, doff = bias ? db[i] : 0.0;
    for (int k = 0; k <= r; k++) hi[k] = 0.0;
    for (bn_idx_t e = o->rowptr[i]; e < o->rowptr[i + 1]; e++) {
      const double *vj = wg + (size_t)gc[e] * w2, *dvj = vj + w;
      if (e + BN_PREFETCH < o->nnz) {
        size_t ahead = (size_t)gc[e + BN_PREFETCH];
        for (size_t k = 0; k < w2; k += 8)
          __builtin_prefetch(wg + ahead * w2 + k);
        for (size_t k = 0; k < w; k += 8)
          __builtin_prefetch(hg + ahead * w + k, 1);
      }
      double res = -val[e], dres = 0.0;
#pragma omp simd reduction(+ : res, dres)
      for (int k = 0; k < r; k++) {
        res += ui[k] * vj[k];
        dres += dui[k] * vj[k] + ui[k] * dvj[k];
      }
      if (bias) {
        res += off + vj[r];
        dres += doff + dvj[r];
      }
      double *hj = hg + (size_t)gc[e] * w;
      double sr = s * res, sd = s * dres;
#pragma omp simd
      for (int k = 0; k < r; k++) {
        hi[k] += sd * vj[k] + sr * dvj[k];
        hj[k] += sd * ui[k] + sr * dui[k];
      }
      if (bias) {
        hi[r] += sd;
        hj[r] += sd;
      }
    }
    for (int k = 0; k < r; k++) hu[i * r + k] += hi[k];
    if (bias) hb[i] += hi[r];
  }
}

#define BN_HVP_CASE(R)                                               \
  case R:                                                            \
    if (bias)                                                        \
      bn_hvp_pass_r(o, R, 1, u, du, b, db, mean, wg, s, hu, hb, hg); \
    else                                                             \
      bn_hvp_pass_r(o, R, 0, u, du, b, db, mean, wg, s, hu, hb, hg); \
    return;

static void bn_complete_hvp_pass(const bn_obs_t *o, int r, bool bias,
                                 const double *u, const double *du,
                                 const double *b, const double *db, double mean,
                                 const double *wg, double s, double *hu,
                                 double *hb, double *hg) {
  switch (r) {
    BN_HVP_CASE(1)
    BN_HVP_CASE(2)
    BN_HVP_CASE(3)
    BN_HVP_CASE(4)
    BN_HVP_CASE(5)
    BN_HVP_CASE(8)
    BN_HVP_CASE(10)
    BN_HVP_CASE(16)
    BN_HVP_CASE(20)
    BN_HVP_CASE(32)
    BN_HVP_CASE(64)
    default:
      if (bias)
        bn_hvp_pass_r(o, r, 1, u, du, b, db, mean, wg, s, hu, hb, hg);
      else
        bn_hvp_pass_r(o, r, 0, u, du, b, db, mean, wg, s, hu, hb, hg);
  }
}

/* Hessian of mu sum (|a_i| - alpha)_+^4 along da, added to h. */
static void bn_incoherence_hvp(int r, bn_idx_t n, const double *a,
                               const double *da, double mu, double alpha,
                               double *h) {
  for (bn_idx_t i = 0; i < n; i++) {
    const double *ai = a + i * r;
    double nrm = cblas_dnrm2(r, ai, 1), ex = nrm - alpha;
    if (ex <= 0) continue;
    double t = cblas_ddot(r, ai, 1, da + i * r, 1), e2 = ex * ex;
    double c1 = 4 * mu * e2 * ex / nrm;
    double c2 = 4 * mu * (3 * e2 - e2 * ex / nrm) / (nrm * nrm) * t;
    cblas_daxpy(r, c1, da + i * r, 1, h + i * r, 1);
    cblas_daxpy(r, c2, ai, 1, h + i * r, 1);
  }
}

/* Work space on first use: [v c | dv dc] local (nv x 2w), its ghosts
 * (nghost x 2w), the ghost rows of h_V (nghost x w) and the Grams (4
 * r^2). */
static bn_status_t bn_complete_hvp_buf(bn_complete_t *c) {
  if (c->hbuf) return BN_OK;
  size_t r = (size_t)c->r, w = (size_t)c->w, ng = (size_t)c->obs->nghost * w;
  size_t n = 2 * (size_t)c->nv * w + 3 * ng + 4 * r * r;
  return bn_agree(c->ctx, bn_mallocn(c->ctx, n, sizeof(double), &c->hbuf));
}

/* The ridge's Hessian along v, added to hv. */
static void bn_ridge_hvp(const bn_complete_t *c, const double *v, double *hv) {
  const int r = c->r;
  size_t n = (size_t)(c->nu + c->nv) * (size_t)c->w;
  if (!c->count) {
    if (c->lambda > 0)
      for (size_t i = 0; i < n; i++) hv[i] += c->lambda * v[i];
    return;
  }
  bn_complete_parts_t d = bn_complete_split(c, v), h = bn_complete_split(c, hv);
  for (bn_idx_t i = 0; i < c->nu; i++) {
    cblas_daxpy(r, c->regu[i], d.u + i * r, 1, h.u + i * r, 1);
    if (c->bias) h.b[i] += c->regu[i] * d.b[i];
  }
  for (bn_idx_t j = 0; j < c->nv; j++) {
    cblas_daxpy(r, c->regv[j], d.v + j * r, 1, h.v + j * r, 1);
    if (c->bias) h.c[j] += c->regv[j] * d.c[j];
  }
}

bn_status_t bn_complete_hvp(void *data, const double *x, const double *v,
                            double *hv) {
  bn_complete_t *c = data;
  bn_ctx_t *ctx = c->ctx;
  const int r = c->r, rr = r * r, w = c->w;
  const size_t ng = (size_t)c->obs->nghost * (size_t)w;
  bn_complete_parts_t p = bn_complete_split(c, x), d = bn_complete_split(c, v);
  bn_complete_parts_t h = bn_complete_split(c, hv);
  BN_CALL(ctx, bn_complete_hvp_buf(c));
  double *wl = c->hbuf, *wg = wl + 2 * (size_t)c->nv * w, *hg = wg + 2 * ng;
  double *red = hg + ng;
  double *guu = red, *gvv = guu + rr, *gdu = gvv + rr, *gdv = gdu + rr;

  bn_timer_start(ctx, c->t_gather);
  for (bn_idx_t j = 0; j < c->nv; j++) {
    double *row = wl + 2 * (size_t)j * w;
    memcpy(row, p.v + (size_t)j * r, (size_t)r * sizeof(double));
    memcpy(row + w, d.v + (size_t)j * r, (size_t)r * sizeof(double));
    if (c->bias) {
      row[r] = p.c[j];
      row[w + r] = d.c[j];
    }
  }
  BN_CALL(ctx, bn_plan_gather(c->obs->plan, wl, 2 * w, wg));
  bn_timer_stop(ctx, c->t_gather);

  bn_timer_start(ctx, c->t_kernel);
  memset(hv, 0, (size_t)(c->nu + c->nv) * w * sizeof(double));
  memset(hg, 0, (ng + 4 * (size_t)rr) * sizeof(double)); /* hg and red */
  bn_complete_hvp_pass(c->obs, r, c->bias, p.u, d.u, p.b, d.b, c->mean, wg,
                       1.0 / c->p, h.u, h.b, hg);
  if (c->balance) {
    bn_gram_local(r, c->nu, p.u, p.u, guu);
    bn_gram_local(r, c->nv, p.v, p.v, gvv);
    bn_gram_local(r, c->nu, d.u, p.u, gdu);
    bn_gram_local(r, c->nv, d.v, p.v, gdv);
  }
  if (c->mu > 0) {
    bn_incoherence_hvp(r, c->nu, p.u, d.u, c->mu, c->alpha, h.u);
    bn_incoherence_hvp(r, c->nv, p.v, d.v, c->mu, c->alpha, h.v);
  }
  bn_timer_stop(ctx, c->t_kernel);

  bn_timer_start(ctx, c->t_scatter);
  bn_status_t st = bn_complete_scatter_v(c, hg, h.v, h.c);
  bn_timer_stop(ctx, c->t_scatter);
  bn_timer_start(ctx, c->t_reduce);
  if (st == BN_OK && c->balance)
    st = bn_allreduce_sum(ctx, red, 4 * (size_t)rr);
  bn_timer_stop(ctx, c->t_reduce);
  if (st != BN_OK) return st;
  if (c->balance) {
    bn_lr_balance(r, guu, gvv); /* guu = D */
    bn_lr_balance_hvp(r, c->nu, p.u, d.u, c->nv, p.v, d.v, guu, gdu, gdv, h.u,
                      h.v);
  }
  bn_ridge_hvp(c, v, hv);
  return BN_OK;
}
