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

/* One pass over the owned entries: sum of squared residuals and, when gu is
 * given, gu += s res v_j and gvg[j] += s res u_i with s = 1/p. */
static double bn_complete_pass(const bn_obs_t *o, int r, const double *u,
                               const double *vg, double s, double *gu,
                               double *gvg) {
  double sumsq = 0.0;
  bn_idx_t nloc = bn_dist_local(o->rdist);
  for (bn_idx_t i = 0; i < nloc; i++) {
    const double *ui = u + i * r;
    double *gi = gu ? gu + i * r : NULL;
    for (bn_idx_t e = o->rowptr[i]; e < o->rowptr[i + 1]; e++) {
      const double *vj = vg + (size_t)o->gcol[e] * (size_t)r;
      double res = -o->val[e];
      for (int k = 0; k < r; k++) res += ui[k] * vj[k];
      sumsq += res * res;
      if (gi) {
        double *gj = gvg + (size_t)o->gcol[e] * (size_t)r;
        double sr = s * res;
        for (int k = 0; k < r; k++) {
          gi[k] += sr * vj[k];
          gj[k] += sr * ui[k];
        }
      }
    }
  }
  return sumsq;
}

/* Incoherence penalty mu sum (|row| - alpha)_+^4 and its gradient. */
static double bn_incoherence(int r, bn_idx_t n, const double *a, double mu,
                             double alpha, double *g) {
  double pen = 0.0;
  for (bn_idx_t i = 0; i < n; i++) {
    double nrm = cblas_dnrm2(r, a + i * r, 1), ex = nrm - alpha;
    if (ex <= 0) continue;
    pen += mu * ex * ex * ex * ex;
    if (g) cblas_daxpy(r, 4 * mu * ex * ex * ex / nrm, a + i * r, 1, g + i * r, 1);
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
  double *red = NULL;
  BN_CALL(ctx, bn_agree(ctx, bn_calloc(ctx, 2 + 2 * (size_t)rr,
                                       sizeof(double), &red)));
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
    free(red);
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
      cblas_daxpy((int)((c->nu + c->nv) * r), c->lambda, x, 1, g, 1);
  }
  free(red);
  return BN_OK;
}

/* Relative error |U V^T - X Y^T| / |X Y^T| with X = Qx Rx, split as
 *   |E|^2 = |Qx^T E|^2 + |(I - Qx Qx^T) E|^2
 *         = |V A^T - Y Rx^T|^2 + tr(Up^T Up V^T V),
 * A = Qx^T U, Up = U - Qx A. Both terms are sums of squares of small
 * quantities, so the error is accurate far below sqrt(machine epsilon)
 * (expanding |U V^T|^2 - 2<.,.> + |X Y^T|^2 would cancel). */
static bn_status_t bn_complete_rel_error(bn_complete_t *c, const double *x,
                                         double *red2, double *tmp) {
  bn_ctx_t *ctx = c->ctx;
  const int r = c->r, k = bn_dmat_cols(c->tu);
  const double *u = x, *v = x + c->nu * r, *q = bn_dmat_cdata(c->tu);
  const double *y = bn_dmat_cdata(c->tv);
  double *a = tmp, *w = tmp + (size_t)k * r; /* w: one row of V A^T - Y Rx^T */
  memset(a, 0, (size_t)k * r * sizeof(double));
  if (c->nu > 0)
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, k, r, (int)c->nu,
                1.0, q, k, u, r, 0.0, a, r);
  BN_CALL(ctx, bn_allreduce_sum(ctx, a, (size_t)k * r));
  /* red2 = [|W|^2, Up^T Up (r r), V^T V (r r)] (local parts) */
  double *gp = red2 + 1, *gv = gp + r * r;
  for (bn_idx_t j = 0; j < c->nv; j++) {
    for (int b = 0; b < k; b++) {
      double t = 0.0;
      for (int e = 0; e < r; e++) t += v[j * r + e] * a[b * r + e];
      for (int e = b; e < k; e++) t -= y[j * k + e] * c->rx[b * k + e];
      w[b] = t;
    }
    for (int b = 0; b < k; b++) red2[0] += w[b] * w[b];
  }
  for (bn_idx_t i = 0; i < c->nu; i++) {
    for (int e = 0; e < r; e++) {
      double t = u[i * r + e];
      for (int b = 0; b < k; b++) t -= q[i * k + b] * a[b * r + e];
      w[e] = t;
    }
    cblas_dsyr(CblasRowMajor, CblasUpper, r, 1.0, w, 1, gp, r);
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
  /* red = [test sum sq, |W|^2, Up^T Up, V^T V]; tmp = [A (k r), w] */
  size_t n = 2 + 2 * (size_t)r * r, m = (size_t)k * r + (k > r ? k : r);
  double *red = NULL;
  BN_CALL(ctx, bn_agree(ctx, bn_calloc(ctx, n + m, sizeof(double), &red)));
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
    for (int a = 0; a < r; a++) /* tr(Gp Gv), Gp upper triangle only */
      for (int b = 0; b < r; b++)
        e2 += (a <= b ? gp[a * r + b] : gp[b * r + a]) * gv[b * r + a];
    *rel = sqrt(fmax(e2, 0.0) / c->truth_norm2);
  }
  free(red);
  return st;
}
