/* The low-rank problems' `truth` op (src/problems/lowrank/lowrank_truth.c),
 * used by `benign landscape` for its slices: on noiseless instances of
 * complete, factor (general and sym), sense and rpca the truth point is a
 * global minimizer -- objective and gradient vanish (relative to their
 * size at the origin and at a random point), the error to the truth
 * vanishes, a solve started there stops at iteration 0 -- and for
 * completion its factors are balanced (U^T U = V^T V) and the same as one
 * process computes alone (MPI_COMM_SELF) for any number of processes. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benign/benign.h"
#include "check.h"
#include "hvp_check.h"
#include "problems/lowrank/complete_state.h"

typedef struct fx {
  bn_optdef_t *defs;
  bn_opts_t *opts;
  const bn_problem_ops_t *ops;
  void *data;
  bn_objective_t obj;
  double *x, *g;
} fx_t;

static bn_optdef_t *fx_defs(const bn_optdef_t *pdefs) {
  static const bn_optdef_t extra[] = {
      {"input", BN_OPT_STRING, NULL, "", NULL},
      {"seed", BN_OPT_INT, "1", "", NULL},
      {"solver", BN_OPT_STRING, "gd", "", NULL},
      {"init", BN_OPT_CHOICE, "random", "", "spectral|random"}};
  size_t n = 0;
  while (pdefs[n].key) n++;
  bn_optdef_t *d = calloc(n + 5, sizeof(*d));
  memcpy(d, pdefs, n * sizeof(*d));
  memcpy(d + n, extra, sizeof(extra));
  return d;
}

/* Open problem `name` on ctx with key=value pairs (NULL-terminated). */
static void fx_open(bn_ctx_t *ctx, const char *name, const char *input,
                    const char *const *kv, fx_t *f) {
  memset(f, 0, sizeof(*f));
  f->ops = bn_problem_find(name);
  f->defs = fx_defs(f->ops->opts);
  CHECK_OK(ctx, bn_opts_create(ctx, f->defs, &f->opts));
  CHECK_OK(ctx, bn_opts_set(f->opts, "input", input, BN_SRC_CMDLINE));
  for (int i = 0; kv[i]; i += 2)
    CHECK_OK(ctx, bn_opts_set(f->opts, kv[i], kv[i + 1], BN_SRC_CMDLINE));
  CHECK_OK(ctx, f->ops->create(ctx, f->opts, &f->data));
  f->ops->objective(f->data, &f->obj);
  f->x = calloc(f->obj.n + 1, sizeof(double));
  f->g = calloc(f->obj.n + 1, sizeof(double));
}

static void fx_close(fx_t *f) {
  if (f->data) f->ops->destroy(f->data);
  bn_opts_destroy(f->opts);
  free(f->defs);
  free(f->x);
  free(f->g);
}

