/* Synthetic matrix completion instances (see include/benign/generate.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "benign/benign.h"
#include "benign/generate.h"
#include "sparse/obs.h"

static bn_status_t bn_gen_check(bn_ctx_t *ctx, const bn_complete_gen_t *g) {
  if (g->rows < 1 || g->cols < 1)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--rows and --cols must be positive");
  if (g->rank < 1 || g->rank > g->rows || g->rank > g->cols)
    return BN_ERROR_ALL(
        ctx, BN_ERR_ARG, "--rank=%d must be in [1, min(rows, cols) = %lld]",
        g->rank, (long long)(g->rows < g->cols ? g->rows : g->cols));
  if (!(g->sample_rate > 0 && g->sample_rate <= 1))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--sample-rate=%g must be in (0, 1]",
                        g->sample_rate);
  if (!(g->test_fraction >= 0 && g->test_fraction < 1))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--test-fraction=%g must be in [0, 1)",
                        g->test_fraction);
  if (!(g->noise >= 0))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--noise must be nonnegative");
  if (!(g->condition >= 1))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--condition must be >= 1");
  if (!(g->bias_scale >= 0) || !isfinite(g->bias_scale))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--bias-scale must be finite and nonnegative");
  if (!isfinite(g->lo) || !isfinite(g->hi) || g->lo > g->hi ||
      (g->lo == g->hi && g->lo != 0))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--value-range=%g,%g: must be LO,HI with LO < HI",
                        g->lo, g->hi);
  return BN_OK;
}

/* Column scales: geometric from 1 to 1/condition, sum of squares 1. */
static void bn_gen_scales(const bn_complete_gen_t *g, double *s) {
  double tot = 0.0;
  for (int k = 0; k < g->rank; k++) {
    double t = g->rank > 1 ? (double)k / (g->rank - 1) : 0.0;
    s[k] = pow(g->condition, -t);
    tot += s[k] * s[k];
  }
  for (int k = 0; k < g->rank; k++) s[k] /= sqrt(tot);
}

/* Columns of the truth: rank, plus the biases' two. */
static int bn_gen_width(const bn_complete_gen_t *g) {
  return g->rank + (g->bias_scale > 0 ? 2 : 0);
}

static double bn_gen_mean(const bn_complete_gen_t *g) {
  return g->bias_scale > 0 && g->lo < g->hi ? 0.5 * (g->lo + g->hi) : 0.0;
}

/* Rows [first, first + n) of X (stream TRUTH_U) or Y (TRUTH_V), k columns
 * a row: the factor, then [b + mu | 1] (X) or [1 | c] (Y) when biased. */
static void bn_gen_factor(const bn_complete_gen_t *g, uint32_t stream,
                          bn_idx_t first, bn_idx_t n, const double *s,
                          double *out) {
  const int r = g->rank, k = bn_gen_width(g);
  const bool left = stream == BN_STREAM_TRUTH_U;
  for (bn_idx_t i = 0; i < n; i++) {
    for (int q = 0; q < r; q++)
      out[i * k + q] =
          sqrt(s[q]) *
          bn_rng_normal(g->seed, stream, (uint64_t)((first + i) * r + q), 0);
    if (k == r) continue;
    double b =
        g->bias_scale *
        bn_rng_normal(g->seed, left ? BN_STREAM_BIAS_ROW : BN_STREAM_BIAS_COL,
                      (uint64_t)(first + i), 0);
    out[i * k + r] = left ? b + bn_gen_mean(g) : 1.0;
    out[i * k + r + 1] = left ? 1.0 : b;
  }
}

typedef struct bn_gen_buf {
  bn_idx_t n, cap;
  int64_t *row, *col;
  double *val;
} bn_gen_buf_t;

