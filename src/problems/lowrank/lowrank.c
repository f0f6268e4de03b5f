/* Shared low-rank pieces: Grams, balancing, error to the ground truth. */
#include "problems/lowrank/lowrank.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

bn_status_t bn_gram_local(int r, bn_idx_t n, const double *a, const double *b,
                          double *out) {
  if (n > 0 && a == b) { /* symmetric: half the products, then mirrored */
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, r, (int)n, 1.0, a, r,
                1.0, out, r);
    for (int i = 0; i < r; i++)
      for (int j = i + 1; j < r; j++) out[j * r + i] = out[i * r + j];
  } else if (n > 0) {
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, r, r, (int)n, 1.0, a,
                r, b, r, 1.0, out, r);
  }
  return BN_OK;
}

double bn_lr_balance(int r, double *guu, const double *gvv) {
  double bal = 0.0;
  for (int a = 0; a < r * r; a++) {
    guu[a] -= gvv[a];
    bal += guu[a] * guu[a];
  }
  return bal / 8;
}

void bn_lr_balance_grad(int r, bn_idx_t nu, const double *u, bn_idx_t nv,
                        const double *v, const double *d, double *gu,
                        double *gv) {
  if (nu > 0)
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)nu, r, r, 0.5,
                u, r, d, r, 1.0, gu, r);
  if (nv > 0)
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)nv, r, r, -0.5,
                v, r, d, r, 1.0, gv, r);
}

void bn_lr_balance_hvp(int r, bn_idx_t nu, const double *u, const double *du,
                       bn_idx_t nv, const double *v, const double *dv,
                       const double *d, double *gdu, const double *gdv,
                       double *hu, double *hv) {
  for (int a = 0; a < r * r; a++) gdu[a] -= gdv[a];
  for (int a = 0; a < r; a++) /* dD = E + E^T */
    for (int b = a; b < r; b++) {
      double s = gdu[a * r + b] + gdu[b * r + a];
      gdu[a * r + b] = gdu[b * r + a] = s;
    }
  if (nu > 0) {
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)nu, r, r, 0.5,
                du, r, d, r, 1.0, hu, r);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)nu, r, r, 0.5,
                u, r, gdu, r, 1.0, hu, r);
  }
  if (nv > 0) {
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)nv, r, r, -0.5,
                dv, r, d, r, 1.0, hv, r);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)nv, r, r, -0.5,
                v, r, gdu, r, 1.0, hv, r);
  }
}

void bn_lr_truth_destroy(bn_lr_truth_t *t) {
  if (!t) return;
  bn_dmat_destroy(t->q);
  bn_dmat_destroy(t->y);
  free(t->rx);
  free(t->buf);
  free(t);
}

bn_status_t bn_lr_truth_read(bn_ctx_t *ctx, bn_h5_t *f, bn_dist_t *rdist,
                             bn_dist_t *cdist, bn_lr_truth_t **out) {
  int has_u, has_v, nd;
  bn_idx_t dims[4];
  *out = NULL;
  BN_CALL(ctx, bn_h5_exists(f, "/truth/U", &has_u));
  BN_CALL(ctx, bn_h5_exists(f, "/truth/V", &has_v));
  if (!has_u || !has_v) return BN_OK;
  bn_idx_t n1 = bn_dist_global(rdist), n2 = bn_dist_global(cdist);
  BN_CALL(ctx, bn_h5_shape(f, "/truth/U", &nd, dims));
  if (nd != 2 || dims[1] < 1 || dims[1] > n1 || dims[1] > n2)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: /truth/U must be rows x k with 1 <= k <= "
                        "min(rows, cols)",
                        bn_h5_path(f));
  bn_lr_truth_t *t = NULL;
  BN_CALL(ctx, bn_agree(ctx, bn_calloc(ctx, 1, sizeof(*t), &t)));
  bn_status_t st = bn_h5_read_dmat(f, "/truth/U", rdist, 0, &t->q);
  if (st == BN_OK) {
    t->k = bn_dmat_cols(t->q);
    st = bn_h5_read_dmat(f, "/truth/V", cdist, t->k, &t->y);
  }
  /* A NaN would make every relative error NaN, which reads as "no truth"
   * (rel_error silently gone, --rel-tol claiming there is none). */
  for (int m = 0; st == BN_OK && m < 2; m++) {
    const bn_dmat_t *a = m ? t->y : t->q;
    int64_t bad = -1;
    st = bn_lr_first_bad(ctx, bn_dmat_cdata(a),
                         (size_t)bn_dmat_local_rows(a) * (size_t)t->k,
                         bn_dmat_first_row(a), (size_t)t->k, &bad);
    if (st == BN_OK && bad >= 0)
      st = BN_ERROR_ALL(
          ctx, BN_ERR_DATA, "%s: %s row %lld holds a NaN or infinite value",
          bn_h5_path(f), m ? "/truth/V" : "/truth/U", (long long)bad);
  }
  if (st == BN_OK)
    st = bn_agree(ctx, bn_mallocn(ctx, bn_size_mul((size_t)t->k, t->k),
                                  sizeof(double), &t->rx));
  if (st == BN_OK) st = bn_dmat_qr(t->q, t->rx);
  if (st == BN_OK) { /* |X Y^T| = |Y Rx^T| */
    const int k = t->k;
    double loc = 0.0;
    const double *y = bn_dmat_cdata(t->y);
    for (bn_idx_t j = 0; j < bn_dmat_local_rows(t->y); j++)
      for (int a = 0; a < k; a++) {
        double s = 0.0;
        for (int b = a; b < k; b++) s += y[j * k + b] * t->rx[a * k + b];
        loc += s * s;
      }
    if (MPI_Allreduce(&loc, &t->norm2, 1, MPI_DOUBLE, MPI_SUM,
                      bn_ctx_comm(ctx)) != MPI_SUCCESS)
      st = BN_ERROR(ctx, BN_ERR_MPI, "MPI_Allreduce failed (truth norm)");
  }
  if (st != BN_OK) {
    bn_lr_truth_destroy(t);
    return st;
  }
  *out = t;
  return BN_OK;
}

