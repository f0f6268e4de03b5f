/* Low-rank factorization (sym and general): a finite-difference check of
 * the gradient and of the analytic Hessian-vector product (with the
 * Hessian's symmetry), the same initial point and answer as a one-process run
 * (n1 = 101: uneven splits), recovery from spectral and random starts to
 * the ScaLAPACK answer (pdsyevd / pdgesvd of the same distributed Y:
 * product and objective value), and the plateaus of a random start from a
 * tiny initial point against the saddle values of the landscape. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "benign/plateau.h"
#include "factor_fixture.h"
#include "hvp_check.h"

#define N1 101
#define N2 67
#define R 3

static const char *modes[2] = {"general", "sym"};

static void solve(bn_ctx_t *ctx, ff_t *f, double tol, int64_t max_iter,
                  bn_solver_t **out) {
  bn_solver_t *s;
  bn_solver_params_t p;
  bn_solver_params_default(&p);
  p.tol = tol;
  p.max_iter = max_iter;
  p.progress = false;
  CHECK_OK(ctx, bn_solver_create(ctx, "gd", &s));
  bn_solver_set_params(s, &p);
  CHECK_OK(ctx, bn_solver_solve(s, &f->obj, f->x));
  CHECK(bn_solver_reason(s) > 0, "not converged (%s)",
        bn_reason_string(bn_solver_reason(s)));
  if (out)
    *out = s;
  else
    bn_solver_destroy(s);
}

/* Rank 0: the product U U^T (sym) or U V^T, n1 x n2, from the iterate. */
static double *product(bn_ctx_t *ctx, ff_t *f) {
  bn_factor_t *c = f->c;
  double *u = calloc(c->n1 * R, sizeof(double));
  double *v = c->sym ? u : calloc(c->n2 * R, sizeof(double));
  ff_gather(ctx, f->x, c->nu, R, u);
  if (!c->sym) ff_gather(ctx, f->x + c->nu * R, c->nv, R, v);
  double *p = calloc(c->n1 * c->n2, sizeof(double));
  for (bn_idx_t i = 0; i < c->n1; i++)
    for (bn_idx_t j = 0; j < c->n2; j++)
      for (int a = 0; a < R; a++)
        p[i * c->n2 + j] += u[i * R + a] * v[j * R + a];
  if (v != u) free(v);
  free(u);
  return p;
}

static void test_gradient(bn_ctx_t *ctx, const char *input, int sym) {
  ff_t f;
  ff_open(ctx, input, modes[sym], R, "random", "3", "1", &f);
  bn_factor_t *c = f.c;
  double fv, *g = calloc(f.obj.n + 1, sizeof(double));
  double *xp = calloc(f.obj.n + 1, sizeof(double));
  /* Unbalanced, so that the balancing term is active too. */
  for (bn_idx_t i = 0; i < c->nv * R; i++) f.x[c->nu * R + i] *= 3.0;
  CHECK_OK(ctx, f.obj.eval(f.data, f.x, &fv, g));
  bn_idx_t u0 = bn_dist_first(c->rdist), v0 = bn_dist_first(c->cdist);
  for (int t = 0; t < 3; t++) {
    double *d = calloc(f.obj.n + 1, sizeof(double)), gd = 0, fp, fm;
    for (bn_idx_t i = 0; i < c->nu * R; i++)
      d[i] = bn_rng_normal(99, 100 + t, (uint64_t)(u0 * R + i), 0);
    for (bn_idx_t j = 0; j < c->nv * R; j++)
      d[c->nu * R + j] = bn_rng_normal(99, 200 + t, (uint64_t)(v0 * R + j), 0);
    for (size_t i = 0; i < f.obj.n; i++) gd += g[i] * d[i];
    MPI_Allreduce(MPI_IN_PLACE, &gd, 1, MPI_DOUBLE, MPI_SUM, bn_ctx_comm(ctx));
    double h = 1e-5;
    for (size_t i = 0; i < f.obj.n; i++) xp[i] = f.x[i] + h * d[i];
    CHECK_OK(ctx, f.obj.eval(f.data, xp, &fp, NULL));
    for (size_t i = 0; i < f.obj.n; i++) xp[i] = f.x[i] - h * d[i];
    CHECK_OK(ctx, f.obj.eval(f.data, xp, &fm, NULL));
    double fd = (fp - fm) / (2 * h);
    CHECK(fabs(fd - gd) <= 1e-7 * fabs(gd),
          "%s direction %d: FD %.12g vs %.12g", modes[sym], t, fd, gd);
    free(d);
  }
  free(g);
  free(xp);
  ff_close(&f);
}