static int bn_gen_push(bn_gen_buf_t *b, int64_t i, int64_t j, double v) {
  if (b->n == b->cap) {
    bn_idx_t cap = b->cap ? 2 * b->cap : 1024;
    int64_t *r = bn_realloc_n(b->row, (size_t)cap, sizeof(int64_t));
    if (r) b->row = r;
    int64_t *c = bn_realloc_n(b->col, (size_t)cap, sizeof(int64_t));
    if (c) b->col = c;
    double *x = bn_realloc_n(b->val, (size_t)cap, sizeof(double));
    if (x) b->val = x;
    if (!r || !c || !x) return -1;
    b->cap = cap;
  }
  b->row[b->n] = i;
  b->col[b->n] = j;
  b->val[b->n] = v;
  b->n++;
  return 0;
}

/* Entries of this rank's rows: geometric skips between observed columns,
 * keyed by (row, draw number). */
static bn_status_t bn_gen_entries(bn_ctx_t *ctx, const bn_complete_gen_t *g,
                                  bn_idx_t first, bn_idx_t nloc,
                                  const double *x, const double *y,
                                  bn_gen_buf_t *train, bn_gen_buf_t *test) {
  const int r = bn_gen_width(g);
  const double lq = log1p(-g->sample_rate);
  for (bn_idx_t i = first; i < first + nloc; i++) {
    uint32_t draw = 0;
    for (int64_t j = -1;;) {
      double u = bn_rng_uniform(g->seed, BN_STREAM_SAMPLE, (uint64_t)i, draw++);
      j += g->sample_rate >= 1.0 ? 1 : 1 + (int64_t)floor(log(u) / lq);
      if (j >= g->cols || j < 0) break;
      uint64_t id = (uint64_t)i * (uint64_t)g->cols + (uint64_t)j;
      double v = 0.0;
      for (int k = 0; k < r; k++) v += x[(i - first) * r + k] * y[j * r + k];
      if (g->noise > 0)
        v += g->noise * bn_rng_normal(g->seed, BN_STREAM_NOISE, id, 0);
      if (g->lo < g->hi) v = v < g->lo ? g->lo : v > g->hi ? g->hi : v;
      if (g->implicit) {
        if (!(v >= 1.0)) continue; /* no interaction */
        v = fmin(floor(v), 5.0);
      }
      int to_test =
          g->test_fraction > 0 &&
          bn_rng_uniform(g->seed, BN_STREAM_SPLIT, id, 0) < g->test_fraction;
      if (bn_gen_push(to_test ? test : train, i, j, v))
        return BN_ERROR(ctx, BN_ERR_MEM, "out of memory generating entries");
    }
  }
  return BN_OK;
}

static bn_status_t bn_gen_attrs(bn_h5_t *f, const bn_complete_gen_t *g) {
  bn_status_t st =
      bn_h5_attr_set_str(f, "/", "creator", "benign generate complete");
  if (st == BN_OK) st = bn_h5_attr_set_str(f, "/", "problem", "complete");
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "rows", g->rows);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "cols", g->cols);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "rank", g->rank);
  if (st == BN_OK)
    st = bn_h5_attr_set_f64(f, "/", "sample_rate", g->sample_rate);
  if (st == BN_OK)
    st = bn_h5_attr_set_f64(f, "/", "test_fraction", g->test_fraction);
  if (st == BN_OK) st = bn_h5_attr_set_f64(f, "/", "noise", g->noise);
  if (st == BN_OK) st = bn_h5_attr_set_f64(f, "/", "condition", g->condition);
  if (st == BN_OK) st = bn_h5_attr_set_f64(f, "/", "bias_scale", g->bias_scale);
  if (st == BN_OK && g->lo < g->hi) {
    st = bn_h5_attr_set_f64(f, "/", "value_min", g->lo);
    if (st == BN_OK) st = bn_h5_attr_set_f64(f, "/", "value_max", g->hi);
  }
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "seed", (int64_t)g->seed);
  if (st == BN_OK)
    st = bn_h5_attr_set_str(f, "/", "version", BN_VERSION_STRING);
  return st;
}

