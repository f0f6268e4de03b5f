/* Nonlinear conjugate gradient (Polak-Ribiere+), in the objective's
 * metric when it has one (its precond), with a secant line search.
 *
 * Near the information limit the Hessian of a completion objective is
 * ill-conditioned (the sampling sees some directions barely), and
 * gradient steps crawl along them; conjugate directions take that
 * curvature in far fewer iterations. The direction is
 *   d = -P g + beta d_prev,
 *   beta = max(0, (<g, P g> - <g_prev, P g>) / <g_prev, P_prev g_prev>),
 * P at the current point (the metric moves with x: for low-rank factors
 * the scaled metric of ScaledGD and R3MC, see complete_precond.c), and
 * the method restarts along -P g whenever d is not a descent direction
 * or its line search fails.
 *
 * CG needs steps close to the minimizer along d, but each trial costs a
 * pass over the data. The first trial is the last accepted step (steps
 * settle quickly); its gradient, which the next iteration needs anyway,
 * gives the slope <g(t), d>, and the trial is accepted when the slope has
 * fallen to BN_CG_SIGMA of the starting one in size (strong Wolfe) with
 * Armijo's decrease. Otherwise the next trial is the secant root of the
 * slope from the last two (inside the bracket once the slope turned
 * positive). Most iterations take one pass. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "benign/ctx.h"
#include "benign/error.h"
#include "solvers/solver_impl.h"

#define BN_CG_ARMIJO 1e-4
#define BN_CG_SIGMA 0.3 /* strong Wolfe: |slope(t)| <= sigma |slope(0)| */
#define BN_CG_SECANT 4  /* trials of the secant search */
#define BN_CG_BACKTRACK 60
#define BN_CG_FROUND (64 * DBL_EPSILON) /* relative roundoff of f */

static bn_status_t bn_cg_precond(bn_solver_t *s, const bn_objective_t *obj,
                                 const double *x, const double *g, double *pg) {
  if (obj->precond) return obj->precond(obj->data, x, g, pg);
  memcpy(pg, g, s->n * sizeof(double));
  return BN_OK;
}

/* Sums over the ranks: out[k] = <a[k], b[k]>, one allreduce. */
static bn_status_t bn_cg_dots(bn_solver_t *s, int m, const double *const *a,
                              const double *const *b, double *out) {
  for (int k = 0; k < m; k++) {
    out[k] = 0.0;
    for (size_t i = 0; i < s->n; i++) out[k] += a[k][i] * b[k][i];
  }
  BN_MPI(s->ctx, MPI_Allreduce(MPI_IN_PLACE, out, m, MPI_DOUBLE, MPI_SUM,
                               bn_ctx_comm(s->ctx)));
  return BN_OK;
}

/* d = beta d - pg (beta = 0: -pg). With g, in the same pass v = [<g, d>,
 * <g, g>, <d, d>] summed over the ranks (as bn_cg_dots, in its order). */
static bn_status_t bn_cg_direction(bn_solver_t *s, double beta,
                                   const double *pg, double *d, const double *g,
                                   double *v) {
  if (!g) {
    if (beta > 0)
      for (size_t i = 0; i < s->n; i++) d[i] = beta * d[i] - pg[i];
    else
      for (size_t i = 0; i < s->n; i++) d[i] = -pg[i];
    return BN_OK;
  }
  double gd = 0.0, gg = 0.0, dd = 0.0;
  for (size_t i = 0; i < s->n; i++) {
    double di = beta > 0 ? beta * d[i] - pg[i] : -pg[i];
    d[i] = di;
    gd += g[i] * di;
    gg += g[i] * g[i];
    dd += di * di;
  }
  v[0] = gd, v[1] = gg, v[2] = dd;
  BN_MPI(s->ctx, MPI_Allreduce(MPI_IN_PLACE, v, 3, MPI_DOUBLE, MPI_SUM,
                               bn_ctx_comm(s->ctx)));
  return BN_OK;
}

/* One trial x + t d: f, g there and the slope <g, d>. */
static bn_status_t bn_cg_trial(bn_solver_t *s, const bn_objective_t *obj,
                               const double *x, const double *d, double t,
                               double *xnew, double *fnew, double *gnew,
                               double *slope) {
  for (size_t i = 0; i < s->n; i++) xnew[i] = x[i] + t * d[i];
  if (obj->retract) BN_CALL(s->ctx, obj->retract(obj->data, xnew));
  BN_CALL(s->ctx, obj->eval(obj->data, xnew, fnew, gnew));
  return bn_vdot(s, gnew, d, slope);
}

/* Along d from x (f = f(x), slope gd = <g, d> < 0, |g|^2 = g2), from the
 * guess *t: the secant search, then halving from its last trial until
 * Armijo's test holds. Leaves the step in *t and xnew, fnew, gnew; *ok =
 * 0 when no step is accepted. */
