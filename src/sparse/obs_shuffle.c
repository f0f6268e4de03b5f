/* Moving triplets to the ranks that own their rows. */
#include <stdlib.h>
#include <string.h>

#include "benign/ctx.h"
#include "benign/error.h"
#include "sparse/obs_impl.h"

bn_status_t bn_triplets_shuffle(bn_ctx_t *ctx, const bn_dist_t *dest,
                                bn_triplets_t *t) {
  int P = bn_ctx_size(ctx);
  MPI_Comm comm = bn_ctx_comm(ctx);
  int *sc = NULL, *rc = NULL, *sd = NULL, *rd = NULL, *pos, *owner = NULL;
  bn_triplets_t s = {0, NULL, NULL, NULL}, r = {0, NULL, NULL, NULL};
  bn_status_t st = BN_OK;
  /* MPI counts are int: every rank's share must fit. */
  if (t->n > INT32_MAX)
    st = BN_ERROR(ctx, BN_ERR_DATA,
                  "too many entries on one process (%lld): use more "
                  "processes",
                  (long long)t->n);
  if (st == BN_OK) st = bn_calloc(ctx, 5 * (size_t)P, sizeof(int), &sc);
  if (st == BN_OK) st = bn_malloc(ctx, (size_t)t->n * sizeof(int), &owner);
  if (st == BN_OK) st = bn_triplets_alloc(ctx, t->n, &s);
  st = bn_agree(ctx, st);
  if (st != BN_OK) goto cleanup;
  rc = sc + P;
  sd = rc + P;
  rd = sd + P;
  pos = rd + P;
  for (bn_idx_t k = 0; k < t->n; k++) {
    owner[k] = bn_dist_owner(dest, t->row[k]);
    sc[owner[k]]++;
  }
  MPI_Alltoall(sc, 1, MPI_INT, rc, 1, MPI_INT, comm);
  bn_idx_t nrecv = 0;
  for (int p = 0; p < P; p++) {
    sd[p] = p ? sd[p - 1] + sc[p - 1] : 0;
    rd[p] = (int)nrecv;
    nrecv += rc[p];
  }
  if (nrecv > INT32_MAX) {
    st = BN_ERROR(ctx, BN_ERR_DATA,
                  "too many entries for one process "
                  "(%lld): use more processes",
                  (long long)nrecv);
  }
  if (st == BN_OK) st = bn_triplets_alloc(ctx, nrecv, &r);
  st = bn_agree(ctx, st);
  if (st != BN_OK) goto cleanup;
  /* Pack by destination. */
  memcpy(pos, sd, (size_t)P * sizeof(int));
  for (bn_idx_t k = 0; k < t->n; k++) {
    int q = pos[owner[k]]++;
    s.row[q] = t->row[k];
    s.col[q] = t->col[k];
    s.val[q] = t->val[k];
  }
  MPI_Alltoallv(s.row, sc, sd, MPI_INT64_T, r.row, rc, rd, MPI_INT64_T, comm);
  MPI_Alltoallv(s.col, sc, sd, MPI_INT64_T, r.col, rc, rd, MPI_INT64_T, comm);
  MPI_Alltoallv(s.val, sc, sd, MPI_DOUBLE, r.val, rc, rd, MPI_DOUBLE, comm);
  bn_triplets_free(t);
  *t = r;
  r.row = NULL;
  r.col = NULL;
  r.val = NULL;
cleanup:
  bn_triplets_free(&s);
  bn_triplets_free(&r);
  free(owner);
  free(sc);
  return st;
}

bn_status_t bn_triplets_alloc(bn_ctx_t *ctx, bn_idx_t n, bn_triplets_t *t) {
  t->n = n;
  t->row = t->col = NULL;
  t->val = NULL;
  bn_status_t st = bn_malloc(ctx, (size_t)n * sizeof(int64_t), &t->row);
  if (st == BN_OK) st = bn_malloc(ctx, (size_t)n * sizeof(int64_t), &t->col);
  if (st == BN_OK) st = bn_malloc(ctx, (size_t)n * sizeof(double), &t->val);
  if (st != BN_OK) bn_triplets_free(t);
  return st;
}

void bn_triplets_free(bn_triplets_t *t) {
  free(t->row);
  free(t->col);
  free(t->val);
  t->row = t->col = NULL;
  t->val = NULL;
  t->n = 0;
}
