/* benign generate factor: a fully observed low-rank matrix with ground
 * truth. */
#include <string.h>

#include "benign/benign.h"
#include "problems/lowrank/factor.h"

const bn_optdef_t bn_gen_factor_opts[] = {
    {"output", BN_OPT_STRING, NULL, "HDF5 file to write (atomically)", NULL},
    {"rows", BN_OPT_INT, "1000", "rows n1 of Y", NULL},
    {"cols", BN_OPT_INT, "800", "columns n2 of Y (= rows in sym mode)", NULL},
    {"rank", BN_OPT_INT, "5", "rank r of Y = X X^T or X Z^T", NULL},
    {"mode", BN_OPT_CHOICE, "general",
     "sym: Y = X X^T (symmetric PSD, --cols defaults to --rows); general: "
     "Y = X Z^T",
     "sym|general"},
    {"noise", BN_OPT_REAL, "0",
     "standard deviation of Gaussian noise (symmetric in sym mode)", NULL},
    {"condition", BN_OPT_REAL, "1",
     "condition number of Y (column scales of X, Z spread geometrically)",
     NULL},
    {"seed", BN_OPT_INT, "1", "seed (same file on any number of processes)",
     NULL},
    {NULL, 0, NULL, NULL, NULL}};

bn_status_t bn_gen_factor_run(bn_ctx_t *ctx, bn_opts_t *opts) {
  bn_factor_gen_t g;
  const char *out = NULL;
  BN_CALL(ctx, bn_lr_gen_common(ctx, opts, &g.rows, &g.cols, &g.rank, &g.seed,
                                &out));
  BN_CALL(ctx, bn_opts_real(opts, "noise", &g.noise));
  BN_CALL(ctx, bn_opts_real(opts, "condition", &g.condition));
  g.sym = !strcmp(bn_opts_string(opts, "mode"), "sym");
  if (g.sym && bn_opts_source(opts, "cols") == BN_SRC_DEFAULT) g.cols = g.rows;
  double t0 = bn_wtime();
  BN_CALL(ctx, bn_generate_factor(ctx, &g, out));
  bn_log(ctx, BN_LOG_INFO, "wrote %s: %s %lld x %lld, rank %d (%.2f s)\n", out,
         g.sym ? "symmetric" : "general", (long long)g.rows, (long long)g.cols,
         g.rank, bn_wtime() - t0);
  return BN_OK;
}
