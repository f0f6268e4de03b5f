/* Matrix completion: alternating least squares.
 *
 * A sweep solves, for every row of U (with b_i) with V fixed and then every
 * row of V (with c_j) with U fixed, the row's ridge problem: sum_j (u.v_j +
 * b_i + c_j + mu - m_ij)^2 + p w_i (|u|^2 + b_i^2) over the row's entries
 * (complete.h: w_i = lambda, or lambda n_i / p). The systems are formed at
 * BLAS-3 speed: a row's features and targets gathered into a block, one
 * dgemm, then a Cholesky solve. V's systems are summed where the entries
 * live and added into the owners' rows (complete_als_cols.c). */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "problems/lowrank/complete_als_ws.h"

/* Entries of the longest row or ghost column (not collective). */
static bn_status_t bn_als_longest(bn_complete_t *c, bn_idx_t *longest) {
  const bn_obs_t *o = c->obs;
  bn_idx_t *n = NULL;
  *longest = 0;
  for (bn_idx_t i = 0; i < c->nu; i++)
    if (o->rowptr[i + 1] - o->rowptr[i] > *longest)
      *longest = o->rowptr[i + 1] - o->rowptr[i];
  BN_CALL(c->ctx,
          bn_calloc(c->ctx, (size_t)o->nghost + 1, sizeof(bn_idx_t), &n));
  for (bn_idx_t e = 0; e < o->nnz; e++) n[o->gcol[e]]++;
  for (bn_idx_t g = 0; g < o->nghost; g++)
    if (n[g] > *longest) *longest = n[g];
  free(n);
  return BN_OK;
}

static bn_status_t bn_als_ws(bn_complete_t *c, bn_als_ws_t *ws) {
  const bn_obs_t *o = c->obs;
  int W = c->r + (c->bias ? 1 : 0);
  size_t P = (size_t)W * (W + 1) / 2, ng = (size_t)o->nghost, sw = P + W;
  bool first = !c->als_buf;
  if (first) {
    bn_idx_t longest = 0;
    BN_CALL(c->ctx, bn_agree(c->ctx, bn_als_longest(c, &longest)));
    c->als_eb = longest > BN_ALS_EBLK ? longest : BN_ALS_EBLK;
    BN_CALL(c->ctx, bn_als_chunks_create(c, sw));
  }
  const struct bn_als_chunks *ch = c->als_chunks;
  size_t eb = (size_t)c->als_eb;
  size_t nd = (size_t)(BN_ALS_BLK + W + 1) * (W + 1) + (size_t)W * (W + 1) +
              BN_ALS_BLK + (size_t)(W + 2) * W * BN_CHOL_LANES +
              (size_t)(ch->ghosts + ch->owned) * sw + eb;
  size_t ni =
      (2 * (ng + 1) + (size_t)c->nu) * sizeof(bn_idx_t) + eb * sizeof(uint32_t);
  if (first)
    BN_CALL(c->ctx,
            bn_agree(c->ctx,
                     bn_malloc(c->ctx,
                               bn_size_add(bn_size_mul(nd, sizeof(double)), ni),
                               &c->als_buf)));
  ws->W = W;
  ws->P = P;
  ws->a = c->als_buf;
  ws->g = ws->a + (size_t)BN_ALS_BLK * (W + 1);
  ws->m = ws->g + (size_t)(W + 1) * (W + 1);
  ws->z = ws->m + (size_t)W * W;
  ws->y = ws->z + W;
  ws->bm = ws->y + BN_ALS_BLK;
  ws->bz = ws->bm + (size_t)W * W * BN_CHOL_LANES;
  ws->bz0 = ws->bz + (size_t)W * BN_CHOL_LANES;
  ws->ne = ws->bz0 + (size_t)W * BN_CHOL_LANES;
  ws->own = ws->ne + (size_t)ch->ghosts * sw;
  ws->bval = ws->own + (size_t)ch->owned * sw;
  ws->cnt = (bn_idx_t *)(ws->bval + eb);
  ws->bptr = ws->cnt + ng + 1;
  ws->cur = ws->bptr + ng + 1;
  ws->brow = (uint32_t *)(ws->cur + c->nu);
  if (first) {
    memset(ws->cnt, 0, (ng + 1) * sizeof(bn_idx_t));
    for (bn_idx_t e = 0; e < o->nnz; e++) ws->cnt[o->gcol[e] + 1]++;
    for (size_t g = 0; g < ng; g++) ws->cnt[g + 1] += ws->cnt[g];
  }
  return BN_OK;
}

/* The system in g as m (lower triangle) and z. */
static void bn_als_unpack(const bn_als_ws_t *ws) {
  const int W = ws->W, W1 = W + 1;
  for (int a = 0; a < W; a++) {
    for (int b = 0; b <= a; b++) ws->m[a * W + b] = ws->g[a * W1 + b];
    ws->z[a] = ws->g[W * W1 + a];
  }
}

/* Rows of U (and b): V fixed. Row i's features are [v_j | 1], its targets
 * m_ij - mu - c_j, from the ghost rows [v_j | c_j] in vg, read in place. */
static void bn_als_rows(bn_complete_t *c, const bn_als_ws_t *ws,
                        bn_complete_parts_t x) {
  const bn_obs_t *o = c->obs;
  const int r = c->r, W = ws->W, W1 = W + 1, bias = c->bias;
  const double mean = c->mean, *restrict vg = c->vg;
  bn_als_batch_t bt = {0};
  for (bn_idx_t i = 0; i < c->nu; i++) {
    memset(ws->g, 0, (size_t)W1 * W1 * sizeof(double));
    for (bn_idx_t e0 = o->rowptr[i]; e0 < o->rowptr[i + 1]; e0 += BN_ALS_BLK) {
      bn_idx_t e1 = o->rowptr[i + 1] - e0 < BN_ALS_BLK ? o->rowptr[i + 1]
                                                       : e0 + BN_ALS_BLK;
      for (bn_idx_t e = e0; e < e1; e++)
        ws->y[e - e0] = bias ? o->val[e] - mean - vg[(size_t)o->gcol[e] * W + r]
                             : o->val[e];
      bn_als_accumulate(ws, bias, (int)(e1 - e0), vg, (size_t)W, o->gcol + e0,
                        ws->y);
    }
    bn_als_unpack(ws);
    double reg = c->p * (c->count ? c->regu[i] : c->lambda);
    bn_als_batch_add(ws, &bt, reg, i, x.u, x.b, r);
  }
  bn_als_batch_solve(ws, &bt, x.u, x.b, r);
}

bn_status_t bn_complete_sweep(void *data, double *x) {
  bn_complete_t *c = data;
  bn_ctx_t *ctx = c->ctx;
  bn_als_ws_t ws = {0};
  bn_complete_parts_t p = bn_complete_split(c, x);
  BN_CALL(ctx, bn_als_ws(c, &ws));
  bn_timer_start(ctx, c->t_usweep);
  bn_status_t st = bn_complete_gather_v(c, c->obs->plan, x, c->vg);
  if (st == BN_OK) bn_als_rows(c, &ws, p);
  bn_timer_stop(ctx, c->t_usweep);
  bn_timer_start(ctx, c->t_vsweep);
  if (st == BN_OK) st = bn_als_cols(c, &ws, p);
  bn_timer_stop(ctx, c->t_vsweep);
  BN_CALL(ctx, st);
  return c->balance ? bn_complete_balance(c, x) : BN_OK;
}
