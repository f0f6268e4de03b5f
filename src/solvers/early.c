/* Early stopping on a held-out set: the loop's test RMSE after every
 * iteration; the run stops when it has not improved by a relative
 * BN_EARLY_REL for early_stop iterations in a row, and returns the iterate
 * with the lowest test RMSE seen (kept in wbest). The RMSE is the same
 * number on every process (metrics reduce it), so every process takes the
 * same decisions without communicating. */
#include <math.h>
#include <string.h>

#include "solvers/solver_impl.h"

#define BN_EARLY_REL 1e-4

static bool bn_early_on(const bn_solver_t *s, double rmse) {
  return s->params.early_stop > 0 && s->wbest && isfinite(rmse);
}

void bn_early_start(bn_solver_t *s, const double *x, double rmse) {
  s->early_best = s->early_ref = INFINITY;
  s->early_iter = -1;
  s->early_stall = 0;
  bn_early_update(s, x, rmse);
}

void bn_early_update(bn_solver_t *s, const double *x, double rmse) {
  if (!bn_early_on(s, rmse)) return;
  if (rmse < s->early_best) {
    s->early_best = rmse;
    s->early_iter = s->iter;
    memcpy(s->wbest, x, s->n * sizeof(double));
  }
  if (rmse < s->early_ref * (1 - BN_EARLY_REL)) {
    s->early_ref = rmse;
    s->early_stall = 0;
  } else if (++s->early_stall >= s->params.early_stop &&
             s->reason == BN_REASON_ITERATING) {
    s->reason = BN_CONVERGED_EARLY_STOP;
  }
}

void bn_early_finish(bn_solver_t *s, double *x) {
  if (s->params.early_stop <= 0 || !s->wbest || s->early_iter < 0) return;
  if (s->early_iter != s->iter) memcpy(x, s->wbest, s->n * sizeof(double));
}

int64_t bn_solver_saved_iteration(const bn_solver_t *s, double *test_rmse) {
  bool on = s->params.early_stop > 0 && s->wbest && s->early_iter >= 0;
  *test_rmse = on ? s->early_best : NAN;
  return on ? s->early_iter : -1;
}
