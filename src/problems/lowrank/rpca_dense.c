/* Robust PCA, dense M: the residual, the thresholds of T_a and the fused
 * objective/gradient pass, streaming the nu x n2 residual as few times as
 * possible (it is the whole cost: 800 MB at 10^4 x 10^4).
 *
 * Row pass: res_i = M_i - u_i V^T (V transposed once, r x n2, so the loop
 * vectorises), then while the row is in cache its exact threshold (the
 * k-th largest of |res_i|, by the same radix selection on the keys as the
 * columns, described next) and the running column maxima.
 *
 * Column thresholds, exact, without a transpose: radix selection on the
 * bits of |res|. For x >= 0 the IEEE bit pattern, read as an integer key,
 * is monotone in x. Level 0 histograms the key's top 11 + SB bits (octave
 * and SB sub-octave bits) in a window of NOCT octaves: centred on the
 * column's last threshold when there is one (a hint: counted in the row
 * pass, in uint8 counters flushed every 255 rows to stay in cache), else
 * under the column's maximum (its own pass). The per-column histograms
 * (NB bins, plus "under" and "over" the window) are summed over the ranks by
 * one MPI_Allreduce and every rank finds, for every column, the bin that
 * holds the k-th largest and how many entries lie above it (a column whose
 * k-th largest lies outside the window gets, on another pass, the window
 * under its maximum, then the next ones down). Further levels histogram the
 * next DB bits inside the chosen bin while the bins hold many entries; then the
 * entries of each column's bin (a few hundred at 10^4 rows) go to the
 * column's owner (one MPI_Alltoallv), which selects among them exactly, and
 * one MPI_Allgatherv gives every rank all column thresholds. The k-th largest
 * does not depend on how the rows were split, so S is the same on any number of
 * processes.
 *
 * Evaluations (c->stream, set by bn_rpca_eval) never store the residual:
 * every pass recomputes its rows from M and the point (bn_res_row, one
 * compiled loop, so every pass sees the same bits), which reads 800 MB
 * instead of writing and re-reading 800 MB (at 2 processes sharing the
 * memory bus: 14.4 -> 9.1 s to 1e-6 at 10^4 x 10^4). The collection of the
 * columns' bins is fused into the objective/gradient pass: an entry over
 * its row threshold and over its column's bin is kept, one under the bin
 * is not, and one in the bin (a candidate) is left out of Z until its
 * column's threshold is known (bn_rpca_fit_finish adds those that are not
 * kept). S, and so f and its gradient, are those of the exact T_a, as
 * before; only the rounding of the sums differs. Other callers (the
 * spectral start, hvp, saving S, the tests) get res stored. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "problems/lowrank/rpca_colsel.h"

static bn_idx_t bn_kth(double frac, bn_idx_t n) {
  return (bn_idx_t)floor(frac * (double)n);
}

/* Level 0's window of column j with no hint: the NOCT octaves under the
 * column's maximum. */
static void bn_col_cold(bn_rpca_colsel_t *s, bn_idx_t j) {
  s->top[j] = (bn_key(s->cmax[j]) >> SH0) + 1;
  s->pre[j] = s->top[j] > NB ? s->top[j] - NB : 0;
}

/* Level 0's windows centred on the last thresholds (a hint: a column whose
 * k-th largest has left its window gets a cold window on another pass). */
static void bn_col_hinted(bn_rpca_t *c) {
  bn_rpca_colsel_t *s = c->colsel;
  for (bn_idx_t j = 0; j < c->n2; j++) {
    uint64_t t = bn_key(c->cthr[j]) >> SH0;
    s->pre[j] = t > NB / 2 ? t - NB / 2 : 0;
    s->top[j] = s->pre[j] + NB;
    s->sh[j] = SH0 + 64;
  }
  if (s->nrow8) bn_rpca_hist8_flush(s, c->n2); /* left by an error */
  memset(s->hist, 0, (size_t)c->n2 * NBX * sizeof(uint32_t));
}

/* The column thresholds' state for a new search. */
static void bn_col_start(bn_rpca_t *c) {
  bn_rpca_colsel_t *s = c->colsel;
  for (bn_idx_t j = 0; j < c->n2; j++) {
    bn_col_cold(s, j);
    s->sh[j] = SH0 + 64; /* level 0, window [pre, top) not yet counted */
  }
}

