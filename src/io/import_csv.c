/* CSV triples: `user,item,rating[,more...]`, as MovieLens' ratings.csv
 * (`userId,movieId,rating,timestamp`). Extra columns are ignored; blanks
 * around fields, CRLF line ends, blank lines and a UTF-8 byte order mark
 * are fine.
 *
 * A first line whose first field is not a number is the header (one that
 * is a number but not an integer id is data, reported as bad). Ids are
 * arbitrary 64-bit integers; they are renumbered 0, 1, ... in sorted id
 * order, and the original id of each index is kept for /map. */
#include <stdlib.h>
#include <string.h>

#include "io/import_internal.h"

/* One data line; bad lines are counted in d, not fatal. */
static bn_status_t parse_line(bn_ctx_t *ctx, bn_imp_data_t *d, char *line,
                              int64_t lineno) {
  char *f[3];
  int64_t user, item;
  double v;
  int n = bn_imp_split(line, ',', f, 3);
  if (n < 3) {
    bn_imp_bad(d, lineno, "expected 'user,item,rating', found %d field%s", n,
               n == 1 ? "" : "s");
    return BN_OK;
  }
  if (bn_imp_int(f[0], &user)) {
    bn_imp_bad(d, lineno, "user id '%.20s' is not an integer", f[0]);
    return BN_OK;
  }
  if (bn_imp_int(f[1], &item)) {
    bn_imp_bad(d, lineno, "item id '%.20s' is not an integer", f[1]);
    return BN_OK;
  }
  int r = bn_imp_real(f[2], &v);
  if (r != 0) {
    bn_imp_bad(d, lineno, "rating '%.20s' is %s", f[2],
               r > 0 ? "not finite" : "not a number");
    return BN_OK;
  }
  return bn_imp_push(ctx, d, user, item, v, lineno);
}

static int cmp_i64(const void *pa, const void *pb) {
  int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;
  return a < b ? -1 : a > b;
}

/* Replace the ids in one column of the entries (col = 0: rows) by their
 * rank among the distinct ids; *ids receives the sorted distinct ids. */
static bn_status_t renumber(bn_ctx_t *ctx, bn_imp_data_t *d, int col,
                            int64_t **ids, bn_idx_t *count) {
  int64_t *u = NULL;
  size_t m = 0;
  bn_status_t st = bn_mallocn(ctx, d->n, sizeof *u, &u);
  if (st != BN_OK) return st;
  for (size_t k = 0; k < d->n; k++) u[k] = col ? d->e[k].col : d->e[k].row;
  qsort(u, d->n, sizeof *u, cmp_i64);
  for (size_t k = 0; k < d->n; k++)
    if (m == 0 || u[k] != u[m - 1]) u[m++] = u[k];
  for (size_t k = 0; k < d->n; k++) {
    int64_t *id = col ? &d->e[k].col : &d->e[k].row;
    const int64_t *at = bsearch(id, u, m, sizeof *u, cmp_i64);
    *id = at - u;
  }
  *ids = u; /* m <= n elements used; the tail is never written out */
  *count = (bn_idx_t)m;
  return BN_OK;
}

bn_status_t bn_imp_csv(bn_ctx_t *ctx, bn_imp_data_t *d) {
  FILE *fp = NULL;
  char *buf = NULL;
  size_t cap = 0;
  int64_t lineno = 0, seen = 0, dummy;
  bn_status_t st;
  BN_TRY(ctx, st, bn_imp_open(ctx, d->path, &fp));
  while (getline(&buf, &cap, fp) != -1) {
    char *line = bn_imp_trim(lineno == 0 ? bn_imp_skip_bom(buf) : buf);
    lineno++;
    if (*line == '\0') continue;
    if (seen++ == 0) {
      /* The header test looks only at the first field, so a first line
       * that is data with a bad rating is still reported, not skipped.
       * The whole field, copied: cut short, a long quoted id lost its
       * closing quote and its line was dropped as a header. */
      size_t len = strcspn(line, ",");
      char *first = NULL, *fields[1];
      BN_TRY(ctx, st, bn_malloc(ctx, len + 1, &first));
      memcpy(first, line, len);
      first[len] = '\0';
      bn_imp_split(first, ',', fields, 1); /* trims and unquotes */
      /* A header's first field is not a number at all: one that is a
       * number but not a plain integer id ("1.0", 20 digits) is data, and
       * parse_line reports it as it would anywhere else. */
      double num;
      int header = bn_imp_int(fields[0], &dummy) != 0 &&
                   bn_imp_real(fields[0], &num) < 0 && *fields[0] != '\0';
      free(first);
      if (header) continue;
    }
    BN_TRY(ctx, st, parse_line(ctx, d, line, lineno));
  }
  d->lines = lineno;
  if (ferror(fp)) {
    st = BN_ERROR(ctx, BN_ERR_IO, "%s: read error after line %lld", d->path,
                  (long long)lineno);
    goto cleanup;
  }
  BN_TRY(ctx, st, bn_imp_bad_status(ctx, d, "bad lines", ""));
  if (d->n == 0)
    BN_TRY(ctx, st,
           BN_ERROR(ctx, BN_ERR_DATA,
                    "%s: no ratings found "
                    "(%lld lines)",
                    d->path, (long long)lineno));
  BN_TRY(ctx, st, renumber(ctx, d, 0, &d->row_ids, &d->rows));
  BN_TRY(ctx, st, renumber(ctx, d, 1, &d->col_ids, &d->cols));
cleanup:
  free(buf);
  if (fp) fclose(fp);
  return st;
}
