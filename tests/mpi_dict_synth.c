/* Dictionary learning, the synthesis model (benign dict --method=synthesis
 * and synthesis-orth), at 1, 2 and 3 processes:
 *  - the smooth part 1/(2p)|Y - A C|^2 and its gradient in A against
 *    central differences along random directions;
 * *  - the lasso codes of FISTA, coordinate descent and feature-sign satisfy
 * the optimality conditions (|r_j| <= lambda where c_j = 0, r_j = lambda
 * sign(c_j) elsewhere, r = A^T (y - A c)) and agree;
 *  - the batch objective never rises from one iteration to the next
 *    (coordinate descent and FISTA coders, and synthesis-orth), and falls;
 *  - recovery: a Gaussian dictionary m = n = 16 (theta = 0.15) and an
 *    overcomplete one (m = 12, n = 20): >= 90% of the atoms matched
 *    (|cos| > 0.99); synthesis-orth recovers an orthogonal m = 12 one;
 *    the online variant (mini-batches) lowers its objective and matches
 *    most atoms of the m = 16 instance;
 *  - the dictionary after some iterations (batch and online) is the same
 *    on this communicator as on one process (1e-9);
 *  - bad options (lambda <= 0, no atom count, batch larger than p, gd,
 *    preconditioning, synthesis-orth with n != m) are refused with one
 *    agreed error. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benign/benign.h"
#include "problems/dict/dict.h"
#include "check.h"
#include "problem_fixture.h"
#include "problems/dict/dict.h"
#include "problems/dict/dict_synth_state.h"

typedef struct fx {
  bn_ctx_t *ctx;
  bn_opts_t *opts;
  const bn_problem_ops_t *ops;
  bn_dict_t *d;
  bn_objective_t obj;
  double *x;
} fx_t;

/* The problem's keys plus the shared solve keys. */
static bn_optdef_t *fx_defs(void) { return fx_problem_defs("dict", NULL); }

/* kv: "key=value" settings, NULL-terminated; want: NULL, or the error
 * the creation must fail with (agreed). Returns 1 if created. */
static int fx_open(bn_ctx_t *ctx, bn_optdef_t *defs, const char *input,
                   const char *const *kv, const char *want, fx_t *f) {
  void *data = NULL;
  memset(f, 0, sizeof(*f));
  f->ctx = ctx;
  CHECK_OK(ctx, bn_opts_create(ctx, defs, &f->opts));
  CHECK_OK(ctx, bn_opts_set(f->opts, "input", input, BN_SRC_CMDLINE));
  for (int k = 0; kv && kv[k]; k++) {
    char key[64];
    const char *eq = strchr(kv[k], '=');
    snprintf(key, sizeof key, "%.*s", (int)(eq - kv[k]), kv[k]);
    CHECK_OK(ctx, bn_opts_set(f->opts, key, eq + 1, BN_SRC_CMDLINE));
  }
  f->ops = bn_problem_find("dict");
  bn_status_t st = f->ops->create(ctx, f->opts, &data);
  if (want) {
    CHECK(st != BN_OK && bn_error_agreed(ctx) &&
              strstr(bn_error_message(ctx), want),
          "%s: expected an agreed error with '%s', got %d '%s'", kv[1], want,
          (int)st, bn_error_message(ctx));
    bn_error_clear(ctx);
  } else {
    CHECK(st == BN_OK, "create %s: %s", input, bn_error_message(ctx));
  }
  if (st != BN_OK) {
    if (data) f->ops->destroy(data);
    bn_opts_destroy(f->opts);
    return 0;
  }
  f->d = data;
  f->ops->objective(data, &f->obj);
  f->x = calloc(f->obj.n + 1, sizeof(double));
  return 1;
}

static void fx_close(fx_t *f) {
  f->ops->destroy(f->d);
  bn_opts_destroy(f->opts);
  free(f->x);
}

/* `iters` sweeps of the als solver from the start (f->x: the result on
 * rank 0); the solver's history into *h (caller frees via the solver). */
