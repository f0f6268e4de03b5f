/* Tensor decomposition: initial points, deflation (keeping components),
 * the recovery metric, and the deflation state in result and checkpoint
 * files. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "benign/checkpoint.h"
#include "problems/tensor/tensor.h"

/* v -= B (B^T v) over the kept components, twice (Gram-Schmidt with
 * reorthogonalization). */
static bn_status_t bn_tensor_orth(bn_tensor_t *t, double *v) {
  const int J = t->found, ld = t->target;
  if (J == 0) return BN_OK;
  double *c = t->red;
  for (int pass = 0; pass < 2; pass++) {
    memset(c, 0, (size_t)J * sizeof(double));
    for (bn_idx_t i = 0; i < t->nl; i++)
      for (int j = 0; j < J; j++) c[j] += t->b[i * ld + j] * v[i];
    BN_CALL(t->ctx, bn_allreduce_sum(t->ctx, c, (size_t)J));
    for (bn_idx_t i = 0; i < t->nl; i++)
      for (int j = 0; j < J; j++) v[i] -= c[j] * t->b[i * ld + j];
  }
  return BN_OK;
}

/* random: a Gaussian vector keyed by (seed, entry, component), orthogonal
 * to the kept components, normalized. spectral (random slicing): the top
 * eigenvector of M = T_eff(., ., theta, theta) for a Gaussian theta by 20
 * power iterations in the complement of the kept components; for an
 * orthogonal T, M = sum lambda_k (a_k^T theta)^2 a_k a_k^T has the
 * components as eigenvectors. */
bn_status_t bn_tensor_init(void *data, const bn_opts_t *opts, double *x) {
  bn_tensor_t *t = data;
  bn_ctx_t *ctx = t->ctx;
  int64_t seed = 1;
  if (bn_opts_is_set(opts, "seed"))
    BN_CALL(ctx, bn_opts_int(opts, "seed", &seed));
  const char *mode = bn_opts_string(opts, "init");
  const uint32_t draw = (uint32_t)t->found;
  for (bn_idx_t i = 0; i < t->nl; i++)
    x[i] = bn_rng_normal((uint64_t)seed, BN_TENSOR_STREAM_INIT,
                         (uint64_t)(t->x0 + i), draw);
  BN_CALL(ctx, bn_tensor_orth(t, x));
  BN_CALL(ctx, bn_tensor_retract(t, x));
  if (mode && !strcmp(mode, "spectral")) {
    double *theta = t->xt, *y = t->yt, q;
    for (bn_idx_t i = 0; i < t->nl; i++)
      theta[i] = bn_rng_normal((uint64_t)seed, BN_TENSOR_STREAM_SLICE,
                               (uint64_t)(t->x0 + i), draw);
    for (int it = 0; it < 20; it++) {
      BN_CALL(ctx, bn_tensor_apply(t, theta, x, y, &q));
      BN_CALL(ctx, bn_tensor_orth(t, y));
      double y2;
      BN_CALL(ctx, bn_tensor_dot(t, y, y, &y2));
      if (!(y2 > 0) || !isfinite(y2)) break; /* keep the random start */
      for (bn_idx_t i = 0; i < t->nl; i++) x[i] = y[i] / sqrt(y2);
    }
  }
  t->cvalid = false;
  return BN_OK;
}

/* Room for `more` history rows. */
static bn_status_t bn_tensor_hist_room(bn_tensor_t *t, size_t more) {
  return bn_history_tagged_room(t->ctx, &t->hist, &t->hcomp, &t->hcap, more);
}

