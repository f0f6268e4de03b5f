/* Synthetic matrix sensing instances (see include/benign/generate.h). */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problems/lowrank/sense.h"

static bn_status_t bn_sgen_check(bn_ctx_t *ctx, const bn_sense_gen_t *g) {
  if (g->rows < 1 || g->cols < 1)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--rows and --cols must be positive");
  if (g->rank < 1 || g->rank > g->rows || g->rank > g->cols)
    return BN_ERROR_ALL(
        ctx, BN_ERR_ARG, "--rank=%d must be in [1, min(rows, cols) = %lld]",
        g->rank, (long long)(g->rows < g->cols ? g->rows : g->cols));
  if (g->measurements < 1)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--measurements must be positive");
  if (bn_sense_op_parse(g->op) < 0)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--operator=%s: expected gaussian, rank-one or "
                        "implicit",
                        g->op ? g->op : "");
  if (strcmp(g->op, "rank-one") && g->rows * g->cols > INT32_MAX)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "rows x cols must be below 2^31 for --operator=%s",
                        g->op);
  if (!(g->noise >= 0))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--noise must be nonnegative");
  if (!(g->condition >= 1))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--condition must be >= 1");
  return BN_OK;
}

/* Factor of the truth (rows x r) scaled by sqrt(s_k), s_k geometric from 1
 * to 1/condition with sum s_k^2 = 1, keyed by global entry index. */
static void bn_sgen_factor(const bn_sense_gen_t *g, uint32_t stream, bn_idx_t n,
                           double *out) {
  const int r = g->rank;
  double tot = 0.0, s[r];
  for (int k = 0; k < r; k++) {
    double t = r > 1 ? (double)k / (r - 1) : 0.0;
    s[k] = pow(g->condition, -t);
    tot += s[k] * s[k];
  }
  for (int k = 0; k < r; k++) s[k] = sqrt(s[k] / sqrt(tot));
  for (bn_idx_t i = 0; i < n; i++)
    for (int k = 0; k < r; k++)
      out[i * r + k] =
          s[k] * bn_rng_normal(g->seed, stream, (uint64_t)(i * r + k), 0);
}

/* y_i for the rank's measurements [i0, i0 + ml); gaussian rows into a. */
static void bn_sgen_measure(const bn_sense_gen_t *g, bn_sense_op_t op,
                            bn_idx_t i0, bn_idx_t ml, const double *x,
                            const double *yt, const double *mm, double *a,
                            double *b, double *work, double *y) {
  const int r = g->rank, n1 = (int)g->rows, n2 = (int)g->cols;
  size_t nn = (size_t)g->rows * (size_t)g->cols;
  for (bn_idx_t k = 0; k < ml; k++) {
    uint64_t i = (uint64_t)(i0 + k);
    if (op == BN_SENSE_RANK_ONE) {
      double *ak = a + (size_t)k * n1, *bk = b + (size_t)k * n2;
      bn_sense_normals(g->seed, BN_SENSE_STREAM_LA, i, (size_t)n1, ak);
      bn_sense_normals(g->seed, BN_SENSE_STREAM_RB, i, (size_t)n2, bk);
      /* (a^T X)(Y^T b) */
      cblas_dgemv(CblasRowMajor, CblasTrans, n1, r, 1.0, x, r, ak, 1, 0.0, work,
                  1);
      cblas_dgemv(CblasRowMajor, CblasTrans, n2, r, 1.0, yt, r, bk, 1, 0.0,
                  work + r, 1);
      y[k] = cblas_ddot(r, work, 1, work + r, 1);
    } else {
      double *ak = op == BN_SENSE_GAUSSIAN ? a + k * nn : work;
      bn_sense_normals(g->seed, BN_SENSE_STREAM_A, i, nn, ak);
      y[k] = cblas_ddot((int)nn, ak, 1, mm, 1);
    }
    if (g->noise > 0)
      y[k] += g->noise * bn_rng_normal(g->seed, BN_STREAM_NOISE, i, 0);
  }
}

static bn_status_t bn_sgen_attrs(bn_h5_t *f, const bn_sense_gen_t *g) {
  bn_status_t st = bn_h5_attr_set_str(f, "/y", "operator", g->op);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/y", "rows", g->rows);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/y", "cols", g->cols);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/y", "seed", (int64_t)g->seed);
  if (st == BN_OK)
    st = bn_h5_attr_set_str(f, "/", "creator", "benign generate sense");
  if (st == BN_OK) st = bn_h5_attr_set_str(f, "/", "problem", "sense");
  if (st == BN_OK) st = bn_h5_attr_set_str(f, "/", "operator", g->op);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "rows", g->rows);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "cols", g->cols);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "rank", g->rank);
  if (st == BN_OK)
    st = bn_h5_attr_set_i64(f, "/", "measurements", g->measurements);
  if (st == BN_OK) st = bn_h5_attr_set_f64(f, "/", "noise", g->noise);
  if (st == BN_OK) st = bn_h5_attr_set_f64(f, "/", "condition", g->condition);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "seed", (int64_t)g->seed);
  if (st == BN_OK)
    st = bn_h5_attr_set_str(f, "/", "version", BN_VERSION_STRING);
  return st;
}

