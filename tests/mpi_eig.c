/* Leading eigenvectors (benign eig), dense and sparse input, k = 1 (the
 * sphere) and k = 4 (Stiefel):
 *  - at a random point: the retraction lands on X^T X = I, the gradient is
 *    tangent, its inner product with a tangent V matches a central
 *    difference of f along the retraction curve R(X + t V), the Hessian
 *    matches the projected central difference of gradients and is
 *    symmetric;
 *  - the answer from the spectral and a random start against ScaLAPACK
 *    pdsyevd of the same matrix: Ritz values to 1e-8 (relative), subspace
 *    to 1e-6 (sine of the largest principal angle); the generator's truth
 *    against pdsyevd too;
 *  - the same initial point and answer as one process (the test runs at 1,
 *    2 and 3 processes; n = 200 splits unevenly at 3, sparse rows are
 *    balanced by entries);
 *  - the metric with fewer truth columns than k;
 *  - a save/load round trip onto one process. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "factor_fixture.h"
#include "hvp_check.h"
#include "problem_fixture.h"
#include "problems/eig/eig.h"

#define N 200
#define KT 4

typedef struct fx {
  bn_opts_t *opts;
  const bn_problem_ops_t *ops;
  bn_eig_t *e;
  bn_objective_t obj;
  double *x;
} fx_t;

/* The problem's keys plus the shared solve keys. */
static bn_optdef_t *fx_defs(void) { return fx_problem_defs("eig", NULL); }

static void fx_open(bn_ctx_t *ctx, bn_optdef_t *defs, const char *input, int k,
                    const char *init, fx_t *f) {
  void *data = NULL;
  char buf[16];
  memset(f, 0, sizeof(*f));
  snprintf(buf, sizeof(buf), "%d", k);
  CHECK_OK(ctx, bn_opts_create(ctx, defs, &f->opts));
  CHECK_OK(ctx, bn_opts_set(f->opts, "input", input, BN_SRC_CMDLINE));
  CHECK_OK(ctx, bn_opts_set(f->opts, "k", buf, BN_SRC_CMDLINE));
  CHECK_OK(ctx, bn_opts_set(f->opts, "init", init, BN_SRC_CMDLINE));
  f->ops = bn_problem_find("eig");
  CHECK_OK(ctx, f->ops->create(ctx, f->opts, &data));
  f->e = data;
  f->ops->objective(data, &f->obj);
  f->x = calloc(f->obj.n + 1, sizeof(double));
  CHECK_OK(ctx, f->ops->init(data, f->opts, f->x));
}

static void fx_close(fx_t *f) {
  f->ops->destroy(f->e);
  bn_opts_destroy(f->opts);
  free(f->x);
}

/* max |X^T X - I| (collective). */
static double fx_orth(fx_t *f) {
  int k = f->e->k;
  double g[KT * KT], e = 0;
  bn_eig_gram(f->e, k, f->x, k, k, f->x, k, g);
  for (int a = 0; a < k; a++)
    for (int b = 0; b < k; b++) e = fmax(e, fabs(g[a * k + b] - (a == b)));
  return e;
}

/* A tangent direction at x keyed by global index. */
static void fx_tangent(fx_t *f, int t, double *v) {
  bn_idx_t m0 = f->e->r0 * f->e->k;
  for (size_t i = 0; i < f->obj.n; i++)
    v[i] = bn_rng_normal(7, 200 + t, (uint64_t)(m0 + (bn_idx_t)i), 0);
  bn_eig_project(f->e, f->x, v);
}

