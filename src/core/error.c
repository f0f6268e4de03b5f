/* Error recording, collective agreement and checked allocation. */
#include "benign/error.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx_impl.h"

static const char *bn_basename(const char *file) {
  const char *s = strrchr(file, '/');
  return s ? s + 1 : file;
}

static void bn_where_append(bn_ctx_t *ctx, const char *file, int line) {
  size_t used = strlen(ctx->err_where);
  if (used + 8 >= sizeof(ctx->err_where)) return;
  snprintf(ctx->err_where + used, sizeof(ctx->err_where) - used, "%s%s:%d",
           used ? " <- " : "", bn_basename(file), line);
}

bn_status_t bn_error_set(bn_ctx_t *ctx, bn_status_t code, const char *file,
                         int line, const char *fmt, ...) {
  if (ctx->err_code != BN_OK) return code; /* keep the first, root cause */
  ctx->err_code = code;
  ctx->err_agreed = 0;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(ctx->err_msg, sizeof(ctx->err_msg), fmt, ap);
  va_end(ap);
  ctx->err_where[0] = '\0';
  bn_where_append(ctx, file, line);
  return code;
}

bn_status_t bn_error_set_all(bn_ctx_t *ctx, bn_status_t code, const char *file,
                             int line, const char *fmt, ...) {
  if (ctx->err_code != BN_OK) return code;
  char msg[BN_MSG_LEN];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  bn_error_set(ctx, code, file, line, "%s", msg);
  ctx->err_agreed = 1;
  return code;
}

bn_status_t bn_error_trace(bn_ctx_t *ctx, bn_status_t code, const char *file,
                           int line) {
  if (ctx->err_code == BN_OK) {
    /* A status with no message: say at least where it came from. */
    ctx->err_code = code;
    snprintf(ctx->err_msg, sizeof(ctx->err_msg), "%s", bn_status_string(code));
    ctx->err_where[0] = '\0';
  }
  bn_where_append(ctx, file, line);
  return code;
}

bn_status_t bn_agree(bn_ctx_t *ctx, bn_status_t local) {
  /* The lowest failing rank speaks for everybody. */
  int mine = local != BN_OK ? ctx->rank : ctx->size, first = ctx->size;
  if (local != BN_OK && ctx->err_code == BN_OK)
    bn_error_trace(ctx, local, __FILE__, __LINE__);
  if (MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, ctx->comm) !=
      MPI_SUCCESS)
    return BN_ERR_MPI;
  if (first == ctx->size) return BN_OK;
  int code = (int)ctx->err_code;
  MPI_Bcast(&code, 1, MPI_INT, first, ctx->comm);
  MPI_Bcast(ctx->err_msg, BN_MSG_LEN, MPI_CHAR, first, ctx->comm);
  MPI_Bcast(ctx->err_where, BN_WHERE_LEN, MPI_CHAR, first, ctx->comm);
  ctx->err_code = (bn_status_t)code;
  ctx->err_agreed = 1;
  return ctx->err_code;
}

bn_status_t bn_error_code(const bn_ctx_t *ctx) { return ctx->err_code; }
const char *bn_error_message(const bn_ctx_t *ctx) { return ctx->err_msg; }
const char *bn_error_where(const bn_ctx_t *ctx) { return ctx->err_where; }
int bn_error_agreed(const bn_ctx_t *ctx) { return ctx->err_agreed; }

void bn_error_clear(bn_ctx_t *ctx) {
  ctx->err_code = BN_OK;
  ctx->err_agreed = 0;
  ctx->err_msg[0] = '\0';
  ctx->err_where[0] = '\0';
}

const char *bn_status_string(bn_status_t code) {
  switch (code) {
    case BN_OK:
      return "success";
    case BN_ERR_ARG:
      return "invalid argument";
    case BN_ERR_IO:
      return "input/output error";
    case BN_ERR_DATA:
      return "invalid input data";
    case BN_ERR_MEM:
      return "out of memory";
    case BN_ERR_MPI:
      return "MPI error";
    case BN_ERR_LIB:
      return "library error";
    case BN_ERR_STATE:
      return "invalid state";
    case BN_ERR_NUM:
      return "numerical breakdown";
    case BN_INTERRUPTED:
      return "interrupted by a signal";
  }
  return "unknown error";
}

bn_status_t bn_malloc(bn_ctx_t *ctx, size_t bytes, void *out_ptr) {
  void *p = bytes == SIZE_MAX ? NULL : malloc(bytes ? bytes : 1);
  *(void **)out_ptr = p;
  if (!p && bytes == SIZE_MAX)
    return BN_ERROR(ctx, BN_ERR_MEM,
                    "cannot allocate: a size product overflows");
  if (!p)
    return BN_ERROR(ctx, BN_ERR_MEM, "out of memory allocating %zu bytes",
                    bytes);
  return BN_OK;
}

bn_status_t bn_mallocn(bn_ctx_t *ctx, size_t n, size_t size, void *out_ptr) {
  size_t bytes = bn_size_mul(n, size);
  *(void **)out_ptr = NULL;
  if (bytes == SIZE_MAX)
    return BN_ERROR(ctx, BN_ERR_MEM,
                    "cannot allocate %zu elements of %zu bytes: the size "
                    "overflows",
                    n, size);
  return bn_malloc(ctx, bytes, out_ptr);
}

void *bn_alloc_n(size_t n, size_t size) {
  size_t bytes = bn_size_mul(n, size);
  return bytes == SIZE_MAX ? NULL : malloc(bytes ? bytes : 1);
}

void *bn_realloc_n(void *p, size_t n, size_t size) {
  size_t bytes = bn_size_mul(n, size);
  return bytes == SIZE_MAX ? NULL : realloc(p, bytes ? bytes : 1);
}

bn_status_t bn_calloc(bn_ctx_t *ctx, size_t n, size_t size, void *out_ptr) {
  void *p = calloc(n ? n : 1, size ? size : 1);
  *(void **)out_ptr = p;
  if (!p)
    return BN_ERROR(ctx, BN_ERR_MEM, "out of memory allocating %zu x %zu bytes",
                    n, size);
  return BN_OK;
}

int bn_fault_on(const char *name) {
  const char *spec = getenv("BN_FAULT");
  return spec && !strcmp(spec, name);
}

void bn_fault_point(bn_ctx_t *ctx, const char *name) {
  const char *spec = getenv("BN_FAULT");
  size_t n = strlen(name);
  if (!spec || strncmp(spec, name, n) || (spec[n] && spec[n] != ':')) return;
  long want = spec[n] == ':' ? strtol(spec + n + 1, NULL, 10) : 1;
  if (++ctx->fault_hits != (want > 0 ? want : 1)) return;
  fprintf(stderr, "benign: BN_FAULT: killing process %d at '%s'\n", ctx->rank,
          name);
  fflush(stderr);
  raise(SIGKILL);
}
