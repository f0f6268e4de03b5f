/* Matrix completion with the solver "cg": the scaled metric of the
 * objective (precond) against its definition -- the U rows of P g times
 * V^T V (+ eps I) give back those of g, the V rows likewise with U^T U --
 * and its symmetry and definiteness; recovery of an exact instance to
 * relative error 1e-8 with the same answer as a one-process run (so the
 * same at 1, 2 and 3 processes); and a solve stopped after some
 * iterations, its state taken as a checkpoint takes it, resumed in a new
 * solver, gives the same iterate as the run never stopped. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "benign/benign.h"
#include "check.h"
#include "complete_fixture.h"
#include "problem_fixture.h"
#include "problems/lowrank/complete_precond.h"
#include "problems/lowrank/complete_state.h"

#define N1 150
#define N2 110
#define R 3

typedef fx_prob_t fx_t;

static void fx_open(bn_ctx_t *ctx, bn_optdef_t *defs, const char *input,
                    fx_t *f) {
  memset(f, 0, sizeof(*f));
  CHECK_OK(ctx, bn_opts_create(ctx, defs, &f->opts));
  CHECK_OK(ctx, bn_opts_set(f->opts, "input", input, BN_SRC_CMDLINE));
  CHECK_OK(ctx, bn_opts_set(f->opts, "rank", "3", BN_SRC_CMDLINE));
  CHECK_OK(ctx, bn_opts_set(f->opts, "solver", "cg", BN_SRC_CMDLINE));
  fx_prob_make(ctx, "complete", f);
}

/* A vector of the iterate's layout, keyed by global row (the same on any
 * number of processes). */
static void random_vec(const bn_complete_t *c, uint64_t stream, double *d) {
  bn_idx_t u0 = bn_dist_first(c->rdist), v0 = bn_dist_first(c->cdist);
  for (bn_idx_t i = 0; i < c->nu * R; i++)
    d[i] = bn_rng_normal(7, stream, (uint64_t)(u0 * R + i), 0);
  for (bn_idx_t j = 0; j < c->nv * R; j++)
    d[c->nu * R + j] = bn_rng_normal(7, stream + 1, (uint64_t)(v0 * R + j), 0);
}

static double dot(bn_ctx_t *ctx, size_t n, const double *a, const double *b) {
  double s = 0.0;
  for (size_t i = 0; i < n; i++) s += a[i] * b[i];
  MPI_Allreduce(MPI_IN_PLACE, &s, 1, MPI_DOUBLE, MPI_SUM, bn_ctx_comm(ctx));
  return s;
}

