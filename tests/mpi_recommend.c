/* The recommender module (src/recommend/) on a small model written here:
 *  - ids to indices through the maps, unknown ids;
 *  - predictions equal mu + b_i + c_j + u_i . v_j for known ids, the
 *    cold-start policies (mean plus the known side's bias, NaN) and
 *    clipping to the training range;
 *  - the top N of every row equal a brute-force ranking, the seen items
 *    never in it, rows with fewer candidates than N padded with -1;
 *  - the held-out entries with a value threshold;
 *  - the ranking metrics of a hand-computed example.
 * The same answers at 1, 2 and 3 processes (23 rows: uneven blocks). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "benign/benign.h"
#include "check.h"
#include "complete_fixture.h"
#include "sparse/obs.h"

#define ROWS 23
#define COLS 17
#define R 3
#define MU 3.0

static double fx_u(int i, int k) { return sin(1.3 * i + 0.7 * k + 0.1); }
static double fx_v(int j, int k) { return cos(0.9 * j - 1.1 * k + 0.3); }
static double fx_b(int i) { return 0.1 * sin(2.0 * i); }
static double fx_c(int j) { return 0.2 * cos(3.0 * j); }
static int64_t fx_uid(int i) { return 1000 + 7 * i; }
static int64_t fx_iid(int j) { return 50 + 3 * j; }
static double fx_yhat(int i, int j) {
  double s = MU + fx_b(i) + fx_c(j);
  for (int k = 0; k < R; k++) s += fx_u(i, k) * fx_v(j, k);
  return s;
}
/* Row i has seen i % 4 items: (5 i + k) mod COLS; held out one more. */
static int fx_seen(int i, int j) {
  for (int k = 0; k < i % 4; k++)
    if ((5 * i + k) % COLS == j) return 1;
  return 0;
}
static int fx_held(int i) { return (5 * i + 11) % COLS; }

/* Rank 0 writes everything (the others take part with nothing). */
static void fx_write(bn_ctx_t *ctx, const char *model, const char *input,
                     double vmin, double vmax) {
  const int root = bn_ctx_rank(ctx) == 0;
  double u[ROWS * R], v[COLS * R], b[ROWS], c[COLS];
  int64_t ri[ROWS], ci[COLS];
  for (int i = 0; i < ROWS; i++) {
    for (int k = 0; k < R; k++) u[i * R + k] = fx_u(i, k);
    b[i] = fx_b(i);
    ri[i] = fx_uid(i);
  }
  for (int j = 0; j < COLS; j++) {
    for (int k = 0; k < R; k++) v[j * R + k] = fx_v(j, k);
    c[j] = fx_c(j);
    ci[j] = fx_iid(j);
  }
  bn_h5_t *f = NULL;
  bn_idx_t du[2] = {ROWS, R}, dv[2] = {COLS, R};
  CHECK_OK(ctx, bn_h5_create(ctx, model, 1e5, &f));
  CHECK_OK(ctx, bn_h5_write_rows(f, "/U", 2, du, 0, root ? ROWS : 0, u));
  CHECK_OK(ctx, bn_h5_write_rows(f, "/V", 2, dv, 0, root ? COLS : 0, v));
  CHECK_OK(ctx, bn_h5_write_f64(f, "/bias/row", ROWS, 0, root ? ROWS : 0, b));
  CHECK_OK(ctx, bn_h5_write_f64(f, "/bias/col", COLS, 0, root ? COLS : 0, c));
  CHECK_OK(ctx, bn_h5_attr_set_f64(f, "/bias", "mean", MU));
  CHECK_OK(ctx,
           bn_h5_write_i64(f, "/map/row_ids", ROWS, 0, root ? ROWS : 0, ri));
  CHECK_OK(ctx,
           bn_h5_write_i64(f, "/map/col_ids", COLS, 0, root ? COLS : 0, ci));
  CHECK_OK(ctx, bn_h5_attr_set_str(f, "/", "problem", "complete"));
  CHECK_OK(ctx, bn_h5_attr_set_str(f, "/", "input", input));
  CHECK_OK(ctx, bn_h5_attr_set_f64(f, "/", "value_mean", MU));
  CHECK_OK(ctx, bn_h5_attr_set_f64(f, "/", "value_min", vmin));
  CHECK_OK(ctx, bn_h5_attr_set_f64(f, "/", "value_max", vmax));
  CHECK_OK(ctx, bn_h5_commit(f));
  bn_h5_close(f);
  /* the input: /omega the seen entries, /test one held out per row */
  int64_t row[ROWS * 4], col[ROWS * 4], n = 0, tr[ROWS], tc[ROWS];
  double val[ROWS * 4], tv[ROWS];
  for (int i = 0; i < ROWS; i++) {
    for (int j = 0; j < COLS; j++)
      if (fx_seen(i, j)) row[n] = i, col[n] = j, val[n++] = 1.0;
    tr[i] = i, tc[i] = fx_held(i), tv[i] = i % 2 ? 5.0 : 1.0;
  }
  bn_idx_t total = 0;
  CHECK_OK(ctx, bn_h5_create(ctx, input, 1e5, &f));
  CHECK_OK(ctx, bn_obs_write(ctx, f, "/omega", root ? n : 0, row, col, val,
                             ROWS, COLS, &total));
  CHECK_OK(ctx, bn_obs_write(ctx, f, "/test", root ? ROWS : 0, tr, tc, tv, ROWS,
                             COLS, &total));
  CHECK_OK(ctx,
           bn_h5_write_i64(f, "/map/row_ids", ROWS, 0, root ? ROWS : 0, ri));
  CHECK_OK(ctx,
           bn_h5_write_i64(f, "/map/col_ids", COLS, 0, root ? COLS : 0, ci));
  CHECK_OK(ctx, bn_h5_commit(f));
  bn_h5_close(f);
}

