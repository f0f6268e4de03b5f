/* Benchmark of complete dictionary learning by l4 maximization (MSP), the
 * protocol of Zhai, Yang, Liao, Wright and Ma: an orthogonal n x n
 * dictionary, Bernoulli-Gaussian codes, random orthogonal start, the
 * matching-stretching-projection step W <- Polar((W Y)^3 Y^T). All measured
 * in one run, every process working at once:
 *   1. the DGEMM rate per process (the best of three timings, all processes
 *      multiplying at once): a square 1500^3 product, and the two products
 *      of one MSP step at their own shapes ((p/P x n)(n x n)^T and
 *      (p/P x n)^T (p/P x n));
 *   2. seconds (and steps) until every true atom has a row of W with
 *      |cos| > 0.99 (--rel-tol on the sine of the worst angle; with
 *      PRECOND = 0, as in the paper, that angle is the one in the data's
 *      coordinates);
 *   3. the time per MSP step (the solve's time / steps: two GEMMs, the
 *      cube, one allreduce of n^2 + 1 numbers, the polar factor of an
 *      n x n matrix on rank 0, the metric) against the time its two GEMMs
 *      take at the measured rates: the fraction of the DGEMM rate reached.
 * usage: mpirun -n P bench_dict INPUT.h5 [PRECOND [STEPS]]
 * STEPS (default 30) extra MSP steps are timed after the target is met. */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benign/benign.h"
#include "problems/dict/dict.h"

/* GFLOP/s of `reps` products (m x k)(k x n), max time over processes. */
static double gemm_rate(MPI_Comm comm, int m, int n, int k, int ta, int reps) {
  double *a = malloc(sizeof(double) * (size_t)m * k + 8),
         *b = malloc(sizeof(double) * (size_t)k * n + 8),
         *c = malloc(sizeof(double) * (size_t)m * n + 8);
  for (size_t i = 0; i < (size_t)m * k; i++) a[i] = 1.0 / (1 + i % 7);
  for (size_t i = 0; i < (size_t)k * n; i++) b[i] = 1.0 / (1 + i % 5);
  int lda = ta ? m : k;
  CBLAS_TRANSPOSE t = ta ? CblasTrans : CblasNoTrans;
  cblas_dgemm(CblasRowMajor, t, CblasNoTrans, m, n, k, 1.0, a, lda, b, n, 0.0,
              c, n); /* warm-up */
  double best = INFINITY;
  for (int trial = 0; trial < 3; trial++) { /* the best of three */
    MPI_Barrier(comm);
    double s = MPI_Wtime();
    for (int r = 0; r < reps; r++)
      cblas_dgemm(CblasRowMajor, t, CblasNoTrans, m, n, k, 1.0, a, lda, b, n,
                  0.0, c, n);
    s = MPI_Wtime() - s;
    MPI_Allreduce(MPI_IN_PLACE, &s, 1, MPI_DOUBLE, MPI_MAX, comm);
    best = fmin(best, s);
  }
  free(a), free(b), free(c);
  return 2.0 * m * (double)n * k * reps / best / 1e9;
}

