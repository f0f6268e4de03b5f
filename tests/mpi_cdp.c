/* Phase retrieval, coded diffraction patterns (phase_cdp.h): the operator
 * against a direct DFT of d_l .* z on small images, the adjoint identity
 * <A z, w> = <z, A^H w> (complex, both parts; w keyed by the global
 * measurement index), finite-difference checks of the gradient and of the
 * Hessian-vector product (intensity, amplitude and reweighted amplitude
 * losses), --method=auto (raf from the optimal start), the metric's
 * phase removal, and the same initial point, objective, gradient and gd
 * answer as a one-process run with recovery < 1e-7 (L = 6 on a 64 x 64
 * image and 6 on 10 x 7; the amplitude loss's FD checks are on the small
 * image: on 64 x 64 at a random point some |u_i| are so small that the
 * central difference of its 1/|u| curvature misses 1e-6 by ~10x; the test runs
 * at 1, 2 and 3 processes, where FFTW's slabs are uneven: 64 = 22 + 22 + 20).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benign/benign.h"
#include "benign/generate.h"
#include "check.h"
#include "problem_fixture.h"
#include "problems/phase/phase.h"
#include "problems/phase/phase_cdp.h"

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
  size_t nl = (size_t)s->K * (size_t)s->nl;
  bn_rng_fill_normal(7, stream, first, nl, d);
  /* |d| ~ 1 = |x_true|: the step h is relative to the point. */
  double sc = 1.0 / sqrt((double)s->K * (double)s->n);
  for (size_t e = 0; e < nl; e++) d[e] *= sc;
}

/* <A z, w> = sum conj(u_i) w_i and <z, A^H w> = sum conj(z_j) g_j. */
static void test_adjoint(bn_ctx_t *ctx, bn_phase_t *s, const char *name) {
  size_t len = 2 * (size_t)s->n, ml = (size_t)s->ml;
  double *z = malloc(len * sizeof(double)), *g = calloc(len, sizeof(double));
  double *u = calloc(2 * ml + 1, 8), *w = calloc(2 * ml + 1, 8);
  bn_rng_fill_normal(3, 300, 0, len, z);
  for (size_t k = 0; k < ml; k++) {
    uint64_t i = (uint64_t)bn_phase_cdp_global(s, (bn_idx_t)k);
    w[2 * k] = bn_rng_normal(3, 301, i, 0);
    w[2 * k + 1] = bn_rng_normal(3, 301, i, 1);
  }
  bn_phase_forward(s, z, u);
  bn_phase_adjoint(s, w, g);
  bn_allreduce_sum(ctx, g, len);
  double lhs[2] = {0, 0}, rhs[2] = {0, 0};
  for (size_t i = 0; i < ml; i++) {
    double ur = u[2 * i], ui = u[2 * i + 1], wr = w[2 * i], wi = w[2 * i + 1];
    lhs[0] += ur * wr + ui * wi;
    lhs[1] += ur * wi - ui * wr;
  }
  MPI_Allreduce(MPI_IN_PLACE, lhs, 2, MPI_DOUBLE, MPI_SUM, bn_ctx_comm(ctx));
  for (size_t j = 0; j < len / 2; j++) {
    double zr = z[2 * j], zi = z[2 * j + 1], gr = g[2 * j], gi = g[2 * j + 1];
    rhs[0] += zr * gr + zi * gi;
    rhs[1] += zr * gi - zi * gr;
  }
  double sc = fabs(rhs[0]) + fabs(rhs[1]);
  CHECK(fabs(lhs[0] - rhs[0]) <= 1e-12 * sc &&
            fabs(lhs[1] - rhs[1]) <= 1e-12 * sc,
        "%s: <Az, w> = %.17g%+.17gi, <z, A^H w> = %.17g%+.17gi", name, lhs[0],
        lhs[1], rhs[0], rhs[1]);
  free(z), free(g), free(u), free(w);
}

/* A z against sum_j d_l(j) z_j exp(-2 pi i (r k_r / h + c k_c / w)) for
 * every measurement of the rank (small images only), and the masks'
 * values: octanary, |d|^2 in {1/2, 3}. */
