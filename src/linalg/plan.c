/* benign -- communication plans for ghost rows.
 *
 * The requester side keeps, per owner, the count and position of that
 * owner's rows in `need` (sorted, so one contiguous range per owner): ghost
 * rows are received straight into place. The owner side keeps, per
 * requester, which of its local rows to pack. Counts are in rows; a
 * contiguous datatype of k doubles carries one row, so one plan serves any
 * row width. */
#include "benign/plan.h"

#include <stdlib.h>

#include "benign/ctx.h"
#include "benign/error.h"
#include "linalg/dmat_impl.h"

struct bn_plan {
  bn_ctx_t *ctx;
  bn_dist_t *owners; /* referenced */
  bn_idx_t nneed;
  int nranks;
  int *need_count, *need_displ; /* per owner: rows of `need` it sends   */
  int *req_count, *req_displ;   /* per requester: rows this rank packs  */
  bn_idx_t nreq;                /* total rows this rank packs           */
  bn_idx_t *req_local;          /* local row index of each packed row   */
  /* Cached: the MPI row type of the last width, and a packing buffer for
   * the widest rows seen (callers alternate widths, e.g. ALS: r, r^2+r). */
  int k, cap_k;
  MPI_Datatype row;
  double *pack;
};

/* First position in need[0..n) whose value is >= v. */
static bn_idx_t lower_bound(const bn_idx_t *need, bn_idx_t n, bn_idx_t v) {
  bn_idx_t lo = 0, hi = n;
  while (lo < hi) {
    bn_idx_t mid = lo + (hi - lo) / 2;
    if (need[mid] < v)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* Not collective: validate need and split it into one range per owner. */
static bn_status_t split_need(bn_plan_t *pl, const bn_idx_t *need) {
  bn_ctx_t *ctx = pl->ctx;
  bn_idx_t n = bn_dist_global(pl->owners);
  BN_CALL(ctx, bn_check_int(ctx, pl->nneed, "number of needed rows"));
  for (bn_idx_t g = 0; g < pl->nneed; g++) {
    if (need[g] < 0 || need[g] >= n)
      return BN_ERROR(ctx, BN_ERR_ARG, "needed row %lld outside [0, %lld)",
                      (long long)need[g], (long long)n);
    if (g > 0 && need[g] <= need[g - 1])
      return BN_ERROR(ctx, BN_ERR_ARG,
                      "needed rows not strictly increasing at position %lld",
                      (long long)g);
  }
  for (int q = 0; q < pl->nranks; q++) {
    bn_idx_t lo = lower_bound(need, pl->nneed, bn_dist_offset(pl->owners, q));
    bn_idx_t hi =
        lower_bound(need, pl->nneed, bn_dist_offset(pl->owners, q + 1));
    pl->need_displ[q] = (int)lo;
    pl->need_count[q] = (int)(hi - lo);
  }
  return BN_OK;
}

/* Collective: tell each owner how many and which rows this rank needs. */
static bn_status_t exchange_requests(bn_plan_t *pl, const bn_idx_t *need) {
  bn_ctx_t *ctx = pl->ctx;
  MPI_Comm comm = bn_ctx_comm(ctx);
  int p = pl->nranks;
  BN_MPI(ctx, MPI_Alltoall(pl->need_count, 1, MPI_INT, pl->req_count, 1,
                           MPI_INT, comm));
  bn_idx_t total = 0;
  for (int q = 0; q < p; q++) total += pl->req_count[q];
  bn_status_t st = bn_check_int(ctx, total, "rows requested from this rank");
  if (st == BN_OK) {
    for (int q = 0, d = 0; q < p; q++) {
      pl->req_displ[q] = d;
      d += pl->req_count[q];
    }
    pl->nreq = total;
    st = bn_mallocn(ctx, (size_t)total, sizeof(bn_idx_t), &pl->req_local);
  }
  BN_CALL(ctx, bn_agree(ctx, st));
  BN_MPI(ctx, MPI_Alltoallv(need, pl->need_count, pl->need_displ, BN_IDX_MPI,
                            pl->req_local, pl->req_count, pl->req_displ,
                            BN_IDX_MPI, comm));
  /* Requests arrive as global rows; keep local ones. Every request lies in
   * this rank's block by construction of the split, but check anyway: a
   * requester with a different distribution would corrupt memory. */
  bn_idx_t first = bn_dist_first(pl->owners), nloc = bn_dist_local(pl->owners);
  st = BN_OK;
  for (bn_idx_t j = 0; j < total; j++) {
    pl->req_local[j] -= first;
    if (st == BN_OK && (pl->req_local[j] < 0 || pl->req_local[j] >= nloc))
      st = BN_ERROR(ctx, BN_ERR_DATA, "requested row %lld is not local",
                    (long long)(pl->req_local[j] + first));
  }
  BN_CALL(ctx, bn_agree(ctx, st));
  return BN_OK;
}

bn_status_t bn_plan_create(bn_dist_t *owners, bn_idx_t nneed,
                           const bn_idx_t *need, bn_plan_t **out) {
  bn_ctx_t *ctx = bn_dist_ctx(owners);
  int p = bn_ctx_size(ctx);
  *out = NULL;
  bn_plan_t *pl = NULL;
  bn_status_t st = bn_calloc(ctx, 1, sizeof(*pl), &pl);
  if (st == BN_OK) {
    pl->ctx = ctx;
    pl->owners = bn_dist_ref(owners);
    pl->nneed = nneed;
    pl->nranks = p;
    pl->row = MPI_DATATYPE_NULL;
    st =
        bn_calloc(ctx, bn_size_mul(4, (size_t)p), sizeof(int), &pl->need_count);
  }
  if (st == BN_OK) {
    pl->need_displ = pl->need_count + p;
    pl->req_count = pl->need_count + 2 * p;
    pl->req_displ = pl->need_count + 3 * p;
    st = nneed < 0 ? BN_ERROR(ctx, BN_ERR_ARG, "negative nneed")
                   : split_need(pl, need);
  }
  st = bn_agree(ctx, st);
  if (st == BN_OK) st = exchange_requests(pl, need);
  if (st != BN_OK) {
    bn_plan_destroy(pl);
    return bn_error_trace(ctx, st, __FILE__, __LINE__);
  }
  *out = pl;
  return BN_OK;
}

void bn_plan_destroy(bn_plan_t *pl) {
  if (!pl) return;
  if (pl->row != MPI_DATATYPE_NULL) MPI_Type_free(&pl->row);
  free(pl->pack);
  free(pl->req_local);
  free(pl->need_count);
  bn_dist_destroy(pl->owners);
  free(pl);
}

bn_idx_t bn_plan_nneed(const bn_plan_t *pl) { return pl->nneed; }

/* Collective: make the cached row type and pack buffer fit width k. The
 * buffer only grows; the allocation (which may fail on one rank only) is
 * agreed, and every rank grows at the same call since k is the same. */
static bn_status_t prepare(bn_plan_t *pl, int k) {
  bn_ctx_t *ctx = pl->ctx;
  if (k == pl->k && pl->row != MPI_DATATYPE_NULL) return BN_OK;
  if (pl->row != MPI_DATATYPE_NULL) MPI_Type_free(&pl->row);
  pl->k = 0;
  bn_status_t st = bn_row_type(ctx, k, &pl->row);
  if (st == BN_OK && k > pl->cap_k) {
    free(pl->pack);
    pl->pack = NULL;
    pl->cap_k = 0;
    st = bn_mallocn(ctx, bn_size_mul((size_t)pl->nreq, (size_t)k),
                    sizeof(double), &pl->pack);
    if (st == BN_OK) pl->cap_k = k;
    BN_CALL(ctx, bn_agree(ctx, st));
  }
  BN_CALL(ctx, st); /* bn_row_type is deterministic: same on every rank */
  pl->k = k;
  return BN_OK;
}

bn_status_t bn_plan_gather(bn_plan_t *pl, const double *owned, int k,
                           double *ghost) {
  bn_ctx_t *ctx = pl->ctx;
  if (k <= 0) return k == 0 ? BN_OK : BN_ERROR(ctx, BN_ERR_ARG, "k < 0");
  BN_CALL(ctx, prepare(pl, k));
  for (bn_idx_t j = 0; j < pl->nreq; j++) {
    const double *src = owned + (size_t)pl->req_local[j] * (size_t)k;
    double *dst = pl->pack + (size_t)j * (size_t)k;
    for (int c = 0; c < k; c++) dst[c] = src[c];
  }
  BN_MPI(ctx, MPI_Alltoallv(pl->pack, pl->req_count, pl->req_displ, pl->row,
                            ghost, pl->need_count, pl->need_displ, pl->row,
                            bn_ctx_comm(ctx)));
  return BN_OK;
}

bn_status_t bn_plan_scatter_add(bn_plan_t *pl, const double *ghost, int k,
                                double *owned) {
  bn_ctx_t *ctx = pl->ctx;
  if (k <= 0) return k == 0 ? BN_OK : BN_ERROR(ctx, BN_ERR_ARG, "k < 0");
  BN_CALL(ctx, prepare(pl, k));
  BN_MPI(ctx, MPI_Alltoallv(ghost, pl->need_count, pl->need_displ, pl->row,
                            pl->pack, pl->req_count, pl->req_displ, pl->row,
                            bn_ctx_comm(ctx)));
  /* Requesters are summed in rank order, so the result does not depend on
   * message arrival order. */
  for (bn_idx_t j = 0; j < pl->nreq; j++) {
    double *dst = owned + (size_t)pl->req_local[j] * (size_t)k;
    const double *src = pl->pack + (size_t)j * (size_t)k;
    for (int c = 0; c < k; c++) dst[c] += src[c];
  }
  return BN_OK;
}
