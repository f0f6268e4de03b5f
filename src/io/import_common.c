/* Helpers shared by the importers: the entry list, problem reports, text
 * fields, and the sort that applies the duplicates policy. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "io/import_internal.h"

bn_status_t bn_imp_push(bn_ctx_t *ctx, bn_imp_data_t *d, int64_t row,
                        int64_t col, double val, int64_t line) {
  if (d->n == d->cap) {
    size_t cap = d->cap ? 2 * d->cap : 1024;
    bn_imp_entry_t *e = bn_realloc_n(d->e, cap, sizeof *e);
    if (!e)
      return BN_ERROR(ctx, BN_ERR_MEM, "%s: out of memory after %zu entries",
                      d->path, d->n);
    d->e = e;
    d->cap = cap;
  }
  d->e[d->n++] = (bn_imp_entry_t){row, col, line, val, NAN};
  return BN_OK;
}

void bn_imp_free(bn_imp_data_t *d) {
  free(d->e);
  free(d->row_ids);
  free(d->col_ids);
  d->e = NULL;
  d->row_ids = d->col_ids = NULL;
  d->n = d->cap = 0;
}

void bn_imp_bad(bn_imp_data_t *d, bn_idx_t line, const char *fmt, ...) {
  if (d->nbad++ >= BN_IMP_QUOTED) return;
  size_t used = strlen(d->bad);
  if (used + 1 >= sizeof d->bad) return;
  used += (size_t)snprintf(d->bad + used, sizeof d->bad - used,
                           "%s%s:%lld: ", used ? "; " : "", d->path,
                           (long long)line);
  if (used + 1 >= sizeof d->bad) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(d->bad + used, sizeof d->bad - used, fmt, ap);
  va_end(ap);
}

bn_status_t bn_imp_bad_status(bn_ctx_t *ctx, const bn_imp_data_t *d,
                              const char *what, const char *hint) {
  const char *sep = *hint ? "; " : "";
  if (d->nbad == 0) return BN_OK;
  if (d->nbad == 1)
    return BN_ERROR(ctx, BN_ERR_DATA, "%s%s%s", d->bad, sep, hint);
  return BN_ERROR(ctx, BN_ERR_DATA, "%s (%lld %s in total)%s%s", d->bad,
                  (long long)d->nbad, what, sep, hint);
}

bn_status_t bn_imp_open(bn_ctx_t *ctx, const char *path, FILE **fp) {
  *fp = fopen(path, "r");
  if (!*fp)
    return BN_ERROR(ctx, BN_ERR_IO, "cannot open '%s': %s", path,
                    strerror(errno));
  return BN_OK;
}

char *bn_imp_trim(char *s) {
  while (*s && isspace((unsigned char)*s)) s++;
  size_t n = strlen(s);
  while (n > 0 && isspace((unsigned char)s[n - 1])) s[--n] = '\0';
  return s;
}

char *bn_imp_skip_bom(char *s) {
  return strncmp(s, "\xEF\xBB\xBF", 3) == 0 ? s + 3 : s;
}

/* Numbers may be quoted, as some spreadsheet exports do. */
static char *unquote(char *s) {
  size_t n = strlen(s);
  if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
    s[n - 1] = '\0';
    return bn_imp_trim(s + 1);
  }
  return s;
}

int bn_imp_split(char *s, char sep, char **fields, int max) {
  int count = 0;
  while (1) {
    if (!sep)
      while (*s && isspace((unsigned char)*s)) s++;
    if (!sep && !*s) break; /* blanks: no empty trailing field */
    char *end = s;
    while (*end && (sep ? *end != sep : !isspace((unsigned char)*end))) end++;
    int last = *end == '\0';
    *end = '\0';
    if (count < max) fields[count] = unquote(bn_imp_trim(s));
    count++;
    if (last) break;
    s = end + 1;
  }
  return count;
}

int bn_imp_int(const char *s, int64_t *v) {
  char *end;
  errno = 0;
  long long x = strtoll(s, &end, 10);
  if (end == s || *end || errno == ERANGE) return -1;
  *v = (int64_t)x;
  return 0;
}

int bn_imp_real(const char *s, double *v) {
  char *end;
  double x = strtod(s, &end);
  if (end == s || *end) return -1;
  *v = x;
  return isfinite(x) ? 0 : 1;
}

static int cmp_entry(const void *pa, const void *pb) {
  const bn_imp_entry_t *a = pa, *b = pb;
  if (a->row != b->row) return a->row < b->row ? -1 : 1;
  if (a->col != b->col) return a->col < b->col ? -1 : 1;
  if (a->line != b->line) return a->line < b->line ? -1 : 1;
  return 0;
}

/* Ids as the user wrote them: original ids for csv, 1-based for mtx. */
static long long shown(const int64_t *ids, int64_t index) {
  return ids ? (long long)ids[index] : (long long)index + 1;
}

bn_status_t bn_imp_resolve(bn_ctx_t *ctx, bn_imp_data_t *d,
                           bn_imp_dup_t policy) {
  /* Line order breaks ties, so "first" and "last" mean file order. */
  if (d->n > 1) qsort(d->e, d->n, sizeof *d->e, cmp_entry);
  size_t out = 0;
  d->nbad = 0;
  d->bad[0] = '\0';
  for (size_t i = 0; i < d->n;) {
    size_t j = i + 1;
    bn_imp_entry_t keep = d->e[i];
    while (j < d->n && d->e[j].row == keep.row && d->e[j].col == keep.col) {
      if (policy == BN_IMP_DUP_ERROR)
        bn_imp_bad(d, d->e[j].line,
                   "duplicate entry (%lld, %lld), first on "
                   "line %lld",
                   shown(d->row_ids, keep.row), shown(d->col_ids, keep.col),
                   (long long)keep.line);
      else if (policy == BN_IMP_DUP_LAST)
        keep = d->e[j];
      else if (policy == BN_IMP_DUP_SUM)
        keep.val += d->e[j].val, keep.time = fmax(keep.time, d->e[j].time);
      j++;
    }
    if (!isfinite(keep.val))
      return BN_ERROR(ctx, BN_ERR_DATA,
                      "%s:%lld: the sum of the duplicates "
                      "of entry (%lld, %lld) overflows",
                      d->path, (long long)keep.line,
                      shown(d->row_ids, keep.row), shown(d->col_ids, keep.col));
    d->duplicates += (bn_idx_t)(j - i - 1);
    d->e[out++] = keep;
    i = j;
  }
  d->n = out;
  return bn_imp_bad_status(ctx, d, "duplicate entries",
                           "choose the duplicates policy first, last or sum "
                           "to merge them");
}
