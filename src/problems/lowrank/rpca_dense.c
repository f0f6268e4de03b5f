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

#include "problems/lowrank/rpca_dense.h"

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

static bn_idx_t bn_kth(double frac, bn_idx_t n) {
  return (bn_idx_t)floor(frac * (double)n);
}

/* hist += hist8, hist8 = 0 (both bin-major: one vectorised sweep). */
static void bn_hist8_flush(bn_rpca_colsel_t *s, bn_idx_t n2) {
  uint32_t *restrict h = s->hist;
  const uint8_t *restrict h8 = s->hist8;
  const size_t n = (size_t)n2 * NBX;
  for (size_t e = 0; e < n; e++) h[e] += h8[e];
  memset(s->hist8, 0, n);
  s->nrow8 = 0;
}

/* Level 0's bin of key u in the window [pre, top) of bin keys. */
static inline uint64_t bn_bin0(uint64_t u, uint64_t pre, uint64_t top) {
  uint64_t t = u >> SH0;
  return t < pre ? NB : t >= top ? NB + 1 : t - pre;
}

/* The index of the bin holding the k-th largest of a histogram of nb bins
 * (counted from the top), *k becoming the rank within that bin. */
static int bn_hist_find(const uint32_t *h, int nb, bn_idx_t *k) {
  int b = nb - 1;
  while ((bn_idx_t)h[b] < *k) *k -= h[b--];
  return b;
}

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

/* The k-th largest of w[0..m), all of whose keys are pre in their bits
 * from sh up: radix selection on the next 11 bits a level while many
 * remain, then a selection among the last few (h: 2048 counters). */
static double bn_kth_keys(double *restrict w, bn_idx_t m, bn_idx_t k,
                          uint64_t pre, int sh, uint32_t *restrict h) {
  while (m > 64 && sh > 0) {
    int d = sh < 11 ? sh : 11;
    uint64_t mask = ((uint64_t)1 << d) - 1;
    memset(h, 0, ((size_t)1 << d) * sizeof(uint32_t));
    for (bn_idx_t e = 0; e < m; e++) h[(bn_key(w[e]) >> (sh - d)) & mask]++;
    pre = (pre << d) | (uint64_t)bn_hist_find(h, 1 << d, &k);
    sh -= d;
    bn_idx_t m2 = 0;
    for (bn_idx_t e = 0; e < m; e++) {
      double v = w[e];
      w[m2] = v;
      m2 += (bn_key(v) >> sh) == pre;
    }
    m = m2;
  }
  return sh == 0 ? bn_unkey(pre) : bn_select_kth_largest(w, m, k);
}

/* |row_j| for the flagged j (rf: n2 flags, 8 read at a time) into w;
 * returns their count. */
static bn_idx_t bn_row_flagged(const double *restrict row, bn_idx_t n2,
                               const uint8_t *restrict rf, double *restrict w) {
  bn_idx_t m = 0;
  for (bn_idx_t j8 = 0; j8 < n2; j8 += 8) {
    uint64_t f;
    memcpy(&f, rf + j8, sizeof(f));
    if (j8 + 8 > n2) f &= (~(uint64_t)0) >> (8 * (j8 + 8 - n2));
    for (; f; f &= f - 1) w[m++] = fabs(row[j8 + (__builtin_ctzll(f) >> 3)]);
  }
  return m;
}

/* Row i's threshold from the window [lok, hik) of keys around its
 * predicted value, when the k-th largest lies in it: `above` entries lie
 * over the window, `in` in it (flagged in rflag). Returns false (a miss)
 * otherwise. */
static bool bn_row_thr_window(bn_rpca_t *c, const double *restrict row,
                              bn_idx_t i, bn_idx_t k, bn_idx_t above,
                              bn_idx_t in, uint64_t lok, uint64_t hik) {
  if (above >= k || above + in < k) return false;
  double *restrict w = c->rowbuf + c->nbuf;
  bn_idx_t m = bn_row_flagged(row, c->n2, c->colsel->rflag, w);
  /* The keys of the window share their bits above the highest bit where
   * lok and hik - 1 differ. */
  uint64_t x = lok ^ (hik - 1);
  int sh = x ? 64 - __builtin_clzll(x) : 0;
  c->rthr[i] = bn_kth_keys(w, m, k - above, sh < 64 ? lok >> sh : 0, sh,
                           c->colsel->rowhist);
  return true;
}

/* Row i's threshold by radix selection on the keys, the octave first
 * (two histograms for even and odd j, so that runs of entries in one
 * octave do not chain on one counter), then bn_kth_keys on its entries. */
static void bn_row_thr_radix(bn_rpca_t *c, const double *restrict row,
                             bn_idx_t i, bn_idx_t k) {
  const bn_idx_t n2 = c->n2;
  uint32_t *restrict h = c->colsel->rowhist, *restrict h2 = h + 2048;
  uint8_t *restrict rf = c->colsel->rflag;
  memset(h, 0, 4096 * sizeof(uint32_t));
  bn_idx_t j = 0;
  for (; j + 1 < n2; j += 2) {
    h[bn_key(fabs(row[j])) >> MANT]++;
    h2[bn_key(fabs(row[j + 1])) >> MANT]++;
  }
  for (; j < n2; j++) h[bn_key(fabs(row[j])) >> MANT]++;
  for (int b = 0; b < 2048; b++) h[b] += h2[b];
  uint64_t pre = (uint64_t)bn_hist_find(h, 2048, &k);
  for (j = 0; j < n2; j++) rf[j] = (bn_key(fabs(row[j])) >> MANT) == pre;
  double *restrict w = c->rowbuf + c->nbuf;
  bn_idx_t m = bn_row_flagged(row, n2, rf, w);
  c->rthr[i] = bn_kth_keys(w, m, k, pre, MANT, h);
}