static void test_precond(bn_ctx_t *ctx, bn_optdef_t *defs, const char *input) {
  fx_t f;
  fx_open(ctx, defs, input, &f);
  bn_complete_t *c = f.data;
  size_t n = f.obj.n;
  CHECK(f.obj.precond != NULL, "complete has no precond");
  double *g = calloc(n + 1, sizeof(double)), *h = calloc(n + 1, sizeof(double)),
         *pg = calloc(n + 1, sizeof(double)),
         *ph = calloc(n + 1, sizeof(double));
  random_vec(c, 10, g);
  random_vec(c, 20, h);
  CHECK_OK(ctx, f.obj.precond(f.data, f.x, g, pg));
  CHECK_OK(ctx, f.obj.precond(f.data, f.x, h, ph));
  /* The Grams and the shift, computed here. */
  double guu[R * R] = {0}, gvv[R * R] = {0}, tr = 0.0;
  const double *u = f.x, *v = f.x + c->nu * R;
  for (bn_idx_t i = 0; i < c->nu; i++)
    for (int a = 0; a < R; a++)
      for (int b = 0; b < R; b++) guu[a * R + b] += u[i * R + a] * u[i * R + b];
  for (bn_idx_t j = 0; j < c->nv; j++)
    for (int a = 0; a < R; a++)
      for (int b = 0; b < R; b++) gvv[a * R + b] += v[j * R + a] * v[j * R + b];
  MPI_Allreduce(MPI_IN_PLACE, guu, R * R, MPI_DOUBLE, MPI_SUM,
                bn_ctx_comm(ctx));
  MPI_Allreduce(MPI_IN_PLACE, gvv, R * R, MPI_DOUBLE, MPI_SUM,
                bn_ctx_comm(ctx));
  for (int a = 0; a < R; a++) tr += guu[a * R + a] + gvv[a * R + a];
  for (int a = 0; a < R; a++) {
    guu[a * R + a] += 1e-10 * tr / (2 * R);
    gvv[a * R + a] += 1e-10 * tr / (2 * R);
  }
  /* (P g) G = g, row by row. */
  double err = 0.0, scale = 0.0;
  for (bn_idx_t i = 0; i < c->nu + c->nv; i++) {
    const double *gm = i < c->nu ? gvv : guu;
    for (int b = 0; b < R; b++) {
      double s = 0.0;
      for (int a = 0; a < R; a++) s += pg[i * R + a] * gm[a * R + b];
      err = fmax(err, fabs(s - g[i * R + b]));
      scale = fmax(scale, fabs(g[i * R + b]));
    }
  }
  CHECK(err <= 1e-10 * scale, "(P g) G differs from g by %g (scale %g)", err,
        scale);
  double hpg = dot(ctx, n, h, pg), gph = dot(ctx, n, g, ph),
         gpg = dot(ctx, n, g, pg);
  CHECK(fabs(hpg - gph) <= 1e-12 * (fabs(hpg) + fabs(gph)),
        "P not symmetric: <h, P g> = %.17g, <g, P h> = %.17g", hpg, gph);
  CHECK(gpg > 0, "P not definite: <g, P g> = %g", gpg);
  /* In place (pg = g) gives the same. */
  memcpy(ph, g, n * sizeof(double));
  CHECK_OK(ctx, f.obj.precond(f.data, f.x, ph, ph));
  double diff = 0.0;
  for (size_t i = 0; i < n; i++) diff = fmax(diff, fabs(ph[i] - pg[i]));
  CHECK(diff == 0.0, "in place differs by %g", diff);
  free(g), free(h), free(pg), free(ph);
  fx_prob_close(&f);
}

static bn_solver_t *make_solver(bn_ctx_t *ctx, int64_t max_iter,
                                double rel_tol) {
  bn_solver_t *s = NULL;
  bn_solver_params_t p;
  bn_solver_params_default(&p);
  p.tol = 0.0;
  p.rel_tol = rel_tol;
  p.max_iter = max_iter;
  p.progress = false;
  CHECK_OK(ctx, bn_solver_create(ctx, "cg", &s));
  bn_solver_set_params(s, &p);
  return s;
}

/* The product U V^T on rank 0 (n1 x n2), from the gathered factors. */
static void product(bn_ctx_t *ctx, const bn_complete_t *c, const double *x,
                    double *m) {
  double *u = calloc(N1 * R, sizeof(double)),
         *v = calloc(N2 * R, sizeof(double));
  fx_gather(ctx, x, c->nu, c->nv, R, u, v);
  for (int i = 0; i < N1; i++)
    for (int j = 0; j < N2; j++) {
      double s = 0.0;
      for (int k = 0; k < R; k++) s += u[i * R + k] * v[j * R + k];
      m[i * N2 + j] = s;
    }
  free(u), free(v);
}

static void test_recovery(bn_ctx_t *ctx, bn_optdef_t *defs, const char *input) {
  fx_t f;
  fx_open(ctx, defs, input, &f);
  bn_complete_t *c = f.data;
  bn_solver_t *s = make_solver(ctx, 2000, 1e-8);
  CHECK_OK(ctx, bn_solver_solve(s, &f.obj, f.x));
  CHECK(bn_solver_reason(s) == BN_CONVERGED_REL_ERROR, "cg: %s after %lld",
        bn_reason_string(bn_solver_reason(s)),
        (long long)bn_solver_iterations(s));
  double *m = calloc(N1 * N2, sizeof(double));
  product(ctx, c, f.x, m);
  bn_solver_destroy(s);
  fx_prob_close(&f);
  if (bn_ctx_rank(ctx) == 0) {
    bn_ctx_t *self;
    bn_ctx_create(MPI_COMM_SELF, &self);
    fx_t g;
    fx_open(self, defs, input, &g);
    bn_solver_t *s1 = make_solver(self, 2000, 1e-8);
    CHECK_OK(self, bn_solver_solve(s1, &g.obj, g.x));
    double *m1 = calloc(N1 * N2, sizeof(double)), md = 0.0, mm = 0.0;
    product(self, g.data, g.x, m1);
    for (int k = 0; k < N1 * N2; k++) {
      md = fmax(md, fabs(m[k] - m1[k]));
      mm = fmax(mm, fabs(m1[k]));
    }
    CHECK(md <= 1e-6 * mm, "answer differs from 1 process by %g (scale %g)", md,
          mm);
    free(m1);
    bn_solver_destroy(s1);
    fx_prob_close(&g);
    bn_ctx_destroy(self);
  }
  free(m);
}

