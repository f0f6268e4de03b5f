/* The files of one run, checked together before any work starts.
 *
 * Rank 0 looks at the file system and the verdict is agreed. An input must
 * be a regular file (a FIFO would block its reader forever); an output must
 * be absent or a regular file (a device or FIFO would be replaced by a
 * regular file when the temporary is renamed over it), its name short
 * enough for its temporary beside it, and its directory must accept new
 * files. No output may be an input or another output: paths are compared
 * after resolving '.', '..' and symbolic links (the canonical directory
 * and name), and existing files also by device and inode (hard links). */
/* realpath is XSI, beyond the POSIX level the project builds at. */
#define _XOPEN_SOURCE 700

#include "benign/paths.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "benign/ctx.h"
#include "benign/error.h"

/* Room kept in a path for the suffix of its temporary (bn_tmp_name). */
#define BN_TMP_SUFFIX 32

typedef struct bn_path_ent {
  char *path, *what;
  int output, group; /* entries of one group (> 0) may be the same file */
  int dir_ok;        /* an input that may be a directory (of images) */
  char canon[PATH_MAX + NAME_MAX + 2]; /* rank 0 */
  int exists;
  dev_t dev;
  ino_t ino;
} bn_path_ent_t;

struct bn_paths {
  bn_ctx_t *ctx;
  bn_path_ent_t *e;
  int n, cap, lost;
};

bn_status_t bn_paths_create(bn_ctx_t *ctx, bn_paths_t **out) {
  BN_CALL(ctx, bn_calloc(ctx, 1, sizeof(**out), out));
  (*out)->ctx = ctx;
  return BN_OK;
}

void bn_paths_destroy(bn_paths_t *p) {
  if (!p) return;
  for (int k = 0; k < p->n; k++) {
    free(p->e[k].path);
    free(p->e[k].what);
  }
  free(p->e);
  free(p);
}

static void bn_paths_add(bn_paths_t *p, const char *path, const char *what,
                         int output) {
  if (!path || !*path) return;
  if (p->n == p->cap) {
    int cap = p->cap ? 2 * p->cap : 8;
    bn_path_ent_t *e = bn_realloc_n(p->e, (size_t)cap, sizeof(*e));
    if (!e) {
      p->lost = 1;
      return;
    }
    p->e = e;
    p->cap = cap;
  }
  bn_path_ent_t *e = &p->e[p->n];
  memset(e, 0, sizeof(*e));
  e->path = strdup(path);
  e->what = strdup(what);
  e->output = output;
  if (!e->path || !e->what) {
    free(e->path);
    free(e->what);
    p->lost = 1;
    return;
  }
  p->n++;
}

void bn_paths_input(bn_paths_t *p, const char *path, const char *what) {
  bn_paths_add(p, path, what, 0);
}

void bn_paths_input_dir(bn_paths_t *p, const char *path, const char *what) {
  int n = p->n;
  bn_paths_add(p, path, what, 0);
  if (p->n > n) p->e[n].dir_ok = 1;
}

void bn_paths_output(bn_paths_t *p, const char *path, const char *what) {
  bn_paths_add(p, path, what, 1);
}

int bn_paths_count(const bn_paths_t *p) { return p->n; }

void bn_paths_same_ok(bn_paths_t *p, int first) {
  for (int k = first; k < p->n; k++) p->e[k].group = first + 1;
}

/* The directory of path ("." if none) and its last component. */
static void bn_path_split(const char *path, char *dir, size_t dlen,
                          const char **base) {
  const char *slash = strrchr(path, '/');
  *base = slash ? slash + 1 : path;
  if (!slash)
    snprintf(dir, dlen, ".");
  else if (slash == path)
    snprintf(dir, dlen, "/");
  else
    snprintf(dir, dlen, "%.*s", (int)(slash - path), path);
}

