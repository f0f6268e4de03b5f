/* Robust PCA: the objective and the sparse estimator against a serial
 * recomputation (sorting every row and column; also the dense thresholds
 * on crafted residuals: wide range, ties, zeros), a finite-difference check
 * of the gradient for a fixed support of S (dense and observed), and the
 * same thresholds, initial point and answer as a one-process run. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "benign/benign.h"
#include "check.h"
#include "complete_fixture.h"
#include "problem_fixture.h"
#include "problems/lowrank/rpca_colsel.h"

#define N1 120
#define N2 90
#define R 3
#define ALPHA 0.15
#define GAMMA 2.0

typedef fx_prob_t fx_t;

/* The problem's keys plus the shared solve keys. */
static bn_optdef_t *rp_defs(void) { return fx_problem_defs("rpca", NULL); }

static void fx_open(bn_ctx_t *ctx, bn_optdef_t *defs, const char *input,
                    const char *init, fx_t *f) {
  memset(f, 0, sizeof(*f));
  CHECK_OK(ctx, bn_opts_create(ctx, defs, &f->opts));
  CHECK_OK(ctx, bn_opts_set(f->opts, "input", input, BN_SRC_CMDLINE));
  CHECK_OK(ctx, bn_opts_set(f->opts, "rank", "3", BN_SRC_CMDLINE));
  CHECK_OK(ctx, bn_opts_set(f->opts, "init", init, BN_SRC_CMDLINE));
  CHECK_OK(ctx, bn_opts_set(f->opts, "alpha", "0.15", BN_SRC_CMDLINE));
  fx_prob_make(ctx, "rpca", f);
}

static int cmp_desc(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? 1 : x > y ? -1 : 0;
}

/* Serial f and |S| for dense M (rank 0): sort each row and column. */
static double serial_objective(const char *input, const double *u,
                               const double *v, long *nkept) {
  bn_ctx_t *self;
  bn_ctx_create(MPI_COMM_SELF, &self);
  bn_h5_t *f;
  bn_dist_t *d;
  bn_dmat_t *m;
  bn_h5_open(self, input, &f);
  bn_dist_create_uniform(self, N1, &d);
  bn_h5_read_dmat(f, "/M", d, N2, &m);
  bn_h5_close(f);
  static double res[N1 * N2], rthr[N1], cthr[N2], buf[N1 > N2 ? N1 : N2];
  const double *md = bn_dmat_cdata(m);
  for (int i = 0; i < N1; i++)
    for (int j = 0; j < N2; j++) {
      double s = md[i * N2 + j];
      for (int k = 0; k < R; k++) s -= u[i * R + k] * v[j * R + k];
      res[i * N2 + j] = s;
    }
  int kr = (int)floor(GAMMA * ALPHA * N2), kc = (int)floor(GAMMA * ALPHA * N1);
  for (int i = 0; i < N1; i++) {
    for (int j = 0; j < N2; j++) buf[j] = fabs(res[i * N2 + j]);
    qsort(buf, N2, sizeof(double), cmp_desc);
    rthr[i] = buf[kr - 1];
  }
  for (int j = 0; j < N2; j++) {
    for (int i = 0; i < N1; i++) buf[i] = fabs(res[i * N2 + j]);
    qsort(buf, N1, sizeof(double), cmp_desc);
    cthr[j] = buf[kc - 1];
  }
  double fit = 0, bal = 0;
  *nkept = 0;
  for (int i = 0; i < N1; i++)
    for (int j = 0; j < N2; j++) {
      double a = fabs(res[i * N2 + j]);
      if (a >= rthr[i] && a >= cthr[j])
        (*nkept)++;
      else
        fit += a * a;
    }
  for (int a = 0; a < R; a++)
    for (int b = 0; b < R; b++) {
      double dd = 0;
      for (int i = 0; i < N1; i++) dd += u[i * R + a] * u[i * R + b];
      for (int j = 0; j < N2; j++) dd -= v[j * R + a] * v[j * R + b];
      bal += dd * dd;
    }
  bn_dmat_destroy(m);
  bn_dist_destroy(d);
  bn_ctx_destroy(self);
  return fit / 2 + bal / 8;
}

