/* Alternating sweeps: the objective's own fixed-point map (for completion,
 * alternating least squares with row-wise ridge solves). The loop's stopping
 * tests apply unchanged because the gradient is evaluated after each sweep. */
#include "benign/ctx.h"
#include "benign/error.h"
#include "solvers/solver_impl.h"

bn_status_t bn_solver_need_sweep(bn_solver_t *s, const bn_objective_t *obj) {
  if (obj->sweep) return BN_OK;
  return BN_ERROR_ALL(s->ctx, BN_ERR_ARG,
                      "solver '%s' needs an alternating sweep, which this "
                      "problem does not provide",
                      s->ops->name);
}

static bn_status_t bn_als_step(bn_solver_t *s, const bn_objective_t *obj,
                               double *x, double *f, double *g, double *step) {
  BN_CALL(s->ctx, bn_solver_need_sweep(s, obj));
  BN_CALL(s->ctx, obj->sweep(obj->data, x));
  BN_CALL(s->ctx, obj->eval(obj->data, x, f, g));
  *step = 1.0;
  return BN_OK;
}

const bn_solver_ops_t bn_solver_als = {"als", bn_als_step, 0, {NULL}, true};
