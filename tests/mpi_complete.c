/* Matrix completion: the objective against a serial recomputation, a
 * finite-difference check of the full gradient (data, balancing, ridge and
 * incoherence terms), the analytic Hessian-vector product against central
 * differences of the gradient and its symmetry (with and without the ridge
 * and an active incoherence penalty), ALS sweeps and balancing, and the
 * same initial point and answer as a one-process run. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "benign/benign.h"
#include "check.h"
#include "complete_fixture.h"
#include "hvp_check.h"
#include "problems/lowrank/complete_state.h"

#define N1 120
#define N2 90
#define R 3

typedef struct fx {
  bn_opts_t *opts;
  const bn_problem_ops_t *ops;
  void *data;
  bn_objective_t obj;
  double *x;
} fx_t;

static void fx_open(bn_ctx_t *ctx, bn_optdef_t *defs, const char *input,
                    const char *init, double lambda, double mu, fx_t *f) {
  char buf[64];
  memset(f, 0, sizeof(*f));
  CHECK_OK(ctx, bn_opts_create(ctx, defs, &f->opts));
  CHECK_OK(ctx, bn_opts_set(f->opts, "input", input, BN_SRC_CMDLINE));
  CHECK_OK(ctx, bn_opts_set(f->opts, "rank", "3", BN_SRC_CMDLINE));
  CHECK_OK(ctx, bn_opts_set(f->opts, "init", init, BN_SRC_CMDLINE));
  snprintf(buf, sizeof(buf), "%g", lambda);
  CHECK_OK(ctx, bn_opts_set(f->opts, "lambda", buf, BN_SRC_CMDLINE));
  snprintf(buf, sizeof(buf), "%g", mu);
  CHECK_OK(ctx, bn_opts_set(f->opts, "incoherence", buf, BN_SRC_CMDLINE));
  /* The count-scaled ridge and the biases: mpi_complete_bias.c. */
  CHECK_OK(ctx,
           bn_opts_set(f->opts, "lambda-scale", "uniform", BN_SRC_CMDLINE));
  f->ops = bn_problem_find("complete");
  CHECK_OK(ctx, f->ops->create(ctx, f->opts, &f->data));
  f->ops->objective(f->data, &f->obj);
  f->x = calloc(f->obj.n + 1, sizeof(double));
  CHECK_OK(ctx, f->ops->init(f->data, f->opts, f->x));
}

static void fx_close(fx_t *f) {
  f->ops->destroy(f->data);
  bn_opts_destroy(f->opts);
  free(f->x);
}

/* Serial objective from the file's entries and gathered factors. */
static double serial_objective(bn_ctx_t *ctx, const char *input,
                               const double *u, const double *v, double lambda,
                               double mu, double alpha) {
  bn_ctx_t *self;
  bn_ctx_create(MPI_COMM_SELF, &self);
  bn_h5_t *f;
  int nd;
  bn_idx_t dims[4];
  bn_h5_open(self, input, &f);
  bn_h5_shape(f, "/omega/row", &nd, dims);
  bn_idx_t n = dims[0];
  int64_t *row = malloc(n * sizeof(int64_t)),
          *col = malloc(n * sizeof(int64_t));
  double *val = malloc(n * sizeof(double));
  bn_h5_read_i64(f, "/omega/row", 0, n, row);
  bn_h5_read_i64(f, "/omega/col", 0, n, col);
  bn_h5_read_f64(f, "/omega/val", 0, n, val);
  bn_h5_close(f);
  double p = (double)n / (N1 * N2), fit = 0, bal = 0, ridge = 0, pen = 0;
  for (bn_idx_t e = 0; e < n; e++) {
    double res = -val[e];
    for (int k = 0; k < R; k++) res += u[row[e] * R + k] * v[col[e] * R + k];
    fit += res * res;
  }
  for (int a = 0; a < R; a++)
    for (int b = 0; b < R; b++) {
      double d = 0;
      for (int i = 0; i < N1; i++) d += u[i * R + a] * u[i * R + b];
      for (int j = 0; j < N2; j++) d -= v[j * R + a] * v[j * R + b];
      bal += d * d;
    }
  for (int i = 0; i < N1 * R; i++) ridge += u[i] * u[i];
  for (int j = 0; j < N2 * R; j++) ridge += v[j] * v[j];
  for (int i = 0; i < N1 + N2; i++) {
    const double *w = i < N1 ? u + i * R : v + (i - N1) * R;
    double nrm = sqrt(w[0] * w[0] + w[1] * w[1] + w[2] * w[2]);
    if (nrm > alpha) pen += pow(nrm - alpha, 4);
  }
  free(row);
  free(col);
  free(val);
  bn_ctx_destroy(self);
  (void)ctx;
  return fit / (2 * p) + bal / 8 + lambda / 2 * ridge + mu * pen;
}

