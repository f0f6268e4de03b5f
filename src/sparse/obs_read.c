/* Observations from HDF5 in rounds of bounded size.
 *
 * The file's entries are read in rounds: in round k, process p reads the
 * slice [(kP + p) C, (kP + p + 1) C) of the file, so the slices of a round
 * are consecutive and rank order is file order. Two passes:
 *   1. count: every entry is checked and its row counted on the process
 *      that owns it (balancing the rows by entry count when no
 *      distribution is given);
 *   2. fill: the CSR arrays are allocated at their exact size and each
 *      round's entries are sent to their owners, which put them in place.
 * Receivers take a round's senders in rank order, so every row holds its
 * entries in file order (what the duplicates policies need). Beside the
 * 12 bytes per entry of the result, a process holds one round's buffers:
 * C = 2^21 / P entries (clamped to [2^12, 2^18]) per slice. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benign/ctx.h"
#include "benign/error.h"
#include "sparse/obs_impl.h"

/* Per-row cost beside the entries, so rows without entries still spread. */
#define BN_ROW_WEIGHT 0.25

typedef struct bn_src {
  bn_ctx_t *ctx;
  bn_h5_t *f;
  char name[3][256];
  const char *what;      /* "FILE: GROUP", for messages */
  bn_idx_t len, chunk;   /* entries in the file; per slice */
  bn_idx_t rounds;       /* the same on every process */
  bn_idx_t nrows, ncols; /* for the checks */
  int64_t *row, *col;    /* one slice */
  double *val;
  int *dest;                           /* owner of each entry of the slice */
  int *sc, *rc, *sd, *rd;              /* alltoallv counts and displacements */
  uint32_t *srow, *scol, *rrow, *rcol; /* packed: local row, global column */
  double *sval, *rval;
} bn_src_t;

static bn_idx_t bn_src_chunk(int P) {
  bn_idx_t c = ((bn_idx_t)1 << 21) / P;
  if (c > ((bn_idx_t)1 << 18)) c = (bn_idx_t)1 << 18;
  if (c < ((bn_idx_t)1 << 12)) c = (bn_idx_t)1 << 12;
  return c;
}

/* Collective: shapes of the three datasets, and the round buffers. */
static bn_status_t bn_src_open(bn_ctx_t *ctx, bn_h5_t *f, const char *group,
                               const char *what, bn_src_t *s) {
  static const char *parts[3] = {"row", "col", "val"};
  int P = bn_ctx_size(ctx);
  bn_idx_t len[3];
  s->ctx = ctx;
  s->f = f;
  s->what = what;
  for (int k = 0; k < 3; k++) {
    int nd;
    bn_idx_t dims[4];
    snprintf(s->name[k], sizeof(s->name[k]), "%s/%s", group, parts[k]);
    BN_CALL(ctx, bn_h5_shape(f, s->name[k], &nd, dims));
    if (nd != 1)
      return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                          "%s: dataset %s has %d dimensions, must be 1-D",
                          bn_h5_path(f), s->name[k], nd);
    len[k] = dims[0];
  }
  if (len[1] != len[0] || len[2] != len[0])
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: %s/row, col and val differ in length (%lld, %lld, "
                        "%lld)",
                        bn_h5_path(f), group, (long long)len[0],
                        (long long)len[1], (long long)len[2]);
  s->len = len[0];
  s->chunk = bn_src_chunk(P);
  s->rounds = (s->len + P * s->chunk - 1) / (P * s->chunk);
  size_t c = (size_t)s->chunk, all = (size_t)P * c;
  bn_status_t st = bn_malloc(
      ctx, bn_size_mul(c, 2 * sizeof(int64_t) + sizeof(double) + sizeof(int)),
      &s->row);
  if (st == BN_OK)
    st = bn_calloc(ctx, bn_size_mul(4, (size_t)P), sizeof(int), &s->sc);
  if (st == BN_OK)
    st = bn_malloc(ctx,
                   bn_size_mul(c + all, 2 * sizeof(uint32_t) + sizeof(double)),
                   &s->sval);
  st = bn_agree(ctx, st);
  if (st != BN_OK) return st;
  s->col = s->row + c;
  s->val = (double *)(s->col + c);
  s->dest = (int *)(s->val + c);
  s->rc = s->sc + P;
  s->sd = s->rc + P;
  s->rd = s->sd + P;
  s->rval = s->sval + c;
  s->srow = (uint32_t *)(s->rval + all);
  s->scol = s->srow + c;
  s->rrow = s->scol + c;
  s->rcol = s->rrow + all;
  return BN_OK;
}

