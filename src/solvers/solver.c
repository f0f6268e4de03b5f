/* Solver objects: registry by name, parameters, queries. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benign/ctx.h"
#include "benign/error.h"
#include "solvers/solver_impl.h"

/* Adding a method is one line here plus its file. */
static const bn_solver_ops_t *const bn_solver_table[] = {
    &bn_solver_gd,   &bn_solver_agd, &bn_solver_als,
    &bn_solver_aals, &bn_solver_cg,  NULL};

const char *bn_solver_names(void) { return "gd|agd|als|aals|cg"; }

bool bn_solver_sweeps(const char *name) {
  for (int i = 0; name && bn_solver_table[i]; i++)
    if (!strcmp(bn_solver_table[i]->name, name))
      return bn_solver_table[i]->sweeps;
  return false;
}

void bn_solver_params_default(bn_solver_params_t *p) {
  p->tol = 1e-8;
  p->gatol = 0.0;
  p->rel_tol = 0.0;
  p->ftol = 0.0;
  p->fatol = 0.0;
  p->max_iter = 1000;
  p->time_limit = 0.0;
  p->monitor = false;
  p->monitor_every = 1;
  p->progress = true;
  p->progress_mode = BN_PROGRESS_AUTO;
  p->progress_every = 10.0;
  p->escape = false;
  p->escape_max = 20;
  p->escape_htol = 0.0;
  p->escape_radius = 1e-2;
  p->seed = 1;
  p->early_stop = 0;
}

const struct bn_cert *bn_solver_certificate(const bn_solver_t *s) {
  return s->cert_valid ? &s->cert : NULL;
}

int64_t bn_solver_escapes(const bn_solver_t *s) { return s->escapes; }

int bn_solver_escape_iterations(const bn_solver_t *s, int64_t *at, int max) {
  for (int k = 0; k < s->esc_n && k < max; k++) at[k] = s->esc_iter[k];
  return s->esc_n;
}

void bn_solver_set_escape_iterations(bn_solver_t *s, const int64_t *at, int n) {
  s->esc_n = 0;
  for (int k = 0; k < n && k < BN_ESC_RECORD; k++)
    s->esc_iter[s->esc_n++] = at[k];
}

int bn_escape_iterations_format(const int64_t *at, int n, char *buf,
                                size_t size) {
  size_t len = 0;
  if (size) buf[0] = 0;
  for (int k = 0; k < n && len + 1 < size; k++) {
    int w = snprintf(buf + len, size - len, "%s%lld", k ? "," : "",
                     (long long)at[k]);
    if (w < 0 || (size_t)w >= size - len) break; /* keep whole numbers */
    len += (size_t)w;
  }
  if (size) buf[len < size ? len : size - 1] = 0;
  return (int)len;
}

int bn_escape_iterations_parse(const char *text, int64_t *at, int max) {
  int n = 0;
  for (const char *p = text; p && *p && n < max;) {
    char *end = NULL;
    long long v = strtoll(p, &end, 10);
    if (end == p || v < 0) break;
    at[n++] = (int64_t)v;
    p = *end == ',' ? end + 1 : NULL;
  }
  return n;
}

bn_status_t bn_solver_create(bn_ctx_t *ctx, const char *name,
                             bn_solver_t **out) {
  *out = NULL;
  const bn_solver_ops_t *ops = NULL;
  for (int i = 0; bn_solver_table[i]; i++)
    if (!strcmp(bn_solver_table[i]->name, name)) ops = bn_solver_table[i];
  if (!ops)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "unknown solver '%s' (one of %s)",
                        name, bn_solver_names());
  bn_solver_t *s = NULL;
  BN_CALL(ctx, bn_calloc(ctx, 1, sizeof(*s), &s));
  s->ctx = ctx;
  s->ops = ops;
  bn_solver_params_default(&s->params);
  *out = s;
  return BN_OK;
}

