/* Robust PCA, dense M: the objective/gradient pass of an evaluation, with
 * the collection of the column thresholds' candidates fused into it
 * (c->stream; see rpca_dense.c), and its completion once the column
 * thresholds are known. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "problems/lowrank/rpca_colsel.h"

/* Sum of 8 interleaved partial sums (vectorisable, and the same order on
 * any number of processes). */
static inline double bn_dot8(const double *restrict a, const double *restrict b,
                             bn_idx_t n) {
  double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  bn_idx_t j = 0;
  for (; j + 8 <= n; j += 8)
    for (int l = 0; l < 8; l++) acc[l] += a[j + l] * b[j + l];
  double s = 0;
  for (; j < n; j++) s += a[j] * b[j];
  for (int l = 0; l < 8; l++) s += acc[l];
  return s;
}

/* Streaming: the fused pass's row i (recomputed into rrow): z = -res off
 * the entries kept for sure and off the candidates over the row threshold
 * (those wait for their column's threshold, bn_rpca_fit_finish), the
 * candidates of every column's bin by owner into scol/sval, and those over
 * the row threshold into crow/ccol/cval. */
static void bn_fuse_row(bn_rpca_t *c, bn_idx_t i, double *restrict z) {
  bn_rpca_colsel_t *s = c->colsel;
  const int P = bn_ctx_size(c->ctx);
  const bn_idx_t n2 = c->n2;
  const double *restrict row = bn_rpca_res_get(c, i), rt = c->rthr[i];
  const uint64_t *restrict lo = s->lo, *restrict hi = s->hi;
  uint8_t *restrict fl = s->flag;
  for (bn_idx_t j = 0; j < n2; j++) {
    double v = row[j], a = fabs(v);
    uint64_t u = bn_key(a);
    z[j] = (a >= rt) & (u >= lo[j]) ? 0.0 : -v; /* NaN: -v, as before */
    fl[j] = (u >= lo[j]) & (u < hi[j]);
  }
  if (s->pending <= 0) return;
  int *sc = s->cnt, *sd = s->cnt + P;
  bn_idx_t nc = s->ncorr;
  for (int q = 0; q < P; q++) {
    bn_idx_t q0 = bn_dist_offset(c->cdist, q),
             q1 = bn_dist_offset(c->cdist, q + 1), m = sd[q] + sc[q];
    /* The flags 8 at a time (the candidates are a few per cent). */
    for (bn_idx_t j8 = q0; j8 < q1; j8 += 8) {
      uint64_t w;
      memcpy(&w, fl + j8, sizeof(w));
      if (j8 + 8 > q1) w &= (~(uint64_t)0) >> (8 * (j8 + 8 - q1));
      for (; w; w &= w - 1) {
        bn_idx_t j = j8 + (__builtin_ctzll(w) >> 3);
        double a = fabs(row[j]);
        s->scol[m] = (int)j;
        s->sval[m++] = a;
        if (a >= rt) {
          s->crow[nc] = (int)i;
          s->ccol[nc] = (int)j;
          s->cval[nc++] = row[j];
        }
      }
    }
    sc[q] = (int)(m - sd[q]);
  }
  s->ncorr = nc;
}

/* gui_a = s z . vt_a (summed in bn_dot8's order) and gvt_a += s ui_a z for
 * every a. For r <= 16 in blocks of columns, so that the blocks of z, vt
 * and gvt stay in L1 across the 2 r sweeps (a row of each is 80 KB at 10^4
 * columns: r + 1 of them do not fit in L2). */
void bn_rpca_grad_row(const bn_rpca_t *c, const double *restrict z,
                      const double *ui, double s, double *gui) {
  enum { BLK = 512, RMAX = 16 };
  const int r = c->r;
  const bn_idx_t n2 = c->n2, nb = n2 - n2 % 8;
  if (r > RMAX) {
    for (int a = 0; a < r; a++) {
      gui[a] = s * bn_dot8(z, c->vt + a * n2, n2);
      const double w = s * ui[a];
      double *restrict ga = c->gvt + a * n2;
      for (bn_idx_t j = 0; j < n2; j++) ga[j] += w * z[j];
    }
    return;
  }
  double acc[RMAX][8];
  memset(acc, 0, sizeof(acc));
  for (bn_idx_t j0 = 0; j0 < n2; j0 += BLK) {
    const bn_idx_t j1 = j0 + BLK < n2 ? j0 + BLK : n2, j8 = j1 < nb ? j1 : nb;
    for (int a = 0; a < r; a++) {
      const double *restrict va = c->vt + a * n2, w = s * ui[a];
      double *restrict ga = c->gvt + a * n2, *restrict ac = acc[a];
      for (bn_idx_t j = j0; j < j8; j += 8)
        for (int l = 0; l < 8; l++) ac[l] += z[j + l] * va[j + l];
      for (bn_idx_t j = j0; j < j1; j++) ga[j] += w * z[j];
    }
  }
  for (int a = 0; a < r; a++) {
    const double *restrict va = c->vt + a * n2;
    double t = 0;
    for (bn_idx_t j = nb; j < n2; j++) t += z[j] * va[j];
    for (int l = 0; l < 8; l++) t += acc[a][l];
    gui[a] = s * t;
  }
}

