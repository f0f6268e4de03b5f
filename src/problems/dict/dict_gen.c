/* Synthetic dictionary-learning instances (see include/benign/generate.h).
 * The dictionary is built on every process from the same counter-based
 * draws (the same bits everywhere); each process then writes its own
 * block of samples. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "linalg/lapack_decl.h"
#include "problems/dict/dict.h"

static bn_status_t bn_dgen_check(bn_ctx_t *ctx, const bn_dict_gen_t *g,
                                 int *kind) {
  static const char *const kinds[] = {"orthogonal", "untf", "gaussian"};
  *kind = -1;
  for (int k = 0; k < 3; k++)
    if (g->dictionary && !strcmp(g->dictionary, kinds[k])) *kind = k;
  if (g->dictionary && !strcmp(g->dictionary, "auto"))
    *kind = g->atoms == g->dim ? 0 : 1;
  if (*kind < 0)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--dictionary=%s: expected auto, orthogonal, untf or "
                        "gaussian",
                        g->dictionary ? g->dictionary : "");
  if (g->dim < 2 || g->dim > 65536)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--dim=%lld: must be in [2, 65536]",
                        (long long)g->dim);
  if (g->atoms < 1 || g->atoms > (1 << 20) ||
      (double)g->atoms * (double)g->dim > 1e9)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--atoms=%d: must be positive with dim x atoms <= 1e9",
                        g->atoms);
  if (*kind == 0 && g->atoms != g->dim)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--dictionary=orthogonal needs --atoms = --dim (%d "
                        "atoms of dimension %lld given)",
                        g->atoms, (long long)g->dim);
  if (*kind == 1 && g->atoms < g->dim)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--dictionary=untf: a tight frame needs at least dim "
                        "= %lld atoms (%d given)",
                        (long long)g->dim, g->atoms);
  if (g->samples < 1)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--samples=%lld: must be positive",
                        (long long)g->samples);
  if (!(g->theta > 0 && g->theta <= 1))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--theta=%g: the sparsity rate must be in (0, 1]",
                        g->theta);
  if (!(g->noise >= 0) || !isfinite(g->noise) || !(g->corrupt_scale >= 0) ||
      !isfinite(g->corrupt_scale))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--noise and --corrupt-scale must be nonnegative");
  if (!(g->outliers >= 0 && g->outliers < 1) ||
      !(g->corrupt >= 0 && g->corrupt < 1))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--outliers and --corrupt are fractions in [0, 1)");
  return BN_OK;
}

/* A <- sqrt(n/m) (A A^T)^(-1/2) A (the nearest tight frame). */
static bn_status_t bn_dgen_tight(bn_ctx_t *ctx, int m, int n, double *a,
                                 double *w) {
  double *s = w, *v = s + (size_t)m * m, *t = v + (size_t)m * m;
  double *e = t + (size_t)m * n, query = 0.0, *work = NULL;
  int lwork = -1, info = 0;
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, m, n, 1.0, a, n, a, n,
              0.0, v, m);
  dsyev_("V", "U", &m, v, &m, e, &query, &lwork, &info, 1, 1);
  lwork = (int)query + 1;
  BN_CALL(ctx, bn_mallocn(ctx, (size_t)lwork, sizeof(double), &work));
  dsyev_("V", "U", &m, v, &m, e, work, &lwork, &info, 1, 1);
  free(work);
  if (info != 0 || !(e[0] > 0))
    return BN_ERROR(ctx, BN_ERR_NUM, "the frame lost rank (dsyev info %d)",
                    info);
  /* Rows of v (row-major) are the eigenvectors: S = V^T diag V. */
  for (int j = 0; j < m; j++) {
    double c = pow(e[j], -0.25);
    for (int i = 0; i < m; i++) v[j * m + i] *= c;
  }
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, m, m, m, 1.0, v, m, v, m,
              0.0, s, m);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, m,
              sqrt((double)n / m), s, m, a, n, 0.0, t, n);
  memcpy(a, t, (size_t)m * n * sizeof(double));
  return BN_OK;
}

static void bn_dgen_unit(int m, int n, double *a) {
  for (int k = 0; k < n; k++) {
    double s = 0.0;
    for (int i = 0; i < m; i++) s += a[i * n + k] * a[i * n + k];
    for (int i = 0; i < m; i++) a[i * n + k] /= sqrt(s);
  }
}

