/* benign generate deconv: a synthetic multichannel sparse blind
 * deconvolution instance (benign/deconv.h). Every value is keyed by its
 * global index in the counter-based generator, so the file is the same on
 * any number of processes; each process convolves its own channels. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problems/deconv/deconv.h"

static bn_status_t bn_dc_gen_check(bn_ctx_t *ctx, const bn_deconv_gen_t *g) {
  if (g->h < 1 || g->w < 2 || g->channels < 1 || g->w > (1 << 26) / g->h)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "channels of %lld x %lld, %lld of them: need at least "
                        "one channel of at least 2 values (at most 2^26)",
                        (long long)g->h, (long long)g->w,
                        (long long)g->channels);
  if (g->kh < 1 || g->kw < 1 || g->kh > g->h || g->kw > g->w)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "a kernel of %lld x %lld does not fit in channels of "
                        "%lld x %lld (the kernel size must not exceed the "
                        "signal's)",
                        (long long)g->kh, (long long)g->kw, (long long)g->h,
                        (long long)g->w);
  if (!(g->theta > 0 && g->theta < 1))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--theta=%g: the sparsity rate must be in (0, 1)",
                        g->theta);
  if (!(g->noise >= 0) || !isfinite(g->noise))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--noise=%g: must be >= 0", g->noise);
  if (strcmp(g->kernel, "gaussian") && strcmp(g->kernel, "motif"))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--kernel=%s: gaussian or motif",
                        g->kernel);
  return BN_OK;
}

/* The kernel (kh x kw, unit norm). */
static void bn_dc_gen_kernel(const bn_deconv_gen_t *g, double *k) {
  const int64_t kn = g->kh * g->kw;
  const bool motif = !strcmp(g->kernel, "motif");
  double s = 0, sg0 = (double)g->kh / 6.0, sg1 = (double)g->kw / 6.0;
  for (int64_t i = 0; i < kn; i++) {
    double v = bn_rng_normal(g->seed, BN_DC_STREAM_A, (uint64_t)i, 0);
    if (motif) {
      double u0 = (double)(i / g->kw) - 0.5 * (double)(g->kh - 1);
      double u1 = (double)(i % g->kw) - 0.5 * (double)(g->kw - 1);
      double e = (g->kh > 1 ? u0 * u0 / (2 * sg0 * sg0) : 0) +
                 u1 * u1 / (2 * sg1 * sg1);
      v = exp(-e) + 0.3 * v;
    }
    k[i] = v;
    s += v * v;
  }
  for (int64_t i = 0; i < kn; i++) k[i] /= sqrt(s);
}

