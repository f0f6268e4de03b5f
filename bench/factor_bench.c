/* Benchmark of the fully observed factorization against the direct
 * ScaLAPACK SVD of the same matrix, measured in one run:
 *   1. generate Y = X Z^T (ROWS x COLS, rank RANK, condition 10,
 *      noiseless) into a temporary file and read it as `benign factor`
 *      does (general mode);
 *   2. seconds to relative error 1e-8 to the truth with gradient descent,
 *      from the spectral initial point (init + solve) and from a random
 *      one (init scale 0.01);
 *   3. seconds of pdgesvd (left and right singular vectors) of the same
 *      distributed Y on a near-square grid with 64 x 64 blocks;
 *   4. the ratios of 2 to 3.
 * usage: mpirun -n P bench_factor [ROWS [COLS [RANK [TMPDIR]]]]
 *        (default 8000 4000 20 $TMPDIR or /tmp) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benign/benign.h"
#include "linalg/scalapack_decl.h"
#include "problems/lowrank/factor.h"

/* Collective: a gd solve from `init` to relative error 1e-8; seconds of
 * init and solve, iterations and the error reached. */
static void run_factor(bn_ctx_t *ctx, const bn_problem_ops_t *ops, void *data,
                       bn_opts_t *opts, const char *init, double *t_init,
                       double *t_solve, long long *its, double *rel) {
  bn_objective_t obj;
  ops->objective(data, &obj);
  double *x = calloc(obj.n + 1, sizeof(double)), rmse;
  bn_opts_set(opts, "init", init, BN_SRC_CMDLINE);
  MPI_Barrier(bn_ctx_comm(ctx));
  double t = MPI_Wtime();
  ops->init(data, opts, x);
  *t_init = MPI_Wtime() - t;
  bn_solver_t *s;
  bn_solver_params_t p;
  bn_solver_params_default(&p);
  p.tol = 0;
  p.rel_tol = 1e-8;
  p.max_iter = 20000;
  p.progress = false;
  bn_solver_create(ctx, "gd", &s);
  bn_solver_set_params(s, &p);
  t = MPI_Wtime();
  bn_solver_solve(s, &obj, x);
  *t_solve = MPI_Wtime() - t;
  *its = (long long)bn_solver_iterations(s);
  obj.metrics(data, x, rel, &rmse);
  bn_solver_destroy(s);
  free(x);
}

