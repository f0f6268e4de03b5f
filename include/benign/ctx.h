/* benign -- the context: communicator, logging, timers, error state.
 *
 * One context per run; every other object holds a pointer to it. There are
 * no globals: two contexts on two communicators are independent. */
#ifndef BENIGN_CTX_H
#define BENIGN_CTX_H

#include <stdarg.h>
#include <stdio.h>

#include "benign/types.h"

typedef enum bn_log_level {
  BN_LOG_QUIET = 0, /* errors only                       */
  BN_LOG_INFO = 1,  /* run header, summary (default)     */
  BN_LOG_DEBUG = 2  /* everything, on every rank         */
} bn_log_level_t;

/* Collective on comm. The context duplicates comm. */
bn_status_t bn_ctx_create(MPI_Comm comm, bn_ctx_t **out);
/* Collective. Safe on NULL. */
void bn_ctx_destroy(bn_ctx_t *ctx);

MPI_Comm bn_ctx_comm(const bn_ctx_t *ctx);
int bn_ctx_rank(const bn_ctx_t *ctx);
int bn_ctx_size(const bn_ctx_t *ctx);

/* Logging: rank 0 writes to the log stream (stdout by default). */
void bn_ctx_set_log_level(bn_ctx_t *ctx, bn_log_level_t level);
bn_log_level_t bn_ctx_log_level(const bn_ctx_t *ctx);
void bn_ctx_set_log_stream(bn_ctx_t *ctx, FILE *stream);
FILE *bn_ctx_log_stream(const bn_ctx_t *ctx);
/* Not collective; prints only on rank 0 when level <= the context's level. */
void bn_log(const bn_ctx_t *ctx, bn_log_level_t level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Not collective; prints on the calling rank, prefixed with its number, at
 * BN_LOG_DEBUG only. */
void bn_log_rank(const bn_ctx_t *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Local: the program's command in words ("complete", "generate dict"),
 * recorded in every HDF5 file written with this context as the root
 * attribute creator = "benign VERSION WORDS" (bn_h5_commit). NULL or ""
 * (the default, a library caller): creator is "benign VERSION" unless the
 * writer set one. Longer than 127 characters: cut. */
void bn_ctx_set_command(bn_ctx_t *ctx, const char *words);
const char *bn_ctx_command(const bn_ctx_t *ctx); /* "" when unset */

/* Timers: named accumulators kept in the context. Not collective. All ranks
 * must create timers in the same order for the summary to line up. */
int bn_timer_id(bn_ctx_t *ctx, const char *name);
void bn_timer_start(bn_ctx_t *ctx, int id);
void bn_timer_stop(bn_ctx_t *ctx, int id);
double bn_timer_total(const bn_ctx_t *ctx, int id);
/* Collective: prints (rank 0) each timer's min/max/mean over ranks. */
bn_status_t bn_timer_summary(bn_ctx_t *ctx, FILE *stream);

/* Wall-clock seconds (MPI_Wtime). */
double bn_wtime(void);

#endif
