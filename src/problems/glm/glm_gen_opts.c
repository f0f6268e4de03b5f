/* benign generate glm: a synthetic generalized linear model instance with
 * ground truth. */
#include "benign/benign.h"
#include "problems/glm/glm.h"

const bn_optdef_t bn_gen_glm_opts[] = {
    {"output", BN_OPT_STRING, NULL, "HDF5 file to write (atomically)", NULL},
    {"samples", BN_OPT_INT, "20000", "number n of samples (rows of /X)", NULL},
    {"dim", BN_OPT_INT, "50", "dimension d of x and w", NULL},
    {"link", BN_OPT_CHOICE, "sigmoid",
     "the link sigma of y = sigma(w*^T x) + noise",
     "sigmoid|tanh|softplus|linear"},
    {"norm", BN_OPT_REAL, "2", "|w*| (the direction is Gaussian)", NULL},
    {"noise", BN_OPT_REAL, "0", "standard deviation of Gaussian noise on y",
     NULL},
    {"seed", BN_OPT_INT, "1", "seed (same file on any number of processes)",
     NULL},
    {NULL, 0, NULL, NULL, NULL}};

bn_status_t bn_gen_glm_run(bn_ctx_t *ctx, bn_opts_t *opts) {
  bn_glm_gen_t g;
  int64_t seed;
  BN_CALL(ctx, bn_opts_int(opts, "samples", &g.samples));
  BN_CALL(ctx, bn_opts_int(opts, "dim", &g.dim));
  BN_CALL(ctx, bn_opts_real(opts, "norm", &g.norm));
  BN_CALL(ctx, bn_opts_real(opts, "noise", &g.noise));
  BN_CALL(ctx, bn_opts_int(opts, "seed", &seed));
  g.link = bn_opts_string(opts, "link");
  g.seed = (uint64_t)seed;
  const char *out = bn_opts_string(opts, "output");
  if (!out || !*out)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--output=FILE.h5 is required");
  double t0 = bn_wtime();
  BN_CALL(ctx, bn_generate_glm(ctx, &g, out));
  bn_log(ctx, BN_LOG_INFO,
         "wrote %s: %lld samples of dimension %lld, %s link, |w*| = %g, noise "
         "%g (%.2f s)\n",
         out, (long long)g.samples, (long long)g.dim, g.link, g.norm, g.noise,
         bn_wtime() - t0);
  return BN_OK;
}
