/* MatrixMarket coordinate files: the banner, `%` comments, the size line
 * `M N NNZ`, then NNZ lines `i j v` with 1-based indices.
 *
 * Only what a ratings matrix can be is accepted: real or integer values,
 * general or symmetric. Pattern files carry no values, and complex or
 * dense (array) files are not ratings, so they are refused by name rather
 * than misread. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "io/import_internal.h"

typedef struct mtx_header {
  int symmetric;
  int64_t rows, cols, nnz;
  int64_t size_line;
} mtx_header_t;

/* The banner is the first line:
 *   %%MatrixMarket matrix coordinate real|integer general|symmetric */
static bn_status_t parse_banner(bn_ctx_t *ctx, const char *path, char *line,
                                mtx_header_t *h) {
  char *tok[6];
  int n = bn_imp_split(line, 0, tok, 6);
  if (n < 1 || strcasecmp(tok[0], "%%MatrixMarket") != 0)
    return BN_ERROR(ctx, BN_ERR_DATA,
                    "%s:1: not a MatrixMarket file (no %%%%MatrixMarket "
                    "banner)",
                    path);
  if (n != 5)
    return BN_ERROR(ctx, BN_ERR_DATA,
                    "%s:1: the banner must read '%%%%MatrixMarket matrix "
                    "coordinate <field> <symmetry>'",
                    path);
  if (strcasecmp(tok[1], "matrix") != 0)
    return BN_ERROR(ctx, BN_ERR_DATA,
                    "%s:1: MatrixMarket object '%s' is "
                    "not supported (only 'matrix')",
                    path, tok[1]);
  if (strcasecmp(tok[2], "coordinate") != 0)
    return BN_ERROR(ctx, BN_ERR_DATA,
                    "%s:1: MatrixMarket format '%s' is "
                    "not supported (only 'coordinate' entries)",
                    path, tok[2]);
  if (strcasecmp(tok[3], "real") != 0 && strcasecmp(tok[3], "integer") != 0)
    return BN_ERROR(ctx, BN_ERR_DATA,
                    "%s:1: MatrixMarket field '%s' is not "
                    "supported (only 'real' or 'integer' values)",
                    path, tok[3]);
  h->symmetric = strcasecmp(tok[4], "symmetric") == 0;
  if (!h->symmetric && strcasecmp(tok[4], "general") != 0)
    return BN_ERROR(ctx, BN_ERR_DATA,
                    "%s:1: MatrixMarket symmetry '%s' is "
                    "not supported (only 'general' or 'symmetric')",
                    path, tok[4]);
  return BN_OK;
}

static bn_status_t parse_size(bn_ctx_t *ctx, const char *path, char *line,
                              int64_t lineno, mtx_header_t *h) {
  char *tok[3];
  int n = bn_imp_split(line, 0, tok, 3);
  if (n != 3 || bn_imp_int(tok[0], &h->rows) || bn_imp_int(tok[1], &h->cols) ||
      bn_imp_int(tok[2], &h->nnz) || h->rows < 0 || h->cols < 0 || h->nnz < 0)
    return BN_ERROR(ctx, BN_ERR_DATA,
                    "%s:%lld: expected the size line "
                    "'rows cols entries'",
                    path, (long long)lineno);
  if (h->symmetric && h->rows != h->cols)
    return BN_ERROR(ctx, BN_ERR_DATA,
                    "%s:%lld: a symmetric matrix must be "
                    "square, not %lld x %lld",
                    path, (long long)lineno, (long long)h->rows,
                    (long long)h->cols);
  h->size_line = lineno;
  return BN_OK;
}