static void test_derivatives(bn_ctx_t *ctx, bn_optdef_t *defs,
                             const char *input, int k, const char *name) {
  fx_t f;
  fx_open(ctx, defs, input, k, "random", &f);
  size_t n = f.obj.n + 1;
  double *g = calloc(n, 8), *v = calloc(n, 8), *u = calloc(n, 8);
  double *xp = calloc(n, 8), *gp = calloc(n, 8), *gm = calloc(n, 8);
  double *hv = calloc(n, 8), *hu = calloc(n, 8), fv, fp, fm;
  CHECK(fx_orth(&f) < 1e-14, "%s: |X^T X - I| = %g after retract", name,
        fx_orth(&f));
  CHECK_OK(ctx, f.obj.eval(f.e, f.x, &fv, g));
  memcpy(u, g, f.obj.n * sizeof(double));
  CHECK_OK(ctx, bn_eig_project(f.e, f.x, u));
  double off = 0, gn = hc_dot(ctx, g, g, f.obj.n);
  for (size_t i = 0; i < f.obj.n; i++) off += (u[i] - g[i]) * (u[i] - g[i]);
  MPI_Allreduce(MPI_IN_PLACE, &off, 1, MPI_DOUBLE, MPI_SUM, bn_ctx_comm(ctx));
  CHECK(sqrt(off) <= 1e-13 * sqrt(gn), "%s: gradient not tangent (%g)", name,
        sqrt(off / gn));
  for (int t = 0; t < 3; t++) {
    const double h = 1e-5;
    fx_tangent(&f, t, v);
    fx_tangent(&f, t + 10, u);
    double gv = hc_dot(ctx, g, v, f.obj.n);
    for (size_t i = 0; i < f.obj.n; i++) xp[i] = f.x[i] + h * v[i];
    CHECK_OK(ctx, bn_eig_retract(f.e, xp));
    CHECK_OK(ctx, f.obj.eval(f.e, xp, &fp, gp));
    for (size_t i = 0; i < f.obj.n; i++) xp[i] = f.x[i] - h * v[i];
    CHECK_OK(ctx, bn_eig_retract(f.e, xp));
    CHECK_OK(ctx, f.obj.eval(f.e, xp, &fm, gm));
    double fd = (fp - fm) / (2 * h);
    CHECK(fabs(fd - gv) <= 1e-6 * fabs(gv),
          "%s: gradient along R(X + tV) %d: FD %.12g vs %.12g", name, t, fd,
          gv);
    /* Hess[V] = P_X(d/dt grad f(R(X + t V))) at t = 0. */
    for (size_t i = 0; i < f.obj.n; i++) gp[i] = (gp[i] - gm[i]) / (2 * h);
    CHECK_OK(ctx, bn_eig_project(f.e, f.x, gp));
    CHECK_OK(ctx, f.obj.hvp(f.e, f.x, v, hv));
    CHECK_OK(ctx, f.obj.hvp(f.e, f.x, u, hu));
    double s[2] = {0, 0};
    for (size_t i = 0; i < f.obj.n; i++) {
      s[0] += (gp[i] - hv[i]) * (gp[i] - hv[i]);
      s[1] += hv[i] * hv[i];
    }
    MPI_Allreduce(MPI_IN_PLACE, s, 2, MPI_DOUBLE, MPI_SUM, bn_ctx_comm(ctx));
    CHECK(sqrt(s[0]) <= 1e-6 * sqrt(s[1]),
          "%s: hvp %d: |FD - Hv| = %g, |Hv| "
          "= %g",
          name, t, sqrt(s[0]), sqrt(s[1]));
    double uhv = hc_dot(ctx, u, hv, f.obj.n), vhu = hc_dot(ctx, v, hu, f.obj.n);
    CHECK(fabs(uhv - vhu) <= 1e-12 * (fabs(uhv) + fabs(vhu)),
          "%s: <U, H V> = %.15g but <V, H U> = %.15g", name, uhv, vhu);
  }
  free(g), free(v), free(u), free(xp), free(gp), free(gm), free(hv), free(hu);
  fx_close(&f);
}

/* Rank 0: every eigenvalue (ascending) and eigenvector (columns of z,
 * n x n row-major) of the dense A by pdsyevd on the default grid. */
