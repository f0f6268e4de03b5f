/* Robust PCA, --method=altproj: the objective's gradient against finite
 * differences (fixed threshold), two projections against a serial dense
 * recomputation (S = H_zeta(M - L), P_T(M - S) from the SVD of L, its best
 * rank-r part by a full SVD, the next zeta), and a solve by the sweep to
 * relative error 1e-8 with the same iterates as a one-process run. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "benign/benign.h"
#include "check.h"
#include "complete_fixture.h"
#include "problem_fixture.h"
#include "problems/lowrank/rpca_state.h"

#define N1 120
#define N2 90
#define R 3

typedef fx_prob_t fx_t;

static void fx_open(bn_ctx_t *ctx, bn_optdef_t *defs, const char *input,
                    fx_t *f) {
  memset(f, 0, sizeof(*f));
  CHECK_OK(ctx, bn_opts_create(ctx, defs, &f->opts));
  CHECK_OK(ctx, bn_opts_set(f->opts, "input", input, BN_SRC_CMDLINE));
  CHECK_OK(ctx, bn_opts_set(f->opts, "rank", "3", BN_SRC_CMDLINE));
  CHECK_OK(ctx, bn_opts_set(f->opts, "alpha", "0.15", BN_SRC_CMDLINE));
  CHECK_OK(ctx, bn_opts_set(f->opts, "method", "altproj", BN_SRC_CMDLINE));
  fx_prob_make(ctx, "rpca", f);
}

static double max_rel(const double *a, const double *b, size_t n) {
  double d = 0, m = 0;
  for (size_t i = 0; i < n; i++) {
    d = fmax(d, fabs(a[i] - b[i]));
    m = fmax(m, fabs(b[i]));
  }
  return d / (m > 0 ? m : 1);
}

/* <g, d> against (f(x + h d) - f(x - h d)) / 2h at the spectral start, the
 * threshold and the support of S fixed. */
static void test_gradient(bn_ctx_t *ctx, bn_optdef_t *defs, const char *in) {
  fx_t f;
  fx_open(ctx, defs, in, &f);
  bn_rpca_t *c = f.data;
  double fv, *g = calloc(f.obj.n + 1, 8), *xp = calloc(f.obj.n + 1, 8);
  CHECK_OK(ctx, f.obj.eval(f.data, f.x, &fv, g));
  CHECK(c->ap->zeta_set && c->ap->zeta > 0, "zeta_0 not set (%g)", c->ap->zeta);
  const double kept = c->ap->kept;
  CHECK(kept > 0.03 * N1 * N2 && kept < 0.2 * N1 * N2,
        "S at the start holds %.0f entries (5%% corrupted)", kept);
  bn_idx_t u0 = bn_dist_first(c->rdist), v0 = bn_dist_first(c->cdist);
  for (int t = 0; t < 3; t++) {
    double *d = calloc(f.obj.n + 1, 8), gd = 0, fp, fm, h = 1e-6;
    for (bn_idx_t i = 0; i < c->nu * R; i++)
      d[i] = bn_rng_normal(7, 100 + t, (uint64_t)(u0 * R + i), 0);
    for (bn_idx_t j = 0; j < c->nv * R; j++)
      d[c->nu * R + j] = bn_rng_normal(7, 200 + t, (uint64_t)(v0 * R + j), 0);
    for (size_t i = 0; i < f.obj.n; i++) gd += g[i] * d[i];
    bn_allreduce_sum(ctx, &gd, 1);
    for (size_t i = 0; i < f.obj.n; i++) xp[i] = f.x[i] + h * d[i];
    CHECK_OK(ctx, f.obj.eval(f.data, xp, &fp, NULL));
    CHECK(c->ap->kept == kept, "support of S changed within h");
    for (size_t i = 0; i < f.obj.n; i++) xp[i] = f.x[i] - h * d[i];
    CHECK_OK(ctx, f.obj.eval(f.data, xp, &fm, NULL));
    CHECK(c->ap->kept == kept, "support of S changed within h");
    double fd = (fp - fm) / (2 * h);
    CHECK(fabs(fd - gd) <= 1e-6 * fabs(gd), "direction %d: FD %.12g vs %.12g",
          t, fd, gd);
    free(d);
  }
  free(g), free(xp);
  fx_prob_close(&f);
}

/* a = a b (n1 x k times k x n2) into out. */
static void matmul(int n1, int k, int n2, const double *a, const double *b,
                   double *out) {
  for (int i = 0; i < n1; i++)
    for (int j = 0; j < n2; j++) {
      double s = 0;
      for (int l = 0; l < k; l++) s += a[i * k + l] * b[l * n2 + j];
      out[i * n2 + j] = s;
    }
}

