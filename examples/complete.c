/* Matrix completion through benign's public C API (libbenign).
 *
 *   mpirun -n P ./complete_example [DIR]
 *
 * Makes a small synthetic instance (1000 x 800, rank 5, 10% observed) in
 * DIR (default: .), creates the `complete` problem from options, solves it
 * by alternating least squares from the spectral start, prints the
 * relative error to the truth and writes the factors U, V to DIR/result.h5
 * (atomically, as the `benign complete` command does). Exit status 0 when
 * the error is below 1e-6. Every bn_ call below except the option table's
 * is collective over the communicator the context was created on. Build it with
 *   cc complete.c $(pkg-config --cflags --libs benign)   (MPI compiler: mpicc)
 * or with CMake: find_package(benign) and link benign::benign
 * (examples/CMakeLists.txt). */
#include <benign/benign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Generate, create, solve, measure, save. */
static bn_status_t run(bn_ctx_t *ctx, const char *dir, double *err) {
  char input[4096], output[4096];
  snprintf(input, sizeof input, "%s/example_input.h5", dir);
  snprintf(output, sizeof output, "%s/result.h5", dir);
  bn_complete_gen_t g = {.rows = 1000,
                         .cols = 800,
                         .rank = 5,
                         .sample_rate = 0.10,
                         .condition = 2.0,
                         .seed = 7};
  BN_CALL(ctx, bn_generate_complete(ctx, &g, input, NULL));

  /* The problem's option keys plus the shared solve keys. */
  bn_optdef_t *defs = bn_problem_optdefs("complete");
  bn_opts_t *opts = NULL;
  char in_arg[4200], *argv[] = {in_arg, "--rank=5"};
  snprintf(in_arg, sizeof in_arg, "--input=%s", input);
  bn_status_t st = defs ? bn_opts_create(ctx, defs, &opts) : BN_ERR_MEM;
  if (st == BN_OK) st = bn_opts_parse(opts, 2, argv);

  bn_problem_t *prob = NULL;
  const bn_objective_t *obj = NULL;
  double *x = NULL, rmse = 0.0;
  bn_solver_t *solver = NULL;
  if (st == BN_OK) st = bn_problem_create(ctx, "complete", opts, &prob);
  if (st == BN_OK) {
    obj = bn_problem_objective(prob);
    x = calloc(obj->n + 1, sizeof(double)); /* this process's U and V rows */
    st = x ? bn_problem_init(prob, x) : BN_ERR_MEM;
  }
  if (st == BN_OK) st = bn_solver_create(ctx, "als", &solver);
  if (st == BN_OK) {
    bn_solver_params_t p;
    bn_solver_params_default(&p);
    p.rel_tol = 1e-8; /* stop at this distance to the truth */
    p.max_iter = 200;
    p.progress = false;
    bn_solver_set_params(solver, &p);
    st = bn_solver_solve(solver, obj, x);
  }
  if (st == BN_OK) st = obj->metrics(obj->data, x, err, &rmse);
  if (st == BN_OK && bn_ctx_rank(ctx) == 0)
    printf("complete: %lld iterations (%s), relative error %.3g\n",
           (long long)bn_solver_iterations(solver),
           bn_reason_string(bn_solver_reason(solver)), *err);
  bn_h5_t *f = NULL;
  if (st == BN_OK) st = bn_h5_create(ctx, output, 0.0, &f);
  if (st == BN_OK) st = bn_problem_save(prob, x, f, "/");
  if (st == BN_OK) st = bn_h5_commit(f);
  if (f) bn_h5_close(f);
  if (st == BN_OK && bn_ctx_rank(ctx) == 0) printf("wrote %s\n", output);
  bn_solver_destroy(solver);
  bn_problem_destroy(prob);
  free(x);
  bn_opts_destroy(opts);
  free(defs);
  return st;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  bn_ctx_t *ctx = NULL;
  double err = 1.0;
  int rc = 1;
  if (bn_ctx_create(MPI_COMM_WORLD, &ctx) == BN_OK) {
    bn_status_t st = run(ctx, argc > 1 ? argv[1] : ".", &err);
    if (st != BN_OK && bn_ctx_rank(ctx) == 0)
      fprintf(stderr, "complete_example: error: %s\n", bn_error_message(ctx));
    rc = st == BN_OK && err < 1e-6 ? 0 : 1;
    bn_ctx_destroy(ctx);
  }
  MPI_Finalize();
  return rc;
}