/* One pass: the local histograms of the columns still searching. Level 0
 * (sh >= 64): bin key >> SH0 in [pre, top); level >= 1: the next DB bits of
 * the keys with key >> sh == pre. Row by row: the histograms of all
 * columns are touched per row, but the residual streams sequentially
 * (measured 2-3x faster than blocks of columns, whose strided rows defeat
 * the prefetcher). */
static void bn_col_hist(bn_rpca_t *c, bool clear) {
  bn_rpca_colsel_t *s = c->colsel;
  const bn_idx_t nu = c->nu, n2 = c->n2;
  uint32_t *restrict h = s->hist;
  const uint64_t *restrict pre = s->pre, *restrict top = s->top;
  const int *restrict shv = s->sh;
  if (clear) memset(h, 0, (size_t)n2 * NBX * sizeof(uint32_t));
  bool level0 = true;
  for (bn_idx_t j = 0; j < n2; j++) level0 &= shv[j] >= 64;
  for (bn_idx_t i = 0; i < nu; i++) {
    const double *restrict row = bn_rpca_res_get(c, i);
    if (level0) { /* the common first pass: branch-free */
      for (bn_idx_t j = 0; j < n2; j++)
        h[bn_bin0(bn_key(row[j]), pre[j], top[j]) * n2 + j]++;
      continue;
    }
    for (bn_idx_t j = 0; j < n2; j++) {
      int sh = shv[j];
      if (sh < 0) continue;
      uint64_t u = bn_key(row[j]), b;
      if (sh >= 64) {
        b = bn_bin0(u, pre[j], top[j]);
      } else {
        int d = sh < DB ? sh : DB;
        b = (u >> sh) == pre[j] ? (u >> (sh - d)) & ((1u << d) - 1) : NB;
      }
      h[b * (uint64_t)n2 + j]++;
    }
  }
}

/* After the summed histograms: every column's next bin. Returns the
 * number of columns still at level 0 (their window missed), or -1 if the
 * counts are inconsistent, and sets *incand to the entries in the chosen
 * bins. */
static bn_idx_t bn_col_descend(bn_rpca_t *c, bn_idx_t k, bn_idx_t *incand) {
  bn_rpca_colsel_t *s = c->colsel;
  bn_idx_t missed = 0;
  *incand = 0;
  for (bn_idx_t j = 0; j < c->n2; j++) {
    int sh = s->sh[j];
    if (sh < 0) continue;
    const uint32_t *h = s->hist + j; /* bin b: h[b n2] */
    const size_t n2 = (size_t)c->n2;
    int nb = sh >= 64 ? (int)(s->top[j] - s->pre[j]) : 1 << (sh < DB ? sh : DB);
    /* Level 0 counts what lies over its window itself. */
    bn_idx_t cum = sh >= 64 ? h[(NB + 1) * n2] : s->above[j];
    if (cum >= k) { /* level 0, hinted: the k-th largest is over the window */
      bn_col_cold(s, j);
      missed++;
      continue;
    }
    int b = nb - 1;
    for (; b >= 0 && cum + (bn_idx_t)h[b * n2] < k; b--) cum += h[b * n2];
    if (b < 0 && sh < 64) return -1; /* inconsistent counts: cannot happen */
    if (b < 0) { /* level 0: the k-th largest lies under the window */
      s->top[j] = s->pre[j];
      s->pre[j] = s->top[j] > NB ? s->top[j] - NB : 0;
      missed++;
      continue;
    }
    s->above[j] = cum;
    s->count[j] = h[b * n2];
    if (sh >= 64) {
      s->pre[j] += (uint64_t)b;
      s->sh[j] = SH0;
    } else {
      int d = sh < DB ? sh : DB;
      s->pre[j] = (s->pre[j] << d) | (uint64_t)b;
      s->sh[j] = sh - d;
    }
    if (s->sh[j] == 0) { /* every entry of the bin equals the threshold */
      c->cthr[j] = bn_unkey(s->pre[j]);
      s->sh[j] = -1;
    } else {
      *incand += s->count[j];
    }
  }
  return missed;
}

/* Collective: the entries of every column's bin (read from the residual)
 * to the columns' owners, and the exact thresholds (bn_rpca_col_exchange). */