/* Serial projection (rank 0): from M and L = X Y^T with threshold zeta,
 * the next L (lnew) and zeta (returned). */
static double serial_step(bn_ctx_t *self, const double *m, const double *x,
                          const double *y, double zeta, double beta,
                          double decay, int t, double *lnew) {
  const int n1 = N1, n2 = N2, r = R;
  double *l = calloc(n1 * n2, 8), *d = calloc(n1 * n2, 8);
  double *u = calloc(n1 * n2, 8), *s = calloc(n2, 8), *vt = calloc(n2 * n2, 8);
  double *pu = calloc(n1 * n1, 8), *pv = calloc(n2 * n2, 8);
  double *t1 = calloc(n1 * n2, 8), *pt = calloc(n1 * n2, 8);
  for (int i = 0; i < n1; i++)
    for (int j = 0; j < n2; j++) {
      double v = 0;
      for (int a = 0; a < r; a++) v += x[i * r + a] * y[j * r + a];
      l[i * n2 + j] = v;
      double res = m[i * n2 + j] - v;
      d[i * n2 + j] = m[i * n2 + j] - (fabs(res) > zeta ? res : 0.0);
    }
  /* The projectors U U^T (n1 x n1) and V V^T (n2 x n2) from L's SVD. */
  CHECK_OK(self, bn_small_svd(self, n1, n2, l, u, s, vt));
  for (int i = 0; i < n1; i++)
    for (int k = 0; k < n1; k++) {
      double v = 0;
      for (int a = 0; a < r; a++) v += u[i * n2 + a] * u[k * n2 + a];
      pu[i * n1 + k] = v;
    }
  for (int j = 0; j < n2; j++)
    for (int k = 0; k < n2; k++) {
      double v = 0;
      for (int a = 0; a < r; a++) v += vt[a * n2 + j] * vt[a * n2 + k];
      pv[j * n2 + k] = v;
    }
  /* P_T D = Pu D + D Pv - Pu D Pv. */
  matmul(n1, n1, n2, pu, d, t1);
  matmul(n1, n2, n2, t1, pv, pt);
  for (int e = 0; e < n1 * n2; e++) pt[e] = t1[e] - pt[e];
  matmul(n1, n2, n2, d, pv, t1);
  for (int e = 0; e < n1 * n2; e++) pt[e] += t1[e];
  CHECK_OK(self, bn_small_svd(self, n1, n2, pt, u, s, vt));
  for (int i = 0; i < n1; i++)
    for (int j = 0; j < n2; j++) {
      double v = 0;
      for (int a = 0; a < r; a++) v += u[i * n2 + a] * s[a] * vt[a * n2 + j];
      lnew[i * n2 + j] = v;
    }
  double z = beta * (s[r] + pow(decay, t) * s[0]);
  free(l), free(d), free(u), free(s), free(vt), free(pu), free(pv);
  free(t1), free(pt);
  return z;
}

static void lowrank(const double *x, const double *y, double *l) {
  for (int i = 0; i < N1; i++)
    for (int j = 0; j < N2; j++) {
      double v = 0;
      for (int a = 0; a < R; a++) v += x[i * R + a] * y[j * R + a];
      l[i * N2 + j] = v;
    }
}

/* Two sweeps from the spectral start against serial_step. */
static void test_projection(bn_ctx_t *ctx, bn_optdef_t *defs, const char *in) {
  fx_t f;
  fx_open(ctx, defs, in, &f);
  bn_rpca_t *c = f.data;
  const int rank = bn_ctx_rank(ctx);
  double *m = calloc(N1 * N2, 8), *x = calloc(N1 * R, 8),
         *y = calloc(N2 * R, 8);
  double *lref = calloc(N1 * N2, 8), *l = calloc(N1 * N2, 8), fv;
  fx_gather(ctx, bn_dmat_cdata(c->m), c->nu, 0, N2, m, NULL);
  bn_ctx_t *self = NULL;
  if (rank == 0) bn_ctx_create(MPI_COMM_SELF, &self);
  for (int t = 1; t <= 2; t++) {
    CHECK_OK(ctx, f.obj.eval(f.data, f.x, &fv, NULL));
    const double zeta = c->ap->zeta;
    fx_gather(ctx, f.x, c->nu, c->nv, R, x, y);
    CHECK_OK(ctx, f.obj.sweep(f.data, f.x));
    CHECK(c->ap->iter == t, "sweep %d: iteration count %lld", t,
          (long long)c->ap->iter);
    double zref = 0;
    if (rank == 0)
      zref =
          serial_step(self, m, x, y, zeta, c->ap->beta, c->ap->decay, t, lref);
    fx_gather(ctx, f.x, c->nu, c->nv, R, x, y);
    if (rank == 0) {
      lowrank(x, y, l);
      double e = max_rel(l, lref, N1 * N2);
      CHECK(e <= 1e-9, "sweep %d: L differs from the serial projection by %g",
            t, e);
      CHECK(fabs(c->ap->zeta - zref) <= 1e-9 * zref,
            "sweep %d: zeta %.15g, serial %.15g", t, c->ap->zeta, zref);
      /* Balanced: X^T X = Y^T Y = diag(s). */
      double gx[R * R] = {0}, gy[R * R] = {0};
      bn_gram_local(R, N1, x, x, gx);
      bn_gram_local(R, N2, y, y, gy);
      CHECK(max_rel(gx, gy, R * R) <= 1e-9, "sweep %d: X, Y not balanced", t);
    }
  }
  if (self) bn_ctx_destroy(self);
  free(m), free(x), free(y), free(lref), free(l);
  fx_prob_close(&f);
}

