/* Tensor decomposition (benign tensor), at 1, 2 and 3 processes:
 *  - finite-difference checks on the sphere, for each input form and with
 *    a deflated component: the Riemannian gradient against the derivative
 *    of f along tangent directions, the Riemannian Hessian-vector product
 *    against the derivative of the gradient field along retracted curves
 *    (projected), and its symmetry;
 *  - recovery of n = 20, K = 20 random orthogonal components (weights 1 to
 *    1.95) from random starts by rgd, power and shifted-power: every true
 *    component's best |cos| > 0.999, weights to 1e-6, and the same
 *    components in the same order as a one-process run; the explicit form
 *    (n = 8) likewise; the samples form (n = 6) to |cos| > 0.99;
 *  - the Kofidis-Regalia example (Example 1 of Kofidis and Regalia 2002,
 *    also in Kolda and Mayo 2011): the unshifted power method oscillates
 *    (no convergence in 300 iterations, the objective keeps moving), the
 *    shifted one (a fixed convex shift 3 |T|_F, and the adaptive shift)
 *    converges to an eigenpair T x^3 = lambda x with residual < 1e-8,
 *    monotonically for the fixed shift. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benign/benign.h"
#include "problems/tensor/tensor.h"
#include "check.h"
#include "problem_fixture.h"
#include "problems/tensor/tensor.h"

typedef struct fx {
  bn_ctx_t *ctx;
  bn_opts_t *opts;
  const bn_problem_ops_t *ops;
  bn_tensor_t *t;
  bn_objective_t obj;
  double *x;
} fx_t;

/* The problem's keys plus the shared solve keys (starting at random points
 * unless a test says otherwise). */
static bn_optdef_t *fx_defs(void) {
  return fx_problem_defs("tensor", "random");
}

/* kv: "key=value" settings, NULL-terminated. */
static int fx_open(bn_ctx_t *ctx, bn_optdef_t *defs, const char *input,
                   const char *const *kv, fx_t *f) {
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
  f->ops = bn_problem_find("tensor");
  bn_status_t st = f->ops->create(ctx, f->opts, &data);
  CHECK(st == BN_OK, "create %s: %s", input, bn_error_message(ctx));
  if (st != BN_OK) {
    bn_opts_destroy(f->opts);
    return 0;
  }
  f->t = data;
  f->ops->objective(data, &f->obj);
  f->x = calloc(f->obj.n + 1, sizeof(double));
  return 1;
}

static void fx_close(fx_t *f) {
  f->ops->destroy(f->t);
  bn_opts_destroy(f->opts);
  free(f->x);
}

static double fx_dot(fx_t *f, const double *a, const double *b) {
  double d;
  CHECK_OK(f->ctx, bn_tensor_dot(f->t, a, b, &d));
  return d;
}

/* A tangent direction at x keyed by global index. */
static void fx_tangent(fx_t *f, uint32_t stream, double *d) {
  for (bn_idx_t i = 0; i < f->t->nl; i++)
    d[i] = bn_rng_normal(7, stream, (uint64_t)(f->t->x0 + i), 0);
  CHECK_OK(f->ctx, bn_tensor_project(f->t, f->x, d));
}

static bn_solver_t *fx_solver(bn_ctx_t *ctx, const char *name, double tol,
                              int64_t max_iter) {
  bn_solver_t *s = NULL;
  bn_solver_params_t p;
  bn_solver_params_default(&p);
  p.tol = tol;
  p.max_iter = max_iter;
  p.progress = false;
  CHECK_OK(ctx, bn_solver_create(ctx, name, &s));
  bn_solver_set_params(s, &p);
  return s;
}

/* The deflation loop of the run frame (drivers/run_problem.c). */
static void fx_decompose(fx_t *f) {
  bn_solver_t *s = fx_solver(f->ctx, bn_tensor_solver(f->t), 1e-10, 3000);
  while (bn_tensor_found(f->t) < bn_tensor_target(f->t)) {
    CHECK_OK(f->ctx, f->ops->init(f->t, f->opts, f->x));
    CHECK_OK(f->ctx, bn_solver_solve(s, &f->obj, f->x));
    CHECK(bn_solver_reason(s) > 0, "component %d: %s", bn_tensor_found(f->t),
          bn_reason_string(bn_solver_reason(s)));
    CHECK_OK(f->ctx, bn_tensor_accept(f->t, f->x, s));
  }
  bn_solver_destroy(s);
}

