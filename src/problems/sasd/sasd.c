/* SaS-BD (sasd.h): the problem, its smooth part and the kernel error. */
#include "problems/sasd/sasd_state.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "linalg/shiftcorr.h"

void bn_sasd_free(bn_sasd_t *s) {
  if (!s) return;
  bn_sasd_grid_free(s->g);
  fftw_free(s->Y);
  fftw_free(s->y);
  free(s->a_true);
  free(s);
}

bn_status_t bn_sasd_setup(bn_ctx_t *ctx, int dims, bn_idx_t h, bn_idx_t w,
                          int k, bool measure, bn_sasd_t **out) {
  *out = NULL;
  const bn_idx_t K = 3 * (bn_idx_t)k - 2;
  if (k < 1 || (dims == 2 && K > h) || K > w) {
    if (dims == 1)
      return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                          "kernel size %d: its window 3k - 2 = %lld must fit "
                          "in the signal (%lld)",
                          k, (long long)K, (long long)w);
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "kernel size %d: its window 3k - 2 = %lld must fit "
                        "in the image (%lld x %lld)",
                        k, (long long)K, (long long)h, (long long)w);
  }
  if (w > INT32_MAX || (dims == 2 && h > INT32_MAX))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "a %s of %lld x %lld is too large for FFTW's int "
                        "sizes",
                        dims == 1 ? "signal" : "image", (long long)h,
                        (long long)w);
  bn_sasd_t *s = NULL;
  BN_CALL(ctx, bn_agree(ctx, bn_calloc(ctx, 1, sizeof(*s), &s)));
  s->ctx = ctx;
  s->k = k;
  s->K = (int)K;
  s->kh = dims == 2 ? (int)K : 1;
  s->kw = (int)K;
  bn_status_t st = bn_sasd_grid_create(ctx, dims, h, w, measure, &s->g);
  if (st != BN_OK) {
    free(s);
    return st;
  }
  bn_sasd_grid_t *g = s->g;
  s->y = (double *)bn_sasd_alloc(g);
  s->Y = bn_sasd_alloc(g);
  st = bn_agree(ctx, s->y && s->Y ? BN_OK
                                  : BN_ERROR(ctx, BN_ERR_MEM,
                                             "out of memory for the signal"));
  if (st != BN_OK) {
    bn_sasd_free(s);
    return st;
  }
  *out = s;
  return BN_OK;
}

bn_status_t bn_sasd_ready(bn_sasd_t *s) {
  bn_sasd_grid_t *g = s->g;
  bn_ctx_t *ctx = s->ctx;
  double v[2] = {0, 0}; /* ||y||^2, non-finite count */
  for (bn_idx_t i = 0; i < g->n0; i++)
    for (bn_idx_t j = 0; j < g->w; j++) {
      double t = s->y[(size_t)i * g->ws + (size_t)j];
      if (isfinite(t))
        v[0] += t * t;
      else
        v[1] += 1;
    }
  BN_CALL(ctx, bn_sasd_sum(g, v, 2));
  if (v[1] > 0)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "the signal has %.0f non-finite values (NaN or Inf)",
                        v[1]);
  if (v[0] == 0)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "the signal is zero everywhere: nothing to "
                        "deconvolve");
  s->ynorm2 = v[0];
  bn_sasd_real_spec(g, s->y, s->Y);
  return BN_OK;
}

