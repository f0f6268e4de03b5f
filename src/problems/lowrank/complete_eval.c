/* Matrix completion: objective, gradient and metrics. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problems/lowrank/complete_state.h"

/* bn_complete_pass: the pass over the entries in double. */
#define BN_PASS_REAL double
#define BN_PASS_NAME bn_complete_pass
#include "problems/lowrank/complete_pass_body.h"

bn_status_t bn_complete_gather_v(bn_complete_t *c, bn_plan_t *plan,
                                 const double *x, double *vg) {
  bn_complete_parts_t p = bn_complete_split(c, x);
  const int r = c->r, w = c->w;
  if (!c->bias) return bn_plan_gather(plan, p.v, r, vg);
  for (bn_idx_t j = 0; j < c->nv; j++) {
    memcpy(c->stage + j * w, p.v + j * r, (size_t)r * sizeof(double));
    c->stage[j * w + r] = p.c[j];
  }
  return bn_plan_gather(plan, c->stage, w, vg);
}

bn_status_t bn_complete_scatter_v(bn_complete_t *c, double *gvg, double *gv,
                                  double *gc) {
  const int r = c->r, w = c->w;
  if (!c->bias) return bn_plan_scatter_add(c->obs->plan, gvg, r, gv);
  memset(c->stage, 0, (size_t)c->nv * w * sizeof(double));
  BN_CALL(c->ctx, bn_plan_scatter_add(c->obs->plan, gvg, w, c->stage));
  for (bn_idx_t j = 0; j < c->nv; j++) {
    for (int k = 0; k < r; k++) gv[j * r + k] += c->stage[j * w + k];
    gc[j] += c->stage[j * w + r];
  }
  return BN_OK;
}

/* Incoherence penalty mu sum (|row| - alpha)_+^4 and its gradient. */
static double bn_incoherence(int r, bn_idx_t n, const double *a, double mu,
                             double alpha, double *g) {
  double pen = 0.0;
  for (bn_idx_t i = 0; i < n; i++) {
    const double *ai = a + i * r;
    double s2 = 0.0; /* a plain sum: dnrm2's scaling costs more per row */
    for (int k = 0; k < r; k++) s2 += ai[k] * ai[k];
    double nrm = sqrt(s2), ex = nrm - alpha;
    if (ex <= 0) continue;
    pen += mu * ex * ex * ex * ex;
    if (g)
      cblas_daxpy(r, 4 * mu * ex * ex * ex / nrm, a + i * r, 1, g + i * r, 1);
  }
  return pen;
}

/* The ridge not already in the Grams (count weights; the biases): its
 * local value, and its gradient added to g. */
static double bn_ridge(const bn_complete_t *c, const double *x, double *g) {
  bn_complete_parts_t p = bn_complete_split(c, x), q = {0};
  if (g) q = bn_complete_split(c, g);
  const int r = c->r;
  double sum = 0.0;
  if (c->count && c->lambda > 0) { /* (lambda = 0: every weight is 0) */
    for (bn_idx_t i = 0; i < c->nu; i++) {
      double a = cblas_ddot(r, p.u + i * r, 1, p.u + i * r, 1);
      if (c->bias) a += p.b[i] * p.b[i];
      sum += c->regu[i] * a;
    }
    for (bn_idx_t j = 0; j < c->nv; j++) {
      double a = cblas_ddot(r, p.v + j * r, 1, p.v + j * r, 1);
      if (c->bias) a += p.c[j] * p.c[j];
      sum += c->regv[j] * a;
    }
    if (g) {
      for (bn_idx_t i = 0; i < c->nu; i++) {
        cblas_daxpy(r, c->regu[i], p.u + i * r, 1, q.u + i * r, 1);
        if (c->bias) q.b[i] += c->regu[i] * p.b[i];
      }
      for (bn_idx_t j = 0; j < c->nv; j++) {
        cblas_daxpy(r, c->regv[j], p.v + j * r, 1, q.v + j * r, 1);
        if (c->bias) q.c[j] += c->regv[j] * p.c[j];
      }
    }
  } else if (c->bias && c->lambda > 0) {
    for (bn_idx_t i = 0; i < c->nu; i++) sum += c->lambda * p.b[i] * p.b[i];
    for (bn_idx_t j = 0; j < c->nv; j++) sum += c->lambda * p.c[j] * p.c[j];
    if (g) {
      for (bn_idx_t i = 0; i < c->nu; i++) q.b[i] += c->lambda * p.b[i];
      for (bn_idx_t j = 0; j < c->nv; j++) q.c[j] += c->lambda * p.c[j];
    }
  }
  return 0.5 * sum;
}

