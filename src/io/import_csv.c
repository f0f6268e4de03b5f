/* Text ratings: `user item rating [more...]` lines, as MovieLens'
 * ratings.csv (`userId,movieId,rating,timestamp`), u.data (tab-separated,
 * no header) and ratings.dat (`::`). The delimiter is the first data
 * line's (`::`, tab, ',', ';', else blanks) unless --delimiter names one.
 * Extra columns are ignored; blanks around fields, CRLF line ends, blank
 * lines and a UTF-8 byte order mark are fine.
 *
 * A first line whose first field is not a number is the header (one that
 * is a number but not an integer id is data, reported as bad); --header
 * forces either reading. A header names the columns: the first whose name
 * holds "user" is the user, the first holding "item", "movie", "product",
 * "track", "song" or "artist" the item, and the first holding "rating",
 * "score", "value", "count" or "play" the value (a Netflix-style
 * `movie,user,rating,date` imports as it should); without a header, or
 * for a name it does not find, the columns are user, item, value. Ids are
 * arbitrary 64-bit integers; they are renumbered 0, 1, ... in sorted id
 * order, and the original id of each index is kept for /map. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/import_internal.h"

/* One data line; bad lines are counted in d, not fatal. */
bn_status_t bn_imp_csv_line(bn_ctx_t *ctx, bn_imp_data_t *d, char *line,
                            const bn_imp_layout_t *L, const bn_csv_cols_t *c,
                            int64_t lineno) {
  char *f[BN_CSV_FIELDS];
  int64_t user, item;
  double v;
  int n = bn_imp_layout_split(line, L, f, BN_CSV_FIELDS);
  if (n < c->need) {
    bn_imp_bad(d, lineno,
               "expected 'user item rating' (%s-separated), found %d field%s",
               L->name, n, n == 1 ? "" : "s");
    return BN_OK;
  }
  if (bn_imp_int(f[c->user], &user)) {
    bn_imp_bad(d, lineno, "user id '%.20s' is not an integer", f[c->user]);
    return BN_OK;
  }
  if (bn_imp_int(f[c->item], &item)) {
    bn_imp_bad(d, lineno, "item id '%.20s' is not an integer", f[c->item]);
    return BN_OK;
  }
  int r = bn_imp_real(f[c->value], &v);
  if (r != 0) {
    bn_imp_bad(d, lineno, "rating '%.20s' is %s", f[c->value],
               r > 0 ? "not finite" : "not a number");
    return BN_OK;
  }
  double t = NAN;
  if (c->time >= 0 && bn_imp_real(f[c->time], &t) != 0) {
    bn_imp_bad(d, lineno, "timestamp '%.20s' is not a number (--timestamp)",
               f[c->time]);
    return BN_OK;
  }
  BN_CALL(ctx, bn_imp_push(ctx, d, user, item, v, lineno));
  d->e[d->n - 1].time = t;
  return BN_OK;
}

/* The first column whose lower-cased name holds one of the words. */
static int bn_csv_find(char **f, int n, const char *const *words) {
  for (int k = 0; k < n && k < BN_CSV_FIELDS; k++) {
    char low[64];
    size_t i = 0;
    for (; f[k][i] && i < sizeof low - 1; i++)
      low[i] = (char)tolower((unsigned char)f[k][i]);
    low[i] = '\0';
    for (int w = 0; words[w]; w++)
      if (strstr(low, words[w])) return k;
  }
  return -1;
}

/* The columns named by a header line (a copy is split). */
void bn_csv_header_cols(const char *line, const bn_imp_layout_t *L,
                        bn_csv_cols_t *c) {
  static const char *const user[] = {"user", NULL};
  static const char *const item[] = {"item", "movie",  "product", "track",
                                     "song", "artist", NULL};
  static const char *const value[] = {"rating", "score", "value",
                                      "count",  "play",  NULL};
  static const char *const stamp[] = {"time", "date", NULL};
  char copy[1024], *f[BN_CSV_FIELDS];
  snprintf(copy, sizeof copy, "%s", line);
  int n = bn_imp_layout_split(copy, L, f, BN_CSV_FIELDS);
  int u = bn_csv_find(f, n, user), i = bn_csv_find(f, n, item);
  int v = bn_csv_find(f, n, value), t = bn_csv_find(f, n, stamp);
  if (u >= 0 && i >= 0 && v >= 0 && u != i && u != v && i != v)
    *c = (bn_csv_cols_t){u, i, v, 0, c->time};
  if (c->time >= 0 && t >= 0 && t != c->user && t != c->item && t != c->value)
    c->time = t;
  c->need = (c->user > c->item ? c->user : c->item);
  c->need = (c->need > c->value ? c->need : c->value);
  c->need = (c->need > c->time ? c->need : c->time) + 1;
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

/* The header decision for the first non-blank line (--header, or a
 * first field that is not a number). */
bool bn_csv_is_header(bn_imp_data_t *d, char *line, const bn_imp_layout_t *L) {
  bool looks = bn_imp_is_header(line, L);
  const char *h = d->header ? d->header : "auto";
  if (!strcmp(h, "true")) {
    if (!looks)
      snprintf(d->layout + strlen(d->layout),
               sizeof d->layout - strlen(d->layout),
               "; the first line is skipped (--header=true) though it "
               "looks like data");
    return true;
  }
  return !strcmp(h, "false") ? false : looks;
}

bn_status_t bn_imp_csv(bn_ctx_t *ctx, bn_imp_data_t *d) {
  FILE *fp = NULL;
  char *buf = NULL;
  size_t cap = 0;
  int64_t lineno = 0, seen = 0;
  bn_status_t st;
  bn_imp_layout_t L = {0};
  bn_csv_cols_t cols = {0, 1, 2, d->timestamp ? 4 : 3, d->timestamp ? 3 : -1};
  const bool named = bn_imp_layout_named(d->delimiter, &L);
  bool header = false;
  d->layout[0] = '\0';
  BN_TRY(ctx, st, bn_imp_open(ctx, d->path, &fp));
  while (getline(&buf, &cap, fp) != -1) {
    char *line = bn_imp_trim(lineno == 0 ? bn_imp_skip_bom(buf) : buf);
    lineno++;
    if (*line == '\0') continue;
    if (seen++ == 0) {
      if (!named) bn_imp_layout_detect(line, &L);
      if ((header = bn_csv_is_header(d, line, &L))) {
        bn_csv_header_cols(line, &L, &cols);
        continue;
      }
    } else if (seen == 2 && header && !named) {
      bn_imp_layout_detect(line, &L); /* the data's own delimiter */
    }
    BN_TRY(ctx, st, bn_imp_csv_line(ctx, d, line, &L, &cols, lineno));
  }
  char what[160];
  snprintf(what, sizeof what,
           "%s-separated (%s), %s; columns user %d, item %d, value %d%s",
           seen ? L.name : "?", named ? "--delimiter" : "detected",
           header ? "a header line" : "no header", cols.user + 1, cols.item + 1,
           cols.value + 1, cols.time >= 0 ? ", timestamp kept" : "");
  /* what was read, then the note of bn_csv_is_header, if any */
  size_t lw = strlen(what), ln = strlen(d->layout);
  if (lw + ln < sizeof d->layout) {
    memmove(d->layout + lw, d->layout, ln + 1);
    memcpy(d->layout, what, lw);
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
