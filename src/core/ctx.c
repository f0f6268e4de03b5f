/* The context: communicator, rank/size, logging. */
#include <stdlib.h>

#include "benign/error.h"
#include "core/ctx_impl.h"

bn_status_t bn_ctx_create(MPI_Comm comm, bn_ctx_t **out) {
  *out = NULL;
  bn_ctx_t *ctx = calloc(1, sizeof(*ctx));
  /* Agree on the allocation before the collective duplicate. */
  int ok = ctx != NULL, all_ok = 0;
  if (MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_MIN, comm) != MPI_SUCCESS ||
      !all_ok) {
    free(ctx);
    return BN_ERR_MEM;
  }
  if (MPI_Comm_dup(comm, &ctx->comm) != MPI_SUCCESS) {
    free(ctx);
    return BN_ERR_MPI;
  }
  MPI_Comm_rank(ctx->comm, &ctx->rank);
  MPI_Comm_size(ctx->comm, &ctx->size);
  ctx->level = BN_LOG_INFO;
  ctx->log = stdout;
  *out = ctx;
  return BN_OK;
}

void bn_ctx_destroy(bn_ctx_t *ctx) {
  if (!ctx) return;
  MPI_Comm_free(&ctx->comm);
  free(ctx->timers);
  free(ctx);
}

MPI_Comm bn_ctx_comm(const bn_ctx_t *ctx) { return ctx->comm; }
int bn_ctx_rank(const bn_ctx_t *ctx) { return ctx->rank; }
int bn_ctx_size(const bn_ctx_t *ctx) { return ctx->size; }

void bn_ctx_set_log_level(bn_ctx_t *ctx, bn_log_level_t level) {
  ctx->level = level;
}
bn_log_level_t bn_ctx_log_level(const bn_ctx_t *ctx) { return ctx->level; }
void bn_ctx_set_log_stream(bn_ctx_t *ctx, FILE *stream) { ctx->log = stream; }
FILE *bn_ctx_log_stream(const bn_ctx_t *ctx) { return ctx->log; }

void bn_ctx_set_command(bn_ctx_t *ctx, const char *words) {
  snprintf(ctx->command, sizeof ctx->command, "%s", words ? words : "");
}
const char *bn_ctx_command(const bn_ctx_t *ctx) { return ctx->command; }

void bn_log(const bn_ctx_t *ctx, bn_log_level_t level, const char *fmt, ...) {
  if (ctx->rank != 0 || level > ctx->level) return;
  va_list ap;
  va_start(ap, fmt);
  vfprintf(ctx->log, fmt, ap);
  va_end(ap);
  fflush(ctx->log);
}

void bn_log_rank(const bn_ctx_t *ctx, const char *fmt, ...) {
  if (ctx->level < BN_LOG_DEBUG) return;
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "[%d] ", ctx->rank);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
}

double bn_wtime(void) { return MPI_Wtime(); }
