/* Phase retrieval (complex and real Gaussian, stored and implicit,
 * intensity, amplitude and reweighted amplitude losses; --method=auto):
 * the adjoint identity <A z, w> = <z, A^H w> (complex, both parts),
 * finite-difference checks of the gradient and of the analytic Hessian-vector
 * product, the metric's phase removal, the same initial point, objective and
 * gradient as a one-process run, and recovery with the default solver (the test
 * runs at 1, 2 and 3 processes; m and n are not multiples of 2 or 3). Also: the
 * implicit model is the stored gaussian one of the same seed; the optimal
 * start's two eigensolvers (Lanczos, shifted power) agree. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benign/benign.h"
#include "check.h"
#include "problem_fixture.h"
#include "problems/phase/phase.h"

typedef struct fx {
  bn_opts_t *opts;
  const bn_problem_ops_t *ops;
  bn_phase_t *s;
  bn_objective_t obj;
  double *x;
} fx_t;

/* The problem's keys plus the shared solve keys. */
static bn_optdef_t *fx_defs(void) { return fx_problem_defs("phase", NULL); }

static void fx_open(bn_ctx_t *ctx, bn_optdef_t *defs, const char *input,
                    const char *method, const char *init, fx_t *f) {
  void *data = NULL;
  memset(f, 0, sizeof(*f));
  CHECK_OK(ctx, bn_opts_create(ctx, defs, &f->opts));
  CHECK_OK(ctx, bn_opts_set(f->opts, "input", input, BN_SRC_CMDLINE));
  CHECK_OK(ctx, bn_opts_set(f->opts, "method", method, BN_SRC_CMDLINE));
  if (init) CHECK_OK(ctx, bn_opts_set(f->opts, "init", init, BN_SRC_CMDLINE));
  f->ops = bn_problem_find("phase");
  CHECK_OK(ctx, f->ops->create(ctx, f->opts, &data));
  f->s = data;
  f->ops->objective(data, &f->obj);
  f->x = calloc(f->obj.n + 1, sizeof(double));
  CHECK_OK(ctx, f->ops->init(data, f->opts, f->x));
}

static void fx_close(fx_t *f) {
  f->ops->destroy(f->s);
  bn_opts_destroy(f->opts);
  free(f->x);
}

static double fx_dot(bn_ctx_t *ctx, const double *a, const double *b,
                     size_t n) {
  double d = 0;
  for (size_t i = 0; i < n; i++) d += a[i] * b[i];
  MPI_Allreduce(MPI_IN_PLACE, &d, 1, MPI_DOUBLE, MPI_SUM, bn_ctx_comm(ctx));
  return d;
}

/* A direction keyed by global index: the same on any number of ranks. */
static void fx_dir(bn_phase_t *s, uint32_t stream, double *d) {
  uint64_t first = (uint64_t)s->K * (uint64_t)bn_dist_first(s->xdist);
  bn_rng_fill_normal(7, stream, first, (size_t)s->K * (size_t)s->nl, d);
}