/* Gradient and Hessian-vector product against finite differences. */
static void test_derivatives(bn_ctx_t *ctx, bn_optdef_t *defs, const char *in,
                             const char *name, int deflate) {
  fx_t f;
  const char *kv[] = {"method=rgd", NULL};
  if (!fx_open(ctx, defs, in, kv, &f)) return;
  size_t n = f.obj.n + 1;
  double *g = calloc(n, sizeof(double)), *d = calloc(n, sizeof(double));
  double *v = calloc(n, sizeof(double)), *hv = calloc(n, sizeof(double));
  double *hu = calloc(n, sizeof(double)), *xp = calloc(n, sizeof(double));
  double *gp = calloc(n, sizeof(double)), *gm = calloc(n, sizeof(double));
  if (deflate) { /* keep a random unit vector as a component */
    bn_solver_t *s = fx_solver(ctx, "gd", 1e-10, 0);
    CHECK_OK(ctx, f.ops->init(f.t, f.opts, f.x));
    CHECK_OK(ctx, bn_solver_solve(s, &f.obj, f.x));
    CHECK_OK(ctx, bn_tensor_accept(f.t, f.x, s));
    bn_solver_destroy(s);
  }
  CHECK_OK(ctx, f.ops->init(f.t, f.opts, f.x));
  double fv, fp, fm, h = 1e-5;
  CHECK_OK(ctx, f.obj.eval(f.t, f.x, &fv, g));
  CHECK(fabs(fx_dot(&f, g, f.x)) <= 1e-12 * sqrt(fx_dot(&f, g, g)) + 1e-15,
        "%s: the gradient is not tangent", name);
  for (int k = 0; k < 3; k++) {
    fx_tangent(&f, 100 + k, d);
    fx_tangent(&f, 200 + k, v);
    /* f along x + s d (f is a polynomial on R^n; its derivative along a
     * tangent d at a unit x is <grad f, d>). */
    double gd = fx_dot(&f, g, d);
    for (size_t i = 0; i < f.obj.n; i++) xp[i] = f.x[i] + h * d[i];
    CHECK_OK(ctx, f.obj.eval(f.t, xp, &fp, NULL));
    for (size_t i = 0; i < f.obj.n; i++) xp[i] = f.x[i] - h * d[i];
    CHECK_OK(ctx, f.obj.eval(f.t, xp, &fm, NULL));
    double fd = (fp - fm) / (2 * h);
    CHECK(fabs(fd - gd) <= 1e-7 * (fabs(gd) + 1e-3 * fabs(fv)),
          "%s%s: gradient along direction %d: FD %.12g vs %.12g", name,
          deflate ? " (deflated)" : "", k, fd, gd);
    /* The gradient field along the retracted curve R(x + s v). */
    for (size_t i = 0; i < f.obj.n; i++) xp[i] = f.x[i] + h * v[i];
    CHECK_OK(ctx, bn_tensor_retract(f.t, xp));
    CHECK_OK(ctx, f.obj.eval(f.t, xp, &fp, gp));
    for (size_t i = 0; i < f.obj.n; i++) xp[i] = f.x[i] - h * v[i];
    CHECK_OK(ctx, bn_tensor_retract(f.t, xp));
    CHECK_OK(ctx, f.obj.eval(f.t, xp, &fm, gm));
    for (size_t i = 0; i < f.obj.n; i++) gp[i] = (gp[i] - gm[i]) / (2 * h);
    CHECK_OK(ctx, bn_tensor_project(f.t, f.x, gp));
    CHECK_OK(ctx, f.obj.hvp(f.t, f.x, v, hv));
    double err = 0, nrm = 0;
    for (size_t i = 0; i < f.obj.n; i++) {
      err += (gp[i] - hv[i]) * (gp[i] - hv[i]);
      nrm += hv[i] * hv[i];
    }
    double e2[2] = {err, nrm};
    MPI_Allreduce(MPI_IN_PLACE, e2, 2, MPI_DOUBLE, MPI_SUM, bn_ctx_comm(ctx));
    CHECK(sqrt(e2[0]) <= 1e-6 * sqrt(e2[1]),
          "%s%s: hvp direction %d: |FD - Hv| = %.3g, |Hv| = %.3g", name,
          deflate ? " (deflated)" : "", k, sqrt(e2[0]), sqrt(e2[1]));
    CHECK_OK(ctx, f.obj.hvp(f.t, f.x, d, hu));
    double a = fx_dot(&f, d, hv), b = fx_dot(&f, v, hu);
    CHECK(fabs(a - b) <= 1e-12 * (fabs(a) + fabs(b)) + 1e-14,
          "%s: <d, H v> = %.17g but <v, H d> = %.17g", name, a, b);
  }
  free(g), free(d), free(v), free(hv), free(hu), free(xp), free(gp), free(gm);
  fx_close(&f);
}