static bn_status_t bn_col_collect(bn_rpca_t *c, bn_idx_t k, bn_idx_t ncand) {
  bn_ctx_t *ctx = c->ctx;
  bn_rpca_colsel_t *s = c->colsel;
  const int P = bn_ctx_size(ctx);
  const bn_idx_t nu = c->nu;
  int *cnt = NULL, *scol = NULL;
  double *sval = NULL;
  bn_status_t st = bn_calloc(ctx, bn_size_mul(4, (size_t)P), sizeof(int), &cnt);
  if (st == BN_OK) st = bn_mallocn(ctx, (size_t)ncand + 1, sizeof(int), &scol);
  if (st == BN_OK)
    st = bn_mallocn(ctx, (size_t)ncand + 1, sizeof(double), &sval);
  st = bn_agree(ctx, st);
  if (st == BN_OK) {
    int *sc = cnt, *sd = cnt + P;
    bn_rpca_col_offsets(c, cnt);
    for (bn_idx_t i = 0; i < nu; i++) {
      const double *restrict row = bn_rpca_res_get(c, i);
      for (int q = 0; q < P; q++) {
        bn_idx_t q0 = bn_dist_offset(c->cdist, q),
                 q1 = bn_dist_offset(c->cdist, q + 1), m = sd[q] + sc[q];
        for (bn_idx_t j = q0; j < q1; j++) {
          int sh = s->sh[j];
          if (sh < 0 || (bn_key(row[j]) >> sh) != s->pre[j]) continue;
          scol[m] = (int)j;
          sval[m++] = fabs(row[j]);
        }
        sc[q] = (int)(m - sd[q]);
      }
    }
    st = bn_rpca_col_exchange(c, k, scol, sval, cnt);
  }
  free(cnt);
  free(scol);
  free(sval);
  return st;
}

/* Collective: the search of the column thresholds from res and
 * colsel->cmax (local) down to bins small enough to collect; prefilled: the
 * row pass made level 0's histograms (hinted windows). *pending: the
 * candidates in the chosen bins (global), -1 when all thresholds are known
 * (k < 1). */
static bn_status_t bn_col_search(bn_rpca_t *c, double frac, bool prefilled,
                                 bn_idx_t *pending) {
  bn_ctx_t *ctx = c->ctx;
  bn_rpca_colsel_t *s = c->colsel;
  MPI_Comm comm = bn_ctx_comm(ctx);
  const bn_idx_t n2 = c->n2, k = bn_kth(frac, c->n1);
  s->have_hint = false;
  *pending = -1;
  if (k < 1) {
    for (bn_idx_t j = 0; j < n2; j++) c->cthr[j] = INFINITY;
    return BN_OK;
  }
  BN_MPI(ctx, MPI_Allreduce(MPI_IN_PLACE, s->cmax, (int)n2, MPI_DOUBLE, MPI_MAX,
                            comm));
  if (prefilled) bn_rpca_hist8_flush(s, n2);
  if (!prefilled) bn_col_start(c);
  /* Refine while the chosen bins hold more than 1/16 of the entries (or
   * more than an MPI count allows); the first level usually leaves a few
   * per cent of each column. */
  const double limit =
      c->cand_limit > 0 ? (double)c->cand_limit
                        : fmin(fmax((double)c->n1 * (double)n2 / 16, 65536.0),
                               (double)(INT32_MAX / 2));
  bn_idx_t incand = 0;
  for (bool first = true;; first = false) {
    if (!(first && prefilled)) bn_col_hist(c, true);
    /* Counts are below n1 <= INT32_MAX per bin: uint32 sums are exact. */
    /* In pieces whose count fits an int (NBX n2 does not past 16.5 M
     * columns). */
    const size_t nh = (size_t)n2 * NBX, piece = (size_t)1 << 30;
    for (size_t e = 0; bn_ctx_size(ctx) > 1 && e < nh; e += piece)
      BN_MPI(ctx, MPI_Allreduce(MPI_IN_PLACE, s->hist + e,
                                (int)(nh - e < piece ? nh - e : piece),
                                MPI_UINT32_T, MPI_SUM, comm));
    bn_idx_t missed = bn_col_descend(c, k, &incand);
    if (missed < 0)
      return BN_ERROR(ctx, BN_ERR_STATE,
                      "rpca: inconsistent threshold histograms");
    if (missed == 0 && (double)incand <= limit) break;
  }
  *pending = incand;
  return BN_OK;
}

/* Collective: the column thresholds (bn_col_search, then bn_col_collect). */
static bn_status_t bn_col_thresholds_dense(bn_rpca_t *c, double frac,
                                           bool prefilled) {
  bn_idx_t pending;
  BN_CALL(c->ctx, bn_col_search(c, frac, prefilled, &pending));
  if (pending < 0) return BN_OK;
  bn_status_t st = bn_col_collect(c, bn_kth(frac, c->n1), pending);
  c->colsel->have_hint = st == BN_OK;
  return st;
}

