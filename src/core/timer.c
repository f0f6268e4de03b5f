/* Named timers kept in the context; summary with min/max over ranks. */
#include <stdlib.h>
#include <string.h>

#include "benign/error.h"
#include "core/ctx_impl.h"

int bn_timer_id(bn_ctx_t *ctx, const char *name) {
  for (int i = 0; i < ctx->ntimers; i++)
    if (strncmp(ctx->timers[i].name, name, BN_TIMER_NAME - 1) == 0) return i;
  if (ctx->ntimers == ctx->cap_timers) {
    int cap = ctx->cap_timers ? 2 * ctx->cap_timers : 16;
    bn_timer_t *t = bn_realloc_n(ctx->timers, (size_t)cap, sizeof(*t));
    if (!t) return -1; /* timers are best effort; -1 is ignored below */
    ctx->timers = t;
    ctx->cap_timers = cap;
  }
  bn_timer_t *t = &ctx->timers[ctx->ntimers];
  memset(t, 0, sizeof(*t));
  snprintf(t->name, sizeof(t->name), "%s", name);
  t->started = -1.0;
  return ctx->ntimers++;
}

void bn_timer_start(bn_ctx_t *ctx, int id) {
  if (id < 0 || id >= ctx->ntimers) return;
  ctx->timers[id].started = MPI_Wtime();
}

void bn_timer_stop(bn_ctx_t *ctx, int id) {
  if (id < 0 || id >= ctx->ntimers) return;
  bn_timer_t *t = &ctx->timers[id];
  if (t->started < 0) return;
  t->total += MPI_Wtime() - t->started;
  t->started = -1.0;
  t->count++;
}

double bn_timer_total(const bn_ctx_t *ctx, int id) {
  if (id < 0 || id >= ctx->ntimers) return 0.0;
  return ctx->timers[id].total;
}

bn_status_t bn_timer_summary(bn_ctx_t *ctx, FILE *stream) {
  int n = ctx->ntimers, nmin = 0, nmax = 0;
  BN_MPI(ctx, MPI_Allreduce(&n, &nmin, 1, MPI_INT, MPI_MIN, ctx->comm));
  BN_MPI(ctx, MPI_Allreduce(&n, &nmax, 1, MPI_INT, MPI_MAX, ctx->comm));
  if (nmin == 0) return BN_OK;
  double *loc = NULL, *mn = NULL, *mx = NULL, *sum = NULL;
  bn_status_t st =
      bn_mallocn(ctx, bn_size_mul(4, (size_t)nmin), sizeof(double), &loc);
  BN_CALL(ctx, bn_agree(ctx, st));
  mn = loc + nmin;
  mx = mn + nmin;
  sum = mx + nmin;
  for (int i = 0; i < nmin; i++) loc[i] = ctx->timers[i].total;
  MPI_Allreduce(loc, mn, nmin, MPI_DOUBLE, MPI_MIN, ctx->comm);
  MPI_Allreduce(loc, mx, nmin, MPI_DOUBLE, MPI_MAX, ctx->comm);
  MPI_Allreduce(loc, sum, nmin, MPI_DOUBLE, MPI_SUM, ctx->comm);
  if (ctx->rank == 0) {
    fprintf(stream, "timing (seconds over %d processes):\n", ctx->size);
    fprintf(stream, "  %-24s %10s %10s %10s %8s\n", "phase", "min", "max",
            "mean", "calls");
    for (int i = 0; i < nmin; i++)
      fprintf(stream, "  %-24s %10.4f %10.4f %10.4f %8ld\n",
              ctx->timers[i].name, mn[i], mx[i], sum[i] / ctx->size,
              ctx->timers[i].count);
    if (nmax != nmin)
      fprintf(stream, "  (%d timers exist on some ranks only)\n", nmax - nmin);
    fflush(stream);
  }
  free(loc);
  return BN_OK;
}