static void test_direct(bn_ctx_t *ctx, bn_phase_t *s, const char *name) {
  const bn_cdp_t *c = s->md;
  const bn_idx_t h = c->h, w = c->w, n = s->n;
  size_t len = 2 * (size_t)n, ml = (size_t)s->ml;
  double *z = malloc(len * 8), *u = calloc(2 * ml + 1, 8), err = 0, sc = 0;
  bn_rng_fill_normal(4, 302, 0, len, z);
  bn_phase_forward(s, z, u);
  int badmask = 0;
  for (size_t k = 0; k < ml; k++) {
    int64_t i = bn_phase_cdp_global(s, (bn_idx_t)k);
    int l = (int)(i / n);
    bn_idx_t kr = (i % n) / w, kc = (i % n) % w;
    double ar = 0, ai = 0;
    for (bn_idx_t j = 0; j < n; j++) {
      double d[2];
      bn_cdp_mask(c->seed, l, n, j, d);
      double a2 = d[0] * d[0] + d[1] * d[1];
      if (fabs(a2 - 0.5) > 1e-15 && fabs(a2 - 3.0) > 1e-15) badmask = 1;
      double t =
          -6.283185307179586477 * ((double)((j / w) * kr % h) / (double)h +
                                   (double)((j % w) * kc % w) / (double)w);
      double er = cos(t), ei = sin(t);
      double pr = d[0] * z[2 * j] - d[1] * z[2 * j + 1];
      double pi = d[0] * z[2 * j + 1] + d[1] * z[2 * j];
      ar += pr * er - pi * ei;
      ai += pr * ei + pi * er;
    }
    err = fmax(err, hypot(ar - u[2 * k], ai - u[2 * k + 1]));
    sc = fmax(sc, hypot(ar, ai));
  }
  double v[2] = {err, sc};
  MPI_Allreduce(MPI_IN_PLACE, v, 2, MPI_DOUBLE, MPI_MAX, bn_ctx_comm(ctx));
  MPI_Allreduce(MPI_IN_PLACE, &badmask, 1, MPI_INT, MPI_MAX, bn_ctx_comm(ctx));
  CHECK(v[0] <= 1e-12 * v[1], "%s: FFT vs direct DFT: max error %g (scale %g)",
        name, v[0], v[1]);
  CHECK(!badmask, "%s: a mask value is not octanary", name);
  free(z), free(u);
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
  p.tol = 1e-12;
  p.max_iter = 4000;
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
    /* The loss is invariant under a global phase, which rounding (FFTs on
     * other slabs) moves freely: compare after aligning it. */
    double cr = 0, ci = 0;
    for (size_t j = 0; j < len / 2; j++) {
      cr += h.x[2 * j] * x1[2 * j] + h.x[2 * j + 1] * x1[2 * j + 1];
      ci += h.x[2 * j] * x1[2 * j + 1] - h.x[2 * j + 1] * x1[2 * j];
    }
    double ca = hypot(cr, ci);
    cr /= ca, ci /= ca;
    for (size_t j = 0; j < len / 2; j++) {
      double a = h.x[2 * j], b = h.x[2 * j + 1];
      h.x[2 * j] = a * cr - b * ci;
      h.x[2 * j + 1] = a * ci + b * cr;
    }
    d = fx_maxdiff(h.x, x1, len, &sc);
    CHECK(d <= 1e-7 * sc, "%s: answer differs from 1 process by %g", name, d);
    free(gh);
    fx_close(&h);
    bn_ctx_destroy(self);
  }
  free(x0), free(g0), free(x1), free(g);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  bn_ctx_t *ctx;
  bn_ctx_create(MPI_COMM_WORLD, &ctx);
  bn_ctx_set_log_level(ctx, BN_LOG_QUIET); /* no init lines */
  char dir[512] = "", in[3][600];
  const char *names[3] = {"cdp64", "cdp10x7", "cdp10x7-amp"};
  int rank = bn_ctx_rank(ctx);
  if (rank == 0) {
    const char *base = getenv("TMPDIR");
    snprintf(dir, sizeof(dir), "%s/bn_cdp_XXXXXX", base ? base : "/tmp");
    if (!mkdtemp(dir)) dir[0] = '\0';
  }
  MPI_Bcast(dir, sizeof(dir), MPI_CHAR, 0, MPI_COMM_WORLD);
  bn_phase_cdp_gen_t g[3] = {{64, 64, 6, "random", "intensity", 0, 5},
                             {10, 7, 6, "smooth", "intensity", 0, 6},
                             {10, 7, 6, "random", "amplitude", 0, 7}};
  for (int k = 0; k < 3; k++) {
    snprintf(in[k], sizeof(in[k]), "%s/%s.h5", dir, names[k]);
    CHECK_OK(ctx, bn_generate_phase_cdp(ctx, &g[k], in[k]));
  }
  bn_optdef_t *defs = fx_defs();
  for (int k = 0; k < 3; k++) {
    fx_t f;
    fx_open(ctx, defs, in[k], "wf", NULL, &f);
    test_adjoint(ctx, f.s, names[k]);
    if (k > 0) test_direct(ctx, f.s, names[k]);
    fx_close(&f);
    test_metric(ctx, defs, in[k], names[k]);
  }
  const char *cases[][3] = {{"cdp64", "wf", "cdp64/intensity"},
                            {"cdp64", "twf", "cdp64/intensity twf"},
                            {"cdp10x7", "rwf", "cdp10x7/amplitude"},
                            {"cdp10x7-amp", "raf", "cdp10x7 amp/amplitude"},
                            {"cdp64", "raf-loss", "cdp64/reweighted"},
                            {"cdp10x7", "auto", "cdp10x7/auto"}};
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    int k = 0;
    while (strcmp(names[k], cases[c][0])) k++;
    test_derivatives(ctx, defs, in[k], cases[c][1], cases[c][2]);
    test_same(ctx, defs, in[k], cases[c][1], cases[c][2]);
  }
  free(defs);
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank == 0) {
    for (int k = 0; k < 3; k++) unlink(in[k]);
    rmdir(dir);
  }
  bn_ctx_destroy(ctx);
  int rc = bn_test_finish("mpi_cdp");
  MPI_Finalize();
  return rc;
}
