/* benign -- row distributions (contiguous blocks of global rows per rank).
 *
 * A distribution is small (P + 1 offsets) and immutable once created, so it
 * is shared by reference between every matrix laid out on it. */
#include "benign/dist.h"

#include <math.h>
#include <stdlib.h>

#include "benign/ctx.h"
#include "benign/error.h"

struct bn_dist {
  bn_ctx_t *ctx;
  int refs;
  int nranks, rank;
  bn_idx_t *offsets; /* nranks + 1 entries, offsets[0] = 0 */
};

bn_idx_t bn_uniform_offset(bn_idx_t n, int nranks, int rank) {
  bn_idx_t q = n / nranks, rem = n % nranks;
  return (bn_idx_t)rank * q + (rank < rem ? rank : rem);
}

/* Not collective: wraps offsets (taking ownership) into a new object. */
static bn_status_t dist_wrap(bn_ctx_t *ctx, bn_idx_t *offsets,
                             bn_dist_t **out) {
  bn_dist_t *d = NULL;
  bn_status_t st = bn_malloc(ctx, sizeof(*d), &d);
  if (st != BN_OK) return st;
  d->ctx = ctx;
  d->refs = 1;
  d->nranks = bn_ctx_size(ctx);
  d->rank = bn_ctx_rank(ctx);
  d->offsets = offsets;
  *out = d;
  return BN_OK;
}

/* Collective: allocates P + 1 offsets; failure is agreed. */
static bn_status_t alloc_offsets(bn_ctx_t *ctx, bn_idx_t **off) {
  *off = NULL;
  bn_status_t st =
      bn_mallocn(ctx, (size_t)(bn_ctx_size(ctx) + 1), sizeof(bn_idx_t), off);
  BN_CALL(ctx, bn_agree(ctx, st));
  return BN_OK;
}

/* Collective: wraps offsets and agrees on success, freeing them on failure. */
static bn_status_t finish(bn_ctx_t *ctx, bn_idx_t *off, bn_dist_t **out) {
  bn_status_t st = dist_wrap(ctx, off, out);
  st = bn_agree(ctx, st);
  if (st != BN_OK) {
    if (*out) {
      (*out)->offsets = NULL;
      bn_dist_destroy(*out);
      *out = NULL;
    }
    free(off);
    return bn_error_trace(ctx, st, __FILE__, __LINE__);
  }
  return BN_OK;
}

bn_status_t bn_dist_create_uniform(bn_ctx_t *ctx, bn_idx_t n, bn_dist_t **out) {
  *out = NULL;
  if (n < 0)
    return BN_ERROR(ctx, BN_ERR_ARG, "negative row count %lld", (long long)n);
  bn_idx_t *off;
  BN_CALL(ctx, alloc_offsets(ctx, &off));
  int p = bn_ctx_size(ctx);
  for (int q = 0; q <= p; q++) off[q] = bn_uniform_offset(n, p, q);
  return finish(ctx, off, out);
}

/* Local part of the weighted split: for every interior split point q
 * (1..P-1), count the rows of this rank's uniform block whose weight
 * midpoint lies before the target q*W/P. Summed over ranks this count is
 * offset(q). Rounding by midpoints means each rank's total differs from
 * W/P by at most one row's weight, and a single heavy row goes wherever
 * most of it falls. Midpoints are nondecreasing (weights are nonnegative),
 * so one merge pass over rows and targets suffices. */
static void count_before_targets(bn_idx_t nloc, const double *w, double before,
                                 double total, int p, bn_idx_t *count) {
  bn_idx_t i = 0;
  double cum = before;
  for (int q = 1; q < p; q++) {
    double target = total * (double)q / (double)p;
    while (i < nloc && cum + 0.5 * w[i] < target) {
      cum += w[i];
      i++;
    }
    count[q - 1] = i;
  }
}