/* obj.hvp against central differences of the gradient and <w, Hv> =
 * <v, Hw>, far from the minimum (random start, general: V scaled so that
 * the balancing term is active) and near it (spectral start). */
static void test_hvp(bn_ctx_t *ctx, const char *input, int sym) {
  const char *inits[2] = {"random", "spectral"};
  for (int k = 0; k < 2; k++) {
    ff_t f;
    ff_open(ctx, input, modes[sym], R, inits[k], "3", "1", &f);
    bn_factor_t *c = f.c;
    if (k == 0)
      for (bn_idx_t i = 0; i < c->nv * R; i++) f.x[c->nu * R + i] *= 3.0;
    double *d[2];
    bn_idx_t u0 = bn_dist_first(c->rdist), v0 = bn_dist_first(c->cdist);
    for (int t = 0; t < 2; t++) {
      d[t] = calloc(f.obj.n + 1, sizeof(double));
      for (bn_idx_t i = 0; i < c->nu * R; i++)
        d[t][i] = bn_rng_normal(77, 300 + t, (uint64_t)(u0 * R + i), 0);
      for (bn_idx_t j = 0; j < c->nv * R; j++)
        d[t][c->nu * R + j] =
            bn_rng_normal(77, 400 + t, (uint64_t)(v0 * R + j), 0);
    }
    char name[64];
    snprintf(name, sizeof(name), "factor %s %s", modes[sym], inits[k]);
    double hn = hc_check(ctx, &f.obj, f.x, d[0], d[1], name);
    CHECK(hn > 0, "%s: H v = 0", name);
    free(d[0]), free(d[1]);
    ff_close(&f);
  }
}

/* The initial points and the answers agree with a run on rank 0 alone. */
static void test_same_on_one_process(bn_ctx_t *ctx, const char *input,
                                     int sym) {
  const char *inits[2] = {"spectral", "random"};
  for (int k = 0; k < 2; k++) {
    ff_t f;
    ff_open(ctx, input, modes[sym], R, inits[k], "1", "0.01", &f);
    bn_idx_t n = f.c->n1 + (sym ? 0 : f.c->n2);
    double *x0 = calloc(n * R, sizeof(double));
    ff_gather(ctx, f.x, f.c->nu, R, x0);
    if (!sym) ff_gather(ctx, f.x + f.c->nu * R, f.c->nv, R, x0 + f.c->n1 * R);
    solve(ctx, &f, 1e-10, 3000, NULL);
    double *p = product(ctx, &f);
    if (bn_ctx_rank(ctx) == 0) {
      bn_ctx_t *self;
      bn_ctx_create(MPI_COMM_SELF, &self);
      ff_t g;
      ff_open(self, input, modes[sym], R, inits[k], "1", "0.01", &g);
      double d0 = 0, m0 = 0;
      for (bn_idx_t i = 0; i < n * R; i++) {
        d0 = fmax(d0, fabs(g.x[i] - x0[i]));
        m0 = fmax(m0, fabs(g.x[i]));
      }
      CHECK(d0 <= 1e-10 * m0, "%s/%s: initial point differs by %g (scale %g)",
            modes[sym], inits[k], d0, m0);
      solve(self, &g, 1e-10, 3000, NULL);
      double *p1 = product(self, &g), md = 0, mm = 0;
      for (bn_idx_t e = 0; e < g.c->n1 * g.c->n2; e++) {
        md = fmax(md, fabs(p[e] - p1[e]));
        mm = fmax(mm, fabs(p1[e]));
      }
      CHECK(md <= 1e-8 * mm, "%s/%s: answer differs from 1 process by %g",
            modes[sym], inits[k], md);
      free(p1);
      ff_close(&g);
      bn_ctx_destroy(self);
    }
    free(p);
    free(x0);
    ff_close(&f);
  }
}

