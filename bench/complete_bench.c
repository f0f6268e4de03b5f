/* Benchmark of matrix completion, all measured in one run:
 *   1. the machine's DGEMM rate per process (every process multiplies at
 *      once, as during the solve), one BLAS thread per process;
 *   2. the gradient pass (objective + full gradient, communication
 *      included): seconds, observed entries per second, GFLOP/s, and the
 *      ratio GFLOP/s per process / DGEMM GFLOP/s per process;
 *   3. seconds to relative error 1e-6 from the spectral initial point with
 *      gradient descent (init time reported separately).
 * usage: mpirun -n P bench_complete INPUT.h5 RANK [PASSES [TIME_LIMIT
 *        [SOLVER]]]
 * The solve stops at relative error 1e-7 or after TIME_LIMIT seconds
 * (default 900), printing a monitor line every 10 iterations. */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benign/benign.h"
#include "problems/lowrank/complete_state.h"

static double dgemm_rate(MPI_Comm comm) {
  const int n = 1500, reps = 4;
  double *a = malloc(sizeof(double) * n * n),
         *b = malloc(sizeof(double) * n * n),
         *c = malloc(sizeof(double) * n * n);
  for (int i = 0; i < n * n; i++) a[i] = b[i] = 1.0 / (1 + i % 7);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, a, n, b,
              n, 0.0, c, n); /* warm-up */
  MPI_Barrier(comm);
  double t = MPI_Wtime();
  for (int k = 0; k < reps; k++)
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, a, n,
                b, n, 0.0, c, n);
  t = MPI_Wtime() - t;
  MPI_Allreduce(MPI_IN_PLACE, &t, 1, MPI_DOUBLE, MPI_MAX, comm);
  free(a), free(b), free(c);
  return 2.0 * n * (double)n * n * reps / t / 1e9;
}

/* STREAM-like triad a = b + s c on arrays far larger than the caches,
 * every process at once: GB/s per process (24 bytes per element). */
