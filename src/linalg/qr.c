/* benign -- thin QR of a tall-skinny row-partitioned matrix.
 *
 * The matrix goes to a P x 1 process column with one row block per process
 * and all k columns in one block: pdgeqrf on that layout reduces the panel
 * across the process column, the tall-skinny (TSQR-like) case. pdorgqr
 * then forms the explicit Q. R is made to have a nonnegative diagonal,
 * which makes the factorisation unique, hence the same on any number of
 * processes. */
#include <stdlib.h>
#include <string.h>

#include "benign/ctx.h"
#include "benign/error.h"
#include "linalg/bcmat_impl.h"
#include "linalg/dmat_impl.h"
#include "linalg/scalapack_decl.h"

/* Collective: run pdgeqrf (which = 0) or pdorgqr (which = 1), first as a
 * workspace query. The allocation is agreed between the two calls, which
 * both involve every process; a nonzero info is agreed as BN_ERR_LIB. */
static void qr_call(int which, bn_bcmat_t *col, double *tau, double *work,
                    int lwork, int *info) {
  int m = col->desc[BN_DESC_M], n = col->desc[BN_DESC_N], one = 1;
  if (which == 0)
    pdgeqrf_(&m, &n, col->data, &one, &one, col->desc, tau, work, &lwork, info);
  else
    pdorgqr_(&m, &n, &n, col->data, &one, &one, col->desc, tau, work, &lwork,
             info);
}

static bn_status_t qr_step(bn_ctx_t *ctx, int which, bn_bcmat_t *col,
                           double *tau) {
  const char *name = which == 0 ? "pdgeqrf" : "pdorgqr";
  double query = 0.0, *work = NULL;
  int info = 0;
  qr_call(which, col, tau, &query, -1, &info);
  bn_status_t st = BN_OK;
  if (info != 0)
    st = BN_ERROR(ctx, BN_ERR_LIB, "%s workspace query failed (info %d)", name,
                  info);
  int lwork = (int)query + 1;
  if (st == BN_OK) st = bn_mallocn(ctx, (size_t)lwork, sizeof(double), &work);
  BN_CALL(ctx, bn_agree(ctx, st));
  qr_call(which, col, tau, work, lwork, &info);
  free(work);
  if (info != 0)
    st = BN_ERROR(ctx, BN_ERR_LIB, "%s failed (info %d)", name, info);
  BN_CALL(ctx, bn_agree(ctx, st));
  return BN_OK;
}

/* Collective: R's upper triangle sits in the top k rows of the factored
 * matrix, possibly spread over several processes when ceil(N/P) < k. Each
 * process writes the entries it holds into a zeroed k x k buffer and one
 * allreduce assembles it; every entry has one nonzero contribution, so the
 * sum is exact and identical everywhere. */
static bn_status_t gather_r(bn_ctx_t *ctx, const bn_bcmat_t *col, double *r) {
  int k = col->desc[BN_DESC_N], mb = col->desc[BN_DESC_MB];
  int lld = col->desc[BN_DESC_LLD];
  memset(r, 0, (size_t)k * (size_t)k * sizeof(double));
  for (int i = 0; i < col->lrows; i++) {
    int gi = col->myrow * mb + i; /* one block per process row */
    if (gi >= k) break;
    for (int j = gi; j < k; j++) r[gi * k + j] = col->data[i + (size_t)j * lld];
  }
  BN_CALL(ctx, bn_allreduce_sum(ctx, r, (size_t)k * (size_t)k));
  return BN_OK;
}

/* Not collective: flip signs so that diag(R) >= 0; Q's columns follow. */
static void fix_signs(bn_dmat_t *q, double *r) {
  int k = q->ncols;
  for (int j = 0; j < k; j++) {
    if (r[j * k + j] >= 0.0) continue;
    for (int c = j; c < k; c++) r[j * k + c] = -r[j * k + c];
    for (bn_idx_t i = 0; i < q->nlocal; i++) q->data[i * k + j] *= -1.0;
  }
}

bn_status_t bn_dmat_qr(bn_dmat_t *a, double *r) {
  bn_ctx_t *ctx = a->ctx;
  int k = a->ncols;
  bn_idx_t n = bn_dist_global(a->dist);
  if (n < k || k < 1)
    return BN_ERROR(ctx, BN_ERR_ARG, "bn_dmat_qr needs N >= k >= 1 (%lld x %d)",
                    (long long)n, k);
  bn_bcmat_t *col = NULL;
  double *tau = NULL, *rr = NULL;
  BN_CALL(ctx, bn_dmat_to_col(a, &col));
  bn_status_t st = bn_mallocn(ctx, (size_t)k, sizeof(double), &tau);
  if (st == BN_OK)
    st =
        bn_mallocn(ctx, bn_size_mul((size_t)k, (size_t)k), sizeof(double), &rr);
  st = bn_agree(ctx, st);
  if (st == BN_OK) st = qr_step(ctx, 0, col, tau);
  if (st == BN_OK) st = gather_r(ctx, col, rr);
  if (st == BN_OK) st = qr_step(ctx, 1, col, tau);
  if (st == BN_OK) st = bn_col_to_dmat(col, a);
  if (st == BN_OK) {
    fix_signs(a, rr);
    if (r) memcpy(r, rr, (size_t)k * (size_t)k * sizeof(double));
  }
  free(rr);
  free(tau);
  bn_bcmat_destroy(col);
  return st == BN_OK ? BN_OK : bn_error_trace(ctx, st, __FILE__, __LINE__);
}