/* <A z, w> = sum conj(u_i) w_i and <z, A^H w> = sum conj(z_j) g_j. */
static void test_adjoint(bn_ctx_t *ctx, bn_phase_t *s, const char *name) {
  const int K = s->K;
  size_t len = (size_t)K * (size_t)s->n, ml = (size_t)K * (size_t)s->ml;
  double *z = malloc(len * sizeof(double)), *g = calloc(len, sizeof(double));
  double *u = calloc(ml + 1, sizeof(double)), *w = calloc(ml + 1, 8);
  bn_rng_fill_normal(3, 300, 0, len, z);
  bn_rng_fill_normal(3, 301, (uint64_t)K * bn_dist_first(s->mdist), ml, w);
  bn_phase_forward(s, z, u);
  bn_phase_adjoint(s, w, g);
  bn_allreduce_sum(ctx, g, len);
  double lhs[2] = {0, 0}, rhs[2] = {0, 0};
  for (size_t i = 0; i < ml / K; i++) {
    double ur = u[i * K], ui = K == 2 ? u[i * K + 1] : 0;
    double wr = w[i * K], wi = K == 2 ? w[i * K + 1] : 0;
    lhs[0] += ur * wr + ui * wi;
    lhs[1] += ur * wi - ui * wr;
  }
  MPI_Allreduce(MPI_IN_PLACE, lhs, 2, MPI_DOUBLE, MPI_SUM, bn_ctx_comm(ctx));
  for (size_t j = 0; j < len / K; j++) {
    double zr = z[j * K], zi = K == 2 ? z[j * K + 1] : 0;
    double gr = g[j * K], gi = K == 2 ? g[j * K + 1] : 0;
    rhs[0] += zr * gr + zi * gi;
    rhs[1] += zr * gi - zi * gr;
  }
  double sc = fabs(rhs[0]) + fabs(rhs[1]);
  CHECK(fabs(lhs[0] - rhs[0]) <= 1e-12 * sc &&
            fabs(lhs[1] - rhs[1]) <= 1e-12 * sc,
        "%s: <Az, w> = %.17g%+.17gi, <z, A^H w> = %.17g%+.17gi", name, lhs[0],
        lhs[1], rhs[0], rhs[1]);
  if (K == 1)
    CHECK(lhs[1] == 0 && rhs[1] == 0, "%s: real operator gave imaginary parts",
          name);
  free(z), free(g), free(u), free(w);
}

/* Central differences of f (the gradient) and of the gradient (hvp) along
 * random directions, at a random point, plus the symmetry of the Hessian. */
static void test_derivatives(bn_ctx_t *ctx, bn_optdef_t *defs,
                             const char *input, const char *method,
                             const char *name) {
  fx_t f;
  fx_open(ctx, defs, input, method, "random", &f);
  bn_phase_t *s = f.s;
  size_t n = f.obj.n + 1;
  double *g = calloc(n, 8), *xp = calloc(n, 8), *d = calloc(n, 8);
  double *gp = calloc(n, 8), *gm = calloc(n, 8), *hv = calloc(n, 8);
  double *d2 = calloc(n, 8), *hv2 = calloc(n, 8), fv, fp, fm;
  CHECK_OK(ctx, f.obj.eval(s, f.x, &fv, g));
  for (int t = 0; t < 3; t++) {
    double h = 1e-5;
    fx_dir(s, 100 + t, d);
    double gd = fx_dot(ctx, g, d, f.obj.n);
    for (size_t i = 0; i < f.obj.n; i++) xp[i] = f.x[i] + h * d[i];
    CHECK_OK(ctx, f.obj.eval(s, xp, &fp, gp));
    for (size_t i = 0; i < f.obj.n; i++) xp[i] = f.x[i] - h * d[i];
    CHECK_OK(ctx, f.obj.eval(s, xp, &fm, gm));
    double fd = (fp - fm) / (2 * h);
    CHECK(fabs(fd - gd) <= 1e-6 * fabs(gd),
          "%s: gradient, direction %d: FD %.12g vs %.12g", name, t, fd, gd);
    CHECK_OK(ctx, f.obj.hvp(s, f.x, d, hv));
    double num = 0, den = 0;
    for (size_t i = 0; i < f.obj.n; i++) {
      double e = (gp[i] - gm[i]) / (2 * h) - hv[i];
      num += e * e;
      den += hv[i] * hv[i];
    }
    MPI_Allreduce(MPI_IN_PLACE, &num, 1, MPI_DOUBLE, MPI_SUM, bn_ctx_comm(ctx));
    MPI_Allreduce(MPI_IN_PLACE, &den, 1, MPI_DOUBLE, MPI_SUM, bn_ctx_comm(ctx));
    CHECK(den > 0 && sqrt(num / den) <= 1e-6,
          "%s: hvp, direction %d: |FD - Hv| / |Hv| = %g", name, t,
          sqrt(num / (den > 0 ? den : 1)));
  }
  fx_dir(s, 200, d2);
  CHECK_OK(ctx, f.obj.hvp(s, f.x, d2, hv2));
  double a = fx_dot(ctx, d, hv2, f.obj.n), b = fx_dot(ctx, d2, hv, f.obj.n);
  CHECK(fabs(a - b) <= 1e-10 * (fabs(a) + fabs(b)),
        "%s: <d, H d2> %.17g vs <d2, H d> %.17g", name, a, b);
  free(g), free(xp), free(d), free(gp), free(gm), free(hv), free(d2), free(hv2);
  fx_close(&f);
}