static const bn_optdef_t extra[] = {
    {"input", BN_OPT_STRING, NULL, "", NULL},
    {"seed", BN_OPT_INT, "1", "", NULL},
    {"solver", BN_OPT_STRING, "als", "", NULL},
    {"init", BN_OPT_CHOICE, "random", "", "spectral|random"}};

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  bn_ctx_t *ctx;
  bn_ctx_create(MPI_COMM_WORLD, &ctx);
  const int rank = bn_ctx_rank(ctx), P = bn_ctx_size(ctx);
  if (argc < 2) {
    if (rank == 0)
      fprintf(stderr, "usage: bench_dict INPUT.h5 [PRECOND [STEPS]]\n");
    MPI_Finalize();
    return 2;
  }
  const char *pre = argc > 2 && atoi(argv[2]) ? "true" : "false";
  const int steps = argc > 3 ? atoi(argv[3]) : 30;
  size_t nd = 0;
  while (bn_dict_optdefs[nd].key) nd++;
  bn_optdef_t *defs = calloc(nd + 5, sizeof(*defs));
  memcpy(defs, bn_dict_optdefs, nd * sizeof(*defs));
  memcpy(defs + nd, extra, sizeof(extra));
  bn_opts_t *o = NULL;
  bn_opts_create(ctx, defs, &o);
  bn_opts_set(o, "input", argv[1], BN_SRC_CMDLINE);
  bn_opts_set(o, "method", "l4", BN_SRC_CMDLINE);
  bn_opts_set(o, "precondition", pre, BN_SRC_CMDLINE);
  bn_opts_set(o, "codes", "none", BN_SRC_CMDLINE);
  const bn_problem_ops_t *ops = bn_problem_find("dict");
  void *data = NULL;
  double t0 = MPI_Wtime();
  if (ops->create(ctx, o, &data) != BN_OK) {
    if (rank == 0) fprintf(stderr, "bench_dict: %s\n", bn_error_message(ctx));
    MPI_Finalize();
    return 1;
  }
  double t_setup = MPI_Wtime() - t0;
  bn_objective_t obj;
  ops->objective(data, &obj);
  /* The instance's sizes: /Y is p x n. */
  bn_h5_t *f = NULL;
  int ndim = 0;
  bn_idx_t dims[4] = {0, 0, 0, 0};
  if (bn_h5_open(ctx, argv[1], &f) == BN_OK) bn_h5_shape(f, "/Y", &ndim, dims);
  bn_h5_close(f);
  const long long p = dims[0], n = dims[1];
  const int pl = (int)(p / P);
  double sq = gemm_rate(bn_ctx_comm(ctx), 1500, 1500, 1500, 0, 4);
  double r1 = gemm_rate(bn_ctx_comm(ctx), pl, (int)n, (int)n, 0, 10);
  double r2 = gemm_rate(bn_ctx_comm(ctx), (int)n, (int)n, pl, 1, 10);
  double *x = calloc(obj.n + 1, sizeof(double));
  bn_solver_t *sv = NULL;
  bn_solver_params_t prm;
  bn_solver_params_default(&prm);
  prm.tol = 0;
  prm.rel_tol = sqrt(1.0 - 0.99 * 0.99);
  prm.max_iter = 2000;
  prm.progress = false;
  bn_solver_create(ctx, "als", &sv);
  bn_solver_set_params(sv, &prm);
  ops->init(data, o, x);
  bn_solver_solve(sv, &obj, x);
  const bn_history_t *h = bn_solver_history(sv);
  double t99 = h->seconds[h->n - 1];
  long long it99 = (long long)bn_solver_iterations(sv);
  const char *why = bn_reason_string(bn_solver_reason(sv));
  double rel99 = h->rel_error[h->n - 1];
  /* STEPS more MSP steps on all the samples (the continuation may have
   * met the target on a subset), timed on their own (the steady state). */
  bn_dict_l4_level(data, 1);
  int tk = bn_timer_id(ctx, "samples kernel");
  double k0 = bn_timer_total(ctx, tk), ts = MPI_Wtime(), fv;
  for (int k = 0; k < steps; k++) {
    obj.sweep(obj.data, x);
    obj.eval(obj.data, x, &fv, NULL);
  }
  ts = (MPI_Wtime() - ts) / (steps > 0 ? steps : 1);
  double kern = (bn_timer_total(ctx, tk) - k0) / (steps > 0 ? steps : 1);
  MPI_Allreduce(MPI_IN_PLACE, &ts, 1, MPI_DOUBLE, MPI_MAX, bn_ctx_comm(ctx));
  MPI_Allreduce(MPI_IN_PLACE, &kern, 1, MPI_DOUBLE, MPI_MAX, bn_ctx_comm(ctx));
  const double flops = 2.0 * 2.0 * (double)n * n * (double)pl;
  const double tgemm = 2.0 * (double)n * n * pl / (r1 * 1e9) +
                       2.0 * (double)n * n * pl / (r2 * 1e9);
  if (rank == 0) {
    printf("processes                      %d\n", P);
    printf(
        "instance                       n = %lld atoms, p = %lld samples, "
        "preconditioned: %s\n",
        n, p, pre);
    printf("setup (read, Gram%s) s       %.3f\n",
           strcmp(pre, "true") ? "" : ", M^-1/2", t_setup);
    printf(
        "DGEMM GFLOP/s per process      %.2f (1500^3), %.2f and %.2f (the "
        "step's two shapes, %d x %lld x %lld)\n",
        sq, r1, r2, pl, n, n);
    printf("MSP steps to |cos| > 0.99      %lld (%s; worst sine %.4f)\n", it99,
           why, rel99);
    printf("seconds to |cos| > 0.99        %.3f\n", t99);
    printf("seconds per MSP step           %.4f (steady state, %d steps)\n", ts,
           steps);
    printf("  of which the samples kernel  %.4f (two GEMMs, the cube)\n", kern);
    printf("  two GEMMs at DGEMM rate      %.4f (%.3g GFLOP per process)\n",
           tgemm, flops / 1e9);
    printf("step GFLOP/s per process       %.2f\n", flops / ts / 1e9);
    printf("ratio to DGEMM (step shapes)   %.3f (whole step), %.3f (kernel)\n",
           tgemm / ts, tgemm / kern);
    printf("step / its two GEMMs           %.3f (whole step), %.3f (kernel)\n",
           ts / tgemm, kern / tgemm);
    printf("ratio to DGEMM (1500^3)        %.3f (whole step)\n",
           flops / ts / 1e9 / sq);
  }
  free(x);
  bn_solver_destroy(sv);
  ops->destroy(data);
  bn_opts_destroy(o);
  free(defs);
  bn_ctx_destroy(ctx);
  MPI_Finalize();
  return 0;
}
