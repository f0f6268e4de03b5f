/* SaS-BD generator (sasd.h): y = a0 (*) x0 (+ noise), circular.
 *
 * x0 is Bernoulli-Gaussian keyed by the global index, so any process can
 * draw any entry: each process draws the k - 1 rows above its slab too
 * (a halo, wrapping at the top) and convolves directly, entry by entry;
 * no FFT, so the file is bit-identical at any process count. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problems/sasd/sasd_io.h"
#include "problems/sasd/sasd_state.h"

static double bn_sasd_x0(const bn_sasd_gen_t *p, bn_idx_t i, bn_idx_t j) {
  uint64_t idx = (uint64_t)(i * p->w + j);
  if (bn_rng_uniform(p->seed, BN_SASD_STREAM_SUPPORT, idx, 0) >= p->theta)
    return 0.0;
  return bn_rng_normal(p->seed, BN_SASD_STREAM_VALUE, idx, 0);
}

void bn_sasd_gen_kernel(const bn_sasd_gen_t *p, double *a) {
  const int k = p->k, hk = p->dims == 2 ? k : 1;
  const size_t n = (size_t)hk * (size_t)k;
  if (!strcmp(p->kernel, "smooth")) {
    /* three Gaussian bumps of random place, width and signed height */
    memset(a, 0, n * sizeof(double));
    for (uint64_t b = 0; b < 3; b++) {
      double u[4];
      for (uint32_t d = 0; d < 4; d++)
        u[d] = bn_rng_uniform(p->seed, BN_SASD_STREAM_KERNEL, 1000 + b, d);
      double c0 = hk > 1 ? (0.2 + 0.6 * u[0]) * (k - 1) : 0;
      double c1 = (0.2 + 0.6 * u[1]) * (k - 1);
      double sg = (0.06 + 0.1 * u[2]) * k;
      double amp = bn_rng_normal(p->seed, BN_SASD_STREAM_KERNEL, 2000 + b, 0);
      for (int i = 0; i < hk; i++)
        for (int j = 0; j < k; j++) {
          double r2 = (i - c0) * (i - c0) + (j - c1) * (j - c1);
          a[i * k + j] += amp * exp(-r2 / (2 * sg * sg));
        }
    }
  } else {
    bn_rng_fill_normal(p->seed, BN_SASD_STREAM_KERNEL, 0, n, a);
  }
  double s = 0;
  for (size_t i = 0; i < n; i++) s += a[i] * a[i];
  s = s > 0 ? 1.0 / sqrt(s) : 0;
  for (size_t i = 0; i < n; i++) a[i] *= s;
}

bn_status_t bn_sasd_generate(bn_ctx_t *ctx, const bn_sasd_gen_t *p,
                             const char *path) {
  const int k = p->k, hk = p->dims == 2 ? k : 1;
  const bn_idx_t h = p->dims == 2 ? p->h : 1, w = p->w;
  if (k < 1 || k > w || (p->dims == 2 && k > h))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--kernel-size=%d must be in [1, %lld] (the signal)", k,
                        (long long)(p->dims == 2 && h < w ? h : w));
  if (!(p->theta > 0 && p->theta < 1))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--theta=%g must be in (0, 1)",
                        p->theta);
  if (!(p->noise >= 0))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--noise=%g must be >= 0", p->noise);
  /* rows: a uniform split in 2-D, all on every process in 1-D */
  int rank = bn_ctx_rank(ctx), np = bn_ctx_size(ctx);
  bn_idx_t r0 = p->dims == 2 ? bn_uniform_offset(h, np, rank) : 0;
  bn_idx_t n0 = p->dims == 2 ? bn_uniform_offset(h, np, rank + 1) - r0 : 1;
  const size_t nk = (size_t)hk * (size_t)k, nl = (size_t)n0 * (size_t)w;
  const size_t nh = (size_t)(n0 + hk - 1) * (size_t)w;
  double *a = bn_alloc_n(nk, sizeof(double)),
         *y = calloc(nl + 1, sizeof(double));
  double *x = bn_alloc_n(nh + 1, sizeof(double));
  bn_status_t st = bn_agree(
      ctx, a && y && x ? BN_OK
                       : BN_ERROR(ctx, BN_ERR_MEM,
                                  "out of memory for a %lld x %lld instance",
                                  (long long)h, (long long)w));
  if (st == BN_OK) {
    bn_sasd_gen_kernel(p, a);
    /* halo row t holds global row (r0 - hk + 1 + t) mod h */
    for (bn_idx_t t = 0; t < n0 + hk - 1; t++) {
      bn_idx_t gi = ((r0 - hk + 1 + t) % h + h) % h;
      for (bn_idx_t j = 0; j < w; j++)
        x[(size_t)t * w + j] = bn_sasd_x0(p, gi, j);
    }
    /* y(i, j) = sum_(p,q) a(p, q) x0(i - p, j - q) */
    for (bn_idx_t t = 0; t < n0 + hk - 1; t++)
      for (bn_idx_t j = 0; j < w; j++) {
        double v = x[(size_t)t * w + j];
        if (v == 0) continue;
        for (int pi = 0; pi < hk; pi++) {
          bn_idx_t li = t + pi - (hk - 1);
          if (li < 0 || li >= n0) continue;
          double *yr = y + (size_t)li * w;
          for (int q = 0; q < k; q++) yr[(j + q) % w] += a[pi * k + q] * v;
        }
      }
    if (p->noise > 0)
      for (bn_idx_t i = 0; i < n0; i++)
        for (bn_idx_t j = 0; j < w; j++)
          y[(size_t)i * w + j] +=
              p->noise * bn_rng_normal(p->seed, BN_SASD_STREAM_NOISE,
                                       (uint64_t)((r0 + i) * w + j), 0);
    st = bn_sasd_write_instance(ctx, p, path, r0, n0, y,
                                x + (size_t)(hk - 1) * w, a);
  }
  free(a);
  free(y);
  free(x);
  return st;
}