bn_status_t bn_tensor_accept(void *data, const double *x,
                             const bn_solver_t *s) {
  bn_tensor_t *t = data;
  bn_ctx_t *ctx = t->ctx;
  const int J = t->found;
  if (J >= t->target)
    return BN_ERROR_ALL(ctx, BN_ERR_STATE,
                        "all %d components have been found already", t->target);
  /* The sign: the entry of largest magnitude (lowest index on ties) is
   * made positive. */
  struct {
    double v;
    int i;
  } loc = {-1.0, 0}, glob;
  double sg[2] = {0.0, 0.0}, x2;
  for (bn_idx_t i = 0; i < t->nl; i++)
    if (fabs(x[i]) > loc.v) loc.v = fabs(x[i]), loc.i = (int)(t->x0 + i);
  BN_MPI(ctx, MPI_Allreduce(&loc, &glob, 1, MPI_DOUBLE_INT, MPI_MAXLOC,
                            bn_ctx_comm(ctx)));
  if (glob.i >= t->x0 && glob.i < t->x0 + t->nl)
    sg[0] = x[glob.i - t->x0] < 0 ? -1.0 : 1.0;
  for (bn_idx_t i = 0; i < t->nl; i++) sg[1] += x[i] * x[i];
  BN_CALL(ctx, bn_allreduce_sum(ctx, sg, 2));
  x2 = sg[1];
  if (!(x2 > 0) || !isfinite(x2))
    return BN_ERROR_ALL(ctx, BN_ERR_NUM,
                        "component %d: the iterate is zero or not finite", J);
  /* mu = T_eff(x,x,x,x) for the unit vector. */
  double q;
  BN_CALL(ctx, bn_tensor_apply(t, x, x, t->yt, &q));
  double scale = (sg[0] < 0 ? -1.0 : 1.0) / sqrt(x2);
  for (bn_idx_t i = 0; i < t->nl; i++) t->b[i * t->target + J] = scale * x[i];
  t->mu[J] = q / (x2 * x2);
  /* The solve's record and history. */
  const bn_history_t *h = bn_solver_history(s);
  bn_tensor_stage_t *r = &t->stages[J];
  size_t last = h->n ? h->n - 1 : 0;
  r->iterations = bn_solver_iterations(s);
  r->reason = (int64_t)bn_solver_reason(s);
  r->objective = h->n ? h->objective[last] : NAN;
  r->grad_norm = h->n ? h->grad_norm[last] : NAN;
  r->seconds = h->n ? h->seconds[last] : 0.0;
  r->shift = t->method == BN_TENSOR_RGD ? NAN : t->alpha;
  int64_t off = 0;
  double soff = 0.0;
  for (int j = 0; j < J; j++) {
    off += t->stages[j].iterations;
    soff += t->stages[j].seconds;
  }
  BN_CALL(ctx, bn_agree(ctx, bn_tensor_hist_room(t, h->n)));
  bn_history_t *a = &t->hist;
  for (size_t k = 0; k < h->n; k++, a->n++) {
    a->iteration[a->n] = off + h->iteration[k];
    a->objective[a->n] = h->objective[k];
    a->grad_norm[a->n] = h->grad_norm[k];
    a->step[a->n] = h->step[k];
    a->rel_error[a->n] = h->rel_error[k];
    a->test_rmse[a->n] = h->test_rmse[k];
    a->seconds[a->n] = soff + h->seconds[k];
    t->hcomp[a->n] = J;
  }
  t->found = J + 1;
  t->alpha = t->shift < 0 ? 0.0 : t->shift;
  t->cvalid = false;
  return BN_OK;
}

bn_status_t bn_tensor_scale(bn_tensor_t *t) {
  bn_ctx_t *ctx = t->ctx;
  double *g = t->xt, g2 = 0.0, q;
  for (bn_idx_t i = 0; i < t->nl; i++) {
    g[i] = bn_rng_normal(1, BN_TENSOR_STREAM_SCALE, (uint64_t)(t->x0 + i), 0);
    g2 += g[i] * g[i];
  }
  BN_CALL(ctx, bn_allreduce_sum(ctx, &g2, 1));
  const int found = t->found;
  t->found = 0;
  bn_status_t st = bn_tensor_apply(t, g, g, t->yt, &q);
  t->found = found;
  BN_CALL(ctx, st);
  t->tscale = g2 > 0 ? fabs(q) / (g2 * g2) : 0.0;
  return BN_OK;
}

bn_status_t bn_tensor_weight_check(void *data, const double *x, double *mu,
                                   double *floor, bool *ok) {
  bn_tensor_t *t = data;
  double x2, q, s = t->tscale;
  BN_CALL(t->ctx, bn_tensor_dot(t, x, x, &x2));
  BN_CALL(t->ctx, bn_tensor_apply(t, x, x, t->yt, &q));
  for (int j = 0; j < t->found; j++) s = fmax(s, fabs(t->mu[j]));
  *mu = x2 > 0 ? q / (x2 * x2) : NAN;
  *floor = 1e-6 * s;
  *ok = *mu > *floor;
  return BN_OK;
}