/* Collective: |S| and a checksum of its support at x (global ids). */
static void support(bn_ctx_t *ctx, bn_rpca_t *c, const double *x,
                    double out[2]) {
  out[0] = out[1] = 0;
  CHECK_OK(ctx, bn_rpca_residual(c, x, c->gamma * c->alpha));
  for (bn_idx_t i = 0; i < c->nu; i++) {
    bn_idx_t e0 = c->dense ? i * c->n2 : c->obs->rowptr[i];
    bn_idx_t e1 = c->dense ? e0 + c->n2 : c->obs->rowptr[i + 1];
    for (bn_idx_t e = e0; e < e1; e++) {
      bn_idx_t j = c->dense ? e - e0 : c->obs->ghost[c->obs->gcol[e]];
      if (!bn_rpca_kept(c, i, j, c->res[e])) continue;
      out[0] += 1;
      out[1] += (double)((bn_dist_first(c->rdist) + i) * c->n2 + j);
    }
  }
  bn_allreduce_sum(ctx, out, 2);
}

static void test_objective(bn_ctx_t *ctx, bn_optdef_t *defs,
                           const char *input) {
  fx_t f;
  fx_open(ctx, defs, input, "random", &f);
  bn_rpca_t *c = f.data;
  double *u = calloc(N1 * R, sizeof(double)), *v = calloc(N2 * R, 8), fv;
  /* Successive points: a cold search, hints that move, exact hints with
   * every refinement level forced (dense: the evaluation's fused pass
   * decides the candidates of the column thresholds' bins). */
  const double scale[] = {100.0, 1.01, 0.5, 1.0};
  for (int t = 0; t < 4; t++) {
    c->cand_limit = t == 3 ? 1 : 0;
    for (size_t i = 0; i < f.obj.n; i++) f.x[i] *= scale[t];
    fx_gather(ctx, f.x, c->nu, c->nv, R, u, v);
    CHECK_OK(ctx, f.obj.eval(f.data, f.x, &fv, NULL));
    double sup[2];
    support(ctx, c, f.x, sup);
    if (bn_ctx_rank(ctx) == 0) {
      long nk;
      double ref = serial_objective(input, u, v, &nk);
      CHECK(fabs(fv - ref) <= 1e-10 * fabs(ref),
            "point %d: objective %.17g vs %.17g", t, fv, ref);
      CHECK(nk == (long)sup[0], "point %d: |S| %ld (serial) vs %.0f", t, nk,
            sup[0]);
      CHECK(nk > 0.05 * N1 * N2, "point %d: S nearly empty: %ld", t, nk);
    }
  }
  c->cand_limit = 0;
  /* NaN rows of U on one process: every process returns f = NaN (what
   * the line search rejects), without a pass over M. */
  if (bn_ctx_rank(ctx) == bn_ctx_size(ctx) - 1)
    for (size_t i = 0; i < (size_t)c->nu * R; i++) f.x[i] = NAN;
  CHECK_OK(ctx, f.obj.eval(f.data, f.x, &fv, NULL));
  CHECK(isnan(fv), "a NaN factor gives f = %g, not NaN", fv);
  /* Finite factors whose products overflow (u_i v_j = inf - inf = NaN, or
   * -inf): the evaluation returns, with a non-finite f. */
  for (size_t i = 0; i < f.obj.n; i++) f.x[i] = (i % R == 1) ? -1e160 : 1e160;
  double *gbig = calloc(f.obj.n + 1, sizeof(double));
  CHECK_OK(ctx, f.obj.eval(f.data, f.x, &fv, gbig));
  CHECK(!isfinite(fv), "overflowing factors give f = %g", fv);
  free(gbig);
  free(u), free(v);
  fx_prob_close(&f);
}

/* Central differences along random directions; S must keep its support
 * between the two points (the gradient is that of the fixed-S piece). */