/* Collective: seconds of pdgesvd (jobu = jobvt = V) of c's Y. */
static double run_pdgesvd(bn_ctx_t *ctx, bn_factor_t *c, double *s1) {
  bn_bcmat_t *a = NULL, *u = NULL, *vt = NULL;
  int m = (int)c->n1, n = (int)c->n2, k = m < n ? m : n, one = 1, info = 0;
  bn_dist_t *du = NULL, *dv = NULL;
  bn_dmat_t *zu = NULL, *zv = NULL;
  bn_dist_create_uniform(ctx, m, &du);
  bn_dist_create_uniform(ctx, k, &dv);
  bn_dmat_create(du, k, &zu);
  bn_dmat_create(dv, n, &zv);
  bn_dmat_to_bc(c->y, 0, 0, 64, 64, &a);
  bn_dmat_to_bc(zu, 0, 0, 64, 64, &u);
  bn_dmat_to_bc(zv, 0, 0, 64, 64, &vt);
  int da[9], du_[9], dvt[9];
  memcpy(da, bn_bcmat_desc(a), sizeof(da));
  memcpy(du_, bn_bcmat_desc(u), sizeof(du_));
  memcpy(dvt, bn_bcmat_desc(vt), sizeof(dvt));
  du_[BN_DESC_CTXT] = dvt[BN_DESC_CTXT] = da[BN_DESC_CTXT];
  double *s = malloc((size_t)k * sizeof(double)), query = 0;
  double *al = bn_bcmat_local(a, NULL, NULL);
  double *ul = bn_bcmat_local(u, NULL, NULL);
  double *vl = bn_bcmat_local(vt, NULL, NULL);
  int lwork = -1;
  MPI_Barrier(bn_ctx_comm(ctx));
  double t = MPI_Wtime();
  pdgesvd_("V", "V", &m, &n, al, &one, &one, da, s, ul, &one, &one, du_, vl,
           &one, &one, dvt, &query, &lwork, &info, 1, 1);
  lwork = (int)query + 1;
  double *work = malloc((size_t)lwork * sizeof(double));
  pdgesvd_("V", "V", &m, &n, al, &one, &one, da, s, ul, &one, &one, du_, vl,
           &one, &one, dvt, work, &lwork, &info, 1, 1);
  MPI_Barrier(bn_ctx_comm(ctx));
  t = MPI_Wtime() - t;
  if (info != 0 && bn_ctx_rank(ctx) == 0)
    fprintf(stderr, "bench: pdgesvd info %d\n", info);
  *s1 = s[0];
  free(work);
  free(s);
  bn_bcmat_destroy(a);
  bn_bcmat_destroy(u);
  bn_bcmat_destroy(vt);
  bn_dmat_destroy(zu);
  bn_dmat_destroy(zv);
  bn_dist_destroy(du);
  bn_dist_destroy(dv);
  return t;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  bn_ctx_t *ctx;
  bn_ctx_create(MPI_COMM_WORLD, &ctx);
  int rank = bn_ctx_rank(ctx), P = bn_ctx_size(ctx);
  bn_factor_gen_t g = {8000, 4000, 20, 0, 0.0, 10.0, 1};
  if (argc > 1) g.rows = atoll(argv[1]);
  if (argc > 2) g.cols = atoll(argv[2]);
  if (argc > 3) g.rank = atoi(argv[3]);
  const char *tmp = argc > 4 ? argv[4] : getenv("TMPDIR");
  char path[600];
  snprintf(path, sizeof(path), "%s/bench_factor_%d.h5", tmp ? tmp : "/tmp", P);
  double t = MPI_Wtime();
  if (bn_generate_factor(ctx, &g, path) != BN_OK) {
    if (!rank) fprintf(stderr, "bench: %s\n", bn_error_message(ctx));
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  double t_gen = MPI_Wtime() - t;
  bn_optdef_t defs[16] = {{0}};
  size_t nd = 0;
  while (bn_factor_optdefs[nd].key) nd++;
  memcpy(defs, bn_factor_optdefs, nd * sizeof(bn_optdef_t));
  defs[nd] = (bn_optdef_t){"input", BN_OPT_STRING, NULL, "", NULL};
  defs[nd + 1] = (bn_optdef_t){"seed", BN_OPT_INT, "1", "", NULL};
  defs[nd + 2] =
      (bn_optdef_t){"init", BN_OPT_CHOICE, "spectral", "", "spectral|random"};
  bn_opts_t *opts;
  char rbuf[32];
  snprintf(rbuf, sizeof(rbuf), "%d", g.rank);
  bn_opts_create(ctx, defs, &opts);
  bn_opts_set(opts, "input", path, BN_SRC_CMDLINE);
  bn_opts_set(opts, "rank", rbuf, BN_SRC_CMDLINE);
  const bn_problem_ops_t *ops = bn_problem_find("factor");
  void *data = NULL;
  t = MPI_Wtime();
  if (ops->create(ctx, opts, &data) != BN_OK) {
    if (!rank) fprintf(stderr, "bench: %s\n", bn_error_message(ctx));
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  double t_read = MPI_Wtime() - t;
  double ti[2], ts[2], rel[2];
  long long its[2];
  const char *inits[2] = {"spectral", "random"};
  for (int k = 0; k < 2; k++)
    run_factor(ctx, ops, data, opts, inits[k], &ti[k], &ts[k], &its[k],
               &rel[k]);
  double s1, t_svd = run_pdgesvd(ctx, data, &s1);
  if (!rank) {
    printf("processes                        %d\n", P);
    printf(
        "Y                                %lld x %lld, rank %d, "
        "condition %g, noiseless\n",
        (long long)g.rows, (long long)g.cols, g.rank, g.condition);
    printf("generate s / read s              %.3f / %.3f\n", t_gen, t_read);
    for (int k = 0; k < 2; k++)
      printf(
          "%-8s init s / solve s / its  %.3f / %.3f / %lld  (rel_err "
          "%.2e)\n",
          inits[k], ti[k], ts[k], its[k], rel[k]);
    printf("pdgesvd (U and VT) s             %.3f  (sigma_1 %.6g)\n", t_svd,
           s1);
    for (int k = 0; k < 2; k++)
      printf("ratio %-8s (init+solve)/SVD  %.4f\n", inits[k],
             (ti[k] + ts[k]) / t_svd);
  }
  ops->destroy(data);
  bn_opts_destroy(opts);
  if (!rank) remove(path);
  bn_ctx_destroy(ctx);
  MPI_Finalize();
  return 0;
}