bn_status_t bn_sasd_psi(bn_sasd_t *s, const fftw_complex *A,
                        const fftw_complex *X, double *f, double *gx,
                        double *ga) {
  bn_sasd_grid_t *g = s->g;
  const size_t nl = g->ns;
  const double inv = 1.0 / ((double)g->h * (double)g->w);
  const fftw_complex *Y = s->Y;
  double sum = 0;
  for (size_t q = 0; q < nl; q++) {
    double rr = A[q][0] * X[q][0] - A[q][1] * X[q][1] - Y[q][0];
    double ri = A[q][0] * X[q][1] + A[q][1] * X[q][0] - Y[q][1];
    sum += bn_sasd_wq(g, q) * (rr * rr + ri * ri);
  }
  BN_CALL(s->ctx, bn_sasd_sum(g, &sum, 1));
  *f = 0.5 * sum * inv;
  for (int pass = 0; pass < 2; pass++) {
    double *out = pass == 0 ? gx : ga;
    const fftw_complex *B = pass == 0 ? A : X;
    if (!out) continue;
    fftw_complex *T = g->work;
    memset(T, 0, g->alloc * sizeof(fftw_complex));
    for (size_t q = 0; q < nl; q++) {
      double rr = A[q][0] * X[q][0] - A[q][1] * X[q][1] - Y[q][0];
      double ri = A[q][0] * X[q][1] + A[q][1] * X[q][0] - Y[q][1];
      T[q][0] = (B[q][0] * rr + B[q][1] * ri) * inv;
      T[q][1] = (B[q][0] * ri - B[q][1] * rr) * inv;
    }
    bn_sasd_fft_bwd(g, T);
    if (pass == 0) {
      memcpy(gx, T, g->alloc * sizeof(fftw_complex));
      for (bn_idx_t i = 0; i < g->n0; i++) /* padding stays zero */
        for (size_t j = (size_t)g->w; j < g->ws; j++)
          gx[(size_t)i * g->ws + j] = 0;
    } else {
      BN_CALL(s->ctx, bn_sasd_window(g, T, s->kh, s->kw, 1.0, ga));
    }
  }
  return BN_OK;
}

double bn_sasd_kernel_error(const bn_sasd_t *s, const double *a) {
  if (!s->a_true) return NAN;
  const int k = s->k, kh = s->kh, kw = s->kw, hk = kh > 1 ? k : 1;
  double *p = calloc(bn_size_mul((size_t)kh, kw), sizeof(double));
  double *q = calloc(bn_size_mul((size_t)kh, kw), sizeof(double));
  double e = NAN;
  if (p && q) {
    for (int i = 0; i < hk; i++)
      for (int j = 0; j < k; j++) {
        p[i * kw + j] = a[i * k + j];
        q[i * kw + j] = s->a_true[i * k + j];
      }
    e = bn_shift_error(p, q, (size_t)kh, (size_t)kw, NULL);
  }
  free(p);
  free(q);
  return e;
}

void bn_sasd_result_free(bn_sasd_result_t *r) {
  if (!r) return;
  free(r->a_win);
  free(r->a);
  fftw_free(r->x);
  bn_sasd_hist_t *h = &r->hist;
  free(h->obj);
  free(h->lambda);
  free(h->change);
  free(h->resid);
  free(h->err);
  free(h->secs);
  memset(r, 0, sizeof(*r));
}

void bn_sasd_shape(const bn_sasd_t *s, int *dims, int64_t *h, int64_t *w,
                   int *k, int *window) {
  *dims = s->g->dims;
  *h = s->g->h;
  *w = s->g->w;
  *k = s->k;
  *window = s->K;
}

bn_status_t bn_sasd_fft_bench(bn_sasd_t *s, int64_t n, double *secs) {
  bn_sasd_grid_t *g = s->g;
  bn_ctx_t *ctx = s->ctx;
  fftw_complex *b = bn_sasd_alloc(g);
  BN_CALL(ctx, bn_agree(ctx, b ? BN_OK
                               : BN_ERROR(ctx, BN_ERR_MEM, "out of memory")));
  memcpy(b, s->y, g->alloc * sizeof(fftw_complex));
  MPI_Barrier(bn_ctx_comm(ctx));
  double t = bn_wtime();
  for (int64_t i = 0; i < n; i++) {
    bn_sasd_fft_fwd(g, b);
    bn_sasd_fft_bwd(g, b);
  }
  MPI_Barrier(bn_ctx_comm(ctx));
  *secs = n > 0 ? (bn_wtime() - t) / (double)n : 0;
  fftw_free(b);
  return BN_OK;
}