/* Room for `want` history entries (not collective). */
bn_status_t bn_history_reserve_to(bn_solver_t *s, size_t want) {
  bn_history_t *h = &s->hist;
  if (want <= s->hist_cap) return BN_OK;
  size_t cap = s->hist_cap ? 2 * s->hist_cap : 256;
  while (cap < want) cap *= 2;
  double **cols[] = {&h->objective, &h->grad_norm, &h->step,
                     &h->rel_error, &h->test_rmse, &h->seconds};
  int64_t *ni = bn_realloc_n(h->iteration, cap, sizeof(int64_t));
  if (!ni) return BN_ERROR(s->ctx, BN_ERR_MEM, "out of memory (history)");
  h->iteration = ni;
  for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++) {
    double *p = bn_realloc_n(*cols[c], cap, sizeof(double));
    if (!p) return BN_ERROR(s->ctx, BN_ERR_MEM, "out of memory (history)");
    *cols[c] = p;
  }
  s->hist_cap = cap;
  return BN_OK;
}

bn_status_t bn_history_reserve(bn_solver_t *s) {
  return bn_history_reserve_to(s, s->hist.n + 1);
}

void bn_history_clear(bn_history_t *h) {
  free(h->iteration);
  free(h->objective);
  free(h->grad_norm);
  free(h->step);
  free(h->rel_error);
  free(h->test_rmse);
  free(h->seconds);
  memset(h, 0, sizeof(*h));
}

void bn_solver_destroy(bn_solver_t *s) {
  if (!s) return;
  bn_history_clear(&s->hist);
  free(s->w1);
  free(s);
}

void bn_solver_get_params(const bn_solver_t *s, bn_solver_params_t *p) {
  *p = s->params;
}

void bn_solver_set_params(bn_solver_t *s, const bn_solver_params_t *p) {
  s->params = *p;
}

void bn_solver_set_hook(bn_solver_t *s, bn_solver_hook_fn fn, void *data) {
  s->hook = fn;
  s->hook_data = data;
}

bn_reason_t bn_solver_reason(const bn_solver_t *s) { return s->reason; }
int64_t bn_solver_iterations(const bn_solver_t *s) { return s->iter; }
const bn_history_t *bn_solver_history(const bn_solver_t *s) { return &s->hist; }
const char *bn_solver_name(const bn_solver_t *s) { return s->ops->name; }

const char *bn_reason_string(bn_reason_t r) {
  switch (r) {
    case BN_CONVERGED_GTOL:
      return "converged: gradient norm below tol (relative to the start)";
    case BN_CONVERGED_FTOL:
      return "converged: relative objective change below ftol";
    case BN_CONVERGED_FATOL:
      return "converged: objective below fatol";
    case BN_CONVERGED_GATOL:
      return "converged: gradient norm below gatol";
    case BN_CONVERGED_STEP:
      return "converged: steps no longer change the iterate (gradient at "
             "rounding level)";
    case BN_CONVERGED_REL_ERROR:
      return "converged: relative error to the ground truth below rel-tol";
    case BN_CONVERGED_EARLY_STOP:
      return "converged: held-out RMSE stopped improving (early stopping)";
    case BN_REASON_ITERATING:
      return "iterating";
    case BN_DIVERGED_MAX_ITER:
      return "stopped: iteration limit reached";
    case BN_DIVERGED_TIME_LIMIT:
      return "stopped: time limit reached";
    case BN_DIVERGED_LINE_SEARCH:
      return "stopped: line search found no decrease (at machine precision)";
    case BN_DIVERGED_NAN:
      return "stopped: objective is not a number";
    case BN_STOPPED_SIGNAL:
      return "stopped: interrupted by a signal (SIGTERM or SIGUSR1)";
  }
  return "unknown";
}

bn_status_t bn_vdot(bn_solver_t *s, const double *a, const double *b,
                    double *out) {
  double loc = 0.0;
  for (size_t i = 0; i < s->n; i++) loc += a[i] * b[i];
  BN_MPI(s->ctx,
         MPI_Allreduce(&loc, out, 1, MPI_DOUBLE, MPI_SUM, bn_ctx_comm(s->ctx)));
  return BN_OK;
}

bn_status_t bn_vdot2(bn_solver_t *s, const double *a, const double *b,
                     const double *c, const double *d, double *out) {
  double loc[2] = {0.0, 0.0};
  for (size_t i = 0; i < s->n; i++) {
    loc[0] += a[i] * b[i];
    loc[1] += c[i] * d[i];
  }
  BN_MPI(s->ctx,
         MPI_Allreduce(loc, out, 2, MPI_DOUBLE, MPI_SUM, bn_ctx_comm(s->ctx)));
  return BN_OK;
}
