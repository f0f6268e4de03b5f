/* Leading eigenvectors: A X, the objective and Riemannian gradient, the
 * polar retraction, the tangent projection, the Riemannian Hessian, the
 * principal-angle metric and the Ritz pairs (geometry in eig.h). */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "linalg/lapack_decl.h"
#include "problems/eig/eig.h"

bn_status_t bn_eig_apply(bn_eig_t *e, const double *in, int w, double *out) {
  bn_ctx_t *ctx = e->ctx;
  const int P = bn_ctx_size(ctx);
  const bn_idx_t nl = e->nl;
  bn_status_t st = BN_OK;
  bn_timer_start(ctx, e->t_apply);
  if (e->sparse) {
    const bn_obs_t *o = e->obs;
    st = bn_plan_gather(o->plan, in, w, e->full);
    for (bn_idx_t i = 0; i < nl && st == BN_OK; i++) {
      double *oi = out + i * w;
      memset(oi, 0, (size_t)w * sizeof(double));
      for (bn_idx_t q = o->rowptr[i]; q < o->rowptr[i + 1]; q++) {
        const double v = o->val[q], *g = e->full + (size_t)o->gcol[q] * w;
        for (int c = 0; c < w; c++) oi[c] += v * g[c];
      }
    }
  } else {
    for (int p = 0; p < P; p++) {
      e->wcnt[p] = e->cnt[p] * w;
      e->wdsp[p] = e->dsp[p] * w;
    }
    if (MPI_Allgatherv(in, (int)(nl * w), MPI_DOUBLE, e->full, e->wcnt, e->wdsp,
                       MPI_DOUBLE, bn_ctx_comm(ctx)) != MPI_SUCCESS)
      st = BN_ERROR(ctx, BN_ERR_MPI, "MPI_Allgatherv failed (rows of X)");
    if (st == BN_OK && nl > 0)
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)nl, w,
                  (int)e->n, 1.0, bn_dmat_cdata(e->amat), (int)e->n, e->full, w,
                  0.0, out, w);
  }
  bn_timer_stop(ctx, e->t_apply);
  return st;
}

bn_status_t bn_eig_gram(bn_eig_t *e, int k1, const double *a, int lda, int k2,
                        const double *b, int ldb, double *out) {
  bn_ctx_t *ctx = e->ctx;
  bn_timer_start(ctx, e->t_reduce);
  if (e->nl > 0)
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, k1, k2, (int)e->nl,
                1.0, a, lda, b, ldb, 0.0, out, k2);
  else
    memset(out, 0, (size_t)k1 * k2 * sizeof(double));
  bn_status_t st = bn_allreduce_sum(ctx, out, (size_t)k1 * k2);
  bn_timer_stop(ctx, e->t_reduce);
  return st;
}

bn_status_t bn_eig_small_syev(bn_ctx_t *ctx, int k, const double *a, double *w,
                              double *z) {
  /* A symmetric row-major matrix reads the same in column-major order. */
  double *c = NULL, *work = NULL, query = 0.0;
  int lwork = -1, info = 0;
  const char *jobz = z ? "V" : "N";
  BN_CALL(ctx, bn_mallocn(ctx, bn_size_mul((size_t)k, k), sizeof(double), &c));
  memcpy(c, a, (size_t)k * k * sizeof(double));
  dsyev_(jobz, "U", &k, c, &k, w, &query, &lwork, &info, 1, 1);
  bn_status_t st = BN_OK;
  if (info == 0) {
    lwork = (int)query + 1;
    st = bn_mallocn(ctx, (size_t)lwork, sizeof(double), &work);
    if (st == BN_OK) dsyev_(jobz, "U", &k, c, &k, w, work, &lwork, &info, 1, 1);
  }
  if (st == BN_OK && info != 0)
    st = BN_ERROR(ctx, info > 0 ? BN_ERR_NUM : BN_ERR_LIB,
                  "dsyev failed (info %d) on a %d x %d matrix", info, k, k);
  if (st == BN_OK) { /* ascending -> descending; column-major vectors */
    for (int j = 0; j < k / 2; j++) {
      double t = w[j];
      w[j] = w[k - 1 - j];
      w[k - 1 - j] = t;
    }
    if (z)
      for (int i = 0; i < k; i++)
        for (int j = 0; j < k; j++)
          z[i * k + j] = c[i + (size_t)(k - 1 - j) * k];
  }
  free(work);
  free(c);
  return st;
}