static void test_gradient(bn_ctx_t *ctx, bn_optdef_t *defs, const char *input,
                          const char *what) {
  fx_t f;
  fx_open(ctx, defs, input, "random", &f);
  bn_rpca_t *c = f.data;
  for (size_t i = 0; i < f.obj.n; i++) f.x[i] *= 100.0;
  double fv, *g = calloc(f.obj.n + 1, 8), *xp = calloc(f.obj.n + 1, 8);
  CHECK_OK(ctx, f.obj.eval(f.data, f.x, &fv, g));
  bn_idx_t u0 = bn_dist_first(c->rdist), v0 = bn_dist_first(c->cdist);
  for (int t = 0; t < 3; t++) {
    double *d = calloc(f.obj.n + 1, 8), gd = 0, s0[2], sp[2], sm[2];
    for (bn_idx_t i = 0; i < c->nu * R; i++)
      d[i] = bn_rng_normal(99, 100 + t, (uint64_t)(u0 * R + i), 0);
    for (bn_idx_t j = 0; j < c->nv * R; j++)
      d[c->nu * R + j] = bn_rng_normal(99, 200 + t, (uint64_t)(v0 * R + j), 0);
    for (size_t i = 0; i < f.obj.n; i++) gd += g[i] * d[i];
    bn_allreduce_sum(ctx, &gd, 1);
    double h = 1e-6, fp, fm;
    support(ctx, c, f.x, s0);
    for (size_t i = 0; i < f.obj.n; i++) xp[i] = f.x[i] + h * d[i];
    CHECK_OK(ctx, f.obj.eval(f.data, xp, &fp, NULL));
    support(ctx, c, xp, sp);
    for (size_t i = 0; i < f.obj.n; i++) xp[i] = f.x[i] - h * d[i];
    CHECK_OK(ctx, f.obj.eval(f.data, xp, &fm, NULL));
    support(ctx, c, xp, sm);
    CHECK(s0[0] == sp[0] && s0[0] == sm[0] && s0[1] == sp[1] && s0[1] == sm[1],
          "%s: the support of S changed within h", what);
    double fd = (fp - fm) / (2 * h);
    CHECK(fabs(fd - gd) <= 1e-6 * fabs(gd),
          "%s direction %d: FD %.12g vs %.12g", what, t, fd, gd);
    free(d);
  }
  free(g), free(xp);
  fx_prob_close(&f);
}

/* The Hessian of the smooth piece (bn_rpca_hvp, support of S frozen):
 * <d, H d> against the second difference of f along d on the same piece,
 * and <w, H d> = <d, H w>. */
static void test_hvp(bn_ctx_t *ctx, bn_optdef_t *defs, const char *input,
                     const char *what) {
  fx_t f;
  fx_open(ctx, defs, input, "random", &f);
  bn_rpca_t *c = f.data;
  size_t n = f.obj.n;
  for (size_t i = 0; i < n; i++) f.x[i] *= 100.0;
  CHECK(f.obj.hvp != NULL, "%s: rpca has no hvp", what);
  double *d[2], *hd[2], *xp = calloc(n + 1, 8);
  bn_idx_t u0 = bn_dist_first(c->rdist), v0 = bn_dist_first(c->cdist);
  for (int t = 0; t < 2; t++) {
    d[t] = calloc(n + 1, 8);
    hd[t] = calloc(n + 1, 8);
    for (bn_idx_t i = 0; i < c->nu * R; i++)
      d[t][i] = bn_rng_normal(98, 100 + t, (uint64_t)(u0 * R + i), 0);
    for (bn_idx_t j = 0; j < c->nv * R; j++)
      d[t][c->nu * R + j] =
          bn_rng_normal(98, 200 + t, (uint64_t)(v0 * R + j), 0);
    CHECK_OK(ctx, f.obj.hvp(f.data, f.x, d[t], hd[t]));
  }
  double q[3] = {0, 0, 0}, f0, fp, fm, h = 1e-5, s0[2], sp[2], sm[2];
  for (size_t i = 0; i < n; i++) {
    q[0] += d[0][i] * hd[0][i];
    q[1] += d[1][i] * hd[0][i];
    q[2] += d[0][i] * hd[1][i];
  }
  bn_allreduce_sum(ctx, q, 3);
  CHECK_OK(ctx, f.obj.eval(f.data, f.x, &f0, NULL));
  support(ctx, c, f.x, s0);
  for (size_t i = 0; i < n; i++) xp[i] = f.x[i] + h * d[0][i];
  CHECK_OK(ctx, f.obj.eval(f.data, xp, &fp, NULL));
  support(ctx, c, xp, sp);
  for (size_t i = 0; i < n; i++) xp[i] = f.x[i] - h * d[0][i];
  CHECK_OK(ctx, f.obj.eval(f.data, xp, &fm, NULL));
  support(ctx, c, xp, sm);
  CHECK(s0[0] == sp[0] && s0[0] == sm[0] && s0[1] == sp[1] && s0[1] == sm[1],
        "%s: the support of S changed within h", what);
  double sd = (fp - 2 * f0 + fm) / (h * h);
  CHECK(fabs(sd - q[0]) <= 1e-4 * fabs(q[0]), "%s: <d,Hd> %.12g vs %.12g", what,
        q[0], sd);
  CHECK(fabs(q[1] - q[2]) <= 1e-5 * (fabs(q[1]) + fabs(q[2])),
        "%s: <w,Hd> %.12g vs <d,Hw> %.12g", what, q[1], q[2]);
  for (int t = 0; t < 2; t++) free(d[t]), free(hd[t]);
  free(xp);
  fx_prob_close(&f);
}