/* The metric removes the global phase: x_true e^{i theta} has error ~0,
 * x_true e^{i theta} (1 + delta) has error delta. */
static void test_metric(bn_ctx_t *ctx, bn_optdef_t *defs, const char *input,
                        const char *name) {
  fx_t f;
  fx_open(ctx, defs, input, "wf", NULL, &f);
  bn_phase_t *s = f.s;
  double th = 2.1, c = cos(th), sn = s->K == 2 ? sin(th) : 0.0, rel, rmse;
  if (s->K == 1) c = -1.0;
  for (int k = 0; k < 2; k++) {
    double sc = k ? 1.001 : 1.0;
    for (bn_idx_t j = 0; j < s->nl; j++) {
      double tr = s->xt[j * s->K], ti = s->K == 2 ? s->xt[j * 2 + 1] : 0;
      f.x[j * s->K] = sc * (tr * c - ti * sn);
      if (s->K == 2) f.x[j * 2 + 1] = sc * (tr * sn + ti * c);
    }
    CHECK_OK(ctx, f.obj.metrics(s, f.x, &rel, &rmse));
    CHECK(fabs(rel - (sc - 1.0)) <= 1e-13, "%s: rel_error %.3e, want %.3e",
          name, rel, sc - 1.0);
  }
  fx_close(&f);
}

/* Full gradient from the ranks' slices. */
static void fx_full(bn_phase_t *s, const double *x, double *full) {
  MPI_Allgatherv(x, s->cnt[bn_ctx_rank(s->ctx)], MPI_DOUBLE, full, s->cnt,
                 s->dsp, MPI_DOUBLE, bn_ctx_comm(s->ctx));
}

static void solve(bn_ctx_t *ctx, fx_t *f) {
  bn_solver_t *sv;
  bn_solver_params_t p;
  bn_solver_params_default(&p);
  p.tol = 1e-10;
  p.max_iter = 2000;
  p.progress = false;
  CHECK_OK(ctx, bn_solver_create(ctx, "gd", &sv));
  bn_solver_set_params(sv, &p);
  CHECK_OK(ctx, bn_solver_solve(sv, &f->obj, f->x));
  CHECK(bn_solver_reason(sv) > 0, "not converged (%s)",
        bn_reason_string(bn_solver_reason(sv)));
  bn_solver_destroy(sv);
}

static double fx_maxdiff(const double *a, const double *b, size_t n,
                         double *scale) {
  double d = 0;
  *scale = 0;
  for (size_t e = 0; e < n; e++) {
    d = fmax(d, fabs(a[e] - b[e]));
    *scale = fmax(*scale, fabs(b[e]));
  }
  return d;
}

