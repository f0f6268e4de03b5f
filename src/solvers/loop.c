/* The one solver loop: evaluate, step, record, monitor, test for stopping. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benign/ctx.h"
#include "benign/error.h"
#include "benign/signal.h"
#include "solvers/solver_impl.h"

static void bn_history_push(bn_solver_t *s, int64_t it, double f, double gn,
                            double step, double rel, double rmse, double sec) {
  bn_history_t *h = &s->hist;
  h->iteration[h->n] = it;
  h->objective[h->n] = f;
  h->grad_norm[h->n] = gn;
  h->step[h->n] = step;
  h->rel_error[h->n] = rel;
  h->test_rmse[h->n] = rmse;
  h->seconds[h->n] = sec;
  h->n++;
}

static void bn_monitor_line(bn_solver_t *s, int64_t it, double f, double gn,
                            double step, double rel, double rmse, double sec) {
  FILE *out = bn_ctx_log_stream(s->ctx);
  if (bn_ctx_rank(s->ctx) != 0) return;
  fprintf(out, "its = %5lld (%8.3fs)  f = %.6e  |g| = %.3e  step = %.2e",
          (long long)it, sec, f, gn, step);
  if (!isnan(rel)) fprintf(out, "  rel_err = %.3e", rel);
  if (!isnan(rmse)) fprintf(out, "  test_rmse = %.5e", rmse);
  fprintf(out, "\n");
  fflush(out);
}

/* The fraction of the run done: toward tol on a log scale, toward
 * max_iter or toward --time-limit, whichever is furthest; never less than
 * shown before (the gradient norm goes up as well as down). */
static double bn_progress_frac(bn_solver_t *s, int64_t it, double gn, double g0,
                               double sec) {
  double frac =
      s->params.max_iter > 0 ? (double)it / (double)s->params.max_iter : 1.0;
  if (s->params.time_limit > 0 && sec / s->params.time_limit > frac)
    frac = sec / s->params.time_limit;
  if (s->params.tol > 0 && g0 > 0 && gn > 0) {
    double want = -log10(s->params.tol), got = -log10(gn / g0);
    if (want > 0 && got / want > frac) frac = got / want;
  }
  if (!(frac >= 0)) frac = 0;
  if (frac > 1) frac = 1;
  if (frac < s->prog_frac) frac = s->prog_frac;
  s->prog_frac = frac;
  return frac;
}

static void bn_progress(bn_solver_t *s, int64_t it, double f, double gn,
                        double g0, double rel, double rmse, double sec,
                        int done) {
  const bn_solver_params_t *p = &s->params;
  if (bn_ctx_rank(s->ctx) != 0 || !p->progress) return;
  bool bar = s->prog_bar;
  double frac = bn_progress_frac(s, it, gn, g0, sec);
  if (bar) {
    int bars = (int)(frac * 30);
    fprintf(stderr, "\r[%.*s%*s] %3d%%  its %lld  |g|/|g0| %.1e", bars,
            "##############################", 30 - bars, "", (int)(frac * 100),
            (long long)it, g0 > 0 ? gn / g0 : gn);
    if (done) fprintf(stderr, "\n");
    fflush(stderr);
    return;
  }
  /* A status line every progress_every seconds (not at the end: the run's
   * summary follows). */
  if (done || sec < s->prog_next) return;
  double every = p->progress_every > 0 ? p->progress_every : 10.0;
  while (s->prog_next <= sec) s->prog_next += every;
  fprintf(stderr, "progress: iteration %lld (%d%%)  f = %.6e  |g|/|g0| = %.2e",
          (long long)it, (int)(frac * 100), f, g0 > 0 ? gn / g0 : gn);
  if (!isnan(rel)) fprintf(stderr, "  rel_error = %.3e", rel);
  if (!isnan(rmse)) fprintf(stderr, "  test_rmse = %.5e", rmse);
  fprintf(stderr, "  %.1f s", sec);
  /* Time left at the rate so far, once there is a rate to go by. */
  double left = frac >= 0.05 && frac < 1 ? sec * (1 - frac) / frac : 0;
  if (left >= 1) fprintf(stderr, ", about %.0f s left", left);
  fprintf(stderr, "\n");
  fflush(stderr);
}

static bn_status_t bn_metrics(const bn_objective_t *obj, const double *x,
                              double *rel, double *rmse) {
  *rel = NAN;
  *rmse = NAN;
  return obj->metrics ? obj->metrics(obj->data, x, rel, rmse) : BN_OK;
}

