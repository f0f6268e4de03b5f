/* Synthetic orthogonal tensors (see include/benign/generate.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problems/tensor/tensor.h"

static bn_status_t bn_tgen_check(bn_ctx_t *ctx, const bn_tensor_gen_t *g,
                                 int *form) {
  *form = -1;
  for (int k = 0; k < 3; k++)
    if (g->form && !strcmp(g->form, bn_tensor_form_names[k])) *form = k;
  if (*form < 0)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--form=%s: expected components, samples or explicit",
                        g->form ? g->form : "");
  if (g->dim < 1 || g->dim > (1 << 24))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--dim=%lld: must be in [1, 2^24]",
                        (long long)g->dim);
  if (g->components < 1 || g->components > g->dim)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--components=%d: must be in [1, dim = %lld] (at "
                        "most dim orthogonal components)",
                        g->components, (long long)g->dim);
  for (int k = 0; k < g->components; k++)
    if (!(g->lambda[k] > 0) || !isfinite(g->lambda[k]))
      return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                          "--lambda: weight %d is %g; the weights must be "
                          "positive and finite (components are found by "
                          "maximizing T(x,x,x,x))",
                          k, g->lambda[k]);
  if (*form == BN_TENSOR_SAMPLES && g->samples < 2)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--samples=%lld: at least 2 samples are needed",
                        (long long)g->samples);
  if (*form == BN_TENSOR_EXPLICIT && g->dim > BN_TENSOR_EXPLICIT_MAX)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--dim=%lld: --form=explicit writes dim^4 entries and "
                        "is limited to dim <= %d",
                        (long long)g->dim, BN_TENSOR_EXPLICIT_MAX);
  return BN_OK;
}

/* a (dim x K, replicated, row-major): orthonormal columns by classical
 * Gram-Schmidt, twice, of a Gaussian matrix keyed by (seed, entry). */
static void bn_tgen_orth(const bn_tensor_gen_t *g, double *a) {
  const bn_idx_t n = g->dim;
  const int K = g->components;
  for (bn_idx_t e = 0; e < n * K; e++)
    a[e] = bn_rng_normal(g->seed, BN_TENSOR_STREAM_A, (uint64_t)e, 0);
  for (int k = 0; k < K; k++) {
    for (int pass = 0; pass < 2; pass++)
      for (int j = 0; j < k; j++) {
        double c = 0.0;
        for (bn_idx_t i = 0; i < n; i++) c += a[i * K + j] * a[i * K + k];
        for (bn_idx_t i = 0; i < n; i++) a[i * K + k] -= c * a[i * K + j];
      }
    double s = 0.0;
    for (bn_idx_t i = 0; i < n; i++) s += a[i * K + k] * a[i * K + k];
    for (bn_idx_t i = 0; i < n; i++) a[i * K + k] /= sqrt(s);
  }
}

/* Rows of a replicated rows x k array into the matching dmat rows. */
static void bn_tgen_local(bn_dmat_t *d, const double *full, int k) {
  memcpy(bn_dmat_data(d), full + (size_t)bn_dmat_first_row(d) * k,
         (size_t)bn_dmat_local_rows(d) * k * sizeof(double));
}

/* Samples z = A s for this rank's rows of zm. */
static void bn_tgen_samples(const bn_tensor_gen_t *g, const double *a,
                            bn_dmat_t *zm, double *s) {
  const bn_idx_t n = g->dim, z0 = bn_dmat_first_row(zm);
  const int K = g->components;
  double *z = bn_dmat_data(zm);
  for (bn_idx_t r = 0; r < bn_dmat_local_rows(zm); r++) {
    for (int k = 0; k < K; k++) {
      double p = 3.0 / (g->lambda[k] + 3.0);
      uint64_t idx = (uint64_t)((z0 + r) * K + k);
      s[k] =
          bn_rng_uniform(g->seed, BN_TENSOR_STREAM_MASK, idx, 0) < p
              ? bn_rng_normal(g->seed, BN_TENSOR_STREAM_SRC, idx, 0) / sqrt(p)
              : 0.0;
    }
    for (bn_idx_t i = 0; i < n; i++) {
      double v = 0.0;
      for (int k = 0; k < K; k++) v += a[i * K + k] * s[k];
      z[r * n + i] = v;
    }
  }
}