static void test_objective_and_gradient(bn_ctx_t *ctx, bn_optdef_t *defs,
                                        const char *input) {
  fx_t f;
  /* Random init: far from the optimum, so every term is active; the
   * incoherence radius is derived from the data and is exceeded after a
   * scaling of the point. */
  fx_open(ctx, defs, input, "random", 0.3, 0.05, &f);
  bn_complete_t *c = f.data;
  for (size_t i = 0; i < f.obj.n; i++) f.x[i] *= 300.0;
  int rank = bn_ctx_rank(ctx);
  double *u = calloc(N1 * R, sizeof(double)),
         *v = calloc(N2 * R, sizeof(double));
  fx_gather(ctx, f.x, c->nu, c->nv, R, u, v);
  double fv;
  double *g = calloc(f.obj.n + 1, sizeof(double));
  double *xp = calloc(f.obj.n + 1, sizeof(double));
  CHECK_OK(ctx, f.obj.eval(f.data, f.x, &fv, g));
  if (rank == 0) {
    double ref = serial_objective(ctx, input, u, v, 0.3, 0.05, c->alpha);
    CHECK(fabs(fv - ref) <= 1e-10 * fabs(ref),
          "objective %.17g vs serial %.17g", fv, ref);
    double pen_on = 0; /* make sure the penalty is really active */
    for (int i = 0; i < N1; i++) {
      double nrm = sqrt(u[i * R] * u[i * R] + u[i * R + 1] * u[i * R + 1] +
                        u[i * R + 2] * u[i * R + 2]);
      pen_on += nrm > c->alpha;
    }
    CHECK(pen_on > 0, "incoherence penalty inactive (alpha %g)", c->alpha);
  }
  /* Central differences along random directions keyed by global index. */
  bn_idx_t u0 = bn_dist_first(c->rdist), v0 = bn_dist_first(c->cdist);
  for (int t = 0; t < 3; t++) {
    double *d = calloc(f.obj.n + 1, sizeof(double)), gd = 0, dd = 0;
    for (bn_idx_t i = 0; i < c->nu * R; i++)
      d[i] = bn_rng_normal(99, 100 + t, (uint64_t)(u0 * R + i), 0);
    for (bn_idx_t j = 0; j < c->nv * R; j++)
      d[c->nu * R + j] = bn_rng_normal(99, 200 + t, (uint64_t)(v0 * R + j), 0);
    for (size_t i = 0; i < f.obj.n; i++) gd += g[i] * d[i];
    MPI_Allreduce(MPI_IN_PLACE, &gd, 1, MPI_DOUBLE, MPI_SUM, bn_ctx_comm(ctx));
    double h = 1e-4, fp, fm;
    for (size_t i = 0; i < f.obj.n; i++) xp[i] = f.x[i] + h * d[i];
    CHECK_OK(ctx, f.obj.eval(f.data, xp, &fp, NULL));
    for (size_t i = 0; i < f.obj.n; i++) xp[i] = f.x[i] - h * d[i];
    CHECK_OK(ctx, f.obj.eval(f.data, xp, &fm, NULL));
    double fd = (fp - fm) / (2 * h);
    CHECK(fabs(fd - gd) <= 1e-6 * fabs(gd),
          "direction %d: FD %.12g vs <g,d> %.12g", t, fd, gd);
    (void)dd;
    free(d);
  }
  free(g);
  free(xp);
  free(u);
  free(v);
  fx_close(&f);
}

static double row_norm(const double *a) {
  return sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2]);
}

/* A direction keyed by global index (stream t), the same on any number of
 * processes. */
static void direction(bn_complete_t *c, int t, double *d) {
  bn_idx_t u0 = bn_dist_first(c->rdist), v0 = bn_dist_first(c->cdist);
  for (bn_idx_t i = 0; i < c->nu * R; i++)
    d[i] = bn_rng_normal(77, 300 + t, (uint64_t)(u0 * R + i), 0);
  for (bn_idx_t j = 0; j < c->nv * R; j++)
    d[c->nu * R + j] = bn_rng_normal(77, 400 + t, (uint64_t)(v0 * R + j), 0);
}

/* obj.hvp against central differences of the gradient, and <w, Hv> =
 * <v, Hw>: (a) ridge and incoherence, alpha set to half the largest row
 * norm so that some rows (not all) are penalised; (b) no ridge, no
 * penalty, from the spectral point (small residuals); (c) the same far
 * from the minimum. */
