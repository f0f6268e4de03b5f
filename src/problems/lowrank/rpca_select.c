/* Robust PCA: the thresholds of the sparse estimator T_a, observed mode
 * (dense M: rpca_dense.c, radix selection without a transpose).
 *
 * Row thresholds are local (a rank owns whole rows). A column threshold is
 * the k-th largest magnitude of a column spread over every rank; it is
 * found exactly: each rank keeps its own k largest of the column (a local
 * selection), sends them to the column's owner (one MPI_Alltoallv), the
 * owner selects the k-th largest of at most P k candidates, and one
 * MPI_Allgatherv gives every rank all column thresholds. The k-th largest
 * of a set does not depend on how it was split, so S is the same on any
 * number of processes. Entries equal to a threshold are kept (ties). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problems/lowrank/rpca_state.h"

static inline void bn_swap(double *a, double *b) {
  double t = *a;
  *a = *b;
  *b = t;
}

double bn_select_kth_largest(double *a, bn_idx_t n, bn_idx_t k) {
  bn_idx_t lo = 0, hi = n - 1, want = k - 1;
  while (hi > lo) {
    /* Median of three as the pivot, then a Hoare partition into
     * [lo, j] >= pivot >= [j + 1, hi] (descending order). */
    bn_idx_t mid = lo + (hi - lo) / 2;
    if (a[mid] > a[lo]) bn_swap(&a[mid], &a[lo]);
    if (a[hi] > a[lo]) bn_swap(&a[hi], &a[lo]);
    if (a[hi] > a[mid]) bn_swap(&a[hi], &a[mid]);
    double piv = a[mid];
    bn_idx_t i = lo - 1, j = hi + 1;
    for (;;) {
      do i++;
      while (a[i] > piv);
      do j--;
      while (a[j] < piv);
      if (i >= j) break;
      bn_swap(&a[i], &a[j]);
    }
    if (want <= j)
      hi = j;
    else
      lo = j + 1;
  }
  /* a[want] is the k-th largest; [0, want) hold values >= it. */
  return a[want];
}

/* The k-th largest of a[0..n) without reordering a, with scratch w (n
 * doubles): a sample of 1024 strided entries brackets the answer, one
 * branch-free pass counts the entries above the bracket and collects those
 * inside it, and a selection among the few inside finishes. Exact: when
 * the bracket misses, a full selection on a copy. */
double bn_kth_largest(const double *a, bn_idx_t n, bn_idx_t k, double *w) {
  enum { S = 1024 };
  if (n <= 2 * S) {
    memcpy(w, a, (size_t)n * sizeof(double));
    return bn_select_kth_largest(w, n, k);
  }
  double samp[S], hi = INFINITY, lo = -INFINITY;
  for (bn_idx_t s = 0; s < S; s++) samp[s] = a[s * (n / S)];
  bn_idx_t ks = (bn_idx_t)((double)k / (double)n * S); /* 0-based rank */
  /* Four standard deviations of the sample rank, plus slack. */
  bn_idx_t D = (bn_idx_t)(4 * sqrt((double)ks * (1 - (double)ks / S))) + 8;
  if (ks - D >= 0) hi = bn_select_kth_largest(samp, S, ks - D + 1);
  if (ks + D < S) lo = bn_select_kth_largest(samp, S, ks + D + 1);
  bn_idx_t above = 0, m = 0;
  for (bn_idx_t i = 0; i < n; i++) {
    double x = a[i];
    above += x > hi;
    w[m] = x;
    m += (x >= lo) & (x <= hi);
  }
  if (above < k && above + m >= k)
    return bn_select_kth_largest(w, m, k - above);
  memcpy(w, a, (size_t)n * sizeof(double));
  return bn_select_kth_largest(w, n, k);
}

static bn_idx_t bn_kth(double frac, bn_idx_t n) {
  return (bn_idx_t)floor(frac * (double)n);
}

static void bn_row_thresholds(bn_rpca_t *c, double frac) {
  for (bn_idx_t i = 0; i < c->nu; i++) {
    bn_idx_t n = c->obs->rowptr[i + 1] - c->obs->rowptr[i];
    const double *row = c->res + c->obs->rowptr[i];
    bn_idx_t k = bn_kth(frac, n);
    if (k < 1) {
      c->rthr[i] = INFINITY;
      continue;
    }
    for (bn_idx_t j = 0; j < n; j++) c->rowbuf[j] = fabs(row[j]);
    c->rthr[i] = bn_kth_largest(c->rowbuf, n, k, c->rowbuf + c->nbuf);
  }
}

