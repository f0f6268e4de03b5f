/* benign -- products, reductions and redistribution of row-partitioned
 * dense matrices. Local products go through cblas (row-major); a global
 * result is one allreduce of the local contributions. */
#include <cblas.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "benign/ctx.h"
#include "benign/dmat.h"
#include "benign/error.h"
#include "linalg/dmat_impl.h"

bn_status_t bn_row_type(bn_ctx_t *ctx, int k, MPI_Datatype *type) {
  BN_MPI(ctx, MPI_Type_contiguous(k, MPI_DOUBLE, type));
  int rc = MPI_Type_commit(type);
  if (rc != MPI_SUCCESS) {
    MPI_Type_free(type);
    return BN_ERROR(ctx, BN_ERR_MPI, "MPI_Type_commit failed");
  }
  return BN_OK;
}

bn_status_t bn_check_int(bn_ctx_t *ctx, bn_idx_t v, const char *what) {
  if (v < 0 || v > INT_MAX)
    return BN_ERROR(ctx, BN_ERR_ARG, "%s (%lld) does not fit an MPI count",
                    what, (long long)v);
  return BN_OK;
}

bn_status_t bn_dmat_mul_small(const bn_dmat_t *a, const double *s, int kc,
                              bn_dmat_t *c) {
  bn_ctx_t *ctx = a->ctx;
  if (c->ncols != kc || c->nlocal != a->nlocal || c->first != a->first)
    return BN_ERROR(ctx, BN_ERR_ARG,
                    "bn_dmat_mul_small: C must be %lld x %d on A's rows",
                    (long long)a->nlocal, kc);
  size_t n = bn_dmat_local_size(c);
  if (n == 0) return BN_OK;
  if (a->ncols == 0) {
    bn_dmat_zero(c);
    return BN_OK;
  }
  /* C may be A itself (square S): then multiply into a scratch copy. */
  double *dst = c->data;
  if (a == c) BN_CALL(ctx, bn_mallocn(ctx, n, sizeof(double), &dst));
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)a->nlocal, kc,
              a->ncols, 1.0, a->data, a->ncols, s, kc, 0.0, dst, kc);
  if (dst != c->data) {
    memcpy(c->data, dst, n * sizeof(double));
    free(dst);
  }
  return BN_OK;
}

bn_status_t bn_dmat_gram_local(const bn_dmat_t *a, const bn_dmat_t *b,
                               double *out) {
  if (a->nlocal != b->nlocal || a->first != b->first)
    return BN_ERROR(a->ctx, BN_ERR_ARG, "bn_dmat_gram: row layouts differ");
  if (a->nlocal == 0 || a->ncols == 0 || b->ncols == 0) return BN_OK;
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, a->ncols, b->ncols,
              (int)a->nlocal, 1.0, a->data, a->ncols, b->data, b->ncols, 1.0,
              out, b->ncols);
  return BN_OK;
}

/* Not collective: whether a and b have the same rows on *every* rank.
 * This looks only at replicated data (the offsets), so all ranks reach the
 * same verdict and a mismatch needs no extra agreement round before the
 * reduction -- these calls sit in every solver iteration. */
static bn_status_t check_same_rows(const bn_dmat_t *a, const bn_dmat_t *b,
                                   const char *what) {
  if (a->dist == b->dist) return BN_OK;
  int p = bn_ctx_size(a->ctx);
  for (int q = 0; q <= p; q++)
    if (bn_dist_offset(a->dist, q) != bn_dist_offset(b->dist, q))
      return BN_ERROR(a->ctx, BN_ERR_ARG, "%s: row distributions differ", what);
  return BN_OK;
}

bn_status_t bn_dmat_gram(const bn_dmat_t *a, const bn_dmat_t *b, double *out) {
  BN_CALL(a->ctx, check_same_rows(a, b, "bn_dmat_gram"));
  size_t n = (size_t)a->ncols * (size_t)b->ncols;
  if (n) memset(out, 0, n * sizeof(double));
  BN_CALL(a->ctx, bn_dmat_gram_local(a, b, out));
  BN_CALL(a->ctx, bn_allreduce_sum(a->ctx, out, n));
  return BN_OK;
}

bn_status_t bn_dmat_dot(const bn_dmat_t *a, const bn_dmat_t *b, double *out) {
  BN_CALL(a->ctx, check_same_rows(a, b, "bn_dmat_dot"));
  if (a->ncols != b->ncols)
    return BN_ERROR(a->ctx, BN_ERR_ARG, "bn_dmat_dot: %d vs %d columns",
                    a->ncols, b->ncols);
  size_t n = bn_dmat_local_size(a);
  double sum = 0.0;
  for (size_t i = 0; i < n; i++) sum += a->data[i] * b->data[i];
  BN_CALL(a->ctx, bn_allreduce_sum(a->ctx, &sum, 1));
  *out = sum;
  return BN_OK;
}