/* The same start, objective, gradient and answer at P processes as at 1. */
static void test_same(bn_ctx_t *ctx, bn_optdef_t *defs, const char *input,
                      const char *method, const char *name) {
  fx_t f;
  fx_open(ctx, defs, input, method, NULL, &f);
  bn_phase_t *s = f.s;
  size_t len = (size_t)s->K * (size_t)s->n;
  double *x0 = calloc(len, 8), *g0 = calloc(len, 8), *x1 = calloc(len, 8);
  double *g = calloc(f.obj.n + 1, 8), fv, rel, rmse;
  fx_full(s, f.x, x0);
  CHECK_OK(ctx, f.obj.eval(s, f.x, &fv, g));
  fx_full(s, g, g0);
  solve(ctx, &f);
  CHECK_OK(ctx, f.obj.metrics(s, f.x, &rel, &rmse));
  CHECK(rel < 1e-7, "%s: relative error %g after gd", name, rel);
  fx_full(s, f.x, x1);
  fx_close(&f);
  if (bn_ctx_rank(ctx) == 0) {
    bn_ctx_t *self;
    bn_ctx_create(MPI_COMM_SELF, &self);
    bn_ctx_set_log_level(self, BN_LOG_QUIET);
    fx_t h;
    fx_open(self, defs, input, method, NULL, &h);
    double *gh = calloc(len, 8), fh, sc, d;
    d = fx_maxdiff(h.x, x0, len, &sc);
    CHECK(d <= 1e-12 * sc, "%s: initial point differs from 1 process by %g",
          name, d);
    CHECK_OK(self, h.obj.eval(h.s, h.x, &fh, gh));
    CHECK(fabs(fh - fv) <= 1e-12 * fabs(fh), "%s: f %.17g at 1, %.17g at P",
          name, fh, fv);
    d = fx_maxdiff(gh, g0, len, &sc);
    CHECK(d <= 1e-11 * sc, "%s: gradient differs from 1 process by %g", name,
          d);
    solve(self, &h);
    d = fx_maxdiff(h.x, x1, len, &sc);
    CHECK(d <= 1e-7 * sc, "%s: answer differs from 1 process by %g", name, d);
    free(gh);
    fx_close(&h);
    bn_ctx_destroy(self);
  }
  free(x0), free(g0), free(x1), free(g);
}

/* The optimal start by Lanczos (--power-iters=auto) and by 2000 shifted
 * power iterations: the same eigenvector (up to the global phase). */
static void test_optimal_solvers(bn_ctx_t *ctx, bn_optdef_t *defs,
                                 const char *input) {
  fx_t a, b;
  fx_open(ctx, defs, input, "raf-loss", NULL, &a);
  void *data = NULL;
  memset(&b, 0, sizeof(b));
  CHECK_OK(ctx, bn_opts_create(ctx, defs, &b.opts));
  CHECK_OK(ctx, bn_opts_set(b.opts, "input", input, BN_SRC_CMDLINE));
  CHECK_OK(ctx, bn_opts_set(b.opts, "method", "raf-loss", BN_SRC_CMDLINE));
  CHECK_OK(ctx, bn_opts_set(b.opts, "power-iters", "2000", BN_SRC_CMDLINE));
  b.ops = bn_problem_find("phase");
  CHECK_OK(ctx, b.ops->create(ctx, b.opts, &data));
  b.s = data;
  b.ops->objective(data, &b.obj);
  b.x = calloc(b.obj.n + 1, sizeof(double));
  CHECK_OK(ctx, b.ops->init(data, b.opts, b.x));
  double c[4] = {0, 0, 0, 0}; /* Re, Im <x_a, x_b>, |x_a|^2, |x_b|^2 */
  for (size_t i = 0; i + 1 < a.obj.n; i += 2) {
    c[0] += a.x[i] * b.x[i] + a.x[i + 1] * b.x[i + 1];
    c[1] += a.x[i] * b.x[i + 1] - a.x[i + 1] * b.x[i];
  }
  for (size_t i = 0; i < a.obj.n; i++) {
    c[2] += a.x[i] * a.x[i];
    c[3] += b.x[i] * b.x[i];
  }
  MPI_Allreduce(MPI_IN_PLACE, c, 4, MPI_DOUBLE, MPI_SUM, bn_ctx_comm(ctx));
  double cosv = hypot(c[0], c[1]) / sqrt(c[2] * c[3]);
  CHECK(1.0 - cosv <= 1e-6,
        "optimal start: Lanczos and power iterations differ, 1 - cos = %g",
        1.0 - cosv);
  CHECK(fabs(sqrt(c[2] / c[3]) - 1.0) <= 1e-4,
        "optimal start: scale %.17g by Lanczos, %.17g by power iterations",
        sqrt(c[2]), sqrt(c[3]));
  fx_close(&a);
  fx_close(&b);
}

