/* benign split: hold out part of an input's observed entries as /test
 * (benign/import.h).
 *
 * /omega is read as the solvers read it (bn_obs_read: checked, each
 * process a block of rows, sorted by column within a row), so every
 * process writes its rows' entries at its offset and both outputs come out
 * sorted by (row, col). Whether an entry is held out depends only on the
 * seed, its row and its column (a counter-based uniform draw u), never on
 * the file's order or the number of processes:
 *   by entry: held out when u < fraction;
 *   per row:  the round(fraction k) entries of a row of k with the smallest
 *             u, at most k - 1 (a row keeps a training entry).
 * The id maps (/map/row_ids, /map/col_ids) and the ground truth
 * (/truth/U, /truth/V) are copied when present. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "benign/ctx.h"
#include "benign/error.h"
#include "benign/import.h"
#include "benign/paths.h"
#include "benign/rng.h"
#include "sparse/obs.h"

typedef struct bn_side {
  bn_idx_t n, cap;
  int64_t *row, *col;
  double *val;
} bn_side_t;

static void bn_side_free(bn_side_t *s) {
  free(s->row);
  free(s->col);
  free(s->val);
}

/* Room for n entries on each side (not agreed). */
static bn_status_t bn_side_alloc(bn_ctx_t *ctx, bn_side_t *s, bn_idx_t n) {
  size_t m = (size_t)n + 1;
  BN_CALL(ctx, bn_mallocn(ctx, m, sizeof(int64_t), &s->row));
  BN_CALL(ctx, bn_mallocn(ctx, m, sizeof(int64_t), &s->col));
  return bn_mallocn(ctx, m, sizeof(double), &s->val);
}

typedef struct bn_draw {
  double u;
  bn_idx_t e;
} bn_draw_t;

static int bn_draw_cmp(const void *a, const void *b) {
  const bn_draw_t *x = a, *y = b;
  return x->u < y->u ? -1 : x->u > y->u ? 1 : (x->e > y->e) - (x->e < y->e);
}

/* Decide every local entry; hold[e] = 1 for a held-out one. */
static bn_status_t bn_split_decide(bn_ctx_t *ctx, const bn_obs_t *o,
                                   const bn_split_params_t *p,
                                   unsigned char *hold) {
  const bn_idx_t first = bn_dist_first(o->rdist);
  const bn_idx_t nloc = bn_dist_local(o->rdist);
  bn_idx_t widest = 0;
  for (bn_idx_t i = 0; i < nloc; i++)
    if (o->rowptr[i + 1] - o->rowptr[i] > widest)
      widest = o->rowptr[i + 1] - o->rowptr[i];
  bn_draw_t *d = NULL;
  if (p->per_row)
    BN_CALL(ctx, bn_mallocn(ctx, (size_t)widest + 1, sizeof(*d), &d));
  for (bn_idx_t i = 0; i < nloc; i++) {
    const bn_idx_t b = o->rowptr[i], k = o->rowptr[i + 1] - b;
    const uint64_t key = (uint64_t)(first + i) * (uint64_t)o->ncols;
    for (bn_idx_t t = 0; t < k; t++) {
      uint64_t j = (uint64_t)o->ghost[o->gcol[b + t]];
      double u = bn_rng_uniform(p->seed, BN_STREAM_HOLDOUT, key + j, 0);
      hold[b + t] = p->folds >= 2
                        ? u * p->folds >= p->fold && u * p->folds < p->fold + 1
                        : !p->per_row && u < p->test_fraction;
      if (p->per_row) d[t] = (bn_draw_t){u, t};
    }
    if (!p->per_row || k == 0) continue;
    bn_idx_t want = (bn_idx_t)floor(p->test_fraction * (double)k + 0.5);
    if (want > k - 1) want = k - 1;
    qsort(d, (size_t)k, sizeof(*d), bn_draw_cmp);
    for (bn_idx_t t = 0; t < want; t++) hold[b + d[t].e] = 1;
  }
  free(d);
  return BN_OK;
}