static bn_solver_t *fx_run(fx_t *f, int64_t iters) {
  bn_solver_t *s = NULL;
  bn_solver_params_t p;
  bn_solver_params_default(&p);
  p.tol = 0;
  p.max_iter = iters;
  p.progress = false;
  CHECK_OK(f->ctx, bn_solver_create(f->ctx, "als", &s));
  bn_solver_set_params(s, &p);
  CHECK_OK(f->ctx, f->ops->init(f->d, f->opts, f->x));
  CHECK_OK(f->ctx, bn_solver_solve(s, &f->obj, f->x));
  return s;
}

/* Finite differences of the smooth part in A at the start's codes. */
static void test_gradient(bn_ctx_t *ctx, bn_optdef_t *defs, const char *in) {
  const char *kv[] = {"method=synthesis", "atoms=20", NULL};
  fx_t f;
  if (!fx_open(ctx, defs, in, kv, NULL, &f)) return;
  double fv;
  CHECK_OK(ctx, f.ops->init(f.d, f.opts, f.x));
  CHECK_OK(ctx, f.obj.eval(f.d, f.x, &fv, NULL)); /* codes at the start */
  const size_t mn = (size_t)f.d->m * f.d->n;
  double *a = calloc(mn, 8), *dir = calloc(mn, 8), *g = calloc(mn, 8),
         *ap = calloc(mn, 8);
  for (size_t k = 0; k < mn; k++) {
    a[k] = bn_rng_normal(3, 70, k, 0);
    dir[k] = bn_rng_normal(3, 71, k, 0);
  }
  double f0, fp, fm, h = 1e-5, gd = 0.0;
  CHECK_OK(ctx, bn_dict_synth_smooth(f.d, a, f.d->syn->c, &f0, g));
  for (size_t k = 0; k < mn; k++) gd += g[k] * dir[k];
  for (size_t k = 0; k < mn; k++) ap[k] = a[k] + h * dir[k];
  CHECK_OK(ctx, bn_dict_synth_smooth(f.d, ap, f.d->syn->c, &fp, g));
  for (size_t k = 0; k < mn; k++) ap[k] = a[k] - h * dir[k];
  CHECK_OK(ctx, bn_dict_synth_smooth(f.d, ap, f.d->syn->c, &fm, g));
  double fd = (fp - fm) / (2 * h);
  CHECK(fabs(fd - gd) <= 1e-7 * (fabs(gd) + 1e-3 * fabs(f0)),
        "synthesis gradient: FD %.12g vs %.12g", fd, gd);
  if (bn_ctx_rank(ctx) == 0)
    printf("synthesis gradient vs FD: %.2g relative\n",
           fabs(fd - gd) / fabs(gd));
  free(a), free(dir), free(g), free(ap);
  fx_close(&f);
}

/* The lasso's optimality conditions for this process's samples. */
static double kkt(int m, int n, const double *a, const double *y,
                  const double *c, double lambda, double *r) {
  double worst = 0.0;
  for (int j = 0; j < n; j++) {
    double e = 0.0;
    for (int i = 0; i < m; i++) {
      double ri = y[i];
      for (int k = 0; k < n; k++) ri -= a[(size_t)i * n + k] * c[k];
      e += a[(size_t)i * n + j] * ri;
    }
    r[j] = e;
    double v = c[j] == 0.0 ? fmax(0.0, fabs(e) - lambda)
                           : fabs(e - lambda * (c[j] > 0 ? 1.0 : -1.0));
    worst = fmax(worst, v);
  }
  return worst;
}

static double obj(int m, int n, const double *a, const double *y,
                  const double *c, double lambda) {
  double v = 0.0;
  for (int i = 0; i < m; i++) {
    double ri = y[i];
    for (int k = 0; k < n; k++) ri -= a[(size_t)i * n + k] * c[k];
    v += 0.5 * ri * ri;
  }
  for (int k = 0; k < n; k++) v += lambda * fabs(c[k]);
  return v;
}