bn_status_t bn_generate_deconv(bn_ctx_t *ctx, const bn_deconv_gen_t *g,
                               const char *path) {
  BN_CALL(ctx, bn_dc_gen_check(ctx, g));
  const int64_t N = g->h * g->w, nc = g->h * (g->w / 2 + 1);
  const int P = bn_ctx_size(ctx), r = bn_ctx_rank(ctx);
  const int64_t c0 = bn_uniform_offset(g->channels, P, r);
  const int64_t pl = bn_uniform_offset(g->channels, P, r + 1) - c0;
  double *k = NULL, *y = NULL, *x = NULL, *rb = NULL;
  fftw_complex *ah = NULL, *cb = NULL;
  fftw_plan fwd = NULL, bwd = NULL;
  bn_h5_t *f = NULL;
  bn_status_t st = BN_OK;
  k = calloc((size_t)N, sizeof(double));
  y = bn_alloc_n(bn_size_add(bn_size_mul(pl, N), 1), sizeof(double));
  x = bn_alloc_n(bn_size_add(bn_size_mul(pl, N), 1), sizeof(double));
  rb = fftw_alloc_real((size_t)N);
  ah = fftw_alloc_complex((size_t)nc);
  cb = fftw_alloc_complex((size_t)nc);
  st = bn_agree(ctx, k && y && x && rb && ah && cb
                         ? BN_OK
                         : BN_ERROR(ctx, BN_ERR_MEM, "out of memory"));
  if (st != BN_OK) goto cleanup;
  if (g->h == 1) {
    fwd = fftw_plan_dft_r2c_1d((int)g->w, rb, cb, FFTW_ESTIMATE);
    bwd = fftw_plan_dft_c2r_1d((int)g->w, cb, rb, FFTW_ESTIMATE);
  } else {
    fwd = fftw_plan_dft_r2c_2d((int)g->h, (int)g->w, rb, cb, FFTW_ESTIMATE);
    bwd = fftw_plan_dft_c2r_2d((int)g->h, (int)g->w, cb, rb, FFTW_ESTIMATE);
  }
  /* The kernel, compact (k) and zero-padded into h x w (rb). */
  bn_dc_gen_kernel(g, k);
  memset(rb, 0, (size_t)N * sizeof(double));
  for (int64_t i = 0; i < g->kh; i++)
    memcpy(rb + i * g->w, k + i * g->kw, (size_t)g->kw * sizeof(double));
  fftw_execute(fwd);
  memcpy(ah, cb, (size_t)nc * sizeof(fftw_complex));
  for (int64_t i = 0; i < pl; i++) {
    double *xi = x + i * N, *yi = y + i * N;
    for (int64_t j = 0; j < N; j++) {
      uint64_t idx = (uint64_t)((c0 + i) * N + j);
      double u = bn_rng_uniform(g->seed, BN_DC_STREAM_S, idx, 0);
      xi[j] =
          u < g->theta ? bn_rng_normal(g->seed, BN_DC_STREAM_X, idx, 0) : 0.0;
    }
    memcpy(rb, xi, (size_t)N * sizeof(double));
    fftw_execute(fwd);
    for (int64_t q = 0; q < nc; q++) {
      double re = cb[q][0] * ah[q][0] - cb[q][1] * ah[q][1];
      double im = cb[q][0] * ah[q][1] + cb[q][1] * ah[q][0];
      cb[q][0] = re / (double)N;
      cb[q][1] = im / (double)N;
    }
    fftw_execute(bwd);
    for (int64_t j = 0; j < N; j++) {
      uint64_t idx = (uint64_t)((c0 + i) * N + j);
      yi[j] = rb[j] + (g->noise > 0
                           ? g->noise * bn_rng_normal(
                                            g->seed, BN_DC_STREAM_NOISE, idx, 0)
                           : 0.0);
    }
  }
  {
    const bool two = g->h > 1;
    int64_t yd[3] = {g->channels, g->h, g->w}, yd1[2] = {g->channels, g->w};
    int64_t kd[2] = {g->kh, g->kw};
    const int64_t *ydims = two ? yd : yd1, *kdims = two ? kd : kd + 1;
    const int yn = two ? 3 : 2, kn = two ? 2 : 1;
    double bytes =
        8.0 * (double)g->channels * (double)N * (g->store_codes ? 2.0 : 1.0) +
        8.0 * (double)(g->kh * g->kw);
    BN_TRY(ctx, st, bn_h5_create(ctx, path, bytes, &f));
    BN_TRY(ctx, st, bn_h5_write_rows(f, "/Y", yn, ydims, c0, pl, y));
    BN_TRY(ctx, st, bn_h5_attr_set_f64(f, "/Y", "theta", g->theta));
    BN_TRY(ctx, st, bn_h5_attr_set_f64(f, "/Y", "noise", g->noise));
    BN_TRY(
        ctx, st,
        bn_h5_write_rows(f, "/a_true", kn, kdims, 0, r == 0 ? kdims[0] : 0, k));
    if (g->store_codes)
      BN_TRY(ctx, st, bn_h5_write_rows(f, "/X_true", yn, ydims, c0, pl, x));
    BN_TRY(ctx, st, bn_h5_attr_set_str(f, "/", "generator", "deconv"));
    BN_TRY(ctx, st, bn_h5_attr_set_str(f, "/", "kernel", g->kernel));
    BN_TRY(ctx, st, bn_h5_attr_set_i64(f, "/", "seed", (int64_t)g->seed));
    BN_TRY(ctx, st, bn_h5_commit(f));
  }
cleanup:
  bn_h5_close(f);
  if (fwd) fftw_destroy_plan(fwd);
  if (bwd) fftw_destroy_plan(bwd);
  free(k);
  free(y);
  free(x);
  fftw_free(rb);
  fftw_free(ah);
  fftw_free(cb);
  return st;
}