/* Copy a 1-D integer dataset (an id map) in blocks, when it exists. */
static bn_status_t bn_split_copy_ids(bn_ctx_t *ctx, bn_h5_t *in, bn_h5_t *out,
                                     const char *name) {
  int has = 0, nd = 0;
  bn_idx_t dims[4] = {0};
  BN_CALL(ctx, bn_h5_exists(in, name, &has));
  if (!has) return BN_OK;
  BN_CALL(ctx, bn_h5_shape(in, name, &nd, dims));
  if (nd != 1)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA, "%s: %s must be 1-D", bn_h5_path(in),
                        name);
  bn_dist_t *d = NULL;
  int64_t *buf = NULL;
  BN_CALL(ctx, bn_dist_create_uniform(ctx, dims[0], &d));
  bn_idx_t first = bn_dist_first(d), n = bn_dist_local(d);
  bn_status_t st =
      bn_agree(ctx, bn_mallocn(ctx, (size_t)n + 1, sizeof(int64_t), &buf));
  if (st == BN_OK) st = bn_h5_read_i64(in, name, first, n, buf);
  if (st == BN_OK) st = bn_h5_write_i64(out, name, dims[0], first, n, buf);
  free(buf);
  bn_dist_destroy(d);
  return st;
}

/* Copy a ground-truth factor (rows x r) in row blocks, when it exists. */
static bn_status_t bn_split_copy_truth(bn_ctx_t *ctx, bn_h5_t *in, bn_h5_t *out,
                                       const char *name) {
  int has = 0;
  BN_CALL(ctx, bn_h5_exists(in, name, &has));
  if (!has) return BN_OK;
  int nd = 0;
  bn_idx_t dims[4] = {0};
  BN_CALL(ctx, bn_h5_shape(in, name, &nd, dims));
  if (nd != 2)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA, "%s: %s must be 2-D", bn_h5_path(in),
                        name);
  bn_dist_t *d = NULL;
  bn_dmat_t *m = NULL;
  BN_CALL(ctx, bn_dist_create_uniform(ctx, dims[0], &d));
  bn_status_t st = bn_h5_read_dmat(in, name, d, 0, &m);
  if (st == BN_OK) st = bn_h5_write_dmat(out, name, m);
  bn_dmat_destroy(m);
  bn_dist_destroy(d);
  return st;
}

/* Collective: check the parameters and the files (before any reading). */
static bn_status_t bn_split_check(bn_ctx_t *ctx, const bn_split_params_t *p) {
  if (!p->input || !*p->input || !p->output || !*p->output)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--input and --output are required");
  if (p->folds >= 2 && (p->per_row || p->fold < 0 || p->fold >= p->folds))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "split: fold %d of %d (by entry only)",
                        p->fold, p->folds);
  if (p->folds < 2 && !(p->test_fraction > 0 && p->test_fraction < 1))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--test-fraction=%g: must be in (0, 1) (the share "
                        "of entries held out)",
                        p->test_fraction);
  bn_paths_t *paths = NULL;
  BN_CALL(ctx, bn_agree(ctx, bn_paths_create(ctx, &paths)));
  bn_paths_input(paths, p->input, "--input");
  bn_paths_output(paths, p->output, "--output");
  bn_status_t st = bn_paths_check(paths);
  bn_paths_destroy(paths);
  return st;
}

/* Split the read entries into the two sides (not agreed). */
static bn_status_t bn_split_sides(bn_ctx_t *ctx, const bn_obs_t *o,
                                  const unsigned char *hold, bn_side_t *tr,
                                  bn_side_t *te) {
  const bn_idx_t first = bn_dist_first(o->rdist);
  bn_idx_t held = 0;
  for (bn_idx_t e = 0; e < o->nnz; e++) held += hold[e];
  BN_CALL(ctx, bn_side_alloc(ctx, tr, o->nnz - held));
  BN_CALL(ctx, bn_side_alloc(ctx, te, held));
  for (bn_idx_t i = 0; i < bn_dist_local(o->rdist); i++)
    for (bn_idx_t e = o->rowptr[i]; e < o->rowptr[i + 1]; e++) {
      bn_side_t *s = hold[e] ? te : tr;
      s->row[s->n] = first + i;
      s->col[s->n] = o->ghost[o->gcol[e]];
      s->val[s->n++] = o->val[e];
    }
  return BN_OK;
}