static void test_lasso(bn_ctx_t *ctx, bn_optdef_t *defs, const char *in) {
  const char *kv[] = {"method=synthesis", "atoms=20", "lambda=0.2", NULL};
  fx_t f;
  if (!fx_open(ctx, defs, in, kv, NULL, &f)) return;
  CHECK_OK(ctx, f.ops->init(f.d, f.opts, f.x));
  bn_dict_t *d = f.d;
  const int m = (int)d->m, n = d->n, rows = d->pl < 40 ? (int)d->pl : 40;
  double *a = d->syn->a, *b = calloc((size_t)rows * n + 1, 8),
         *c1 = calloc((size_t)rows * n + 1, 8),
         *c2 = calloc((size_t)rows * n + 1, 8),
         *c3 = calloc((size_t)rows * n + 1, 8), *r = calloc(n, 8);
  for (int s = 0; s < rows; s++)
    for (int j = 0; j < n; j++) {
      double v = 0.0;
      for (int i = 0; i < m; i++) v += a[(size_t)i * n + j] * d->y[s * m + i];
      b[(size_t)s * n + j] = v;
    }
  double *ac = calloc((size_t)m * n, 8);
  memcpy(ac, a, (size_t)m * n * 8);
  CHECK_OK(ctx, bn_dict_synth_lasso(d, ac, b, c1, rows, 1, 5000, 0));
  CHECK_OK(ctx, bn_dict_synth_lasso(d, ac, b, c2, rows, 0, 100000, 1e-13));
  CHECK_OK(ctx, bn_dict_synth_lasso(d, ac, b, c3, rows, 2, 1000, 1e-12));
  double w1 = 0.0, w2 = 0.0, w3 = 0.0, diff = 0.0;
  int nnz = 0;
  for (int s = 0; s < rows; s++) {
    w1 = fmax(w1, kkt(m, n, ac, d->y + s * m, c1 + s * n, 0.2, r));
    w2 = fmax(w2, kkt(m, n, ac, d->y + s * m, c2 + s * n, 0.2, r));
    w3 = fmax(w3, kkt(m, n, ac, d->y + s * m, c3 + s * n, 0.2, r));
    /* The objectives agree (the codes need not: atoms drawn from samples
     * may repeat, and then the lasso's minimiser is not unique). */
    double h1 = obj(m, n, ac, d->y + s * m, c1 + s * n, 0.2),
           h2 = obj(m, n, ac, d->y + s * m, c2 + s * n, 0.2),
           h3 = obj(m, n, ac, d->y + s * m, c3 + s * n, 0.2);
    diff = fmax(diff, fmax(fabs(h1 - h2), fabs(h3 - h2)) / h2);
    for (int j = 0; j < n; j++) nnz += c2[s * n + j] != 0.0;
  }
  CHECK(w1 <= 1e-6, "FISTA: optimality conditions violated by %.3g", w1);
  CHECK(w2 <= 1e-10, "cd: optimality conditions violated by %.3g", w2);
  CHECK(w3 <= 1e-11, "feature-sign: optimality conditions violated by %.3g",
        w3);
  CHECK(diff <= 1e-10, "FISTA, cd, feature-sign objectives differ by %.3g",
        diff);
  CHECK(rows == 0 || (nnz > rows && nnz < rows * n),
        "lasso: %d nonzeros of %d codes: not a sparse solution", nnz, rows * n);
  if (bn_ctx_rank(ctx) == 0)
    printf(
        "lasso KKT violation: FISTA %.2g, cd %.2g, feature-sign %.2g; "
        "objectives differ %.2g\n",
        w1, w2, w3, diff);
  free(b), free(c1), free(c2), free(c3), free(r), free(ac);
  fx_close(&f);
}

