/* Matrix sensing, for each operator (gaussian, rank-one, implicit): the
 * adjoint identity <A(X), z> = <X, A*(z)>, a finite-difference check of
 * the gradient and of the analytic Hessian-vector product (with the
 * Hessian's symmetry, far from and at the minimum), recovery from the
 * spectral and a random initial point, and the same initial point and
 * answer as a one-process run (the test runs at 1, 2 and 3 processes; m is
 * not a multiple of 2 or 3). Also: the implicit operator equals the stored
 * gaussian one of the same seed, and the generator's normals have mean 0,
 * variance 1, kurtosis 3. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benign/benign.h"
#include "check.h"
#include "hvp_check.h"
#include "problem_fixture.h"
#include "problems/lowrank/sense.h"

#define R 2

/* The problem's handle (tests/problem_fixture.h); data is the bn_sense_t. */
typedef fx_prob_t fx_t;

/* The problem's keys plus the shared solve keys. */
static bn_optdef_t *fx_defs(void) { return fx_problem_defs("sense", NULL); }

static void fx_open(bn_ctx_t *ctx, bn_optdef_t *defs, const char *input,
                    const char *init, fx_t *f) {
  memset(f, 0, sizeof(*f));
  CHECK_OK(ctx, bn_opts_create(ctx, defs, &f->opts));
  CHECK_OK(ctx, bn_opts_set(f->opts, "input", input, BN_SRC_CMDLINE));
  CHECK_OK(ctx, bn_opts_set(f->opts, "rank", "2", BN_SRC_CMDLINE));
  CHECK_OK(ctx, bn_opts_set(f->opts, "init", init, BN_SRC_CMDLINE));
  fx_prob_make(ctx, "sense", f);
}

static void fx_close(fx_t *f) { fx_prob_close(f); }

/* <A(X), z> = <X, A*(z)> for X and z keyed by global index. */
static void test_adjoint(bn_ctx_t *ctx, bn_sense_t *s, const char *name) {
  size_t nn = (size_t)(s->n1 * s->n2);
  double *xd = malloc(nn * sizeof(double)), *g = calloc(nn, sizeof(double));
  double *ax = calloc((size_t)s->ml + 1, sizeof(double));
  double *z = calloc((size_t)s->ml + 1, sizeof(double));
  bn_rng_fill_normal(3, 300, 0, nn, xd);
  bn_rng_fill_normal(3, 301, (uint64_t)bn_dist_first(s->mdist), (size_t)s->ml,
                     z);
  bn_sense_forward(s, xd, ax);
  bn_sense_adjoint(s, z, g);
  bn_allreduce_sum(s->ctx, g, nn);
  double lhs = hc_dot(ctx, ax, z, (size_t)s->ml), rhs = 0;
  for (size_t e = 0; e < nn; e++) rhs += xd[e] * g[e];
  CHECK(fabs(lhs - rhs) <= 1e-11 * fabs(rhs), "%s: <A(X), z> %.17g vs %.17g",
        name, lhs, rhs);
  free(xd), free(g), free(ax), free(z);
}

/* obj.hvp against central differences of the gradient and <w, Hv> =
 * <v, Hw> at f->x, directions keyed by global index. */
static void test_hvp(bn_ctx_t *ctx, fx_t *f, const char *name) {
  bn_sense_t *s = f->data;
  bn_idx_t u0 = bn_dist_first(s->udist), v0 = bn_dist_first(s->vdist);
  double *d[2];
  for (int t = 0; t < 2; t++) {
    d[t] = calloc(f->obj.n + 1, sizeof(double));
    for (bn_idx_t i = 0; i < s->nu * R; i++)
      d[t][i] = bn_rng_normal(77, 300 + t, (uint64_t)(u0 * R + i), 0);
    for (bn_idx_t j = 0; j < s->nv * R; j++)
      d[t][s->nu * R + j] =
          bn_rng_normal(77, 400 + t, (uint64_t)(v0 * R + j), 0);
  }
  double hn = hc_check(ctx, &f->obj, f->x, d[0], d[1], name);
  CHECK(hn > 0, "%s: H v = 0", name);
  free(d[0]), free(d[1]);
}