/* Columns of /A_hat gathered on every rank (n x J, row-major). */
static void fx_ahat(fx_t *f, double *full) {
  bn_tensor_t *t = f->t;
  const int J = t->found, ld = t->target;
  memset(full, 0, (size_t)(t->n * J) * sizeof(double));
  for (bn_idx_t i = 0; i < t->nl; i++)
    for (int j = 0; j < J; j++) full[(t->x0 + i) * J + j] = t->b[i * ld + j];
  bn_allreduce_sum(f->ctx, full, (size_t)(t->n * J));
}

/* Recovery, and the same components (order, sign) and weights as one
 * process. */
static void test_recovery(bn_ctx_t *ctx, bn_optdef_t *defs, const char *in,
                          const char *method, const double *lam, double cos_min,
                          const char *name) {
  const char *kv[] = {method, "init=random", NULL};
  fx_t f;
  if (!fx_open(ctx, defs, in, kv, &f)) return;
  fx_decompose(&f);
  double mc;
  CHECK_OK(ctx, bn_tensor_recovery(f.t, &mc));
  CHECK(mc > cos_min, "%s, %s: min |cos| %.9f", name, method, mc);
  const int J = bn_tensor_found(f.t);
  const bn_idx_t n = f.t->n;
  if (lam) { /* the weights found against the true ones, both sorted */
    double a[64], b[64];
    const double *mu = bn_tensor_weights(f.t);
    for (int j = 0; j < J; j++) a[j] = mu[j], b[j] = lam[j];
    for (int p = 0; p < J; p++)
      for (int q = p + 1; q < J; q++) {
        if (a[q] < a[p]) {
          double s = a[p];
          a[p] = a[q];
          a[q] = s;
        }
        if (b[q] < b[p]) {
          double s = b[p];
          b[p] = b[q];
          b[q] = s;
        }
      }
    for (int j = 0; j < J; j++)
      CHECK(fabs(a[j] - b[j]) < 1e-6, "%s, %s: weight %d: %.12g vs %.12g", name,
            method, j, a[j], b[j]);
  }
  double *mine = calloc((size_t)(n * J) + 1, sizeof(double));
  fx_ahat(&f, mine);
  if (bn_ctx_rank(ctx) == 0) {
    bn_ctx_t *self;
    bn_ctx_create(MPI_COMM_SELF, &self);
    fx_t g;
    if (fx_open(self, defs, in, kv, &g)) {
      fx_decompose(&g);
      double *one = calloc((size_t)(n * J) + 1, sizeof(double)), worst = 1;
      fx_ahat(&g, one);
      for (int j = 0; j < J; j++) {
        double c = 0;
        for (bn_idx_t i = 0; i < n; i++) c += one[i * J + j] * mine[i * J + j];
        worst = fmin(worst, c);
      }
      CHECK(worst > 0.999999,
            "%s, %s: component differs from one process (cos %.9f)", name,
            method, worst);
      free(one);
      fx_close(&g);
    }
    bn_ctx_destroy(self);
  }
  free(mine);
  fx_close(&f);
}

/* Example 1 of Kofidis and Regalia (2002): the 15 distinct entries of a
 * symmetric 3 x 3 x 3 x 3 tensor, indices in lexicographic order. */