static bn_status_t bn_cg_search(bn_solver_t *s, const bn_objective_t *obj,
                                const double *x, double f, double g2,
                                const double *d, double gd, double *t,
                                double *xnew, double *fnew, double *gnew,
                                int *ok) {
  double lo = 0.0, hi = INFINITY, tp = 0.0, sp = gd, tt = *t, st;
  *ok = 0;
  for (int k = 0; k < BN_CG_SECANT; k++) {
    BN_CALL(s->ctx, bn_cg_trial(s, obj, x, d, tt, xnew, fnew, gnew, &st));
    /* fnew and st are agreed: every rank takes the same branches. */
    int armijo = isfinite(*fnew) && *fnew <= f + BN_CG_ARMIJO * tt * gd;
    *t = tt;
    if (armijo && (fabs(st) <= BN_CG_SIGMA * -gd || k == BN_CG_SECANT - 1)) {
      *ok = 1;
      return BN_OK;
    }
    if (armijo && st < 0)
      lo = tt;
    else
      hi = tt;
    double tn = isfinite(st) && st > sp ? tt - st * (tt - tp) / (st - sp) : NAN;
    if (isinf(hi)) { /* still going down: extrapolate, at most tenfold */
      tn = isfinite(tn) ? fmin(fmax(tn, 1.5 * tt), 10 * tt) : 4 * tt;
    } else { /* inside the bracket, away from its ends */
      double w = hi - lo;
      tn = isfinite(tn) ? fmin(fmax(tn, lo + 0.1 * w), hi - 0.1 * w)
                        : lo + 0.5 * w;
    }
    tp = tt, sp = st, tt = tn;
  }
  if (lo > 0) tt = lo;
  for (int k = 0; k < BN_CG_BACKTRACK; k++, tt *= 0.5) {
    BN_CALL(s->ctx, bn_cg_trial(s, obj, x, d, tt, xnew, fnew, gnew, &st));
    *t = tt;
    if (!isfinite(*fnew)) continue;
    if (*fnew <= f + BN_CG_ARMIJO * tt * gd) {
      *ok = 1;
      return BN_OK;
    }
    if (fabs(*fnew - f) <= BN_CG_FROUND * fabs(f)) {
      /* At the roundoff of f (as gd): a step that keeps f within roundoff
       * and lowers |g|. */
      double gn;
      BN_CALL(s->ctx, bn_vdot(s, gnew, gnew, &gn));
      if (gn < g2) {
        *ok = 1;
        return BN_OK;
      }
    }
  }
  return BN_OK;
}

/* State between iterations: d (w3), g_prev (w4), the last step (s->t) and
 * <g_prev, P_prev g_prev> (s->momentum, the denominator of beta). */
static bn_status_t bn_cg_step(bn_solver_t *s, const bn_objective_t *obj,
                              double *x, double *f, double *g, double *step) {
  double *xnew = s->w1, *pg = s->w2, *d = s->w3, *gprev = s->w4, *gnew = s->w5;
  BN_CALL(s->ctx, bn_cg_precond(s, obj, x, g, pg));
  double beta = 0.0, v[3];
  {
    const double *a[2] = {g, gprev}, *b[2] = {pg, pg};
    BN_CALL(s->ctx, bn_cg_dots(s, s->have_prev ? 2 : 1, a, b, v));
  }
  double gpg = v[0];
  if (s->have_prev && s->momentum > 0) {
    beta = (v[0] - v[1]) / s->momentum;
    if (!(beta > 0) || !isfinite(beta)) beta = 0.0;
  }
  for (int pass = 0; pass < 2; pass++) {
    if (obj->project) {
      bn_cg_direction(s, beta, pg, d, NULL, NULL);
      /* On a manifold: d tangent at x (d_prev is not transported). */
      BN_CALL(s->ctx, obj->project(obj->data, x, d));
      const double *a[3] = {g, g, d}, *b[3] = {d, g, d};
      BN_CALL(s->ctx, bn_cg_dots(s, 3, a, b, v));
    } else {
      BN_CALL(s->ctx, bn_cg_direction(s, beta, pg, d, g, v));
    }
    if (v[0] < 0 || beta == 0.0) break;
    beta = 0.0; /* not a descent direction: restart along -P g */
  }
  double gd = v[0], g2 = v[1];
  if (!(gd < 0)) { /* P g = 0 or P not definite: no move possible */
    s->reason = BN_DIVERGED_LINE_SEARCH;
    return BN_OK;
  }
  /* The guess: the last step, or a unit step in the metric (a unit-length
   * move without one). */
  double t = s->have_prev && s->t > 0 ? s->t
             : obj->precond           ? 1.0
             : v[2] > 0               ? 1.0 / sqrt(v[2])
                                      : 1.0;
  double fnew = NAN;
  int ok;
  BN_CALL(s->ctx,
          bn_cg_search(s, obj, x, *f, g2, d, gd, &t, xnew, &fnew, gnew, &ok));
  double dd = v[2];
  if (!ok && beta > 0) { /* the conjugate direction failed: restart */
    for (size_t i = 0; i < s->n; i++) d[i] = -pg[i];
    if (obj->project) BN_CALL(s->ctx, obj->project(obj->data, x, d));
    BN_CALL(s->ctx, bn_vdot(s, g, d, &gd));
    BN_CALL(s->ctx, bn_vdot(s, d, d, &dd));
    t = s->t > 0 ? s->t : 1.0;
    if (gd < 0)
      BN_CALL(s->ctx, bn_cg_search(s, obj, x, *f, g2, d, gd, &t, xnew, &fnew,
                                   gnew, &ok));
  }
  if (!ok) {
    s->reason = BN_DIVERGED_LINE_SEARCH;
    return BN_OK;
  }
  memcpy(gprev, g, s->n * sizeof(double));
  memcpy(x, xnew, s->n * sizeof(double));
  memcpy(g, gnew, s->n * sizeof(double));
  *f = fnew;
  s->t = t;
  /* x moved by t d exactly unless a retraction bent it. */
  s->move_known = obj->retract == NULL;
  s->move2 = t * t * dd;
  s->momentum = gpg;
  s->have_prev = 1;
  *step = t;
  return BN_OK;
}

const bn_solver_ops_t bn_solver_cg = {
    "cg", bn_cg_step, 2, {"direction", "gprev"}, false};