/* Crafted residuals (a function of the global entry, so every rank knows
 * the whole matrix): kind 0 spans 2^-60..2^60 with random signs (level-0
 * windows miss), kind 1 has 4 distinct values (ties: the radix levels run
 * out of bits), kind 2 is 70% zeros (the k-th largest of a column is 0). */
static double crafted(int kind, long i, long j) {
  uint64_t e = (uint64_t)(i * N2 + j);
  double g = bn_rng_normal(7, (uint32_t)kind, e, 0);
  double u = bn_rng_uniform(7, 10 + (uint32_t)kind, e, 0);
  if (kind == 0) return (u < 0.5 ? -1 : 1) * exp2(25 * g);
  if (kind == 1) return floor(4 * u) - 1.5;
  return u < 0.7 ? 0.0 : g;
}

static double kth_sorted(double *a, int n, int k) {
  for (int t = 0; t < n; t++) a[t] = fabs(a[t]);
  qsort(a, (size_t)n, sizeof(double), cmp_desc);
  return a[k - 1];
}

/* The dense thresholds (radix selection, with and without the last
 * thresholds as hints, every refinement level forced or not) equal those
 * of sorting each row and column. */
static void test_select_exact(bn_ctx_t *ctx, bn_optdef_t *defs,
                              const char *input) {
  fx_t f;
  fx_open(ctx, defs, input, "random", &f);
  bn_rpca_t *c = f.data;
  const double frac = c->gamma * c->alpha;
  const int kr = (int)floor(frac * N2), kc = (int)floor(frac * N1);
  static double buf[N1 > N2 ? N1 : N2];
  const bn_idx_t i0 = bn_dist_first(c->rdist);
  /* Each kind after the others (hints from another kind: misses), twice
   * (hints exact), with the default and with the finest refinement. */
  const int order[] = {0, 1, 2, 0, 0, 2, 1, 1, 2};
  for (int t = 0; t < 18; t++) {
    int kind = order[t % 9];
    c->cand_limit = t < 9 ? 0 : 1;
    for (bn_idx_t i = 0; i < c->nu; i++)
      for (bn_idx_t j = 0; j < N2; j++)
        c->res[i * N2 + j] = crafted(kind, (long)(i0 + i), (long)j);
    const long hits0 = c->colsel->row_hits;
    CHECK_OK(ctx, bn_rpca_thresholds(c, frac));
    /* A repeat of the last kind finds every row's threshold in its window
     * (the exact last one); the first pass has no hints. */
    if (t == 0 || (t % 9 > 0 && order[t % 9] == order[t % 9 - 1]))
      CHECK((c->colsel->row_hits > hits0) == (t > 0),
            "select step %d: rows found by the window: %ld", t,
            c->colsel->row_hits - hits0);
    int bad_r = 0, bad_c = 0;
    for (bn_idx_t i = 0; i < c->nu; i++) {
      for (int j = 0; j < N2; j++) buf[j] = crafted(kind, (long)(i0 + i), j);
      bad_r += kth_sorted(buf, N2, kr) != c->rthr[i];
    }
    for (int j = 0; j < N2; j++) {
      for (int i = 0; i < N1; i++) buf[i] = crafted(kind, i, j);
      bad_c += kth_sorted(buf, N1, kc) != c->cthr[j];
    }
    CHECK(bad_r == 0 && bad_c == 0,
          "select step %d (kind %d): %d row and %d column thresholds differ "
          "from sorting",
          t, kind, bad_r, bad_c);
  }
  c->cand_limit = 0;
  fx_prob_close(&f);
}

static double max_rel(const double *a, const double *b, size_t n) {
  double d = 0, m = 0;
  for (size_t i = 0; i < n; i++) {
    d = fmax(d, fabs(a[i] - b[i]));
    m = fmax(m, fabs(b[i]));
  }
  return d / (m > 0 ? m : 1);
}

/* The thresholds of T at the initial point, the initial point and the
 * answer equal those of a one-process run (on rank 0 alone). */
