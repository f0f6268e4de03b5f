/* Tensor decomposition: the kernel T_eff(., u, x, x), the objective
 * f(x) = -T_eff(x,x,x,x) on the sphere with its Riemannian gradient and
 * Hessian, the (shifted) power sweep and the metric.
 *
 * With y = T(., x, x, x) and q = T(x,x,x,x) = x^T y:
 *   grad f(x)    = P_x(-4 y) = -4 (y - q x),   P_x v = v - (x^T v) x;
 *   Hess f(x)[v] = P_x(-12 T(., v, x, x)) + 4 q v   (v tangent),
 * the Euclidean Hessian projected, minus (x^T grad_E f) v. */
#include <cblas.h>
#include <float.h>
#include <math.h>
#include <string.h>

#include "problems/tensor/tensor.h"

bn_status_t bn_tensor_dot(bn_tensor_t *t, const double *a, const double *b,
                          double *out) {
  double s = 0.0;
  for (bn_idx_t i = 0; i < t->nl; i++) s += a[i] * b[i];
  BN_MPI(t->ctx,
         MPI_Allreduce(&s, out, 1, MPI_DOUBLE, MPI_SUM, bn_ctx_comm(t->ctx)));
  return BN_OK;
}

static bn_status_t bn_tensor_gather(bn_tensor_t *t, const double *v,
                                    double *full) {
  BN_MPI(t->ctx, MPI_Allgatherv(v, (int)t->nl, MPI_DOUBLE, full, t->cnt, t->dsp,
                                MPI_DOUBLE, bn_ctx_comm(t->ctx)));
  return BN_OK;
}

static bn_status_t bn_tensor_reduce(bn_tensor_t *t, size_t nr) {
  bn_timer_start(t->ctx, t->t_reduce);
  int rc = MPI_Allreduce(MPI_IN_PLACE, t->red, (int)nr, MPI_DOUBLE, MPI_SUM,
                         bn_ctx_comm(t->ctx));
  bn_timer_stop(t->ctx, t->t_reduce);
  if (rc != MPI_SUCCESS)
    return BN_ERROR(t->ctx, BN_ERR_MPI, "MPI_Allreduce failed (tensor)");
  return BN_OK;
}

/* Components: c = A^T x, e = A^T u reduced with the deflation partials;
 * y = A (lambda o c^2 o e), q = sum lambda c^4. */
static bn_status_t bn_tensor_apply_comp(bn_tensor_t *t, const double *x,
                                        const double *u, size_t nr, double *y,
                                        double *q) {
  const int k = t->k;
  const bn_idx_t nl = t->nl;
  const double *a = bn_dmat_cdata(t->amat);
  double *c = t->red + nr, *e = u == x ? c : c + k, *coef = t->w1;
  memset(c, 0, (u == x ? 1 : 2) * (size_t)k * sizeof(double));
  if (nl > 0) {
    cblas_dgemv(CblasRowMajor, CblasTrans, (int)nl, k, 1.0, a, k, x, 1, 0.0, c,
                1);
    if (u != x)
      cblas_dgemv(CblasRowMajor, CblasTrans, (int)nl, k, 1.0, a, k, u, 1, 0.0,
                  e, 1);
  }
  BN_CALL(t->ctx, bn_tensor_reduce(t, nr + (u == x ? 1 : 2) * (size_t)k));
  double s = 0.0;
  for (int j = 0; j < k; j++) {
    coef[j] = t->lambda[j] * c[j] * c[j] * e[j];
    s += t->lambda[j] * c[j] * c[j] * c[j] * c[j];
  }
  *q = s;
  if (nl > 0)
    cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)nl, k, 1.0, a, k, coef, 1,
                0.0, y, 1);
  return BN_OK;
}

/* Samples (centered z_i, i < N, C = mean z z^T):
 *   T(., u, x, x) = mean (u^T z)(x^T z)^2 z - (x^T C x) C u - 2 (u^T C x) C x
 * from s = Z x, r = Z u: one allreduce of Z^T (s^2 r), Z^T r, Z^T s and
 * the sums of s^2, r s and s^4. */
