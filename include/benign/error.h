/* benign -- error handling.
 *
 * Every fallible function returns bn_status_t. The first failure records a
 * message, file and line in the context; callers add their location to a
 * short trace as the status travels up (BN_CALL).
 *
 * Errors are agreed collectively before collective calls with bn_agree():
 * if any rank failed, every rank returns the same status and holds the
 * message of the lowest failing rank, so rank 0 can print it once and every
 * rank can exit non-zero -- never a hang. */
#ifndef BENIGN_ERROR_H
#define BENIGN_ERROR_H

#include <stddef.h>
#include <stdint.h>

#include "benign/types.h"

/* Record an error (first one wins until cleared); returns code. */
bn_status_t bn_error_set(bn_ctx_t *ctx, bn_status_t code, const char *file,
                         int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Append a location to the trace; returns code. */
bn_status_t bn_error_trace(bn_ctx_t *ctx, bn_status_t code, const char *file,
                           int line);

#define BN_ERROR(ctx, code, ...) \
  bn_error_set((ctx), (code), __FILE__, __LINE__, __VA_ARGS__)

/* For a failure that every rank reaches identically (a check of options or
 * of replicated or collectively read metadata): recorded as already agreed,
 * with no communication. Use BN_ERROR + bn_agree for anything else. */
bn_status_t bn_error_set_all(bn_ctx_t *ctx, bn_status_t code, const char *file,
                             int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
#define BN_ERROR_ALL(ctx, code, ...) \
  bn_error_set_all((ctx), (code), __FILE__, __LINE__, __VA_ARGS__)

/* Evaluate expr; on failure add this location and return its status. */
#define BN_CALL(ctx, expr)                                               \
  do {                                                                   \
    bn_status_t bn_call_status_ = (expr);                                \
    if (bn_call_status_ != BN_OK)                                        \
      return bn_error_trace((ctx), bn_call_status_, __FILE__, __LINE__); \
  } while (0)

/* Evaluate expr into st; on failure add this location and jump to the
 * function's `cleanup` label (for functions that must free on error). */
#define BN_TRY(ctx, st, expr)                          \
  do {                                                 \
    (st) = (expr);                                     \
    if ((st) != BN_OK) {                               \
      bn_error_trace((ctx), (st), __FILE__, __LINE__); \
      goto cleanup;                                    \
    }                                                  \
  } while (0)

/* Check an MPI return code. */
#define BN_MPI(ctx, expr)                                               \
  do {                                                                  \
    int bn_mpi_rc_ = (expr);                                            \
    if (bn_mpi_rc_ != MPI_SUCCESS)                                      \
      return BN_ERROR((ctx), BN_ERR_MPI, "MPI call failed: %s", #expr); \
  } while (0)

/* Collective: combine each rank's local status. Returns BN_OK only if every
 * rank passed BN_OK; otherwise every rank gets the lowest failing rank's
 * status and message, and the error is marked as agreed. */
bn_status_t bn_agree(bn_ctx_t *ctx, bn_status_t local);

/* Query and clear the recorded error (not collective). */
bn_status_t bn_error_code(const bn_ctx_t *ctx);
const char *bn_error_message(const bn_ctx_t *ctx);
const char *bn_error_where(const bn_ctx_t *ctx); /* "file:line <- ..." */
int bn_error_agreed(const bn_ctx_t *ctx);
void bn_error_clear(bn_ctx_t *ctx);
const char *bn_status_string(bn_status_t code);

/* Allocation helpers that record BN_ERR_MEM on failure (n may be 0). */
bn_status_t bn_malloc(bn_ctx_t *ctx, size_t bytes, void *out_ptr);
bn_status_t bn_calloc(bn_ctx_t *ctx, size_t n, size_t size, void *out_ptr);

/* Checked size arithmetic. Every allocation whose size is a product goes
 * through these (tests/check_sizes.sh enforces it): a product that wraps
 * would allocate a small block that later loops overrun.
 * bn_size_mul, bn_size_add: a * b and a + b, saturated at SIZE_MAX
 * (which no allocation gets), so sums of products stay checked. bn_mallocn: n
 * elements of `size` bytes, BN_ERR_MEM naming both when the product overflows
 * or the memory is not there. bn_alloc_n / bn_realloc_n: malloc / realloc of n
 * * size bytes, NULL on overflow (the block given to bn_realloc_n is then
 * kept). None is collective. */
static inline size_t bn_size_mul(size_t a, size_t b) {
  size_t r;
  return __builtin_mul_overflow(a, b, &r) ? SIZE_MAX : r;
}
static inline size_t bn_size_add(size_t a, size_t b) {
  size_t r;
  return __builtin_add_overflow(a, b, &r) ? SIZE_MAX : r;
}
bn_status_t bn_mallocn(bn_ctx_t *ctx, size_t n, size_t size, void *out_ptr);
void *bn_alloc_n(size_t n, size_t size);
void *bn_realloc_n(void *p, size_t n, size_t size);

/* Test-only fault injection. When the environment variable BN_FAULT is
 * "NAME" or "NAME:K", the K-th (default first) call of
 * bn_fault_point(ctx, "NAME") kills the calling process with SIGKILL, as a
 * node failure would. Without BN_FAULT it does nothing. Points: see
 * docs/reliability.md. */
void bn_fault_point(bn_ctx_t *ctx, const char *name);
/* Test-only: is BN_FAULT exactly NAME? (A switch rather than a kill, e.g.
 * "no-space-check" lets a write run into a full disk.) Not collective. */
int bn_fault_on(const char *name);

#endif