/* Relative error |U V^T - X Y^T| / |X Y^T| with X = Qx Rx, split as
 *   |E|^2 = |Qx^T E|^2 + |(I - Qx Qx^T) E|^2
 *         = |V A^T - Y Rx^T|^2 + tr(Up^T Up V^T V),
 * A = Qx^T U, Up = U - Qx A. Both terms are sums of squares of small
 * quantities, so the error is accurate far below sqrt(machine epsilon)
 * (expanding |U V^T|^2 - 2<.,.> + |X Y^T|^2 would cancel). */
bn_status_t bn_lr_truth_error(bn_ctx_t *ctx, bn_lr_truth_t *t, int r,
                              bn_idx_t nu, const double *u, bn_idx_t nv,
                              const double *v, double *rel) {
  const int k = t->k;
  const double *q = bn_dmat_cdata(t->q), *y = bn_dmat_cdata(t->y);
  size_t n = (size_t)(nu > nv ? nu : nv) * (size_t)(k > r ? k : r);
  size_t nred = 1 + 2 * (size_t)r * r;
  if (t->buf && t->buf_r != r) { /* sized for another rank */
    free(t->buf);
    t->buf = NULL;
  }
  t->buf_r = r;
  if (!t->buf)
    BN_CALL(ctx,
            bn_agree(ctx, bn_mallocn(ctx,
                                     bn_size_add(
                                         bn_size_add(bn_size_add(n, nred),
                                                     bn_size_mul((size_t)k, r)),
                                         1),
                                     sizeof(double), &t->buf)));
  double *a = t->buf, *red = a + (size_t)k * r, *w = red + nred;
  memset(a, 0, ((size_t)k * r + nred) * sizeof(double));
  if (nu > 0)
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, k, r, (int)nu, 1.0, q,
                k, u, r, 0.0, a, r);
  BN_MPI(ctx, MPI_Allreduce(MPI_IN_PLACE, a, k * r, MPI_DOUBLE, MPI_SUM,
                            bn_ctx_comm(ctx)));
  /* red = [|W|^2, Up^T Up (r r), V^T V (r r)] (local parts) */
  double *gp = red + 1, *gv = gp + r * r;
  if (nv > 0) { /* W = V A^T - Y Rx^T */
    memcpy(w, y, (size_t)nv * k * sizeof(double));
    cblas_dtrmm(CblasRowMajor, CblasRight, CblasUpper, CblasTrans, CblasNonUnit,
                (int)nv, k, 1.0, t->rx, k, w, k);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)nv, k, r, 1.0, v,
                r, a, r, -1.0, w, k);
    for (size_t i = 0; i < (size_t)nv * k; i++) red[0] += w[i] * w[i];
  }
  if (nu > 0) { /* Up = U - Q A */
    memcpy(w, u, (size_t)nu * r * sizeof(double));
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)nu, r, k, -1.0,
                q, k, a, r, 1.0, w, r);
    bn_gram_local(r, nu, w, w, gp);
  }
  bn_gram_local(r, nv, v, v, gv);
  BN_MPI(ctx, MPI_Allreduce(MPI_IN_PLACE, red, (int)nred, MPI_DOUBLE, MPI_SUM,
                            bn_ctx_comm(ctx)));
  double e2 = red[0];
  for (int b = 0; b < r * r; b++) e2 += gp[b] * gv[b]; /* tr(Gp Gv) */
  *rel = sqrt(fmax(e2, 0.0) / t->norm2);
  return BN_OK;
}