double bn_rpca_fit_dense(bn_rpca_t *c, const double *u, double *gu) {
  const int r = c->r;
  const bn_idx_t n2 = c->n2;
  const double s = 1.0 / c->p, *restrict cthr = c->cthr;
  double *restrict z = c->rowbuf, sumsq = 0;
  const bool stream = c->stream && !c->frozen;
  if (gu) memset(c->gvt, 0, (size_t)(n2 * r) * sizeof(double));
  if (stream) {
    c->colsel->ncorr = 0;
    if (c->colsel->pending >= 0) bn_rpca_col_offsets(c, c->colsel->cnt);
  }
  for (bn_idx_t i = 0; i < c->nu; i++) {
    const double *restrict row = c->res + i * n2, rt = c->rthr[i];
    /* z = -(res) off the support of S, 0 on it */
    if (stream) {
      bn_fuse_row(c, i, z);
    } else if (c->frozen) {
      const unsigned char *restrict kp = c->keep + i * n2;
      for (bn_idx_t j = 0; j < n2; j++) z[j] = kp[j] ? 0.0 : -row[j];
    } else {
      for (bn_idx_t j = 0; j < n2; j++) {
        double v = row[j], a = fabs(v);
        z[j] = (a >= rt) & (a >= cthr[j]) ? 0.0 : -v;
      }
    }
    double sq = bn_dot8(z, z, n2);
    if (stream) c->colsel->rowsq[i] = sq;
    sumsq += sq;
    if (!gu) continue;
    bn_rpca_grad_row(c, z, u + i * r, s, gu + i * r);
  }
  if (stream) return 0.0; /* bn_rpca_fit_finish completes it */
  if (gu)
    for (bn_idx_t j = 0; j < n2; j++)
      for (int a = 0; a < r; a++) c->gvall[j * r + a] = c->gvt[a * n2 + j];
  return sumsq;
}

bn_status_t bn_rpca_fit_finish(bn_rpca_t *c, const double *u, double *gu,
                               double *sumsq) {
  bn_ctx_t *ctx = c->ctx;
  bn_rpca_colsel_t *s = c->colsel;
  const int r = c->r;
  const bn_idx_t n2 = c->n2;
  const double sc = 1.0 / c->p;
  if (s->pending >= 0) {
    bn_timer_start(ctx, c->t_select);
    bn_status_t st = bn_rpca_col_exchange(c, s->kc, s->scol, s->sval, s->cnt);
    bn_timer_stop(ctx, c->t_select);
    BN_CALL(ctx, st);
    s->have_hint = true;
  }
  bn_timer_start(ctx, c->t_product);
  /* The candidates over their row threshold that their column drops. */
  for (bn_idx_t e = 0; e < s->ncorr; e++) {
    const bn_idx_t i = s->crow[e], j = s->ccol[e];
    const double v = s->cval[e];
    if (fabs(v) >= c->cthr[j]) continue;
    s->rowsq[i] += v * v;
    if (!gu) continue;
    for (int a = 0; a < r; a++) {
      gu[i * r + a] -= sc * v * c->vt[a * n2 + j];
      c->gvt[a * n2 + j] -= sc * u[i * r + a] * v;
    }
  }
  double sum = 0;
  for (bn_idx_t i = 0; i < c->nu; i++) sum += s->rowsq[i];
  *sumsq = sum;
  if (gu)
    for (bn_idx_t j = 0; j < n2; j++)
      for (int a = 0; a < r; a++) c->gvall[j * r + a] = c->gvt[a * n2 + j];
  bn_timer_stop(ctx, c->t_product);
  return BN_OK;
}