/* The truth point is a global minimizer of the noiseless objective. */
static void check_truth(bn_ctx_t *ctx, const char *name, const char *input,
                        const char *const *kv) {
  fx_t f;
  fx_open(ctx, name, input, kv, &f);
  bool have = false;
  CHECK(f.ops->truth != NULL, "%s: no truth op", name);
  if (!f.ops->truth || !f.data) {
    fx_close(&f);
    return;
  }
  /* Scales: f and |g| at a random point of the truth's size. */
  CHECK_OK(ctx, f.ops->init(f.data, f.opts, f.x));
  CHECK_OK(ctx, f.ops->truth(f.data, f.x, &have));
  CHECK(have, "%s: the input has /truth but have = false", name);
  double xn = sqrt(hc_dot(ctx, f.x, f.x, f.obj.n)), fv, f1, rel = NAN, rmse;
  CHECK(xn > 0, "%s: zero truth point", name);
  double *y = calloc(f.obj.n + 1, sizeof(double));
  bn_idx_t off = 0, nl = (bn_idx_t)f.obj.n;
  MPI_Exscan(&nl, &off, 1, BN_IDX_MPI, MPI_SUM, bn_ctx_comm(ctx));
  if (bn_ctx_rank(ctx) == 0) off = 0;
  bn_rng_fill_normal(5, 90, (uint64_t)off, f.obj.n, y);
  double yn = sqrt(hc_dot(ctx, y, y, f.obj.n));
  for (size_t i = 0; i < f.obj.n; i++) y[i] *= xn / yn;
  CHECK_OK(ctx, f.obj.eval(f.data, y, &f1, f.g));
  double g1 = sqrt(hc_dot(ctx, f.g, f.g, f.obj.n));
  CHECK_OK(ctx, f.obj.eval(f.data, f.x, &fv, f.g));
  double gn = sqrt(hc_dot(ctx, f.g, f.g, f.obj.n));
  CHECK(fv <= 1e-20 * f1, "%s: f(truth) = %.3e, f(random) = %.3e", name, fv,
        f1);
  CHECK(gn <= 1e-10 * g1, "%s: |grad(truth)| = %.3e, at random %.3e", name, gn,
        g1);
  CHECK_OK(ctx, f.obj.metrics(f.data, f.x, &rel, &rmse));
  CHECK(rel <= 1e-12, "%s: rel_error(truth) = %.3e", name, rel);
  /* A solve from the truth stops at once. */
  bn_solver_t *s = NULL;
  bn_solver_params_t p;
  bn_solver_params_default(&p);
  p.gatol = 1e-9 * g1;
  p.progress = false;
  CHECK_OK(ctx, bn_solver_create(ctx, "gd", &s));
  bn_solver_set_params(s, &p);
  CHECK_OK(ctx, bn_solver_solve(s, &f.obj, f.x));
  CHECK(bn_solver_iterations(s) == 0 && bn_solver_reason(s) > 0,
        "%s: solve from the truth: %lld iterations, %s", name,
        (long long)bn_solver_iterations(s),
        bn_reason_string(bn_solver_reason(s)));
  bn_solver_destroy(s);
  free(y);
  fx_close(&f);
}

/* Completion: balanced factors, and the same point as one process alone
 * (compared through the norm and an inner product with a vector keyed by
 * global position). */
