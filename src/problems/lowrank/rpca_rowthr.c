/* Robust PCA, dense M: the rows' thresholds (the k-th largest of each
 * |res_i|, by a window around a prediction or by radix selection on the
 * keys) and, while the row is in cache, its counts for the columns'
 * level-0 histograms (rpca_dense.c describes the search). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "problems/lowrank/rpca_colsel.h"

/* hist += hist8, hist8 = 0 (both bin-major: one vectorised sweep). */
void bn_rpca_hist8_flush(bn_rpca_colsel_t *s, bn_idx_t n2) {
  uint32_t *restrict h = s->hist;
  const uint8_t *restrict h8 = s->hist8;
  const size_t n = (size_t)n2 * NBX;
  for (size_t e = 0; e < n; e++) h[e] += h8[e];
  memset(s->hist8, 0, n);
  s->nrow8 = 0;
}

/* The index of the bin holding the k-th largest of a histogram of nb bins
 * (counted from the top), *k becoming the rank within that bin. */
static int bn_hist_find(const uint32_t *h, int nb, bn_idx_t *k) {
  int b = nb - 1;
  while ((bn_idx_t)h[b] < *k) *k -= h[b--];
  return b;
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
void bn_rpca_row_thr(bn_rpca_t *c, const double *restrict row, bn_idx_t i,
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
    if (++s->nrow8 == 255) bn_rpca_hist8_flush(s, n2);
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