static void test_gradient(bn_ctx_t *ctx, bn_optdef_t *defs, const char *input,
                          const char *name) {
  fx_t f;
  fx_open(ctx, defs, input, "random", &f);
  bn_sense_t *s = f.data;
  test_adjoint(ctx, s, name);
  for (size_t i = 0; i < f.obj.n; i++) f.x[i] *= 100.0; /* O(1) factors */
  size_t n = f.obj.n + 1;
  double *g = calloc(n, sizeof(double)), *xp = calloc(n, sizeof(double));
  double fv;
  CHECK_OK(ctx, f.obj.eval(s, f.x, &fv, g));
  bn_idx_t u0 = bn_dist_first(s->udist), v0 = bn_dist_first(s->vdist);
  for (int t = 0; t < 3; t++) {
    double *d = calloc(n, sizeof(double)), fp, fm, h = 1e-5;
    for (bn_idx_t i = 0; i < s->nu * R; i++)
      d[i] = bn_rng_normal(99, 100 + t, (uint64_t)(u0 * R + i), 0);
    for (bn_idx_t j = 0; j < s->nv * R; j++)
      d[s->nu * R + j] = bn_rng_normal(99, 200 + t, (uint64_t)(v0 * R + j), 0);
    double gd = hc_dot(ctx, g, d, f.obj.n);
    for (size_t i = 0; i < f.obj.n; i++) xp[i] = f.x[i] + h * d[i];
    CHECK_OK(ctx, f.obj.eval(s, xp, &fp, NULL));
    for (size_t i = 0; i < f.obj.n; i++) xp[i] = f.x[i] - h * d[i];
    CHECK_OK(ctx, f.obj.eval(s, xp, &fm, NULL));
    double fd = (fp - fm) / (2 * h);
    CHECK(fabs(fd - gd) <= 1e-6 * fabs(gd),
          "%s: direction %d: FD %.12g vs %.12g", name, t, fd, gd);
    free(d);
  }
  /* The Hessian-vector product, far from the minimum here and at the
   * minimum in test_recovery. */
  char hname[64];
  snprintf(hname, sizeof(hname), "sense %s", name);
  test_hvp(ctx, &f, hname);
  free(g), free(xp);
  fx_close(&f);
}

/* Gather [U local | V local] into full U V^T (n1 x n2) on every rank. */
static void fx_product(bn_sense_t *s, const double *x, double *mm) {
  double *u = calloc((size_t)(s->n1 + s->n2) * R, sizeof(double));
  double *v = u + s->n1 * R;
  MPI_Comm comm = bn_ctx_comm(s->ctx);
  MPI_Allgatherv(x, (int)(s->nu * R), MPI_DOUBLE, u, s->ucnt, s->udsp,
                 MPI_DOUBLE, comm);
  MPI_Allgatherv(x + s->nu * R, (int)(s->nv * R), MPI_DOUBLE, v, s->vcnt,
                 s->vdsp, MPI_DOUBLE, comm);
  for (bn_idx_t i = 0; i < s->n1; i++)
    for (bn_idx_t j = 0; j < s->n2; j++) {
      double a = 0;
      for (int q = 0; q < R; q++) a += u[i * R + q] * v[j * R + q];
      mm[i * s->n2 + j] = a;
    }
  free(u);
}

static void solve(bn_ctx_t *ctx, fx_t *f) {
  bn_solver_t *sv;
  bn_solver_params_t p;
  bn_solver_params_default(&p);
  p.tol = 1e-11;
  p.max_iter = 2000;
  p.progress = false;
  CHECK_OK(ctx, bn_solver_create(ctx, "gd", &sv));
  bn_solver_set_params(sv, &p);
  CHECK_OK(ctx, bn_solver_solve(sv, &f->obj, f->x));
  CHECK(bn_solver_reason(sv) > 0, "not converged (%s)",
        bn_reason_string(bn_solver_reason(sv)));
  bn_solver_destroy(sv);
}