/* |res| grouped by local column into colbuf (the column permutation). */
static void bn_fill_columns(bn_rpca_t *c) {
  bn_idx_t nnz = c->obs->nnz;
  for (bn_idx_t s = 0; s < nnz; s++) c->colbuf[s] = fabs(c->res[c->colperm[s]]);
}

static bn_idx_t bn_col_global(const bn_rpca_t *c, bn_idx_t l) {
  return c->obs->ghost[l];
}

static bn_idx_t bn_col_k(const bn_rpca_t *c, bn_idx_t j, double frac) {
  return bn_kth(frac, c->kcol[j]);
}

/* Owners select the k-th largest of the candidates they received for their
 * columns: hdr holds (column, count) pairs, val the counts' values in
 * order. out[j - first] for the owned columns. */
static bn_status_t bn_owner_select(bn_rpca_t *c, double frac, bn_idx_t nh,
                                   const bn_idx_t *hdr, const double *val,
                                   bn_idx_t nval, double *out) {
  bn_ctx_t *ctx = c->ctx;
  bn_idx_t first = bn_dist_first(c->cdist), nown = c->nv;
  bn_idx_t *ptr = NULL;
  double *buf = NULL;
  bn_status_t st = bn_calloc(ctx, (size_t)nown + 1, sizeof(bn_idx_t), &ptr);
  if (st == BN_OK)
    st = bn_malloc(
        ctx, bn_size_add(bn_size_mul((size_t)nval, sizeof(double)), 1), &buf);
  if (st != BN_OK) {
    free(ptr);
    return st;
  }
  for (bn_idx_t h = 0; h < nh; h++)
    ptr[hdr[2 * h] - first + 1] += hdr[2 * h + 1];
  for (bn_idx_t j = 0; j < nown; j++) ptr[j + 1] += ptr[j];
  bn_idx_t off = 0;
  for (bn_idx_t h = 0; h < nh; h++) { /* ptr[j] advances to the end */
    bn_idx_t j = hdr[2 * h] - first, m = hdr[2 * h + 1];
    memcpy(buf + ptr[j], val + off, (size_t)m * sizeof(double));
    ptr[j] += m;
    off += m;
  }
  for (bn_idx_t j = nown; j > 0; j--) ptr[j] = ptr[j - 1];
  ptr[0] = 0;
  for (bn_idx_t j = 0; j < nown; j++) {
    bn_idx_t k = bn_col_k(c, first + j, frac), n = ptr[j + 1] - ptr[j];
    out[j] =
        k < 1 || n < k ? INFINITY : bn_select_kth_largest(buf + ptr[j], n, k);
  }
  free(ptr);
  free(buf);
  return BN_OK;
}

bn_status_t bn_rpca_cthr_gather(bn_rpca_t *c, const double *own, int *rc,
                                int *rd) {
  const int P = bn_ctx_size(c->ctx);
  for (int q = 0; q < P; q++) {
    rc[q] =
        (int)(bn_dist_offset(c->cdist, q + 1) - bn_dist_offset(c->cdist, q));
    rd[q] = (int)bn_dist_offset(c->cdist, q);
  }
  if (MPI_Allgatherv(own, (int)c->nv, MPI_DOUBLE, c->cthr, rc, rd, MPI_DOUBLE,
                     bn_ctx_comm(c->ctx)) != MPI_SUCCESS)
    return BN_ERROR(c->ctx, BN_ERR_MPI,
                    "MPI_Allgatherv failed (rpca thresholds)");
  return BN_OK;
}