static double triad_rate(MPI_Comm comm) {
  const size_t n = (size_t)1 << 24; /* 3 x 128 MiB */
  double *a = malloc(n * sizeof(double)), *b = malloc(n * sizeof(double)),
         *c = malloc(n * sizeof(double));
  for (size_t i = 0; i < n; i++) a[i] = 0, b[i] = 1, c[i] = 2;
  double best = 1e30;
  for (int rep = 0; rep < 4; rep++) {
    MPI_Barrier(comm);
    double t = MPI_Wtime();
    for (size_t i = 0; i < n; i++) a[i] = b[i] + 0.5 * c[i];
    t = MPI_Wtime() - t;
    MPI_Allreduce(MPI_IN_PLACE, &t, 1, MPI_DOUBLE, MPI_MAX, comm);
    if (t < best) best = t;
  }
  volatile double sink = a[n / 2];
  (void)sink;
  free(a), free(b), free(c);
  return 24.0 * (double)n / best / 1e9;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  bn_ctx_t *ctx;
  bn_ctx_create(MPI_COMM_WORLD, &ctx);
  int rank = bn_ctx_rank(ctx), P = bn_ctx_size(ctx);
  if (argc < 3) {
    if (!rank)
      fprintf(stderr, "usage: bench_complete INPUT.h5 RANK [PASSES]\n");
    MPI_Finalize();
    return 2;
  }
  int passes = argc > 3 ? atoi(argv[3]) : 10;
  double gemm = dgemm_rate(MPI_COMM_WORLD);
  double bw = triad_rate(MPI_COMM_WORLD);

  static const bn_optdef_t extra[] = {
      {"input", BN_OPT_STRING, NULL, "", NULL},
      {"seed", BN_OPT_INT, "1", "", NULL},
      {"init", BN_OPT_CHOICE, "spectral", "", "spectral|random"},
      {NULL, 0, NULL, NULL, NULL}};
  size_t nd = 0;
  while (bn_complete_optdefs[nd].key) nd++;
  bn_optdef_t *defs = calloc(nd + 4, sizeof(*defs));
  memcpy(defs, bn_complete_optdefs, nd * sizeof(*defs));
  memcpy(defs + nd, extra, sizeof(extra));
  bn_opts_t *opts;
  bn_opts_create(ctx, defs, &opts);
  bn_opts_set(opts, "input", argv[1], BN_SRC_CMDLINE);
  bn_opts_set(opts, "rank", argv[2], BN_SRC_CMDLINE);
  const bn_problem_ops_t *ops = bn_problem_find("complete");
  void *data;
  double t = MPI_Wtime();
  if (ops->create(ctx, opts, &data) != BN_OK) {
    if (!rank) fprintf(stderr, "bench: %s\n", bn_error_message(ctx));
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  double t_setup = MPI_Wtime() - t;
  bn_complete_t *c = data;
  bn_objective_t obj;
  ops->objective(data, &obj);
  double *x = calloc(obj.n + 1, sizeof(double)),
         *g = calloc(obj.n + 1, sizeof(double));
  t = MPI_Wtime();
  ops->init(data, opts, x);
  double t_init = MPI_Wtime() - t, f;

  /* Gradient passes at the initial point. */
  obj.eval(data, x, &f, g); /* warm-up */
  MPI_Barrier(MPI_COMM_WORLD);
  t = MPI_Wtime();
  for (int k = 0; k < passes; k++) obj.eval(data, x, &f, g);
  double t_pass = (MPI_Wtime() - t) / passes;
  MPI_Allreduce(MPI_IN_PLACE, &t_pass, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  double nnz = (double)c->obs->nnz_global, r = c->r;
  /* residual 2r + two gradient updates 4r per entry; Grams 2 (n1+n2) r^2;
   * U D and V D products 2 (n1+n2) r^2. */
  double flops = 6 * r * nnz + 4 * (double)(c->n1 + c->n2) * r * r;
  double gflops = flops / t_pass / 1e9;

  if (!rank) {
    printf("processes                      %d\n", P);
    printf(
        "matrix                         %lld x %lld, rank %d, %.0f entries\n",
        (long long)c->n1, (long long)c->n2, c->r, nnz);
    printf("setup (read + partition) s     %.3f\n", t_setup);
    printf("spectral init s                %.3f\n", t_init);
    printf("DGEMM GFLOP/s per process      %.2f\n", gemm);
    printf("gradient pass s                %.4f\n", t_pass);
    printf("entries per second             %.3e (%.3e per process)\n",
           nnz / t_pass, nnz / t_pass / P);
    printf("gradient GFLOP/s               %.2f (%.2f per process)\n", gflops,
           gflops / P);
    printf("ratio to DGEMM                 %.3f\n", gflops / P / gemm);
    /* Per entry the pass touches v_j and the gradient row of v_j (read and
     * write): 24 r bytes, plus 12 bytes of index and value. */
    double bytes = (24.0 * r + 12.0) * nnz / t_pass / 1e9;
    printf("triad bandwidth GB/s per proc  %.2f\n", bw);
    printf(
        "pass traffic GB/s (est.)       %.2f (%.2f per process, ratio "
        "to triad %.2f)\n",
        bytes, bytes / P, bytes / P / bw);
    fflush(stdout);
  }

  /* Solve to relative error 1e-6. */
  bn_solver_t *s;
  bn_solver_params_t p;
  bn_solver_params_default(&p);
  p.tol = 0;
  p.rel_tol = 1e-7;
  p.max_iter = 100000;
  p.time_limit = argc > 4 ? atof(argv[4]) : 900;
  p.progress = false;
  p.monitor = true;
  p.monitor_every = 10;
  bn_ctx_set_log_stream(ctx, stderr);
  const char *solver = argc > 5 ? argv[5] : "gd";
  if (!rank) printf("solver                         %s\n", solver);
  bn_solver_create(ctx, solver, &s);
  bn_solver_set_params(s, &p);
  bn_solver_solve(s, &obj, x);
  const bn_history_t *h = bn_solver_history(s);
  double t6 = NAN;
  long it6 = -1;
  for (size_t k = 0; k < h->n; k++)
    if (h->rel_error[k] < 1e-6) {
      t6 = h->seconds[k];
      it6 = (long)h->iteration[k];
      break;
    }
  if (!rank) {
    printf("iterations to rel_err 1e-6     %ld\n", it6);
    printf("seconds to rel_err 1e-6        %.3f (solve only; + init %.3f)\n",
           t6, t_init);
    printf("final rel_err                  %.3e after %lld iterations (%s)\n",
           h->rel_error[h->n - 1], (long long)bn_solver_iterations(s),
           bn_reason_string(bn_solver_reason(s)));
    printf("seconds per iteration          %.4f\n",
           h->seconds[h->n - 1] / (double)(h->n > 1 ? h->n - 1 : 1));
  }
  bn_solver_destroy(s);
  free(x), free(g);
  ops->destroy(data);
  bn_opts_destroy(opts);
  free(defs);
  bn_ctx_destroy(ctx);
  MPI_Finalize();
  return 0;
}