bn_status_t bn_generate_complete(bn_ctx_t *ctx, const bn_complete_gen_t *g,
                                 const char *output, bn_gen_stats_t *stats) {
  BN_CALL(ctx, bn_agree(ctx, bn_gen_check(ctx, g)));
  bn_dist_t *rd = NULL, *cd = NULL;
  bn_dmat_t *x = NULL, *yloc = NULL;
  double *y = NULL, *s = NULL;
  bn_gen_buf_t train = {0}, test = {0};
  bn_h5_t *f = NULL;
  const int r = bn_gen_width(g);
  BN_CALL(ctx, bn_dist_create_uniform(ctx, g->rows, &rd));
  bn_status_t st = bn_dist_create_uniform(ctx, g->cols, &cd);
  if (st == BN_OK) st = bn_dmat_create(rd, r, &x);
  if (st == BN_OK) st = bn_dmat_create(cd, r, &yloc);
  if (st == BN_OK) st = bn_mallocn(ctx, (size_t)r, sizeof(double), &s);
  /* Every rank regenerates all of Y (cols x r) from the counter-based
   * generator: cheaper than communicating it. */
  if (st == BN_OK)
    st = bn_mallocn(ctx, bn_size_mul((size_t)g->cols, r), sizeof(double), &y);
  st = bn_agree(ctx, st);
  if (st == BN_OK) st = bn_h5_check_output(ctx, output, NULL);
  if (st == BN_OK) {
    bn_gen_scales(g, s);
    bn_gen_factor(g, BN_STREAM_TRUTH_U, bn_dmat_first_row(x),
                  bn_dmat_local_rows(x), s, bn_dmat_data(x));
    bn_gen_factor(g, BN_STREAM_TRUTH_V, 0, g->cols, s, y);
    memcpy(bn_dmat_data(yloc), y + bn_dmat_first_row(yloc) * r,
           (size_t)bn_dmat_local_rows(yloc) * r * sizeof(double));
    st = bn_agree(
        ctx, bn_gen_entries(ctx, g, bn_dmat_first_row(x), bn_dmat_local_rows(x),
                            bn_dmat_data(x), y, &train, &test));
  }
  /* The file is created once the entries exist, with their size known. */
  double bytes = 24.0 * (double)(train.n + test.n);
  if (st == BN_OK)
    st = bn_agree(ctx, MPI_Allreduce(MPI_IN_PLACE, &bytes, 1, MPI_DOUBLE,
                                     MPI_SUM, bn_ctx_comm(ctx)) == MPI_SUCCESS
                           ? BN_OK
                           : BN_ERR_MPI);
  bytes += 8.0 * (double)(g->rows + g->cols) * r;
  if (st == BN_OK) st = bn_h5_create(ctx, output, bytes, &f);
  bn_gen_stats_t tot = {0, 0};
  if (st == BN_OK)
    st = bn_obs_write(ctx, f, "/omega", train.n, train.row, train.col,
                      train.val, g->rows, g->cols, &tot.train);
  if (st == BN_OK && g->test_fraction > 0)
    st = bn_obs_write(ctx, f, "/test", test.n, test.row, test.col, test.val,
                      g->rows, g->cols, &tot.test);
  if (st == BN_OK) st = bn_h5_write_dmat(f, "/truth/U", x);
  if (st == BN_OK) st = bn_h5_write_dmat(f, "/truth/V", yloc);
  if (st == BN_OK) st = bn_gen_attrs(f, g);
  if (st == BN_OK) st = bn_h5_commit(f);
  bn_h5_close(f);
  if (stats) *stats = tot;
  free(train.row);
  free(train.col);
  free(train.val);
  free(test.row);
  free(test.col);
  free(test.val);
  free(y);
  free(s);
  bn_dmat_destroy(x);
  bn_dmat_destroy(yloc);
  bn_dist_destroy(rd);
  bn_dist_destroy(cd);
  return st;
}