/* The window's prediction learns from each row: the rows' thresholds
 * move together from one point to the next (by the ratio rho, followed as
 * a running mean of log ratios), each about it by a few per cent (dev, a
 * running mean of the relative misses; the window is 3 dev wide). */
static void bn_row_learn(bn_rpca_colsel_t *s, double prev, double pred,
                         double thr) {
  if (!(prev > 0 && prev < INFINITY && thr > 0 && thr < INFINITY)) return;
  s->lrho = 0.8 * s->lrho + 0.2 * log(thr / prev);
  double dev = fabs(thr / pred - 1.0);
  s->dev = 0.8 * s->dev + 0.2 * (dev < 1.0 ? dev : 1.0);
}

/* Row i's threshold, the k-th largest (k >= 1) of |res_i|, and the
 * running column maxima (and, hinted, the columns' level-0 counts). The
 * last threshold of the row, times the pass's running ratio, gives a window
 * of keys: one vectorised pass counts the entries over it and flags those
 * in it; when the k-th largest lies in it (most rows after the first
 * iterations), it is selected among the few flagged, else by radix
 * selection (bn_row_thr_radix). Both are exact: the hint only saves
 * time (the counting passes of the radix selection: half of the row pass
 * at 10^4 columns). */
static void bn_row_thr(bn_rpca_t *c, const double *restrict row, bn_idx_t i,
                       bn_idx_t k, bool colhist) {
  const bn_idx_t n2 = c->n2;
  bn_rpca_colsel_t *s = c->colsel;
  double *restrict cmax = s->cmax;
  if (k < 1) {
    c->rthr[i] = INFINITY;
    for (bn_idx_t j = 0; j < n2; j++) cmax[j] = fmax(cmax[j], fabs(row[j]));
    return;
  }
  const double prev = c->rthr[i];
  const bool hinted = prev > 0 && prev < INFINITY;
  const double pred = hinted ? prev * exp(s->lrho) : 0.0;
  const double wd = fmin(fmax(3.0 * s->dev, 1.0 / 128), 0.25);
  const uint64_t lok = hinted ? bn_key(pred * (1.0 - wd)) : UINT64_MAX,
                 hik = hinted ? bn_key(pred * (1.0 + wd)) : UINT64_MAX;
  uint8_t *restrict rf = s->rflag;
  bn_idx_t above = 0, in = 0;
  if (colhist) { /* and level 0 of the columns' search (hinted windows) */
    const uint64_t *restrict pre = s->pre, *restrict top = s->top;
    uint8_t *restrict hc = s->hist8, *restrict bb = s->flag;
    for (bn_idx_t j = 0; j < n2; j++) { /* vectorised */
      double v = fabs(row[j]);
      uint64_t u = bn_key(v);
      cmax[j] = cmax[j] > v ? cmax[j] : v;
      bb[j] = (uint8_t)bn_bin0(u, pre[j], top[j]);
      uint8_t f = (u >= lok) & (u < hik);
      rf[j] = f;
      in += f;
      above += u >= hik;
    }
    for (bn_idx_t j = 0; j < n2; j++) hc[bb[j] * n2 + j]++;
    if (++s->nrow8 == 255) bn_hist8_flush(s, n2);
  } else {
    for (bn_idx_t j = 0; j < n2; j++) {
      double v = fabs(row[j]);
      uint64_t u = bn_key(v);
      cmax[j] = cmax[j] > v ? cmax[j] : v;
      uint8_t f = (u >= lok) & (u < hik);
      rf[j] = f;
      in += f;
      above += u >= hik;
    }
  }
  if (hinted && bn_row_thr_window(c, row, i, k, above, in, lok, hik))
    s->row_hits++;
  else
    bn_row_thr_radix(c, row, i, k);
  bn_row_learn(s, prev, pred, c->rthr[i]);
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
  if (s->nrow8) bn_hist8_flush(s, c->n2); /* left by an error */
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
  if (st == BN_OK) {
    for (int q = 0; q < P; q++) {
      rc[q] =
          (int)(bn_dist_offset(c->cdist, q + 1) - bn_dist_offset(c->cdist, q));
      rd[q] = (int)bn_dist_offset(c->cdist, q);
    }
    if (MPI_Allgatherv(own, (int)c->nv, MPI_DOUBLE, c->cthr, rc, rd, MPI_DOUBLE,
                       comm) != MPI_SUCCESS)
      st = BN_ERROR(ctx, BN_ERR_MPI, "MPI_Allgatherv failed (rpca thresholds)");
  }
cleanup:
  free(rcol);
  free(rval);
  free(ptr);
  free(own);
  return st;
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
  if (prefilled) bn_hist8_flush(s, n2);
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
    bn_row_thr(c, bn_rpca_res_get(c, i), i, k, hint);
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
    if (thr) bn_row_thr(c, row, i, k, hint); /* while the row is in cache */
  }
  bn_timer_stop(ctx, c->t_resid);
  if (!thr) return BN_OK;
  bn_timer_start(ctx, c->t_select);
  bn_status_t st = stream ? bn_col_search_stream(c, frac, hint)
                          : bn_col_thresholds_dense(c, frac, hint);
  bn_timer_stop(ctx, c->t_select);
  return st;
}
