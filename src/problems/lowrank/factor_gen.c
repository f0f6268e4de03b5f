/* Synthetic fully observed factorization instances (include/benign/
 * generate.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "benign/benign.h"
#include "benign/generate.h"

static bn_status_t bn_fgen_check(bn_ctx_t *ctx, const bn_factor_gen_t *g) {
  if (g->rows < 1 || g->cols < 1)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--rows and --cols must be positive");
  if (g->sym && g->rows != g->cols)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--mode=sym makes a square Y: --rows=%lld and "
                        "--cols=%lld differ",
                        (long long)g->rows, (long long)g->cols);
  if (g->rows > 2147483647 || g->cols > 2147483647)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--rows and --cols must be < 2^31");
  if (g->rank < 1 || g->rank > g->rows || g->rank > g->cols)
    return BN_ERROR_ALL(
        ctx, BN_ERR_ARG, "--rank=%d must be in [1, min(rows, cols) = %lld]",
        g->rank, (long long)(g->rows < g->cols ? g->rows : g->cols));
  if (!(g->noise >= 0))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--noise must be nonnegative");
  if (!(g->condition >= 1))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--condition must be >= 1");
  return BN_OK;
}

/* Factor rows [first, first + n): entry (i, k) = sqrt(s_k) N(0, 1) keyed by
 * i r + k; column scales geometric from 1 to 1/condition, sum s_k^2 = 1,
 * so the entries of Y are about N(0, 1). */
static void bn_fgen_rows(const bn_factor_gen_t *g, uint32_t stream,
                         bn_idx_t first, bn_idx_t n, double *out) {
  const int r = g->rank;
  double tot = 0.0;
  for (int k = 0; k < r; k++) {
    double t = r > 1 ? (double)k / (r - 1) : 0.0;
    tot += pow(g->condition, -2 * t);
  }
  for (bn_idx_t i = 0; i < n; i++)
    for (int k = 0; k < r; k++) {
      double t = r > 1 ? (double)k / (r - 1) : 0.0;
      double s = pow(g->condition, -t) / sqrt(tot);
      out[i * r + k] =
          sqrt(s) *
          bn_rng_normal(g->seed, stream, (uint64_t)((first + i) * r + k), 0);
    }
}

/* Y's local rows, entry by entry in a fixed order of k: in sym mode
 * x_ik x_jk and x_jk x_ik are the same products, so Y is exactly
 * symmetric; the noise of (i, j) and (j, i) is one draw. */
static void bn_fgen_entries(const bn_factor_gen_t *g, bn_idx_t first,
                            bn_idx_t nloc, const double *x, const double *z,
                            double *y) {
  const int r = g->rank;
  const bn_idx_t n2 = g->cols;
  for (bn_idx_t i = 0; i < nloc; i++) {
    const double *xi = x + i * r;
    for (bn_idx_t j = 0; j < n2; j++) {
      const double *zj = z + j * r;
      double v = 0.0;
      for (int k = 0; k < r; k++) v += xi[k] * zj[k];
      if (g->noise > 0) {
        bn_idx_t gi = first + i, a = gi, b = j;
        if (g->sym && b < a) a = j, b = gi;
        v += g->noise *
             bn_rng_normal(g->seed, BN_STREAM_NOISE, (uint64_t)(a * n2 + b), 0);
      }
      y[i * n2 + j] = v;
    }
  }
}

static bn_status_t bn_fgen_attrs(bn_h5_t *f, const bn_factor_gen_t *g) {
  bn_status_t st =
      bn_h5_attr_set_str(f, "/", "creator", "benign generate factor");
  if (st == BN_OK) st = bn_h5_attr_set_str(f, "/", "problem", "factor");
  if (st == BN_OK)
    st = bn_h5_attr_set_str(f, "/", "mode", g->sym ? "sym" : "general");
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "rows", g->rows);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "cols", g->cols);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "rank", g->rank);
  if (st == BN_OK) st = bn_h5_attr_set_f64(f, "/", "noise", g->noise);
  if (st == BN_OK) st = bn_h5_attr_set_f64(f, "/", "condition", g->condition);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "seed", (int64_t)g->seed);
  if (st == BN_OK)
    st = bn_h5_attr_set_str(f, "/", "version", BN_VERSION_STRING);
  return st;
}

bn_status_t bn_generate_factor(bn_ctx_t *ctx, const bn_factor_gen_t *g,
                               const char *output) {
  BN_CALL(ctx, bn_agree(ctx, bn_fgen_check(ctx, g)));
  const int r = g->rank;
  bn_dist_t *rd = NULL, *cd = NULL;
  bn_dmat_t *x = NULL, *zloc = NULL, *y = NULL;
  double *z = NULL;
  bn_h5_t *f = NULL;
  BN_CALL(ctx, bn_dist_create_uniform(ctx, g->rows, &rd));
  bn_status_t st = bn_dist_create_uniform(ctx, g->cols, &cd);
  if (st == BN_OK) st = bn_dmat_create(rd, r, &x);
  if (st == BN_OK) st = bn_dmat_create(cd, r, &zloc);
  if (st == BN_OK) st = bn_dmat_create(rd, (int)g->cols, &y);
  /* Every rank regenerates all of Z (cols x r): cheaper than sending it. */
  if (st == BN_OK)
    st = bn_mallocn(ctx, bn_size_mul((size_t)g->cols, r), sizeof(double), &z);
  st = bn_agree(ctx, st);
  if (st == BN_OK) st = bn_h5_check_output(ctx, output, NULL);
  if (st == BN_OK)
    st = bn_h5_create(ctx, output,
                      8.0 * ((double)g->rows * (double)g->cols +
                             (double)(g->rows + g->cols) * r),
                      &f);
  if (st == BN_OK) {
    uint32_t zs = g->sym ? BN_STREAM_TRUTH_U : BN_STREAM_TRUTH_V;
    bn_fgen_rows(g, BN_STREAM_TRUTH_U, bn_dmat_first_row(x),
                 bn_dmat_local_rows(x), bn_dmat_data(x));
    bn_fgen_rows(g, zs, 0, g->cols, z);
    memcpy(bn_dmat_data(zloc), z + bn_dmat_first_row(zloc) * r,
           (size_t)bn_dmat_local_rows(zloc) * r * sizeof(double));
    bn_fgen_entries(g, bn_dmat_first_row(y), bn_dmat_local_rows(y),
                    bn_dmat_cdata(x), z, bn_dmat_data(y));
    st = bn_h5_write_dmat(f, "/Y", y);
  }
  if (st == BN_OK) st = bn_h5_write_dmat(f, "/truth/U", x);
  if (st == BN_OK) st = bn_h5_write_dmat(f, "/truth/V", zloc);
  if (st == BN_OK) st = bn_fgen_attrs(f, g);
  if (st == BN_OK) st = bn_h5_commit(f);
  bn_h5_close(f);
  free(z);
  bn_dmat_destroy(x);
  bn_dmat_destroy(zloc);
  bn_dmat_destroy(y);
  bn_dist_destroy(rd);
  bn_dist_destroy(cd);
  return st;
}