/* Solver als to relative error 1e-8; the same iterates on one process. */
static void test_solve(bn_ctx_t *ctx, bn_optdef_t *defs, const char *in) {
  bn_solver_params_t p;
  bn_solver_params_default(&p);
  p.tol = 0;
  p.rel_tol = 1e-8;
  p.max_iter = 60;
  p.progress = false;
  fx_t f;
  fx_open(ctx, defs, in, &f);
  bn_rpca_t *c = f.data;
  bn_solver_t *s;
  CHECK_OK(ctx, bn_solver_create(ctx, "als", &s));
  bn_solver_set_params(s, &p);
  CHECK_OK(ctx, bn_solver_solve(s, &f.obj, f.x));
  CHECK(bn_solver_reason(s) == BN_CONVERGED_REL_ERROR, "not converged (%s)",
        bn_reason_string(bn_solver_reason(s)));
  int64_t its = bn_solver_iterations(s);
  CHECK(its <= 30, "%lld iterations to 1e-8", (long long)its);
  double *x = calloc(N1 * R, 8), *y = calloc(N2 * R, 8);
  fx_gather(ctx, f.x, c->nu, c->nv, R, x, y);
  bn_solver_destroy(s);
  fx_prob_close(&f);
  if (bn_ctx_rank(ctx) == 0) {
    bn_ctx_t *self;
    bn_ctx_create(MPI_COMM_SELF, &self);
    fx_t g;
    fx_open(self, defs, in, &g);
    bn_solver_t *s1;
    CHECK_OK(self, bn_solver_create(self, "als", &s1));
    bn_solver_set_params(s1, &p);
    CHECK_OK(self, bn_solver_solve(s1, &g.obj, g.x));
    CHECK(bn_solver_iterations(s1) == its, "one process: %lld iterations, %lld",
          (long long)bn_solver_iterations(s1), (long long)its);
    double *l = calloc(N1 * N2, 8), *l1 = calloc(N1 * N2, 8);
    lowrank(x, y, l);
    lowrank(g.x, g.x + N1 * R, l1);
    CHECK(max_rel(l, l1, N1 * N2) <= 1e-9, "L differs from one process");
    free(l), free(l1);
    bn_solver_destroy(s1);
    fx_prob_close(&g);
    bn_ctx_destroy(self);
  }
  free(x), free(y);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  bn_ctx_t *ctx;
  bn_ctx_create(MPI_COMM_WORLD, &ctx);
  (void)fx_defs; /* the completion keys: not used here */
  char dir[512], dense[600];
  fx_tmpdir(MPI_COMM_WORLD, dir, sizeof(dir));
  snprintf(dense, sizeof(dense), "%s/dense.h5", dir);
  bn_rpca_gen_t g = {N1, N2, R, 0.05, 10.0, 1.0, 1.5, 8};
  CHECK_OK(ctx, bn_generate_rpca(ctx, &g, dense, NULL));
  bn_optdef_t *defs = fx_problem_defs("rpca", NULL);
  test_gradient(ctx, defs, dense);
  test_projection(ctx, defs, dense);
  test_solve(ctx, defs, dense);
  free(defs);
  MPI_Barrier(MPI_COMM_WORLD);
  if (bn_ctx_rank(ctx) == 0) {
    unlink(dense);
    rmdir(dir);
  }
  bn_ctx_destroy(ctx);
  int rc = bn_test_finish("mpi_rpca_altproj");
  MPI_Finalize();
  return rc;
}
