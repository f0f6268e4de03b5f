/* benign -- the objective: what a problem hands to a solver and to the
 * landscape tools (bn_problem_ops_t.objective fills one).
 *
 * The iterate is a local array of n doubles on each rank (the rank's share
 * of all variables); the inner product is the sum over ranks. Every member
 * function is collective over the problem's communicator. */
#ifndef BENIGN_OBJECTIVE_H
#define BENIGN_OBJECTIVE_H

#include <stddef.h>

#include "benign/types.h"

typedef struct bn_objective {
  void *data;
  size_t n; /* local length of the iterate */
  /* Collective. f always; g (same layout as x) only when g != NULL. */
  bn_status_t (*eval)(void *data, const double *x, double *f, double *g);
  /* Collective, optional: one alternating sweep in place. */
  bn_status_t (*sweep)(void *data, double *x);
  /* Collective, optional: error to ground truth and held-out RMSE (NaN when
   * not available). */
  bn_status_t (*metrics)(void *data, const double *x, double *rel_error,
                         double *test_rmse);
  /* Collective, optional (problems on a manifold such as the sphere): map
   * a point x = y - t g back onto the manifold in place (a retraction,
   * e.g. normalization); eval then returns the Riemannian gradient. The
   * solvers call it after every trial step. NULL: Euclidean. */
  bn_status_t (*retract)(void *data, double *x);
  /* Collective, optional (with retract): project v onto the tangent space
   * at x in place. */
  bn_status_t (*project)(void *data, const double *x, double *v);
  /* Collective, optional: hv = H(x) v, the Hessian (on a manifold the
   * Riemannian Hessian, v and hv tangent at x). NULL: a central difference
   * of gradients (src/landscape). */
  bn_status_t (*hvp)(void *data, const double *x, const double *v, double *hv);
  /* Collective, optional: pg = P(x) g for a symmetric positive definite
   * preconditioner P(x) that may depend on x (a scaled metric); pg may be
   * g. NULL: the identity. Used by the solver "cg". */
  bn_status_t (*precond)(void *data, const double *x, const double *g,
                         double *pg);
} bn_objective_t;

#endif