static void bn_src_close(bn_src_t *s) {
  free(s->row);
  free(s->sc);
  free(s->sval);
  s->row = NULL;
  s->sc = NULL;
  s->sval = NULL;
}

static bn_status_t bn_src_check(const bn_src_t *s, bn_idx_t first, bn_idx_t n) {
  for (bn_idx_t k = 0; k < n; k++) {
    if (s->row[k] < 0 || s->row[k] >= s->nrows)
      return BN_ERROR(s->ctx, BN_ERR_DATA,
                      "%s: entry %lld has row index %lld, outside [0, %lld)",
                      s->what, (long long)(first + k), (long long)s->row[k],
                      (long long)s->nrows);
    if (s->col[k] < 0 || s->col[k] >= s->ncols)
      return BN_ERROR(s->ctx, BN_ERR_DATA,
                      "%s: entry %lld has column index %lld, outside [0, %lld)",
                      s->what, (long long)(first + k), (long long)s->col[k],
                      (long long)s->ncols);
    if (!isfinite(s->val[k]))
      return BN_ERROR(s->ctx, BN_ERR_DATA,
                      "%s: entry %lld (row %lld, column %lld) has value %g",
                      s->what, (long long)(first + k), (long long)s->row[k],
                      (long long)s->col[k], s->val[k]);
  }
  return BN_OK;
}

/* Collective: read (and with `check`, check) this process's slice of round
 * k; *n entries. The lowest failing process holds the file's first bad
 * entry of the round. */
static bn_status_t bn_src_read(bn_src_t *s, bn_idx_t k, bool check,
                               bn_idx_t *n) {
  int P = bn_ctx_size(s->ctx), p = bn_ctx_rank(s->ctx);
  bn_idx_t a = (k * P + p) * s->chunk, b = a + s->chunk;
  if (a > s->len) a = s->len;
  if (b > s->len) b = s->len;
  *n = b - a;
  BN_CALL(s->ctx, bn_h5_read_i64(s->f, s->name[0], a, *n, s->row));
  BN_CALL(s->ctx, bn_h5_read_i64(s->f, s->name[1], a, *n, s->col));
  BN_CALL(s->ctx, bn_h5_read_f64(s->f, s->name[2], a, *n, s->val));
  return bn_agree(s->ctx, check ? bn_src_check(s, a, *n) : BN_OK);
}

/* Collective: send the slice's n entries to the owners of their rows in
 * dist (local row and column as 32 bits, the value); on return rrow,
 * rcol, rval hold *nrecv entries, senders in rank order. */
static bn_status_t bn_src_send(bn_src_t *s, const bn_dist_t *dist, bn_idx_t n,
                               bn_idx_t *nrecv) {
  int P = bn_ctx_size(s->ctx);
  MPI_Comm comm = bn_ctx_comm(s->ctx);
  memset(s->sc, 0, (size_t)P * sizeof(int));
  for (bn_idx_t k = 0; k < n; k++) {
    s->dest[k] = bn_dist_owner(dist, s->row[k]);
    s->sc[s->dest[k]]++;
  }
  BN_MPI(s->ctx, MPI_Alltoall(s->sc, 1, MPI_INT, s->rc, 1, MPI_INT, comm));
  int tot = 0;
  for (int q = 0; q < P; q++) {
    s->sd[q] = q ? s->sd[q - 1] + s->sc[q - 1] : 0;
    s->rd[q] = tot;
    tot += s->rc[q];
  }
  for (bn_idx_t k = 0; k < n; k++) {
    int q = s->dest[k], at = s->sd[q]++;
    s->srow[at] = (uint32_t)(s->row[k] - bn_dist_offset(dist, q));
    s->scol[at] = (uint32_t)s->col[k];
    s->sval[at] = s->val[k];
  }
  for (int q = 0; q < P; q++) s->sd[q] -= s->sc[q];
  BN_MPI(s->ctx, MPI_Alltoallv(s->srow, s->sc, s->sd, MPI_UINT32_T, s->rrow,
                               s->rc, s->rd, MPI_UINT32_T, comm));
  BN_MPI(s->ctx, MPI_Alltoallv(s->scol, s->sc, s->sd, MPI_UINT32_T, s->rcol,
                               s->rc, s->rd, MPI_UINT32_T, comm));
  BN_MPI(s->ctx, MPI_Alltoallv(s->sval, s->sc, s->sd, MPI_DOUBLE, s->rval,
                               s->rc, s->rd, MPI_DOUBLE, comm));
  *nrecv = tot;
  return BN_OK;
}

