/* Generalized linear model (benign glm), for each link: finite-difference
 * checks of the gradient and of the Hessian-vector product; exact recovery
 * from noiseless data (|w - w*| / |w*| < 1e-6) from the moment estimate
 * and from w = 0; with noise, the error at d = 50, n = 20000 against the
 * asymptotic prediction
 *     E|w - w*|^2 = noise^2 / n ((d - 1) / a + 1 / b),
 *     a = E sigma'(rho g)^2, b = E sigma'(rho g)^2 g^2, g ~ N(0, 1)
 * (the inverse Fisher information of the squared loss at w*, rho = |w*|),
 * within a factor; the same initial point and answer as one process (the
 * test runs at 1, 2 and 3 processes; n and d are not multiples of 2 or 3),
 * and a save/load round trip on another distribution. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benign/benign.h"
#include "check.h"
#include "hvp_check.h"
#include "problem_fixture.h"
#include "problems/glm/glm.h"

typedef struct fx {
  bn_opts_t *opts;
  const bn_problem_ops_t *ops;
  bn_glm_t *s;
  bn_objective_t obj;
  double *w;
} fx_t;

/* The problem's keys plus the shared solve keys. */
static bn_optdef_t *fx_defs(void) { return fx_problem_defs("glm", NULL); }

/* init: "spectral", "random" or "zero" (random with init-scale 0). */
static void fx_open(bn_ctx_t *ctx, bn_optdef_t *defs, const char *input,
                    const char *init, fx_t *f) {
  void *data = NULL;
  memset(f, 0, sizeof(*f));
  CHECK_OK(ctx, bn_opts_create(ctx, defs, &f->opts));
  CHECK_OK(ctx, bn_opts_set(f->opts, "input", input, BN_SRC_CMDLINE));
  int zero = !strcmp(init, "zero");
  CHECK_OK(ctx, bn_opts_set(f->opts, "init", zero ? "random" : init,
                            BN_SRC_CMDLINE));
  if (zero)
    CHECK_OK(ctx, bn_opts_set(f->opts, "init-scale", "0", BN_SRC_CMDLINE));
  if (!strcmp(init, "random"))
    CHECK_OK(ctx, bn_opts_set(f->opts, "init-scale", "1", BN_SRC_CMDLINE));
  f->ops = bn_problem_find("glm");
  CHECK_OK(ctx, f->ops->create(ctx, f->opts, &data));
  f->s = data;
  f->ops->objective(data, &f->obj);
  f->w = calloc(f->obj.n + 1, sizeof(double));
  CHECK_OK(ctx, f->ops->init(data, f->opts, f->w));
}

static void fx_close(fx_t *f) {
  f->ops->destroy(f->s);
  bn_opts_destroy(f->opts);
  free(f->w);
}

/* The full w on every rank. */
static void fx_full(bn_glm_t *s, const double *w, double *full) {
  MPI_Allgatherv(w, (int)s->wl, MPI_DOUBLE, full, s->cnt, s->dsp, MPI_DOUBLE,
                 bn_ctx_comm(s->ctx));
}

/* Gradient and Hessian-vector product against central differences along
 * random directions keyed by global index, at a random w with |w| ~ 1. */
static void test_derivatives(bn_ctx_t *ctx, bn_optdef_t *defs,
                             const char *input, const char *name) {
  fx_t f;
  fx_open(ctx, defs, input, "random", &f);
  bn_glm_t *s = f.s;
  size_t n = f.obj.n + 1;
  double *g = calloc(n, 8), *xp = calloc(n, 8), *d = calloc(n, 8);
  double *hv = calloc(n, 8), *gp = calloc(n, 8), *gm = calloc(n, 8), fv;
  CHECK_OK(ctx, f.obj.eval(s, f.w, &fv, g));
  bn_idx_t j0 = bn_dist_first(s->wdist);
  for (int t = 0; t < 3; t++) {
    double fp, fm, h = 1e-5;
    for (bn_idx_t j = 0; j < s->wl; j++)
      d[j] = bn_rng_normal(99, 100 + t, (uint64_t)(j0 + j), 0);
    double gd = hc_dot(ctx, g, d, f.obj.n);
    for (size_t i = 0; i < f.obj.n; i++) xp[i] = f.w[i] + h * d[i];
    CHECK_OK(ctx, f.obj.eval(s, xp, &fp, gp));
    for (size_t i = 0; i < f.obj.n; i++) xp[i] = f.w[i] - h * d[i];
    CHECK_OK(ctx, f.obj.eval(s, xp, &fm, gm));
    double fd = (fp - fm) / (2 * h);
    CHECK(fabs(fd - gd) <= 1e-6 * fabs(gd),
          "%s: gradient, direction %d: FD "
          "%.12g vs %.12g",
          name, t, fd, gd);
    CHECK_OK(ctx, f.obj.hvp(s, f.w, d, hv));
    double e2 = 0, h2 = 0;
    for (size_t i = 0; i < f.obj.n; i++) {
      double q = (gp[i] - gm[i]) / (2 * h);
      e2 += (q - hv[i]) * (q - hv[i]);
      h2 += hv[i] * hv[i];
    }
    double sum[2] = {e2, h2};
    MPI_Allreduce(MPI_IN_PLACE, sum, 2, MPI_DOUBLE, MPI_SUM, bn_ctx_comm(ctx));
    CHECK(sqrt(sum[0]) <= 1e-6 * sqrt(sum[1]),
          "%s: hvp, direction %d: |FD - Hv| = %g, |Hv| = %g", name, t,
          sqrt(sum[0]), sqrt(sum[1]));
  }
  free(g), free(xp), free(d), free(hv), free(gp), free(gm);
  fx_close(&f);
}

