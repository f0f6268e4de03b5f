/* benign -- small replicated dense helpers (r x r Grams, k x k factors)
 * through LAPACK. The data is row-major; LAPACK reads it as the transpose,
 * which each routine below uses to its advantage instead of copying. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "benign/dense.h"
#include "benign/error.h"
#include "linalg/lapack_decl.h"

bn_status_t bn_small_chol(bn_ctx_t *ctx, int n, const double *a, double *r) {
  if (n < 0) return BN_ERROR(ctx, BN_ERR_ARG, "bn_small_chol: n = %d", n);
  if (n == 0) return BN_OK;
  /* A symmetric reads the same either way; the lower Cholesky factor L in
   * column-major storage is L^T = R in row-major storage. */
  int lda = n, info = 0;
  if (r != a) memcpy(r, a, (size_t)n * (size_t)n * sizeof(double));
  dpotrf_("L", &n, r, &lda, &info, 1);
  if (info > 0)
    return BN_ERROR(ctx, BN_ERR_NUM,
                    "matrix not positive definite (leading minor %d)", info);
  if (info < 0) return BN_ERROR(ctx, BN_ERR_LIB, "dpotrf: info %d", info);
  for (int i = 1; i < n; i++)
    for (int j = 0; j < i; j++) r[i * n + j] = 0.0;
  return BN_OK;
}

bn_status_t bn_small_svd(bn_ctx_t *ctx, int m, int n, const double *a,
                         double *u, double *s, double *vt) {
  if (m < n || n < 0)
    return BN_ERROR(ctx, BN_ERR_ARG, "bn_small_svd needs m >= n (%d x %d)", m,
                    n);
  if (n == 0) return BN_OK;
  /* LAPACK sees the row-major m x n A as the column-major n x m A^T =
   * V S U^T. Its left factor (n x n, column-major) is V, i.e. V^T in
   * row-major; its right factor U^T (n x m, column-major) is U in row-major.
   * So the outputs land in place with no transposition. */
  double *at = NULL, *work = NULL, query = 0.0;
  int ld = n, info = 0, lwork = -1;
  BN_CALL(ctx, bn_mallocn(ctx, bn_size_mul((size_t)m, (size_t)n),
                          sizeof(double), &at));
  memcpy(at, a, (size_t)m * (size_t)n * sizeof(double));
  dgesvd_("S", "S", &n, &m, at, &ld, s, vt, &ld, u, &ld, &query, &lwork, &info,
          1, 1);
  bn_status_t st = BN_OK;
  if (info == 0) {
    lwork = (int)query + 1;
    st = bn_mallocn(ctx, (size_t)lwork, sizeof(double), &work);
    if (st == BN_OK)
      dgesvd_("S", "S", &n, &m, at, &ld, s, vt, &ld, u, &ld, work, &lwork,
              &info, 1, 1);
  }
  /* LAPACK's signs of the singular pairs may flip under a rounding-level
   * change of A (say, Grams summed over another number of processes):
   * make each left vector's entry of largest magnitude positive, so the
   * factors built from them are the same on any process count. */
  for (int k = 0; st == BN_OK && info == 0 && k < n; k++) {
    int at_max = 0;
    for (int a = 1; a < m; a++)
      if (fabs(u[(size_t)a * n + k]) > fabs(u[(size_t)at_max * n + k]))
        at_max = a;
    if (u[(size_t)at_max * n + k] < 0) {
      for (int a = 0; a < m; a++) u[(size_t)a * n + k] = -u[(size_t)a * n + k];
      for (int b = 0; b < n; b++)
        vt[(size_t)k * n + b] = -vt[(size_t)k * n + b];
    }
  }
  if (st == BN_OK && info > 0)
    st = BN_ERROR(ctx, BN_ERR_NUM, "dgesvd did not converge (%d)", info);
  else if (st == BN_OK && info < 0)
    st = BN_ERROR(ctx, BN_ERR_LIB, "dgesvd: info %d", info);
  free(work);
  free(at);
  return st;
}

bn_status_t bn_small_spd_solve(bn_ctx_t *ctx, int n, double *a, int nrhs,
                               double *b) {
  if (n < 0 || nrhs < 0)
    return BN_ERROR(ctx, BN_ERR_ARG, "bn_small_spd_solve: n = %d, nrhs = %d", n,
                    nrhs);
  if (n == 0 || nrhs == 0) return BN_OK;
  /* The right-hand sides are rows of b: row-major nrhs x n is column-major
   * n x nrhs, as LAPACK wants. A is factored in a copy so callers may
   * reuse it (e.g. one Gram for several solves). */
  double *f = NULL;
  BN_CALL(ctx, bn_mallocn(ctx, bn_size_mul((size_t)n, (size_t)n),
                          sizeof(double), &f));
  memcpy(f, a, (size_t)n * (size_t)n * sizeof(double));
  int ld = n, info = 0;
  bn_status_t st = BN_OK;
  dpotrf_("L", &n, f, &ld, &info, 1);
  if (info > 0)
    st = BN_ERROR(ctx, BN_ERR_NUM,
                  "matrix not positive definite (leading minor %d)", info);
  else if (info < 0)
    st = BN_ERROR(ctx, BN_ERR_LIB, "dpotrf: info %d", info);
  if (st == BN_OK) {
    dpotrs_("L", &n, &nrhs, f, &ld, b, &ld, &info, 1);
    if (info != 0) st = BN_ERROR(ctx, BN_ERR_LIB, "dpotrs: info %d", info);
  }
  free(f);
  return st;
}
