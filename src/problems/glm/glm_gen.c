/* Synthetic generalized linear model instances (see
 * include/benign/generate.h). */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>

#include "problems/glm/glm.h"

static bn_status_t bn_ggen_check(bn_ctx_t *ctx, const bn_glm_gen_t *g) {
  if (g->samples < 1 || g->dim < 1)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--samples and --dim must be positive");
  if (g->dim > INT32_MAX / 2)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--dim=%lld is too large",
                        (long long)g->dim);
  if (bn_glm_link_parse(g->link) < 0)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--link=%s: expected sigmoid, tanh, softplus or "
                        "linear",
                        g->link ? g->link : "");
  if (!(g->noise >= 0) || !isfinite(g->noise))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--noise must be nonnegative");
  if (!(g->norm > 0) || !isfinite(g->norm))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--norm must be positive");
  return BN_OK;
}

static bn_status_t bn_ggen_attrs(bn_h5_t *f, const bn_glm_gen_t *g) {
  bn_status_t st = bn_h5_attr_set_str(f, "/y", "link", g->link);
  if (st == BN_OK)
    st = bn_h5_attr_set_str(f, "/", "creator", "benign generate glm");
  if (st == BN_OK) st = bn_h5_attr_set_str(f, "/", "problem", "glm");
  if (st == BN_OK) st = bn_h5_attr_set_str(f, "/", "link", g->link);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "samples", g->samples);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "features", g->dim);
  if (st == BN_OK) st = bn_h5_attr_set_f64(f, "/", "norm", g->norm);
  if (st == BN_OK) st = bn_h5_attr_set_f64(f, "/", "noise", g->noise);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "seed", (int64_t)g->seed);
  if (st == BN_OK)
    st = bn_h5_attr_set_str(f, "/", "version", BN_VERSION_STRING);
  return st;
}

bn_status_t bn_generate_glm(bn_ctx_t *ctx, const bn_glm_gen_t *g,
                            const char *output) {
  BN_CALL(ctx, bn_agree(ctx, bn_ggen_check(ctx, g)));
  const bn_glm_link_t link = (bn_glm_link_t)bn_glm_link_parse(g->link);
  const bn_idx_t n = g->samples, d = g->dim;
  bn_dist_t *sd = NULL;
  bn_dmat_t *xm = NULL;
  double *w = NULL, *y = NULL;
  bn_h5_t *f = NULL;
  BN_CALL(ctx, bn_h5_check_output(ctx, output, NULL));
  BN_CALL(ctx, bn_h5_check_space(ctx, output,
                                 8.0 * ((double)n * (double)(d + 1) + d)));
  BN_CALL(ctx, bn_dist_create_uniform(ctx, n, &sd));
  bn_idx_t nl = bn_dist_local(sd), i0 = bn_dist_first(sd);
  bn_status_t st = bn_dmat_create(sd, (int)d, &xm);
  if (st == BN_OK)
    st = bn_mallocn(ctx, (size_t)d + (size_t)nl + 1, sizeof(double), &w);
  st = bn_agree(ctx, st);
  if (st == BN_OK) {
    y = w + d;
    /* w* (replicated): a Gaussian direction scaled to the given norm. */
    double t2 = 0.0;
    for (bn_idx_t j = 0; j < d; j++) {
      w[j] = bn_rng_normal(g->seed, BN_STREAM_TRUTH_U, (uint64_t)j, 0);
      t2 += w[j] * w[j];
    }
    for (bn_idx_t j = 0; j < d; j++) w[j] *= g->norm / sqrt(t2);
    /* x_i ~ N(0, I), keyed by the global entry i d + j. */
    double *x = bn_dmat_data(xm);
    bn_rng_fill_normal(g->seed, BN_GLM_STREAM_X, (uint64_t)(i0 * d),
                       (size_t)(nl * d), x);
    if (nl > 0)
      cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)nl, (int)d, 1.0, x, (int)d,
                  w, 1, 0.0, y, 1);
    for (bn_idx_t i = 0; i < nl; i++) {
      double v;
      bn_glm_link_eval(link, y[i], &v, NULL, NULL);
      y[i] = v;
      if (g->noise > 0)
        y[i] += g->noise *
                bn_rng_normal(g->seed, BN_STREAM_NOISE, (uint64_t)(i0 + i), 0);
    }
    st = bn_h5_create(ctx, output, 8.0 * ((double)n * (double)(d + 1) + d), &f);
  }
  if (st == BN_OK) st = bn_h5_write_dmat(f, "/X", xm);
  if (st == BN_OK) st = bn_h5_write_f64(f, "/y", n, i0, nl, y);
  if (st == BN_OK)
    st = bn_h5_write_f64(f, "/truth/w", d, 0, bn_ctx_rank(ctx) == 0 ? d : 0, w);
  if (st == BN_OK) st = bn_ggen_attrs(f, g);
  if (st == BN_OK) st = bn_h5_commit(f);
  bn_h5_close(f);
  free(w);
  bn_dmat_destroy(xm);
  bn_dist_destroy(sd);
  return st;
}