static bn_status_t bn_tensor_apply_samp(bn_tensor_t *t, const double *x,
                                        const double *u, size_t nr, double *y,
                                        double *q) {
  const bn_idx_t n = t->n, ml = bn_dmat_local_rows(t->zmat);
  const double *z = bn_dmat_cdata(t->zmat);
  const bool same = u == x;
  double *s = t->w1, *r = same ? s : s + ml, *s2r = s + 2 * ml;
  BN_CALL(t->ctx, bn_tensor_gather(t, x, t->xf));
  if (!same) BN_CALL(t->ctx, bn_tensor_gather(t, u, t->uf));
  double *v1 = t->red + nr, *v3 = v1 + n, *v2 = same ? v3 : v3 + n;
  double *sc = v3 + (same ? 1 : 2) * n;
  size_t len = (same ? 2 : 3) * (size_t)n + 3;
  memset(v1, 0, len * sizeof(double));
  if (ml > 0) {
    cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)ml, (int)n, 1.0, z, (int)n,
                t->xf, 1, 0.0, s, 1);
    if (!same)
      cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)ml, (int)n, 1.0, z, (int)n,
                  t->uf, 1, 0.0, r, 1);
    for (bn_idx_t i = 0; i < ml; i++) {
      s2r[i] = s[i] * s[i] * r[i];
      sc[0] += s[i] * s[i];
      sc[1] += r[i] * s[i];
      sc[2] += s[i] * s[i] * s[i] * s[i];
    }
    cblas_dgemv(CblasRowMajor, CblasTrans, (int)ml, (int)n, 1.0, z, (int)n, s2r,
                1, 0.0, v1, 1);
    cblas_dgemv(CblasRowMajor, CblasTrans, (int)ml, (int)n, 1.0, z, (int)n, s,
                1, 0.0, v3, 1);
    if (!same)
      cblas_dgemv(CblasRowMajor, CblasTrans, (int)ml, (int)n, 1.0, z, (int)n, r,
                  1, 0.0, v2, 1);
  }
  BN_CALL(t->ctx, bn_tensor_reduce(t, nr + len));
  const double in = 1.0 / (double)t->nsamp;
  const double m2 = sc[0] * in, m11 = sc[1] * in, m4 = sc[2] * in;
  for (bn_idx_t i = 0; i < t->nl; i++) {
    bn_idx_t g = t->x0 + i;
    y[i] = in * (v1[g] - m2 * v2[g] - 2.0 * m11 * v3[g]);
  }
  *q = m4 - 3.0 * m2 * m2;
  return BN_OK;
}

/* Explicit: W1 = T x (last index), W2 = W1 x, y = W2 u, q = x^T W2 x. */
static bn_status_t bn_tensor_apply_expl(bn_tensor_t *t, const double *x,
                                        const double *u, size_t nr, double *y,
                                        double *q) {
  const bn_idx_t n = t->n, nl = t->nl;
  const double *tl = bn_dmat_cdata(t->tmat);
  BN_CALL(t->ctx, bn_tensor_gather(t, x, t->xf));
  if (u != x) BN_CALL(t->ctx, bn_tensor_gather(t, u, t->uf));
  const double *uf = u == x ? t->xf : t->uf;
  double qp = 0.0;
  if (nl > 0) {
    cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)(nl * n * n), (int)n, 1.0, tl,
                (int)n, t->xf, 1, 0.0, t->w1, 1);
    cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)(nl * n), (int)n, 1.0, t->w1,
                (int)n, t->xf, 1, 0.0, t->w2, 1);
    cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)nl, (int)n, 1.0, t->w2,
                (int)n, uf, 1, 0.0, y, 1);
    for (bn_idx_t i = 0; i < nl; i++)
      qp += x[i] * cblas_ddot((int)n, t->w2 + i * n, 1, t->xf, 1);
  }
  t->red[nr] = qp;
  BN_CALL(t->ctx, bn_tensor_reduce(t, nr + 1));
  *q = t->red[nr];
  return BN_OK;
}

bn_status_t bn_tensor_apply(bn_tensor_t *t, const double *x, const double *u,
                            double *y, double *q) {
  const int J = t->found, ld = t->target;
  const bn_idx_t nl = t->nl;
  const bool same = u == x;
  /* The kept components' partial products d = B^T x, h = B^T u travel in
   * the same allreduce as the form's own. */
  double *d = t->red, *h = same ? d : d + J;
  size_t nr = (same ? 1 : 2) * (size_t)J;
  memset(t->red, 0, nr * sizeof(double));
  for (bn_idx_t i = 0; i < nl; i++)
    for (int j = 0; j < J; j++) {
      d[j] += t->b[i * ld + j] * x[i];
      if (!same) h[j] += t->b[i * ld + j] * u[i];
    }
  bn_timer_start(t->ctx, t->t_apply);
  bn_status_t st;
  if (t->form == BN_TENSOR_COMPONENTS)
    st = bn_tensor_apply_comp(t, x, u, nr, y, q);
  else if (t->form == BN_TENSOR_SAMPLES)
    st = bn_tensor_apply_samp(t, x, u, nr, y, q);
  else
    st = bn_tensor_apply_expl(t, x, u, nr, y, q);
  bn_timer_stop(t->ctx, t->t_apply);
  BN_CALL(t->ctx, st);
  for (int j = 0; j < J; j++) *q -= t->mu[j] * d[j] * d[j] * d[j] * d[j];
  for (bn_idx_t i = 0; i < nl; i++)
    for (int j = 0; j < J; j++)
      y[i] -= t->mu[j] * d[j] * d[j] * h[j] * t->b[i * ld + j];
  return BN_OK;
}

