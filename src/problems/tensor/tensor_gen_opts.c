/* benign generate tensor: a synthetic orthogonal symmetric 4th-order
 * tensor with ground truth, as components, samples or an explicit array. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "benign/benign.h"
#include "problems/tensor/tensor.h"

const bn_optdef_t bn_gen_tensor_opts[] = {
    {"output", BN_OPT_STRING, NULL, "HDF5 file to write (atomically)", NULL},
    {"dim", BN_OPT_INT, "20", "dimension n of the tensor (n x n x n x n)",
     NULL},
    {"components", BN_OPT_INT, "0",
     "number K of orthonormal components a_k (at most dim); 0 = dim", NULL},
    {"lambda", BN_OPT_STRING, "1",
     "the weights lambda_k > 0: one value for all, or K comma-separated "
     "values",
     NULL},
    {"form", BN_OPT_CHOICE, "components",
     "components: /A (n x K) and /lambda; samples: /Z (N x n), samples "
     "whose fourth cumulant is T (independent sources of kurtosis "
     "lambda_k); explicit: /T, the n x n^3 unfolding (n <= 256)",
     "components|samples|explicit"},
    {"samples", BN_OPT_INT, "0",
     "--form=samples: number N of samples; 0 = 5000 n", NULL},
    {"seed", BN_OPT_INT, "1", "seed (same file on any number of processes)",
     NULL},
    {NULL, 0, NULL, NULL, NULL}};

/* "v" or "v1,...,vK" into K values; the same verdict on every rank. */
static bn_status_t bn_gen_tensor_lambda(bn_ctx_t *ctx, const char *s, int k,
                                        double *out) {
  int m = 0;
  const char *p = s;
  while (p && *p) {
    char *end = NULL;
    errno = 0;
    double v = strtod(p, &end);
    if (end == p || errno || (*end && *end != ','))
      return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                          "--lambda=%s: expected one number or %d "
                          "comma-separated numbers",
                          s, k);
    if (m < k) out[m] = v;
    m++;
    p = *end ? end + 1 : NULL;
  }
  if (m == 1)
    for (int j = 1; j < k; j++) out[j] = out[0];
  else if (m != k)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--lambda has %d values; give one, or one per "
                        "component (%d)",
                        m, k);
  return BN_OK;
}

bn_status_t bn_gen_tensor_run(bn_ctx_t *ctx, bn_opts_t *opts) {
  bn_tensor_gen_t g;
  int64_t comps, seed;
  BN_CALL(ctx, bn_opts_int(opts, "dim", &g.dim));
  BN_CALL(ctx, bn_opts_int(opts, "components", &comps));
  BN_CALL(ctx, bn_opts_int(opts, "samples", &g.samples));
  BN_CALL(ctx, bn_opts_int(opts, "seed", &seed));
  g.form = bn_opts_string(opts, "form");
  g.seed = (uint64_t)seed;
  const char *out = bn_opts_string(opts, "output");
  if (!out || !*out)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--output=FILE.h5 is required");
  if (comps == 0) comps = g.dim;
  if (comps < 1 || comps > g.dim || comps > (1 << 24))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--components=%lld must be in [1, dim = %lld]",
                        (long long)comps, (long long)g.dim);
  if (g.samples < 0)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--samples must be nonnegative");
  if (g.samples == 0) g.samples = 5000 * g.dim;
  g.components = (int)comps;
  double *lam = NULL;
  BN_CALL(ctx,
          bn_agree(ctx, bn_mallocn(ctx, (size_t)comps, sizeof(double), &lam)));
  bn_status_t st = bn_gen_tensor_lambda(ctx, bn_opts_string(opts, "lambda"),
                                        g.components, lam);
  g.lambda = lam;
  double t0 = bn_wtime();
  if (st == BN_OK) st = bn_generate_tensor(ctx, &g, out);
  if (st == BN_OK && !strcmp(g.form, "samples"))
    bn_log(ctx, BN_LOG_INFO, "wrote %s: %lld samples of dimension %lld, ", out,
           (long long)g.samples, (long long)g.dim);
  else if (st == BN_OK)
    bn_log(ctx, BN_LOG_INFO, "wrote %s: form %s, n = %lld, ", out, g.form,
           (long long)g.dim);
  if (st == BN_OK)
    bn_log(ctx, BN_LOG_INFO, "K = %d orthonormal components (%.2f s)\n",
           g.components, bn_wtime() - t0);
  free(lam);
  return st;
}