/* Rows of the n x n^3 unfolding of sum_k lambda_k a_k^{(x)4}. */
static void bn_tgen_explicit(const bn_tensor_gen_t *g, const double *a,
                             bn_dmat_t *tm) {
  const bn_idx_t n = g->dim, n2 = n * n, n3 = n2 * n;
  const int K = g->components;
  double *t = bn_dmat_data(tm);
  for (bn_idx_t r = 0; r < bn_dmat_local_rows(tm); r++) {
    bn_idx_t i = bn_dmat_first_row(tm) + r;
    double *row = t + r * n3;
    memset(row, 0, (size_t)n3 * sizeof(double));
    for (int k = 0; k < K; k++) {
      double ci = g->lambda[k] * a[i * K + k];
      for (bn_idx_t j = 0; j < n; j++) {
        double cj = ci * a[j * K + k];
        for (bn_idx_t l = 0; l < n; l++) {
          double cl = cj * a[l * K + k];
          double *dst = row + j * n2 + l * n;
          for (bn_idx_t m = 0; m < n; m++) dst[m] += cl * a[m * K + k];
        }
      }
    }
  }
}

static bn_status_t bn_tgen_attrs(bn_h5_t *f, const bn_tensor_gen_t *g) {
  bn_status_t st =
      bn_h5_attr_set_str(f, "/", "creator", "benign generate tensor");
  if (st == BN_OK) st = bn_h5_attr_set_str(f, "/", "problem", "tensor");
  if (st == BN_OK) st = bn_h5_attr_set_str(f, "/", "form", g->form);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "dim", g->dim);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "components", g->components);
  if (st == BN_OK && !strcmp(g->form, "samples"))
    st = bn_h5_attr_set_i64(f, "/", "samples", g->samples);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "seed", (int64_t)g->seed);
  if (st == BN_OK)
    st = bn_h5_attr_set_str(f, "/", "version", BN_VERSION_STRING);
  return st;
}

bn_status_t bn_generate_tensor(bn_ctx_t *ctx, const bn_tensor_gen_t *g,
                               const char *output) {
  int form;
  BN_CALL(ctx, bn_agree(ctx, bn_tgen_check(ctx, g, &form)));
  const bn_idx_t n = g->dim;
  const int K = g->components;
  double bytes = 8.0 * (2.0 * (double)n * K + 2.0 * K);
  if (form == BN_TENSOR_SAMPLES) bytes += 8.0 * (double)g->samples * n;
  if (form == BN_TENSOR_EXPLICIT) bytes += 8.0 * pow((double)n, 4);
  BN_CALL(ctx, bn_h5_check_output(ctx, output, NULL));
  BN_CALL(ctx, bn_h5_check_space(ctx, output, bytes));
  bn_dist_t *xd = NULL, *zd = NULL;
  bn_dmat_t *am = NULL, *dm = NULL;
  bn_h5_t *f = NULL;
  double *a = NULL;
  bn_status_t st = bn_dist_create_uniform(ctx, n, &xd);
  if (st == BN_OK)
    st = bn_agree(
        ctx, bn_mallocn(
                 ctx, bn_size_add(bn_size_add(bn_size_mul(n, K), (size_t)K), 1),
                 sizeof(double), &a));
  if (st == BN_OK) st = bn_dmat_create(xd, K, &am);
  if (st == BN_OK && form == BN_TENSOR_SAMPLES) {
    st = bn_dist_create_uniform(ctx, g->samples, &zd);
    if (st == BN_OK) st = bn_dmat_create(zd, (int)n, &dm);
  } else if (st == BN_OK && form == BN_TENSOR_EXPLICIT) {
    st = bn_dmat_create(xd, (int)(n * n * n), &dm);
  }
  if (st == BN_OK) {
    bn_tgen_orth(g, a);
    bn_tgen_local(am, a, K);
    if (form == BN_TENSOR_SAMPLES) bn_tgen_samples(g, a, dm, a + n * K);
    if (form == BN_TENSOR_EXPLICIT) bn_tgen_explicit(g, a, dm);
    st = bn_h5_create(ctx, output, bytes, &f);
  }
  bn_idx_t mine = bn_ctx_rank(ctx) == 0 ? K : 0;
  if (st == BN_OK && form == BN_TENSOR_COMPONENTS) {
    st = bn_h5_write_dmat(f, "/A", am);
    if (st == BN_OK) st = bn_h5_write_f64(f, "/lambda", K, 0, mine, g->lambda);
  }
  if (st == BN_OK && form == BN_TENSOR_SAMPLES)
    st = bn_h5_write_dmat(f, "/Z", dm);
  if (st == BN_OK && form == BN_TENSOR_EXPLICIT)
    st = bn_h5_write_dmat(f, "/T", dm);
  if (st == BN_OK) st = bn_h5_write_dmat(f, "/A_true", am);
  if (st == BN_OK)
    st = bn_h5_write_f64(f, "/lambda_true", K, 0, mine, g->lambda);
  if (st == BN_OK) st = bn_tgen_attrs(f, g);
  if (st == BN_OK) st = bn_h5_commit(f);
  bn_h5_close(f);
  free(a);
  bn_dmat_destroy(am);
  bn_dmat_destroy(dm);
  bn_dist_destroy(xd);
  bn_dist_destroy(zd);
  return st;
}