static void kr_tensor(double *t) {
  static const int idx[15][4] = {
      {0, 0, 0, 0}, {0, 0, 0, 1}, {0, 0, 0, 2}, {0, 0, 1, 1}, {0, 0, 1, 2},
      {0, 0, 2, 2}, {0, 1, 1, 1}, {0, 1, 1, 2}, {0, 1, 2, 2}, {0, 2, 2, 2},
      {1, 1, 1, 1}, {1, 1, 1, 2}, {1, 1, 2, 2}, {1, 2, 2, 2}, {2, 2, 2, 2}};
  static const double val[15] = {0.2883, -0.0031, 0.1973, -0.2485, -0.2939,
                                 0.3847, 0.2972,  0.1862, 0.0919,  -0.3619,
                                 0.1241, -0.3420, 0.2127, 0.2727,  -0.3054};
  for (int e = 0; e < 15; e++)
    for (int p = 0; p < 4; p++)
      for (int q = 0; q < 4; q++)
        for (int r = 0; r < 4; r++)
          for (int s = 0; s < 4; s++) {
            if (p == q || p == r || p == s || q == r || q == s || r == s)
              continue;
            const int *i = idx[e];
            t[((i[p] * 3 + i[q]) * 3 + i[r]) * 3 + i[s]] = val[e];
          }
}

static void kr_write(bn_ctx_t *ctx, const char *path) {
  double full[81];
  kr_tensor(full);
  bn_dist_t *d = NULL;
  bn_dmat_t *m = NULL;
  bn_h5_t *f = NULL;
  CHECK_OK(ctx, bn_dist_create_uniform(ctx, 3, &d));
  CHECK_OK(ctx, bn_dmat_create(d, 27, &m));
  memcpy(bn_dmat_data(m), full + bn_dmat_first_row(m) * 27,
         (size_t)bn_dmat_local_rows(m) * 27 * sizeof(double));
  CHECK_OK(ctx, bn_h5_create(ctx, path, 0, &f));
  CHECK_OK(ctx, bn_h5_write_dmat(f, "/T", m));
  CHECK_OK(ctx, bn_h5_commit(f));
  bn_h5_close(f);
  bn_dmat_destroy(m);
  bn_dist_destroy(d);
}

/* |T x^3 - lambda x| with lambda = T(x,x,x,x), from the full tensor. */
static double kr_residual(fx_t *f, double *lam) {
  double t[81], x[3] = {0, 0, 0}, r = 0;
  kr_tensor(t);
  for (bn_idx_t i = 0; i < f->t->nl; i++) x[f->t->x0 + i] = f->x[i];
  bn_allreduce_sum(f->ctx, x, 3);
  double y[3] = {0, 0, 0}, q = 0;
  for (int i = 0; i < 3; i++) {
    for (int j = 0; j < 27; j++)
      y[i] += t[i * 27 + j] * x[j / 9] * x[j / 3 % 3] * x[j % 3];
    q += x[i] * y[i];
  }
  for (int i = 0; i < 3; i++) r += (y[i] - q * x[i]) * (y[i] - q * x[i]);
  *lam = q;
  return sqrt(r);
}

