/* Shared by the phase retrieval MPI tests (mpi_phase.c: Gaussian models,
 * mpi_cdp.c: coded diffraction): a problem opened from options, distributed
 * vectors, finite-difference checks of the gradient and the Hessian, the
 * metric's phase removal, and the same start, objective, gradient and
 * answer at P processes as at one. */
#ifndef BN_TEST_PHASE_FIXTURE_H
#define BN_TEST_PHASE_FIXTURE_H

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "benign/benign.h"
#include "check.h"
#include "hvp_check.h"
#include "problem_fixture.h"
#include "problems/phase/phase.h"

/* The problem's handle (tests/problem_fixture.h); data is the bn_phase_t. */
typedef fx_prob_t fx_t;

/* The problem's keys plus the shared solve keys. */
static bn_optdef_t *fx_defs(void) { return fx_problem_defs("phase", NULL); }

static void fx_open(bn_ctx_t *ctx, bn_optdef_t *defs, const char *input,
                    const char *method, const char *init, fx_t *f) {
  memset(f, 0, sizeof(*f));
  CHECK_OK(ctx, bn_opts_create(ctx, defs, &f->opts));
  CHECK_OK(ctx, bn_opts_set(f->opts, "input", input, BN_SRC_CMDLINE));
  CHECK_OK(ctx, bn_opts_set(f->opts, "method", method, BN_SRC_CMDLINE));
  if (init) CHECK_OK(ctx, bn_opts_set(f->opts, "init", init, BN_SRC_CMDLINE));
  fx_prob_make(ctx, "phase", f);
}

static void fx_close(fx_t *f) { fx_prob_close(f); }

/* A direction keyed by global index: the same on any number of ranks;
 * with unit, scaled to norm about 1 (= |x_true|, so that a step h is
 * relative to the point). */
static void fx_dir(bn_phase_t *s, uint32_t stream, double *d, bool unit) {
  uint64_t first = (uint64_t)s->K * (uint64_t)bn_dist_first(s->xdist);
  size_t nl = (size_t)s->K * (size_t)s->nl;
  bn_rng_fill_normal(7, stream, first, nl, d);
  double sc = unit ? 1.0 / sqrt((double)s->K * (double)s->n) : 1.0;
  for (size_t e = 0; e < nl; e++) d[e] *= sc;
}

/* Central differences of f (the gradient) and of the gradient (hvp) along
 * random directions, at a random point, plus the symmetry of the Hessian. */
static void test_derivatives(bn_ctx_t *ctx, bn_optdef_t *defs,
                             const char *input, const char *method,
                             const char *name, bool unit) {
  fx_t f;
  fx_open(ctx, defs, input, method, "random", &f);
  bn_phase_t *s = f.data;
  size_t n = f.obj.n + 1;
  double *g = calloc(n, 8), *xp = calloc(n, 8), *d = calloc(n, 8);
  double *gp = calloc(n, 8), *gm = calloc(n, 8), *hv = calloc(n, 8);
  double *d2 = calloc(n, 8), *hv2 = calloc(n, 8), fv, fp, fm;
  CHECK_OK(ctx, f.obj.eval(s, f.x, &fv, g));
  for (int t = 0; t < 3; t++) {
    double h = 1e-5;
    fx_dir(s, 100 + t, d, unit);
    double gd = hc_dot(ctx, g, d, f.obj.n);
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
  fx_dir(s, 200, d2, unit);
  CHECK_OK(ctx, f.obj.hvp(s, f.x, d2, hv2));
  double a = hc_dot(ctx, d, hv2, f.obj.n), b = hc_dot(ctx, d2, hv, f.obj.n);
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
  bn_phase_t *s = f.data;
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

/* The global phase of x turned to that of ref (complex, len doubles). */
static void fx_align_phase(double *x, const double *ref, size_t len) {
  double cr = 0, ci = 0;
  for (size_t j = 0; j < len / 2; j++) {
    cr += x[2 * j] * ref[2 * j] + x[2 * j + 1] * ref[2 * j + 1];
    ci += x[2 * j] * ref[2 * j + 1] - x[2 * j + 1] * ref[2 * j];
  }
  double ca = hypot(cr, ci);
  if (!(ca > 0)) return;
  cr /= ca, ci /= ca;
  for (size_t j = 0; j < len / 2; j++) {
    double a = x[2 * j], b = x[2 * j + 1];
    x[2 * j] = a * cr - b * ci;
    x[2 * j + 1] = a * ci + b * cr;
  }
}

/* The same start, objective, gradient and answer at P processes as at 1
 * (gd to tol within max_iter). With align, the answers are compared after
 * aligning their global phase, which the loss does not see and rounding
 * (FFTs on other slabs) moves freely. */
static void test_same(bn_ctx_t *ctx, bn_optdef_t *defs, const char *input,
                      const char *method, const char *name, double tol,
                      int64_t max_iter, bool align) {
  fx_t f;
  fx_open(ctx, defs, input, method, NULL, &f);
  bn_phase_t *s = f.data;
  size_t len = (size_t)s->K * (size_t)s->n;
  double *x0 = calloc(len, 8), *g0 = calloc(len, 8), *x1 = calloc(len, 8);
  double *g = calloc(f.obj.n + 1, 8), fv, rel, rmse;
  fx_full(s, f.x, x0);
  CHECK_OK(ctx, f.obj.eval(s, f.x, &fv, g));
  fx_full(s, g, g0);
  fx_solve(ctx, "gd", &f.obj, f.x, tol, max_iter);
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
    CHECK_OK(self, h.obj.eval(h.data, h.x, &fh, gh));
    CHECK(fabs(fh - fv) <= 1e-12 * fabs(fh), "%s: f %.17g at 1, %.17g at P",
          name, fh, fv);
    d = fx_maxdiff(gh, g0, len, &sc);
    CHECK(d <= 1e-11 * sc, "%s: gradient differs from 1 process by %g", name,
          d);
    fx_solve(self, "gd", &h.obj, h.x, tol, max_iter);
    if (align) fx_align_phase(h.x, x1, len);
    d = fx_maxdiff(h.x, x1, len, &sc);
    CHECK(d <= 1e-7 * sc, "%s: answer differs from 1 process by %g", name, d);
    free(gh);
    fx_close(&h);
    bn_ctx_destroy(self);
  }
  free(x0), free(g0), free(x1), free(g);
}

#endif