static void test_predict(bn_ctx_t *ctx, bn_model_t *m) {
  CHECK(bn_model_rows(m) == ROWS && bn_model_cols(m) == COLS &&
            bn_model_rank(m) == R,
        "shape %lld x %lld rank %d", (long long)bn_model_rows(m),
        (long long)bn_model_cols(m), bn_model_rank(m));
  CHECK(bn_model_row_index(m, fx_uid(5)) == 5, "user id of row 5");
  CHECK(bn_model_col_index(m, fx_iid(16)) == 16, "item id of col 16");
  CHECK(bn_model_row_index(m, 1001) == -1, "an unknown user");
  CHECK(bn_model_col_id(m, 3) == fx_iid(3), "col 3's id");
  enum { N = ROWS * COLS + 3 };
  int64_t *u = malloc(N * 8), *it = malloc(N * 8);
  double *y = malloc(N * 8);
  unsigned char *known = malloc(N);
  int n = 0;
  for (int i = 0; i < ROWS; i++)
    for (int j = 0; j < COLS; j++) u[n] = fx_uid(i), it[n++] = fx_iid(j);
  u[n] = 1001, it[n++] = fx_iid(4); /* unknown user */
  u[n] = fx_uid(2), it[n++] = 51;   /* unknown item */
  u[n] = 1001, it[n++] = 51;        /* both */
  bn_predict_params_t p = {BN_COLD_MEAN, false};
  CHECK_OK(ctx, bn_model_predict(m, n, u, it, &p, y, known));
  double err = 0;
  for (int k = 0; k < ROWS * COLS; k++)
    err = fmax(err, fabs(y[k] - fx_yhat(k / COLS, k % COLS)));
  CHECK(err < 1e-12, "known pairs: max error %g", err);
  CHECK(!known[N - 3] && !known[N - 2] && !known[N - 1] && known[0],
        "known flags");
  CHECK_CLOSE(y[N - 3], MU + fx_c(4), 1e-14);
  CHECK_CLOSE(y[N - 2], MU + fx_b(2), 1e-14);
  CHECK_CLOSE(y[N - 1], MU, 1e-14);
  p.cold = BN_COLD_NAN;
  CHECK_OK(ctx, bn_model_predict(m, n, u, it, &p, y, known));
  CHECK(isnan(y[N - 1]) && isnan(y[N - 2]) && isnan(y[N - 3]) && !isnan(y[0]),
        "cold start nan");
  p.clip = true; /* the model's range is [2.5, 3.5] */
  CHECK_OK(ctx, bn_model_predict(m, n, u, it, &p, y, known));
  int clipped = 0, inside = 1;
  for (int k = 0; k < ROWS * COLS; k++) {
    double raw = fx_yhat(k / COLS, k % COLS);
    clipped += raw < 2.5 || raw > 3.5;
    inside &= y[k] >= 2.5 && y[k] <= 3.5 &&
              (raw < 2.5 || raw > 3.5 || fabs(y[k] - raw) < 1e-12);
  }
  CHECK(clipped > 10 && inside, "clipping: %d clipped, all inside: %d", clipped,
        inside);
  free(u);
  free(it);
  free(y);
  free(known);
}

static int fx_better(int i, int a, int b) {
  double sa = fx_yhat(i, a), sb = fx_yhat(i, b);
  return sa > sb || (sa == sb && a < b);
}