/* Rank 0: the global minimum value and the top-r product from the
 * reference decomposition. */
static double reference_min(const bn_factor_t *c, const double *s,
                            const double *q, const double *vt, double *t) {
  bn_idx_t n1 = c->n1, n2 = c->n2, k = n1 < n2 ? n1 : n2;
  double fmin = 0.0;
  memset(t, 0, (size_t)(n1 * n2) * sizeof(double));
  if (c->sym) { /* eigenvalues ascending: the top r are the last */
    for (bn_idx_t a = 0; a < n1 - R; a++) fmin += s[a] * s[a] / 4;
    for (bn_idx_t a = n1 - R; a < n1; a++)
      for (bn_idx_t i = 0; i < n1; i++)
        for (bn_idx_t j = 0; j < n1; j++)
          t[i * n1 + j] += s[a] * q[i * n1 + a] * q[j * n1 + a];
  } else {
    for (bn_idx_t a = R; a < k; a++) fmin += s[a] * s[a] / 2;
    for (int a = 0; a < R; a++)
      for (bn_idx_t i = 0; i < n1; i++)
        for (bn_idx_t j = 0; j < n2; j++)
          t[i * n2 + j] += s[a] * q[i * k + a] * vt[a * n2 + j];
  }
  return fmin;
}

static void test_global_minimum(bn_ctx_t *ctx, const char *input, int sym) {
  const char *inits[4] = {"spectral", "random", "random", "random"};
  const char *seeds[4] = {"1", "2", "3", "4"};
  ff_t f;
  ff_open(ctx, input, modes[sym], R, "spectral", "1", "0.01", &f);
  bn_idx_t n1 = f.c->n1, n2 = f.c->n2, k = n1 < n2 ? n1 : n2;
  double *s = calloc(n1, sizeof(double));
  double *q = calloc(n1 * (sym ? n1 : k), sizeof(double));
  double *vt = calloc(k * n2, sizeof(double)), *t = calloc(n1 * n2, 8);
  ff_reference(ctx, f.c, s, q, vt);
  double fmin = reference_min(f.c, s, q, vt, t);
  ff_close(&f);
  for (int run = 0; run < 4; run++) {
    ff_open(ctx, input, modes[sym], R, inits[run], seeds[run], "0.01", &f);
    solve(ctx, &f, 1e-11, 5000, NULL);
    double fv;
    CHECK_OK(ctx, f.obj.eval(f.data, f.x, &fv, NULL));
    double *p = product(ctx, &f);
    if (bn_ctx_rank(ctx) == 0) {
      double e2 = 0, t2 = 0;
      for (bn_idx_t e = 0; e < n1 * n2; e++) {
        e2 += (p[e] - t[e]) * (p[e] - t[e]);
        t2 += t[e] * t[e];
      }
      CHECK(sqrt(e2 / t2) < 1e-7, "%s/%s seed %s: |P - T| / |T| = %g",
            modes[sym], inits[run], seeds[run], sqrt(e2 / t2));
      CHECK(fabs(fv - fmin) <= 1e-9 * fmin,
            "%s/%s seed %s: objective %.15g vs discarded spectrum %.15g",
            modes[sym], inits[run], seeds[run], fv, fmin);
    }
    free(p);
    ff_close(&f);
  }
  free(s), free(q), free(vt), free(t);
}

/* A tiny random start on a noiseless matrix with well separated singular
 * values passes saddles: U V^T = the top-k part for k < r, objective
 * 1/2 sum_{a > k} s_a^2 (general; sym: 1/4 sum of the other eigenvalues
 * squared). Every plateau found must sit at one of them. */
