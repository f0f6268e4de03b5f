/* Matrix completion, ALS: the column solves. Each column's system is
 * summed where its entries are (each rank its ghost columns), added into
 * its owner's through a plan, and solved there. The ghost systems are
 * formed chunk by chunk of global columns, so that the systems in flight
 * stay bounded however many columns there are. */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "problems/lowrank/complete_als_ws.h"

/* Blocks of rows when they give a ghost column this many entries on
 * average, else ranges of columns (bn_als_group_rows). */
#define BN_ALS_PER_COL 32

/* Add the system in g (lower triangle, then the right-hand side) into the
 * packed system s. */
static void bn_als_pack_add(const bn_als_ws_t *ws, double *s) {
  const int W = ws->W, W1 = W + 1;
  size_t q = 0;
  for (int a = 0; a < W; a++)
    for (int b = 0; b <= a; b++) s[q++] += ws->g[a * W1 + b];
  for (int a = 0; a < W; a++) s[ws->P + a] += ws->g[W * W1 + a];
}

/* A group of entries by ghost column, for the column systems: bptr[g -
 * g0] .. bptr[g - g0 + 1] index brow (local rows, increasing) and bval.
 * Two ways to make one, as the data is shaped:
 *   rows [i0, i1): the entries of a block of rows in ghost columns [h0,
 *     h1) (few ghost columns: a column gets many entries from each block,
 *     and the block's rows of U stay in cache);
 *   columns [g0, g1): all entries of a range of ghost columns (many short
 *     columns: each column's system is formed once), from per-row cursors
 *     that move through each row's sorted columns, every entry visited
 *     once per sweep. */
static void bn_als_group_rows(bn_complete_t *c, const bn_als_ws_t *ws,
                              const double *off, bn_idx_t i0, bn_idx_t i1,
                              bn_idx_t h0, bn_idx_t h1) {
  const bn_obs_t *o = c->obs;
  const uint32_t lo = (uint32_t)h0, n = (uint32_t)(h1 - h0);
  const bn_idx_t *restrict rp = o->rowptr;
  const uint32_t *restrict gc = o->gcol;
  const double *restrict val = o->val;
  bn_idx_t *restrict bp = ws->bptr;
  uint32_t *restrict brow = ws->brow;
  double *restrict bval = ws->bval;
  memset(bp, 0, ((size_t)n + 1) * sizeof(bn_idx_t));
  for (bn_idx_t e = rp[i0]; e < rp[i1]; e++) {
    uint32_t g = gc[e] - lo; /* wraps below the range */
    if (g < n) bp[g + 1]++;
  }
  for (uint32_t g = 0; g < n; g++) bp[g + 1] += bp[g];
  for (bn_idx_t i = i0; i < i1; i++) { /* bp[g] runs ahead, then shifts */
    const double oi = off ? c->mean + off[i] : 0.0;
    for (bn_idx_t e = rp[i], end = rp[i + 1]; e < end; e++) {
      uint32_t g = gc[e] - lo;
      if (g >= n) continue;
      bn_idx_t q = bp[g]++;
      brow[q] = (uint32_t)i;
      bval[q] = val[e] - oi;
    }
  }
  for (uint32_t g = n; g > 0; g--) bp[g] = bp[g - 1];
  bp[0] = 0;
}

static void bn_als_group_cols(bn_complete_t *c, const bn_als_ws_t *ws,
                              const double *off, bn_idx_t g0, bn_idx_t g1) {
  const bn_obs_t *o = c->obs;
  const bn_idx_t *restrict rp = o->rowptr;
  const uint32_t *restrict gc = o->gcol;
  const double *restrict val = o->val;
  bn_idx_t *restrict bp = ws->bptr, *restrict cur = ws->cur, base = ws->cnt[g0];
  uint32_t *restrict brow = ws->brow;
  double *restrict bval = ws->bval;
  for (bn_idx_t g = g0; g <= g1; g++) bp[g - g0] = ws->cnt[g] - base;
  for (bn_idx_t i = 0; i < c->nu; i++) { /* bp[g] runs ahead, then resets */
    bn_idx_t e = cur[i], end = rp[i + 1];
    const double oi = off ? c->mean + off[i] : 0.0;
    for (; e < end && gc[e] < (uint32_t)g1; e++) {
      bn_idx_t q = bp[gc[e] - g0]++;
      brow[q] = (uint32_t)i;
      bval[q] = val[e] - oi;
    }
    cur[i] = e;
  }
  for (bn_idx_t g = g0; g <= g1; g++) bp[g - g0] = ws->cnt[g] - base;
}

