/* Matrix completion: the Hessian-vector product of the objective that
 * bn_complete_eval computes (complete.h), in one pass over the entries.
 *
 * Along (dU, dV), with res_ij = u_i . v_j - m_ij, dres_ij = du_i . v_j +
 * u_i . dv_j and s = 1/p, the data term 1/(2p) |P_Omega(U V^T - M)|^2 gives
 *   hU_i = s sum_j (dres_ij v_j + res_ij dv_j),
 *   hV_j = s sum_i (dres_ij u_i + res_ij du_i),
 * i.e. h_U = dR V + R dV, h_V = dR^T U + R^T dU with R = P_Omega(U V^T -
 * M)/p, dR = P_Omega(dU V^T + U dV^T)/p. The ghost rows of V and dV travel
 * together in one gather (rows [v_j | dv_j] of width 2r), the ghost part of
 * h_V goes back to its owners in one scatter-add, and the four r x r Grams
 * of the balancing term (U^T U, V^T V, dU^T U, dV^T V) are summed by one
 * allreduce. Ridge: + lambda dX. Incoherence, per row a with e = |a| -
 * alpha > 0:
 *   H da = 4 mu [e^3 / |a| da + (3 e^2 / |a|^2 - e^3 / |a|^3) (a . da) a]. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problems/complete.h"

#ifndef BN_PREFETCH
#define BN_PREFETCH 16
#endif

/* One pass over the owned entries: hu_i += s (dres v_j + res dv_j), hg_j
 * += s (dres u_i + res du_i); wg holds the ghost rows [v_j | dv_j]. Inlined
 * with a compile-time r for the common ranks (as the gradient's pass). */
static inline __attribute__((always_inline)) void bn_hvp_pass_r(
    const bn_obs_t *o, const int r, const double *restrict u,
    const double *restrict du, const double *restrict wg, double s,
    double *restrict hu, double *restrict hg) {
  bn_idx_t nloc = bn_dist_local(o->rdist);
  const uint32_t *gc = o->gcol;
  const double *val = o->val;
  const size_t w = 2 * (size_t)r;
  double hi[r > 0 ? r : 1];
  for (bn_idx_t i = 0; i < nloc; i++) {
    const double *ui = u + i * r, *dui = du + i * r;
    for (int k = 0; k < r; k++) hi[k] = 0.0;
    for (bn_idx_t e = o->rowptr[i]; e < o->rowptr[i + 1]; e++) {
      const double *vj = wg + (size_t)gc[e] * w, *dvj = vj + r;
      if (e + BN_PREFETCH < o->nnz) {
        size_t ahead = (size_t)gc[e + BN_PREFETCH];
        for (size_t k = 0; k < w; k += 8)
          __builtin_prefetch(wg + ahead * w + k);
        for (int k = 0; k < r; k += 8)
          __builtin_prefetch(hg + ahead * (size_t)r + k, 1);
      }
      double res = -val[e], dres = 0.0;
#pragma omp simd reduction(+ : res, dres)
      for (int k = 0; k < r; k++) {
        res += ui[k] * vj[k];
        dres += dui[k] * vj[k] + ui[k] * dvj[k];
      }
      double *hj = hg + (size_t)gc[e] * (size_t)r;
      double sr = s * res, sd = s * dres;
#pragma omp simd
      for (int k = 0; k < r; k++) {
        hi[k] += sd * vj[k] + sr * dvj[k];
        hj[k] += sd * ui[k] + sr * dui[k];
      }
    }
    for (int k = 0; k < r; k++) hu[i * r + k] += hi[k];
  }
}

#define BN_HVP_CASE(R)                         \
  case R:                                      \
    bn_hvp_pass_r(o, R, u, du, wg, s, hu, hg); \
    return;