/* Stop after K iterations, carry the state over as a checkpoint does (the
 * numbers, the vectors, the history), resume: the same iterate after K +
 * L iterations as one run of K + L, to the last bit. */
static void test_resume(bn_ctx_t *ctx, bn_optdef_t *defs, const char *input) {
  const int64_t K = 9, L = 13;
  fx_t a, b;
  fx_open(ctx, defs, input, &a);
  fx_open(ctx, defs, input, &b);
  size_t n = a.obj.n;
  bn_solver_t *ref = make_solver(ctx, K + L, 0.0),
              *s1 = make_solver(ctx, K, 0.0),
              *s2 = make_solver(ctx, K + L, 0.0);
  CHECK_OK(ctx, bn_solver_solve(ref, &a.obj, a.x));
  CHECK_OK(ctx, bn_solver_solve(s1, &b.obj, b.x));
  CHECK(bn_solver_iterations(ref) == K + L && bn_solver_iterations(s1) == K,
        "iterations %lld, %lld", (long long)bn_solver_iterations(ref),
        (long long)bn_solver_iterations(s1));
  double st[BN_SOLVER_STATE_LEN];
  bn_solver_state_get(s1, st);
  const char *names[4], *names2[4];
  double *v1[4], *v2[4];
  int nv = bn_solver_state_vectors(s1, names, v1);
  CHECK(nv == 2 && !strcmp(names[0], "direction") && !strcmp(names[1], "gprev"),
        "cg state vectors: %d", nv);
  CHECK_OK(ctx, bn_solver_resume(s2, n, st, bn_solver_history(s1)));
  int nv2 = bn_solver_state_vectors(s2, names2, v2);
  for (int k = 0; k < nv && k < nv2; k++)
    memcpy(v2[k], v1[k], n * sizeof(double));
  CHECK_OK(ctx, bn_solver_solve(s2, &b.obj, b.x));
  CHECK(bn_solver_iterations(s2) == K + L, "resumed: %lld iterations",
        (long long)bn_solver_iterations(s2));
  double diff = 0.0;
  for (size_t i = 0; i < n; i++) diff = fmax(diff, fabs(a.x[i] - b.x[i]));
  CHECK(diff == 0.0, "resumed run differs from the uninterrupted one by %g",
        diff);
  bn_solver_destroy(ref), bn_solver_destroy(s1), bn_solver_destroy(s2);
  fx_prob_close(&a);
  fx_prob_close(&b);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  bn_ctx_t *ctx;
  bn_ctx_create(MPI_COMM_WORLD, &ctx);
  char dir[512], input[600];
  fx_tmpdir(MPI_COMM_WORLD, dir, sizeof(dir));
  snprintf(input, sizeof(input), "%s/in.h5", dir);
  /* About 4 times as many entries as unknowns, condition 3. */
  bn_complete_gen_t g = {N1,  N2, R,   0.2, 0.0, 0.0,
                         3.0, 11, 0.0, 0.0, 0.0, false};
  CHECK_OK(ctx, bn_generate_complete(ctx, &g, input, NULL));
  bn_optdef_t *defs = fx_defs();
  test_precond(ctx, defs, input);
  test_recovery(ctx, defs, input);
  test_resume(ctx, defs, input);
  free(defs);
  MPI_Barrier(MPI_COMM_WORLD);
  if (bn_ctx_rank(ctx) == 0) {
    unlink(input);
    rmdir(dir);
  }
  bn_ctx_destroy(ctx);
  int rc = bn_test_finish("mpi_complete_cg");
  MPI_Finalize();
  return rc;
}
