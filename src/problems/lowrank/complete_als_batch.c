/* Matrix completion, ALS: the row systems queued and solved eight at a
 * time (linalg/chol_batch.h), for the row solves (complete_als.c) and the
 * column solves (complete_als_cols.c). */
#include "problems/lowrank/complete_als_ws.h"

void bn_als_batch_solve(const bn_als_ws_t *ws, bn_als_batch_t *bt, double *u,
                        double *bias, int r) {
  const int W = ws->W, Ln = BN_CHOL_LANES;
  if (bt->n == 0) return;
  for (int l = bt->n; l < Ln; l++) /* idle lanes: the identity */
    for (int a = 0; a < W; a++) {
      for (int b = 0; b <= a; b++) ws->bm[(a * W + b) * Ln + l] = a == b;
      ws->bz[a * Ln + l] = 0.0;
    }
  unsigned bad = bn_chol_batch(W, ws->bm, ws->bz);
  for (int l = 0; l < bt->n; l++) {
    const double *z = bad >> l & 1u ? ws->bz0 : ws->bz;
    double *ui = u + (size_t)bt->who[l] * r;
    for (int a = 0; a < r; a++)
      ui[a] = bt->zero >> l & 1u ? 0.0 : z[a * Ln + l];
    if (W > r) bias[bt->who[l]] = bt->zero >> l & 1u ? 0.0 : z[r * Ln + l];
  }
  bt->n = 0;
  bt->zero = 0;
}

void bn_als_batch_add(const bn_als_ws_t *ws, bn_als_batch_t *bt, double reg,
                      bn_idx_t who, double *u, double *bias, int r) {
  const int W = ws->W, Ln = BN_CHOL_LANES, l = bt->n;
  double tr = 0.0;
  for (int a = 0; a < W; a++) tr += ws->m[a * W + a];
  for (int a = 0; a < W; a++) {
    for (int b = 0; b < a; b++) ws->bm[(a * W + b) * Ln + l] = ws->m[a * W + b];
    ws->bm[(a * W + a) * Ln + l] = ws->m[a * W + a] + reg + 1e-12 * tr / W;
    ws->bz[a * Ln + l] = ws->bz0[a * Ln + l] = ws->z[a];
  }
  if (tr == 0.0) {
    bt->zero |= 1u << l;
    for (int a = 0; a < W; a++) ws->bm[(a * W + a) * Ln + l] = 1.0;
  }
  bt->who[l] = who;
  if (++bt->n == Ln) bn_als_batch_solve(ws, bt, u, bias, r);
}
