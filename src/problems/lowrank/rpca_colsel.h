/* Robust PCA, dense M: the threshold search's state and the pieces that
 * rpca_dense.c (the column thresholds), rpca_rowthr.c (the row
 * thresholds), rpca_colsel.c (the search's memory, the residual row every
 * pass computes, the candidates' exchange) and rpca_fit.c (the fused
 * objective/gradient pass) share. Private to src/problems/lowrank/rpca*.c. */
#ifndef BN_PROBLEMS_RPCA_COLSEL_H
#define BN_PROBLEMS_RPCA_COLSEL_H

#include <stdint.h>
#include <string.h>

#include "problems/lowrank/rpca_state.h"

enum {
  SB = 3,          /* sub-octave bits of level 0 */
  NOCT = 16,       /* octaves in level 0's window */
  NB = NOCT << SB, /* bins per column at level 0 */
  DB = 7,          /* bits per level >= 1: 2^DB <= NB bins */
  NBX = NB + 2,    /* + bins "under the window" (NB), "over it" (NB + 1) */
  MANT = 52,       /* mantissa bits of a double */
  SH0 = MANT - SB  /* level 0: bin key = key >> SH0 */
};

_Static_assert((1 << DB) <= NB, "level >= 1 bins must fit a column's row");

static inline uint64_t bn_key(double x) {
  uint64_t u;
  memcpy(&u, &x, sizeof(u));
  return u & 0x7fffffffffffffffULL;
}

static inline double bn_unkey(uint64_t u) {
  double x;
  memcpy(&x, &u, sizeof(x));
  return x;
}

/* Level 0's bin of key u in the window [pre, top) of bin keys. */
static inline uint64_t bn_bin0(uint64_t u, uint64_t pre, uint64_t top) {
  uint64_t t = u >> SH0;
  return t < pre ? NB : t >= top ? NB + 1 : t - pre;
}

/* Per-column search state (n2 of each), allocated once (bn_rpca_alloc). */
struct bn_rpca_colsel {
  uint32_t *hist;          /* NBX x n2 (bin-major, as hist8) */
  uint64_t *pre, *top;     /* bin-key prefix / level-0 window top (excl.) */
  int *sh;                 /* pre = key >> sh; -1: threshold known */
  bn_idx_t *above, *count; /* entries above the bin; entries in the bin */
  double *cmax;            /* column maxima of |res| */
  uint32_t *rowhist;       /* 2 x 2048: one row's histogram (two halves) */
  bool have_hint;          /* cthr holds the last thresholds found */
  uint8_t *hist8;          /* NBX x n2 (bin-major): the row pass's counts,
                            * flushed into hist every 255 rows. uint8: a
                            * quarter of the cache footprint of hist
                            * (uint32 at 10^4 columns: 33% of the time in
                            * cache misses); bin-major: a row's increments
                            * touch only the rows of the bins in use (a few
                            * dozen, near the thresholds), which stay in
                            * L2, instead of every column's 130 bytes (1.3
                            * MB at 10^4 columns; measured 1/3 of the row
                            * pass in that increment) */
  int nrow8;               /* rows counted in hist8 */
  /* Streaming evaluation (c->stream): res is not stored; its rows are
   * recomputed from M and the point into rrow when needed. */
  const double *u;   /* U's local rows at the point */
  double *rrow;      /* one residual row (n2) */
  bn_idx_t pending;  /* candidates to collect after the fused pass
                      * (global count), -1: column thresholds known */
  uint64_t *lo, *hi; /* fused pass: column j keeps key >= hi[j],
                      * drops key < lo[j], else a candidate */
  double *rowsq;     /* fused pass: |Z_i|^2 per local row */
  /* Fused pass buffers (grown as needed): candidates by owner, and the
   * local entries (row, col, value) over their row threshold whose column
   * decides whether they are kept. */
  int *scol, *crow, *ccol;
  double *sval, *cval;
  size_t scap;
  bn_idx_t kc; /* k of the column thresholds */
  bn_idx_t ncorr;
  int *cnt;       /* 4 P: send/receive counts and offsets */
  uint8_t *flag;  /* fused pass: a row's candidate flags (n2 + 8) */
  uint8_t *rflag; /* row pass: entries in the row's window (n2 + 8) */
  double lrho;    /* row pass: running mean of log(new / last threshold) */
  double dev;     /* row pass: running mean relative miss of the window */
  long row_hits;  /* rows whose threshold lay in the window (the tests) */
};

/* Local: row = M_i - u_i V^T (x NULL: M_i), from vt; one compiled loop for
 * every pass (never inlined), so that all passes see the same bits. */
void bn_rpca_res_row(const bn_rpca_t *c, const double *x, bn_idx_t i,
                     double *restrict row);
/* Local: row i of the residual, stored in res or (c->stream) recomputed
 * into colsel->rrow. */
static inline const double *bn_rpca_res_get(bn_rpca_t *c, bn_idx_t i) {
  if (!c->stream) return c->res + i * c->n2;
  bn_rpca_res_row(c, c->colsel->u, i, c->colsel->rrow);
  return c->colsel->rrow;
}

/* Local: vt = V^T (r x n2) from vall (n2 x r). */
void bn_rpca_transpose_v(bn_rpca_t *c);
/* Local (rpca_fit.c): gui_a = s z . vt_a and gvt_a += s ui_a z for every
 * a, for one row z of the masked residual (n2 values). */
void bn_rpca_grad_row(const bn_rpca_t *c, const double *restrict z,
                      const double *ui, double s, double *gui);

/* Local: the send offsets sd (cnt + P) of the candidates by owner, each
 * owner's room the global count of its columns' candidates; sc = 0. */
void bn_rpca_col_offsets(bn_rpca_t *c, int *cnt);
/* Collective: the candidates scol/sval (sc, sd in cnt, 4 P ints) go to
 * their columns' owners, which select the (k - above)-th largest among
 * them; then all thresholds to every rank. sval is scratch afterwards. */
bn_status_t bn_rpca_col_exchange(bn_rpca_t *c, bn_idx_t k, const int *scol,
                                 double *sval, int *cnt);

/* Local (rpca_rowthr.c): hist += hist8, hist8 = 0. */
void bn_rpca_hist8_flush(bn_rpca_colsel_t *s, bn_idx_t n2);
/* Local (rpca_rowthr.c): row i's threshold, the k-th largest (k >= 1) of
 * |row|, and the running column maxima; with hint, the row's counts for
 * the columns' level-0 windows (see there and rpca_dense.c). */
void bn_rpca_row_thr(bn_rpca_t *c, const double *restrict row, bn_idx_t i,
                     bn_idx_t k, bool hint);

#endif