/* Pass 1: cnt[i] = entries of local row i of dist (zeroed here). */
static bn_status_t bn_obs_count(bn_src_t *s, const bn_dist_t *dist,
                                bn_idx_t *cnt) {
  memset(cnt, 0, (size_t)bn_dist_local(dist) * sizeof(bn_idx_t));
  for (bn_idx_t k = 0; k < s->rounds; k++) {
    bn_idx_t n, nr;
    BN_CALL(s->ctx, bn_src_read(s, k, true, &n));
    BN_CALL(s->ctx, bn_src_send(s, dist, n, &nr));
    for (bn_idx_t e = 0; e < nr; e++) cnt[s->rrow[e]]++;
  }
  return BN_OK;
}

/* The balanced distribution and, on it, the counts of the local rows. */
static bn_status_t bn_obs_balance(bn_src_t *s, bn_dist_t **rdist,
                                  bn_idx_t **cnt) {
  bn_ctx_t *ctx = s->ctx;
  bn_dist_t *uni = NULL;
  bn_plan_t *plan = NULL;
  bn_idx_t *ucnt = NULL, *need = NULL;
  double *w = NULL, *got = NULL;
  BN_CALL(ctx, bn_dist_create_uniform(ctx, s->nrows, &uni));
  bn_idx_t nu = bn_dist_local(uni);
  bn_status_t st = bn_mallocn(ctx, nu ? nu : 1, sizeof(bn_idx_t), &ucnt);
  if (st == BN_OK) st = bn_mallocn(ctx, nu ? nu : 1, sizeof(double), &w);
  st = bn_agree(ctx, st);
  if (st == BN_OK) st = bn_obs_count(s, uni, ucnt);
  if (st == BN_OK) {
    for (bn_idx_t i = 0; i < nu; i++) w[i] = BN_ROW_WEIGHT + (double)ucnt[i];
    st = bn_dist_create_weighted(ctx, s->nrows, w, rdist);
  }
  /* Move the counts to the new owners: a plan that needs this rank's new
   * rows from the uniform blocks. */
  bn_idx_t nl = st == BN_OK ? bn_dist_local(*rdist) : 0;
  bn_idx_t first = st == BN_OK ? bn_dist_first(*rdist) : 0;
  if (st == BN_OK)
    st = bn_malloc(ctx,
                   bn_size_mul(nl ? nl : 1, sizeof(bn_idx_t) + sizeof(double)),
                   &need);
  if (st == BN_OK) st = bn_mallocn(ctx, nl ? nl : 1, sizeof(bn_idx_t), cnt);
  st = bn_agree(ctx, st);
  if (st == BN_OK) {
    got = (double *)(need + nl);
    for (bn_idx_t i = 0; i < nl; i++) need[i] = first + i;
    for (bn_idx_t i = 0; i < nu; i++) w[i] = (double)ucnt[i];
    st = bn_plan_create(uni, nl, need, &plan);
  }
  if (st == BN_OK) st = bn_plan_gather(plan, w, 1, got);
  if (st == BN_OK)
    for (bn_idx_t i = 0; i < nl; i++) (*cnt)[i] = (bn_idx_t)got[i];
  bn_plan_destroy(plan);
  bn_dist_destroy(uni);
  free(ucnt);
  free(w);
  free(need);
  return st;
}

