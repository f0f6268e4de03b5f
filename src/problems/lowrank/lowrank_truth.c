/* The ground truth of the low-rank problems as an iterate (the problems'
 * optional `truth` op, used by `benign landscape` for its slices).
 *
 * The truth M = X Y^T is kept as X = Qx Rx (lowrank.c). With Y = Qy Ry
 * (distributed QR) and the small SVD Rx Ry^T = W S Z^T,
 *
 *   U* = Qx W S^(1/2),  V* = Qy Z S^(1/2),
 *
 * so U* V*^T = X Y^T and U*^T U* = V*^T V* = S: the balanced factors, the
 * global minimizers of the noiseless objectives (up to the O(r) symmetry).
 * A model rank r above k = rank(truth) pads with zero columns; below it the
 * top r singular pairs are kept (the best rank-r approximation). In sym
 * mode (factor --mode=sym) the iterate is U* alone. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problems/lowrank/lowrank.h"

/* Local: out (n x r) = q (n x k) c (k x r). */
static void bn_lrt_rows(bn_idx_t n, int k, int r, const double *q,
                        const double *c, double *out) {
  if (n > 0)
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, r, k, 1.0, q,
                k, c, r, 0.0, out, r);
}

bn_status_t bn_lr_truth_point(bn_ctx_t *ctx, bn_lr_truth_t *t, int r, int sym,
                              double *x, bool *have) {
  *have = t != NULL;
  if (!t) return BN_OK;
  const int k = t->k, m = r < k ? r : k;
  bn_idx_t nu = bn_dmat_local_rows(t->q), nv = bn_dmat_local_rows(t->y);
  bn_dmat_t *qy = NULL;
  double *buf = NULL;
  /* ry, b, w, s, zt (k x k or k each), cu, cv (k x r each) */
  size_t kk = (size_t)k * k, kr = (size_t)k * r;
  bn_status_t st = bn_dmat_duplicate(t->y, &qy);
  if (st == BN_OK)
    st = bn_calloc(
        ctx,
        bn_size_add(bn_size_add(bn_size_mul(4, kk), k), bn_size_mul(2, kr)),
        sizeof(double), &buf);
  BN_CALL(ctx, bn_agree(ctx, st));
  double *ry = buf, *b = ry + kk, *w = b + kk, *s = w + kk, *zt = s + k;
  double *cu = zt + kk, *cv = cu + kr;
  st = bn_dmat_qr(qy, ry);
  if (st == BN_OK) {
    /* B = Rx Ry^T, both upper triangular (row-major). */
    for (int a = 0; a < k; a++)
      for (int c = 0; c < k; c++) {
        double sum = 0.0;
        for (int j = a > c ? a : c; j < k; j++)
          sum += t->rx[a * k + j] * ry[c * k + j];
        b[a * k + c] = sum;
      }
    /* Replicated input, so every rank gets the same factors. */
    st = bn_agree(ctx, bn_small_svd(ctx, k, k, b, w, s, zt));
  }
  if (st == BN_OK) {
    for (int a = 0; a < k; a++)
      for (int j = 0; j < m; j++) {
        double h = sqrt(fmax(s[j], 0.0));
        cu[a * r + j] = w[a * k + j] * h;
        cv[a * r + j] = zt[j * k + a] * h;
      }
    bn_lrt_rows(nu, k, r, bn_dmat_cdata(t->q), cu, x);
    if (!sym) bn_lrt_rows(nv, k, r, bn_dmat_cdata(qy), cv, x + nu * r);
  }
  bn_dmat_destroy(qy);
  free(buf);
  return st;
}
