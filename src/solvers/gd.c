/* Gradient descent: Barzilai-Borwein trial step with a nonmonotone Armijo
 * backtracking line search (Raydan 1997).
 *
 * The BB step <s,s>/<s,y> adapts to the local curvature, so most iterations
 * accept the first trial; the nonmonotone test against the largest of the
 * last few objectives keeps the method globally convergent. At the
 * roundoff level of f a trial that reduces |g| is accepted instead, so
 * gradient tolerances far below sqrt(eps |f|) can still be reached. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "benign/ctx.h"
#include "benign/error.h"
#include "solvers/solver_impl.h"

#define BN_ARMIJO 1e-4
#define BN_MAX_BACKTRACK 60
#define BN_GD_MEMORY 10
#define BN_FROUND (64 * DBL_EPSILON) /* relative roundoff of an objective */

bn_status_t bn_backtrack(bn_solver_t *s, const bn_objective_t *obj,
                         const double *y, double fy, const double *gy,
                         double gy2, double *t, double *x, double *fx) {
  for (int k = 0; k < BN_MAX_BACKTRACK; k++) {
    for (size_t i = 0; i < s->n; i++) x[i] = y[i] - *t * gy[i];
    if (obj->retract) BN_CALL(s->ctx, obj->retract(obj->data, x));
    BN_CALL(s->ctx, obj->eval(obj->data, x, fx, NULL));
    if (isfinite(*fx) && *fx <= fy - BN_ARMIJO * *t * gy2) return BN_OK;
    *t *= 0.5;
  }
  s->reason = BN_DIVERGED_LINE_SEARCH;
  return BN_OK;
}

/* Nonmonotone reference (Grippo, Lampariello and Lucidi 1986): the largest
 * objective of the last BN_GD_MEMORY accepted iterates. BB steps are
 * effective because they are allowed to raise f now and then. */
static double bn_gd_reference(const bn_solver_t *s, double f) {
  double ref = f;
  int n = s->nring < BN_GD_MEMORY ? s->nring : BN_GD_MEMORY;
  for (int k = 0; k < n; k++)
    if (s->fring[k] > ref) ref = s->fring[k];
  return ref;
}

static bn_status_t bn_gd_step(bn_solver_t *s, const bn_objective_t *obj,
                              double *x, double *f, double *g, double *step) {
  double *xnew = s->w2, *xprev = s->w3, *gprev = s->w4, *gnew = s->w5, t;
  /* One allreduce: |g|^2 and, from the last move s_k = x - xprev and
   * y_k = g - gprev, <s,s> and <s,y>. */
  double d[3] = {0, 0, 0};
  for (size_t i = 0; i < s->n; i++) {
    d[0] += g[i] * g[i];
    if (s->have_prev) {
      double sk = x[i] - xprev[i], yk = g[i] - gprev[i];
      d[1] += sk * sk;
      d[2] += sk * yk;
    }
  }
  BN_MPI(s->ctx, MPI_Allreduce(MPI_IN_PLACE, d, 3, MPI_DOUBLE, MPI_SUM,
                               bn_ctx_comm(s->ctx)));
  if (!s->have_prev) {
    t = d[0] > 0 ? 1.0 / sqrt(d[0]) : 1.0; /* a unit-length first move */
    s->nring = 0;
  } else {
    /* BB1 step; fall back to growing the last step. */
    t = (d[2] > 0 && isfinite(d[1] / d[2])) ? d[1] / d[2] : 2.0 * s->t;
  }
  double fref = bn_gd_reference(s, *f), fnew = NAN;
  /* Trials evaluate the gradient too: the first trial is accepted almost
   * always, and then no second pass over the data is needed. */
  int k;
  for (k = 0; k < BN_MAX_BACKTRACK; k++, t *= 0.5) {
    for (size_t i = 0; i < s->n; i++) xnew[i] = x[i] - t * g[i];
    if (obj->retract) BN_CALL(s->ctx, obj->retract(obj->data, xnew));
    BN_CALL(s->ctx, obj->eval(obj->data, xnew, &fnew, gnew));
    if (isfinite(fnew) && fnew <= fref - BN_ARMIJO * t * d[0]) break;
    if (isfinite(fnew) && fabs(fnew - *f) <= BN_FROUND * fabs(*f)) {
      /* Near a minimizer t |g|^2 falls below the roundoff of f and no
       * Armijo test can see a decrease: accept a step that keeps f within
       * roundoff and reduces |g| (in the spirit of the approximate Wolfe
       * conditions of Hager and Zhang). fnew is the same on every rank,
       * so all ranks take this branch together. */
      double gn = 0.0;
      for (size_t i = 0; i < s->n; i++) gn += gnew[i] * gnew[i];
      BN_MPI(s->ctx, MPI_Allreduce(MPI_IN_PLACE, &gn, 1, MPI_DOUBLE, MPI_SUM,
                                   bn_ctx_comm(s->ctx)));
      if (gn < d[0]) break;
    }
  }
  if (k == BN_MAX_BACKTRACK) {
    s->reason = BN_DIVERGED_LINE_SEARCH;
    return BN_OK;
  }
  memcpy(xprev, x, s->n * sizeof(double));
  memcpy(gprev, g, s->n * sizeof(double));
  memcpy(x, xnew, s->n * sizeof(double));
  memcpy(g, gnew, s->n * sizeof(double));
  *f = fnew;
  s->fring[s->nring++ % BN_GD_MEMORY] = fnew;
  s->t = t;
  s->have_prev = 1;
  *step = t;
  return BN_OK;
}

const bn_solver_ops_t bn_solver_gd = {
    "gd", bn_gd_step, 2, {"xprev", "gprev"}, false};
