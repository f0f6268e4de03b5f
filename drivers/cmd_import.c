/* benign import: MatrixMarket or CSV ratings -> a completion input file. */
#include "cli.h"

static const bn_optdef_t bn_import_opts[] = {
    {"format", BN_OPT_CHOICE, NULL,
     "mtx: MatrixMarket coordinate; csv: user,item,rating lines with a "
     "header (MovieLens ratings.csv)",
     "mtx|csv"},
    {"input", BN_OPT_STRING, NULL, "text file to read", NULL},
    {"output", BN_OPT_STRING, NULL, "HDF5 file to write (atomically)", NULL},
    {"duplicates", BN_OPT_CHOICE, "error",
     "what to do with a (row, col) pair given twice: error, keep the first, "
     "keep the last, or sum",
     "error|first|last|sum"},
    {NULL, 0, NULL, NULL, NULL}};

static bn_status_t bn_import_run(bn_ctx_t *ctx, bn_opts_t *opts,
                                 const char *subject) {
  (void)subject;
  const char *keys[3] = {"format", "input", "output"};
  for (int i = 0; i < 3; i++)
    if (!bn_opts_is_set(opts, keys[i]))
      return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--%s is required (see --help)",
                          keys[i]);
  bn_import_stats_t s;
  double t0 = bn_wtime();
  BN_CALL(ctx, bn_import_ratings(ctx, bn_opts_string(opts, "format"),
                                 bn_opts_string(opts, "input"),
                                 bn_opts_string(opts, "output"),
                                 bn_opts_string(opts, "duplicates"), &s));
  bn_log(ctx, BN_LOG_INFO,
         "wrote %s: %lld x %lld, %lld entries from %lld lines (%lld "
         "duplicates resolved) in %.2f s\n",
         bn_opts_string(opts, "output"), (long long)s.rows, (long long)s.cols,
         (long long)s.entries, (long long)s.lines, (long long)s.duplicates,
         bn_wtime() - t0);
  return BN_OK;
}

const bn_command_t bn_cmd_import = {
    "import",
    "convert MatrixMarket or CSV ratings into a completion input (HDF5)",
    "benign import --format=mtx|csv --input=FILE --output=F.h5 "
    "[--duplicates=error|first|last|sum]",
    bn_import_opts,
    NULL,
    NULL,
    bn_import_run,
    NULL};