static void reference(bn_ctx_t *ctx, bn_eig_t *e, double *w, double *z) {
  bn_bcmat_t *a = NULL, *q = NULL;
  int da[9], dz[9], one = 1, info = 0, lwork = -1, liwork = 1, iq = 0;
  int n = (int)e->n;
  double query = 0.0;
  CHECK_OK(ctx, bn_dmat_to_bc(e->amat, 0, 0, 8, 8, &a));
  memcpy(da, bn_bcmat_desc(a), sizeof(da));
  double *al = bn_bcmat_local(a, NULL, NULL);
  q = ff_bc_zero(ctx, n, n, da[BN_DESC_CTXT], dz);
  double *ql = bn_bcmat_local(q, NULL, NULL);
  pdsyevd_("V", "U", &n, al, &one, &one, da, w, ql, &one, &one, dz, &query,
           &lwork, &iq, &liwork, &info, 1, 1);
  CHECK(info == 0, "pdsyevd query: info %d", info);
  lwork = (int)query + 1;
  liwork = iq > 1 ? iq : 1;
  double *work = malloc((size_t)lwork * sizeof(double));
  int *iwork = malloc((size_t)liwork * sizeof(int));
  pdsyevd_("V", "U", &n, al, &one, &one, da, w, ql, &one, &one, dz, work,
           &lwork, iwork, &liwork, &info, 1, 1);
  CHECK(info == 0, "pdsyevd: info %d", info);
  free(work), free(iwork);
  ff_bc_gather(ctx, q, n, n, z);
  bn_bcmat_destroy(a);
  bn_bcmat_destroy(q);
}

/* Rank 0: sin of the largest principal angle between span(x) (the first k
 * columns of an n x ldx array) and span(t) (columns c0 .. c0 + k - 1 of an
 * n x ldt array), both orthonormal. */
static double sin_angle(bn_ctx_t *ctx, int k, const double *x, int ldx,
                        const double *t, int ldt, int c0) {
  double c[KT * KT], gw[KT * KT], lam[KT], *w = malloc(N * KT * 8);
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, k, k, N, 1.0, t + c0,
              ldt, x, ldx, 0.0, c, k);
  for (int i = 0; i < N; i++) memcpy(w + i * k, x + i * ldx, (size_t)k * 8);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, k, k, -1.0, t + c0,
              ldt, c, k, 1.0, w, k);
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, k, k, N, 1.0, w, k, w, k,
              0.0, gw, k);
  CHECK_OK(ctx, bn_eig_small_syev(ctx, k, gw, lam, NULL));
  free(w);
  return sqrt(fmax(lam[0], 0.0));
}

/* Solve; Ritz values and X on rank 0 (vals k, x n x k). */
static void run(bn_ctx_t *ctx, bn_optdef_t *defs, const char *input, int k,
                const char *init, double *x0, double *vals, double *x,
                double *rel) {
  fx_t f;
  double rmse;
  fx_open(ctx, defs, input, k, init, &f);
  ff_gather(ctx, f.x, f.e->nl, k, x0);
  fx_solve(ctx, "gd", &f.obj, f.x, 1e-11, 3000);
  CHECK(fx_orth(&f) < 1e-13, "%s k=%d: |X^T X - I| = %g at the end", input, k,
        fx_orth(&f));
  CHECK_OK(ctx, f.obj.metrics(f.e, f.x, rel, &rmse));
  CHECK_OK(ctx, bn_eig_ritz(f.e, f.x, vals, NULL));
  ff_gather(ctx, f.x, f.e->nl, k, x);
  fx_close(&f);
}

