/* benign -- row-partitioned dense matrices: life cycle, accessors and the
 * purely local operations. Products and reductions are in dmat_ops.c. */
#include "benign/dmat.h"

#include <stdlib.h>
#include <string.h>

#include "benign/ctx.h"
#include "benign/error.h"
#include "benign/rng.h"
#include "linalg/dmat_impl.h"

/* Every rank calls this, so an allocation failure on one rank is agreed
 * here: callers can go straight on to collective calls. */
bn_status_t bn_dmat_create(bn_dist_t *dist, int ncols, bn_dmat_t **out) {
  bn_ctx_t *ctx = bn_dist_ctx(dist);
  *out = NULL;
  if (ncols < 0)
    return BN_ERROR(ctx, BN_ERR_ARG, "negative column count %d", ncols);
  bn_dmat_t *a = NULL;
  bn_status_t st = bn_calloc(ctx, 1, sizeof(*a), &a);
  if (st == BN_OK) {
    a->ctx = ctx;
    a->dist = bn_dist_ref(dist);
    a->ncols = ncols;
    a->nlocal = bn_dist_local(dist);
    a->first = bn_dist_first(dist);
    st = bn_calloc(ctx, bn_size_mul((size_t)a->nlocal, (size_t)ncols),
                   sizeof(double), &a->data);
  }
  st = bn_agree(ctx, st);
  if (st != BN_OK) {
    bn_dmat_destroy(a);
    return bn_error_trace(ctx, st, __FILE__, __LINE__);
  }
  *out = a;
  return BN_OK;
}

bn_status_t bn_dmat_duplicate(const bn_dmat_t *a, bn_dmat_t **out) {
  BN_CALL(a->ctx, bn_dmat_create(a->dist, a->ncols, out));
  memcpy((*out)->data, a->data, bn_dmat_local_size(a) * sizeof(double));
  return BN_OK;
}

void bn_dmat_destroy(bn_dmat_t *a) {
  if (!a) return;
  free(a->data);
  bn_dist_destroy(a->dist);
  free(a);
}

bn_ctx_t *bn_dmat_ctx(const bn_dmat_t *a) { return a->ctx; }
bn_dist_t *bn_dmat_dist(const bn_dmat_t *a) { return a->dist; }
int bn_dmat_cols(const bn_dmat_t *a) { return a->ncols; }
bn_idx_t bn_dmat_rows(const bn_dmat_t *a) { return bn_dist_global(a->dist); }
bn_idx_t bn_dmat_local_rows(const bn_dmat_t *a) { return a->nlocal; }
bn_idx_t bn_dmat_first_row(const bn_dmat_t *a) { return a->first; }
double *bn_dmat_data(bn_dmat_t *a) { return a->data; }
const double *bn_dmat_cdata(const bn_dmat_t *a) { return a->data; }

void bn_dmat_zero(bn_dmat_t *a) {
  size_t n = bn_dmat_local_size(a);
  if (n) memset(a->data, 0, n * sizeof(double));
}

/* Two matrices are compatible for elementwise work when they have the same
 * column count and the same rows on this rank. Checking the local block
 * (not the whole distribution object) keeps this free of communication. */
bn_status_t bn_dmat_check_same_layout(const bn_dmat_t *a, const bn_dmat_t *b,
                                      const char *what) {
  if (a->ncols != b->ncols || a->nlocal != b->nlocal || a->first != b->first ||
      bn_dist_global(a->dist) != bn_dist_global(b->dist))
    return BN_ERROR(a->ctx, BN_ERR_ARG,
                    "%s: layouts differ (%lld x %d rows from %lld vs "
                    "%lld x %d from %lld)",
                    what, (long long)a->nlocal, a->ncols, (long long)a->first,
                    (long long)b->nlocal, b->ncols, (long long)b->first);
  return BN_OK;
}

bn_status_t bn_dmat_copy(const bn_dmat_t *src, bn_dmat_t *dst) {
  BN_CALL(src->ctx, bn_dmat_check_same_layout(src, dst, "bn_dmat_copy"));
  size_t n = bn_dmat_local_size(src);
  if (n && src != dst) memcpy(dst->data, src->data, n * sizeof(double));
  return BN_OK;
}

void bn_dmat_scale(bn_dmat_t *a, double alpha) {
  size_t n = bn_dmat_local_size(a);
  for (size_t i = 0; i < n; i++) a->data[i] *= alpha;
}

bn_status_t bn_dmat_axpy(double alpha, const bn_dmat_t *x, bn_dmat_t *y) {
  BN_CALL(x->ctx, bn_dmat_check_same_layout(x, y, "bn_dmat_axpy"));
  size_t n = bn_dmat_local_size(x);
  for (size_t i = 0; i < n; i++) y->data[i] += alpha * x->data[i];
  return BN_OK;
}

void bn_dmat_fill_normal(bn_dmat_t *a, uint64_t seed, uint32_t stream,
                         double scale) {
  size_t n = bn_dmat_local_size(a);
  if (!n) return;
  /* Row-major with global row i at i * ncols: the flat counter of entry
   * (i, j) is i * ncols + j, so this rank's entries are one run. */
  bn_rng_fill_normal(seed, stream, (uint64_t)a->first * (uint64_t)a->ncols, n,
                     a->data);
  if (scale != 1.0)
    for (size_t i = 0; i < n; i++) a->data[i] *= scale;
}
