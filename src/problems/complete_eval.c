/* Matrix completion: objective, gradient and metrics. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problems/complete.h"

bn_status_t bn_gram_local(int r, bn_idx_t n, const double *a, const double *b,
                          double *out) {
  if (n > 0)
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, r, r, (int)n, 1.0, a,
                r, b, r, 1.0, out, r);
  return BN_OK;
}

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
  double bal = 0.0, tr = 0.0;
  for (int a = 0; a < rr; a++) {
    guu[a] -= gvv[a];
    bal += guu[a] * guu[a];
  }
  for (int a = 0; a < r; a++) tr += gvv[a * r + a] * 2 + guu[a * r + a];
  *f = red[0] / (2 * c->p) + bal / 8 + 0.5 * c->lambda * tr + red[1];
  if (g) {
    /* gU += 1/2 U D + lambda U;  gV += -1/2 V D + lambda V. */
    if (c->nu > 0)
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)c->nu, r, r,
                  0.5, u, r, guu, r, 1.0, gu, r);
    if (c->nv > 0)
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)c->nv, r, r,
                  -0.5, v, r, guu, r, 1.0, gv, r);
    if (c->lambda > 0)
      for (size_t i = 0; i < (size_t)(c->nu + c->nv) * r; i++)
        g[i] += c->lambda * x[i];
  }
  return BN_OK;
}

/* Relative error |U V^T - X Y^T| / |X Y^T| with X = Qx Rx, split as
 *   |E|^2 = |Qx^T E|^2 + |(I - Qx Qx^T) E|^2
 *         = |V A^T - Y Rx^T|^2 + tr(Up^T Up V^T V),
 * A = Qx^T U, Up = U - Qx A. Both terms are sums of squares of small
 * quantities, so the error is accurate far below sqrt(machine epsilon)
 * (expanding |U V^T|^2 - 2<.,.> + |X Y^T|^2 would cancel). */
static bn_status_t bn_complete_rel_error(bn_complete_t *c, const double *x,
                                         double *red2, double *a) {
  bn_ctx_t *ctx = c->ctx;
  const int r = c->r, k = bn_dmat_cols(c->tu);
  const double *u = x, *v = x + c->nu * r, *q = bn_dmat_cdata(c->tu);
  const double *y = bn_dmat_cdata(c->tv);
  size_t n = (size_t)(c->nu > c->nv ? c->nu : c->nv) * (size_t)(k > r ? k : r);
  if (!c->met_buf)
    BN_CALL(ctx, bn_agree(ctx, bn_malloc(ctx, (n ? n : 1) * sizeof(double),
                                         &c->met_buf)));
  double *w = c->met_buf;
  memset(a, 0, (size_t)k * r * sizeof(double));
  if (c->nu > 0)
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, k, r, (int)c->nu, 1.0,
                q, k, u, r, 0.0, a, r);
  BN_CALL(ctx, bn_allreduce_sum(ctx, a, (size_t)k * r));
  /* red2 = [|W|^2, Up^T Up (r r), V^T V (r r)] (local parts) */
  double *gp = red2 + 1, *gv = gp + r * r;
  if (c->nv > 0) { /* W = V A^T - Y Rx^T */
    memcpy(w, y, (size_t)c->nv * k * sizeof(double));
    cblas_dtrmm(CblasRowMajor, CblasRight, CblasUpper, CblasTrans, CblasNonUnit,
                (int)c->nv, k, 1.0, c->rx, k, w, k);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)c->nv, k, r, 1.0,
                v, r, a, r, -1.0, w, k);
    for (size_t i = 0; i < (size_t)c->nv * k; i++) red2[0] += w[i] * w[i];
  }
  if (c->nu > 0) { /* Up = U - Q A */
    memcpy(w, u, (size_t)c->nu * r * sizeof(double));
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)c->nu, r, k,
                -1.0, q, k, a, r, 1.0, w, r);
    bn_gram_local(r, c->nu, w, w, gp);
  }
  bn_gram_local(r, c->nv, v, v, gv);
  return BN_OK;
}

bn_status_t bn_complete_metrics(void *data, const double *x, double *rel,
                                double *rmse) {
  bn_complete_t *c = data;
  bn_ctx_t *ctx = c->ctx;
  const int r = c->r, k = c->tu ? bn_dmat_cols(c->tu) : 0;
  *rel = NAN;
  *rmse = NAN;
  if (!c->tu && !c->test) return BN_OK;
  /* red = [test sum sq, |W|^2, Up^T Up, V^T V]; then A (k x r) */
  size_t n = 2 + 2 * (size_t)r * r, m = (size_t)k * r;
  double *red = c->red;
  memset(red, 0, (n + m) * sizeof(double));
  bn_status_t st = BN_OK;
  if (c->test) {
    st = bn_plan_gather(c->test->plan, x + c->nu * r, r, c->tvg);
    red[0] = bn_complete_pass(c->test, r, x, c->tvg, 0.0, NULL, NULL);
  }
  if (st == BN_OK && c->tu) st = bn_complete_rel_error(c, x, red + 1, red + n);
  if (st == BN_OK) st = bn_allreduce_sum(ctx, red, n);
  if (st == BN_OK && c->test)
    *rmse = sqrt(red[0] / (double)c->test->nnz_global);
  if (st == BN_OK && c->tu) {
    double e2 = red[1];
    const double *gp = red + 2, *gv = gp + r * r;
    for (int a = 0; a < r * r; a++) e2 += gp[a] * gv[a]; /* tr(Gp Gv) */
    *rel = sqrt(fmax(e2, 0.0) / c->truth_norm2);
  }
  return st;
}
