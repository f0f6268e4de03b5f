/* benign generate dict: a synthetic dictionary-learning instance Y = A X
 * with ground truth (orthogonal, tight-frame or Gaussian A; Bernoulli-
 * Gaussian X), optionally with noise, outliers and corruptions. */
#include <string.h>

#include "benign/benign.h"
#include "problems/dict/dict.h"

const bn_optdef_t bn_gen_dict_opts[] = {
    {"output", BN_OPT_STRING, NULL, "HDF5 file to write (atomically)", NULL},
    {"dim", BN_OPT_INT, "30", "dimension m of the samples", NULL},
    {"atoms", BN_OPT_INT, "0", "number n of atoms (columns of A); 0 = dim",
     NULL},
    {"samples", BN_OPT_INT, "20000", "number p of samples (rows of /Y)", NULL},
    {"theta", BN_OPT_REAL, "0.3",
     "sparsity rate: each code entry is nonzero (standard normal) with this "
     "probability",
     NULL},
    {"dictionary", BN_OPT_CHOICE, "auto",
     "orthogonal (n = m), untf (unit-norm tight frame, n >= m), gaussian "
     "(unit Gaussian columns); auto = orthogonal for n = m, else untf",
     "auto|orthogonal|untf|gaussian"},
    {"noise", BN_OPT_REAL, "0", "standard deviation of additive noise", NULL},
    {"outliers", BN_OPT_REAL, "0",
     "fraction of samples replaced by Gaussian vectors (of the inliers' "
     "expected norm)",
     NULL},
    {"corrupt", BN_OPT_REAL, "0",
     "fraction of entries of Y corrupted by +-corrupt-scale times the "
     "inliers' RMS entry",
     NULL},
    {"corrupt-scale", BN_OPT_REAL, "10", "size of a corruption", NULL},
    {"store-codes", BN_OPT_BOOL, "true",
     "write the true codes /X_true/row, col, val", NULL},
    {"seed", BN_OPT_INT, "1", "seed (same file on any number of processes)",
     NULL},
    {NULL, 0, NULL, NULL, NULL}};

bn_status_t bn_gen_dict_run(bn_ctx_t *ctx, bn_opts_t *opts) {
  bn_dict_gen_t g;
  int64_t atoms, seed;
  bool codes;
  BN_CALL(ctx, bn_opts_int(opts, "dim", &g.dim));
  BN_CALL(ctx, bn_opts_int(opts, "atoms", &atoms));
  BN_CALL(ctx, bn_opts_int(opts, "samples", &g.samples));
  BN_CALL(ctx, bn_opts_real(opts, "theta", &g.theta));
  BN_CALL(ctx, bn_opts_real(opts, "noise", &g.noise));
  BN_CALL(ctx, bn_opts_real(opts, "outliers", &g.outliers));
  BN_CALL(ctx, bn_opts_real(opts, "corrupt", &g.corrupt));
  BN_CALL(ctx, bn_opts_real(opts, "corrupt-scale", &g.corrupt_scale));
  BN_CALL(ctx, bn_opts_bool(opts, "store-codes", &codes));
  BN_CALL(ctx, bn_opts_int(opts, "seed", &seed));
  g.dictionary = bn_opts_string(opts, "dictionary");
  g.store_codes = codes;
  g.seed = (uint64_t)seed;
  const char *out = bn_opts_string(opts, "output");
  if (!out || !*out)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--output=FILE.h5 is required");
  if (atoms == 0) atoms = g.dim;
  if (atoms < 1 || atoms > (1 << 20))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--atoms=%lld must be in [1, 2^20]",
                        (long long)atoms);
  g.atoms = (int)atoms;
  double t0 = bn_wtime();
  BN_CALL(ctx, bn_generate_dict(ctx, &g, out));
  bn_log(ctx, BN_LOG_INFO,
         "wrote %s: %lld samples of dimension %lld, %d atoms (%s), theta = "
         "%g (%.2f s)\n",
         out, (long long)g.samples, (long long)g.dim, g.atoms, g.dictionary,
         g.theta, bn_wtime() - t0);
  return BN_OK;
}