bn_status_t bn_eig_eval(void *data, const double *x, double *f, double *g) {
  bn_eig_t *e = data;
  const int k = e->k;
  double *ax = e->out, *m = e->small;
  BN_CALL(e->ctx, bn_eig_apply(e, x, k, ax));
  BN_CALL(e->ctx, bn_eig_gram(e, k, x, k, k, ax, k, m));
  double tr = 0.0;
  for (int a = 0; a < k; a++) tr += m[a * k + a];
  *f = -0.5 * tr;
  if (g && e->nl > 0) { /* g = -A X + X M */
    memcpy(g, ax, (size_t)e->nl * k * sizeof(double));
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)e->nl, k, k,
                1.0, x, k, m, k, -1.0, g, k);
  }
  return BN_OK;
}

bn_status_t bn_eig_retract(void *data, double *x) {
  bn_eig_t *e = data;
  bn_ctx_t *ctx = e->ctx;
  const int k = e->k;
  double *gm = e->small, *v = gm + k * k, *s = v + k * k, *lam = s + k * k;
  BN_CALL(ctx, bn_eig_gram(e, k, x, k, k, x, k, gm));
  bn_status_t st = BN_OK;
  if (k == 1) {
    lam[0] = gm[0];
  } else {
    st = bn_eig_small_syev(ctx, k, gm, lam, v);
  }
  /* lam descending: a point that lost rank cannot be retracted. */
  if (st == BN_OK && !(lam[k - 1] > 1e-14 * lam[0] && isfinite(lam[0])))
    st = BN_ERROR(ctx, BN_ERR_NUM,
                  "the iterate X lost rank (eigenvalues of X^T X from %.3g "
                  "to %.3g): cannot retract onto X^T X = I",
                  lam[0], lam[k - 1]);
  BN_CALL(ctx, bn_agree(ctx, st));
  if (k == 1) {
    double sc = 1.0 / sqrt(lam[0]);
    for (bn_idx_t i = 0; i < e->nl; i++) x[i] *= sc;
    return BN_OK;
  }
  /* S = V diag(lam^-1/2) V^T = (X^T X)^-1/2; X <- X S. */
  for (int a = 0; a < k; a++)
    for (int b = 0; b < k; b++) {
      double t = 0.0;
      for (int c = 0; c < k; c++)
        t += v[a * k + c] * v[b * k + c] / sqrt(lam[c]);
      s[a * k + b] = t;
    }
  if (e->nl > 0) {
    memcpy(e->out, x, (size_t)e->nl * k * sizeof(double));
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)e->nl, k, k,
                1.0, e->out, k, s, k, 0.0, x, k);
  }
  return BN_OK;
}

bn_status_t bn_eig_project(void *data, const double *x, double *v) {
  bn_eig_t *e = data;
  const int k = e->k;
  double *sm = e->small, *sy = sm + k * k;
  BN_CALL(e->ctx, bn_eig_gram(e, k, x, k, k, v, k, sm));
  for (int a = 0; a < k; a++)
    for (int b = 0; b < k; b++)
      sy[a * k + b] = 0.5 * (sm[a * k + b] + sm[b * k + a]);
  if (e->nl > 0) /* v -= X sym(X^T v) */
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)e->nl, k, k,
                -1.0, x, k, sy, k, 1.0, v, k);
  return BN_OK;
}

