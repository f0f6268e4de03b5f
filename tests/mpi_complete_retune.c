/* Matrix completion's retune (bn_problem_retune, for benign tune): a
 * problem loaded at one rank and lambda, then retuned to another, gives
 * the same objective, gradient, metrics and ALS sweeps as a problem
 * created at the new ones -- up and down in rank, with biases, a ground
 * truth and a test set (their work space is sized by the rank). At 1, 2
 * and 3 processes. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "benign/benign.h"
#include "check.h"
#include "complete_fixture.h"

static bn_opts_t *fx_opts(bn_ctx_t *ctx, bn_optdef_t *defs, const char *input,
                          const char *rank, const char *lambda) {
  bn_opts_t *o = NULL;
  bn_opts_create(ctx, defs, &o);
  bn_opts_set(o, "input", input, BN_SRC_CMDLINE);
  bn_opts_set(o, "bias", "true", BN_SRC_CMDLINE);
  bn_opts_set(o, "rank", rank, BN_SRC_CMDLINE);
  bn_opts_set(o, "lambda", lambda, BN_SRC_CMDLINE);
  return o;
}

/* f, |g|^2, the metrics, and f after two ALS sweeps, from p's start. */
static void fx_run(bn_ctx_t *ctx, bn_problem_t *p, double out[5]) {
  const bn_objective_t *obj = bn_problem_objective(p);
  double *x = calloc(obj->n + 1, sizeof(double)),
         *g = calloc(obj->n + 1, sizeof(double));
  CHECK_OK(ctx, bn_problem_init(p, x));
  CHECK_OK(ctx, obj->eval(obj->data, x, &out[0], g));
  out[1] = 0;
  for (size_t k = 0; k < obj->n; k++) out[1] += g[k] * g[k];
  MPI_Allreduce(MPI_IN_PLACE, &out[1], 1, MPI_DOUBLE, MPI_SUM,
                bn_ctx_comm(ctx));
  CHECK_OK(ctx, obj->metrics(obj->data, x, &out[2], &out[3]));
  for (int s = 0; s < 2; s++) CHECK_OK(ctx, obj->sweep(obj->data, x));
  CHECK_OK(ctx, obj->eval(obj->data, x, &out[4], NULL));
  free(x), free(g);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  bn_ctx_t *ctx;
  bn_ctx_create(MPI_COMM_WORLD, &ctx);
  char dir[512], input[600];
  fx_tmpdir(MPI_COMM_WORLD, dir, sizeof(dir));
  snprintf(input, sizeof(input), "%s/in.h5", dir);
  bn_complete_gen_t gen = {.rows = 60,
                           .cols = 45,
                           .rank = 3,
                           .sample_rate = 0.4,
                           .test_fraction = 0.1,
                           .noise = 0.05,
                           .condition = 1.0,
                           .seed = 9,
                           .bias_scale = 0.3,
                           .lo = 0,
                           .hi = 0};
  CHECK_OK(ctx, bn_generate_complete(ctx, &gen, input, NULL));
  bn_optdef_t *defs = fx_defs();
  /* loaded at rank 2, lambda 0.1; retuned to 4/0.01, then 1/0.05 */
  bn_opts_t *o = fx_opts(ctx, defs, input, "2", "0.1");
  bn_problem_t *p = NULL;
  CHECK_OK(ctx, bn_problem_create(ctx, "complete", o, &p));
  const char *steps[][2] = {{"4", "0.01"}, {"1", "0.05"}, {"4", "0.01"}};
  for (int s = 0; s < 3 && p; s++) {
    bn_opts_set(o, "rank", steps[s][0], BN_SRC_CMDLINE);
    bn_opts_set(o, "lambda", steps[s][1], BN_SRC_CMDLINE);
    CHECK_OK(ctx, bn_problem_retune(p));
    double a[5], b[5];
    fx_run(ctx, p, a);
    bn_opts_t *o2 = fx_opts(ctx, defs, input, steps[s][0], steps[s][1]);
    bn_problem_t *q = NULL;
    CHECK_OK(ctx, bn_problem_create(ctx, "complete", o2, &q));
    if (q) fx_run(ctx, q, b);
    for (int k = 0; q && k < 5; k++)
      CHECK(a[k] == b[k] || fabs(a[k] - b[k]) <= 1e-13 * fabs(b[k]),
            "rank %s lambda %s: quantity %d retuned %.17g, fresh %.17g",
            steps[s][0], steps[s][1], k, a[k], b[k]);
    bn_problem_destroy(q);
    bn_opts_destroy(o2);
  }
  bn_opts_set(o, "rank", "0", BN_SRC_CMDLINE);
  CHECK(p && bn_problem_retune(p) == BN_ERR_ARG, "rank 0 refused");
  bn_error_clear(ctx);
  bn_problem_destroy(p);
  bn_opts_destroy(o);
  free(defs);
  bn_ctx_destroy(ctx);
  int rc = bn_test_finish("mpi_complete_retune");
  MPI_Finalize();
  return rc;
}