/* Collective: is x the point of the cached evaluation on every rank? */
static bn_status_t bn_tensor_cached(bn_tensor_t *t, const double *x,
                                    bool *hit) {
  int loc = t->cvalid &&
            (t->nl == 0 || !memcmp(x, t->cx, (size_t)t->nl * sizeof(double)));
  BN_MPI(t->ctx, MPI_Allreduce(MPI_IN_PLACE, &loc, 1, MPI_INT, MPI_MIN,
                               bn_ctx_comm(t->ctx)));
  *hit = loc != 0;
  return BN_OK;
}

/* y = T x^3 and q at x into the cache (a hit costs one small allreduce:
 * the power methods' sweep and the eval after it share the application). */
static bn_status_t bn_tensor_at(bn_tensor_t *t, const double *x, bool check) {
  bool hit = false;
  if (check) BN_CALL(t->ctx, bn_tensor_cached(t, x, &hit));
  if (hit) return BN_OK;
  t->cvalid = false;
  BN_CALL(t->ctx, bn_tensor_apply(t, x, x, t->cy, &t->cq));
  memcpy(t->cx, x, (size_t)t->nl * sizeof(double));
  t->cvalid = true;
  return BN_OK;
}

bn_status_t bn_tensor_eval(void *data, const double *x, double *f, double *g) {
  bn_tensor_t *t = data;
  BN_CALL(t->ctx, bn_tensor_at(t, x, t->method != BN_TENSOR_RGD));
  *f = -t->cq;
  if (g)
    for (bn_idx_t i = 0; i < t->nl; i++)
      g[i] = -4.0 * (t->cy[i] - t->cq * x[i]);
  return BN_OK;
}

bn_status_t bn_tensor_hvp(void *data, const double *x, const double *v,
                          double *hv) {
  bn_tensor_t *t = data;
  double q, a;
  BN_CALL(t->ctx, bn_tensor_apply(t, x, v, hv, &q));
  BN_CALL(t->ctx, bn_tensor_dot(t, x, hv, &a));
  for (bn_idx_t i = 0; i < t->nl; i++)
    hv[i] = -12.0 * (hv[i] - a * x[i]) + 4.0 * q * v[i];
  return BN_OK;
}

bn_status_t bn_tensor_retract(void *data, double *x) {
  bn_tensor_t *t = data;
  double nrm2;
  BN_CALL(t->ctx, bn_tensor_dot(t, x, x, &nrm2));
  if (!(nrm2 > 0) || !isfinite(nrm2))
    return BN_ERROR_ALL(t->ctx, BN_ERR_NUM,
                        "the iterate is zero or not finite: it cannot be "
                        "normalized onto the sphere");
  double s = 1.0 / sqrt(nrm2);
  for (bn_idx_t i = 0; i < t->nl; i++) x[i] *= s;
  return BN_OK;
}

bn_status_t bn_tensor_project(void *data, const double *x, double *v) {
  bn_tensor_t *t = data;
  double a;
  BN_CALL(t->ctx, bn_tensor_dot(t, x, v, &a));
  for (bn_idx_t i = 0; i < t->nl; i++) v[i] -= a * x[i];
  return BN_OK;
}

/* The trial x+ = (y + alpha x) / |y + alpha x| and its T x+^3 (into xt,
 * yt) with q+ = T(x+,x+,x+,x+); |w| = |y + alpha x| and |x+ - x|^2. */
static bn_status_t bn_tensor_trial(bn_tensor_t *t, const double *x,
                                   double alpha, double *qt, double *nw,
                                   double *dx2) {
  const bn_idx_t nl = t->nl;
  double w2;
  for (bn_idx_t i = 0; i < nl; i++) t->xt[i] = t->cy[i] + alpha * x[i];
  BN_CALL(t->ctx, bn_tensor_dot(t, t->xt, t->xt, &w2));
  *nw = sqrt(w2);
  if (*nw > 0 && isfinite(*nw))
    for (bn_idx_t i = 0; i < nl; i++) t->xt[i] /= *nw;
  else /* T x^3 = 0 and no shift: x is a critical point; stay */
    memcpy(t->xt, x, (size_t)nl * sizeof(double));
  BN_CALL(t->ctx, bn_tensor_apply(t, t->xt, t->xt, t->yt, qt));
  double d = 0.0;
  for (bn_idx_t i = 0; i < nl; i++) d += (t->xt[i] - x[i]) * (t->xt[i] - x[i]);
  BN_MPI(t->ctx,
         MPI_Allreduce(&d, dx2, 1, MPI_DOUBLE, MPI_SUM, bn_ctx_comm(t->ctx)));
  return BN_OK;
}

