/* Generalized linear model: links, objective, gradient, Hessian-vector
 * product, metrics and initial points.
 *
 * With z_i = x_i^T w and r_i = sigma(z_i) - y_i,
 *   f(w)    = 1/(2n) sum_i r_i^2,
 *   grad f  = 1/n X^T (r o sigma'(z)),
 *   H(w) v  = 1/n X^T ((sigma'(z)^2 + r o sigma''(z)) o X v),
 * two matrix-vector products with the rank's rows of X per evaluation (and
 * per Hessian-vector product). */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problems/glm/glm.h"

const char *const bn_glm_link_names[4] = {"sigmoid", "tanh", "softplus",
                                          "linear"};

int bn_glm_link_parse(const char *name) {
  for (int k = 0; k < 4; k++)
    if (name && !strcmp(name, bn_glm_link_names[k])) return k;
  return -1;
}

/* 1 / (1 + e^-z) without overflow for either sign of z. */
static double bn_sigmoid(double z) {
  if (z >= 0) return 1.0 / (1.0 + exp(-z));
  double e = exp(z);
  return e / (1.0 + e);
}

void bn_glm_link_eval(bn_glm_link_t link, double z, double *s, double *ds,
                      double *d2s) {
  double v, d1, d2;
  switch (link) {
    case BN_GLM_SIGMOID:
      v = bn_sigmoid(z);
      d1 = v * (1.0 - v);
      d2 = d1 * (1.0 - 2.0 * v);
      break;
    case BN_GLM_TANH:
      v = tanh(z);
      d1 = 1.0 - v * v;
      d2 = -2.0 * v * d1;
      break;
    case BN_GLM_SOFTPLUS: { /* log(1 + e^z), stable for large |z| */
      double p = bn_sigmoid(z);
      v = z > 0 ? z + log1p(exp(-z)) : log1p(exp(z));
      d1 = p;
      d2 = p * (1.0 - p);
      break;
    }
    default:
      v = z;
      d1 = 1.0;
      d2 = 0.0;
  }
  *s = v;
  if (ds) *ds = d1;
  if (d2s) *d2s = d2;
}

/* Collective: the full vector (d) from the owned entries. */
static bn_status_t bn_glm_gather(bn_glm_t *s, const double *loc, double *full) {
  BN_MPI(s->ctx, MPI_Allgatherv(loc, (int)s->wl, MPI_DOUBLE, full, s->cnt,
                                s->dsp, MPI_DOUBLE, bn_ctx_comm(s->ctx)));
  return BN_OK;
}

/* Collective: out (owned entries) = the sum over ranks of X_p^T c_p. */
static bn_status_t bn_glm_adjoint(bn_glm_t *s, const double *c, double *out) {
  const int d = (int)s->d;
  if (s->nl > 0)
    cblas_dgemv(CblasRowMajor, CblasTrans, (int)s->nl, d, 1.0, s->x, d, c, 1,
                0.0, s->gw, 1);
  else
    memset(s->gw, 0, (size_t)d * sizeof(double));
  BN_MPI(s->ctx, MPI_Reduce_scatter(s->gw, out, s->cnt, MPI_DOUBLE, MPI_SUM,
                                    bn_ctx_comm(s->ctx)));
  return BN_OK;
}

/* Local: z = X w for the rank's samples. */
static void bn_glm_forward(bn_glm_t *s, const double *wf, double *z) {
  if (s->nl > 0)
    cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)s->nl, (int)s->d, 1.0, s->x,
                (int)s->d, wf, 1, 0.0, z, 1);
}