bn_status_t bn_complete_eval(void *data, const double *x, double *f,
                             double *g) {
  bn_complete_t *c = data;
  bn_ctx_t *ctx = c->ctx;
  const int r = c->r, rr = r * r;
  bn_complete_parts_t p = bn_complete_split(c, x), q = {0};
  if (g) q = bn_complete_split(c, g);
  size_t ng = (size_t)c->obs->nghost * (size_t)c->w;
  size_t n = (size_t)(c->nu + c->nv) * (r + c->bias);

  bn_timer_start(ctx, c->t_gather);
  BN_CALL(ctx, bn_complete_gather_v(c, c->obs->plan, x, c->vg));
  bn_timer_stop(ctx, c->t_gather);

  /* red = [sum sq residuals, penalty, U^T U, V^T V]: one allreduce. */
  double *red = c->red; /* allocated once, in bn_complete_create */
  memset(red, 0, (2 + 2 * (size_t)rr) * sizeof(double));
  double *guu = red + 2, *gvv = guu + rr;
  bn_timer_start(ctx, c->t_kernel);
  if (g) {
    memset(g, 0, n * sizeof(double));
    /* (the mixed pass writes every ghost row's gradient itself) */
    if (!c->mixed || c->dbl) memset(c->gvg, 0, ng * sizeof(double));
  }
  if (c->mixed && !c->dbl)
    BN_CALL(ctx, bn_complete_pass_mixed(c, x, g, &red[0]));
  else
    red[0] = bn_complete_pass(c->obs, r, c->bias, p.u, p.b, c->mean, c->vg,
                              1.0 / c->p, q.u, q.b, c->gvg,
                              bn_complete_tl(c, sizeof(double), g));
  bn_gram_local(r, c->nu, p.u, p.u, guu);
  bn_gram_local(r, c->nv, p.v, p.v, gvv);
  if (c->mu > 0)
    red[1] = bn_incoherence(r, c->nu, p.u, c->mu, c->alpha, q.u) +
             bn_incoherence(r, c->nv, p.v, c->mu, c->alpha, q.v);
  red[1] += bn_ridge(c, x, g);
  bn_timer_stop(ctx, c->t_kernel);

  bn_status_t st = BN_OK;
  if (g) {
    bn_timer_start(ctx, c->t_scatter);
    st = bn_complete_scatter_v(c, c->gvg, q.v, q.c);
    bn_timer_stop(ctx, c->t_scatter);
  }
  bn_timer_start(ctx, c->t_reduce);
  if (st == BN_OK) st = bn_allreduce_sum(ctx, red, 2 + 2 * (size_t)rr);
  bn_timer_stop(ctx, c->t_reduce);
  if (st != BN_OK) return st;
  /* D = U^T U - V^T V; balancing term 1/8 |D|^2; uniform ridge on U, V:
   * lambda/2 tr(G). */
  double tr = 0.0;
  for (int a = 0; a < r; a++) tr += guu[a * r + a] + gvv[a * r + a];
  double bal = c->balance ? bn_lr_balance(r, guu, gvv) : 0.0;
  double ridge = c->count ? 0.0 : 0.5 * c->lambda * tr;
  bn_complete_mixed_update(c, red[0]);
  *f = red[0] / (2 * c->p) + bal + ridge + red[1];
  if (g) {
    /* gU += 1/2 U D + lambda U;  gV += -1/2 V D + lambda V. */
    if (c->balance)
      bn_lr_balance_grad(r, c->nu, p.u, c->nv, p.v, guu, q.u, q.v);
    if (!c->count && c->lambda > 0)
      for (size_t i = 0; i < (size_t)(c->nu + c->nv) * r; i++)
        g[i] += c->lambda * x[i];
  }
  return BN_OK;
}

bn_status_t bn_complete_metrics(void *data, const double *x, double *rel,
                                double *rmse) {
  bn_complete_t *c = data;
  bn_ctx_t *ctx = c->ctx;
  bn_complete_parts_t p = bn_complete_split(c, x);
  *rel = NAN;
  *rmse = NAN;
  if (c->test) {
    double sum;
    BN_CALL(ctx, bn_complete_gather_v(c, c->test->plan, x, c->tvg));
    sum = bn_complete_pass(c->test, c->r, c->bias, p.u, p.b, c->mean, c->tvg,
                           0.0, NULL, NULL, NULL, (bn_pass_tiles_t){.n = 1});
    BN_CALL(ctx, bn_allreduce_sum(ctx, &sum, 1));
    *rmse = sqrt(sum / (double)c->test->nnz_global);
  }
  if (c->truth && !c->bias)
    BN_CALL(ctx, bn_lr_truth_error(ctx, c->truth, c->r, c->nu, p.u, c->nv, p.v,
                                   rel));
  if (c->truth && c->bias) /* the model as [U | b + mu | 1] [V | 1 | c]^T */
    BN_CALL(ctx, bn_complete_bias_error(c, x, rel));
  return BN_OK;
}

bn_status_t bn_complete_bias_error(bn_complete_t *c, const double *x,
                                   double *rel) {
  bn_complete_parts_t p = bn_complete_split(c, x);
  const int r = c->r, k = r + 2;
  double *a = NULL;
  size_t n = (size_t)(c->nu + c->nv) * k;
  bn_status_t st =
      bn_agree(c->ctx, bn_mallocn(c->ctx, n ? n : 1, sizeof(double), &a));
  if (st != BN_OK) return st;
  double *av = a + (size_t)c->nu * k;
  for (bn_idx_t i = 0; i < c->nu; i++) {
    memcpy(a + i * k, p.u + i * r, (size_t)r * sizeof(double));
    a[i * k + r] = p.b[i] + c->mean;
    a[i * k + r + 1] = 1.0;
  }
  for (bn_idx_t j = 0; j < c->nv; j++) {
    memcpy(av + j * k, p.v + j * r, (size_t)r * sizeof(double));
    av[j * k + r] = 1.0;
    av[j * k + r + 1] = p.c[j];
  }
  st = bn_lr_truth_error(c->ctx, c->truth, k, c->nu, a, c->nv, av, rel);
  free(a);
  return st;
}
