/* benign generate rpca: a synthetic robust PCA instance with ground truth
 * (low-rank part and corruptions). */
#include "benign/benign.h"
#include "problems/lowrank/rpca_state.h"

const bn_optdef_t bn_gen_rpca_opts[] = {
    {"output", BN_OPT_STRING, NULL, "HDF5 file to write (atomically)", NULL},
    {"rows", BN_OPT_INT, "1000", "rows n1 of M", NULL},
    {"cols", BN_OPT_INT, "1000", "columns n2 of M", NULL},
    {"rank", BN_OPT_INT, "5", "rank r of L = X Y^T", NULL},
    {"corrupt", BN_OPT_REAL, "0.1",
     "probability that an entry is corrupted, in [0, 1)", NULL},
    {"magnitude", BN_OPT_REAL, "10",
     "corruption size relative to max |L| (uniform in [0.5, 1.5] times this, "
     "random sign)",
     NULL},
    {"sample-rate", BN_OPT_REAL, "1",
     "probability that an entry is observed, in (0, 1]; 1 writes the dense "
     "/M, below 1 the observed entries /omega",
     NULL},
    {"condition", BN_OPT_REAL, "1",
     "condition number of L (column scales of X, Y spread geometrically)",
     NULL},
    {"seed", BN_OPT_INT, "1", "seed (same file on any number of processes)",
     NULL},
    {NULL, 0, NULL, NULL, NULL}};

bn_status_t bn_gen_rpca_run(bn_ctx_t *ctx, bn_opts_t *opts) {
  bn_rpca_gen_t g;
  const char *out = NULL;
  BN_CALL(ctx, bn_lr_gen_common(ctx, opts, &g.rows, &g.cols, &g.rank, &g.seed,
                                &out));
  BN_CALL(ctx, bn_opts_real(opts, "corrupt", &g.corrupt));
  BN_CALL(ctx, bn_opts_real(opts, "magnitude", &g.magnitude));
  BN_CALL(ctx, bn_opts_real(opts, "sample-rate", &g.sample_rate));
  BN_CALL(ctx, bn_opts_real(opts, "condition", &g.condition));
  bn_gen_stats_t st;
  double t0 = bn_wtime();
  BN_CALL(ctx, bn_generate_rpca(ctx, &g, out, &st));
  bn_log(ctx, BN_LOG_INFO,
         "wrote %s: %lld x %lld, rank %d, %s, %lld corrupted entries "
         "(%.2f s)\n",
         out, (long long)g.rows, (long long)g.cols, g.rank,
         g.sample_rate < 1 ? "observed entries /omega" : "dense /M",
         (long long)st.test, bn_wtime() - t0);
  return BN_OK;
}
