/* Synthetic phase retrieval instances (see include/benign/generate.h). */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problems/phase/phase.h"

static bn_status_t bn_pgen_check(bn_ctx_t *ctx, const bn_phase_gen_t *g) {
  if (g->n < 1) return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--n must be positive");
  if (g->measurements < 1)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--measurements must be positive");
  if (!g->field || (strcmp(g->field, "complex") && strcmp(g->field, "real")))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--field must be complex or real");
  if (g->model && !strcmp(g->model, "cdp"))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--model=cdp: coded diffraction patterns are not yet "
                        "available (gaussian and implicit are)");
  if (!g->model ||
      (strcmp(g->model, "gaussian") && strcmp(g->model, "implicit")))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--model must be gaussian or implicit");
  if (!g->data ||
      (strcmp(g->data, "intensity") && strcmp(g->data, "amplitude")))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--data must be intensity or amplitude");
  if (!(g->noise >= 0) || !isfinite(g->noise))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--noise must be nonnegative");
  int K = strcmp(g->field, "complex") ? 1 : 2;
  if (g->n * K > INT32_MAX)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--n=%lld is too large",
                        (long long)g->n);
  return BN_OK;
}

static bn_status_t bn_pgen_attrs(bn_h5_t *f, const bn_phase_gen_t *g) {
  bn_status_t st = bn_h5_attr_set_str(f, "/y", "model", g->model);
  if (st == BN_OK) st = bn_h5_attr_set_str(f, "/y", "field", g->field);
  if (st == BN_OK) st = bn_h5_attr_set_str(f, "/y", "data", g->data);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/y", "n", g->n);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/y", "seed", (int64_t)g->seed);
  if (st == BN_OK)
    st = bn_h5_attr_set_str(f, "/", "creator", "benign generate phase");
  if (st == BN_OK) st = bn_h5_attr_set_str(f, "/", "problem", "phase");
  if (st == BN_OK) st = bn_h5_attr_set_str(f, "/", "model", g->model);
  if (st == BN_OK) st = bn_h5_attr_set_str(f, "/", "field", g->field);
  if (st == BN_OK) st = bn_h5_attr_set_str(f, "/", "data", g->data);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "n", g->n);
  if (st == BN_OK)
    st = bn_h5_attr_set_i64(f, "/", "measurements", g->measurements);
  if (st == BN_OK) st = bn_h5_attr_set_f64(f, "/", "noise", g->noise);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "seed", (int64_t)g->seed);
  if (st == BN_OK)
    st = bn_h5_attr_set_str(f, "/", "version", BN_VERSION_STRING);
  return st;
}

/* y for the rank's measurements [i0, i0 + ml); gaussian rows into a. */
static void bn_pgen_measure(const bn_phase_gen_t *g, int cplx, bn_idx_t i0,
                            bn_idx_t ml, const double *x, double *a,
                            double *work, double *y) {
  const size_t per = (size_t)g->n * (cplx ? 2 : 1);
  const int amp = !strcmp(g->data, "amplitude");
  for (bn_idx_t k = 0; k < ml; k++) {
    uint64_t i = (uint64_t)(i0 + k);
    double *row = a ? a + (size_t)k * per : work, u[2] = {0.0, 0.0};
    bn_phase_row(g->seed, cplx, g->n, i, row);
    if (cplx)
      cblas_zdotu_sub((int)g->n, row, 1, x, 1, u);
    else
      u[0] = cblas_ddot((int)g->n, row, 1, x, 1);
    double a2 = u[0] * u[0] + u[1] * u[1];
    double v = amp ? sqrt(a2) : a2;
    if (g->noise > 0)
      v += g->noise * bn_rng_normal(g->seed, BN_PHASE_STREAM_NOISE, i, 0);
    y[k] = v > 0 ? v : 0.0; /* noise never makes |.| negative */
  }
}

bn_status_t bn_generate_phase(bn_ctx_t *ctx, const bn_phase_gen_t *g,
                              const char *output) {
  BN_CALL(ctx, bn_agree(ctx, bn_pgen_check(ctx, g)));
  const int cplx = !strcmp(g->field, "complex"), K = cplx ? 2 : 1;
  const int stored = !strcmp(g->model, "gaussian");
  const bn_idx_t n = g->n, m = g->measurements;
  const size_t per = (size_t)K * (size_t)n;
  bn_dist_t *md = NULL, *xd = NULL;
  double *x = NULL, *a = NULL;
  bn_h5_t *f = NULL;
  double bytes =
      8.0 * ((double)m * (stored ? (double)per + 1 : 1.0) + (double)per);
  BN_CALL(ctx, bn_h5_check_output(ctx, output, NULL));
  BN_CALL(ctx, bn_h5_check_space(ctx, output, bytes));
  BN_CALL(ctx, bn_dist_create_uniform(ctx, m, &md));
  bn_status_t st = bn_dist_create_uniform(ctx, n, &xd);
  bn_idx_t ml = bn_dist_local(md);
  /* x (replicated: regenerated on every rank), a work row, y; the rank's
   * rows of A when stored. */
  if (st == BN_OK)
    st = bn_mallocn(
        ctx, bn_size_add(bn_size_add(bn_size_mul(2, per), (size_t)ml), 1),
        sizeof(double), &x);
  if (st == BN_OK && stored)
    st = bn_mallocn(ctx, bn_size_add(bn_size_mul((size_t)ml, per), 1),
                    sizeof(double), &a);
  st = bn_agree(ctx, st);
  double *y = x ? x + 2 * per : NULL;
  if (st == BN_OK) {
    /* E|x|^2 = 1: entries N(0, 1/n), or CN(0, 1/n). */
    double sd = 1.0 / sqrt((double)per);
    for (size_t e = 0; e < per; e++)
      x[e] = sd * bn_rng_normal(g->seed, BN_PHASE_STREAM_TRUTH, e, 0);
    bn_pgen_measure(g, cplx, bn_dist_first(md), ml, x, a, x + per, y);
    st = bn_h5_create(ctx, output, bytes, &f);
  }
  if (st == BN_OK) st = bn_h5_write_f64(f, "/y", m, bn_dist_first(md), ml, y);
  if (st == BN_OK && stored) {
    bn_idx_t dims[3] = {m, n, 2};
    st =
        bn_h5_write_rows(f, "/A", cplx ? 3 : 2, dims, bn_dist_first(md), ml, a);
  }
  if (st == BN_OK) {
    bn_idx_t dims[2] = {n, 2}, x0 = bn_dist_first(xd);
    st = bn_h5_write_rows(f, "/x_true", cplx ? 2 : 1, dims, x0,
                          bn_dist_local(xd), x + (size_t)x0 * K);
  }
  if (st == BN_OK) st = bn_pgen_attrs(f, g);
  if (st == BN_OK) st = bn_h5_commit(f);
  bn_h5_close(f);
  free(x);
  free(a);
  bn_dist_destroy(md);
  bn_dist_destroy(xd);
  return st;
}