static void test_hvp(bn_ctx_t *ctx, bn_optdef_t *defs, const char *input) {
  const char *inits[3] = {"random", "spectral", "random"};
  const double lambda[3] = {0.3, 0.0, 0.0}, mu[3] = {0.05, 0.0, 0.0};
  const double scale[3] = {300.0, 1.0, 300.0};
  const char *names[3] = {"complete ridge+incoherence", "complete spectral",
                          "complete random"};
  for (int k = 0; k < 3; k++) {
    fx_t f;
    fx_open(ctx, defs, input, inits[k], lambda[k], mu[k], &f);
    bn_complete_t *c = f.data;
    for (size_t i = 0; i < f.obj.n; i++) f.x[i] *= scale[k];
    if (mu[k] > 0) {
      double mx = 0, cnt[2] = {0, (double)(c->nu + c->nv)};
      for (bn_idx_t i = 0; i < c->nu + c->nv; i++)
        mx = fmax(mx, row_norm(f.x + i * R));
      MPI_Allreduce(MPI_IN_PLACE, &mx, 1, MPI_DOUBLE, MPI_MAX,
                    bn_ctx_comm(ctx));
      c->alpha = 0.5 * mx;
      for (bn_idx_t i = 0; i < c->nu + c->nv; i++)
        cnt[0] += row_norm(f.x + i * R) > c->alpha;
      MPI_Allreduce(MPI_IN_PLACE, cnt, 2, MPI_DOUBLE, MPI_SUM,
                    bn_ctx_comm(ctx));
      CHECK(cnt[0] > 0 && cnt[0] < cnt[1],
            "%d of %g rows above alpha: the penalty's both branches are not "
            "exercised",
            (int)cnt[0], cnt[1]);
    }
    double *v = calloc(f.obj.n + 1, sizeof(double));
    double *w = calloc(f.obj.n + 1, sizeof(double));
    direction(c, 2 * k, v);
    direction(c, 2 * k + 1, w);
    double hn = hc_check(ctx, &f.obj, f.x, v, w, names[k]);
    CHECK(hn > 0, "%s: H v = 0", names[k]);
    free(v), free(w);
    fx_close(&f);
  }
}

static void test_als_and_balance(bn_ctx_t *ctx, bn_optdef_t *defs,
                                 const char *input) {
  fx_t f;
  fx_open(ctx, defs, input, "random", 0.01, 0.0, &f);
  bn_complete_t *c = f.data;
  double f0, f1, f2;
  CHECK_OK(ctx, f.obj.eval(f.data, f.x, &f0, NULL));
  CHECK_OK(ctx, f.obj.sweep(f.data, f.x));
  CHECK_OK(ctx, f.obj.eval(f.data, f.x, &f1, NULL));
  for (int k = 0; k < 30; k++) CHECK_OK(ctx, f.obj.sweep(f.data, f.x));
  CHECK_OK(ctx, f.obj.eval(f.data, f.x, &f2, NULL));
  CHECK(f1 < f0 && f2 < f1, "ALS objective %g -> %g -> %g", f0, f1, f2);
  double rel, rmse;
  CHECK_OK(ctx, f.obj.metrics(f.data, f.x, &rel, &rmse));
  CHECK(rel < 1e-2, "ALS with a small ridge: relative error %g", rel);
  /* Balancing: U^T U = V^T V afterwards, product unchanged. */
  for (size_t i = 0; i < (size_t)(c->nu * R); i++) f.x[i] *= 3.0;
  for (size_t i = (size_t)(c->nu * R); i < f.obj.n; i++) f.x[i] /= 3.0;
  double rel_b;
  CHECK_OK(ctx, f.obj.metrics(f.data, f.x, &rel, &rmse));
  CHECK_OK(ctx, bn_complete_balance(c, f.x));
  CHECK_OK(ctx, f.obj.metrics(f.data, f.x, &rel_b, &rmse));
  CHECK(fabs(rel - rel_b) <= 1e-9, "balancing changed the product: %g vs %g",
        rel, rel_b);
  double guu[R * R] = {0}, gvv[R * R] = {0};
  bn_gram_local(R, c->nu, f.x, f.x, guu);
  bn_gram_local(R, c->nv, f.x + c->nu * R, f.x + c->nu * R, gvv);
  bn_allreduce_sum(ctx, guu, R * R);
  bn_allreduce_sum(ctx, gvv, R * R);
  for (int a = 0; a < R * R; a++)
    CHECK(fabs(guu[a] - gvv[a]) <= 1e-9 * (1 + fabs(guu[a])),
          "U^T U != V^T V after balancing at %d: %g vs %g", a, guu[a], gvv[a]);
  fx_close(&f);
}

/* Same initial point (spectral and random) and the same answer as a
 * one-process run made on rank 0 alone. */