/* The group's part of the systems of ghost columns [g0, g1): per column
 * its rows [u_i | 1] (read in place) with targets m_ij - mu - b_i, added
 * into ne (the chunk's, whose first ghost is h0). */
static void bn_als_systems(bn_complete_t *c, const bn_als_ws_t *ws,
                           bn_complete_parts_t x, bn_idx_t g0, bn_idx_t g1,
                           bn_idx_t h0) {
  const int r = c->r, W = ws->W, W1 = W + 1, bias = c->bias;
  const size_t sw = ws->P + W;
  const bn_idx_t *bp = ws->bptr;
  for (bn_idx_t g = g0; g < g1; g++) {
    bn_idx_t q1 = bp[g - g0 + 1];
    if (bp[g - g0] == q1) continue;
    memset(ws->g, 0, (size_t)W1 * W1 * sizeof(double));
    for (bn_idx_t q0 = bp[g - g0]; q0 < q1; q0 += BN_ALS_BLK) {
      bn_idx_t e1 = q1 - q0 < BN_ALS_BLK ? q1 : q0 + BN_ALS_BLK;
      bn_als_accumulate(ws, bias, (int)(e1 - q0), x.u, (size_t)r, ws->brow + q0,
                        ws->bval + q0);
    }
    bn_als_pack_add(ws, ws->ne + (size_t)(g - h0) * sw);
  }
}

/* Chunks of global columns, each with its plan, so that the ghost systems
 * in flight (and the plan's packing buffer) stay within about
 * BN_ALS_CHUNK_BYTES per rank whatever the number of columns. */
#define BN_ALS_CHUNK_BYTES ((size_t)64 << 20)

