/* benign generate eig: a symmetric matrix with known leading eigenpairs. */
#include "benign/benign.h"
#include "problems/eig/eig.h"

const bn_optdef_t bn_gen_eig_opts[] = {
    {"output", BN_OPT_STRING, NULL, "HDF5 file to write (atomically)", NULL},
    {"n", BN_OPT_INT, "200", "size n of A (n x n)", NULL},
    {"k", BN_OPT_INT, "4",
     "number of separated leading eigenvalues (1 + gap k, ..., 1 + gap; the "
     "rest uniform in (-1, 1)) and of truth vectors stored",
     NULL},
    {"gap", BN_OPT_REAL, "0.5",
     "spacing of the leading eigenvalues, and their distance to the rest",
     NULL},
    {"format", BN_OPT_CHOICE, "dense",
     "dense: /A (n x n); sparse: /omega/row, col, val (both triangles)",
     "dense|sparse"},
    {"block", BN_OPT_INT, "0",
     "size of the random orthogonal blocks (interleaved index sets); 0 = n "
     "for dense (a fully dense rotation), 16 for sparse (entries per row)",
     NULL},
    {"seed", BN_OPT_INT, "1", "seed (same file on any number of processes)",
     NULL},
    {NULL, 0, NULL, NULL, NULL}};

bn_status_t bn_gen_eig_run(bn_ctx_t *ctx, bn_opts_t *opts) {
  bn_eig_gen_t g;
  int64_t k, seed;
  BN_CALL(ctx, bn_opts_int(opts, "n", &g.n));
  BN_CALL(ctx, bn_opts_int(opts, "k", &k));
  BN_CALL(ctx, bn_opts_real(opts, "gap", &g.gap));
  BN_CALL(ctx, bn_opts_int(opts, "block", &g.block));
  BN_CALL(ctx, bn_opts_int(opts, "seed", &seed));
  g.format = bn_opts_string(opts, "format");
  g.seed = (uint64_t)seed;
  const char *out = bn_opts_string(opts, "output");
  if (!out || !*out)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--output=FILE.h5 is required");
  if (k < 1 || k > 4096)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--k=%lld must be in [1, 4096]",
                        (long long)k);
  g.k = (int)k;
  double t0 = bn_wtime();
  BN_CALL(ctx, bn_generate_eig(ctx, &g, out));
  bn_log(ctx, BN_LOG_INFO,
         "wrote %s: %s %lld x %lld, top %d eigenvalues 1 + %g k .. 1 + %g "
         "(%.2f s)\n",
         out, g.format, (long long)g.n, (long long)g.n, g.k, g.gap, g.gap,
         bn_wtime() - t0);
  return BN_OK;
}
