/* Solver state for checkpoints: the numbers and vectors that carry one
 * iteration into the next, and resuming from them. */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
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
  bn_status_t st = bn_calloc(s->ctx, bn_size_mul(k, m), sizeof(double), &s->w1);
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

/* A number of the state: finite and within [lo, hi], an integer when
 * `integer`; else an error naming the field. */
static bn_status_t bn_state_field(bn_ctx_t *ctx, const double *st, int k,
                                  const char *name, double lo, double hi,
                                  bool integer) {
  double v = st[k];
  if (!(v >= lo && v <= hi) || (integer && v != floor(v)))
    return BN_ERROR(ctx, BN_ERR_DATA,
                    "the checkpoint's state is damaged: %s = %.17g is not %s "
                    "in [%.17g, %.17g]",
                    name, v, integer ? "an integer" : "a number", lo, hi);
  return BN_OK;
}

/* Every number of a checkpoint's state in its range, and consistent with
 * the history (it ends at the state's iteration, which it counts up to). */
static bn_status_t bn_state_check(bn_ctx_t *ctx, const double *st,
                                  const bn_history_t *h) {
  const double big = 9007199254740992.0; /* 2^53 */
  const double inf = INFINITY;
  bn_status_t r = BN_OK;
#define BN_FIELD(K, NAME, LO, HI, INT) \
  if (r == BN_OK) r = bn_state_field(ctx, st, K, NAME, LO, HI, INT)
  BN_FIELD(BN_ST_ITER, "iteration", 0, big, true);
  if (r != BN_OK) return r;
  if (h->n < 1 || h->iteration[h->n - 1] != (int64_t)st[BN_ST_ITER] ||
      (size_t)h->iteration[h->n - 1] + 1 < h->n)
    return BN_ERROR(ctx, BN_ERR_DATA,
                    "the checkpoint's state is damaged: iteration %.17g but "
                    "the history has %zu entries ending at iteration %lld",
                    st[BN_ST_ITER], h->n,
                    (long long)(h->n ? h->iteration[h->n - 1] : -1));
  BN_FIELD(BN_ST_F, "objective", -DBL_MAX, DBL_MAX, false);
  BN_FIELD(BN_ST_G0, "grad_norm_0", 0, DBL_MAX, false);
  BN_FIELD(BN_ST_T, "step", 0, DBL_MAX, false);
  BN_FIELD(BN_ST_MOMENTUM, "momentum", 0, DBL_MAX, false);
  BN_FIELD(BN_ST_HAVE_PREV, "have_prev", 0, 1, true);
  BN_FIELD(BN_ST_STALLS, "stalls", 0, 2, true);
  /* nring counts the accepted steps since the last reset (the ring is
   * indexed modulo its size): at most one an iteration. */
  BN_FIELD(BN_ST_NRING, "nring", 0, fmin(st[BN_ST_ITER], INT_MAX), true);
  BN_FIELD(BN_ST_SECONDS, "seconds", 0, DBL_MAX, false);
  for (int k = 0; r == BN_OK && k < (int)fmin(st[BN_ST_NRING], 16); k++)
    BN_FIELD(BN_ST_FRING + k, "fring", -DBL_MAX, DBL_MAX, false);
  BN_FIELD(BN_ST_ESCAPES, "escapes", 0, big, true);
  BN_FIELD(BN_ST_EARLY_BEST, "early_best", 0, inf, false);
  BN_FIELD(BN_ST_EARLY_REF, "early_ref", 0, inf, false);
  BN_FIELD(BN_ST_EARLY_ITER, "early_iter", -1, st[BN_ST_ITER], true);
  BN_FIELD(BN_ST_EARLY_STALL, "early_stall", 0, st[BN_ST_ITER] + 1, true);
#undef BN_FIELD
  if (r != BN_OK) return r;
  for (size_t k = 1; k < h->n; k++)
    if (h->iteration[k] <= h->iteration[k - 1])
      return BN_ERROR(ctx, BN_ERR_DATA,
                      "the checkpoint's history is damaged: its iterations "
                      "do not increase (entry %zu)",
                      k);
  return BN_OK;
}

bn_status_t bn_solver_resume(bn_solver_t *s, size_t n, const double *st,
                             const bn_history_t *h) {
  BN_CALL(s->ctx, bn_state_check(s->ctx, st, h));
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
  s->esc_n = 0; /* their iterations: bn_solver_set_escape_iterations */
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