/* Pass 2: put every entry in place (rowptr from the counts). */
static bn_status_t bn_obs_fill(bn_src_t *s, bn_obs_t *o, bn_idx_t *pos) {
  bn_idx_t nloc = bn_dist_local(o->rdist);
  for (bn_idx_t i = 0; i < nloc; i++) pos[i] = o->rowptr[i];
  for (bn_idx_t k = 0; k < s->rounds; k++) {
    bn_idx_t n, nr;
    BN_CALL(s->ctx, bn_src_read(s, k, false, &n));
    BN_CALL(s->ctx, bn_src_send(s, o->rdist, n, &nr));
    for (bn_idx_t e = 0; e < nr; e++) {
      bn_idx_t q = pos[s->rrow[e]]++;
      o->gcol[q] = s->rcol[e];
      o->val[q] = s->rval[e];
    }
  }
  return BN_OK;
}

bn_status_t bn_obs_read(bn_ctx_t *ctx, bn_h5_t *f, const char *group,
                        bn_idx_t nrows, bn_idx_t ncols, bn_dist_t *rdist,
                        bn_obs_dup_t dup, bn_obs_t **out) {
  char what[600];
  bn_src_t s = {0};
  bn_obs_t *o = NULL;
  bn_idx_t *cnt = NULL;
  *out = NULL;
  snprintf(what, sizeof(what), "%s: %s", bn_h5_path(f), group);
  /* Columns travel and are kept as 32-bit numbers. */
  if (ncols > (bn_idx_t)UINT32_MAX + 1)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: %lld columns: at most 2^32 are supported "
                        "(renumber the columns, as benign import does)",
                        what, (long long)ncols);
  BN_CALL(ctx, bn_src_open(ctx, f, group, what, &s));
  s.nrows = nrows;
  s.ncols = ncols;
  bn_status_t st = bn_calloc(ctx, 1, sizeof(*o), &o);
  st = bn_agree(ctx, st);
  if (st != BN_OK) goto fail;
  o->ctx = ctx;
  o->nrows = nrows;
  o->ncols = ncols;
  if (rdist) {
    o->rdist = bn_dist_ref(rdist);
    bn_idx_t nl = bn_dist_local(rdist);
    st = bn_agree(ctx, bn_mallocn(ctx, nl ? nl : 1, sizeof(bn_idx_t), &cnt));
    if (st == BN_OK) st = bn_obs_count(&s, rdist, cnt);
  } else {
    st = bn_obs_balance(&s, &o->rdist, &cnt);
  }
  if (st != BN_OK) goto fail;
  bn_idx_t nloc = bn_dist_local(o->rdist);
  /* Local rows travel as 32-bit numbers too. */
  if (nloc > (bn_idx_t)UINT32_MAX)
    st = BN_ERROR(ctx, BN_ERR_DATA,
                  "%s: %lld rows on one process: use more processes", what,
                  (long long)nloc);
  if (st == BN_OK)
    st = bn_mallocn(ctx, (size_t)nloc + 1, sizeof(bn_idx_t), &o->rowptr);
  if (st == BN_OK) {
    o->rowptr[0] = 0;
    for (bn_idx_t i = 0; i < nloc; i++)
      o->rowptr[i + 1] = o->rowptr[i] + cnt[i];
    o->nnz = o->rowptr[nloc];
    size_t n = o->nnz ? (size_t)o->nnz : 1;
    st = bn_mallocn(ctx, n, sizeof(uint32_t), &o->gcol);
    if (st == BN_OK) st = bn_mallocn(ctx, n, sizeof(double), &o->val);
  }
  st = bn_agree(ctx, st);
  if (st == BN_OK) st = bn_obs_fill(&s, o, cnt);
  free(cnt);
  cnt = NULL;
  bn_src_close(&s);
  if (st == BN_OK) st = bn_obs_finish(o, dup, what);
  if (st != BN_OK) goto fail;
  *out = o;
  return BN_OK;
fail:
  free(cnt);
  bn_src_close(&s);
  bn_obs_destroy(o);
  return st;
}
