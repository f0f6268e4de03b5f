/* Shared set-up for the problems' MPI tests: the option table a test
 * creates its problem from -- the problem's keys plus the library's shared
 * solve keys (bn_problem_optdefs), as the program merges them -- with
 * --init's default replaced where a test starts elsewhere by default. */
#ifndef BN_TEST_PROBLEM_FIXTURE_H
#define BN_TEST_PROBLEM_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include "benign/benign.h"
#include "check.h"

/* init: the default of --init for this test, or NULL to keep the table's.
 * free() the result. */
static inline bn_optdef_t *fx_problem_defs(const char *name, const char *init) {
  bn_optdef_t *d = bn_problem_optdefs(name);
  for (bn_optdef_t *e = d; init && e && e->key; e++)
    if (!strcmp(e->key, "init")) e->def = init;
  return d;
}

/* A problem made from options, the handle of most MPI tests: the options,
 * the problem's ops and data, its objective and an iterate x (n + 1
 * doubles) at the problem's initial point. */
typedef struct fx_prob {
  bn_opts_t *opts;
  const bn_problem_ops_t *ops;
  void *data;
  bn_objective_t obj;
  double *x;
} fx_prob_t;

/* Collective: with f->opts set, create problem NAME, its objective and x
 * from its init. */
static inline void fx_prob_make(bn_ctx_t *ctx, const char *name, fx_prob_t *f) {
  f->ops = bn_problem_find(name);
  CHECK_OK(ctx, f->ops->create(ctx, f->opts, &f->data));
  f->ops->objective(f->data, &f->obj);
  f->x = calloc(f->obj.n + 1, sizeof(double));
  CHECK_OK(ctx, f->ops->init(f->data, f->opts, f->x));
}

/* Collective: solve obj from x with SOLVER (no progress lines) to the
 * gradient tolerance tol in at most max_iter iterations, and check that
 * it converged. */
static inline void fx_solve(bn_ctx_t *ctx, const char *solver,
                            const bn_objective_t *obj, double *x, double tol,
                            int64_t max_iter) {
  bn_solver_t *sv;
  bn_solver_params_t p;
  bn_solver_params_default(&p);
  p.tol = tol;
  p.max_iter = max_iter;
  p.progress = false;
  CHECK_OK(ctx, bn_solver_create(ctx, solver, &sv));
  bn_solver_set_params(sv, &p);
  CHECK_OK(ctx, bn_solver_solve(sv, obj, x));
  CHECK(bn_solver_reason(sv) > 0, "%s not converged (%s)", solver,
        bn_reason_string(bn_solver_reason(sv)));
  bn_solver_destroy(sv);
}

static inline void fx_prob_close(fx_prob_t *f) {
  f->ops->destroy(f->data);
  bn_opts_destroy(f->opts);
  free(f->x);
}

#endif
