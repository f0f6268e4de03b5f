/* Dictionary learning: the input. /Y (p x m, one sample per row) is read
 * in blocks of samples and checked; M = Y^T Y / p in the row layout (the
 * m x m matrix Y Y^T / p of the column convention) is one local Gram and
 * one allreduce; with --precondition the samples become
 * Ybar = Y M^(-1/2) (rows), and the ground truth /A_true (m x nt, optional)
 * gets its points q*_k = M^(-1/2) a_k / |.| in those coordinates. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problems/dict/dict.h"

/* Eigenvalues of Y Y^T / p at or below this times the largest are null
 * directions (rounding: centering leaves ~1e-32). */
#define BN_DICT_NULL_REL 1e-12

/* Collective: the first sample (row) holding a non-finite value, or -1. */
static bn_status_t bn_dict_first_bad(bn_dict_t *d, const double *y,
                                     int64_t *bad) {
  int64_t loc = INT64_MAX;
  for (bn_idx_t k = 0; k < d->pl * d->m; k++)
    if (!isfinite(y[k])) {
      loc = d->p0 + k / d->m;
      break;
    }
  BN_MPI(d->ctx, MPI_Allreduce(&loc, bad, 1, MPI_INT64_T, MPI_MIN,
                               bn_ctx_comm(d->ctx)));
  if (*bad == INT64_MAX) *bad = -1;
  return BN_OK;
}

static bn_status_t bn_dict_read_y(bn_dict_t *d, bn_h5_t *f) {
  bn_ctx_t *ctx = d->ctx;
  int has, nd;
  bn_idx_t dims[4];
  BN_CALL(ctx, bn_h5_exists(f, "/Y", &has));
  if (!has)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: no dataset /Y (the samples, p x m, one per row): "
                        "not a dictionary-learning input (see "
                        "docs/file-formats.md)",
                        d->input);
  BN_CALL(ctx, bn_h5_shape(f, "/Y", &nd, dims));
  if (nd != 2 || dims[0] < 1 || dims[1] < 2)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: /Y must be 2-D, p x m (p samples of dimension "
                        "m >= 2, one per row)",
                        d->input);
  d->p = dims[0];
  d->m = dims[1];
  if (d->m > 65536)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: dimension m = %lld: at most 65536 (the m x m "
                        "matrices are replicated)",
                        d->input, (long long)d->m);
  if (d->p < d->m)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: /Y has p = %lld samples of dimension m = %lld: "
                        "at least m samples are needed (Y Y^T is singular "
                        "with fewer; /Y holds one sample per row, p x m)",
                        d->input, (long long)d->p, (long long)d->m);
  BN_CALL(ctx, bn_dist_create_uniform(ctx, d->p, &d->sdist));
  d->pl = bn_dist_local(d->sdist);
  d->p0 = bn_dist_first(d->sdist);
  BN_CALL(ctx, bn_h5_read_dmat(f, "/Y", d->sdist, (int)d->m, &d->ymat));
  d->y = bn_dmat_cdata(d->ymat);
  int64_t bad;
  BN_CALL(ctx, bn_dict_first_bad(d, d->y, &bad));
  if (bad >= 0)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: /Y row %lld (sample %lld) holds a NaN or "
                        "infinite value",
                        d->input, (long long)bad, (long long)bad);
  return BN_OK;
}

/* M = Y^T Y / p (rows) and |Y|_F^2, one allreduce; then the
 * preconditioner and Ybar = Y M^(-1/2). */