/* Recovery, and the same initial point and answer as one process. */
static void test_recovery(bn_ctx_t *ctx, bn_optdef_t *defs, const char *input,
                          const char *name) {
  const char *inits[2] = {"spectral", "random"};
  for (int k = 0; k < 2; k++) {
    fx_t f;
    fx_open(ctx, defs, input, inits[k], &f);
    bn_sense_t *s = f.data;
    size_t nn = (size_t)(s->n1 * s->n2);
    double *m0 = calloc(nn, sizeof(double)), *m1 = calloc(nn, sizeof(double));
    fx_product(s, f.x, m0);
    solve(ctx, &f);
    double rel, rmse;
    CHECK_OK(ctx, f.obj.metrics(s, f.x, &rel, &rmse));
    CHECK(rel < 1e-6, "%s, %s init: relative error %g", name, inits[k], rel);
    if (k == 0) { /* at the minimum: R = 0, only the Gauss-Newton part */
      char hname[64];
      snprintf(hname, sizeof(hname), "sense %s at the minimum", name);
      test_hvp(ctx, &f, hname);
    }
    fx_product(s, f.x, m1);
    fx_close(&f);
    if (bn_ctx_rank(ctx) == 0) {
      bn_ctx_t *self;
      bn_ctx_create(MPI_COMM_SELF, &self);
      fx_t g;
      fx_open(self, defs, input, inits[k], &g);
      double *w = calloc(nn, sizeof(double)), d0 = 0, d1 = 0, sc = 0;
      fx_product(g.data, g.x, w);
      for (size_t e = 0; e < nn; e++) {
        d0 = fmax(d0, fabs(w[e] - m0[e]));
        sc = fmax(sc, fabs(w[e]));
      }
      CHECK(d0 <= 1e-10 * sc,
            "%s, %s: initial point differs from 1 process "
            "by %g",
            name, inits[k], d0);
      solve(self, &g);
      fx_product(g.data, g.x, w);
      sc = 0;
      for (size_t e = 0; e < nn; e++) {
        d1 = fmax(d1, fabs(w[e] - m1[e]));
        sc = fmax(sc, fabs(w[e]));
      }
      CHECK(d1 <= 1e-8 * sc, "%s, %s: answer differs from 1 process by %g",
            name, inits[k], d1);
      free(w);
      fx_close(&g);
      bn_ctx_destroy(self);
    }
    free(m0), free(m1);
  }
}

/* The implicit operator is the stored gaussian one of the same seed. */
static void test_implicit_is_gaussian(bn_ctx_t *ctx, bn_optdef_t *defs,
                                      const char *gin, const char *iin) {
  fx_t a, b;
  fx_open(ctx, defs, gin, "random", &a);
  fx_open(ctx, defs, iin, "random", &b);
  double fa, fb;
  CHECK_OK(ctx, a.obj.eval(a.data, a.x, &fa, NULL));
  CHECK_OK(ctx, b.obj.eval(b.data, b.x, &fb, NULL));
  CHECK(fabs(fa - fb) <= 1e-12 * fabs(fa), "implicit f %.17g, gaussian %.17g",
        fb, fa);
  fx_close(&a);
  fx_close(&b);
}

