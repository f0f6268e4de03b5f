/* Extrapolated alternating sweeps: the objective's fixed-point map applied
 * at a point pushed along the last move of the map,
 *
 *   w_k = sweep(x_k),   x_{k+1} = R(w_k + beta (w_k - w_{k-1})),
 *
 * R the objective's retraction (none on a flat space). The iterate the
 * loop sees, tests and checkpoints is x (a point of the manifold, so the
 * stopping tests mean what they mean for "als"); the previous sweep's
 * output w_{k-1} is the state vector. When the extrapolated point's
 * objective is above the last one (the momentum overshot), the plain sweep
 * w_k is taken instead, which keeps the objective non-increasing whenever
 * the sweep itself is (MSP, ALS). For the l4 MSP of dict the extrapolation
 * halves the steps at m = 400 (106 -> 54 to find every atom, beta = 0.8);
 * at a fixed point w_k = w_{k-1} = x, so the fixed points are the sweep's. */
#include <math.h>
#include <string.h>

#include "benign/ctx.h"
#include "benign/error.h"
#include "solvers/solver_impl.h"

/* The extrapolation weight (measured on the l4 MSP, m = 50..400: 0.5
 * gives 2/3 of the plain steps, 0.8 about half, 1.0 begins to overshoot). */
#define BN_AALS_BETA 0.8

static bn_status_t bn_aals_step(bn_solver_t *s, const bn_objective_t *obj,
                                double *x, double *f, double *g, double *step) {
  BN_CALL(s->ctx, bn_solver_need_sweep(s, obj));
  double *w = s->w2, *wprev = s->w3, fx;
  const size_t n = s->n;
  memcpy(w, x, n * sizeof(double));
  BN_CALL(s->ctx, obj->sweep(obj->data, w));
  const double beta = s->have_prev ? BN_AALS_BETA * s->momentum : 0.0;
  if (beta == 0.0) {
    /* The first step (or after an escape): the plain sweep. */
    memcpy(x, w, n * sizeof(double));
    BN_CALL(s->ctx, obj->eval(obj->data, x, &fx, g));
  } else {
    for (size_t i = 0; i < n; i++) x[i] = w[i] + beta * (w[i] - wprev[i]);
    if (obj->retract) BN_CALL(s->ctx, obj->retract(obj->data, x));
    BN_CALL(s->ctx, obj->eval(obj->data, x, &fx, g));
  }
  if (beta != 0.0 && !(fx <= *f)) {
    bn_log(s->ctx, BN_LOG_DEBUG,
           "aals: iteration %lld: the extrapolated point's objective %.10g is "
           "above the last %.10g: the plain sweep instead\n",
           (long long)s->iter + 1, fx, *f);
    memcpy(x, w, n * sizeof(double));
    BN_CALL(s->ctx, obj->eval(obj->data, x, &fx, g));
    s->momentum *= 0.5;
  } else if (beta != 0.0) {
    s->momentum = fmin(1.0, 1.25 * s->momentum);
  }
  memcpy(wprev, w, n * sizeof(double));
  s->have_prev = 1;
  *f = fx;
  *step = 1.0;
  return BN_OK;
}

const bn_solver_ops_t bn_solver_aals = {
    "aals", bn_aals_step, 1, {"sweep_prev"}, true};
