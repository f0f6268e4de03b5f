/* Gradient descent: Barzilai-Borwein trial step, Armijo backtracking.
 *
 * The BB step <s,s>/<s,y> adapts to the local curvature, so most iterations
 * accept the first trial; backtracking keeps the objective monotone. */
#include <math.h>
#include <string.h>

#include "benign/ctx.h"
#include "benign/error.h"
#include "solvers/solver_impl.h"

#define BN_ARMIJO 1e-4
#define BN_MAX_BACKTRACK 60

bn_status_t bn_backtrack(bn_solver_t *s, const bn_objective_t *obj,
                         const double *y, double fy, const double *gy,
                         double gy2, double *t, double *x, double *fx) {
  for (int k = 0; k < BN_MAX_BACKTRACK; k++) {
    for (size_t i = 0; i < s->n; i++) x[i] = y[i] - *t * gy[i];
    BN_CALL(s->ctx, obj->eval(obj->data, x, fx, NULL));
    if (isfinite(*fx) && *fx <= fy - BN_ARMIJO * *t * gy2) return BN_OK;
    *t *= 0.5;
  }
  s->reason = BN_DIVERGED_LINE_SEARCH;
  return BN_OK;
}

static bn_status_t bn_gd_step(bn_solver_t *s, const bn_objective_t *obj,
                              double *x, double *f, double *g, double *step) {
  double *xnew = s->w2, *xprev = s->w3, *gprev = s->w4, g2, t;
  BN_CALL(s->ctx, bn_vdot(s, g, g, &g2));
  if (s->have_prev) {
    /* BB1 step from the last move; fall back to growing the last step. */
    for (size_t i = 0; i < s->n; i++) {
      xprev[i] = x[i] - xprev[i];
      gprev[i] = g[i] - gprev[i];
    }
    double d[2];
    BN_CALL(s->ctx, bn_vdot2(s, xprev, xprev, xprev, gprev, d));
    t = (d[1] > 0 && isfinite(d[0] / d[1])) ? d[0] / d[1] : 2.0 * s->t;
  } else {
    t = g2 > 0 ? 1.0 / sqrt(g2) : 1.0; /* a unit-length first move */
  }
  double fnew;
  BN_CALL(s->ctx, bn_backtrack(s, obj, x, *f, g, g2, &t, xnew, &fnew));
  if (s->reason != BN_REASON_ITERATING) return BN_OK;
  memcpy(xprev, x, s->n * sizeof(double));
  memcpy(gprev, g, s->n * sizeof(double));
  memcpy(x, xnew, s->n * sizeof(double));
  BN_CALL(s->ctx, obj->eval(obj->data, x, f, g));
  s->t = t;
  s->have_prev = 1;
  *step = t;
  return BN_OK;
}

const bn_solver_ops_t bn_solver_gd = {"gd", bn_gd_step};
