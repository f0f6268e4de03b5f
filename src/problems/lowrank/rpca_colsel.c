/* Robust PCA, dense M: the threshold search's memory, the residual row
 * that every pass computes, and the exchange of the candidates of every
 * column's bin to the column's owner (rpca_dense.c searches, rpca_fit.c
 * fuses the collection into the objective/gradient pass; both send through
 * here). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "problems/lowrank/rpca_colsel.h"

/* row = M_i - u_i V^T (x NULL: M_i), from vt. Never inlined: the row pass
 * and the later passes of a streaming evaluation must see bit-identical
 * residuals, so they all run this one compiled loop. */
__attribute__((noinline)) void bn_rpca_res_row(const bn_rpca_t *c,
                                               const double *x, bn_idx_t i,
                                               double *restrict row) {
  const int r = c->r;
  const bn_idx_t n2 = c->n2;
  const double *restrict mi = bn_dmat_cdata(c->m) + i * n2;
  if (!x) {
    memcpy(row, mi, (size_t)n2 * sizeof(double));
    return;
  }
  const double *ui = x + i * r;
  for (bn_idx_t j = 0; j < n2; j++) row[j] = mi[j];
  for (int a = 0; a < r; a++) {
    const double ua = ui[a], *restrict va = c->vt + a * n2;
    for (bn_idx_t j = 0; j < n2; j++) row[j] -= ua * va[j];
  }
}

bn_status_t bn_rpca_colsel_alloc(bn_rpca_t *c) {
  bn_ctx_t *ctx = c->ctx;
  size_t n = (size_t)c->n2 + 1;
  bn_rpca_colsel_t *s = NULL;
  bn_status_t st = bn_calloc(ctx, 1, sizeof(*s), &s);
  if (st == BN_OK)
    st = bn_mallocn(ctx, bn_size_mul(n, NBX), sizeof(uint32_t), &s->hist);
  if (st == BN_OK) st = bn_calloc(ctx, bn_size_mul(n, NBX), 1, &s->hist8);
  if (st == BN_OK) st = bn_mallocn(ctx, n, sizeof(uint64_t), &s->pre);
  if (st == BN_OK) st = bn_mallocn(ctx, n, sizeof(uint64_t), &s->top);
  if (st == BN_OK) st = bn_mallocn(ctx, n, sizeof(int), &s->sh);
  if (st == BN_OK) st = bn_mallocn(ctx, n, sizeof(bn_idx_t), &s->above);
  if (st == BN_OK) st = bn_mallocn(ctx, n, sizeof(bn_idx_t), &s->count);
  if (st == BN_OK) st = bn_mallocn(ctx, n, sizeof(double), &s->cmax);
  if (st == BN_OK) st = bn_mallocn(ctx, 4096, sizeof(uint32_t), &s->rowhist);
  if (st == BN_OK) st = bn_mallocn(ctx, n, sizeof(double), &s->rrow);
  if (st == BN_OK) st = bn_calloc(ctx, n + 8, 1, &s->flag);
  if (st == BN_OK) st = bn_calloc(ctx, n + 8, 1, &s->rflag);
  if (s) s->dev = 0.05; /* the first rows' window: +-15% */
  if (st == BN_OK) st = bn_mallocn(ctx, n, sizeof(uint64_t), &s->lo);
  if (st == BN_OK) st = bn_mallocn(ctx, n, sizeof(uint64_t), &s->hi);
  if (st == BN_OK)
    st = bn_mallocn(ctx, (size_t)c->nu + 1, sizeof(double), &s->rowsq);
  if (st == BN_OK)
    st = bn_calloc(ctx, bn_size_mul(4, (size_t)bn_ctx_size(ctx)), sizeof(int),
                   &s->cnt);
  c->colsel = s;
  return st;
}

void bn_rpca_colsel_free(bn_rpca_colsel_t *s) {
  if (!s) return;
  free(s->hist);
  free(s->pre);
  free(s->top);
  free(s->sh);
  free(s->above);
  free(s->count);
  free(s->cmax);
  free(s->rowhist);
  free(s->hist8);
  free(s->rrow);
  free(s->flag);
  free(s->rflag);
  free(s->lo);
  free(s->hi);
  free(s->rowsq);
  free(s->scol);
  free(s->sval);
  free(s->crow);
  free(s->ccol);
  free(s->cval);
  free(s->cnt);
  free(s);
}

/* Local: the send offsets sd (cnt + P) of the candidates by owner, each
 * owner's room the global count of its columns' candidates; sc = 0. */