/* Against pdsyevd (w ascending, z columns), and as one process. */
static void test_answer(bn_ctx_t *ctx, bn_optdef_t *defs, const char *input,
                        int k, const double *w, const double *z,
                        const char *name) {
  const char *inits[2] = {"spectral", "random"};
  double *x0 = calloc(N * KT, 8), *x = calloc(N * KT, 8), vals[KT], rel;
  double *y0 = calloc(N * KT, 8), *y = calloc(N * KT, 8), v1[KT], r1;
  for (int it = 0; it < 2; it++) {
    run(ctx, defs, input, k, inits[it], x0, vals, x, &rel);
    CHECK(rel < 1e-6, "%s k=%d %s: sin(angle to /truth/X) = %g", name, k,
          inits[it], rel);
    if (bn_ctx_rank(ctx) == 0) {
      for (int j = 0; j < k; j++)
        CHECK(fabs(vals[j] - w[N - 1 - j]) <= 1e-8 * fabs(w[N - 1 - j]),
              "%s k=%d %s: eigenvalue %d: %.15g, pdsyevd %.15g", name, k,
              inits[it], j, vals[j], w[N - 1 - j]);
      double s = sin_angle(ctx, k, x, k, z, N, N - k);
      CHECK(s < 1e-6, "%s k=%d %s: sin(angle to pdsyevd) = %g", name, k,
            inits[it], s);
    }
    if (bn_ctx_rank(ctx) == 0 && bn_ctx_size(ctx) > 1) {
      bn_ctx_t *self;
      bn_ctx_create(MPI_COMM_SELF, &self);
      run(self, defs, input, k, inits[it], y0, v1, y, &r1);
      double d0 = 0;
      for (int i = 0; i < N * k; i++) d0 = fmax(d0, fabs(y0[i] - x0[i]));
      CHECK(d0 < 1e-13,
            "%s k=%d %s: initial point differs from 1 process by "
            "%g",
            name, k, inits[it], d0);
      for (int j = 0; j < k; j++)
        CHECK(fabs(v1[j] - vals[j]) <= 1e-12 * fabs(vals[j]),
              "%s k=%d %s: eigenvalue %d %.15g, 1 process %.15g", name, k,
              inits[it], j, vals[j], v1[j]);
      double s = sin_angle(self, k, x, k, y, k, 0);
      CHECK(s < 1e-8, "%s k=%d %s: subspace differs from 1 process (sin %g)",
            name, k, inits[it], s);
      bn_ctx_destroy(self);
    }
  }
  free(x0), free(x), free(y0), free(y);
}

/* The reference on rank 0 from the dense file; its top KT eigenpairs
 * against the generator's truth. */
static void test_reference(bn_ctx_t *ctx, bn_optdef_t *defs, const char *input,
                           double *w, double *z) {
  fx_t f;
  fx_open(ctx, defs, input, KT, "random", &f);
  reference(ctx, f.e, w, z);
  double *t = calloc(N * KT, 8);
  ff_gather(ctx, bn_dmat_cdata(f.e->tx), f.e->nl, KT, t);
  if (bn_ctx_rank(ctx) == 0) {
    for (int j = 0; j < KT; j++)
      CHECK(fabs(w[N - 1 - j] - f.e->tlam[j]) <= 1e-12 * f.e->tlam[j],
            "%s: pdsyevd eigenvalue %.15g, generator %.15g", input,
            w[N - 1 - j], f.e->tlam[j]);
    for (int j = 1; j <= KT; j++) /* each top subspace, nested */
      CHECK(sin_angle(ctx, j, t, KT, z, N, N - j) < 1e-10,
            "%s: /truth/X[:, :%d] is not pdsyevd's top-%d eigenspace", input, j,
            j);
  }
  free(t);
  fx_close(&f);
}

/* Fewer truth columns than k: the metric is the angle of span(truth) to
 * span(X): about 1 for a random X, 0 once X contains the truth. */
static void test_metric_fewer(bn_ctx_t *ctx, bn_optdef_t *defs,
                              const char *input) {
  fx_t f;
  double rel, rmse;
  fx_open(ctx, defs, input, 2, "random", &f);
  CHECK(f.e->kt == 1, "%s: %d truth columns, expected 1", input, f.e->kt);
  CHECK_OK(ctx, f.obj.metrics(f.e, f.x, &rel, &rmse));
  CHECK(rel > 0.9, "kt = 1 < k = 2, random X: sin = %g, expected about 1", rel);
  const double *t = bn_dmat_cdata(f.e->tx);
  for (bn_idx_t i = 0; i < f.e->nl; i++) f.x[2 * i] = t[i];
  CHECK_OK(ctx, bn_eig_retract(f.e, f.x));
  CHECK_OK(ctx, f.obj.metrics(f.e, f.x, &rel, &rmse));
  CHECK(rel < 1e-13, "kt = 1 < k = 2, truth in span(X): sin = %g", rel);
  fx_close(&f);
}

