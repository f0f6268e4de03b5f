/* benign generate sasd: one signal (1-D) or image (2-D) y = a0 (*) x0
 * (+ noise) with a short random kernel a0 and a Bernoulli-Gaussian x0,
 * for short-and-sparse blind deconvolution (benign sasd). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "benign/sasd.h"
#include "cli.h"

const bn_optdef_t bn_gen_sasd_opts[] = {
    {"output", BN_OPT_STRING, NULL, "HDF5 file to write (atomically)", NULL},
    {"length", BN_OPT_INT, "10000", "1-D: signal length n", NULL},
    {"height", BN_OPT_INT, "0", "2-D: image height (0 = a 1-D signal)", NULL},
    {"width", BN_OPT_INT, "0", "2-D: image width (with --height)", NULL},
    {"kernel-size", BN_OPT_INT, "32", "kernel size k (k x k in 2-D)", NULL},
    {"theta", BN_OPT_REAL, "0",
     "sparsity rate of x0 in (0, 1); 0 = k^(-3/4) (1-D) or (k^2)^(-3/4) (2-D)",
     NULL},
    {"kernel", BN_OPT_CHOICE, "gaussian",
     "gaussian (i.i.d. normal entries) or smooth (three Gaussian bumps); unit "
     "norm",
     "gaussian|smooth"},
    {"noise", BN_OPT_REAL, "0", "standard deviation of additive noise", NULL},
    {"seed", BN_OPT_INT, "1", "seed (same file on any number of processes)",
     NULL},
    {NULL, 0, NULL, NULL, NULL}};

bn_status_t bn_gen_sasd_run(bn_ctx_t *ctx, bn_opts_t *opts) {
  bn_sasd_gen_t g = {0};
  int64_t n, h, w, k, seed;
  BN_CALL(ctx, bn_opts_int(opts, "length", &n));
  BN_CALL(ctx, bn_opts_int(opts, "height", &h));
  BN_CALL(ctx, bn_opts_int(opts, "width", &w));
  BN_CALL(ctx, bn_opts_int(opts, "kernel-size", &k));
  BN_CALL(ctx, bn_opts_real(opts, "theta", &g.theta));
  BN_CALL(ctx, bn_opts_real(opts, "noise", &g.noise));
  BN_CALL(ctx, bn_opts_int(opts, "seed", &seed));
  g.kernel = bn_opts_string(opts, "kernel");
  const char *out = bn_opts_string(opts, "output");
  if (!out || !*out)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--output=FILE.h5 is required");
  g.dims = h > 0 ? 2 : 1;
  if (g.dims == 2 && (w < 1 || h > (1 << 20) || w > (1 << 20)))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--height=%lld --width=%lld: both in [1, 2^20]",
                        (long long)h, (long long)w);
  if (g.dims == 1 && (n < 1 || n > INT32_MAX))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--length=%lld must be in [1, 2^31 - 1] (FFTW's int "
                        "sizes)",
                        (long long)n);
  if (k < 1 || k > 4096)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--kernel-size=%lld must be in "
                        "[1, 4096]",
                        (long long)k);
  g.h = g.dims == 2 ? h : 1;
  g.w = g.dims == 2 ? w : n;
  g.k = (int)k;
  g.seed = (uint64_t)seed;
  if (g.theta == 0)
    g.theta = pow((double)k * (g.dims == 2 ? (double)k : 1.0), -0.75);
  double t0 = bn_wtime();
  BN_CALL(ctx, bn_sasd_generate(ctx, &g, out));
  char shape[64], ks[32];
  if (g.dims == 2) {
    snprintf(shape, sizeof shape, "image %lld x %lld", (long long)g.h,
             (long long)g.w);
    snprintf(ks, sizeof ks, "%d x %d", g.k, g.k);
  } else {
    snprintf(shape, sizeof shape, "signal of length %lld", (long long)g.w);
    snprintf(ks, sizeof ks, "%d", g.k);
  }
  bn_log(ctx, BN_LOG_INFO,
         "wrote %s: %s, %s kernel %s, theta = %g, noise = %g (%.2f s)\n", out,
         shape, g.kernel, ks, g.theta, g.noise, bn_wtime() - t0);
  return BN_OK;
}