/* First position in a[0..n) whose value is >= v. */
static bn_idx_t bn_lower(const bn_idx_t *a, bn_idx_t n, bn_idx_t v) {
  bn_idx_t lo = 0, hi = n;
  while (lo < hi) {
    bn_idx_t mid = lo + (hi - lo) / 2;
    if (a[mid] < v)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

static bn_status_t bn_als_chunk_make(bn_complete_t *c, bn_idx_t c0, bn_idx_t c1,
                                     bn_als_chunk_t *k) {
  bn_ctx_t *ctx = c->ctx;
  const bn_obs_t *o = c->obs;
  int P = bn_ctx_size(ctx);
  bn_idx_t *off = NULL, *need = NULL, first = bn_dist_first(c->cdist);
  k->h0 = bn_lower(o->ghost, o->nghost, c0);
  k->h1 = bn_lower(o->ghost, o->nghost, c1);
  k->o0 = (first > c0 ? first : c0) - first;
  k->o1 = (first + c->nv < c1 ? first + c->nv : c1) - first;
  if (k->o1 < k->o0) k->o1 = k->o0;
  bn_status_t st = bn_mallocn(ctx, (size_t)(P + 1), sizeof(bn_idx_t), &off);
  if (st == BN_OK)
    st = bn_mallocn(ctx, (size_t)(k->h1 - k->h0 + 1), sizeof(bn_idx_t), &need);
  st = bn_agree(ctx, st);
  if (st == BN_OK) {
    for (int q = 0; q <= P; q++) {
      bn_idx_t b = bn_dist_offset(c->cdist, q);
      off[q] = (b < c0 ? c0 : b > c1 ? c1 : b) - c0;
    }
    for (bn_idx_t h = k->h0; h < k->h1; h++) need[h - k->h0] = o->ghost[h] - c0;
    st = bn_dist_create_offsets(ctx, off, &k->dist);
  }
  if (st == BN_OK) st = bn_plan_create(k->dist, k->h1 - k->h0, need, &k->plan);
  free(off);
  free(need);
  return st;
}

bn_status_t bn_als_chunks_create(bn_complete_t *c, size_t sw) {
  bn_ctx_t *ctx = c->ctx;
  double most = (double)c->obs->nghost;
  BN_MPI(ctx, MPI_Allreduce(MPI_IN_PLACE, &most, 1, MPI_DOUBLE, MPI_MAX,
                            bn_ctx_comm(ctx)));
  /* Chunks of equal width: a rank's ghosts spread over them. */
  double bytes = 2.0 * most * (double)sw * sizeof(double);
  int n = (int)ceil(bytes / (double)BN_ALS_CHUNK_BYTES);
  if (n < 1) n = 1;
  if (c->als_nchunks > 0) n = c->als_nchunks;
  if ((bn_idx_t)n > c->n2) n = (int)c->n2;
  struct bn_als_chunks *ch = NULL;
  bn_status_t st = bn_calloc(ctx, 1, sizeof(*ch), &ch);
  if (st == BN_OK)
    st = bn_calloc(ctx, (size_t)n, sizeof(bn_als_chunk_t), &ch->c);
  st = bn_agree(ctx, st);
  if (st != BN_OK) {
    if (ch) free(ch->c);
    free(ch);
    return st;
  }
  c->als_chunks = ch;
  for (int k = 0; k < n; k++) {
    bn_idx_t c0 = c->n2 * k / n, c1 = c->n2 * (k + 1) / n;
    BN_CALL(ctx, bn_als_chunk_make(c, c0, c1, &ch->c[k]));
    ch->n = k + 1;
    bn_als_chunk_t *q = &ch->c[k];
    if (q->h1 - q->h0 > ch->ghosts) ch->ghosts = q->h1 - q->h0;
    if (q->o1 - q->o0 > ch->owned) ch->owned = q->o1 - q->o0;
  }
  return BN_OK;
}

void bn_als_chunks_destroy(struct bn_als_chunks *ch) {
  if (!ch) return;
  for (int k = 0; k < ch->n; k++) {
    bn_plan_destroy(ch->c[k].plan);
    bn_dist_destroy(ch->c[k].dist);
  }
  free(ch->c);
  free(ch);
}

/* One chunk's ghost systems: from blocks of rows when the chunk holds every
 * ghost and a block gives each about BN_ALS_PER_COL entries, else from
 * ranges of columns. */
static void bn_als_chunk_systems(bn_complete_t *c, const bn_als_ws_t *ws,
                                 bn_complete_parts_t x,
                                 const bn_als_chunk_t *k) {
  const bn_obs_t *o = c->obs;
  const bn_idx_t eb = c->als_eb;
  const size_t sw = ws->P + ws->W;
  memset(ws->ne, 0, (size_t)(k->h1 - k->h0) * sw * sizeof(double));
  bool rows = c->als_group == 1 ||
              (c->als_group == 0 && k->h0 == 0 && k->h1 == o->nghost &&
               (size_t)o->nghost * BN_ALS_PER_COL <= (size_t)eb);
  if (rows) {
    for (bn_idx_t i0 = 0; i0 < c->nu;) {
      bn_idx_t i1 = i0 + 1;
      while (i1 < c->nu && o->rowptr[i1 + 1] - o->rowptr[i0] <= eb) i1++;
      bn_als_group_rows(c, ws, x.b, i0, i1, k->h0, k->h1);
      bn_als_systems(c, ws, x, k->h0, k->h1, k->h0);
      i0 = i1;
    }
    return;
  }
  for (bn_idx_t g0 = k->h0; g0 < k->h1;) {
    bn_idx_t g1 = g0 + 1;
    while (g1 < k->h1 && ws->cnt[g1 + 1] - ws->cnt[g0] <= eb) g1++;
    bn_als_group_cols(c, ws, x.b, g0, g1);
    bn_als_systems(c, ws, x, g0, g1, k->h0);
    g0 = g1;
  }
}

bn_status_t bn_als_cols(bn_complete_t *c, const bn_als_ws_t *ws,
                        bn_complete_parts_t x) {
  const int r = c->r, W = ws->W;
  const size_t sw = ws->P + W;
  const struct bn_als_chunks *ch = c->als_chunks;
  bn_als_batch_t bt = {0};
  memcpy(ws->cur, c->obs->rowptr, (size_t)c->nu * sizeof(bn_idx_t));
  for (int q = 0; q < ch->n; q++) {
    const bn_als_chunk_t *k = &ch->c[q];
    bn_als_chunk_systems(c, ws, x, k);
    memset(ws->own, 0, (size_t)(k->o1 - k->o0) * sw * sizeof(double));
    BN_CALL(c->ctx, bn_plan_scatter_add(k->plan, ws->ne, (int)sw, ws->own));
    for (bn_idx_t j = k->o0; j < k->o1; j++) {
      const double *s = ws->own + (j - k->o0) * sw;
      size_t t = 0;
      for (int a = 0; a < W; a++)
        for (int b = 0; b <= a; b++) ws->m[a * W + b] = s[t++];
      memcpy(ws->z, s + ws->P, (size_t)W * sizeof(double));
      double reg = c->p * (c->count ? c->regv[j] : c->lambda);
      bn_als_batch_add(ws, &bt, reg, j, x.v, x.c, r);
    }
    bn_als_batch_solve(ws, &bt, x.v, x.c, r);
  }
  return BN_OK;
}