bn_status_t bn_lr_save_uv(bn_ctx_t *ctx, bn_h5_t *f, const char *prefix,
                          bn_dist_t *udist, bn_dist_t *vdist, int r,
                          const double *x) {
  bn_dmat_t *u = NULL, *v = NULL;
  char name[256];
  bn_idx_t nu = bn_dist_local(udist);
  bn_status_t st = bn_dmat_create(udist, r, &u);
  if (st == BN_OK && vdist) st = bn_dmat_create(vdist, r, &v);
  st = bn_agree(ctx, st);
  if (st == BN_OK) {
    memcpy(bn_dmat_data(u), x, (size_t)nu * r * sizeof(double));
    snprintf(name, sizeof(name), "%sU", prefix);
    st = bn_h5_write_dmat(f, name, u);
  }
  if (st == BN_OK && vdist) {
    memcpy(bn_dmat_data(v), x + nu * r,
           (size_t)bn_dist_local(vdist) * r * sizeof(double));
    snprintf(name, sizeof(name), "%sV", prefix);
    st = bn_h5_write_dmat(f, name, v);
  }
  bn_dmat_destroy(u);
  bn_dmat_destroy(v);
  return st;
}

bn_status_t bn_lr_save_shape(bn_h5_t *f, bn_idx_t n1, bn_idx_t n2, int r) {
  bn_status_t st = bn_h5_attr_set_i64(f, "/", "rows", n1);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "cols", n2);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "rank", r);
  return st;
}

bn_status_t bn_lr_load_uv(bn_h5_t *f, const char *prefix, bn_dist_t *udist,
                          bn_dist_t *vdist, int r, double *x) {
  bn_dmat_t *u = NULL, *v = NULL;
  char name[256];
  bn_idx_t nu = bn_dist_local(udist);
  snprintf(name, sizeof(name), "%sU", prefix);
  bn_status_t st = bn_h5_read_dmat(f, name, udist, r, &u);
  if (st == BN_OK && vdist) {
    snprintf(name, sizeof(name), "%sV", prefix);
    st = bn_h5_read_dmat(f, name, vdist, r, &v);
  }
  size_t len = (size_t)nu * r;
  if (st == BN_OK) {
    memcpy(x, bn_dmat_cdata(u), (size_t)nu * r * sizeof(double));
    if (vdist) {
      memcpy(x + nu * r, bn_dmat_cdata(v),
             (size_t)bn_dist_local(vdist) * r * sizeof(double));
      len += (size_t)bn_dist_local(vdist) * r;
    }
    /* A NaN in a start or a checkpoint would poison every later pass
     * (rpca's threshold search cannot order it): refuse it here. */
    size_t bad = len;
    for (size_t e = 0; e < len && bad == len; e++)
      if (!isfinite(x[e])) bad = e;
    if (bad < len)
      st = BN_ERROR(bn_h5_ctx(f), BN_ERR_DATA,
                    "%s: %sU/%sV hold a NaN or infinite value", bn_h5_path(f),
                    prefix, prefix);
    st = bn_agree(bn_h5_ctx(f), st);
  }
  bn_dmat_destroy(u);
  bn_dmat_destroy(v);
  return st;
}

void bn_lr_random_fill(uint64_t seed, double sigma, int r, bn_idx_t u0,
                       bn_idx_t nu, bn_idx_t v0, bn_idx_t nv, double *x) {
  double *xv = x + nu * r;
  for (bn_idx_t i = 0; i < nu * r; i++)
    x[i] = sigma *
           bn_rng_normal(seed, BN_STREAM_INIT_U, (uint64_t)(u0 * r + i), 0);
  for (bn_idx_t j = 0; j < nv * r; j++)
    xv[j] = sigma *
            bn_rng_normal(seed, BN_STREAM_INIT_V, (uint64_t)(v0 * r + j), 0);
}