static void test_save_load(bn_ctx_t *ctx, bn_optdef_t *defs, const char *input,
                           const char *path) {
  fx_t f;
  fx_open(ctx, defs, input, KT, "random", &f);
  double *full = calloc(N * KT, 8);
  ff_gather(ctx, f.x, f.e->nl, KT, full);
  bn_h5_t *h = NULL;
  CHECK_OK(ctx, bn_h5_create(ctx, path, 0, &h));
  CHECK_OK(ctx, f.ops->save(f.e, f.x, h, "/"));
  CHECK_OK(ctx, bn_h5_commit(h));
  bn_h5_close(h);
  fx_close(&f);
  if (bn_ctx_rank(ctx) == 0) {
    bn_ctx_t *self;
    bn_ctx_create(MPI_COMM_SELF, &self);
    fx_t g;
    fx_open(self, defs, input, KT, "spectral", &g);
    CHECK_OK(self, bn_h5_open(self, path, &h));
    CHECK_OK(self, g.ops->load(g.e, h, "/", g.x));
    bn_h5_close(h);
    int same = 1;
    for (int i = 0; i < N * KT; i++) same &= g.x[i] == full[i];
    CHECK(same, "save/load: X differs after the round trip");
    fx_close(&g);
    bn_ctx_destroy(self);
  }
  free(full);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  bn_ctx_t *ctx;
  bn_ctx_create(MPI_COMM_WORLD, &ctx);
  char dir[512], in[3][600], out[600];
  ff_tmpdir(MPI_COMM_WORLD, dir, sizeof(dir));
  /* Dense with one random rotation; dense and sparse with 16 x 16 blocks
   * (the same matrix). */
  bn_eig_gen_t g[3] = {{N, N, KT, 0.5, "dense", 3},
                       {N, 16, KT, 0.5, "dense", 4},
                       {N, 16, KT, 0.5, "sparse", 4}};
  const char *names[3] = {"dense", "dense-blocks", "sparse"};
  for (int k = 0; k < 3; k++) {
    snprintf(in[k], sizeof(in[k]), "%s/%s.h5", dir, names[k]);
    CHECK_OK(ctx, bn_generate_eig(ctx, &g[k], in[k]));
  }
  bn_optdef_t *defs = fx_defs();
  double *w = calloc(N, 8), *z = calloc(N * N, 8);
  for (int k = 0; k < 3; k++) {
    if (k < 2) test_reference(ctx, defs, in[k], w, z);
    for (int kk = 1; kk <= KT; kk += KT - 1) {
      test_derivatives(ctx, defs, in[k], kk, names[k]);
      test_answer(ctx, defs, in[k], kk, w, z, names[k]);
    }
  }
  bn_eig_gen_t g1 = {N, N, 1, 0.5, "dense", 5};
  snprintf(out, sizeof(out), "%s/k1.h5", dir);
  CHECK_OK(ctx, bn_generate_eig(ctx, &g1, out));
  test_metric_fewer(ctx, defs, out);
  MPI_Barrier(MPI_COMM_WORLD);
  if (bn_ctx_rank(ctx) == 0) unlink(out);
  snprintf(out, sizeof(out), "%s/saved.h5", dir);
  test_save_load(ctx, defs, in[2], out);
  free(w), free(z), free(defs);
  MPI_Barrier(MPI_COMM_WORLD);
  if (bn_ctx_rank(ctx) == 0) {
    for (int k = 0; k < 3; k++) unlink(in[k]);
    unlink(out);
    rmdir(dir);
  }
  bn_ctx_destroy(ctx);
  int rc = bn_test_finish("mpi_eig");
  MPI_Finalize();
  return rc;
}