static bn_status_t bn_dict_precondition(bn_dict_t *d) {
  bn_ctx_t *ctx = d->ctx;
  const int m = (int)d->m, pl = (int)d->pl;
  const size_t mm = (size_t)m * (size_t)m;
  double *g = NULL;
  BN_CALL(
      ctx,
      bn_agree(ctx, bn_mallocn(ctx, bn_size_add(bn_size_mul(2, mm), (size_t)m),
                               sizeof(double), &d->msq)));
  d->misq = d->msq + mm;
  d->meig = d->misq + mm;
  BN_CALL(ctx, bn_agree(ctx, bn_mallocn(ctx, mm + 1, sizeof(double), &g)));
  memset(g, 0, (mm + 1) * sizeof(double));
  if (pl > 0) {
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, m, pl, 1.0, d->y, m, 0.0,
                g, m);
    for (bn_idx_t k = 0; k < d->pl * d->m; k++) g[mm] += d->y[k] * d->y[k];
  }
  bn_status_t st = bn_allreduce_sum(ctx, g, mm + 1);
  if (st == BN_OK) {
    d->ynorm2 = g[mm];
    for (int i = 0; i < m; i++)
      for (int j = i; j < m; j++) {
        g[i * m + j] /= (double)d->p;
        g[j * m + i] = g[i * m + j];
      }
    st = bn_dict_sym_sqrt(d, g, d->meig, d->msq, d->misq, BN_DICT_NULL_REL);
  }
  free(g);
  BN_CALL(ctx, st);
  double lo = d->meig[0];
  const double hi = d->meig[m - 1];
  if (!(hi > 0))
    return BN_ERROR_ALL(ctx, BN_ERR_DATA, "%s: /Y is zero", d->input);
  /* Without preconditioning a rank-deficient Y only leaves directions the
   * objective ignores (l4: a free row of W). With it, l4 works within the
   * span of the data: the null directions are projected out of Ybar, and
   * as many rows of W end there, atoms with zero codes. The sphere
   * objectives would take a null direction for their minimizer. */
  for (int j = 0; j < m && d->meig[j] <= BN_DICT_NULL_REL * hi; j++)
    d->nnull = j + 1;
  if (d->precond && d->nnull > 0 && d->nnull < m &&
      d->method == &bn_dict_method_l4) {
    bn_log(
        ctx, BN_LOG_INFO,
        "precondition: Y Y^T has %d null direction%s (eigenvalues <= "
        "%.0e of the largest: a constant coordinate, or patches centered "
        "by benign import): preconditioned within the span of the data "
        "(%d dimensions); %s atom%s with zero codes\n",
        d->nnull, d->nnull == 1 ? "" : "s", BN_DICT_NULL_REL, m - d->nnull,
        d->nnull == 1 ? "the null direction is an" : "the null directions are",
        d->nnull == 1 ? "" : "s");
    lo = d->meig[d->nnull];
  }
  if (d->precond && !(lo > BN_DICT_NULL_REL * hi))
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: Y Y^T is singular (eigenvalues of Y Y^T / p from "
                        "%.3g to %.3g): the samples do not span the "
                        "m = %d dimensions (a constant or repeated "
                        "coordinate? patches centered by benign import "
                        "--center lose one: --method=l4 preconditions "
                        "within their span; else import them with "
                        "--center=false)",
                        d->input, lo, hi, m);
  if (!d->precond) {
    for (int i = 0; i < m; i++)
      for (int j = 0; j < m; j++)
        d->msq[i * m + j] = d->misq[i * m + j] = i == j ? 1.0 : 0.0;
    return BN_OK;
  }
  /* Ybar = Y M^(-1/2), a block of rows at a time through a small buffer. */
  double *buf = NULL;
  const int blk = 256;
  BN_CALL(ctx, bn_agree(ctx, bn_mallocn(ctx, bn_size_mul((size_t)blk, m),
                                        sizeof(double), &buf)));
  double *y = bn_dmat_data(d->ymat);
  for (int r = 0; r < pl; r += blk) {
    int nb = pl - r < blk ? pl - r : blk;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, nb, m, m, 1.0,
                y + (size_t)r * m, m, d->misq, m, 0.0, buf, m);
    memcpy(y + (size_t)r * m, buf, (size_t)nb * m * sizeof(double));
  }
  free(buf);
  return BN_OK;
}

/* /A_true (m x nt), columns normalized, and q*_k. */
static bn_status_t bn_dict_read_truth(bn_dict_t *d, bn_h5_t *f) {
  bn_ctx_t *ctx = d->ctx;
  int has, nd;
  bn_idx_t dims[4];
  BN_CALL(ctx, bn_h5_exists(f, "/A_true", &has));
  if (!has) return BN_OK;
  BN_CALL(ctx, bn_h5_shape(f, "/A_true", &nd, dims));
  if (nd != 2 || dims[0] != d->m || dims[1] < 1 || dims[1] > (1 << 20))
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: /A_true must be m x n (m = %lld rows, one atom "
                        "per column)",
                        d->input, (long long)d->m);
  const int nt = (int)dims[1];
  const size_t len = (size_t)d->m * (size_t)nt;
  BN_CALL(ctx, bn_agree(ctx, bn_mallocn(ctx, bn_size_mul(2, len),
                                        sizeof(double), &d->atrue)));
  d->qtrue = d->atrue + len;
  BN_CALL(ctx, bn_dict_get(d, f, "/A_true", d->m, nt, d->atrue));
  const int m = (int)d->m;
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, nt, m, 1.0, d->misq,
              m, d->atrue, nt, 0.0, d->qtrue, nt);
  for (int k = 0; k < nt; k++) {
    double sa = 0.0, sq = 0.0;
    for (int i = 0; i < m; i++) {
      sa += d->atrue[i * nt + k] * d->atrue[i * nt + k];
      sq += d->qtrue[i * nt + k] * d->qtrue[i * nt + k];
    }
    if (!(sa > 0) || !isfinite(sa))
      return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                          "%s: /A_true column %d is zero or not finite",
                          d->input, k);
    for (int i = 0; i < m; i++) {
      d->atrue[i * nt + k] /= sqrt(sa);
      d->qtrue[i * nt + k] /= sqrt(sq);
    }
  }
  d->nt = nt;
  return BN_OK;
}

bn_status_t bn_dict_read(bn_dict_t *d, bn_h5_t *f) {
  BN_CALL(d->ctx, bn_dict_read_y(d, f));
  BN_CALL(d->ctx, bn_dict_precondition(d));
  return bn_dict_read_truth(d, f);
}
