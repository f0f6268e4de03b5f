/* Benchmark for benign deconv: the time of one objective-and-gradient
 * evaluation, and of one gd iteration, against the bare FFTW transforms of
 * the same data with the same plans in the same run (one r2c and one c2r
 * of every channel: the least an FFT-based gradient needs).
 *
 *   mpirun -n P bench_deconv INPUT.h5 [EVALS] [estimate|measure]
 *
 * Prints one line per figure on rank 0 (max over processes). Collective. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benign/benign.h"
#include "problems/deconv/deconv.h"

static double bench_max(double t) {
  MPI_Allreduce(MPI_IN_PLACE, &t, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  return t;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  bn_ctx_t *ctx = NULL;
  bn_ctx_create(MPI_COMM_WORLD, &ctx);
  const int root = bn_ctx_rank(ctx) == 0;
  if (argc < 2) {
    if (root) fprintf(stderr, "usage: bench_deconv INPUT.h5 [EVALS] [plan]\n");
    MPI_Finalize();
    return 2;
  }
  int K = argc > 2 ? atoi(argv[2]) : 10;
  const char *plan = argc > 3 ? argv[3] : "estimate";
  static const bn_optdef_t extra[] = {
      {"input", BN_OPT_STRING, NULL, "", NULL},
      {"seed", BN_OPT_INT, "1", "", NULL},
      {"solver", BN_OPT_STRING, "gd", "", NULL}};
  size_t n = 0;
  while (bn_deconv_optdefs[n].key) n++;
  bn_optdef_t *defs = calloc(n + 4, sizeof(*defs));
  memcpy(defs, bn_deconv_optdefs, n * sizeof(*defs));
  memcpy(defs + n, extra, sizeof(extra));
  bn_opts_t *o = NULL;
  bn_opts_create(ctx, defs, &o);
  bn_opts_set(o, "input", argv[1], BN_SRC_CMDLINE);
  bn_opts_set(o, "fft-plan", plan, BN_SRC_CMDLINE);
  const bn_problem_ops_t *ops = bn_problem_find("deconv");
  void *data = NULL;
  double t0 = MPI_Wtime();
  if (ops->create(ctx, o, &data) != BN_OK) {
    if (root) fprintf(stderr, "%s\n", bn_error_message(ctx));
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  double tcreate = bench_max(MPI_Wtime() - t0);
  bn_deconv_t *d = data;
  bn_objective_t obj;
  ops->objective(data, &obj);
  double *x = calloc(obj.n + 1, 8), *g = calloc(obj.n + 1, 8), f;
  ops->init(data, o, x);
  obj.eval(data, x, &f, g); /* warm */
  MPI_Barrier(MPI_COMM_WORLD);
  t0 = MPI_Wtime();
  for (int k = 0; k < K; k++) obj.eval(data, x, &f, g);
  double teval = bench_max(MPI_Wtime() - t0) / K;
  MPI_Barrier(MPI_COMM_WORLD);
  t0 = MPI_Wtime();
  for (int k = 0; k < K; k++)
    for (int64_t i = 0; i < d->pl; i++) {
      memcpy(d->cb, d->yb + (size_t)i * (size_t)d->nc,
             (size_t)d->nc * sizeof(fftw_complex));
      fftw_execute(d->bwd);
      fftw_execute(d->fwd);
    }
  double tfft = bench_max(MPI_Wtime() - t0) / K;
  bn_solver_t *s = NULL;
  bn_solver_params_t p;
  bn_solver_params_default(&p);
  p.tol = 0;
  p.max_iter = K;
  p.progress = false;
  obj.metrics = NULL; /* the error to the truth: not part of a step */
  bn_solver_create(ctx, "gd", &s);
  bn_solver_set_params(s, &p);
  MPI_Barrier(MPI_COMM_WORLD);
  t0 = MPI_Wtime();
  bn_solver_solve(s, &obj, x);
  double tsolve = bench_max(MPI_Wtime() - t0);
  long long its = (long long)bn_solver_iterations(s);
  double titer = its > 0 ? tsolve / (double)its : 0;
  if (root) {
    printf("input %s: %lld channels of %lld x %lld, %d processes, plan %s\n",
           argv[1], (long long)d->p, (long long)d->h, (long long)d->w,
           bn_ctx_size(ctx), plan);
    printf("create (read, transform, precondition): %.3f s\n", tcreate);
    printf("bare FFTs (c2r + r2c of every channel): %.4f s\n", tfft);
    printf("evaluation (f and gradient):            %.4f s  ratio %.2f\n",
           teval, teval / tfft);
    printf("gd iteration (%lld iterations):         %.4f s  ratio %.2f\n", its,
           titer, titer / tfft);
  }
  bn_solver_destroy(s);
  free(x);
  free(g);
  ops->destroy(data);
  bn_opts_destroy(o);
  free(defs);
  bn_ctx_destroy(ctx);
  MPI_Finalize();
  return 0;
}