static void test_plateaus(bn_ctx_t *ctx, const char *input, int sym) {
  ff_t f;
  ff_open(ctx, input, modes[sym], R, "random", "7", "1e-6", &f);
  bn_idx_t n1 = f.c->n1, n2 = f.c->n2, k = n1 < n2 ? n1 : n2;
  double *s = calloc(n1, sizeof(double));
  double *q = calloc(n1 * (sym ? n1 : k), sizeof(double));
  double *vt = calloc(k * n2, sizeof(double)), *t = calloc(n1 * n2, 8);
  ff_reference(ctx, f.c, s, q, vt);
  double top[R], w = sym ? 0.25 : 0.5, tot = 0;
  for (int a = 0; a < R; a++) top[a] = sym ? s[n1 - 1 - a] : s[a];
  for (int a = 0; a < R; a++) tot += top[a] * top[a];
  bn_solver_t *sv;
  solve(ctx, &f, 1e-10, 5000, &sv);
  bn_plateau_t pl[16];
  size_t np = bn_plateau_find(bn_solver_history(sv), NULL, pl, 16);
  CHECK(np >= 1, "%s: no plateau found from a tiny random start", modes[sym]);
  for (size_t i = 0; i < np && i < 16; i++) {
    /* Saddles: any subset of the top-r pairs kept (bit mask). */
    double best = INFINITY;
    for (int m = 0; m < (1 << R) - 1; m++) {
      double kept = 0;
      for (int a = 0; a < R; a++)
        if (m >> a & 1) kept += top[a] * top[a];
      best = fmin(best, fabs(pl[i].objective - w * (tot - kept)));
    }
    if (bn_ctx_rank(ctx) == 0)
      printf(
          "%s plateau %zu: iterations %lld-%lld, objective %.6g, "
          "nearest saddle off by %.2g%%\n",
          modes[sym], i, (long long)pl[i].start, (long long)pl[i].end,
          pl[i].objective, 100 * best / pl[i].objective);
    CHECK(best <= 0.05 * pl[i].objective,
          "%s plateau %zu (objective %g) is not near a saddle value",
          modes[sym], i, pl[i].objective);
  }
  bn_solver_destroy(sv);
  ff_close(&f);
  free(s), free(q), free(vt), free(t);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  bn_ctx_t *ctx;
  bn_ctx_create(MPI_COMM_WORLD, &ctx);
  char dir[512], in[4][600];
  ff_tmpdir(MPI_COMM_WORLD, dir, sizeof(dir));
  for (int k = 0; k < 4; k++)
    snprintf(in[k], sizeof(in[k]), "%s/in%d.h5", dir, k);
  /* Noisy (full rank, a true least-squares problem) and noiseless with
   * well separated singular values, sym and general. */
  bn_factor_gen_t gs = {N1, N1, R, 1, 0.05, 3.0, 5};
  bn_factor_gen_t gg = {N1, N2, R, 0, 0.05, 3.0, 6};
  bn_factor_gen_t ps = {N1, N1, R, 1, 0.0, 20.0, 8};
  bn_factor_gen_t pg = {N1, N2, R, 0, 0.0, 20.0, 9};
  CHECK_OK(ctx, bn_generate_factor(ctx, &gs, in[0]));
  CHECK_OK(ctx, bn_generate_factor(ctx, &gg, in[1]));
  CHECK_OK(ctx, bn_generate_factor(ctx, &ps, in[2]));
  CHECK_OK(ctx, bn_generate_factor(ctx, &pg, in[3]));
  for (int sym = 1; sym >= 0; sym--) {
    test_gradient(ctx, in[sym ? 0 : 1], sym);
    test_hvp(ctx, in[sym ? 0 : 1], sym);
    test_same_on_one_process(ctx, in[sym ? 0 : 1], sym);
    test_global_minimum(ctx, in[sym ? 0 : 1], sym);
    test_plateaus(ctx, in[sym ? 2 : 3], sym);
  }
  MPI_Barrier(MPI_COMM_WORLD);
  if (bn_ctx_rank(ctx) == 0) {
    for (int k = 0; k < 4; k++) unlink(in[k]);
    rmdir(dir);
  }
  bn_ctx_destroy(ctx);
  int rc = bn_test_finish("mpi_factor");
  MPI_Finalize();
  return rc;
}
