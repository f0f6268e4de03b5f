/* benign generate sense: a synthetic matrix sensing instance with ground
 * truth. */
#include "benign/benign.h"
#include "problems/lowrank/sense.h"

const bn_optdef_t bn_gen_sense_opts[] = {
    {"output", BN_OPT_STRING, NULL, "HDF5 file to write (atomically)", NULL},
    {"rows", BN_OPT_INT, "40", "rows n1 of M", NULL},
    {"cols", BN_OPT_INT, "40", "columns n2 of M", NULL},
    {"rank", BN_OPT_INT, "3", "rank r of M = X Y^T", NULL},
    {"measurements", BN_OPT_INT, "0",
     "number m of measurements y_i = <A_i, M>; 0 = 6 r (rows + cols)", NULL},
    {"operator", BN_OPT_CHOICE, "gaussian",
     "gaussian: dense A_i stored in /A (small sizes); rank-one: A_i = a_i "
     "b_i^T stored as /a, /b; implicit: Gaussian A_i regenerated from the "
     "seed by the solver, never stored",
     "gaussian|rank-one|implicit"},
    {"noise", BN_OPT_REAL, "0", "standard deviation of Gaussian noise", NULL},
    {"condition", BN_OPT_REAL, "1",
     "condition number of M (column scales of X, Y spread geometrically)",
     NULL},
    {"seed", BN_OPT_INT, "1", "seed (same file on any number of processes)",
     NULL},
    {NULL, 0, NULL, NULL, NULL}};

bn_status_t bn_gen_sense_run(bn_ctx_t *ctx, bn_opts_t *opts) {
  bn_sense_gen_t g;
  const char *out = NULL;
  BN_CALL(ctx, bn_lr_gen_common(ctx, opts, &g.rows, &g.cols, &g.rank, &g.seed,
                                &out));
  BN_CALL(ctx, bn_opts_int(opts, "measurements", &g.measurements));
  BN_CALL(ctx, bn_opts_real(opts, "noise", &g.noise));
  BN_CALL(ctx, bn_opts_real(opts, "condition", &g.condition));
  g.op = bn_opts_string(opts, "operator");
  if (g.measurements == 0)
    g.measurements = 6 * (bn_idx_t)g.rank * (g.rows + g.cols);
  double t0 = bn_wtime();
  BN_CALL(ctx, bn_generate_sense(ctx, &g, out));
  bn_log(ctx, BN_LOG_INFO,
         "wrote %s: %lld x %lld, rank %d, %lld %s measurements (%.2f s)\n", out,
         (long long)g.rows, (long long)g.cols, g.rank,
         (long long)g.measurements, g.op, bn_wtime() - t0);
  return BN_OK;
}
