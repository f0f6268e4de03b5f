/* benign generate deconv: a synthetic multichannel sparse blind
 * deconvolution instance y_i = a (*) x_i with ground truth. */
#include "benign/benign.h"
#include "benign/deconv.h"
#include "problems/deconv/deconv.h"

const bn_optdef_t bn_gen_deconv_opts[] = {
    {"output", BN_OPT_STRING, NULL, "HDF5 file to write (atomically)", NULL},
    {"n", BN_OPT_INT, "200",
     "channel length (1-D), or width of 2-D channels with --height", NULL},
    {"height", BN_OPT_INT, "1", "height of 2-D channels (1 = 1-D channels)",
     NULL},
    {"channels", BN_OPT_INT, "50", "number p of channels", NULL},
    {"kernel-size", BN_OPT_INT, "0",
     "kernel length (2-D: a k x k square); 0 = the channel size; larger "
     "than the channel (its height or width in 2-D): refused",
     NULL},
    {"kernel", BN_OPT_CHOICE, "gaussian",
     "gaussian: i.i.d. normal entries; motif: a Gaussian bump plus 0.3 times "
     "i.i.d. normal entries (unit norm either way)",
     "gaussian|motif"},
    {"theta", BN_OPT_REAL, "0.25",
     "sparsity rate: each entry of x_i is nonzero (standard normal) with "
     "this probability, in (0, 1)",
     NULL},
    {"noise", BN_OPT_REAL, "0", "standard deviation of additive noise", NULL},
    {"store-codes", BN_OPT_BOOL, "true", "write the true channels /X_true",
     NULL},
    {"seed", BN_OPT_INT, "1", "seed (same file on any number of processes)",
     NULL},
    {NULL, 0, NULL, NULL, NULL}};

bn_status_t bn_gen_deconv_run(bn_ctx_t *ctx, bn_opts_t *opts) {
  bn_deconv_gen_t g;
  int64_t ks, seed;
  BN_CALL(ctx, bn_opts_int(opts, "n", &g.w));
  BN_CALL(ctx, bn_opts_int(opts, "height", &g.h));
  BN_CALL(ctx, bn_opts_int(opts, "channels", &g.channels));
  BN_CALL(ctx, bn_opts_int(opts, "kernel-size", &ks));
  BN_CALL(ctx, bn_opts_real(opts, "theta", &g.theta));
  BN_CALL(ctx, bn_opts_real(opts, "noise", &g.noise));
  BN_CALL(ctx, bn_opts_bool(opts, "store-codes", &g.store_codes));
  BN_CALL(ctx, bn_opts_int(opts, "seed", &seed));
  g.kernel = bn_opts_string(opts, "kernel");
  g.seed = (uint64_t)seed;
  const char *out = bn_opts_string(opts, "output");
  if (!out || !*out)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--output=FILE.h5 is required");
  if (ks < 0)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--kernel-size=%lld must be >= 0",
                        (long long)ks);
  g.kw = ks ? ks : g.w;
  g.kh = ks ? (ks < g.h ? ks : g.h) : g.h;
  if (g.h > 1 && ks > g.h)
    g.kh = ks; /* refused below: larger than the signal */
  double t0 = bn_wtime();
  BN_CALL(ctx, bn_generate_deconv(ctx, &g, out));
  bn_log(ctx, BN_LOG_INFO,
         "wrote %s: %lld channels of %lld x %lld, kernel %lld x %lld (%s), "
         "theta = %g (%.2f s)\n",
         out, (long long)g.channels, (long long)g.h, (long long)g.w,
         (long long)g.kh, (long long)g.kw, g.kernel, g.theta, bn_wtime() - t0);
  return BN_OK;
}