bn_status_t bn_dist_create_weighted(bn_ctx_t *ctx, bn_idx_t n, const double *w,
                                    bn_dist_t **out) {
  *out = NULL;
  if (n < 0)
    return BN_ERROR(ctx, BN_ERR_ARG, "negative row count %lld", (long long)n);
  MPI_Comm comm = bn_ctx_comm(ctx);
  int p = bn_ctx_size(ctx), me = bn_ctx_rank(ctx);
  bn_idx_t nloc = bn_uniform_offset(n, p, me + 1) - bn_uniform_offset(n, p, me);
  bn_status_t st = BN_OK;
  double sum = 0.0;
  for (bn_idx_t i = 0; i < nloc; i++) {
    if (!(w[i] >= 0.0) || isinf(w[i])) {
      st = BN_ERROR(ctx, BN_ERR_ARG, "row %lld has invalid weight %g",
                    (long long)(bn_uniform_offset(n, p, me) + i), w[i]);
      break;
    }
    sum += w[i];
  }
  BN_CALL(ctx, bn_agree(ctx, st));

  double before = 0.0, total = 0.0;
  BN_MPI(ctx, MPI_Exscan(&sum, &before, 1, MPI_DOUBLE, MPI_SUM, comm));
  if (me == 0) before = 0.0; /* MPI_Exscan leaves rank 0's result undefined */
  BN_MPI(ctx, MPI_Allreduce(&sum, &total, 1, MPI_DOUBLE, MPI_SUM, comm));
  if (!(total > 0.0)) return bn_dist_create_uniform(ctx, n, out);

  bn_idx_t *off;
  BN_CALL(ctx, alloc_offsets(ctx, &off));
  off[0] = 0;
  off[p] = n;
  if (p > 1) {
    count_before_targets(nloc, w, before, total, p, off + 1);
    int rc =
        MPI_Allreduce(MPI_IN_PLACE, off + 1, p - 1, BN_IDX_MPI, MPI_SUM, comm);
    if (rc != MPI_SUCCESS) {
      free(off);
      return BN_ERROR(ctx, BN_ERR_MPI, "MPI_Allreduce of split points failed");
    }
  }
  return finish(ctx, off, out);
}

bn_status_t bn_dist_create_offsets(bn_ctx_t *ctx, const bn_idx_t *offsets,
                                   bn_dist_t **out) {
  *out = NULL;
  int p = bn_ctx_size(ctx);
  bn_idx_t *off;
  BN_CALL(ctx, alloc_offsets(ctx, &off));
  bn_status_t st = BN_OK;
  for (int q = 0; q <= p; q++) off[q] = offsets[q];
  if (off[0] != 0) st = BN_ERROR(ctx, BN_ERR_ARG, "offsets[0] must be 0");
  for (int q = 0; q < p && st == BN_OK; q++)
    if (off[q + 1] < off[q])
      st = BN_ERROR(ctx, BN_ERR_ARG, "offsets decrease at rank %d", q);
  /* Every rank must pass the same offsets; compare against rank 0's. */
  bn_idx_t *root = NULL;
  if (st == BN_OK) st = bn_mallocn(ctx, (size_t)(p + 1), sizeof(*root), &root);
  st = bn_agree(ctx, st);
  if (st == BN_OK) {
    for (int q = 0; q <= p; q++) root[q] = off[q];
    if (MPI_Bcast(root, p + 1, BN_IDX_MPI, 0, bn_ctx_comm(ctx)) != MPI_SUCCESS)
      st = BN_ERROR(ctx, BN_ERR_MPI, "MPI_Bcast of offsets failed");
    for (int q = 0; q <= p && st == BN_OK; q++)
      if (root[q] != off[q])
        st = BN_ERROR(ctx, BN_ERR_ARG, "offsets differ between ranks");
    st = bn_agree(ctx, st);
  }
  free(root);
  if (st != BN_OK) {
    free(off);
    return bn_error_trace(ctx, st, __FILE__, __LINE__);
  }
  return finish(ctx, off, out);
}

bn_dist_t *bn_dist_ref(bn_dist_t *dist) {
  if (dist) dist->refs++;
  return dist;
}

void bn_dist_destroy(bn_dist_t *dist) {
  if (!dist || --dist->refs > 0) return;
  free(dist->offsets);
  free(dist);
}

bn_ctx_t *bn_dist_ctx(const bn_dist_t *d) { return d->ctx; }
bn_idx_t bn_dist_global(const bn_dist_t *d) { return d->offsets[d->nranks]; }
bn_idx_t bn_dist_offset(const bn_dist_t *d, int rank) {
  return d->offsets[rank];
}
bn_idx_t bn_dist_local(const bn_dist_t *d) {
  return d->offsets[d->rank + 1] - d->offsets[d->rank];
}
bn_idx_t bn_dist_first(const bn_dist_t *d) { return d->offsets[d->rank]; }

/* The owner is the last rank whose offset is <= row: ranks with no rows
 * share their offset with the next rank and are skipped that way.
 * Returns -1 for a row outside [0, N). */
int bn_dist_owner(const bn_dist_t *d, bn_idx_t row) {
  if (row < 0 || row >= d->offsets[d->nranks]) return -1;
  int lo = 0, hi = d->nranks - 1;
  while (lo < hi) {
    int mid = lo + (hi - lo + 1) / 2;
    if (d->offsets[mid] <= row)
      lo = mid;
    else
      hi = mid - 1;
  }
  return lo;
}