bn_status_t bn_split(bn_ctx_t *ctx, const bn_split_params_t *p,
                     bn_split_stats_t *stats) {
  bn_h5_t *in = NULL, *out = NULL;
  bn_obs_t *o = NULL;
  unsigned char *hold = NULL;
  bn_side_t tr = {0}, te = {0};
  int64_t rows = 0, cols = 0;
  int has = 0;
  bn_status_t st;
  memset(stats, 0, sizeof(*stats));
  BN_CALL(ctx, bn_split_check(ctx, p));
  BN_CALL(ctx, bn_h5_open(ctx, p->input, &in));
  BN_TRY(ctx, st, bn_h5_exists(in, "/test/row", &has));
  if (has && !p->ignore_test) {
    st = BN_ERROR_ALL(ctx, BN_ERR_DATA,
                      "%s already has held-out entries (/test): split holds "
                      "out part of /omega, and a second /test would mix two "
                      "splits; split the file they came from",
                      p->input);
    goto cleanup;
  }
  int has_time = 0;
  BN_TRY(ctx, st, bn_h5_exists(in, "/omega/time", &has_time));
  stats->time_dropped = has_time;
  BN_TRY(ctx, st, bn_h5_attr_get_i64(in, "/omega", "rows", &rows));
  BN_TRY(ctx, st, bn_h5_attr_get_i64(in, "/omega", "cols", &cols));
  if (rows < 1 || cols < 1) {
    st = BN_ERROR_ALL(ctx, BN_ERR_DATA,
                      "%s: /omega attributes rows = %lld, cols = %lld: each "
                      "must be at least 1",
                      p->input, (long long)rows, (long long)cols);
    goto cleanup;
  }
  BN_TRY(
      ctx, st,
      bn_obs_read(ctx, in, "/omega", rows, cols, NULL, BN_OBS_DUP_ERROR, &o));
  st = bn_mallocn(ctx, (size_t)o->nnz + 1, 1, &hold);
  if (st == BN_OK) st = bn_split_decide(ctx, o, p, hold);
  if (st == BN_OK) st = bn_split_sides(ctx, o, hold, &tr, &te);
  BN_TRY(ctx, st, bn_agree(ctx, st));
  /* Room: 24 bytes an entry, the maps and the truth (8 bytes a number). */
  double bytes = 24.0 * (double)o->nnz_global + 8.0 * (double)(rows + cols) +
                 8.0 * 64.0 * (double)(rows + cols);
  BN_TRY(ctx, st, bn_h5_create(ctx, p->output, bytes, &out));
  BN_TRY(ctx, st,
         bn_obs_write(ctx, out, "/omega", tr.n, tr.row, tr.col, tr.val, rows,
                      cols, &stats->train));
  BN_TRY(ctx, st,
         bn_obs_write(ctx, out, "/test", te.n, te.row, te.col, te.val, rows,
                      cols, &stats->test));
  BN_TRY(ctx, st, bn_split_copy_ids(ctx, in, out, "/map/row_ids"));
  BN_TRY(ctx, st, bn_split_copy_ids(ctx, in, out, "/map/col_ids"));
  BN_TRY(ctx, st, bn_split_copy_truth(ctx, in, out, "/truth/U"));
  BN_TRY(ctx, st, bn_split_copy_truth(ctx, in, out, "/truth/V"));
  BN_TRY(ctx, st, bn_h5_attr_set_str(out, "/", "creator", "benign split"));
  BN_TRY(ctx, st, bn_h5_attr_set_str(out, "/", "source", p->input));
  BN_TRY(ctx, st,
         bn_h5_attr_set_f64(out, "/", "test_fraction", p->test_fraction));
  BN_TRY(
      ctx, st,
      bn_h5_attr_set_str(out, "/", "split", p->per_row ? "per-row" : "entry"));
  BN_TRY(ctx, st, bn_h5_attr_set_i64(out, "/", "seed", (int64_t)p->seed));
  st = bn_h5_commit(out);
  stats->rows = rows;
  stats->cols = cols;
cleanup:
  bn_h5_close(out);
  bn_h5_close(in);
  bn_obs_destroy(o);
  free(hold);
  bn_side_free(&tr);
  bn_side_free(&te);
  return st;
}
