/* benign generate phase: a synthetic phase retrieval instance with ground
 * truth. */
#include <math.h>
#include <string.h>

#include "benign/benign.h"
#include "problems/phase/phase.h"

const bn_optdef_t bn_gen_phase_opts[] = {
    {"output", BN_OPT_STRING, NULL, "HDF5 file to write (atomically)", NULL},
    {"n", BN_OPT_INT, "100", "length n of the signal x", NULL},
    {"measurements", BN_OPT_INT, "0",
     "number m of measurements; 0 = ceil(oversampling n)", NULL},
    {"oversampling", BN_OPT_REAL, "6",
     "m / n when --measurements is 0 (complex recovery needs about 4 or "
     "more, real about 2 or more)",
     NULL},
    {"field", BN_OPT_CHOICE, "complex",
     "complex: x, A complex Gaussian (CN(0, 1) entries); real: N(0, 1)",
     "complex|real"},
    {"model", BN_OPT_CHOICE, "gaussian",
     "gaussian: A stored in /A (m x n x 2, or m x n real: 16 m n bytes "
     "complex); implicit: rows regenerated from the seed by the solver, "
     "never stored; cdp: coded diffraction patterns |F(d_l .* x)| of an "
     "h x w image (--height, --width, --patterns; /y is L x h x w)",
     "gaussian|implicit|cdp"},
    {"data", BN_OPT_CHOICE, "intensity",
     "what /y holds: intensity |Ax|^2 or amplitude |Ax|",
     "intensity|amplitude"},
    {"height", BN_OPT_INT, "64", "cdp: image height h (n = h w)", NULL},
    {"width", BN_OPT_INT, "64", "cdp: image width w", NULL},
    {"patterns", BN_OPT_INT, "6",
     "cdp: number L of coded diffraction patterns (m = L h w)", NULL},
    {"image", BN_OPT_CHOICE, "random",
     "cdp: x_true random (CN(0, 1/n) pixels) or smooth", "random|smooth"},
    {"noise", BN_OPT_REAL, "0",
     "standard deviation of Gaussian noise added to y (clipped at 0)", NULL},
    {"seed", BN_OPT_INT, "1", "seed (same file on any number of processes)",
     NULL},
    {NULL, 0, NULL, NULL, NULL}};

static bn_status_t bn_gen_phase_cdp(bn_ctx_t *ctx, bn_opts_t *opts) {
  bn_phase_cdp_gen_t g;
  int64_t seed;
  BN_CALL(ctx, bn_opts_int(opts, "height", &g.height));
  BN_CALL(ctx, bn_opts_int(opts, "width", &g.width));
  BN_CALL(ctx, bn_opts_int(opts, "patterns", &g.patterns));
  BN_CALL(ctx, bn_opts_real(opts, "noise", &g.noise));
  BN_CALL(ctx, bn_opts_int(opts, "seed", &seed));
  g.image = bn_opts_string(opts, "image");
  g.data = bn_opts_string(opts, "data");
  g.seed = (uint64_t)seed;
  const char *out = bn_opts_string(opts, "output");
  double t0 = bn_wtime();
  BN_CALL(ctx, bn_generate_phase_cdp(ctx, &g, out));
  bn_log(ctx, BN_LOG_INFO,
         "wrote %s: %lld x %lld %s image, %lld coded diffraction patterns "
         "(%s, m/n = %lld, %.2f s)\n",
         out, (long long)g.height, (long long)g.width, g.image,
         (long long)g.patterns, g.data, (long long)g.patterns, bn_wtime() - t0);
  return BN_OK;
}

bn_status_t bn_gen_phase_run(bn_ctx_t *ctx, bn_opts_t *opts) {
  bn_phase_gen_t g;
  int64_t seed;
  double over;
  BN_CALL(ctx, bn_opts_int(opts, "n", &g.n));
  BN_CALL(ctx, bn_opts_int(opts, "measurements", &g.measurements));
  BN_CALL(ctx, bn_opts_real(opts, "oversampling", &over));
  BN_CALL(ctx, bn_opts_real(opts, "noise", &g.noise));
  BN_CALL(ctx, bn_opts_int(opts, "seed", &seed));
  g.field = bn_opts_string(opts, "field");
  g.model = bn_opts_string(opts, "model");
  g.data = bn_opts_string(opts, "data");
  g.seed = (uint64_t)seed;
  const char *out = bn_opts_string(opts, "output");
  if (!out || !*out)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--output=FILE.h5 is required");
  if (g.model && !strcmp(g.model, "cdp")) return bn_gen_phase_cdp(ctx, opts);
  if (g.measurements < 0)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--measurements must be positive");
  if (g.measurements == 0) {
    if (!(over > 0) || !(over * (double)g.n < 9e18))
      return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                          "--oversampling must be positive (and m finite)");
    g.measurements = (bn_idx_t)ceil(over * (double)g.n);
  }
  double t0 = bn_wtime();
  BN_CALL(ctx, bn_generate_phase(ctx, &g, out));
  bn_log(ctx, BN_LOG_INFO,
         "wrote %s: n = %lld, %lld %s %s measurements (%s, m/n = %.3g, "
         "%.2f s)\n",
         out, (long long)g.n, (long long)g.measurements, g.field, g.data,
         g.model, (double)g.measurements / (double)g.n, bn_wtime() - t0);
  return BN_OK;
}