/* dx, xn: |x_k - x_k-1| and |x_k| (dx < 0 before the first step). */
static bn_reason_t bn_stop_test(bn_solver_t *s, double f, double fprev,
                                double gn, double g0, double dx, double xn,
                                double rel, double elapsed) {
  const bn_solver_params_t *p = &s->params;
  if (!isfinite(f) || !isfinite(gn)) return BN_DIVERGED_NAN;
  if (p->rel_tol > 0 && rel <= p->rel_tol) return BN_CONVERGED_REL_ERROR;
  if (p->tol > 0 && gn <= p->tol * g0) return BN_CONVERGED_GTOL;
  if (p->gatol > 0 && gn <= p->gatol) return BN_CONVERGED_GATOL;
  /* The step no longer changes x beyond rounding (twice in a row): the
   * gradient is at the level of rounding error, which a relative tol can
   * miss when the start is already a minimizer (|grad_0| ~ 1e-14). */
  s->stalls = (dx >= 0 && dx <= 1e-14 * xn) ? s->stalls + 1 : 0;
  if (s->stalls >= 2) return BN_CONVERGED_STEP;
  if (p->fatol > 0 && f <= p->fatol) return BN_CONVERGED_FATOL;
  if (p->ftol > 0 && fabs(fprev - f) <= p->ftol * fabs(f))
    return BN_CONVERGED_FTOL;
  if (s->iter >= p->max_iter) return BN_DIVERGED_MAX_ITER;
  if (p->time_limit > 0 && elapsed >= p->time_limit)
    return BN_DIVERGED_TIME_LIMIT;
  return BN_REASON_ITERATING;
}

/* A fresh start: evaluate at x, record iteration 0, test for stopping. */
static bn_status_t bn_solver_begin(bn_solver_t *s, const bn_objective_t *obj,
                                   const double *x, double *g) {
  bn_ctx_t *ctx = s->ctx;
  double gn2, rel, rmse;
  s->iter = 0;
  s->have_prev = 0;
  s->t = 0.0;
  s->momentum = 1.0;
  s->nring = 0;
  s->hist.n = 0;
  s->stalls = 0;
  s->seconds = 0.0;
  s->escapes = 0;
  s->esc_n = 0;
  BN_CALL(ctx, obj->eval(obj->data, x, &s->f, g));
  BN_CALL(ctx, bn_vdot(s, g, g, &gn2));
  BN_CALL(ctx, bn_metrics(obj, x, &rel, &rmse));
  s->g0 = sqrt(gn2);
  BN_CALL(ctx, bn_agree(ctx, bn_history_reserve(s)));
  bn_history_push(s, 0, s->f, s->g0, 0.0, rel, rmse, 0.0);
  bn_early_start(s, x, rmse);
  if (s->params.monitor) bn_monitor_line(s, 0, s->f, s->g0, 0.0, rel, rmse, 0);
  s->reason = s->g0 == 0.0
                  ? BN_CONVERGED_GTOL
                  : bn_stop_test(s, s->f, NAN, s->g0, s->g0, -1, 0, rel, 0);
  return BN_OK;
}