/* Every iterate of the batch history no higher than the one before. */
static void test_monotone(bn_ctx_t *ctx, bn_optdef_t *defs, const char *in,
                          const char *const *kv, const char *name) {
  fx_t f;
  if (!fx_open(ctx, defs, in, kv, NULL, &f)) return;
  bn_solver_t *s = fx_run(&f, 30);
  const bn_history_t *h = bn_solver_history(s);
  int up = 0;
  for (size_t k = 1; k < h->n; k++)
    up += h->objective[k] > h->objective[k - 1] * (1 + 1e-13) + 1e-300;
  CHECK(h->n == 31 && up == 0, "%s: %zu iterates, the objective rose %d times",
        name, h->n, up);
  CHECK(h->n > 1 && h->objective[h->n - 1] < 0.9 * h->objective[0],
        "%s: the objective moved only from %.9g to %.9g", name, h->objective[0],
        h->objective[h->n - 1]);
  if (bn_ctx_rank(ctx) == 0 && h->n > 1)
    printf("%s: objective %.6g -> %.6g in 30 iterations, never rising\n", name,
           h->objective[0], h->objective[h->n - 1]);
  bn_solver_destroy(s);
  fx_close(&f);
}

static void test_recovery(bn_ctx_t *ctx, bn_optdef_t *defs, const char *in,
                          const char *const *kv, int64_t iters, double want,
                          const char *name) {
  fx_t f;
  if (!fx_open(ctx, defs, in, kv, NULL, &f)) return;
  bn_solver_t *s = fx_run(&f, iters);
  int kept;
  CHECK_OK(ctx, bn_dict_accept(f.d, f.x, s, NULL, &kept));
  bn_dict_report_t r;
  CHECK_OK(ctx, bn_dict_finish(f.d, &r));
  CHECK(r.matched >= want, "%s: %.1f%% of the atoms matched, min |cos| %.6f",
        name, 100 * r.matched, r.min_cos);
  CHECK(isfinite(r.synthesis) && r.sparsity < 0.5,
        "%s: synthesis objective %.6g, sparsity %.3g", name, r.synthesis,
        r.sparsity);
  if (bn_ctx_rank(ctx) == 0)
    printf(
        "%s: %.1f%% matched, min |cos| %.6f, objective %.6g, sparsity "
        "%.3f, rep error %.3g\n",
        name, 100 * r.matched, r.min_cos, r.synthesis, r.sparsity, r.rep_error);
  bn_solver_destroy(s);
  fx_close(&f);
}