static void test_same_on_one_process(bn_ctx_t *ctx, bn_optdef_t *defs,
                                     const char *input, const char *what) {
  int rank = bn_ctx_rank(ctx);
  fx_t f;
  fx_open(ctx, defs, input, "spectral", &f);
  bn_rpca_t *c = f.data;
  double *u = calloc(N1 * R, 8), *v = calloc(N2 * R, 8), *rt = calloc(N1, 8);
  double *uf = calloc(N1 * R, 8), *vf = calloc(N2 * R, 8);
  fx_gather(ctx, f.x, c->nu, c->nv, R, u, v);
  CHECK_OK(ctx, bn_rpca_residual(c, f.x, c->gamma * c->alpha));
  fx_gather(ctx, c->rthr, c->nu, 0, 1, rt, NULL);
  double *ct = malloc(N2 * sizeof(double));
  memcpy(ct, c->cthr, N2 * sizeof(double));
  bn_solver_t *s;
  bn_solver_params_t p;
  bn_solver_params_default(&p);
  p.tol = 1e-10;
  p.max_iter = 1000;
  p.progress = false;
  CHECK_OK(ctx, bn_solver_create(ctx, "gd", &s));
  bn_solver_set_params(s, &p);
  CHECK_OK(ctx, bn_solver_solve(s, &f.obj, f.x));
  CHECK(bn_solver_reason(s) > 0, "%s: not converged (%s)", what,
        bn_reason_string(bn_solver_reason(s)));
  double rel, rmse;
  CHECK_OK(ctx, f.obj.metrics(f.data, f.x, &rel, &rmse));
  CHECK(rel < 1e-6, "%s: relative error %g", what, rel);
  fx_gather(ctx, f.x, c->nu, c->nv, R, uf, vf);
  bn_solver_destroy(s);
  fx_prob_close(&f);
  if (rank == 0) {
    bn_ctx_t *self;
    bn_ctx_create(MPI_COMM_SELF, &self);
    fx_t g;
    fx_open(self, defs, input, "spectral", &g);
    bn_rpca_t *c1 = g.data;
    CHECK(max_rel(u, g.x, N1 * R) <= 1e-10, "%s: initial U differs", what);
    CHECK(max_rel(v, g.x + N1 * R, N2 * R) <= 1e-10, "%s: initial V differs",
          what);
    CHECK_OK(self, bn_rpca_residual(c1, g.x, c1->gamma * c1->alpha));
    CHECK(max_rel(rt, c1->rthr, N1) <= 1e-12, "%s: row thresholds differ",
          what);
    CHECK(max_rel(ct, c1->cthr, N2) <= 1e-12, "%s: column thresholds differ",
          what);
    bn_solver_t *s1;
    bn_solver_create(self, "gd", &s1);
    bn_solver_set_params(s1, &p);
    CHECK_OK(self, bn_solver_solve(s1, &g.obj, g.x));
    CHECK(max_rel(uf, g.x, N1 * R) <= 1e-8, "%s: final U differs", what);
    CHECK(max_rel(vf, g.x + N1 * R, N2 * R) <= 1e-8, "%s: final V differs",
          what);
    bn_solver_destroy(s1);
    fx_prob_close(&g);
    bn_ctx_destroy(self);
  }
  free(u), free(v), free(rt), free(ct), free(uf), free(vf);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  bn_ctx_t *ctx;
  bn_ctx_create(MPI_COMM_WORLD, &ctx);
  (void)fx_defs; /* the completion keys: not used here */
  char dir[512], dense[600], obs[600];
  fx_tmpdir(MPI_COMM_WORLD, dir, sizeof(dir));
  snprintf(dense, sizeof(dense), "%s/dense.h5", dir);
  snprintf(obs, sizeof(obs), "%s/obs.h5", dir);
  /* 5% corrupted, alpha = 0.15: no row or column has more than alpha of
   * its entries corrupted, so T_alpha(M) finds every corruption. */
  bn_rpca_gen_t g = {N1, N2, R, 0.05, 10.0, 1.0, 1.5, 8};
  CHECK_OK(ctx, bn_generate_rpca(ctx, &g, dense, NULL));
  g.sample_rate = 0.7;
  CHECK_OK(ctx, bn_generate_rpca(ctx, &g, obs, NULL));
  bn_optdef_t *defs = rp_defs();
  test_select_exact(ctx, defs, dense);
  test_objective(ctx, defs, dense);
  test_gradient(ctx, defs, dense, "dense");
  test_gradient(ctx, defs, obs, "observed");
  test_hvp(ctx, defs, dense, "dense");
  test_hvp(ctx, defs, obs, "observed");
  test_same_on_one_process(ctx, defs, dense, "dense");
  test_same_on_one_process(ctx, defs, obs, "observed");
  free(defs);
  MPI_Barrier(MPI_COMM_WORLD);
  if (bn_ctx_rank(ctx) == 0) {
    unlink(dense);
    unlink(obs);
    rmdir(dir);
  }
  bn_ctx_destroy(ctx);
  int rc = bn_test_finish("mpi_rpca");
  MPI_Finalize();
  return rc;
}