static void test_kofidis_regalia(bn_ctx_t *ctx, bn_optdef_t *defs,
                                 const char *in) {
  double t[81], fro = 0;
  kr_tensor(t);
  for (int e = 0; e < 81; e++) fro += t[e] * t[e];
  char shift[64];
  snprintf(shift, sizeof shift, "shift=%.17g", 3 * sqrt(fro));
  for (int seed = 1; seed <= 3; seed++) {
    char sd[32];
    snprintf(sd, sizeof sd, "seed=%d", seed);
    /* Unshifted: no convergence, the objective keeps moving. */
    const char *kp[] = {"method=power", "components=1", sd, NULL};
    fx_t f;
    if (!fx_open(ctx, defs, in, kp, &f)) return;
    bn_solver_t *s = fx_solver(ctx, "als", 1e-10, 300);
    CHECK_OK(ctx, f.ops->init(f.t, f.opts, f.x));
    CHECK_OK(ctx, bn_solver_solve(s, &f.obj, f.x));
    const bn_history_t *h = bn_solver_history(s);
    double lo = INFINITY, hi = -INFINITY, lam;
    for (size_t k = h->n - 20; k < h->n; k++)
      lo = fmin(lo, h->objective[k]), hi = fmax(hi, h->objective[k]);
    CHECK(bn_solver_reason(s) == BN_DIVERGED_MAX_ITER,
          "seed %d: unshifted power stopped with '%s'", seed,
          bn_reason_string(bn_solver_reason(s)));
    CHECK(hi - lo > 1e-3, "seed %d: unshifted power settled (spread %g)", seed,
          hi - lo);
    CHECK(kr_residual(&f, &lam) > 1e-3, "seed %d: unshifted power converged",
          seed);
    bn_solver_destroy(s);
    fx_close(&f);
    /* Shifted, fixed convex shift and adaptive: an eigenpair. */
    for (int k = 0; k < 2; k++) {
      const char *ks[] = {"method=shifted-power", "components=1", sd,
                          k == 0 ? shift : "shift=-1", NULL};
      if (!fx_open(ctx, defs, in, ks, &f)) return;
      s = fx_solver(ctx, "als", 1e-13, 5000);
      CHECK_OK(ctx, f.ops->init(f.t, f.opts, f.x));
      CHECK_OK(ctx, bn_solver_solve(s, &f.obj, f.x));
      h = bn_solver_history(s);
      double res = kr_residual(&f, &lam);
      CHECK(bn_solver_reason(s) > 0 && res < 1e-8,
            "seed %d, %s: residual %.3g (%s, %lld iterations)", seed, ks[3],
            res, bn_reason_string(bn_solver_reason(s)),
            (long long)bn_solver_iterations(s));
      int up = 0;
      for (size_t r = 1; r < h->n; r++)
        up += h->objective[r] > h->objective[r - 1] + 1e-14;
      CHECK(up == 0, "seed %d, %s: the objective rose %d times", seed, ks[3],
            up);
      if (bn_ctx_rank(ctx) == 0)
        printf("Kofidis-Regalia, seed %d, %s: lambda = %.10f in %lld its\n",
               seed, ks[3], lam, (long long)bn_solver_iterations(s));
      bn_solver_destroy(s);
      fx_close(&f);
    }
  }
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  bn_ctx_t *ctx;
  bn_ctx_create(MPI_COMM_WORLD, &ctx);
  char dir[512] = "", in[4][600];
  const char *names[4] = {"components", "explicit", "samples", "kr"};
  int rank = bn_ctx_rank(ctx);
  if (rank == 0) {
    const char *base = getenv("TMPDIR");
    snprintf(dir, sizeof(dir), "%s/bn_tensor_XXXXXX", base ? base : "/tmp");
    if (!mkdtemp(dir)) dir[0] = '\0';
  }
  MPI_Bcast(dir, sizeof(dir), MPI_CHAR, 0, MPI_COMM_WORLD);
  for (int k = 0; k < 4; k++)
    snprintf(in[k], sizeof(in[k]), "%s/%s.h5", dir, names[k]);
  double lam[20], lam8[5] = {2.0, 1.5, 1.2, 1.0, 0.8}, lam6[6];
  for (int k = 0; k < 20; k++) lam[k] = 1.0 + 0.05 * k;
  for (int k = 0; k < 6; k++) lam6[k] = 2.0 + 0.5 * k;
  bn_tensor_gen_t g[3] = {{20, 0, 20, lam, "components", 11},
                          {8, 0, 5, lam8, "explicit", 12},
                          {6, 60000, 6, lam6, "samples", 13}};
  for (int k = 0; k < 3; k++)
    CHECK_OK(ctx, bn_generate_tensor(ctx, &g[k], in[k]));
  kr_write(ctx, in[3]);
  bn_optdef_t *defs = fx_defs();
  for (int k = 0; k < 4; k++)
    for (int deflate = 0; deflate < 2; deflate++)
      test_derivatives(ctx, defs, in[k], names[k], deflate);
  const char *methods[3] = {"method=rgd", "method=power",
                            "method=shifted-power"};
  for (int m = 0; m < 3; m++)
    test_recovery(ctx, defs, in[0], methods[m], lam, 0.999, "n=20, K=20");
  test_recovery(ctx, defs, in[1], methods[2], lam8, 0.999, "explicit n=8");
  test_recovery(ctx, defs, in[2], methods[2], NULL, 0.99, "samples n=6");
  test_kofidis_regalia(ctx, defs, in[3]);
  free(defs);
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank == 0) {
    for (int k = 0; k < 4; k++) unlink(in[k]);
    rmdir(dir);
  }
  bn_ctx_destroy(ctx);
  int rc = bn_test_finish("mpi_tensor");
  MPI_Finalize();
  return rc;
}
