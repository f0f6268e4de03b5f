/* The dictionary-learning fixture of tests/mpi_dict*.c: a dict problem
 * created from "key=value" settings, its objective and iterate, the
 * inner product of the rank-0 iterate, tangent directions, a solver and
 * the stage loop of the run frame. */
#ifndef BN_TESTS_DICT_FIXTURE_H
#define BN_TESTS_DICT_FIXTURE_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "benign/benign.h"
#include "check.h"
#include "hvp_check.h"
#include "problem_fixture.h"
#include "problems/dict/dict.h"

typedef struct fx {
  bn_ctx_t *ctx;
  bn_opts_t *opts;
  const bn_problem_ops_t *ops;
  bn_dict_t *d;
  bn_objective_t obj;
  double *x;
} fx_t;

/* The problem's keys plus the shared solve keys (starting at random points
 * unless a test says otherwise). */
static inline bn_optdef_t *fx_defs(void) {
  return fx_problem_defs("dict", "random");
}

/* kv: "key=value" settings, NULL-terminated. Returns 0 (and checks) if
 * the problem could not be created. */
static inline int fx_open(bn_ctx_t *ctx, bn_optdef_t *defs, const char *input,
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
  f->ops = bn_problem_find("dict");
  bn_status_t st = f->ops->create(ctx, f->opts, &data);
  CHECK(st == BN_OK, "create %s: %s", input, bn_error_message(ctx));
  if (st != BN_OK) {
    bn_opts_destroy(f->opts);
    return 0;
  }
  f->d = data;
  f->ops->objective(data, &f->obj);
  f->x = calloc(f->obj.n + 1, sizeof(double));
  return 1;
}

static inline void fx_close(fx_t *f) {
  f->ops->destroy(f->d);
  bn_opts_destroy(f->opts);
  free(f->x);
}

static inline double fx_dot(fx_t *f, const double *a, const double *b) {
  return hc_dot(f->ctx, a, b, f->obj.n);
}

/* A tangent direction at f->x keyed by position (rank 0 holds all). */
static inline void fx_tangent(fx_t *f, uint32_t stream, double *d) {
  for (size_t i = 0; i < f->obj.n; i++)
    d[i] = bn_rng_normal(7, stream, (uint64_t)i, 0);
  CHECK_OK(f->ctx, f->obj.project(f->d, f->x, d));
}

static inline bn_solver_t *fx_solver(bn_ctx_t *ctx, const char *name,
                                     double tol, int64_t max_iter) {
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

/* The stage loop of the run frame (drivers/run_problem.c), no
 * certificates. */
static inline void fx_learn(fx_t *f, double tol) {
  bn_solver_t *s = fx_solver(f->ctx, bn_dict_solver(f->d), tol, 3000);
  while (!bn_dict_finished(f->d)) {
    int kept;
    CHECK_OK(f->ctx, f->ops->init(f->d, f->opts, f->x));
    CHECK_OK(f->ctx, bn_solver_solve(s, &f->obj, f->x));
    CHECK(bn_solver_reason(s) > 0, "solve %d: %s", bn_dict_stages_done(f->d),
          bn_reason_string(bn_solver_reason(s)));
    CHECK_OK(f->ctx, bn_dict_accept(f->d, f->x, s, NULL, &kept));
  }
  bn_solver_destroy(s);
}

#endif
