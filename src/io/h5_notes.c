/* Self-describing files: before a created file is committed, every
 * dataset gets the attributes of its note (h5_notes_table.c) --
 * `description`, and `rows_are`/`cols_are` on a 2-D dataset -- and the
 * root gets `creator` = "benign VERSION COMMAND".
 *
 * Attribute writes are collective HDF5 metadata operations: every rank
 * lists the datasets from the same (collectively written) metadata in the
 * same order, and writes the same attributes in that order. A writer may
 * set its own description first; it is kept. */
#include <stdlib.h>
#include <string.h>

#include "io/h5_internal.h"
#include "io/h5_notes.h"

typedef struct names {
  char **at;
  int n, cap;
  int failed; /* an allocation failed (agreed later) */
} names_t;

static herr_t collect_cb(hid_t group, const char *name, const H5L_info_t *info,
                         void *data) {
  names_t *l = data;
  H5O_info_t oi;
  if (info->type != H5L_TYPE_HARD ||
      H5Oget_info_by_name(group, name, &oi, H5P_DEFAULT) < 0 ||
      oi.type != H5O_TYPE_DATASET)
    return 0;
  if (l->n == l->cap) {
    int cap = l->cap ? 2 * l->cap : 32;
    char **at = bn_realloc_n(l->at, (size_t)cap, sizeof *at);
    if (!at) {
      l->failed = 1;
      return -1;
    }
    l->at = at;
    l->cap = cap;
  }
  size_t len = strlen(name) + 2;
  if (!(l->at[l->n] = malloc(len))) {
    l->failed = 1;
    return -1;
  }
  snprintf(l->at[l->n++], len, "/%s", name);
  return 0;
}

static void names_free(names_t *l) {
  for (int k = 0; k < l->n; k++) free(l->at[k]);
  free(l->at);
}

/* "generate dict" from "benign 0.1.0 generate dict" (or "benign import"):
 * the words after "benign" and a version. */
static void scope_of_creator(const char *creator, char *scope, size_t size) {
  const char *p = creator;
  if (!strncmp(p, "benign ", 7)) p += 7;
  if (*p >= '0' && *p <= '9') p = strchr(p, ' ') ? strchr(p, ' ') + 1 : "";
  snprintf(scope, size, "%s", p);
}

/* Agreed: the command that wrote the file -- the context's, else the
 * creator a writer set, else the root attribute `problem` -- or "". */
static bn_status_t notes_scope(bn_h5_t *f, char *scope, size_t size) {
  const char *cmd = bn_ctx_command(f->ctx);
  static const char *const attrs[] = {"creator", "problem"};
  scope[0] = '\0';
  if (cmd[0]) {
    snprintf(scope, size, "%s", cmd);
    return BN_OK;
  }
  for (int k = 0; k < 2 && !scope[0]; k++) {
    int has = 0;
    char *v = NULL;
    BN_CALL(f->ctx, bn_h5_attr_exists(f, "/", attrs[k], &has));
    if (!has) continue;
    BN_CALL(f->ctx, bn_h5_attr_get_str(f, "/", attrs[k], &v));
    if (k == 0)
      scope_of_creator(v, scope, size);
    else
      snprintf(scope, size, "%s", v);
    free(v);
  }
  return BN_OK;
}

/* Agreed: write attribute NAME of dataset PATH unless it is there. */
static bn_status_t note_attr(bn_h5_t *f, const char *path, const char *name,
                             const char *value) {
  int has = 0;
  BN_CALL(f->ctx, bn_h5_attr_exists(f, path, name, &has));
  return has ? BN_OK : bn_h5_attr_set_str(f, path, name, value);
}

/* Agreed: one dataset's attributes; a dataset without a note is named in
 * the debug log (tests/cli_describe.sh fails on it). */
static bn_status_t note_one(bn_h5_t *f, const char *scope, const char *path) {
  const char *role = NULL;
  const bn_h5_note_t *n = bn_h5_note_find(scope, path, &role);
  if (!n) {
    bn_log(f->ctx, BN_LOG_DEBUG, "%s: no description for %s (scope '%s')\n",
           f->path, path, scope);
    return BN_OK;
  }
  char text[1024];
  snprintf(text, sizeof text, "%s%s%s", role ? role : "", role ? " " : "",
           n->text);
  BN_CALL(f->ctx, note_attr(f, path, "description", text));
  int nd = 0;
  bn_idx_t dims[4];
  BN_CALL(f->ctx, bn_h5_shape(f, path, &nd, dims));
  if (nd != 2 || !n->rows || !n->cols) return BN_OK;
  BN_CALL(f->ctx, note_attr(f, path, "rows_are", n->rows));
  return note_attr(f, path, "cols_are", n->cols);
}

bn_status_t bn_h5_notes_apply(bn_h5_t *f) {
  bn_ctx_t *ctx = f->ctx;
  char scope[160], creator[256];
  names_t l = {NULL, 0, 0, 0};
  BN_CALL(ctx, notes_scope(f, scope, sizeof scope));
  herr_t rc = H5Lvisit(f->file, H5_INDEX_NAME, H5_ITER_INC, collect_cb, &l);
  bn_status_t st =
      rc < 0 ? BN_ERROR(ctx, l.failed ? BN_ERR_MEM : BN_ERR_IO,
                        "%s: cannot list the datasets to describe", f->path)
             : BN_OK;
  st = bn_agree(ctx, st);
  for (int k = 0; k < l.n && st == BN_OK; k++) st = note_one(f, scope, l.at[k]);
  names_free(&l);
  if (st != BN_OK) return st;
  /* The context's command names the writer; a library caller's file
   * keeps the creator its writer set, else gets the version alone. */
  int has = 0;
  const char *cmd = bn_ctx_command(ctx);
  snprintf(creator, sizeof creator, "benign %s%s%s", BN_VERSION_STRING,
           cmd[0] ? " " : "", cmd);
  if (!cmd[0]) BN_CALL(ctx, bn_h5_attr_exists(f, "/", "creator", &has));
  return has ? BN_OK : bn_h5_attr_set_str(f, "/", "creator", creator);
}
