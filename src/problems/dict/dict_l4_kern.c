/* Dictionary learning, method `l4`: the work on the samples and the sample
 * continuation of the MSP fixed point.
 *
 * The kernel: Z = Ybar_s W^T, C = Z^3, G = C^T Ybar_s and sum Z^4 over the
 * samples of the current level, in blocks of rows so that a block of Z and
 * C stays in cache between the two GEMMs (the cube costs no pass over
 * memory). Z and C are kept whole (pl x m, compact: row t is the level's
 * t-th local sample): Hessian-vector products reuse Z.
 *
 * Continuation (--l4-coarse, solver als only): far from a fixed point the
 * MSP step only needs the direction of G, which a subset of the samples
 * gives as well as all of them. The solve starts on every s-th sample (by
 * global index, so the subset is the same at any process count; s the
 * largest power of 2 with p/s >= --l4-coarse * m^2) and halves s each time a
 * step moves no atom (row of W) by more than BN_DICT_L4_LEVEL_TOL, down to s =
 * 1, where the loop's stopping tests decide. At stride s the objective is
 * -sum_j |W ybar_j|_4^4 / (4 p_s) over those p_s samples.
 *
 * Single-precision search (--l4-single, solvers als/aals): the steps run
 * on float copies of the samples and of W (SGEMM: twice DGEMM's rate;
 * the atoms are found to |cos| 0.99, far above float's rounding) until a
 * step on all the samples moves no atom by more than
 * BN_DICT_L4_LEVEL_TOL -- the last "level" -- and from there in double
 * precision, so the stopping tests, the end point and any Hessian-vector
 * product are those of the double-precision objective. */
#include <cblas.h>
#include <math.h>
#include <string.h>

#include "problems/dict/dict.h"

/* A step that moves no row of W by more than this (Euclidean, rows of
 * unit length: about the angle in radians) ends a coarse level. */
#define BN_DICT_L4_LEVEL_TOL 0.05

/* Rows of a block: about 128 KiB of Z, at least 64 rows (the second GEMM's
 * inner dimension). */
static int bn_dict_l4_block(int m) {
  int b = 16384 / (m > 0 ? m : 1);
  return b < 64 ? 64 : b;
}

void bn_dict_l4_level(bn_dict_t *d, int64_t stride) {
  const int64_t s = stride > 0 ? stride : 1;
  d->l4_stride = s;
  d->l4_r0 = (s - d->p0 % s) % s;
  d->l4_nl = d->l4_r0 < d->pl ? (d->pl - d->l4_r0 + s - 1) / s : 0;
  d->l4_ps = (d->p + s - 1) / s;
  d->wvalid = false;
}

void bn_dict_l4_coarsest(bn_dict_t *d, double coarse) {
  int64_t s = 1;
  const double want = coarse * (double)d->m * (double)d->m;
  if (coarse > 0)
    while ((double)(d->p / (2 * s)) >= want) s *= 2;
  d->l4_stride0 = s;
  bn_dict_l4_level(d, s);
}

void bn_dict_l4_double(bn_dict_t *d) {
  if (!d->l4_single) return;
  d->l4_single = false;
  d->wvalid = false;
}

/* The single-precision kernel: Z, C in the first halves of zl, cl (as
 * floats), G accumulated in g32, the sum of Z^4 in double per block. */
static void bn_dict_l4_apply32(bn_dict_t *d, const double *w, double *g,
                               double *fs) {
  const int m = (int)d->m, nl = (int)d->l4_nl, blk = 2 * bn_dict_l4_block(m);
  const size_t mm = (size_t)m * m;
  if (!d->yf_ready) {
    const size_t n = (size_t)d->pl * m;
    for (size_t k = 0; k < n; k++) d->yf[k] = (float)d->y[k];
    d->yf_ready = true;
  }
  for (size_t k = 0; k < mm; k++) d->w32[k] = (float)w[k];
  memset(d->g32, 0, mm * sizeof(float));
  const int lda = (int)(d->l4_stride * m);
  const float *y0 = d->yf + (size_t)d->l4_r0 * m;
  float *z = (float *)d->zl, *c = (float *)d->cl;
  double s4 = 0.0;
  for (int t = 0; t < nl; t += blk) {
    const int nb = nl - t < blk ? nl - t : blk;
    const float *ys = y0 + (size_t)t * lda;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, nb, m, m, 1.0f, ys,
                lda, d->w32, m, 0.0f, z, m);
    const size_t n = (size_t)nb * m;
    float b4 = 0.0f;
    for (size_t k = 0; k < n; k++) {
      float v = z[k], v2 = v * v;
      b4 += v2 * v2;
      c[k] = v2 * v;
    }
    s4 += b4;
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, m, m, nb, 1.0f, c, m,
                ys, lda, 1.0f, d->g32, m);
  }
  for (size_t k = 0; k < mm; k++) g[k] = d->g32[k];
  *fs = s4;
}

