/* Text output files written atomically by rank 0 (benign/textout.h). */
#include "benign/textout.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "benign/error.h"
#include "benign/paths.h"

struct bn_text {
  bn_ctx_t *ctx;
  char *path, *tmp;
  FILE *fp;
  bool committed;
};

/* Rank 0: the checks and the temporary. */
static bn_status_t bn_text_open(bn_text_t *t, double bytes) {
  bn_ctx_t *ctx = t->ctx;
  struct stat s;
  if (lstat(t->path, &s) == 0 && !S_ISREG(s.st_mode) && !S_ISLNK(s.st_mode))
    return BN_ERROR(ctx, BN_ERR_IO,
                    "cannot write '%s': it exists and is not a regular file",
                    t->path);
  char dir[4096];
  struct statvfs sv;
  bn_path_dir(t->path, dir, sizeof dir);
  double need = 1.01 * bytes + 65536.0;
  if (!bn_fault_on("no-space-check") && statvfs(dir, &sv) == 0 &&
      (double)sv.f_bavail * (double)sv.f_frsize < need)
    return BN_ERROR(ctx, BN_ERR_IO,
                    "not enough space to write '%s': about %.3g MB needed, "
                    "%.3g MB free on its file system",
                    t->path, need / 1e6,
                    (double)sv.f_bavail * (double)sv.f_frsize / 1e6);
  size_t len = strlen(t->path) + 64;
  BN_CALL(ctx, bn_malloc(ctx, len, &t->tmp));
  if (bn_tmp_name(t->path, (unsigned long)(size_t)t->tmp, t->tmp, len) != 0)
    return BN_ERROR(ctx, BN_ERR_ARG, "cannot write '%s': the path is too long",
                    t->path);
  t->fp = fopen(t->tmp, "w");
  if (!t->fp)
    return BN_ERROR(ctx, BN_ERR_IO, "cannot create a file beside '%s'",
                    t->path);
  return BN_OK;
}

bn_status_t bn_text_create(bn_ctx_t *ctx, const char *path, double bytes,
                           bn_text_t **out) {
  bn_text_t *t = NULL;
  *out = NULL;
  BN_CALL(ctx, bn_agree(ctx, bn_calloc(ctx, 1, sizeof(*t), &t)));
  t->ctx = ctx;
  bn_status_t st = bn_malloc(ctx, strlen(path) + 1, &t->path);
  if (st == BN_OK) strcpy(t->path, path);
  if (st == BN_OK && bn_ctx_rank(ctx) == 0) st = bn_text_open(t, bytes);
  st = bn_agree(ctx, st);
  if (st != BN_OK) {
    bn_text_close(t);
    return st;
  }
  *out = t;
  return BN_OK;
}

FILE *bn_text_stream(bn_text_t *t) { return t ? t->fp : NULL; }

/* Rank 0: close, check the size, sync, rename. */
static bn_status_t bn_text_finish(bn_text_t *t) {
  bn_ctx_t *ctx = t->ctx;
  int bad = fflush(t->fp) != 0 || ferror(t->fp);
  long written = ftell(t->fp);
  bad |= fclose(t->fp) != 0;
  t->fp = NULL;
  struct stat s;
  if (bad || written < 0 || stat(t->tmp, &s) != 0 || s.st_size != written)
    return BN_ERROR(ctx, BN_ERR_IO,
                    "writing failed: %s could not be written whole (a full "
                    "disk?); the previous file, if any, is untouched",
                    t->path);
  int fd = open(t->tmp, O_RDONLY);
  int rc = fd < 0 ? -1 : fsync(fd);
  if (fd >= 0) close(fd);
  if (rc != 0)
    return BN_ERROR(ctx, BN_ERR_IO, "cannot flush %s to disk", t->path);
  if (rename(t->tmp, t->path) != 0)
    return BN_ERROR(ctx, BN_ERR_IO, "cannot rename %s to %s", t->tmp, t->path);
  t->committed = true;
  return BN_OK;
}

bn_status_t bn_text_commit(bn_text_t *t) {
  bn_status_t st = BN_OK;
  if (bn_ctx_rank(t->ctx) == 0) st = bn_text_finish(t);
  return bn_agree(t->ctx, st);
}

void bn_text_close(bn_text_t *t) {
  if (!t) return;
  if (t->fp) fclose(t->fp);
  if (t->tmp && !t->committed) remove(t->tmp);
  free(t->tmp);
  free(t->path);
  free(t);
}
