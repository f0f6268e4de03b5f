/* A problem by name, for library users and tests (benign/problem.h): its
 * option table merged with the shared solve keys, and an opaque handle
 * over its table of functions and its data. */
#include <stdlib.h>

#include "benign/error.h"
#include "benign/problem.h"

struct bn_problem {
  bn_ctx_t *ctx;
  const bn_problem_ops_t *ops;
  const bn_opts_t *opts;
  void *data;
  bn_objective_t obj;
};

bn_optdef_t *bn_problem_optdefs(const char *name) {
  const bn_problem_ops_t *ops = name ? bn_problem_find(name) : NULL;
  if (!ops) return NULL;
  /* A problem with its own iteration has a complete table. */
  const bool own = ops->stages && ops->stages->solve;
  return bn_opts_merge(ops->opts, own ? NULL : bn_solve_optdefs, NULL);
}

bn_status_t bn_problem_create(bn_ctx_t *ctx, const char *name,
                              const bn_opts_t *opts, bn_problem_t **out) {
  *out = NULL;
  const bn_problem_ops_t *ops = name ? bn_problem_find(name) : NULL;
  if (!ops)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "no problem named '%s'",
                        name ? name : "(null)");
  bn_problem_t *p = NULL;
  BN_CALL(ctx, bn_agree(ctx, bn_calloc(ctx, 1, sizeof(*p), &p)));
  p->ctx = ctx;
  p->ops = ops;
  p->opts = opts;
  bn_status_t st = ops->create(ctx, opts, &p->data);
  if (st != BN_OK) {
    free(p);
    return st;
  }
  if (ops->objective) ops->objective(p->data, &p->obj);
  *out = p;
  return BN_OK;
}

const bn_problem_ops_t *bn_problem_ops(const bn_problem_t *p) {
  return p ? p->ops : NULL;
}

void *bn_problem_data(const bn_problem_t *p) { return p ? p->data : NULL; }

const bn_objective_t *bn_problem_objective(const bn_problem_t *p) {
  return p ? &p->obj : NULL;
}

/* A problem with its own iteration (sasd) has no iterate for a solver. */
static bn_status_t bn_problem_no_iterate(bn_problem_t *p) {
  return BN_ERROR_ALL(p->ctx, BN_ERR_STATE,
                      "problem '%s' runs its own iteration: it has no "
                      "objective or iterate for a solver (run it with "
                      "`benign %s`)",
                      p->ops->name, p->ops->name);
}

bn_status_t bn_problem_retune(bn_problem_t *p) {
  if (!p->ops->retune)
    return BN_ERROR_ALL(p->ctx, BN_ERR_ARG,
                        "problem '%s' cannot change its options on loaded "
                        "data",
                        p->ops->name);
  BN_CALL(p->ctx, p->ops->retune(p->data, p->opts));
  if (p->ops->objective) p->ops->objective(p->data, &p->obj);
  return BN_OK;
}

bn_status_t bn_problem_init(bn_problem_t *p, double *x) {
  if (!p->ops->init) return bn_problem_no_iterate(p);
  return p->ops->init(p->data, p->opts, x);
}

bn_status_t bn_problem_save(bn_problem_t *p, const double *x, bn_h5_t *f,
                            const char *prefix) {
  if (!p->ops->save) return bn_problem_no_iterate(p);
  return p->ops->save(p->data, x, f, prefix);
}

void bn_problem_destroy(bn_problem_t *p) {
  if (!p) return;
  if (p->data) p->ops->destroy(p->data);
  free(p);
}