bn_status_t bn_eig_hvp(void *data, const double *x, const double *v,
                       double *hv) {
  bn_eig_t *e = data;
  const int k = e->k, k2 = 2 * k;
  const bn_idx_t nl = e->nl;
  double *m = e->small + 4 * k * k;
  for (bn_idx_t i = 0; i < nl; i++) { /* rows [x_i | v_i] */
    memcpy(e->in + i * k2, x + i * k, (size_t)k * sizeof(double));
    memcpy(e->in + i * k2 + k, v + i * k, (size_t)k * sizeof(double));
  }
  BN_CALL(e->ctx, bn_eig_apply(e, e->in, k2, e->out));
  BN_CALL(e->ctx, bn_eig_gram(e, k, x, k, k, e->out, k2, m));
  for (bn_idx_t i = 0; i < nl; i++) /* -A V */
    for (int a = 0; a < k; a++) hv[i * k + a] = -e->out[i * k2 + k + a];
  if (nl > 0) /* + V M */
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)nl, k, k, 1.0,
                v, k, m, k, 1.0, hv, k);
  return bn_eig_project(e, x, hv);
}

/* sin of the largest principal angle between span(X) and the span of the
 * first k truth columns: |X - T (T^T X)|_2, a norm of small quantities
 * (no 1 - cos^2 cancellation). With fewer truth columns (kt < k), the
 * angle of span(T) to span(X): |T - X (X^T T)|_2. */
bn_status_t bn_eig_metrics(void *data, const double *x, double *rel,
                           double *rmse) {
  bn_eig_t *e = data;
  bn_ctx_t *ctx = e->ctx;
  *rel = NAN;
  *rmse = NAN;
  if (!e->tx) return BN_OK;
  const int k = e->k, kt = e->kt;
  const double *t = bn_dmat_cdata(e->tx);
  const double *a = kt >= k ? t : x, *b = kt >= k ? x : t; /* W = b - a C */
  const int lda = kt >= k ? kt : k, ldb = kt >= k ? k : kt;
  const int wb = kt >= k ? k : kt; /* columns of b and W; a has k */
  double *w = NULL, *c = e->small, *gw = c + k * k, *lam = gw + k * k;
  BN_CALL(ctx,
          bn_agree(ctx, bn_mallocn(
                            ctx, bn_size_add(bn_size_mul((size_t)e->nl, wb), 1),
                            sizeof(double), &w)));
  bn_status_t st = bn_eig_gram(e, k, a, lda, wb, b, ldb, c);
  if (st == BN_OK) {
    for (bn_idx_t i = 0; i < e->nl; i++)
      memcpy(w + i * wb, b + i * ldb, (size_t)wb * sizeof(double));
    if (e->nl > 0)
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)e->nl, wb, k,
                  -1.0, a, lda, c, wb, 1.0, w, wb);
    st = bn_eig_gram(e, wb, w, wb, wb, w, wb, gw);
  }
  if (st == BN_OK) st = bn_eig_small_syev(ctx, wb, gw, lam, NULL);
  st = bn_agree(ctx, st);
  free(w);
  if (st == BN_OK) *rel = sqrt(fmax(lam[0], 0.0));
  return st;
}

bn_status_t bn_eig_ritz(bn_eig_t *e, const double *x, double *vals,
                        double *vec) {
  bn_ctx_t *ctx = e->ctx;
  const int k = e->k;
  double *m = e->small, *z = m + k * k;
  BN_CALL(ctx, bn_eig_apply(e, x, k, e->out));
  BN_CALL(ctx, bn_eig_gram(e, k, x, k, k, e->out, k, m));
  BN_CALL(ctx, bn_agree(ctx, bn_eig_small_syev(ctx, k, m, vals, z)));
  if (vec && e->nl > 0)
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)e->nl, k, k,
                1.0, x, k, z, k, 0.0, vec, k);
  return BN_OK;
}