static void solve(bn_ctx_t *ctx, fx_t *f) {
  bn_solver_t *sv;
  bn_solver_params_t p;
  bn_solver_params_default(&p);
  p.tol = 1e-12;
  p.max_iter = 3000;
  p.progress = false;
  CHECK_OK(ctx, bn_solver_create(ctx, "gd", &sv));
  bn_solver_set_params(sv, &p);
  CHECK_OK(ctx, bn_solver_solve(sv, &f->obj, f->w));
  CHECK(bn_solver_reason(sv) > 0, "not converged (%s)",
        bn_reason_string(bn_solver_reason(sv)));
  bn_solver_destroy(sv);
}

/* Solve from init; rel error to the truth; on rank 0 the same from one
 * process: initial points to 1e-13, answers to 1e-9 (relative). */
static double recover(bn_ctx_t *ctx, bn_optdef_t *defs, const char *input,
                      const char *init, const char *name) {
  fx_t f;
  fx_open(ctx, defs, input, init, &f);
  size_t d = (size_t)f.s->d;
  double *w0 = calloc(d, 8), *w1 = calloc(d, 8), rel, rmse;
  fx_full(f.s, f.w, w0);
  solve(ctx, &f);
  CHECK_OK(ctx, f.obj.metrics(f.s, f.w, &rel, &rmse));
  fx_full(f.s, f.w, w1);
  fx_close(&f);
  if (bn_ctx_rank(ctx) == 0 && bn_ctx_size(ctx) > 1) {
    bn_ctx_t *self;
    bn_ctx_create(MPI_COMM_SELF, &self);
    fx_t g;
    fx_open(self, defs, input, init, &g);
    double e0 = 0, e1 = 0, sc = 0;
    for (size_t j = 0; j < d; j++) e0 = fmax(e0, fabs(g.w[j] - w0[j]));
    solve(self, &g);
    for (size_t j = 0; j < d; j++) {
      e1 = fmax(e1, fabs(g.w[j] - w1[j]));
      sc = fmax(sc, fabs(g.w[j]));
    }
    CHECK(e0 <= 1e-13 * sc,
          "%s, %s: initial point differs from 1 process "
          "by %g",
          name, init, e0);
    CHECK(e1 <= 1e-9 * sc, "%s, %s: answer differs from 1 process by %g", name,
          init, e1);
    fx_close(&g);
    bn_ctx_destroy(self);
  }
  free(w0), free(w1);
  return rel;
}

/* a = E s'(rho g)^2 and b = E s'(rho g)^2 g^2 by the trapezoid rule. */
static void slopes(bn_glm_link_t link, double rho, double *a, double *b) {
  const int m = 40000;
  const double lo = -10, hh = 20.0 / m;
  *a = *b = 0;
  for (int i = 0; i <= m; i++) {
    double g = lo + i * hh, v, d1, wt = (i == 0 || i == m) ? 0.5 : 1.0;
    bn_glm_link_eval(link, rho * g, &v, &d1, NULL);
    double phi = exp(-0.5 * g * g) / 2.5066282746310002 * hh * wt;
    *a += d1 * d1 * phi;
    *b += d1 * d1 * g * g * phi;
  }
}