static bn_status_t bn_col_thresholds(bn_rpca_t *c, double frac) {
  bn_ctx_t *ctx = c->ctx;
  MPI_Comm comm = bn_ctx_comm(ctx);
  const int P = bn_ctx_size(ctx);
  bn_fill_columns(c);
  /* Local candidates: the entries of each column at or above its local
   * m-th largest, m = min(k, local count) (ties may add a few). Columns are in
   * increasing global order, so each owner's columns are contiguous. */
  int *cnt = NULL;
  bn_idx_t *hdr = NULL, *rhdr = NULL;
  double *sval = NULL, *rval = NULL, *own = NULL;
  bn_status_t st = bn_calloc(ctx, bn_size_mul(8, (size_t)P), sizeof(int), &cnt);
  if (st == BN_OK)
    st =
        bn_malloc(ctx,
                  bn_size_add(bn_size_mul(bn_size_mul(2, (size_t)c->ncol_local),
                                          sizeof(bn_idx_t)),
                              1),
                  &hdr);
  bn_idx_t nsend = 0;
  if (st == BN_OK)
    for (bn_idx_t l = 0; l < c->ncol_local; l++) {
      bn_idx_t j = bn_col_global(c, l), n = c->colptr[l + 1] - c->colptr[l];
      bn_idx_t k = bn_col_k(c, j, frac), m = k < n ? k : n;
      const double *col = c->colbuf + c->colptr[l];
      if (m > 0 && m < n) { /* every entry >= the local m-th largest */
        double t = bn_kth_largest(col, n, m, c->rowbuf);
        m = 0;
        for (bn_idx_t e = 0; e < n; e++) m += col[e] >= t;
        c->lthr[l] = t;
      } else {
        c->lthr[l] = m > 0 ? -INFINITY : INFINITY;
      }
      hdr[2 * l] = j;
      hdr[2 * l + 1] = m;
      nsend += m;
    }
  if (st == BN_OK)
    st = bn_mallocn(ctx, (size_t)nsend + 1, sizeof(double), &sval);
  if (st == BN_OK && nsend > INT32_MAX)
    st = BN_ERROR(ctx, BN_ERR_ARG,
                  "rpca: %lld threshold candidates on one process exceed the "
                  "MPI count limit: run with more processes",
                  (long long)nsend);
  int *sc = cnt, *sd = cnt + P, *rc = cnt + 2 * P, *rd = cnt + 3 * P;
  int *hs = cnt + 4 * P, *hsd = cnt + 5 * P, *hr = cnt + 6 * P,
      *hrd = cnt + 7 * P;
  if (st == BN_OK) {
    bn_idx_t off = 0;
    for (bn_idx_t l = 0; l < c->ncol_local; l++) {
      int q = bn_dist_owner(c->cdist, hdr[2 * l]);
      bn_idx_t m = hdr[2 * l + 1];
      const double *col = c->colbuf + c->colptr[l];
      double t = c->lthr[l];
      for (bn_idx_t e = 0; m > 0 && e < c->colptr[l + 1] - c->colptr[l]; e++) {
        sval[off] = col[e];
        off += col[e] >= t;
      }
      sc[q] += (int)m;
      hs[q] += 2;
    }
  }
  bn_idx_t nrv = 0, nrh = 0;
  st = bn_agree(ctx, st);
  if (st != BN_OK) goto cleanup;
  for (int q = 0; q < P; q++) {
    sd[q] = q ? sd[q - 1] + sc[q - 1] : 0;
    hsd[q] = q ? hsd[q - 1] + hs[q - 1] : 0;
  }
  if (MPI_Alltoall(sc, 1, MPI_INT, rc, 1, MPI_INT, comm) != MPI_SUCCESS ||
      MPI_Alltoall(hs, 1, MPI_INT, hr, 1, MPI_INT, comm) != MPI_SUCCESS)
    st = BN_ERROR(ctx, BN_ERR_MPI, "MPI_Alltoall failed (rpca thresholds)");
  for (int q = 0; st == BN_OK && q < P; q++) {
    rd[q] = (int)nrv;
    hrd[q] = (int)nrh;
    nrv += rc[q];
    nrh += hr[q];
  }
  if (st == BN_OK)
    st = bn_malloc(
        ctx, bn_size_add(bn_size_mul((size_t)nrv, sizeof(double)), 1), &rval);
  if (st == BN_OK)
    st = bn_malloc(
        ctx, bn_size_add(bn_size_mul((size_t)nrh, sizeof(bn_idx_t)), 1), &rhdr);
  if (st == BN_OK)
    st = bn_malloc(
        ctx, bn_size_add(bn_size_mul((size_t)c->nv, sizeof(double)), 1), &own);
  st = bn_agree(ctx, st);
  if (st == BN_OK && (MPI_Alltoallv(hdr, hs, hsd, BN_IDX_MPI, rhdr, hr, hrd,
                                    BN_IDX_MPI, comm) != MPI_SUCCESS ||
                      MPI_Alltoallv(sval, sc, sd, MPI_DOUBLE, rval, rc, rd,
                                    MPI_DOUBLE, comm) != MPI_SUCCESS))
    st = BN_ERROR(ctx, BN_ERR_MPI, "MPI_Alltoallv failed (rpca thresholds)");
  if (st == BN_OK)
    st = bn_agree(ctx, bn_owner_select(c, frac, nrh / 2, rhdr, rval, nrv, own));
  if (st == BN_OK) st = bn_rpca_cthr_gather(c, own, rc, rd);
cleanup:
  free(cnt);
  free(hdr);
  free(rhdr);
  free(sval);
  free(rval);
  free(own);
  return st;
}

bn_status_t bn_rpca_thresholds_sparse(bn_rpca_t *c, double frac) {
  bn_ctx_t *ctx = c->ctx;
  bn_timer_start(ctx, c->t_select);
  bn_row_thresholds(c, frac);
  bn_status_t st = bn_col_thresholds(c, frac);
  bn_timer_stop(ctx, c->t_select);
  return st;
}