static void test_normals(void) {
  size_t n = 100003;
  double *z = malloc(n * sizeof(double)), s1 = 0, s2 = 0, s4 = 0;
  bn_sense_normals(42, 64, 7, n, z);
  for (size_t k = 0; k < n; k++) {
    s1 += z[k];
    s2 += z[k] * z[k];
    s4 += z[k] * z[k] * z[k] * z[k];
  }
  s1 /= n, s2 /= n, s4 /= n;
  CHECK(fabs(s1) < 0.02 && fabs(s2 - 1) < 0.02 && fabs(s4 - 3) < 0.1,
        "normals: mean %g, variance %g, fourth moment %g", s1, s2, s4);
  double t[10], w[10];
  bn_sense_normals(42, 64, 7, 10, t);
  bn_sense_normals(42, 64, 8, 10, w);
  CHECK(t[0] != w[0] && t[9] != w[9], "measurements 7 and 8 share entries");
  /* The values define the implicit operator (files store only the seed):
   * pinned to those of the first generator, bit for bit. */
  static const double pin[10] = {0x1.ca24e73172463p+0,  -0x1.2deee7766ecfp-2,
                                 -0x1.74f2cfb5c7d6bp-2, -0x1.226bc25e1c48bp-1,
                                 -0x1.6eaafb05486bap-4, -0x1.58e6458200589p-6,
                                 0x1.39c8e5108bba3p-1,  0x1.2c14e37de24c5p-1,
                                 0x1.dab7f301198c3p-2,  -0x1.58a9dae847cffp-3};
  int off = 0;
  for (int k = 0; k < 10; k++) off += t[k] != pin[k];
  CHECK(off == 0, "%d of 10 pinned normals changed (first %a)", off, t[0]);
  /* Across the quarters of a long row, the last seed, a 33-bit index. */
  bn_sense_normals(UINT64_MAX, 65, ((uint64_t)1 << 32) + 3, 4099, z);
  CHECK(z[0] == -0x1.516e3095009d4p-4 && z[1025] == -0x1.be2851341c88fp-4 &&
            z[3000] == -0x1.ce282b18b78f3p-2 && z[4098] == 0x1.9cd89b2f67f7bp-1,
        "pinned normals of a long row changed: %a %a %a %a", z[0], z[1025],
        z[3000], z[4098]);
  /* The fused sweep (bn_sense_normals_dots) stores the same A_i, forms
   * their dots with mm, and first adds scale sum_b coef_b (the previous
   * contents) to g. */
  enum { NB = 3, NE = 1001 };
  static double out[NB * NE], prev[NB * NE], mm[NE], g[NE], dots[NB];
  const double coef[NB] = {0.5, -2.0, 1.25};
  for (int e = 0; e < NE; e++) mm[e] = sin(0.1 * e);
  bn_sense_normals_dots(9, 64, 40, NB, NE, mm, out, NULL, NULL, 0, 0.0, dots);
  memcpy(prev, out, sizeof(out));
  bn_sense_normals_dots(9, 64, 50, NB, NE, mm, out, g, coef, NB, 0.25, dots);
  double derr = 0, gerr = 0;
  int same = 1;
  for (int b = 0; b < NB; b++) {
    bn_sense_normals(9, 64, 50 + (uint64_t)b, NE, z);
    double d = 0;
    for (int e = 0; e < NE; e++) {
      same &= z[e] == out[b * NE + e];
      d += z[e] * mm[e];
    }
    derr = fmax(derr, fabs(d - dots[b]) / (1 + fabs(d)));
  }
  for (int e = 0; e < NE; e++) {
    double ge = 0;
    for (int b = 0; b < NB; b++) ge += 0.25 * coef[b] * prev[b * NE + e];
    gerr = fmax(gerr, fabs(ge - g[e]));
  }
  CHECK(same && derr < 1e-13 && gerr < 1e-13,
        "fused sweep: same A %d, dots off by %g, g off by %g", same, derr,
        gerr);
  free(z);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  bn_ctx_t *ctx;
  bn_ctx_create(MPI_COMM_WORLD, &ctx);
  char dir[512] = "", in[3][600];
  const char *ops[3] = {"gaussian", "rank-one", "implicit"};
  int rank = bn_ctx_rank(ctx);
  if (rank == 0) {
    const char *base = getenv("TMPDIR");
    snprintf(dir, sizeof(dir), "%s/bn_sense_XXXXXX", base ? base : "/tmp");
    if (!mkdtemp(dir)) dir[0] = '\0';
  }
  MPI_Bcast(dir, sizeof(dir), MPI_CHAR, 0, MPI_COMM_WORLD);
  /* m = 6 r (n1 + n2) + 1: an uneven split at 2 and 3 processes. */
  bn_sense_gen_t g[3] = {{20, 16, 6 * R * 36 + 1, R, "gaussian", 0, 2, 5},
                         {30, 25, 6 * R * 55 + 1, R, "rank-one", 0, 2, 6},
                         {20, 16, 6 * R * 36 + 1, R, "implicit", 0, 2, 5}};
  for (int k = 0; k < 3; k++) {
    snprintf(in[k], sizeof(in[k]), "%s/%s.h5", dir, ops[k]);
    CHECK_OK(ctx, bn_generate_sense(ctx, &g[k], in[k]));
  }
  bn_optdef_t *defs = fx_defs();
  test_normals();
  test_implicit_is_gaussian(ctx, defs, in[0], in[2]);
  for (int k = 0; k < 3; k++) {
    test_gradient(ctx, defs, in[k], ops[k]);
    test_recovery(ctx, defs, in[k], ops[k]);
  }
  free(defs);
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank == 0) {
    for (int k = 0; k < 3; k++) unlink(in[k]);
    rmdir(dir);
  }
  bn_ctx_destroy(ctx);
  int rc = bn_test_finish("mpi_sense");
  MPI_Finalize();
  return rc;
}