void bn_rpca_col_offsets(bn_rpca_t *c, int *cnt) {
  bn_rpca_colsel_t *s = c->colsel;
  const int P = bn_ctx_size(c->ctx);
  bn_idx_t off = 0;
  for (int q = 0; q < P; q++) {
    bn_idx_t q0 = bn_dist_offset(c->cdist, q),
             q1 = bn_dist_offset(c->cdist, q + 1);
    cnt[q] = 0;
    cnt[P + q] = (int)off;
    for (bn_idx_t j = q0; j < q1; j++) off += s->sh[j] >= 0 ? s->count[j] : 0;
  }
}

/* Collective: the candidates scol/sval (sc, sd in cnt, 4 P ints) go to
 * their columns' owners, which select the (k - above)-th largest among
 * them; then all thresholds to every rank. sval is scratch afterwards. */
bn_status_t bn_rpca_col_exchange(bn_rpca_t *c, bn_idx_t k, const int *scol,
                                 double *sval, int *cnt) {
  bn_ctx_t *ctx = c->ctx;
  bn_rpca_colsel_t *s = c->colsel;
  MPI_Comm comm = bn_ctx_comm(ctx);
  const int P = bn_ctx_size(ctx);
  const bn_idx_t first = bn_dist_first(c->cdist);
  int *rcol = NULL;
  double *rval = NULL, *own = NULL;
  bn_idx_t *ptr = NULL;
  bn_status_t st = bn_calloc(ctx, (size_t)c->nv + 2, sizeof(bn_idx_t), &ptr);
  if (st == BN_OK)
    st = bn_mallocn(ctx, (size_t)c->nv + 1, sizeof(double), &own);
  st = bn_agree(ctx, st);
  if (st != BN_OK) goto cleanup;
  int *sc = cnt, *sd = cnt + P, *rc = cnt + 2 * P, *rd = cnt + 3 * P;
  bn_idx_t nr = 0;
  if (MPI_Alltoall(sc, 1, MPI_INT, rc, 1, MPI_INT, comm) != MPI_SUCCESS)
    st = BN_ERROR(ctx, BN_ERR_MPI, "MPI_Alltoall failed (rpca thresholds)");
  for (int q = 0; st == BN_OK && q < P; q++) {
    rd[q] = (int)nr;
    nr += rc[q];
  }
  if (st == BN_OK) st = bn_mallocn(ctx, (size_t)nr + 1, sizeof(int), &rcol);
  if (st == BN_OK) st = bn_mallocn(ctx, (size_t)nr + 1, sizeof(double), &rval);
  st = bn_agree(ctx, st);
  if (st == BN_OK && (MPI_Alltoallv(scol, sc, sd, MPI_INT, rcol, rc, rd,
                                    MPI_INT, comm) != MPI_SUCCESS ||
                      MPI_Alltoallv(sval, sc, sd, MPI_DOUBLE, rval, rc, rd,
                                    MPI_DOUBLE, comm) != MPI_SUCCESS))
    st = BN_ERROR(ctx, BN_ERR_MPI, "MPI_Alltoallv failed (rpca thresholds)");
  if (st != BN_OK) goto cleanup;
  /* Group the received candidates by owned column (sval as scratch). */
  for (bn_idx_t e = 0; e < nr; e++) ptr[rcol[e] - first + 2]++;
  for (bn_idx_t j = 0; j < c->nv; j++) ptr[j + 2] += ptr[j + 1];
  for (bn_idx_t e = 0; e < nr; e++) sval[ptr[rcol[e] - first + 1]++] = rval[e];
  for (bn_idx_t j = 0; j < c->nv; j++) {
    bn_idx_t g = first + j, n = ptr[j + 1] - ptr[j];
    if (s->sh[g] < 0) {
      own[j] = c->cthr[g];
    } else if (n != s->count[g]) { /* cannot happen: the histograms agree */
      own[j] = NAN;
      st = BN_ERROR(ctx, BN_ERR_STATE,
                    "rpca: column %lld has %lld threshold candidates, %lld "
                    "counted",
                    (long long)g, (long long)n, (long long)s->count[g]);
    } else {
      own[j] = bn_select_kth_largest(sval + ptr[j], n, k - s->above[g]);
    }
  }
  st = bn_agree(ctx, st);
  if (st == BN_OK) st = bn_rpca_cthr_gather(c, own, rc, rd);
cleanup:
  free(rcol);
  free(rval);
  free(ptr);
  free(own);
  return st;
}