static void test_topn(bn_ctx_t *ctx, bn_model_t *m, const char *input,
                      int top) {
  bn_idx_t *xp = NULL, *xc = NULL, seen = 0;
  CHECK_OK(ctx,
           bn_model_entries(m, input, "/omega", -INFINITY, &xp, &xc, &seen));
  bn_idx_t want_seen = 0;
  for (int i = 0; i < ROWS; i++) want_seen += i % 4;
  CHECK(seen == want_seen, "seen entries %lld, want %lld", (long long)seen,
        (long long)want_seen);
  const bn_idx_t nl = bn_dist_local(bn_model_dist(m));
  const bn_idx_t f0 = bn_dist_first(bn_model_dist(m));
  int64_t *items = malloc((nl + 1) * top * 8);
  double *sc = malloc((nl + 1) * top * 8);
  CHECK_OK(ctx, bn_model_topn(m, top, xp, xc, NULL, items, sc));
  int bad = 0;
  for (bn_idx_t l = 0; l < nl; l++) {
    int i = (int)(f0 + l), cand[COLS], nc = 0;
    for (int j = 0; j < COLS; j++)
      if (!fx_seen(i, j)) cand[nc++] = j;
    for (int a = 0; a < nc; a++) /* brute force: selection sort */
      for (int b = a + 1; b < nc; b++)
        if (fx_better(i, cand[b], cand[a])) {
          int t = cand[a];
          cand[a] = cand[b], cand[b] = t;
        }
    for (int t = 0; t < top; t++) {
      int64_t got = items[l * top + t];
      if (t < nc)
        bad += got != cand[t] ||
               fabs(sc[l * top + t] - fx_yhat(i, cand[t])) > 1e-12;
      else
        bad += got != -1 || !isnan(sc[l * top + t]);
      if (got >= 0) bad += fx_seen(i, (int)got);
    }
  }
  CHECK(bad == 0, "top %d: %d entries differ from the brute force", top, bad);
  /* the held-out entries, all and with a value >= 3 (odd rows) */
  bn_idx_t *tp = NULL, *tc = NULL, held = 0;
  CHECK_OK(ctx, bn_model_entries(m, input, "/test", 3.0, &tp, &tc, &held));
  CHECK(held == ROWS / 2, "held out with value >= 3: %lld", (long long)held);
  for (bn_idx_t l = 0; l < nl; l++) {
    int i = (int)(f0 + l);
    CHECK(tp[l + 1] - tp[l] == i % 2 && (i % 2 == 0 || tc[tp[l]] == fx_held(i)),
          "row %d's held-out entries", i);
  }
  free(items);
  free(sc);
  free(xp);
  free(xc);
  free(tp);
  free(tc);
}

/* Two users on rank 0: lists [1 2 3], [4 5 6]; held out {2, 9}, {7}. */
static void test_metrics(bn_ctx_t *ctx) {
  const int root = bn_ctx_rank(ctx) == 0;
  int64_t items[6] = {1, 2, 3, 4, 5, 6};
  bn_idx_t ptr[3] = {0, 2, 3}, col[3] = {2, 9, 7}, zero[1] = {0};
  bn_rank_metrics_t rm;
  CHECK_OK(ctx, bn_rank_metrics(ctx, root ? 2 : 0, 3, 3, items,
                                root ? ptr : zero, col, &rm));
  double ndcg0 = (1 / log2(3.0)) / (1 + 1 / log2(3.0));
  CHECK(rm.users == 2, "users %lld", (long long)rm.users);
  CHECK_CLOSE(rm.precision, (1.0 / 3) / 2, 1e-14);
  CHECK_CLOSE(rm.recall, 0.5 / 2, 1e-14);
  CHECK_CLOSE(rm.map, 0.5 * 0.5 / 2, 1e-14);
  CHECK_CLOSE(rm.ndcg, ndcg0 / 2, 1e-14);
  CHECK(bn_rank_metrics(ctx, 0, 3, 4, items, zero, col, &rm) == BN_ERR_ARG,
        "k > top refused");
  bn_error_clear(ctx);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  bn_ctx_t *ctx;
  bn_ctx_create(MPI_COMM_WORLD, &ctx);
  char dir[512], model[600], input[600];
  fx_tmpdir(MPI_COMM_WORLD, dir, sizeof(dir));
  snprintf(model, sizeof(model), "%s/model.h5", dir);
  snprintf(input, sizeof(input), "%s/input.h5", dir);
  fx_write(ctx, model, input, 2.5, 3.5);
  bn_model_t *m = NULL;
  CHECK_OK(ctx, bn_model_open(ctx, model, &m));
  if (m) {
    CHECK(!strcmp(bn_model_input(m), input), "the model's input");
    test_predict(ctx, m);
    test_topn(ctx, m, input, 5);
    test_topn(ctx, m, input, COLS); /* rows with fewer candidates */
  }
  bn_model_close(m);
  CHECK(bn_model_open(ctx, input, &m) != BN_OK, "an input is no model");
  bn_error_clear(ctx);
  test_metrics(ctx);
  bn_ctx_destroy(ctx);
  int rc = bn_test_finish("mpi_recommend");
  MPI_Finalize();
  return rc;
}
