/* benign -- randomized truncated SVD (Halko, Martinsson, Tropp 2011).
 *
 * With k = r + oversample: Y = A Omega for a Gaussian Omega keyed by global
 * index, orthonormalised (Q); `power` subspace iterations Q <- qr(A qr(A^T
 * Q)) sharpen the range for slowly decaying spectra. Then B^T = A^T Q =
 * Qb Rb (QR again) and Rb = Ur S Vr^T (small SVD), so
 *   A ~ Q B = Q Rb^T Qb^T = (Q Vr) S (Qb Ur)^T.
 * Everything big stays row-partitioned; only k x k factors are
 * replicated. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "benign/ctx.h"
#include "benign/dense.h"
#include "benign/error.h"
#include "benign/rng.h"

/* Collective: the small SVD on rank 0, broadcast so that every rank builds
 * U and V from bit-identical factors. Each singular pair's sign is fixed by
 * making the largest-magnitude entry of Vr's column positive (first one on
 * ties), a rule that does not depend on the process count. */
static bn_status_t small_factors(bn_ctx_t *ctx, int k, const double *rb,
                                 double *ur, double *sv, double *vrt) {
  bn_status_t st = BN_OK;
  if (bn_ctx_rank(ctx) == 0) st = bn_small_svd(ctx, k, k, rb, ur, sv, vrt);
  BN_CALL(ctx, bn_agree(ctx, st));
  MPI_Comm comm = bn_ctx_comm(ctx);
  BN_MPI(ctx, MPI_Bcast(ur, k * k, MPI_DOUBLE, 0, comm));
  BN_MPI(ctx, MPI_Bcast(sv, k, MPI_DOUBLE, 0, comm));
  BN_MPI(ctx, MPI_Bcast(vrt, k * k, MPI_DOUBLE, 0, comm));
  for (int j = 0; j < k; j++) {
    int imax = 0;
    for (int i = 1; i < k; i++)
      if (fabs(vrt[j * k + i]) > fabs(vrt[j * k + imax])) imax = i;
    if (vrt[j * k + imax] >= 0.0) continue;
    for (int i = 0; i < k; i++) {
      vrt[j * k + i] = -vrt[j * k + i]; /* column j of Vr */
      ur[i * k + j] = -ur[i * k + j];   /* column j of Ur */
    }
  }
  return BN_OK;
}

/* Collective: y = A x then y = qr(y) (Q only). */
static bn_status_t apply_qr(const bn_linop_t *a, int transpose,
                            const bn_dmat_t *x, bn_dmat_t *y, double *r) {
  bn_ctx_t *ctx = bn_dmat_ctx(y);
  if (transpose)
    BN_CALL(ctx, a->apply_t(a->data, x, y));
  else
    BN_CALL(ctx, a->apply(a->data, x, y));
  BN_CALL(ctx, bn_dmat_qr(y, r));
  return BN_OK;
}

bn_status_t bn_rsvd(bn_ctx_t *ctx, const bn_linop_t *a, int r, int oversample,
                    int power, uint64_t seed, bn_dmat_t **u, double *s,
                    bn_dmat_t **v) {
  *u = NULL;
  *v = NULL;
  bn_idx_t kmax = a->rows < a->cols ? a->rows : a->cols;
  if (r < 1 || oversample < 0 || power < 0 || r > kmax)
    return BN_ERROR(ctx, BN_ERR_ARG,
                    "bn_rsvd: r = %d, oversample = %d, power = %d for a "
                    "%lld x %lld operator",
                    r, oversample, power, (long long)a->rows,
                    (long long)a->cols);
  /* The sketch cannot be wider than the operator's smaller side. */
  int k = (bn_idx_t)(r + oversample) < kmax ? r + oversample : (int)kmax;
  if (bn_dist_global(a->row_dist) != a->rows ||
      bn_dist_global(a->col_dist) != a->cols)
    return BN_ERROR(ctx, BN_ERR_ARG,
                    "bn_rsvd: operator shape does not match its distributions");
  bn_dmat_t *y = NULL, *z = NULL;
  double *buf = NULL, *rb = NULL, *ur = NULL, *vrt = NULL, *w = NULL,
         *sv = NULL;
  bn_status_t st = bn_dmat_create(a->row_dist, k, &y);
  if (st == BN_OK) st = bn_dmat_create(a->col_dist, k, &z);
  if (st == BN_OK)
    st = bn_agree(
        ctx, bn_mallocn(
                 ctx, bn_size_add(bn_size_mul(bn_size_mul(4, (size_t)k), k), k),
                 sizeof(double), &buf));
  if (st != BN_OK) goto cleanup;
  rb = buf;
  ur = rb + k * k;
  vrt = ur + k * k;
  w = vrt + k * k;
  sv = w + k * k;

  /* Range finder: Q = qr(A Omega), Omega stored in z. */
  bn_dmat_fill_normal(z, seed, BN_STREAM_SKETCH, 1.0);
  st = apply_qr(a, 0, z, y, NULL);
  for (int it = 0; it < power && st == BN_OK; it++) {
    st = apply_qr(a, 1, y, z, NULL);
    if (st == BN_OK) st = apply_qr(a, 0, z, y, NULL);
  }
  /* B^T = A^T Q = Qb Rb; z becomes Qb. */
  if (st == BN_OK) st = apply_qr(a, 1, y, z, rb);
  if (st == BN_OK) st = small_factors(ctx, k, rb, ur, sv, vrt);
  if (st != BN_OK) goto cleanup;

  /* U = Q Vr[:, :r], V = Qb Ur[:, :r]. */
  st = bn_dmat_create(a->row_dist, r, u);
  if (st == BN_OK) st = bn_dmat_create(a->col_dist, r, v);
  if (st != BN_OK) goto cleanup;
  for (int i = 0; i < k; i++)
    for (int c = 0; c < r; c++) w[i * r + c] = vrt[c * k + i];
  st = bn_dmat_mul_small(y, w, r, *u);
  for (int i = 0; i < k && st == BN_OK; i++)
    for (int c = 0; c < r; c++) w[i * r + c] = ur[i * k + c];
  if (st == BN_OK) st = bn_dmat_mul_small(z, w, r, *v);
  if (st == BN_OK) memcpy(s, sv, (size_t)r * sizeof(double));

cleanup:
  free(buf);
  bn_dmat_destroy(y);
  bn_dmat_destroy(z);
  if (st != BN_OK) {
    bn_dmat_destroy(*u);
    bn_dmat_destroy(*v);
    *u = NULL;
    *v = NULL;
    return bn_error_trace(ctx, st, __FILE__, __LINE__);
  }
  return BN_OK;
}