/* Save on this run's distribution, load on one process: the same w. */
static void test_save_load(bn_ctx_t *ctx, bn_optdef_t *defs, const char *input,
                           const char *path) {
  fx_t f;
  fx_open(ctx, defs, input, "random", &f);
  size_t d = (size_t)f.s->d;
  double *full = calloc(d, 8);
  fx_full(f.s, f.w, full);
  bn_h5_t *h = NULL;
  CHECK_OK(ctx, bn_h5_create(ctx, path, 0, &h));
  CHECK_OK(ctx, f.ops->save(f.s, f.w, h, "/"));
  CHECK_OK(ctx, bn_h5_commit(h));
  bn_h5_close(h);
  fx_close(&f);
  if (bn_ctx_rank(ctx) == 0) {
    bn_ctx_t *self;
    bn_ctx_create(MPI_COMM_SELF, &self);
    fx_t g;
    fx_open(self, defs, input, "spectral", &g);
    CHECK_OK(self, bn_h5_open(self, path, &h));
    CHECK_OK(self, g.ops->load(g.s, h, "/", g.w));
    bn_h5_close(h);
    int same = 1;
    for (size_t j = 0; j < d; j++) same &= g.w[j] == full[j];
    CHECK(same, "save/load: w differs after the round trip");
    fx_close(&g);
    bn_ctx_destroy(self);
  }
  free(full);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  bn_ctx_t *ctx;
  bn_ctx_create(MPI_COMM_WORLD, &ctx);
  char dir[512] = "", in[6][600], out[600];
  int rank = bn_ctx_rank(ctx);
  if (rank == 0) {
    const char *base = getenv("TMPDIR");
    snprintf(dir, sizeof(dir), "%s/bn_glm_XXXXXX", base ? base : "/tmp");
    if (!mkdtemp(dir)) dir[0] = '\0';
  }
  MPI_Bcast(dir, sizeof(dir), MPI_CHAR, 0, MPI_COMM_WORLD);
  /* Noiseless, one per link (n = 3001, d = 23), then d = 50, n = 20000
   * (sigmoid) noiseless and with noise 0.1. */
  const char *links[4] = {"sigmoid", "tanh", "softplus", "linear"};
  bn_glm_gen_t g[6];
  for (int k = 0; k < 4; k++)
    g[k] = (bn_glm_gen_t){3001, 23, links[k], 1.5, 0.0, (uint64_t)(11 + k)};
  g[4] = (bn_glm_gen_t){20000, 50, "sigmoid", 2.0, 0.0, 5};
  g[5] = (bn_glm_gen_t){20000, 50, "sigmoid", 2.0, 0.1, 5};
  for (int k = 0; k < 6; k++) {
    snprintf(in[k], sizeof(in[k]), "%s/in%d.h5", dir, k);
    CHECK_OK(ctx, bn_generate_glm(ctx, &g[k], in[k]));
  }
  bn_optdef_t *defs = fx_defs();
  for (int k = 0; k < 4; k++) {
    test_derivatives(ctx, defs, in[k], links[k]);
    const char *inits[2] = {"spectral", "zero"};
    for (int i = 0; i < 2; i++) {
      double rel = recover(ctx, defs, in[k], inits[i], links[k]);
      CHECK(rel < 1e-6, "%s, %s init: noiseless |w - w*| / |w*| = %g", links[k],
            inits[i], rel);
    }
  }
  double rel = recover(ctx, defs, in[4], "spectral", "d=50 noiseless");
  CHECK(rel < 1e-6, "d = 50, n = 20000, noiseless: relative error %g", rel);
  rel = recover(ctx, defs, in[5], "random", "d=50 noise 0.1");
  double a, b;
  slopes(BN_GLM_SIGMOID, g[5].norm, &a, &b);
  double pred = g[5].noise * sqrt((49.0 / a + 1.0 / b) / 20000.0) / g[5].norm;
  if (rank == 0)
    printf(
        "d = 50, n = 20000, noise 0.1: relative error %.4g, predicted "
        "%.4g (ratio %.3f)\n",
        rel, pred, rel / pred);
  CHECK(rel > 0.7 * pred && rel < 1.4 * pred,
        "noisy recovery: relative error %g, predicted %g", rel, pred);
  snprintf(out, sizeof(out), "%s/saved.h5", dir);
  test_save_load(ctx, defs, in[1], out);
  free(defs);
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank == 0) {
    for (int k = 0; k < 6; k++) unlink(in[k]);
    unlink(out);
    rmdir(dir);
  }
  bn_ctx_destroy(ctx);
  int rc = bn_test_finish("mpi_glm");
  MPI_Finalize();
  return rc;
}