/* Rank 0: resolve and check one path. */
static bn_status_t bn_path_look(bn_ctx_t *ctx, bn_path_ent_t *e) {
  struct stat s;
  char dir[PATH_MAX + 1], rdir[PATH_MAX + 1];
  const char *base;
  if (strlen(e->path) >= PATH_MAX - BN_TMP_SUFFIX)
    return BN_ERROR(ctx, BN_ERR_ARG, "%s '%.60s...': the path is too long",
                    e->what, e->path);
  e->exists = stat(e->path, &s) == 0;
  if (!e->output) {
    if (!e->exists)
      return BN_ERROR(ctx, BN_ERR_IO, "cannot open '%s' (%s): %s", e->path,
                      e->what, strerror(errno));
    if (!S_ISREG(s.st_mode) && !(e->dir_ok && S_ISDIR(s.st_mode)))
      return BN_ERROR(ctx, BN_ERR_IO,
                      "%s '%s' is not a regular file (a directory, FIFO or "
                      "device cannot be read as one)",
                      e->what, e->path);
  } else if (e->exists && !S_ISREG(s.st_mode)) {
    return BN_ERROR(ctx, BN_ERR_IO,
                    "%s '%s' exists and is not a regular file (a %s): "
                    "name a new or a regular file",
                    e->what, e->path,
                    S_ISDIR(s.st_mode)    ? "directory"
                    : S_ISFIFO(s.st_mode) ? "FIFO"
                    : S_ISCHR(s.st_mode) || S_ISBLK(s.st_mode)
                        ? "device"
                        : "special file");
  }
  if (e->exists) {
    e->dev = s.st_dev;
    e->ino = s.st_ino;
  }
  bn_path_split(e->path, dir, sizeof dir, &base);
  if (!*base || !strcmp(base, ".") || !strcmp(base, ".."))
    return BN_ERROR(ctx, BN_ERR_ARG, "%s '%s' names a directory, not a file",
                    e->what, e->path);
  if (e->output && strlen(base) > NAME_MAX)
    return BN_ERROR(ctx, BN_ERR_ARG,
                    "%s '%s': the name is longer than the file system allows "
                    "(%d bytes)",
                    e->what, e->path, NAME_MAX);
  if (!realpath(dir, rdir) || (e->output && access(rdir, W_OK | X_OK) != 0))
    return BN_ERROR(ctx, BN_ERR_IO, "cannot %s '%s' (%s): directory '%s': %s",
                    e->output ? "create" : "open", e->path, e->what, dir,
                    strerror(errno));
  /* An existing file: its own canonical path (a symlink to elsewhere). */
  char full[PATH_MAX + 1];
  if (e->exists && realpath(e->path, full))
    snprintf(e->canon, sizeof e->canon, "%s", full);
  else
    snprintf(e->canon, sizeof e->canon, "%s/%s", strcmp(rdir, "/") ? rdir : "",
             base);
  return BN_OK;
}

static int bn_same(const bn_path_ent_t *a, const bn_path_ent_t *b) {
  if (!strcmp(a->canon, b->canon)) return 1;
  return a->exists && b->exists && a->dev == b->dev && a->ino == b->ino;
}

bn_status_t bn_paths_check(bn_paths_t *p) {
  bn_ctx_t *ctx = p->ctx;
  bn_status_t st = p->lost ? BN_ERROR(ctx, BN_ERR_MEM, "out of memory") : BN_OK;
  if (bn_ctx_rank(ctx) == 0)
    for (int k = 0; k < p->n && st == BN_OK; k++)
      st = bn_path_look(ctx, &p->e[k]);
  for (int a = 0; bn_ctx_rank(ctx) == 0 && st == BN_OK && a < p->n; a++)
    for (int b = 0; st == BN_OK && b < a; b++) {
      bn_path_ent_t *x = &p->e[a], *y = &p->e[b];
      if (!(x->output || y->output) || !bn_same(x, y)) continue;
      if (x->group && x->group == y->group) continue;
      bn_path_ent_t *out = x->output ? x : y, *other = out == x ? y : x;
      st = BN_ERROR(ctx, BN_ERR_ARG,
                    "%s '%s' and %s '%s' are the same file: it would be %s",
                    other->what, other->path, out->what, out->path,
                    other->output ? "written twice" : "overwritten");
    }
  return bn_agree(ctx, st);
}

int bn_tmp_name(const char *path, unsigned long salt, char *out, size_t len) {
  char dir[PATH_MAX + 1];
  const char *base;
  long pid = (long)getpid();
  salt &= 0xffffffUL;
  bn_path_split(path, dir, sizeof dir, &base);
  int n;
  if (strlen(base) + BN_TMP_SUFFIX <= NAME_MAX) {
    n = snprintf(out, len, "%s.tmp.%ld.%lx", path, pid, salt);
  } else {
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (const char *c = base; *c; c++) {
      h ^= (unsigned char)*c;
      h *= UINT64_C(0x100000001b3);
    }
    n = snprintf(out, len, "%s/.bn-%016llx.tmp.%ld.%lx", dir,
                 (unsigned long long)h, pid, salt);
  }
  return n < 0 || (size_t)n >= len ? -1 : 0;
}

bn_status_t bn_path_readable(bn_ctx_t *ctx, const char *path) {
  struct stat s;
  if (access(path, R_OK) != 0 || stat(path, &s) != 0)
    return BN_ERROR(ctx, BN_ERR_IO, "cannot open '%s': %s", path,
                    strerror(errno));
  if (!S_ISREG(s.st_mode))
    return BN_ERROR(ctx, BN_ERR_IO,
                    "'%s' is not a regular file (a directory, FIFO or device "
                    "cannot be read as one)",
                    path);
  return BN_OK;
}

void bn_path_dir(const char *path, char *dir, size_t len) {
  const char *base;
  bn_path_split(path, dir, len, &base);
}

bool bn_path_is_h5(const char *path) {
  size_t n = strlen(path);
  return (n > 3 && !strcmp(path + n - 3, ".h5")) ||
         (n > 5 && !strcmp(path + n - 5, ".hdf5"));
}
