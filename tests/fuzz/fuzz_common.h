/* Shared by the fuzz targets: MPI started once per process, one context on
 * MPI_COMM_SELF, and a private scratch directory whose files receive each
 * input (the parsers read files, as they do in a real run).
 *
 * A target calls bn_fuzz_setup() from LLVMFuzzerInitialize and
 * bn_fuzz_write() for every input. A broken invariant calls
 * bn_fuzz_fail(), which aborts, so libFuzzer (or the standalone runner
 * under ctest) reports the input. */
#ifndef BN_FUZZ_COMMON_H
#define BN_FUZZ_COMMON_H

#include <fcntl.h>
#include <mpi.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benign/ctx.h"
#include "benign/error.h"

static bn_ctx_t *bn_fuzz_ctx = NULL;
static char bn_fuzz_dir[256];
/* The scratch files: an input, a deck (the name must end in .ini) and an
 * HDF5 output. */
static char bn_fuzz_input[300], bn_fuzz_deck[300], bn_fuzz_out[300];

/* LeakSanitizer, when linked in (weak: absent in a plain build). Open MPI
 * keeps part of what MPI_Init and MPI_Finalize allocate until exit, in
 * plug-ins unloaded by then; allocations made between these calls are not
 * reported, so a leak report is about the code under test. */
void __lsan_disable(void) __attribute__((weak));
void __lsan_enable(void) __attribute__((weak));

static inline void bn_fuzz_fail(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
static inline void bn_fuzz_fail(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "fuzz: invariant broken: ");
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n");
  va_end(ap);
  abort();
}

/* At exit: the scratch files (any name a target used), then MPI. */
static inline void bn_fuzz_teardown(void) {
  unlink(bn_fuzz_input);
  unlink(bn_fuzz_deck);
  unlink(bn_fuzz_out);
  rmdir(bn_fuzz_dir);
  if (__lsan_disable) __lsan_disable();
  bn_ctx_destroy(bn_fuzz_ctx);
  bn_fuzz_ctx = NULL;
  int done = 0;
  MPI_Finalized(&done);
  if (!done) MPI_Finalize();
  if (__lsan_enable) __lsan_enable();
}

static inline void bn_fuzz_setup(void) {
  int started = 0;
  if (__lsan_disable) __lsan_disable();
  MPI_Initialized(&started);
  if (!started && MPI_Init(NULL, NULL) != MPI_SUCCESS)
    bn_fuzz_fail("MPI_Init failed");
  const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
  snprintf(bn_fuzz_dir, sizeof bn_fuzz_dir, "%s/bn_fuzz_XXXXXX", base);
  if (!mkdtemp(bn_fuzz_dir)) bn_fuzz_fail("mkdtemp in %s failed", base);
  snprintf(bn_fuzz_input, sizeof bn_fuzz_input, "%s/input", bn_fuzz_dir);
  snprintf(bn_fuzz_deck, sizeof bn_fuzz_deck, "%s/deck.ini", bn_fuzz_dir);
  snprintf(bn_fuzz_out, sizeof bn_fuzz_out, "%s/out.h5", bn_fuzz_dir);
  if (bn_ctx_create(MPI_COMM_SELF, &bn_fuzz_ctx) != BN_OK)
    bn_fuzz_fail("bn_ctx_create failed");
  if (__lsan_enable) __lsan_enable();
  bn_ctx_set_log_level(bn_fuzz_ctx, BN_LOG_QUIET);
  atexit(bn_fuzz_teardown);
}

/* Replace the scratch file `path` by the bytes; returns path. */
static inline char *bn_fuzz_write(char *path, const uint8_t *data,
                                  size_t size) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) bn_fuzz_fail("cannot write %s", path);
  for (size_t done = 0; done < size;) {
    ssize_t w = write(fd, data + done, size - done);
    if (w <= 0) bn_fuzz_fail("cannot write %s", path);
    done += (size_t)w;
  }
  close(fd);
  return path;
}

/* A failed call must leave a message; clear it for the next call. */
static inline void bn_fuzz_check_error(bn_status_t st, const char *what) {
  if (st == BN_OK) return;
  if (bn_error_code(bn_fuzz_ctx) != st)
    bn_fuzz_fail("%s returned %d but recorded %d", what, (int)st,
                 (int)bn_error_code(bn_fuzz_ctx));
  if (bn_error_message(bn_fuzz_ctx)[0] == '\0')
    bn_fuzz_fail("%s failed (%d) with no message", what, (int)st);
  bn_error_clear(bn_fuzz_ctx);
}

#endif