/* Collective: a streaming evaluation's column search, then the fused pass's
 * bounds (lo, hi) and its buffers for the candidates. */
static bn_status_t bn_col_search_stream(bn_rpca_t *c, double frac, bool hint) {
  bn_ctx_t *ctx = c->ctx;
  bn_rpca_colsel_t *s = c->colsel;
  BN_CALL(ctx, bn_col_search(c, frac, hint, &s->pending));
  s->kc = bn_kth(frac, c->n1);
  for (bn_idx_t j = 0; j < c->n2; j++) {
    if (s->pending < 0 || s->sh[j] < 0) {
      s->lo[j] = s->hi[j] = bn_key(c->cthr[j]);
    } else {
      s->lo[j] = s->pre[j] << s->sh[j];
      s->hi[j] = (s->pre[j] + 1) << s->sh[j];
    }
  }
  size_t need = (size_t)(s->pending > 0 ? s->pending : 0) + 1;
  bn_status_t st = BN_OK;
  if (s->scap < need) {
    free(s->scol), free(s->sval), free(s->crow), free(s->ccol), free(s->cval);
    s->scol = s->crow = s->ccol = NULL;
    s->sval = s->cval = NULL;
    s->scap = 0;
    st = bn_mallocn(ctx, need, sizeof(int), &s->scol);
    if (st == BN_OK) st = bn_mallocn(ctx, need, sizeof(double), &s->sval);
    if (st == BN_OK) st = bn_mallocn(ctx, need, sizeof(int), &s->crow);
    if (st == BN_OK) st = bn_mallocn(ctx, need, sizeof(int), &s->ccol);
    if (st == BN_OK) st = bn_mallocn(ctx, need, sizeof(double), &s->cval);
    if (st == BN_OK) s->scap = need;
  }
  return bn_agree(ctx, st);
}

/* Level 0 of the columns' search in the row pass when the last
 * thresholds give its windows (the same decision on every rank); the
 * column maxima restart. */
static bool bn_thr_begin(bn_rpca_t *c, double frac) {
  bool hint = c->colsel->have_hint && bn_kth(frac, c->n2) >= 1 &&
              bn_kth(frac, c->n1) >= 1;
  if (hint) bn_col_hinted(c);
  memset(c->colsel->cmax, 0, (size_t)c->n2 * sizeof(double));
  return hint;
}

bn_status_t bn_rpca_thresholds_dense(bn_rpca_t *c, double frac) {
  bn_ctx_t *ctx = c->ctx;
  bn_timer_start(ctx, c->t_select);
  const bn_idx_t k = bn_kth(frac, c->n2);
  bool hint = bn_thr_begin(c, frac);
  for (bn_idx_t i = 0; i < c->nu; i++)
    bn_rpca_row_thr(c, bn_rpca_res_get(c, i), i, k, hint);
  bn_status_t st = bn_col_thresholds_dense(c, frac, hint);
  bn_timer_stop(ctx, c->t_select);
  return st;
}

/* vt = V^T (r x n2) from vall (n2 x r). */
void bn_rpca_transpose_v(bn_rpca_t *c) {
  const int r = c->r;
  for (bn_idx_t j = 0; j < c->n2; j++)
    for (int a = 0; a < r; a++) c->vt[a * c->n2 + j] = c->vall[j * r + a];
}

bn_status_t bn_rpca_residual_dense(bn_rpca_t *c, const double *x, double frac) {
  bn_ctx_t *ctx = c->ctx;
  const bn_idx_t nu = c->nu, n2 = c->n2;
  if (x) bn_rpca_transpose_v(c);
  bool thr = !c->frozen, stream = c->stream && thr;
  const bn_idx_t k = bn_kth(frac, n2);
  bool hint = thr && bn_thr_begin(c, frac);
  c->colsel->u = x;
  bn_timer_start(ctx, c->t_resid);
  for (bn_idx_t i = 0; i < nu; i++) {
    double *row = stream ? c->colsel->rrow : c->res + i * n2;
    bn_rpca_res_row(c, x, i, row);
    if (thr)
      bn_rpca_row_thr(c, row, i, k, hint); /* while the row is in cache */
  }
  bn_timer_stop(ctx, c->t_resid);
  if (!thr) return BN_OK;
  bn_timer_start(ctx, c->t_select);
  bn_status_t st = stream ? bn_col_search_stream(c, frac, hint)
                          : bn_col_thresholds_dense(c, frac, hint);
  bn_timer_stop(ctx, c->t_select);
  return st;
}