bn_status_t bn_tensor_recovery(void *data, double *min_cos) {
  bn_tensor_t *t = data;
  const int J = t->found, kt = t->kt, ld = t->target;
  *min_cos = NAN;
  if (!t->truth) return BN_OK;
  if (J == 0) {
    *min_cos = 0.0;
    return BN_OK;
  }
  double *g = NULL;
  BN_CALL(t->ctx, bn_agree(t->ctx, bn_calloc(t->ctx, bn_size_mul((size_t)kt, J),
                                             sizeof(double), &g)));
  const double *a = bn_dmat_cdata(t->truth);
  for (bn_idx_t i = 0; i < t->nl; i++)
    for (int p = 0; p < kt; p++)
      for (int j = 0; j < J; j++)
        g[p * J + j] += a[i * kt + p] * t->b[i * ld + j];
  bn_status_t st = bn_allreduce_sum(t->ctx, g, (size_t)kt * J);
  double worst = 1.0;
  for (int p = 0; p < kt; p++) {
    double best = 0.0;
    for (int j = 0; j < J; j++) best = fmax(best, fabs(g[p * J + j]));
    worst = fmin(worst, best);
  }
  free(g);
  *min_cos = worst;
  return st;
}

/* Replicated vectors: rank 0 writes, every rank reads all. */
static bn_status_t bn_tensor_put(bn_tensor_t *t, bn_h5_t *f, const char *pre,
                                 const char *name, bn_idx_t n,
                                 const double *v) {
  char path[160];
  snprintf(path, sizeof path, "%s%s", pre, name);
  return bn_h5_write_f64(f, path, n, 0, bn_ctx_rank(t->ctx) == 0 ? n : 0, v);
}

static bn_status_t bn_tensor_put_i64(bn_tensor_t *t, bn_h5_t *f,
                                     const char *pre, const char *name,
                                     bn_idx_t n, const int64_t *v) {
  char path[160];
  snprintf(path, sizeof path, "%s%s", pre, name);
  return bn_h5_write_i64(f, path, n, 0, bn_ctx_rank(t->ctx) == 0 ? n : 0, v);
}

/* The kept components as an n x J matrix on xdist. */
static bn_status_t bn_tensor_write_ahat(bn_tensor_t *t, bn_h5_t *f) {
  const int J = t->found;
  bn_dmat_t *m = NULL;
  BN_CALL(t->ctx, bn_dmat_create(t->xdist, J, &m));
  double *d = bn_dmat_data(m);
  for (bn_idx_t i = 0; i < t->nl; i++)
    memcpy(d + i * J, t->b + i * t->target, (size_t)J * sizeof(double));
  bn_status_t st = bn_h5_write_dmat(f, "/A_hat", m);
  bn_dmat_destroy(m);
  return st;
}

bn_status_t bn_tensor_write_state(bn_tensor_t *t, bn_h5_t *f,
                                  const char *hist_prefix) {
  bn_ctx_t *ctx = t->ctx;
  const int J = t->found;
  BN_CALL(ctx, bn_h5_attr_set_i64(f, "/", "components_found", J));
  BN_CALL(ctx, bn_h5_attr_set_f64(f, "/", "shift_current", t->alpha));
  if (J == 0) return BN_OK;
  int64_t *iv = NULL;
  double *dv = NULL;
  BN_CALL(ctx, bn_agree(ctx, bn_mallocn(ctx, bn_size_mul(2, (size_t)J),
                                        sizeof(int64_t), &iv)));
  bn_status_t st = bn_agree(
      ctx, bn_mallocn(ctx, bn_size_mul(4, (size_t)J), sizeof(double), &dv));
  for (int j = 0; st == BN_OK && j < J; j++) {
    iv[j] = t->stages[j].iterations;
    iv[J + j] = t->stages[j].reason;
    dv[j] = t->stages[j].objective;
    dv[J + j] = t->stages[j].grad_norm;
    dv[2 * J + j] = t->stages[j].seconds;
    dv[3 * J + j] = t->stages[j].shift;
  }
  if (st == BN_OK) st = bn_tensor_write_ahat(t, f);
  if (st == BN_OK) st = bn_tensor_put(t, f, "/", "lambda_hat", J, t->mu);
  if (st == BN_OK)
    st = bn_tensor_put_i64(t, f, "/stages/", "iterations", J, iv);
  if (st == BN_OK)
    st = bn_tensor_put_i64(t, f, "/stages/", "reason", J, iv + J);
  if (st == BN_OK) st = bn_tensor_put(t, f, "/stages/", "objective", J, dv);
  if (st == BN_OK) st = bn_tensor_put(t, f, "/stages/", "grad_norm", J, dv + J);
  if (st == BN_OK)
    st = bn_tensor_put(t, f, "/stages/", "seconds", J, dv + 2 * J);
  if (st == BN_OK) st = bn_tensor_put(t, f, "/stages/", "shift", J, dv + 3 * J);
  if (st == BN_OK && t->hist.n > 0)
    st = bn_history_tagged_write(t->ctx, f, hist_prefix, "component", &t->hist,
                                 t->hcomp);
  free(iv);
  free(dv);
  return st;
}

