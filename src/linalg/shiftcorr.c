/* Shift-invariant comparison of kernels (shiftcorr.h).
 *
 * The circular cross-correlation c(tau) = sum_i ahat(i) a(i - tau) is
 *   c = IFFT( FFT(ahat) .* conj(FFT(a)) ),
 * computed with real-to-complex transforms of the h x w arrays (FFTW's
 * row-major 2-D r2c; h = 1 is the 1-D case). The argmax of |c| picks the
 * shift; the inner product there is then taken directly so the error does
 * not inherit the FFT's rounding (relative ~1e-16 of the norms). */
#include <fftw3.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "benign/error.h"
#include "linalg/shiftcorr.h"

static double bn_shift_dot(const double *ahat, const double *a, size_t h,
                           size_t w, size_t shift) {
  size_t t0 = shift / w, t1 = shift % w;
  double s = 0;
  for (size_t i0 = 0; i0 < h; i0++) {
    const double *ar = a + ((i0 + h - t0) % h) * w;
    const double *hr = ahat + i0 * w;
    for (size_t i1 = 0; i1 < w; i1++) s += hr[i1] * ar[(i1 + w - t1) % w];
  }
  return s;
}

/* Best shift by the direct O((hw)^2) search: used when FFTW cannot
 * allocate (never in practice) so the function always answers. */
static size_t bn_shift_direct(const double *ahat, const double *a, size_t h,
                              size_t w) {
  size_t best = 0, hw = h * w;
  double bv = -1;
  for (size_t s = 0; s < hw; s++) {
    double v = fabs(bn_shift_dot(ahat, a, h, w, s));
    if (v > bv) {
      bv = v;
      best = s;
    }
  }
  return best;
}

static size_t bn_shift_fft(const double *ahat, const double *a, size_t h,
                           size_t w) {
  size_t hw = h * w, wc = w / 2 + 1, nc = h * wc;
  double *r = fftw_alloc_real(hw);
  fftw_complex *fa = fftw_alloc_complex(nc), *fb = fftw_alloc_complex(nc);
  fftw_plan pf = NULL, pb = NULL;
  size_t best = 0;
  int ok = r && fa && fb;
  if (ok) {
    if (h == 1) {
      pf = fftw_plan_dft_r2c_1d((int)w, r, fa, FFTW_ESTIMATE);
      pb = fftw_plan_dft_c2r_1d((int)w, fa, r, FFTW_ESTIMATE);
    } else {
      pf = fftw_plan_dft_r2c_2d((int)h, (int)w, r, fa, FFTW_ESTIMATE);
      pb = fftw_plan_dft_c2r_2d((int)h, (int)w, fa, r, FFTW_ESTIMATE);
    }
    ok = pf && pb;
  }
  if (ok) {
    memcpy(r, a, hw * sizeof(double));
    fftw_execute_dft_r2c(pf, r, fb);
    memcpy(r, ahat, hw * sizeof(double));
    fftw_execute_dft_r2c(pf, r, fa);
    for (size_t k = 0; k < nc; k++) {
      double xr = fa[k][0], xi = fa[k][1], yr = fb[k][0], yi = -fb[k][1];
      fa[k][0] = xr * yr - xi * yi;
      fa[k][1] = xr * yi + xi * yr;
    }
    fftw_execute_dft_c2r(pb, fa, r);
    double bv = -1;
    for (size_t s = 0; s < hw; s++)
      if (fabs(r[s]) > bv) {
        bv = fabs(r[s]);
        best = s;
      }
  }
  if (pf) fftw_destroy_plan(pf);
  if (pb) fftw_destroy_plan(pb);
  fftw_free(r);
  fftw_free(fa);
  fftw_free(fb);
  return ok ? best : bn_shift_direct(ahat, a, h, w);
}

double bn_shift_error(const double *ahat, const double *a, size_t h, size_t w,
                      size_t *shift) {
  if (shift) *shift = 0;
  size_t hw = h * w;
  if (hw == 0) return 1;
  double na = 0, nb = 0;
  for (size_t i = 0; i < hw; i++) {
    na += ahat[i] * ahat[i];
    nb += a[i] * a[i];
  }
  if (!(na > 0) || !(nb > 0)) return 1;
  /* Small arrays: the direct search is exact and as fast as planning. */
  size_t best =
      hw <= 64 ? bn_shift_direct(ahat, a, h, w) : bn_shift_fft(ahat, a, h, w);
  if (shift) *shift = best;
  double c = fabs(bn_shift_dot(ahat, a, h, w, best)) / (sqrt(na) * sqrt(nb));
  double e = 1 - c;
  return e < 0 ? 0 : e;
}

void bn_shift_apply(const double *a, size_t h, size_t w, size_t shift,
                    double *out) {
  size_t t0 = shift / w, t1 = shift % w;
  for (size_t i0 = 0; i0 < h; i0++)
    for (size_t i1 = 0; i1 < w; i1++)
      out[((i0 + t0) % h) * w + (i1 + t1) % w] = a[i0 * w + i1];
}

size_t bn_shift_canonical(double *a, size_t h, size_t w) {
  size_t hw = h * w, m = 0;
  double nrm = 0;
  for (size_t i = 0; i < hw; i++) {
    nrm += a[i] * a[i];
    if (fabs(a[i]) > fabs(a[m])) m = i;
  }
  if (!(nrm > 0)) return 0;
  double *t = bn_alloc_n(hw, sizeof(double));
  if (!t) return (size_t)-1;
  /* Move entry m = (m0, m1) to (0, 0): a shift by (-m0, -m1). */
  size_t m0 = m / w, m1 = m % w;
  size_t s = ((h - m0) % h) * w + (w - m1) % w;
  bn_shift_apply(a, h, w, s, t);
  double f = (t[0] < 0 ? -1 : 1) / sqrt(nrm);
  for (size_t i = 0; i < hw; i++) a[i] = t[i] * f;
  free(t);
  return m;
}