/* One power step, x <- (T x^3 + alpha x) / |.|. A fixed alpha (power:
 * 0) takes it as it is (Kolda and Mayo's SS-HOPM). The adaptive shift
 * accepts it when T(x,x,x,x) rises by at least 1e-4 of 2 |w| |x+ - x|^2,
 * the rise a convex shift guarantees, and otherwise doubles alpha (from
 * |T x^3|) and tries again: every accepted step goes up, and alpha stops
 * growing once the shifted function is convex near the iterates. */
bn_status_t bn_tensor_sweep(void *data, double *x) {
  bn_tensor_t *t = data;
  BN_CALL(t->ctx, bn_tensor_at(t, x, true));
  const bool adapt = t->shift < 0;
  double alpha = adapt ? t->alpha : t->shift, q = t->cq, qt = q;
  double nw = 0.0, dx2 = 0.0, ny2 = 0.0;
  if (adapt) BN_CALL(t->ctx, bn_tensor_dot(t, t->cy, t->cy, &ny2));
  for (int k = 0; k < 64; k++) {
    BN_CALL(t->ctx, bn_tensor_trial(t, x, alpha, &qt, &nw, &dx2));
    if (!adapt) break;
    double tol = 1e-12 * (fabs(q) + sqrt(ny2));
    if (qt - q >= 1e-4 * 2.0 * nw * dx2 - tol) break;
    alpha = alpha > 0 ? 2.0 * alpha : fmax(sqrt(ny2), DBL_MIN);
  }
  if (adapt) t->alpha = alpha;
  memcpy(x, t->xt, (size_t)t->nl * sizeof(double));
  memcpy(t->cx, t->xt, (size_t)t->nl * sizeof(double));
  memcpy(t->cy, t->yt, (size_t)t->nl * sizeof(double));
  t->cq = qt;
  t->cvalid = true;
  return BN_OK;
}

/* The distance of x to the nearest true component: the sine of the angle
 * (the sign of a component is a symmetry). */
bn_status_t bn_tensor_metrics(void *data, const double *x, double *rel,
                              double *rmse) {
  bn_tensor_t *t = data;
  *rel = NAN;
  *rmse = NAN;
  if (!t->truth) return BN_OK;
  const int kt = t->kt;
  double *c = t->mbuf;
  memset(c, 0, ((size_t)kt + 1) * sizeof(double));
  const double *a = bn_dmat_cdata(t->truth);
  for (bn_idx_t i = 0; i < t->nl; i++) {
    for (int j = 0; j < kt; j++) c[j] += a[i * kt + j] * x[i];
    c[kt] += x[i] * x[i];
  }
  BN_CALL(t->ctx, bn_allreduce_sum(t->ctx, c, (size_t)kt + 1));
  double best = 0.0;
  for (int j = 0; j < kt; j++) best = fmax(best, c[j] * c[j]);
  *rel = c[kt] > 0 ? sqrt(fmax(0.0, 1.0 - best / c[kt])) : 1.0;
  return BN_OK;
}

/* The truth as a point: the true component with the lowest objective
 * -T(a, a, a, a) (the global minimizer; each component is a local one),
 * normalised; its sign copy -a is the symmetric copy. */
bn_status_t bn_tensor_truth(void *data, double *x, bool *have) {
  bn_tensor_t *t = data;
  *have = t->truth != NULL;
  if (!t->truth) return BN_OK;
  const int kt = t->kt;
  const double *a = bn_dmat_cdata(t->truth);
  double best = INFINITY;
  int jb = 0;
  for (int j = 0; j < kt; j++) {
    for (bn_idx_t i = 0; i < t->nl; i++) x[i] = a[i * kt + j];
    double f = INFINITY;
    BN_CALL(t->ctx, bn_tensor_retract(t, x));
    BN_CALL(t->ctx, bn_tensor_eval(t, x, &f, NULL));
    if (f < best) best = f, jb = j; /* the same f on every rank */
  }
  for (bn_idx_t i = 0; i < t->nl; i++) x[i] = a[i * kt + jb];
  return bn_tensor_retract(t, x);
}
