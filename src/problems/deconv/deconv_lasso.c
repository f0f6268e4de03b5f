/* Multichannel sparse blind deconvolution: the codes by a lasso with the
 * recovered kernel fixed (deconv.h), per channel and without
 * communication:
 *   min_x (1/2) |y_i - a (*) x|^2 + lambda |x|_1
 * by FISTA with step 1/L, L = max_k |ahat_k|^2 (the Lipschitz constant of
 * the gradient a * (a (*) x - y), a circulant's largest squared singular
 * value), from the direct deconvolution. Two transforms per iteration:
 * the gradient's spectrum conj(ahat) (ahat zhat - yhat) from zhat. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problems/deconv/deconv.h"

bn_status_t bn_dc_lasso(bn_deconv_t *d, const fftw_complex *ah) {
  const size_t N = (size_t)d->N, nc = (size_t)d->nc;
  double L = 0;
  for (size_t k = 0; k < nc; k++)
    L = fmax(L, ah[k][0] * ah[k][0] + ah[k][1] * ah[k][1]);
  if (!(L > 0)) return BN_OK;
  double *x0 = bn_alloc_n(bn_size_mul(2, N), sizeof(double));
  if (!x0) return BN_ERROR(d->ctx, BN_ERR_MEM, "out of memory (lasso)");
  double *z = x0 + N;
  const double step = 1.0 / L, thr = d->lasso * step;
  for (int64_t i = 0; i < d->pl; i++) {
    double *x = d->xhat + (size_t)i * N;
    const fftw_complex *yb = d->yb + (size_t)i * nc;
    memcpy(z, x, N * sizeof(double));
    double t = 1;
    for (int64_t it = 0; it < d->lasso_iter; it++) {
      memcpy(d->rb, z, N * sizeof(double));
      fftw_execute(d->fwd);
      for (size_t k = 0; k < nc; k++) {
        /* r = ahat zhat - yhat (yhat = ybhat / phat), g = conj(ahat) r. */
        double yr = yb[k][0] / d->phat[k], yi = yb[k][1] / d->phat[k];
        double zr = d->cb[k][0], zi = d->cb[k][1];
        double rr = ah[k][0] * zr - ah[k][1] * zi - yr;
        double ri = ah[k][0] * zi + ah[k][1] * zr - yi;
        d->cb[k][0] = (ah[k][0] * rr + ah[k][1] * ri) / (double)N;
        d->cb[k][1] = (ah[k][0] * ri - ah[k][1] * rr) / (double)N;
      }
      fftw_execute(d->bwd);
      memcpy(x0, x, N * sizeof(double));
      for (size_t j = 0; j < N; j++) {
        double v = z[j] - step * d->rb[j];
        x[j] = v > thr ? v - thr : v < -thr ? v + thr : 0.0;
      }
      double tn = 0.5 * (1 + sqrt(1 + 4 * t * t)), m = (t - 1) / tn;
      for (size_t j = 0; j < N; j++) z[j] = x[j] + m * (x[j] - x0[j]);
      t = tn;
    }
  }
  free(x0);
  return BN_OK;
}
