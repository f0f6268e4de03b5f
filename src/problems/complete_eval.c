/* Matrix completion: objective, gradient and metrics. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problems/complete.h"

#ifndef BN_PREFETCH
#define BN_PREFETCH 16
#endif

/* One pass over the owned entries: sum of squared residuals and, when gu is
 * given, gu += s res v_j and gvg[j] += s res u_i with s = 1/p. Inlined with
 * a compile-time r for the common ranks, so u_i and the row's gradient stay
 * in vector registers across the row's entries. */
static inline __attribute__((always_inline)) double bn_pass_r(
    const bn_obs_t *o, const int r, const double *restrict u,
    const double *restrict vg, double s, double *restrict gu,
    double *restrict gvg) {
  double sumsq = 0.0;
  bn_idx_t nloc = bn_dist_local(o->rdist);
  const uint32_t *gc = o->gcol;
  const double *val = o->val;
  double gi[r > 0 ? r : 1];
  for (bn_idx_t i = 0; i < nloc; i++) {
    const double *ui = u + i * r;
    for (int k = 0; k < r; k++) gi[k] = 0.0;
    for (bn_idx_t e = o->rowptr[i]; e < o->rowptr[i + 1]; e++) {
      const double *vj = vg + (size_t)gc[e] * (size_t)r;
      if (e + BN_PREFETCH < o->nnz) {
        /* Every cache line of the rows BN_PREFETCH entries ahead (the
         * entries of the next rows too: CSR is contiguous). */
        size_t ahead = (size_t)gc[e + BN_PREFETCH] * (size_t)r;
        for (int k = 0; k < r; k += 8) {
          __builtin_prefetch(vg + ahead + k);
          if (gu) __builtin_prefetch(gvg + ahead + k, 1);
        }
      }
      /* A SIMD reduction: a strict left-to-right sum would serialise the
       * dot product on the FP adder (-fopenmp-simd, no OpenMP runtime). */
      double res = -val[e];
#pragma omp simd reduction(+ : res)
      for (int k = 0; k < r; k++) res += ui[k] * vj[k];
      sumsq += res * res;
      if (gu) {
        double *gj = gvg + (size_t)gc[e] * (size_t)r;
        double sr = s * res;
#pragma omp simd
        for (int k = 0; k < r; k++) {
          gi[k] += sr * vj[k];
          gj[k] += sr * ui[k];
        }
      }
    }
    if (gu)
      for (int k = 0; k < r; k++) gu[i * r + k] += gi[k];
  }
  return sumsq;
}

#define BN_PASS_CASE(R) \
  case R:               \
    return bn_pass_r(o, R, u, vg, s, gu, gvg);

static double bn_complete_pass(const bn_obs_t *o, int r, const double *u,
                               const double *vg, double s, double *gu,
                               double *gvg) {
  switch (r) {
    BN_PASS_CASE(1)
    BN_PASS_CASE(2)
    BN_PASS_CASE(3)
    BN_PASS_CASE(4)
    BN_PASS_CASE(5)
    BN_PASS_CASE(8)
    BN_PASS_CASE(10)
    BN_PASS_CASE(16)
    BN_PASS_CASE(20)
    BN_PASS_CASE(32)
    BN_PASS_CASE(64)
    default:
      return bn_pass_r(o, r, u, vg, s, gu, gvg);
  }
}

/* Incoherence penalty mu sum (|row| - alpha)_+^4 and its gradient. */
static double bn_incoherence(int r, bn_idx_t n, const double *a, double mu,
                             double alpha, double *g) {
  double pen = 0.0;
  for (bn_idx_t i = 0; i < n; i++) {
    double nrm = cblas_dnrm2(r, a + i * r, 1), ex = nrm - alpha;
    if (ex <= 0) continue;
    pen += mu * ex * ex * ex * ex;
    if (g)
      cblas_daxpy(r, 4 * mu * ex * ex * ex / nrm, a + i * r, 1, g + i * r, 1);
  }
  return pen;
}