static void test_same_on_one_process(bn_ctx_t *ctx, bn_optdef_t *defs,
                                     const char *input) {
  const char *inits[2] = {"spectral", "random"};
  int rank = bn_ctx_rank(ctx);
  for (int k = 0; k < 2; k++) {
    double *u = calloc(N1 * R, sizeof(double)),
           *v = calloc(N2 * R, sizeof(double));
    double *u1 = calloc(N1 * R, sizeof(double)),
           *v1 = calloc(N2 * R, sizeof(double));
    fx_t f;
    fx_open(ctx, defs, input, inits[k], 0.0, 0.0, &f);
    bn_complete_t *c = f.data;
    fx_gather(ctx, f.x, c->nu, c->nv, R, u, v);
    bn_solver_t *s;
    bn_solver_params_t p;
    bn_solver_params_default(&p);
    p.tol = 1e-10;
    p.max_iter = 500;
    p.progress = false;
    CHECK_OK(ctx, bn_solver_create(ctx, "gd", &s));
    bn_solver_set_params(s, &p);
    CHECK_OK(ctx, bn_solver_solve(s, &f.obj, f.x));
    CHECK(bn_solver_reason(s) > 0, "%s: not converged (%s)", inits[k],
          bn_reason_string(bn_solver_reason(s)));
    double rel, rmse;
    CHECK_OK(ctx, f.obj.metrics(f.data, f.x, &rel, &rmse));
    CHECK(rel < 1e-6, "%s init: relative error %g", inits[k], rel);
    double *uf = calloc(N1 * R, sizeof(double)),
           *vf = calloc(N2 * R, sizeof(double));
    fx_gather(ctx, f.x, c->nu, c->nv, R, uf, vf);
    bn_solver_destroy(s);
    fx_close(&f);
    if (rank == 0) {
      bn_ctx_t *self;
      bn_ctx_create(MPI_COMM_SELF, &self);
      fx_t g;
      fx_open(self, defs, input, inits[k], 0.0, 0.0, &g);
      memcpy(u1, g.x, N1 * R * sizeof(double));
      memcpy(v1, g.x + N1 * R, N2 * R * sizeof(double));
      double diff = 0, nrm = 0;
      for (int i = 0; i < N1 * R; i++) {
        diff = fmax(diff, fabs(u[i] - u1[i]));
        nrm = fmax(nrm, fabs(u1[i]));
      }
      for (int j = 0; j < N2 * R; j++) {
        diff = fmax(diff, fabs(v[j] - v1[j]));
        nrm = fmax(nrm, fabs(v1[j]));
      }
      CHECK(diff <= 1e-10 * nrm,
            "%s init differs from 1 process: %g (scale %g)", inits[k], diff,
            nrm);
      bn_solver_t *s1;
      bn_solver_create(self, "gd", &s1);
      bn_solver_set_params(s1, &p);
      CHECK_OK(self, bn_solver_solve(s1, &g.obj, g.x));
      /* Compare the products U V^T entry by entry. */
      double md = 0, mm = 0;
      for (int i = 0; i < N1; i++)
        for (int j = 0; j < N2; j++) {
          double a = 0, b = 0;
          for (int q = 0; q < R; q++) {
            a += uf[i * R + q] * vf[j * R + q];
            b += g.x[i * R + q] * g.x[N1 * R + j * R + q];
          }
          md = fmax(md, fabs(a - b));
          mm = fmax(mm, fabs(b));
        }
      CHECK(md <= 1e-8 * mm, "%s: answer differs from 1 process by %g",
            inits[k], md);
      bn_solver_destroy(s1);
      fx_close(&g);
      bn_ctx_destroy(self);
    }
    free(u), free(v), free(u1), free(v1), free(uf), free(vf);
  }
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  bn_ctx_t *ctx;
  bn_ctx_create(MPI_COMM_WORLD, &ctx);
  char dir[512], input[600];
  fx_tmpdir(MPI_COMM_WORLD, dir, sizeof(dir));
  snprintf(input, sizeof(input), "%s/in.h5", dir);
  bn_complete_gen_t g = {N1,  N2, R,   0.3, 0.0, 0.0,
                         2.0, 5,  0.0, 0.0, 0.0, false};
  CHECK_OK(ctx, bn_generate_complete(ctx, &g, input, NULL));
  bn_optdef_t *defs = fx_defs();
  test_objective_and_gradient(ctx, defs, input);
  test_hvp(ctx, defs, input);
  test_als_and_balance(ctx, defs, input);
  test_same_on_one_process(ctx, defs, input);
  free(defs);
  MPI_Barrier(MPI_COMM_WORLD);
  if (bn_ctx_rank(ctx) == 0) {
    unlink(input);
    rmdir(dir);
  }
  bn_ctx_destroy(ctx);
  int rc = bn_test_finish("mpi_complete");
  MPI_Finalize();
  return rc;
}