bn_status_t bn_tensor_read_state(bn_tensor_t *t, bn_h5_t *f) {
  bn_ctx_t *ctx = t->ctx;
  int64_t J, *iv = NULL;
  double *dv = NULL;
  BN_CALL(ctx, bn_h5_attr_get_i64(f, "/", "components_found", &J));
  BN_CALL(ctx, bn_h5_attr_get_f64(f, "/", "shift_current", &t->alpha));
  if (J < 0 || J > t->target)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: holds %lld found components; this run finds %d",
                        bn_h5_path(f), (long long)J, t->target);
  t->found = 0;
  t->hist.n = 0;
  t->cvalid = false;
  if (J == 0) return BN_OK;
  bn_dmat_t *m = NULL;
  BN_CALL(ctx, bn_h5_read_dmat(f, "/A_hat", t->xdist, (int)J, &m));
  const double *md = bn_dmat_cdata(m);
  for (bn_idx_t i = 0; i < t->nl; i++)
    memcpy(t->b + i * t->target, md + i * J, (size_t)J * sizeof(double));
  bn_dmat_destroy(m);
  bn_status_t st =
      bn_mallocn(ctx, bn_size_mul(2, (size_t)J), sizeof(int64_t), &iv);
  if (st == BN_OK)
    st = bn_mallocn(ctx, bn_size_mul(4, (size_t)J), sizeof(double), &dv);
  st = bn_agree(ctx, st);
  if (st == BN_OK) st = bn_h5_read_f64(f, "/lambda_hat", 0, J, t->mu);
  if (st == BN_OK) st = bn_h5_read_i64(f, "/stages/iterations", 0, J, iv);
  if (st == BN_OK) st = bn_h5_read_i64(f, "/stages/reason", 0, J, iv + J);
  if (st == BN_OK) st = bn_h5_read_f64(f, "/stages/objective", 0, J, dv);
  if (st == BN_OK) st = bn_h5_read_f64(f, "/stages/grad_norm", 0, J, dv + J);
  if (st == BN_OK) st = bn_h5_read_f64(f, "/stages/seconds", 0, J, dv + 2 * J);
  if (st == BN_OK) st = bn_h5_read_f64(f, "/stages/shift", 0, J, dv + 3 * J);
  for (int64_t j = 0; st == BN_OK && j < J; j++) {
    bn_tensor_stage_t *r = &t->stages[j];
    r->iterations = iv[j];
    r->reason = iv[J + j];
    r->objective = dv[j];
    r->grad_norm = dv[J + j];
    r->seconds = dv[2 * J + j];
    r->shift = dv[3 * J + j];
  }
  free(iv);
  free(dv);
  BN_CALL(ctx, st);
  t->found = (int)J;
  return bn_history_tagged_read(ctx, f, "/stages/history/", "component",
                                &t->hist, &t->hcomp, &t->hcap);
}

bn_status_t bn_tensor_write_result(void *data, const double *x, bn_h5_t *f) {
  bn_tensor_t *t = data;
  bn_ctx_t *ctx = t->ctx;
  BN_CALL(ctx, bn_h5_write_f64(f, "/x", t->n, t->x0, t->nl, x));
  BN_CALL(ctx, bn_tensor_write_state(t, f, "/history/"));
  BN_CALL(ctx, bn_h5_attr_set_i64(f, "/", "dim", t->n));
  BN_CALL(ctx, bn_h5_attr_set_i64(f, "/", "components", t->target));
  BN_CALL(ctx,
          bn_h5_attr_set_str(f, "/", "form", bn_tensor_form_names[t->form]));
  BN_CALL(ctx, bn_h5_attr_set_str(f, "/", "method",
                                  bn_tensor_method_names[t->method]));
  return bn_h5_attr_set_str(f, "/", "input", t->input);
}
