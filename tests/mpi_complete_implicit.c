/* Matrix completion for implicit feedback (--loss=implicit):
 *  - the objective against a dense reference over every entry of the
 *    matrix (preferences p = (r > 0), confidences 1 + alpha r);
 *  - the gradient against central differences of the objective;
 *  - every ALS sweep lowers the objective (exact block minimization);
 *  - the same objective after five sweeps as a one-process run (1, 2, 3
 *    processes: 31 rows, uneven blocks);
 *  - the refusals (--bias, --lambda-scale=count, a negative alpha). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "benign/benign.h"
#include "check.h"
#include "complete_fixture.h"
#include "problems/lowrank/complete_state.h"
#include "sparse/obs.h"

#define N1 31
#define N2 23
#define R 3
#define ALPHA 2.0
#define LAMBDA 0.3

/* The entries: about a third of the matrix, counts 0 to 4. */
static int fx_has(int i, int j) { return (i * 5 + j * 7) % 3 == 0; }
static double fx_count(int i, int j) { return (double)((i + 2 * j) % 5); }

static void fx_write(bn_ctx_t *ctx, const char *path) {
  int64_t row[N1 * N2], col[N1 * N2];
  double val[N1 * N2];
  bn_idx_t n = 0, total = 0;
  for (int i = 0; i < N1; i++)
    for (int j = 0; j < N2; j++)
      if (fx_has(i, j)) row[n] = i, col[n] = j, val[n++] = fx_count(i, j);
  bn_h5_t *f = NULL;
  CHECK_OK(ctx, bn_h5_create(ctx, path, 1e5, &f));
  CHECK_OK(ctx, bn_obs_write(ctx, f, "/omega", bn_ctx_rank(ctx) ? 0 : n, row,
                             col, val, N1, N2, &total));
  CHECK_OK(ctx, bn_h5_commit(f));
  bn_h5_close(f);
}

typedef struct fx {
  bn_optdef_t *defs;
  bn_opts_t *opts;
  bn_problem_t *p;
  const bn_objective_t *obj;
  double *x;
} fx_t;

static bn_status_t fx_open(bn_ctx_t *ctx, const char *input, const char *extra,
                           const char *value, fx_t *f) {
  memset(f, 0, sizeof(*f));
  f->defs = bn_problem_optdefs("complete");
  bn_opts_create(ctx, f->defs, &f->opts);
  bn_opts_set(f->opts, "input", input, BN_SRC_CMDLINE);
  bn_opts_set(f->opts, "rank", "3", BN_SRC_CMDLINE);
  bn_opts_set(f->opts, "loss", "implicit", BN_SRC_CMDLINE);
  bn_opts_set(f->opts, "alpha", "2", BN_SRC_CMDLINE);
  bn_opts_set(f->opts, "lambda", "0.3", BN_SRC_CMDLINE);
  if (extra) bn_opts_set(f->opts, extra, value, BN_SRC_CMDLINE);
  bn_status_t st = bn_problem_create(ctx, "complete", f->opts, &f->p);
  if (st != BN_OK) return st;
  f->obj = bn_problem_objective(f->p);
  f->x = calloc(f->obj->n + 1, sizeof(double));
  return bn_problem_init(f->p, f->x);
}

static void fx_close(fx_t *f) {
  bn_problem_destroy(f->p);
  bn_opts_destroy(f->opts);
  free(f->defs);
  free(f->x);
}

/* On rank 0: the objective from the whole matrix. */
static double dense_objective(const double *u, const double *v) {
  double fit = 0, ridge = 0;
  for (int i = 0; i < N1; i++)
    for (int j = 0; j < N2; j++) {
      double x = 0, r = fx_has(i, j) ? fx_count(i, j) : 0.0;
      for (int k = 0; k < R; k++) x += u[i * R + k] * v[j * R + k];
      double p = r > 0, c = 1 + ALPHA * r;
      fit += c * (p - x) * (p - x);
    }
  for (int k = 0; k < N1 * R; k++) ridge += u[k] * u[k];
  for (int k = 0; k < N2 * R; k++) ridge += v[k] * v[k];
  return 0.5 * fit + 0.5 * LAMBDA * ridge;
}

