/* benign split: hold out part of an input's observed entries as /test
 * (a held-out set for `complete`, leave-k-out per user for a
 * recommender); src/sparse/obs_split.c does the work. */
#include "cli.h"

static const bn_optdef_t bn_split_opts[] = {
    {"input", BN_OPT_STRING, NULL,
     "input HDF5 file with /omega (from import or generate) and no /test",
     NULL},
    {"output", BN_OPT_STRING, NULL,
     "HDF5 file to write (atomically): /omega the kept entries, /test the "
     "held-out ones, /map and /truth copied",
     NULL},
    {"test-fraction", BN_OPT_REAL, "0.1", "share of the entries held out",
     NULL},
    {"per-row", BN_OPT_BOOL, "false",
     "hold out that share of every row's entries (rounded; a row keeps at "
     "least one), as leave-k-out evaluation of a recommender wants; false: "
     "each entry independently at random",
     NULL},
    {"seed", BN_OPT_INT, "1",
     "seed of the draw (the same split on any number of processes)", NULL},
    {NULL, 0, NULL, NULL, NULL}};

static bn_status_t bn_split_run(bn_ctx_t *ctx, bn_opts_t *opts,
                                const char *subject) {
  (void)subject;
  bn_split_params_t p = {0};
  bn_split_stats_t s;
  int64_t seed = 1;
  for (int i = 0; i < 2; i++) {
    const char *key = i ? "output" : "input";
    if (!bn_opts_is_set(opts, key))
      return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--%s is required (see --help)",
                          key);
  }
  p.input = bn_opts_string(opts, "input");
  p.output = bn_opts_string(opts, "output");
  BN_CALL(ctx, bn_opts_real(opts, "test-fraction", &p.test_fraction));
  BN_CALL(ctx, bn_opts_bool(opts, "per-row", &p.per_row));
  BN_CALL(ctx, bn_opts_int(opts, "seed", &seed));
  p.seed = (uint64_t)seed;
  double t0 = bn_wtime();
  BN_CALL(ctx, bn_split(ctx, &p, &s));
  bn_idx_t all = s.train + s.test;
  bn_log(ctx, BN_LOG_INFO,
         "wrote %s: %lld x %lld, %lld entries kept in /omega and %lld held "
         "out in /test (%.2f%%, %s) in %.2f s\n",
         p.output, (long long)s.rows, (long long)s.cols, (long long)s.train,
         (long long)s.test, all ? 100.0 * (double)s.test / (double)all : 0.0,
         p.per_row ? "per row" : "by entry", bn_wtime() - t0);
  if (s.time_dropped)
    bn_log(ctx, BN_LOG_INFO,
           "note: the input's timestamps (/omega/time) are not carried into "
           "the split\n");
  return BN_OK;
}

const bn_command_t bn_cmd_split = {
    "split",
    "hold out part of an input's observed entries as /test (at random, or "
    "a share of every row), keeping its id maps",
    "mpirun -n P benign split --input=R.h5 --output=S.h5 "
    "[--test-fraction=0.1] [--per-row] [--seed=S]",
    bn_split_opts,
    NULL,
    NULL,
    bn_split_run,
    NULL,
    NULL};
