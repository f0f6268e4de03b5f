/* benign generate complete: a synthetic completion instance with ground
 * truth. */
#include <stdlib.h>

#include "benign/benign.h"
#include "problems/lowrank/complete_state.h"

const bn_optdef_t bn_gen_complete_opts[] = {
    {"output", BN_OPT_STRING, NULL, "HDF5 file to write (atomically)", NULL},
    {"rows", BN_OPT_INT, "2000", "rows n1 of M", NULL},
    {"cols", BN_OPT_INT, "1500", "columns n2 of M", NULL},
    {"rank", BN_OPT_INT, "5", "rank r of M = X Y^T", NULL},
    {"sample-rate", BN_OPT_REAL, "0.1",
     "probability that an entry is observed, in (0, 1]", NULL},
    {"test-fraction", BN_OPT_REAL, "0",
     "fraction of observed entries held out in /test, in [0, 1)", NULL},
    {"noise", BN_OPT_REAL, "0", "standard deviation of Gaussian noise", NULL},
    {"condition", BN_OPT_REAL, "1",
     "condition number of M (column scales of X, Y spread geometrically)",
     NULL},
    {"seed", BN_OPT_INT, "1", "seed (same file on any number of processes)",
     NULL},
    {"bias-scale", BN_OPT_REAL, "0",
     "ratings-like: add mu + b_i + c_j with row and column biases b, c "
     "~ N(0, s^2) and mu the middle of --value-range (0 = none)",
     NULL},
    {"implicit", BN_OPT_BOOL, "false",
     "implicit feedback: a sampled entry is an interaction only where the "
     "true score X Y^T (+ noise; about N(0, 1)) is at least 1, its value a "
     "count min(floor(score), 5); for complete --loss=implicit",
     NULL},
    {"value-range", BN_OPT_STRING, "",
     "LO,HI: clip every value to [LO, HI] as ratings are (e.g. 1,5); empty "
     "= no clipping",
     NULL},
    {NULL, 0, NULL, NULL, NULL}};

bn_status_t bn_gen_complete_run(bn_ctx_t *ctx, bn_opts_t *opts) {
  bn_complete_gen_t g;
  const char *out = NULL;
  BN_CALL(ctx, bn_lr_gen_common(ctx, opts, &g.rows, &g.cols, &g.rank, &g.seed,
                                &out));
  BN_CALL(ctx, bn_opts_real(opts, "sample-rate", &g.sample_rate));
  BN_CALL(ctx, bn_opts_real(opts, "test-fraction", &g.test_fraction));
  BN_CALL(ctx, bn_opts_real(opts, "noise", &g.noise));
  BN_CALL(ctx, bn_opts_real(opts, "condition", &g.condition));
  BN_CALL(ctx, bn_opts_real(opts, "bias-scale", &g.bias_scale));
  BN_CALL(ctx, bn_opts_bool(opts, "implicit", &g.implicit));
  g.lo = g.hi = 0.0;
  const char *vr = bn_opts_string(opts, "value-range");
  if (vr && *vr) {
    char *end = NULL;
    g.lo = strtod(vr, &end);
    if (end == vr || *end != ',' || (g.hi = strtod(end + 1, &end), *end) ||
        !(g.lo < g.hi))
      return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                          "--value-range=%s: expected LO,HI with LO < HI "
                          "(e.g. 1,5)",
                          vr);
  }
  bn_gen_stats_t st;
  double t0 = bn_wtime();
  BN_CALL(ctx, bn_generate_complete(ctx, &g, out, &st));
  bn_log(ctx, BN_LOG_INFO,
         "wrote %s: %lld x %lld, rank %d, %lld observed entries, %lld test "
         "entries (%.2f s)\n",
         out, (long long)g.rows, (long long)g.cols, g.rank, (long long)st.train,
         (long long)st.test, bn_wtime() - t0);
  return BN_OK;
}