static void check_complete(bn_ctx_t *ctx, const char *input) {
  static const char *const kv[] = {"rank", "3", NULL};
  fx_t f, g;
  fx_open(ctx, "complete", input, kv, &f);
  bn_ctx_t *self = NULL;
  CHECK_OK(ctx, bn_ctx_create(MPI_COMM_SELF, &self));
  fx_open(self, "complete", input, kv, &g);
  bool h1 = false, h2 = false;
  CHECK_OK(ctx, f.ops->truth(f.data, f.x, &h1));
  CHECK_OK(self, g.ops->truth(g.data, g.x, &h2));
  bn_complete_t *c = f.data;
  const int r = c->r;
  bn_idx_t u0 = bn_dist_first(c->rdist), v0 = bn_dist_first(c->cdist);
  double w[2] = {0, 0}, gram[18] = {0};
  for (bn_idx_t i = 0; i < c->nu * r; i++)
    w[0] += f.x[i] * bn_rng_normal(9, 91, (uint64_t)(u0 * r + i), 0);
  for (bn_idx_t j = 0; j < c->nv * r; j++)
    w[0] += f.x[c->nu * r + j] *
            bn_rng_normal(9, 91, (uint64_t)((c->n1 + v0) * r + j), 0);
  MPI_Allreduce(MPI_IN_PLACE, w, 1, MPI_DOUBLE, MPI_SUM, bn_ctx_comm(ctx));
  for (size_t i = 0; i < g.obj.n; i++)
    w[1] += g.x[i] * bn_rng_normal(9, 91, (uint64_t)i, 0);
  CHECK(fabs(w[0] - w[1]) <= 1e-10 * fabs(w[1]),
        "complete: truth point <x, w> %.17g here, %.17g on one process", w[0],
        w[1]);
  bn_gram_local(r, c->nu, f.x, f.x, gram);
  bn_gram_local(r, c->nv, f.x + c->nu * r, f.x + c->nu * r, gram + 9);
  MPI_Allreduce(MPI_IN_PLACE, gram, 18, MPI_DOUBLE, MPI_SUM, bn_ctx_comm(ctx));
  double d = 0, t = 0;
  for (int k = 0; k < r * r; k++) {
    d = fmax(d, fabs(gram[k] - gram[9 + k]));
    t = fmax(t, fabs(gram[k]));
  }
  CHECK(d <= 1e-12 * t, "complete: |U*^T U* - V*^T V*| = %.3e (|U*^T U*| %.3e)",
        d, t);
  fx_close(&f);
  fx_close(&g);
  bn_ctx_destroy(self);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  bn_ctx_t *ctx = NULL;
  bn_ctx_create(MPI_COMM_WORLD, &ctx);
  bn_ctx_set_log_level(ctx, BN_LOG_QUIET);
  char dir[64] = "/tmp/bn_mpi_landscape.XXXXXX", path[5][128];
  if (bn_ctx_rank(ctx) == 0 && !mkdtemp(dir)) dir[0] = 0;
  MPI_Bcast(dir, sizeof(dir), MPI_CHAR, 0, bn_ctx_comm(ctx));
  const char *tag[5] = {"c", "fg", "fs", "s", "r"};
  for (int i = 0; i < 5; i++)
    snprintf(path[i], sizeof(path[i]), "%s/%s.h5", dir, tag[i]);
  bn_complete_gen_t cg = {40,  31, 3,   0.6, 0.0, 0.0,
                          2.0, 7,  0.0, 0.0, 0.0, false};
  bn_gen_stats_t stats;
  CHECK_OK(ctx, bn_generate_complete(ctx, &cg, path[0], &stats));
  bn_factor_gen_t fg = {23, 17, 3, 0, 0.0, 3.0, 8};
  CHECK_OK(ctx, bn_generate_factor(ctx, &fg, path[1]));
  bn_factor_gen_t fs = {19, 19, 2, 1, 0.0, 2.0, 9};
  CHECK_OK(ctx, bn_generate_factor(ctx, &fs, path[2]));
  bn_sense_gen_t sg = {9, 7, 200, 2, "gaussian", 0.0, 1.5, 10};
  CHECK_OK(ctx, bn_generate_sense(ctx, &sg, path[3]));
  bn_rpca_gen_t rg = {29, 23, 2, 0.05, 5.0, 1.0, 1.0, 11};
  CHECK_OK(ctx, bn_generate_rpca(ctx, &rg, path[4], &stats));

  static const char *const kc[] = {"rank", "3", NULL};
  static const char *const kc4[] = {"rank", "4", NULL}; /* r > k: padded */
  static const char *const kfg[] = {"rank", "3", NULL};
  static const char *const kfs[] = {"rank", "2", "mode", "sym", NULL};
  static const char *const ks[] = {"rank", "2", NULL};
  static const char *const kr[] = {"rank", "2", NULL};
  check_truth(ctx, "complete", path[0], kc);
  check_truth(ctx, "complete", path[0], kc4);
  check_truth(ctx, "factor", path[1], kfg);
  check_truth(ctx, "factor", path[2], kfs);
  check_truth(ctx, "sense", path[3], ks);
  check_truth(ctx, "rpca", path[4], kr);
  check_complete(ctx, path[0]);

  MPI_Barrier(bn_ctx_comm(ctx));
  if (bn_ctx_rank(ctx) == 0) {
    for (int i = 0; i < 5; i++) unlink(path[i]);
    rmdir(dir);
  }
  int rc = bn_test_finish("mpi_landscape");
  bn_ctx_destroy(ctx);
  MPI_Finalize();
  return rc;
}