/* The implicit model is the stored gaussian one of the same seed. */
static void test_implicit_is_gaussian(bn_ctx_t *ctx, bn_optdef_t *defs,
                                      const char *gin, const char *iin) {
  fx_t a, b;
  fx_open(ctx, defs, gin, "wf", "random", &a);
  fx_open(ctx, defs, iin, "wf", "random", &b);
  double fa, fb;
  CHECK_OK(ctx, a.obj.eval(a.s, a.x, &fa, NULL));
  CHECK_OK(ctx, b.obj.eval(b.s, b.x, &fb, NULL));
  CHECK(fabs(fa - fb) <= 1e-13 * fabs(fa), "implicit f %.17g, gaussian %.17g",
        fb, fa);
  fx_close(&a);
  fx_close(&b);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  bn_ctx_t *ctx;
  bn_ctx_create(MPI_COMM_WORLD, &ctx);
  bn_ctx_set_log_level(ctx, BN_LOG_QUIET); /* no init lines */
  char dir[512] = "", in[4][600];
  const char *names[4] = {"complex", "real", "implicit", "amplitude"};
  int rank = bn_ctx_rank(ctx);
  if (rank == 0) {
    const char *base = getenv("TMPDIR");
    snprintf(dir, sizeof(dir), "%s/bn_phase_XXXXXX", base ? base : "/tmp");
    if (!mkdtemp(dir)) dir[0] = '\0';
  }
  MPI_Bcast(dir, sizeof(dir), MPI_CHAR, 0, MPI_COMM_WORLD);
  /* n = 31, m = 6 n + 1 = 187 (8 n + 1 = 249 real): uneven splits. */
  bn_phase_gen_t g[4] = {{31, 187, "complex", "gaussian", "intensity", 0, 5},
                         {31, 249, "real", "gaussian", "intensity", 0, 6},
                         {31, 187, "complex", "implicit", "intensity", 0, 5},
                         {31, 187, "complex", "gaussian", "amplitude", 0, 7}};
  for (int k = 0; k < 4; k++) {
    snprintf(in[k], sizeof(in[k]), "%s/%s.h5", dir, names[k]);
    CHECK_OK(ctx, bn_generate_phase(ctx, &g[k], in[k]));
  }
  bn_optdef_t *defs = fx_defs();
  test_implicit_is_gaussian(ctx, defs, in[0], in[2]);
  test_optimal_solvers(ctx, defs, in[0]);
  for (int k = 0; k < 4; k++) {
    fx_t f;
    fx_open(ctx, defs, in[k], "wf", NULL, &f);
    test_adjoint(ctx, f.s, names[k]);
    fx_close(&f);
    test_metric(ctx, defs, in[k], names[k]);
  }
  const char *cases[][3] = {{"complex", "wf", "complex/intensity"},
                            {"complex", "rwf", "complex/amplitude"},
                            {"real", "wf", "real/intensity"},
                            {"real", "raf", "real/amplitude"},
                            {"implicit", "twf", "implicit/intensity"},
                            {"amplitude", "wf", "amplitude data/intensity"},
                            {"complex", "raf-loss", "complex/reweighted"},
                            {"real", "raf-loss", "real/reweighted"},
                            {"amplitude", "auto", "amplitude data/auto"}};
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    int k = 0;
    while (strcmp(names[k], cases[c][0])) k++;
    test_derivatives(ctx, defs, in[k], cases[c][1], cases[c][2]);
    test_same(ctx, defs, in[k], cases[c][1], cases[c][2]);
  }
  free(defs);
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank == 0) {
    for (int k = 0; k < 4; k++) unlink(in[k]);
    rmdir(dir);
  }
  bn_ctx_destroy(ctx);
  int rc = bn_test_finish("mpi_phase");
  MPI_Finalize();
  return rc;
}