void bn_dict_l4_apply(bn_dict_t *d, const double *w, double *g, double *fs) {
  if (d->l4_single) {
    bn_dict_l4_apply32(d, w, g, fs);
    return;
  }
  const int m = (int)d->m, nl = (int)d->l4_nl, blk = bn_dict_l4_block(m);
  const int lda = (int)(d->l4_stride * m);
  const double *y0 = d->y + (size_t)d->l4_r0 * m;
  double s4 = 0.0;
  memset(g, 0, (size_t)m * m * sizeof(double));
  for (int t = 0; t < nl; t += blk) {
    const int nb = nl - t < blk ? nl - t : blk;
    const double *ys = y0 + (size_t)t * lda;
    double *z = d->zl + (size_t)t * m, *c = d->cl + (size_t)t * m;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, nb, m, m, 1.0, ys, lda,
                w, m, 0.0, z, m);
    const size_t n = (size_t)nb * m;
    for (size_t k = 0; k < n; k++) {
      double v = z[k], v2 = v * v;
      s4 += v2 * v2;
      c[k] = v2 * v;
    }
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, m, m, nb, 1.0, c, m,
                ys, lda, 1.0, g, m);
  }
  *fs = s4;
}

void bn_dict_l4_apply_dir(bn_dict_t *d, const double *v, double *g) {
  const int m = (int)d->m, nl = (int)d->l4_nl;
  const int lda = (int)(d->l4_stride * m);
  const double *y0 = d->y + (size_t)d->l4_r0 * m;
  memset(g, 0, (size_t)m * m * sizeof(double));
  if (nl == 0) return;
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, nl, m, m, 1.0, y0, lda,
              v, m, 0.0, d->cl, m);
  const size_t n = (size_t)nl * m;
  for (size_t k = 0; k < n; k++) d->cl[k] *= 3.0 * d->zl[k] * d->zl[k];
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, m, m, nl, 1.0, d->cl, m,
              y0, lda, 0.0, g, m);
}

/* Collective, after a sweep moved rank 0's W from wold to w: the largest
 * move of a row, agreed; a coarse level whose step moved no row by more
 * than BN_DICT_L4_LEVEL_TOL gives way to the next finer one. */
bn_status_t bn_dict_l4_next_level(bn_dict_t *d, const double *wold,
                                  const double *w) {
  bn_ctx_t *ctx = d->ctx;
  if (d->l4_stride <= 1 && !d->l4_single) return BN_OK;
  const int m = (int)d->m;
  double big = 0.0;
  if (bn_ctx_rank(ctx) == 0)
    for (int i = 0; i < m; i++) {
      double s = 0.0;
      for (int j = 0; j < m; j++) {
        double e = w[i * m + j] - wold[i * m + j];
        s += e * e;
      }
      big = fmax(big, sqrt(s));
    }
  BN_MPI(ctx, MPI_Bcast(&big, 1, MPI_DOUBLE, 0, bn_ctx_comm(ctx)));
  if (!(big <= BN_DICT_L4_LEVEL_TOL)) return BN_OK;
  if (d->l4_stride <= 1) {
    bn_dict_l4_double(d);
    bn_log(ctx, BN_LOG_DEBUG,
           "l4: the step moved no atom by more than %.2g (%.2e): double "
           "precision from here\n",
           BN_DICT_L4_LEVEL_TOL, big);
    return BN_OK;
  }
  bn_dict_l4_level(d, d->l4_stride / 2);
  bn_log(ctx, BN_LOG_DEBUG,
         "l4: the step moved no atom by more than %.2g (%.2e): samples "
         "1/%lld (%lld) from here\n",
         BN_DICT_L4_LEVEL_TOL, big, (long long)d->l4_stride,
         (long long)d->l4_ps);
  d->l4_levels++;
  return BN_OK;
}
