/* Saddle escape for the gradient solvers.
 *
 * Gradient descent started at (or drawn to) a strict saddle can stop there:
 * the gradient vanishes and the first-order tests call it converged. At
 * every such stop decision this file asks the second-order question: the
 * smallest Hessian eigenvalue by Lanczos (src/landscape). At a local
 * minimizer the answer doubles as the certificate and the run ends. At a
 * saddle (lambda_min < -eps_H) the iterate moves along the eigenvector of
 * lambda_min, signed downhill, with a backtracking search for a decrease of
 * at least a quarter of the quadratic model's, then gets a random
 * perturbation of radius escape_radius times that step (as in the
 * perturbed gradient descent of Jin, Ge, Netrapalli, Kakade and Jordan
 * 2017, which escapes with high probability even where the curvature
 * estimate is poor), and the solver restarts its step memory.
 *
 * The perturbation is applied at the stall rather than at every small
 * gradient: at a minimizer a perturbation only costs a re-convergence, and
 * the Lanczos test already tells the two cases apart. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "benign/ctx.h"
#include "benign/error.h"
#include "benign/rng.h"
#include "solvers/solver_impl.h"

#define BN_STREAM_PERTURB 71

static bool bn_escapable(bn_reason_t r) {
  return r == BN_CONVERGED_GTOL || r == BN_CONVERGED_GATOL ||
         r == BN_CONVERGED_STEP || r == BN_CONVERGED_FTOL;
}

/* x + a v retracted into y; f(y). */
static bn_status_t bn_try(bn_solver_t *s, const bn_objective_t *obj,
                          const double *x, double a, const double *v, double *y,
                          double *fy) {
  for (size_t i = 0; i < s->n; i++) y[i] = x[i] + a * v[i];
  if (obj->retract) BN_CALL(s->ctx, obj->retract(obj->data, y));
  return obj->eval(obj->data, y, fy, NULL);
}

/* A random tangent vector of norm `radius` (keyed by rank-order position,
 * the seed and the escape number). */
static bn_status_t bn_perturbation(bn_solver_t *s, const bn_objective_t *obj,
                                   const double *x, double radius, double *p) {
  bn_ctx_t *ctx = s->ctx;
  long long n = (long long)s->n, off = 0;
  BN_MPI(ctx,
         MPI_Exscan(&n, &off, 1, MPI_LONG_LONG, MPI_SUM, bn_ctx_comm(ctx)));
  if (bn_ctx_rank(ctx) == 0) off = 0;
  bn_rng_fill_normal(s->params.seed + 7919u * (uint64_t)s->escapes,
                     BN_STREAM_PERTURB, (uint64_t)off, s->n, p);
  if (obj->project) BN_CALL(ctx, obj->project(obj->data, x, p));
  double p2;
  BN_CALL(ctx, bn_vdot(s, p, p, &p2));
  double c = p2 > 0 ? radius / sqrt(p2) : 0.0;
  for (size_t i = 0; i < s->n; i++) p[i] *= c;
  return BN_OK;
}

/* Move x off the saddle along v (unit, tangent) with curvature lam < 0.
 * *moved = false when no decrease was found. */
static bn_status_t bn_escape_move(bn_solver_t *s, const bn_objective_t *obj,
                                  double *x, double *f, double *g, double lam,
                                  double *v, double *y, bool *moved) {
  bn_ctx_t *ctx = s->ctx;
  double d[2];
  BN_CALL(ctx, bn_vdot2(s, g, v, x, x, d));
  if (d[0] > 0)
    for (size_t i = 0; i < s->n; i++) v[i] = -v[i];
  double a = fmax(sqrt(d[1]), 1.0), fy = NAN;
  *moved = false;
  for (int k = 0; k < 60; k++, a *= 0.5) {
    BN_CALL(ctx, bn_try(s, obj, x, a, v, y, &fy));
    if (isfinite(fy) && fy < *f - 0.125 * a * a * fabs(lam)) {
      *moved = true;
      break;
    }
  }
  if (!*moved) return BN_OK;
  BN_CALL(ctx, bn_perturbation(s, obj, y, s->params.escape_radius * a, v));
  for (size_t i = 0; i < s->n; i++) x[i] = y[i] + v[i];
  if (obj->retract) BN_CALL(ctx, obj->retract(obj->data, x));
  double fold = *f;
  BN_CALL(ctx, obj->eval(obj->data, x, f, g));
  bn_log(ctx, BN_LOG_INFO,
         "escape %lld at iteration %lld: lambda_min = %.3e, step %.3e along "
         "its eigenvector, f %.6e -> %.6e\n",
         (long long)s->escapes + 1, (long long)s->iter, lam, a, fold, *f);
  return BN_OK;
}

bn_status_t bn_escape_check(bn_solver_t *s, const bn_objective_t *obj,
                            double *x, double *f, double *g, double *g0) {
  bn_ctx_t *ctx = s->ctx;
  if (!s->params.escape || !bn_escapable(s->reason) || s->ops->sweeps)
    return BN_OK;
  bn_cert_params_t cp;
  bn_cert_params_default(&cp);
  cp.seed = s->params.seed + (uint64_t)s->escapes;
  cp.htol = s->params.escape_htol;
  size_t n1 = s->n ? s->n : 1;
  double *v = NULL;
  BN_CALL(ctx, bn_agree(ctx, bn_mallocn(ctx, bn_size_mul(2, n1), sizeof(double),
                                        &v)));
  double *y = v + n1;
  bn_cert_t *c = &s->cert;
  bn_status_t st = bn_lambda_min(ctx, obj, x, &cp, v, c);
  if (st == BN_OK) {
    c->htol = cp.htol > 0 ? cp.htol : 1e-5 * c->hnorm;
    bool saddle = isfinite(c->lambda_min) && c->lambda_min < -c->htol;
    double g2 = 0.0;
    st = bn_vdot(s, g, g, &g2);
    c->grad_norm = sqrt(g2);
    s->cert_valid = 1;
    if (st == BN_OK && saddle && s->escapes < s->params.escape_max) {
      bool moved = false;
      st = bn_escape_move(s, obj, x, f, g, c->lambda_min, v, y, &moved);
      if (st == BN_OK && moved) {
        if (s->esc_n < BN_ESC_RECORD) s->esc_iter[s->esc_n++] = s->iter;
        s->escapes++;
        s->cert_valid = 0;
        s->reason = BN_REASON_ITERATING;
        s->have_prev = 0;
        s->nring = 0;
        s->stalls = 0;
        s->momentum = 1.0;
        st = bn_vdot(s, g, g, &g2);
        if (*g0 == 0.0) *g0 = s->g0 = sqrt(g2); /* started at a critical pt */
      }
    }
  }
  free(v);
  return st;
}