/* The dictionary (m x n, row-major, replicated). */
static bn_status_t bn_dgen_dictionary(bn_ctx_t *ctx, const bn_dict_gen_t *g,
                                      int kind, double *a) {
  const int m = (int)g->dim, n = g->atoms;
  for (size_t e = 0; e < (size_t)m * n; e++)
    a[e] = bn_rng_normal(g->seed, BN_DICT_STREAM_A, (uint64_t)e, 0);
  if (kind == 0) {
    double *w = NULL;
    BN_CALL(ctx,
            bn_mallocn(ctx, bn_size_mul((size_t)m, m), sizeof(double), &w));
    bn_status_t st = bn_dict_polar_local(ctx, m, a, w);
    if (st == BN_OK) memcpy(a, w, (size_t)m * m * sizeof(double));
    free(w);
    return st;
  }
  bn_dgen_unit(m, n, a);
  if (kind == 2) return BN_OK;
  double *w = NULL;
  size_t len = 2 * (size_t)m * m + (size_t)m * n + (size_t)m;
  BN_CALL(ctx, bn_mallocn(ctx, len, sizeof(double), &w));
  bn_status_t st = BN_OK;
  for (int it = 0; it < 200 && st == BN_OK; it++) {
    st = bn_dgen_tight(ctx, m, n, a, w);
    bn_dgen_unit(m, n, a);
  }
  free(w);
  return st;
}

/* This process's samples (rows of ym); codes into (ri, ci, v) when given
 * (counting into *nx), outlier indices into out (counting into *no). */
static void bn_dgen_samples(const bn_dict_gen_t *g, const double *a,
                            bn_dmat_t *ym, double *x, int64_t *ri, int64_t *ci,
                            double *v, int64_t *nx, int64_t *out, int64_t *no) {
  const int m = (int)g->dim, n = g->atoms;
  const bn_idx_t s0 = bn_dmat_first_row(ym), pl = bn_dmat_local_rows(ym);
  const double rms = sqrt(g->theta * n / m);
  double *y = bn_dmat_data(ym);
  *nx = *no = 0;
  for (bn_idx_t r = 0; r < pl; r++) {
    const uint64_t j = (uint64_t)(s0 + r);
    double *yr = y + r * m;
    for (int k = 0; k < n; k++) {
      uint64_t idx = j * (uint64_t)n + (uint64_t)k;
      x[k] = bn_rng_uniform(g->seed, BN_DICT_STREAM_MASK, idx, 0) < g->theta
                 ? bn_rng_normal(g->seed, BN_DICT_STREAM_X, idx, 0)
                 : 0.0;
      if (x[k] != 0.0 && v) {
        ri[*nx] = k;
        ci[*nx] = (int64_t)j;
        v[(*nx)++] = x[k];
      }
    }
    cblas_dgemv(CblasRowMajor, CblasNoTrans, m, n, 1.0, a, n, x, 1, 0.0, yr, 1);
    if (g->outliers > 0 &&
        bn_rng_uniform(g->seed, BN_DICT_STREAM_OUT, j, 0) < g->outliers) {
      out[(*no)++] = (int64_t)j;
      for (int i = 0; i < m; i++)
        yr[i] = rms * bn_rng_normal(g->seed, BN_DICT_STREAM_OUT,
                                    j * (uint64_t)m + (uint64_t)i, 1);
    }
    for (int i = 0; i < m; i++) {
      uint64_t idx = j * (uint64_t)m + (uint64_t)i;
      if (g->noise > 0)
        yr[i] +=
            g->noise * bn_rng_normal(g->seed, BN_DICT_STREAM_NOISE, idx, 0);
      if (g->corrupt > 0 &&
          bn_rng_uniform(g->seed, BN_DICT_STREAM_CORR, idx, 0) < g->corrupt)
        yr[i] +=
            (bn_rng_uniform(g->seed, BN_DICT_STREAM_CORR, idx, 1) < 0.5 ? -1.0
                                                                        : 1.0) *
            g->corrupt_scale * rms;
    }
  }
}

/* A 1-D int64 or float64 dataset from every process's part. */
static bn_status_t bn_dgen_write_parts(bn_ctx_t *ctx, bn_h5_t *f,
                                       const char *name, int64_t count,
                                       const int64_t *iv, const double *dv) {
  long long loc = count, off = 0, tot = 0;
  BN_MPI(ctx,
         MPI_Exscan(&loc, &off, 1, MPI_LONG_LONG, MPI_SUM, bn_ctx_comm(ctx)));
  BN_MPI(ctx, MPI_Allreduce(&loc, &tot, 1, MPI_LONG_LONG, MPI_SUM,
                            bn_ctx_comm(ctx)));
  if (bn_ctx_rank(ctx) == 0) off = 0;
  if (iv) return bn_h5_write_i64(f, name, tot, off, loc, iv);
  return bn_h5_write_f64(f, name, tot, off, loc, dv);
}