/* One `i j v` line; bad lines are counted in d, not fatal. */
static bn_status_t parse_entry(bn_ctx_t *ctx, bn_imp_data_t *d, char *line,
                               int64_t lineno, const mtx_header_t *h) {
  char *tok[3];
  int64_t i, j;
  double v;
  int n = bn_imp_split(line, 0, tok, 3);
  if (n != 3) {
    bn_imp_bad(d, lineno, "expected 'row col value', found %d field%s", n,
               n == 1 ? "" : "s");
    return BN_OK;
  }
  if (bn_imp_int(tok[0], &i) || bn_imp_int(tok[1], &j)) {
    bn_imp_bad(d, lineno, "indices '%.20s %.20s' are not integers", tok[0],
               tok[1]);
    return BN_OK;
  }
  int r = bn_imp_real(tok[2], &v);
  if (r != 0) {
    bn_imp_bad(d, lineno, "value '%.20s' is %s", tok[2],
               r > 0 ? "not finite" : "not a number");
    return BN_OK;
  }
  if (i < 1 || i > h->rows || j < 1 || j > h->cols) {
    bn_imp_bad(d, lineno,
               "entry (%lld, %lld) is outside the %lld x %lld "
               "matrix",
               (long long)i, (long long)j, (long long)h->rows,
               (long long)h->cols);
    return BN_OK;
  }
  bn_status_t st = bn_imp_push(ctx, d, i - 1, j - 1, v, lineno);
  /* Symmetric files store one triangle; the mirror image is implied. */
  if (st == BN_OK && h->symmetric && i != j)
    st = bn_imp_push(ctx, d, j - 1, i - 1, v, lineno);
  return st;
}

bn_status_t bn_imp_mtx(bn_ctx_t *ctx, bn_imp_data_t *d) {
  FILE *fp = NULL;
  char *buf = NULL;
  size_t cap = 0;
  mtx_header_t h = {0, 0, 0, 0, 0};
  int64_t lineno = 0, found = 0;
  bn_status_t st;
  BN_TRY(ctx, st, bn_imp_open(ctx, d->path, &fp));
  while (getline(&buf, &cap, fp) != -1) {
    char *line = bn_imp_trim(lineno == 0 ? bn_imp_skip_bom(buf) : buf);
    lineno++;
    if (lineno == 1) {
      BN_TRY(ctx, st, parse_banner(ctx, d->path, line, &h));
    } else if (*line == '\0' || *line == '%') {
      continue; /* comments, and blank lines, which some writers leave */
    } else if (h.size_line == 0) {
      BN_TRY(ctx, st, parse_size(ctx, d->path, line, lineno, &h));
    } else {
      found++;
      BN_TRY(ctx, st, parse_entry(ctx, d, line, lineno, &h));
    }
  }
  d->lines = lineno;
  if (ferror(fp)) {
    st = BN_ERROR(ctx, BN_ERR_IO, "%s: read error after line %lld", d->path,
                  (long long)lineno);
    goto cleanup;
  }
  if (lineno == 0)
    BN_TRY(ctx, st,
           BN_ERROR(ctx, BN_ERR_DATA, "%s: the file is empty", d->path));
  if (h.size_line == 0)
    BN_TRY(ctx, st,
           BN_ERROR(ctx, BN_ERR_DATA,
                    "%s: no size line "
                    "'rows cols entries'",
                    d->path));
  BN_TRY(ctx, st, bn_imp_bad_status(ctx, d, "bad lines", ""));
  if (found != h.nnz)
    BN_TRY(ctx, st,
           BN_ERROR(ctx, BN_ERR_DATA,
                    "%s:%lld: the size line "
                    "declares %lld entries but the file has "
                    "%lld",
                    d->path, (long long)h.size_line, (long long)h.nnz,
                    (long long)found));
  if (h.nnz == 0)
    BN_TRY(ctx, st,
           BN_ERROR(ctx, BN_ERR_DATA,
                    "%s:%lld: the size line declares no entries: there is "
                    "nothing to import",
                    d->path, (long long)h.size_line));
  d->rows = h.rows;
  d->cols = h.cols;
cleanup:
  free(buf);
  if (fp) fclose(fp);
  return st;
}