/* Rows [first, first + n) of a replicated rows x k array as a dmat. */
static void bn_sgen_local(bn_dmat_t *d, const double *full, int k) {
  memcpy(bn_dmat_data(d), full + (size_t)bn_dmat_first_row(d) * k,
         (size_t)bn_dmat_local_rows(d) * k * sizeof(double));
}

bn_status_t bn_generate_sense(bn_ctx_t *ctx, const bn_sense_gen_t *g,
                              const char *output) {
  BN_CALL(ctx, bn_agree(ctx, bn_sgen_check(ctx, g)));
  bn_sense_op_t op = (bn_sense_op_t)bn_sense_op_parse(g->op);
  const int r = g->rank;
  const bn_idx_t n1 = g->rows, n2 = g->cols, m = g->measurements;
  size_t nn = (size_t)n1 * (size_t)n2;
  bn_dist_t *md = NULL, *ud = NULL, *vd = NULL;
  bn_dmat_t *am = NULL, *bm = NULL, *tu = NULL, *tv = NULL;
  double *x = NULL, *work = NULL, *y = NULL;
  bn_h5_t *f = NULL;
  double bytes = 8.0 * (double)m *
                 (op == BN_SENSE_GAUSSIAN   ? (double)nn + 1
                  : op == BN_SENSE_RANK_ONE ? (double)(n1 + n2 + 1)
                                            : 1.0);
  BN_CALL(ctx, bn_h5_check_output(ctx, output, NULL));
  BN_CALL(ctx, bn_h5_check_space(ctx, output, bytes));
  BN_CALL(ctx, bn_dist_create_uniform(ctx, m, &md));
  bn_status_t st = bn_dist_create_uniform(ctx, n1, &ud);
  if (st == BN_OK) st = bn_dist_create_uniform(ctx, n2, &vd);
  bn_idx_t ml = bn_dist_local(md);
  if (st == BN_OK && op == BN_SENSE_GAUSSIAN)
    st = bn_dmat_create(md, (int)nn, &am);
  if (st == BN_OK && op == BN_SENSE_RANK_ONE) {
    st = bn_dmat_create(md, (int)n1, &am);
    if (st == BN_OK) st = bn_dmat_create(md, (int)n2, &bm);
  }
  if (st == BN_OK) st = bn_dmat_create(ud, r, &tu);
  if (st == BN_OK) st = bn_dmat_create(vd, r, &tv);
  /* X, Y (replicated: regenerated on every rank), M = X Y^T unless
   * rank-one, a work row, y. */
  size_t nx = (size_t)(n1 + n2) * r;
  size_t nm = op == BN_SENSE_RANK_ONE ? 0 : nn;
  size_t nw = op == BN_SENSE_IMPLICIT ? nn : 2 * (size_t)r;
  if (st == BN_OK)
    st = bn_mallocn(ctx, nx + nm + nw + (size_t)ml + 1, sizeof(double), &x);
  st = bn_agree(ctx, st);
  if (st == BN_OK) {
    double *yt = x + (size_t)n1 * r, *mm = x + nx;
    work = mm + nm;
    y = work + nw;
    bn_sgen_factor(g, BN_STREAM_TRUTH_U, n1, x);
    bn_sgen_factor(g, BN_STREAM_TRUTH_V, n2, yt);
    if (nm)
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n1, (int)n2, r,
                  1.0, x, r, yt, r, 0.0, mm, (int)n2);
    bn_sgen_measure(g, op, bn_dist_first(md), ml, x, yt, mm,
                    am ? bn_dmat_data(am) : NULL, bm ? bn_dmat_data(bm) : NULL,
                    work, y);
    bn_sgen_local(tu, x, r);
    bn_sgen_local(tv, yt, r);
    st = bn_h5_create(ctx, output, bytes, &f);
  }
  if (st == BN_OK) st = bn_h5_write_f64(f, "/y", m, bn_dist_first(md), ml, y);
  if (st == BN_OK && op == BN_SENSE_GAUSSIAN)
    st = bn_h5_write_dmat(f, "/A", am);
  if (st == BN_OK && op == BN_SENSE_RANK_ONE) {
    st = bn_h5_write_dmat(f, "/a", am);
    if (st == BN_OK) st = bn_h5_write_dmat(f, "/b", bm);
  }
  if (st == BN_OK) st = bn_h5_write_dmat(f, "/truth/U", tu);
  if (st == BN_OK) st = bn_h5_write_dmat(f, "/truth/V", tv);
  if (st == BN_OK) st = bn_sgen_attrs(f, g);
  if (st == BN_OK) st = bn_h5_commit(f);
  bn_h5_close(f);
  free(x);
  bn_dmat_destroy(am);
  bn_dmat_destroy(bm);
  bn_dmat_destroy(tu);
  bn_dmat_destroy(tv);
  bn_dist_destroy(md);
  bn_dist_destroy(ud);
  bn_dist_destroy(vd);
  return st;
}