bn_status_t bn_dmat_nrm2(const bn_dmat_t *a, double *out) {
  double sq;
  BN_CALL(a->ctx, bn_dmat_dot(a, a, &sq));
  *out = sqrt(sq);
  return BN_OK;
}

bn_status_t bn_allreduce_sum(bn_ctx_t *ctx, double *buf, size_t n) {
  /* MPI counts are int: reduce very long buffers in chunks. */
  while (n > 0) {
    int chunk = n > (size_t)INT_MAX ? INT_MAX : (int)n;
    BN_MPI(ctx, MPI_Allreduce(MPI_IN_PLACE, buf, chunk, MPI_DOUBLE, MPI_SUM,
                              bn_ctx_comm(ctx)));
    buf += chunk;
    n -= (size_t)chunk;
  }
  return BN_OK;
}

/* Rows of [lo, hi) that also lie in [lo2, hi2): the count (>= 0) and, in
 * *start, the first shared row. */
static bn_idx_t overlap(bn_idx_t lo, bn_idx_t hi, bn_idx_t lo2, bn_idx_t hi2,
                        bn_idx_t *start) {
  bn_idx_t s = lo > lo2 ? lo : lo2, e = hi < hi2 ? hi : hi2;
  *start = s;
  return e > s ? e - s : 0;
}

/* Both distributions are known everywhere, so each rank derives its send
 * and receive counts from the offsets: one MPI_Alltoallv, no handshake.
 * Rows stay in global order, so every message is one contiguous block. */
static bn_status_t redistribute_counts(const bn_dist_t *from,
                                       const bn_dist_t *to, int p, int me,
                                       int *cnt) {
  bn_ctx_t *ctx = bn_dist_ctx(from);
  int *scount = cnt, *sdispl = cnt + p, *rcount = cnt + 2 * p,
      *rdispl = cnt + 3 * p;
  bn_idx_t mylo = bn_dist_offset(from, me), myhi = bn_dist_offset(from, me + 1);
  bn_idx_t tolo = bn_dist_offset(to, me), tohi = bn_dist_offset(to, me + 1);
  BN_CALL(ctx, bn_check_int(ctx, myhi - mylo, "local rows"));
  BN_CALL(ctx, bn_check_int(ctx, tohi - tolo, "local rows"));
  for (int q = 0; q < p; q++) {
    bn_idx_t s;
    bn_idx_t n = overlap(mylo, myhi, bn_dist_offset(to, q),
                         bn_dist_offset(to, q + 1), &s);
    scount[q] = (int)n;
    sdispl[q] = (int)(n ? s - mylo : 0);
    n = overlap(tolo, tohi, bn_dist_offset(from, q),
                bn_dist_offset(from, q + 1), &s);
    rcount[q] = (int)n;
    rdispl[q] = (int)(n ? s - tolo : 0);
  }
  return BN_OK;
}

bn_status_t bn_dmat_redistribute(const bn_dmat_t *a, bn_dist_t *dist,
                                 bn_dmat_t **out) {
  bn_ctx_t *ctx = a->ctx;
  int p = bn_ctx_size(ctx), me = bn_ctx_rank(ctx);
  *out = NULL;
  if (bn_dist_global(dist) != bn_dist_global(a->dist))
    return BN_ERROR(ctx, BN_ERR_ARG,
                    "bn_dmat_redistribute: %lld rows onto a distribution of "
                    "%lld",
                    (long long)bn_dist_global(a->dist),
                    (long long)bn_dist_global(dist));
  bn_dmat_t *b = NULL;
  int *cnt = NULL;
  MPI_Datatype row = MPI_DATATYPE_NULL;
  BN_CALL(ctx, bn_dmat_create(dist, a->ncols, &b));
  bn_status_t st =
      bn_mallocn(ctx, bn_size_mul(4, (size_t)p), sizeof(int), &cnt);
  if (st == BN_OK) st = redistribute_counts(a->dist, dist, p, me, cnt);
  if (st == BN_OK && a->ncols > 0) st = bn_row_type(ctx, a->ncols, &row);
  st = bn_agree(ctx, st);
  if (st == BN_OK && a->ncols > 0 &&
      MPI_Alltoallv(a->data, cnt, cnt + p, row, b->data, cnt + 2 * p,
                    cnt + 3 * p, row, bn_ctx_comm(ctx)) != MPI_SUCCESS)
    st = BN_ERROR(ctx, BN_ERR_MPI, "MPI_Alltoallv of rows failed");
  if (row != MPI_DATATYPE_NULL) MPI_Type_free(&row);
  free(cnt);
  if (st != BN_OK) {
    bn_dmat_destroy(b);
    return bn_error_trace(ctx, st, __FILE__, __LINE__);
  }
  *out = b;
  return BN_OK;
}