/* The dictionary after `iters` iterations here and on one process. */
static void test_counts(bn_ctx_t *ctx, bn_optdef_t *defs, const char *in,
                        const char *const *kv, int64_t iters,
                        const char *name) {
  fx_t f;
  if (!fx_open(ctx, defs, in, kv, NULL, &f)) return;
  bn_solver_t *s = fx_run(&f, iters);
  double diff = 0.0;
  if (bn_ctx_rank(ctx) == 0) {
    bn_ctx_t *self;
    bn_ctx_create(MPI_COMM_SELF, &self);
    fx_t g;
    if (fx_open(self, defs, in, kv, NULL, &g)) {
      bn_solver_t *s1 = fx_run(&g, iters);
      for (size_t k = 0; k < f.obj.n; k++)
        diff = fmax(diff, fabs(f.x[k] - g.x[k]));
      bn_solver_destroy(s1);
      fx_close(&g);
    }
    bn_ctx_destroy(self);
  }
  MPI_Bcast(&diff, 1, MPI_DOUBLE, 0, bn_ctx_comm(ctx));
  CHECK(diff <= 1e-9, "%s: A differs from one process's by %.3g", name, diff);
  if (bn_ctx_rank(ctx) == 0) printf("%s: A vs one process: %.2g\n", name, diff);
  bn_solver_destroy(s);
  fx_close(&f);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  bn_ctx_t *ctx;
  bn_ctx_create(MPI_COMM_WORLD, &ctx);
  char dir[512] = "", in[3][600];
  const char *names[3] = {"gauss", "over", "orth"};
  if (bn_ctx_rank(ctx) == 0) {
    const char *base = getenv("TMPDIR");
    snprintf(dir, sizeof(dir), "%s/bn_dsyn_XXXXXX", base ? base : "/tmp");
    if (!mkdtemp(dir)) dir[0] = '\0';
  }
  MPI_Bcast(dir, sizeof(dir), MPI_CHAR, 0, MPI_COMM_WORLD);
  for (int k = 0; k < 3; k++)
    snprintf(in[k], sizeof(in[k]), "%s/%s.h5", dir, names[k]);
  bn_dict_gen_t g[3] = {
      {16, 3000, 16, "gaussian", 0.15, 0.0, 0.0, 0.0, 10.0, 0, 2},
      {12, 3000, 20, "untf", 0.1, 0.0, 0.0, 0.0, 10.0, 0, 4},
      {12, 2000, 12, "orthogonal", 0.2, 0.0, 0.0, 0.0, 10.0, 0, 5}};
  for (int k = 0; k < 3; k++)
    CHECK_OK(ctx, bn_generate_dict(ctx, &g[k], in[k]));
  bn_optdef_t *defs = fx_defs();

  test_gradient(ctx, defs, in[0]);
  test_lasso(ctx, defs, in[0]);
  const char *cd[] = {"method=synthesis", "coder=cd", NULL};
  const char *fs[] = {"method=synthesis", NULL};
  const char *fi[] = {"method=synthesis", "coder=fista", "lasso-iters=20",
                      NULL};
  const char * or [] = {"method=synthesis-orth", NULL};
  test_monotone(ctx, defs, in[0], fs, "synthesis, feature-sign");
  test_monotone(ctx, defs, in[0], cd, "synthesis, cd");
  test_monotone(ctx, defs, in[1], fi, "synthesis, FISTA");
  test_monotone(ctx, defs, in[2], or, "synthesis-orth");
  test_recovery(ctx, defs, in[0], fs, 60, 0.9, "synthesis m = n = 16");
  test_recovery(ctx, defs, in[1], fs, 60, 0.9, "synthesis m = 12, n = 20");
  test_recovery(ctx, defs, in[2], or, 40, 1.0, "synthesis-orth m = 12");
  const char *on[] = {"method=synthesis", "batch-size=100", NULL};
  test_recovery(ctx, defs, in[0], on, 40, 0.5, "online m = n = 16, B = 100");
  test_counts(ctx, defs, in[0], fs, 10, "synthesis");
  test_counts(ctx, defs, in[0], on, 2, "online");

  fx_t f;
  const char *b1[] = {"method=synthesis", "lambda=0", NULL};
  const char *b2[] = {"method=synthesis", "lambda=-1", NULL};
  const char *b3[] = {"method=synthesis", "batch-size=5000", NULL};
  const char *b4[] = {"method=synthesis", "solver=gd", NULL};
  const char *b5[] = {"method=synthesis", "precondition=true", NULL};
  const char *b6[] = {"method=synthesis-orth", "atoms=13", NULL};
  const char *b7[] = {"method=synthesis", "batch-size=-2", NULL};
  const char *b8[] = {"method=synthesis", "atoms=-1", NULL};
  fx_open(ctx, defs, in[0], b1, "--lambda=0: the weight", &f);
  fx_open(ctx, defs, in[0], b2, "must be positive", &f);
  fx_open(ctx, defs, in[0], b3, "larger than the 3000 samples", &f);
  fx_open(ctx, defs, in[0], b4, "solver als only", &f);
  fx_open(ctx, defs, in[0], b5, "no whitening", &f);
  fx_open(ctx, defs, in[2], b6, "orthogonal dictionary of m = 12", &f);
  fx_open(ctx, defs, in[0], b7, "must be >= 0", &f);
  fx_open(ctx, defs, in[0], b8, "--atoms=-1", &f);
  free(defs);
  if (bn_ctx_rank(ctx) == 0) {
    for (int k = 0; k < 3; k++) unlink(in[k]);
    rmdir(dir);
  }
  int rc = bn_test_finish("mpi_dict_synth");
  bn_ctx_destroy(ctx);
  MPI_Finalize();
  return rc;
}