static void bn_complete_hvp_pass(const bn_obs_t *o, int r, const double *u,
                                 const double *du, const double *wg, double s,
                                 double *hu, double *hg) {
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
      bn_hvp_pass_r(o, r, u, du, wg, s, hu, hg);
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

/* Work space on first use: [v | dv] local (nv x 2r), its ghosts (nghost x
 * 2r), the ghost rows of h_V (nghost x r) and the Grams (4 r^2). */
static bn_status_t bn_complete_hvp_buf(bn_complete_t *c) {
  if (c->hbuf) return BN_OK;
  size_t r = (size_t)c->r, ng = (size_t)c->obs->nghost * r;
  size_t n = 2 * (size_t)c->nv * r + 3 * ng + 4 * r * r;
  return bn_agree(c->ctx, bn_malloc(c->ctx, n * sizeof(double), &c->hbuf));
}

bn_status_t bn_complete_hvp(void *data, const double *x, const double *v,
                            double *hv) {
  bn_complete_t *c = data;
  bn_ctx_t *ctx = c->ctx;
  const int r = c->r, rr = r * r;
  const size_t nu = (size_t)c->nu * r, nv = (size_t)c->nv * r;
  const size_t ng = (size_t)c->obs->nghost * (size_t)r;
  const double *u = x, *xv = x + nu, *du = v, *dv = v + nu;
  double *hu = hv, *hvv = hv + nu;
  BN_CALL(ctx, bn_complete_hvp_buf(c));
  double *w = c->hbuf, *wg = w + 2 * nv, *hg = wg + 2 * ng, *red = hg + ng;
  double *guu = red, *gvv = guu + rr, *gdu = gvv + rr, *gdv = gdu + rr;

  bn_timer_start(ctx, c->t_gather);
  for (bn_idx_t j = 0; j < c->nv; j++) {
    memcpy(w + 2 * (size_t)j * r, xv + (size_t)j * r,
           (size_t)r * sizeof(double));
    memcpy(w + (2 * (size_t)j + 1) * r, dv + (size_t)j * r,
           (size_t)r * sizeof(double));
  }
  BN_CALL(ctx, bn_plan_gather(c->obs->plan, w, 2 * r, wg));
  bn_timer_stop(ctx, c->t_gather);

  bn_timer_start(ctx, c->t_kernel);
  memset(hv, 0, (nu + nv) * sizeof(double));
  memset(hg, 0, (ng + 4 * (size_t)rr) * sizeof(double)); /* hg and red */
  bn_complete_hvp_pass(c->obs, r, u, du, wg, 1.0 / c->p, hu, hg);
  bn_gram_local(r, c->nu, u, u, guu);
  bn_gram_local(r, c->nv, xv, xv, gvv);
  bn_gram_local(r, c->nu, du, u, gdu);
  bn_gram_local(r, c->nv, dv, xv, gdv);
  if (c->mu > 0) {
    bn_incoherence_hvp(r, c->nu, u, du, c->mu, c->alpha, hu);
    bn_incoherence_hvp(r, c->nv, xv, dv, c->mu, c->alpha, hvv);
  }
  bn_timer_stop(ctx, c->t_kernel);

  bn_timer_start(ctx, c->t_scatter);
  bn_status_t st = bn_plan_scatter_add(c->obs->plan, hg, r, hvv);
  bn_timer_stop(ctx, c->t_scatter);
  bn_timer_start(ctx, c->t_reduce);
  if (st == BN_OK) st = bn_allreduce_sum(ctx, red, 4 * (size_t)rr);
  bn_timer_stop(ctx, c->t_reduce);
  if (st != BN_OK) return st;
  bn_lr_balance(r, guu, gvv); /* guu = D */
  bn_lr_balance_hvp(r, c->nu, u, du, c->nv, xv, dv, guu, gdu, gdv, hu, hvv);
  if (c->lambda > 0)
    for (size_t i = 0; i < nu + nv; i++) hv[i] += c->lambda * v[i];
  return BN_OK;
}