bn_status_t bn_glm_eval(void *data, const double *w, double *f, double *g) {
  bn_glm_t *s = data;
  bn_ctx_t *ctx = s->ctx;
  bn_timer_start(ctx, s->t_comm);
  bn_status_t st = bn_glm_gather(s, w, s->wf);
  bn_timer_stop(ctx, s->t_comm);
  if (st != BN_OK) return st;
  bn_timer_start(ctx, s->t_kernel);
  bn_glm_forward(s, s->wf, s->z);
  const double inv = 1.0 / (double)s->n;
  double sumsq = 0.0;
  for (bn_idx_t i = 0; i < s->nl; i++) {
    double v, d1;
    bn_glm_link_eval(s->link, s->z[i], &v, &d1, NULL);
    double r = v - s->y[i];
    sumsq += r * r;
    s->c[i] = inv * r * d1;
  }
  bn_timer_stop(ctx, s->t_kernel);
  bn_timer_start(ctx, s->t_comm);
  st = bn_allreduce_sum(ctx, &sumsq, 1);
  if (st == BN_OK && g) st = bn_glm_adjoint(s, s->c, g);
  bn_timer_stop(ctx, s->t_comm);
  if (st == BN_OK) *f = 0.5 * inv * sumsq;
  return st;
}

bn_status_t bn_glm_hvp(void *data, const double *w, const double *v,
                       double *hv) {
  bn_glm_t *s = data;
  BN_CALL(s->ctx, bn_glm_gather(s, w, s->wf));
  BN_CALL(s->ctx, bn_glm_gather(s, v, s->vf));
  bn_glm_forward(s, s->wf, s->z);
  bn_glm_forward(s, s->vf, s->u);
  const double inv = 1.0 / (double)s->n;
  for (bn_idx_t i = 0; i < s->nl; i++) {
    double a, d1, d2;
    bn_glm_link_eval(s->link, s->z[i], &a, &d1, &d2);
    s->c[i] = inv * (d1 * d1 + (a - s->y[i]) * d2) * s->u[i];
  }
  return bn_glm_adjoint(s, s->c, hv);
}

bn_status_t bn_glm_metrics(void *data, const double *w, double *rel,
                           double *rmse) {
  bn_glm_t *s = data;
  *rel = NAN;
  *rmse = NAN;
  if (!s->truth) return BN_OK;
  const double *t = s->truth + bn_dist_first(s->wdist);
  double e2 = 0.0;
  for (bn_idx_t j = 0; j < s->wl; j++) e2 += (w[j] - t[j]) * (w[j] - t[j]);
  BN_CALL(s->ctx, bn_allreduce_sum(s->ctx, &e2, 1));
  *rel = sqrt(e2) / s->truth_norm;
  return BN_OK;
}

/* The moment estimate w0 = 1/n sum_i (y_i - mean y) x_i. For Gaussian x,
 * Stein's lemma gives E[sigma(w*^T x) x] = E[sigma'(w*^T x)] w*, so w0
 * points along w* (its length is off by the mean slope, which the solver
 * corrects in a few steps). */
static bn_status_t bn_glm_moment(bn_glm_t *s, double *w) {
  double mean = 0.0;
  for (bn_idx_t i = 0; i < s->nl; i++) mean += s->y[i];
  BN_CALL(s->ctx, bn_allreduce_sum(s->ctx, &mean, 1));
  mean /= (double)s->n;
  const double inv = 1.0 / (double)s->n;
  for (bn_idx_t i = 0; i < s->nl; i++) s->c[i] = inv * (s->y[i] - mean);
  return bn_glm_adjoint(s, s->c, w);
}

bn_status_t bn_glm_init(void *data, const bn_opts_t *opts, double *w) {
  bn_glm_t *s = data;
  bn_ctx_t *ctx = s->ctx;
  int64_t seed;
  double scale;
  BN_CALL(ctx, bn_opts_int(opts, "seed", &seed));
  BN_CALL(ctx, bn_opts_real(opts, "init-scale", &scale));
  const char *how = bn_opts_string(opts, "init");
  if (!how || strcmp(how, "random")) return bn_glm_moment(s, w);
  /* Keyed by the global entry: the same w0 on any number of processes. */
  double sigma = scale / sqrt((double)s->d);
  bn_idx_t j0 = bn_dist_first(s->wdist);
  for (bn_idx_t j = 0; j < s->wl; j++)
    w[j] = sigma == 0.0
               ? 0.0
               : sigma * bn_rng_normal((uint64_t)seed, BN_STREAM_INIT_U,
                                       (uint64_t)(j0 + j), 0);
  return BN_OK;
}