bn_status_t bn_solver_solve(bn_solver_t *s, const bn_objective_t *obj,
                            double *x) {
  bn_ctx_t *ctx = s->ctx;
  BN_CALL(ctx, bn_agree(ctx, bn_solver_alloc(s, obj->n)));
  size_t n = obj->n ? obj->n : 1;
  double *g = s->w5 + n, *xprev = g + n;
  s->reason = BN_REASON_ITERATING;
  s->move_known = 0; /* the first step of every solve keeps a copy */

  int tm = bn_timer_id(ctx, "solve");
  bn_timer_start(ctx, tm);
  double f, step = 0.0, gn;
  if (s->resume) {
    /* Continue a restored run: the gradient at the saved iterate is
     * recomputed (the same numbers on the same processes); the history,
     * step and memory come from the checkpoint. */
    s->resume = 0;
    BN_CALL(ctx, obj->eval(obj->data, x, &f, g));
    gn = s->hist.n ? s->hist.grad_norm[s->hist.n - 1] : s->g0;
  } else {
    BN_CALL(ctx, bn_solver_begin(s, obj, x, g));
    f = s->f;
    gn = s->g0;
  }
  double g0 = s->g0, t0 = bn_wtime() - s->seconds;
  s->prog_frac = 0.0;
  /* Asked once a solve: a bar on a terminal (or when asked for). */
  s->prog_bar = s->params.progress_mode == BN_PROGRESS_BAR ||
                (s->params.progress_mode == BN_PROGRESS_AUTO &&
                 bn_ctx_rank(ctx) == 0 && isatty(2));
  s->prog_next =
      s->seconds +
      (s->params.progress_every > 0 ? s->params.progress_every : 10.0);
  s->cert_valid = 0;
  BN_CALL(ctx, bn_escape_check(s, obj, x, &f, g, &g0));

  while (s->reason == BN_REASON_ITERATING) {
    double fprev = f, sums[8] = {0, 0, 0, 0, 0, 0, 0, 0}, rel, rmse;
    s->iter++;
    int known = s->move_known; /* the method reports its move */
    if (!known) memcpy(xprev, x, obj->n * sizeof(double));
    BN_CALL(ctx, s->ops->step(s, obj, x, &f, g, &step));
    if (s->reason != BN_REASON_ITERATING) {
      s->iter--; /* the failed step did not move x */
      break;
    }
    if (known) {
      for (size_t i = 0; i < obj->n; i++) {
        sums[0] += g[i] * g[i];
        sums[2] += x[i] * x[i];
      }
      if (bn_ctx_rank(ctx) == 0) sums[1] = s->move2; /* already a sum */
    } else {
      for (size_t i = 0; i < obj->n; i++) {
        sums[0] += g[i] * g[i];
        sums[1] += (x[i] - xprev[i]) * (x[i] - xprev[i]);
        sums[2] += x[i] * x[i];
      }
    }
    /* The same allreduce agrees on the clock (rank 0's, so every rank takes
     * the same time-limit decision), on room for the history and on
     * pending signals (the same number on every process that caught one:
     * a signal that reached only some processes yet is still named). */
    bn_status_t room = bn_history_reserve(s);
    int sig = bn_signal_pending();
    sums[3] = bn_ctx_rank(ctx) == 0 ? bn_wtime() - t0 : 0.0;
    sums[4] = room == BN_OK ? 0.0 : 1.0;
    sums[5] = sig;               /* sum of the signal numbers caught */
    sums[6] = sig ? 1.0 : 0.0;   /* and how many processes caught one */
    sums[7] = (double)sig * sig; /* all the same number iff n s2 = s1^2 */
    BN_MPI(ctx, MPI_Allreduce(MPI_IN_PLACE, sums, 8, MPI_DOUBLE, MPI_SUM,
                              bn_ctx_comm(ctx)));
    if (sums[4] > 0) BN_CALL(ctx, bn_agree(ctx, room));
    gn = sqrt(sums[0]);
    double sec = sums[3];
    int64_t every = s->params.monitor_every > 0 ? s->params.monitor_every : 1;
    BN_CALL(ctx, bn_metrics(obj, x, &rel, &rmse));
    bn_history_push(s, s->iter, f, gn, step, rel, rmse, sec);
    s->reason = bn_stop_test(s, f, fprev, gn, g0, sqrt(sums[1]), sqrt(sums[2]),
                             rel, sec);
    bn_early_update(s, x, rmse);
    BN_CALL(ctx, bn_escape_check(s, obj, x, &f, g, &g0));
    s->f = f;
    s->seconds = sec;
    if (s->params.monitor &&
        (s->iter % every == 0 || s->reason != BN_REASON_ITERATING))
      bn_monitor_line(s, s->iter, f, gn, step, rel, rmse, sec);
    else
      bn_progress(s, s->iter, f, gn, g0, rel, rmse, sec, 0);
    if (s->reason == BN_REASON_ITERATING) {
      bn_solver_event_t ev = {s->iter, sec, 0};
      /* The signal's number when every process that caught one caught
       * the same (the usual case: one signal to all), else -1. */
      if (sums[6] > 0)
        ev.signal = sums[7] * sums[6] == sums[5] * sums[5]
                        ? (int)(sums[5] / sums[6])
                        : -1;
      bool stop = ev.signal != 0;
      if (s->hook) BN_CALL(ctx, s->hook(s->hook_data, s, x, &ev, &stop));
      if (stop) s->reason = BN_STOPPED_SIGNAL;
    }
  }
  bn_progress(s, s->iter, f, gn, g0, NAN, NAN, s->seconds, 1);
  /* A signal leaves the last iterate (the run continues from it). */
  if (s->reason != BN_STOPPED_SIGNAL) bn_early_finish(s, x);
  bn_timer_stop(ctx, tm);
  return BN_OK;
}
