/* Nesterov's accelerated gradient with backtracking and adaptive restart
 * (O'Donoghue and Candes 2015): the momentum is reset whenever the
 * objective goes up, which recovers linear convergence near a strict
 * minimizer. The reported gradient is at the new iterate. */
#include <math.h>
#include <string.h>

#include "benign/ctx.h"
#include "benign/error.h"
#include "solvers/solver_impl.h"

static bn_status_t bn_agd_step(bn_solver_t *s, const bn_objective_t *obj,
                               double *x, double *f, double *g, double *step) {
  double *y = s->w2, *xprev = s->w3, *gy = s->w4, *xnew = y;
  double fy, gy2, fnew;
  if (!s->have_prev) {
    memcpy(xprev, x, s->n * sizeof(double));
    s->momentum = 1.0;
    double g2;
    BN_CALL(s->ctx, bn_vdot(s, g, g, &g2));
    s->t = g2 > 0 ? 1.0 / sqrt(g2) : 1.0;
    s->have_prev = 1;
  }
  double k = s->momentum, beta = (k - 1.0) / (k + 2.0);
  for (size_t i = 0; i < s->n; i++) y[i] = x[i] + beta * (x[i] - xprev[i]);
  if (obj->retract && beta != 0.0) BN_CALL(s->ctx, obj->retract(obj->data, y));
  BN_CALL(s->ctx, obj->eval(obj->data, y, &fy, gy));
  BN_CALL(s->ctx, bn_vdot(s, gy, gy, &gy2));
  double t = 1.25 * s->t; /* let the step grow back slowly */
  memcpy(xprev, x, s->n * sizeof(double));
  /* x = y - t gy, written into x via xnew = y's buffer: copy y first. */
  memcpy(g, y, s->n * sizeof(double)); /* g is free until re-evaluated */
  BN_CALL(s->ctx, bn_backtrack(s, obj, g, fy, gy, gy2, &t, xnew, &fnew));
  if (s->reason != BN_REASON_ITERATING) {
    memcpy(x, xprev, s->n * sizeof(double));
    BN_CALL(s->ctx, obj->eval(obj->data, x, f, g));
    return BN_OK;
  }
  if (fnew > *f) {
    /* Restart: momentum made things worse; take a plain step from x. */
    s->momentum = 1.0;
    memcpy(x, xprev, s->n * sizeof(double));
    BN_CALL(s->ctx, obj->eval(obj->data, x, f, g));
    double g2;
    BN_CALL(s->ctx, bn_vdot(s, g, g, &g2));
    memcpy(gy, g, s->n * sizeof(double));
    memcpy(g, x, s->n * sizeof(double));
    BN_CALL(s->ctx, bn_backtrack(s, obj, g, *f, gy, g2, &t, xnew, &fnew));
    if (s->reason != BN_REASON_ITERATING) {
      BN_CALL(s->ctx, obj->eval(obj->data, x, f, g));
      return BN_OK;
    }
  } else {
    s->momentum = k + 1.0;
  }
  memcpy(x, xnew, s->n * sizeof(double));
  BN_CALL(s->ctx, obj->eval(obj->data, x, f, g));
  s->t = t;
  *step = t;
  return BN_OK;
}

const bn_solver_ops_t bn_solver_agd = {"agd", bn_agd_step, 1, {"xprev"}, false};