static void test_objective(bn_ctx_t *ctx, const char *input) {
  fx_t f;
  CHECK_OK(ctx, fx_open(ctx, input, NULL, NULL, &f));
  bn_complete_t *c = bn_problem_data(f.p);
  /* a point of order one, not the small start */
  for (size_t k = 0; k < f.obj->n; k++) f.x[k] *= 30.0;
  double fv = 0;
  CHECK_OK(ctx, f.obj->eval(f.obj->data, f.x, &fv, NULL));
  double u[N1 * R], v[N2 * R];
  fx_gather(ctx, f.x, c->nu, c->nv, R, u, v);
  if (bn_ctx_rank(ctx) == 0) CHECK_CLOSE(fv, dense_objective(u, v), 1e-12);
  /* the gradient against central differences of f along 3 directions */
  size_t n = f.obj->n;
  double *g = calloc(n + 1, sizeof(double)), *d = calloc(n + 1, sizeof(double)),
         *y = calloc(n + 1, sizeof(double));
  CHECK_OK(ctx, f.obj->eval(f.obj->data, f.x, &fv, g));
  for (int dir = 0; dir < 3; dir++) {
    bn_rng_fill_normal(7 + dir, 99, (uint64_t)bn_ctx_rank(ctx) * 100000, n, d);
    double gd = 0, h = 1e-5, fp = 0, fm = 0;
    for (size_t k = 0; k < n; k++) gd += g[k] * d[k];
    MPI_Allreduce(MPI_IN_PLACE, &gd, 1, MPI_DOUBLE, MPI_SUM, bn_ctx_comm(ctx));
    for (size_t k = 0; k < n; k++) y[k] = f.x[k] + h * d[k];
    CHECK_OK(ctx, f.obj->eval(f.obj->data, y, &fp, NULL));
    for (size_t k = 0; k < n; k++) y[k] = f.x[k] - h * d[k];
    CHECK_OK(ctx, f.obj->eval(f.obj->data, y, &fm, NULL));
    double fd = (fp - fm) / (2 * h);
    CHECK(fabs(fd - gd) <= 1e-6 * fabs(gd) && fabs(gd) > 1e-3,
          "direction %d: gradient %.12g, central difference %.12g", dir, gd,
          fd);
  }
  free(g), free(d), free(y);
  fx_close(&f);
}

/* Five sweeps: the objective after each; returns the last. */
static double sweeps(bn_ctx_t *ctx, const char *input) {
  fx_t f;
  double prev = INFINITY, fv = 0;
  int up = 0;
  CHECK_OK(ctx, fx_open(ctx, input, NULL, NULL, &f));
  for (int s = 0; s < 5; s++) {
    CHECK_OK(ctx, f.obj->sweep(f.obj->data, f.x));
    CHECK_OK(ctx, f.obj->eval(f.obj->data, f.x, &fv, NULL));
    up += fv > prev * (1 + 1e-12);
    prev = fv;
  }
  CHECK(up == 0, "%d sweeps raised the objective", up);
  fx_close(&f);
  return fv;
}

static void test_refusals(bn_ctx_t *ctx, const char *input) {
  static const char *const bad[][2] = {
      {"bias", "true"}, {"lambda-scale", "count"}, {"alpha", "-1"}};
  for (int k = 0; k < 3; k++) {
    fx_t f;
    bn_status_t st = fx_open(ctx, input, bad[k][0], bad[k][1], &f);
    CHECK(st == BN_ERR_ARG, "--%s=%s with --loss=implicit: status %d",
          bad[k][0], bad[k][1], (int)st);
    bn_error_clear(ctx);
    fx_close(&f);
  }
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  bn_ctx_t *ctx;
  bn_ctx_create(MPI_COMM_WORLD, &ctx);
  char dir[512], input[600];
  fx_tmpdir(MPI_COMM_WORLD, dir, sizeof(dir));
  snprintf(input, sizeof(input), "%s/in.h5", dir);
  fx_write(ctx, input);
  test_objective(ctx, input);
  double fall = sweeps(ctx, input);
  double fone = fall;
  if (bn_ctx_rank(ctx) == 0) {
    bn_ctx_t *self;
    bn_ctx_create(MPI_COMM_SELF, &self);
    fone = sweeps(self, input);
    bn_ctx_destroy(self);
  }
  MPI_Bcast(&fone, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  CHECK_CLOSE(fall, fone, 1e-10);
  test_refusals(ctx, input);
  bn_ctx_destroy(ctx);
  int rc = bn_test_finish("mpi_complete_implicit");
  MPI_Finalize();
  return rc;
}
