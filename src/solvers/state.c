/* Solver state for checkpoints: the numbers and vectors that carry one
 * iteration into the next, and resuming from them. */
#include <stdlib.h>
#include <string.h>

#include "benign/ctx.h"
#include "benign/error.h"
#include "solvers/solver_impl.h"

/* Positions in the state array; fring fills 10 .. 25. Append, never
 * reorder: checkpoints store the array with these names. */
enum {
  BN_ST_ITER = 0,
  BN_ST_F,
  BN_ST_G0,
  BN_ST_T,
  BN_ST_MOMENTUM,
  BN_ST_HAVE_PREV,
  BN_ST_STALLS,
  BN_ST_NRING,
  BN_ST_SECONDS, /* = BN_SOLVER_STATE_SECONDS */
  BN_ST_RESERVED,
  BN_ST_FRING,
  BN_ST_ESCAPES = BN_ST_FRING + 16,
  BN_ST_EARLY_BEST,
  BN_ST_EARLY_REF,
  BN_ST_EARLY_ITER,
  BN_ST_EARLY_STALL
};

const char *bn_solver_state_fields(void) {
  return "iteration,objective,grad_norm_0,step,momentum,have_prev,stalls,"
         "nring,seconds,reserved,fring[0..15],escapes,early_best,early_ref,"
         "early_iter,early_stall,unused[1]";
}

void bn_solver_state_get(const bn_solver_t *s, double *st) {
  memset(st, 0, BN_SOLVER_STATE_LEN * sizeof(double));
  st[BN_ST_ITER] = (double)s->iter;
  st[BN_ST_F] = s->f;
  st[BN_ST_G0] = s->g0;
  st[BN_ST_T] = s->t;
  st[BN_ST_MOMENTUM] = s->momentum;
  st[BN_ST_HAVE_PREV] = s->have_prev;
  st[BN_ST_STALLS] = s->stalls;
  st[BN_ST_NRING] = s->nring;
  st[BN_ST_SECONDS] = s->seconds;
  memcpy(st + BN_ST_FRING, s->fring, sizeof(s->fring));
  st[BN_ST_ESCAPES] = (double)s->escapes;
  st[BN_ST_EARLY_BEST] = s->early_best;
  st[BN_ST_EARLY_REF] = s->early_ref;
  st[BN_ST_EARLY_ITER] = (double)s->early_iter;
  st[BN_ST_EARLY_STALL] = (double)s->early_stall;
}

bn_status_t bn_solver_alloc(bn_solver_t *s, size_t n) {
  if (s->w1 && s->n == n && !s->wbest == !(s->params.early_stop > 0))
    return BN_OK;
  free(s->w1);
  s->w1 = NULL;
  s->n = n;
  /* w1..w5 for the methods, then g and the previous x for the loop. The
   * vectors are the length of the iterate; any of them may be empty. */
  size_t m = n ? n : 1, k = s->params.early_stop > 0 ? 8 : 7;
  bn_status_t st = bn_calloc(s->ctx, k * m, sizeof(double), &s->w1);
  if (st != BN_OK) return st;
  s->wbest = k == 8 ? s->w1 + 7 * m : NULL;
  s->w2 = s->w1 + m;
  s->w3 = s->w2 + m;
  s->w4 = s->w3 + m;
  s->w5 = s->w4 + m;
  return BN_OK;
}

int bn_solver_state_vectors(bn_solver_t *s, const char **names, double **vecs) {
  double *w[BN_SOLVER_MAX_VECTORS] = {s->w3, s->w4};
  int k = s->w1 ? s->ops->nvec : 0;
  for (int i = 0; i < k; i++) {
    names[i] = s->ops->vec_names[i];
    vecs[i] = w[i];
  }
  if (s->wbest) {
    names[k] = "early_best";
    vecs[k++] = s->wbest;
  }
  return k;
}

bn_status_t bn_solver_resume(bn_solver_t *s, size_t n, const double *st,
                             const bn_history_t *h) {
  BN_CALL(s->ctx, bn_solver_alloc(s, n));
  s->iter = (int64_t)st[BN_ST_ITER];
  s->f = st[BN_ST_F];
  s->g0 = st[BN_ST_G0];
  s->t = st[BN_ST_T];
  s->momentum = st[BN_ST_MOMENTUM];
  s->have_prev = (int)st[BN_ST_HAVE_PREV];
  s->stalls = (int)st[BN_ST_STALLS];
  s->nring = (int)st[BN_ST_NRING];
  s->seconds = st[BN_ST_SECONDS];
  memcpy(s->fring, st + BN_ST_FRING, sizeof(s->fring));
  s->escapes = (int64_t)st[BN_ST_ESCAPES];
  s->early_best = st[BN_ST_EARLY_BEST];
  s->early_ref = st[BN_ST_EARLY_REF];
  s->early_iter = (int64_t)st[BN_ST_EARLY_ITER];
  s->early_stall = (int64_t)st[BN_ST_EARLY_STALL];
  s->hist.n = 0;
  BN_CALL(s->ctx, bn_history_reserve_to(s, h->n));
  bn_history_t *d = &s->hist;
  size_t b = h->n * sizeof(double);
  memcpy(d->iteration, h->iteration, h->n * sizeof(int64_t));
  memcpy(d->objective, h->objective, b);
  memcpy(d->grad_norm, h->grad_norm, b);
  memcpy(d->step, h->step, b);
  memcpy(d->rel_error, h->rel_error, b);
  memcpy(d->test_rmse, h->test_rmse, b);
  memcpy(d->seconds, h->seconds, b);
  d->n = h->n;
  s->resume = 1;
  return BN_OK;
}