static bn_status_t bn_dgen_attrs(bn_h5_t *f, const bn_dict_gen_t *g, int kind,
                                 int64_t nout) {
  static const char *const kinds[] = {"orthogonal", "untf", "gaussian"};
  bn_status_t st =
      bn_h5_attr_set_str(f, "/", "creator", "benign generate dict");
  if (st == BN_OK) st = bn_h5_attr_set_str(f, "/", "problem", "dict");
  if (st == BN_OK) st = bn_h5_attr_set_str(f, "/", "dictionary", kinds[kind]);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "dim", g->dim);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "atoms", g->atoms);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "samples", g->samples);
  if (st == BN_OK) st = bn_h5_attr_set_f64(f, "/", "theta", g->theta);
  if (st == BN_OK) st = bn_h5_attr_set_f64(f, "/", "noise", g->noise);
  if (st == BN_OK) st = bn_h5_attr_set_f64(f, "/", "outliers", g->outliers);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "outlier_samples", nout);
  if (st == BN_OK) st = bn_h5_attr_set_f64(f, "/", "corrupt", g->corrupt);
  if (st == BN_OK)
    st = bn_h5_attr_set_f64(f, "/", "corrupt_scale", g->corrupt_scale);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "seed", (int64_t)g->seed);
  if (st == BN_OK)
    st = bn_h5_attr_set_str(f, "/", "version", BN_VERSION_STRING);
  return st;
}

bn_status_t bn_generate_dict(bn_ctx_t *ctx, const bn_dict_gen_t *g,
                             const char *output) {
  int kind;
  BN_CALL(ctx, bn_agree(ctx, bn_dgen_check(ctx, g, &kind)));
  const bn_idx_t m = g->dim;
  const int n = g->atoms;
  double bytes = 8.0 * ((double)g->samples * m + (double)m * n);
  if (g->store_codes) bytes += 24.0 * g->theta * n * (double)g->samples;
  BN_CALL(ctx, bn_h5_check_output(ctx, output, NULL));
  BN_CALL(ctx, bn_h5_check_space(ctx, output, bytes));
  bn_dist_t *md = NULL, *sd = NULL;
  bn_dmat_t *am = NULL, *ym = NULL;
  bn_h5_t *f = NULL;
  double *a = NULL, *v = NULL;
  int64_t *ri = NULL, nx = 0, no = 0;
  bn_status_t st = bn_dist_create_uniform(ctx, m, &md);
  if (st == BN_OK) st = bn_dist_create_uniform(ctx, g->samples, &sd);
  if (st == BN_OK) st = bn_dmat_create(md, n, &am);
  if (st == BN_OK) st = bn_dmat_create(sd, (int)m, &ym);
  const size_t pl = ym ? (size_t)bn_dmat_local_rows(ym) : 0;
  const size_t cap = g->store_codes ? pl * (size_t)n + 1 : 1;
  if (st == BN_OK)
    st = bn_agree(
        ctx,
        bn_mallocn(ctx,
                   bn_size_add(bn_size_add(bn_size_mul((size_t)m, n), n), cap),
                   sizeof(double), &a));
  if (st == BN_OK)
    st = bn_agree(
        ctx,
        bn_mallocn(ctx, bn_size_add(bn_size_add(bn_size_mul(2, cap), pl), 1),
                   sizeof(int64_t), &ri));
  if (st == BN_OK) st = bn_agree(ctx, bn_dgen_dictionary(ctx, g, kind, a));
  if (st == BN_OK) {
    v = a + (size_t)m * n + n;
    memcpy(bn_dmat_data(am), a + (size_t)bn_dmat_first_row(am) * n,
           (size_t)bn_dmat_local_rows(am) * n * sizeof(double));
    bn_dgen_samples(g, a, ym, a + (size_t)m * n, g->store_codes ? ri : NULL,
                    ri + cap, g->store_codes ? v : NULL, &nx, ri + 2 * cap,
                    &no);
    st = bn_h5_create(ctx, output, bytes, &f);
  }
  if (st == BN_OK) st = bn_h5_write_dmat(f, "/Y", ym);
  if (st == BN_OK) st = bn_h5_write_dmat(f, "/A_true", am);
  if (st == BN_OK && g->store_codes) {
    st = bn_dgen_write_parts(ctx, f, "/X_true/row", nx, ri, NULL);
    if (st == BN_OK)
      st = bn_dgen_write_parts(ctx, f, "/X_true/col", nx, ri + cap, NULL);
    if (st == BN_OK)
      st = bn_dgen_write_parts(ctx, f, "/X_true/val", nx, NULL, v);
    if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/X_true", "rows", n);
    if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/X_true", "cols", g->samples);
  }
  long long nout = no;
  if (st == BN_OK && MPI_Allreduce(MPI_IN_PLACE, &nout, 1, MPI_LONG_LONG,
                                   MPI_SUM, bn_ctx_comm(ctx)) != MPI_SUCCESS)
    st = BN_ERROR(ctx, BN_ERR_MPI, "MPI_Allreduce failed");
  if (st == BN_OK && nout > 0)
    st = bn_dgen_write_parts(ctx, f, "/outliers", no, ri + 2 * cap, NULL);
  if (st == BN_OK) st = bn_dgen_attrs(f, g, kind, nout);
  if (st == BN_OK) st = bn_h5_commit(f);
  bn_h5_close(f);
  free(a);
  free(ri);
  bn_dmat_destroy(am);
  bn_dmat_destroy(ym);
  bn_dist_destroy(md);
  bn_dist_destroy(sd);
  return st;
}