bn_status_t bn_complete_eval(void *data, const double *x, double *f,
                             double *g) {
  bn_complete_t *c = data;
  bn_ctx_t *ctx = c->ctx;
  const int r = c->r, rr = r * r;
  const double *u = x, *v = x + c->nu * r;
  double *gu = g, *gv = g ? g + c->nu * r : NULL;
  size_t ng = (size_t)c->obs->nghost * (size_t)r;

  bn_timer_start(ctx, c->t_gather);
  BN_CALL(ctx, bn_plan_gather(c->obs->plan, v, r, c->vg));
  bn_timer_stop(ctx, c->t_gather);

  /* red = [sum sq residuals, penalty, U^T U, V^T V]: one allreduce. */
  double *red = c->red; /* allocated once, in bn_complete_create */
  memset(red, 0, (2 + 2 * (size_t)rr) * sizeof(double));
  double *guu = red + 2, *gvv = guu + rr;
  bn_timer_start(ctx, c->t_kernel);
  if (g) {
    memset(g, 0, (size_t)(c->nu + c->nv) * r * sizeof(double));
    memset(c->gvg, 0, ng * sizeof(double));
  }
  red[0] = bn_complete_pass(c->obs, r, u, c->vg, 1.0 / c->p, gu, c->gvg);
  bn_gram_local(r, c->nu, u, u, guu);
  bn_gram_local(r, c->nv, v, v, gvv);
  if (c->mu > 0)
    red[1] = bn_incoherence(r, c->nu, u, c->mu, c->alpha, gu) +
             bn_incoherence(r, c->nv, v, c->mu, c->alpha, gv);
  bn_timer_stop(ctx, c->t_kernel);

  bn_status_t st = BN_OK;
  if (g) {
    bn_timer_start(ctx, c->t_scatter);
    st = bn_plan_scatter_add(c->obs->plan, c->gvg, r, gv);
    bn_timer_stop(ctx, c->t_scatter);
  }
  bn_timer_start(ctx, c->t_reduce);
  if (st == BN_OK) st = bn_allreduce_sum(ctx, red, 2 + 2 * (size_t)rr);
  bn_timer_stop(ctx, c->t_reduce);
  if (st != BN_OK) {
    return st;
  }
  /* D = U^T U - V^T V; balancing term 1/8 |D|^2; ridge lambda/2 tr(G). */
  double tr = 0.0;
  for (int a = 0; a < r; a++) tr += guu[a * r + a] + gvv[a * r + a];
  double bal = bn_lr_balance(r, guu, gvv);
  *f = red[0] / (2 * c->p) + bal + 0.5 * c->lambda * tr + red[1];
  if (g) {
    /* gU += 1/2 U D + lambda U;  gV += -1/2 V D + lambda V. */
    bn_lr_balance_grad(r, c->nu, u, c->nv, v, guu, gu, gv);
    if (c->lambda > 0)
      for (size_t i = 0; i < (size_t)(c->nu + c->nv) * r; i++)
        g[i] += c->lambda * x[i];
  }
  return BN_OK;
}

bn_status_t bn_complete_metrics(void *data, const double *x, double *rel,
                                double *rmse) {
  bn_complete_t *c = data;
  bn_ctx_t *ctx = c->ctx;
  const int r = c->r;
  *rel = NAN;
  *rmse = NAN;
  if (c->test) {
    double sum;
    BN_CALL(ctx, bn_plan_gather(c->test->plan, x + c->nu * r, r, c->tvg));
    sum = bn_complete_pass(c->test, r, x, c->tvg, 0.0, NULL, NULL);
    BN_CALL(ctx, bn_allreduce_sum(ctx, &sum, 1));
    *rmse = sqrt(sum / (double)c->test->nnz_global);
  }
  if (c->truth)
    BN_CALL(ctx, bn_lr_truth_error(ctx, c->truth, r, c->nu, x, c->nv,
                                   x + c->nu * r, rel));
  return BN_OK;
}
