/* The importer fuzz driver, shared by fuzz_mtx.c and fuzz_csv.c.
 *
 * Each input is written to a scratch file and parsed once by the format's
 * parser (the rank-0 part of bn_import_ratings, no HDF5); the entries are
 * then resolved under each of the four duplicates policies. Checked:
 *   - a success gives entries sorted by (row, col) with no repeats, inside
 *     rows x cols, with finite values, and (csv) id maps that are sorted,
 *     distinct and as long as rows and cols;
 *   - a failure records a message with the same status, and a data error
 *     names the input file.
 * With BN_FUZZ_IMPORT=1 in the environment (the ctest replay sets it), each
 * input also goes through bn_import_ratings end to end into a scratch .h5,
 * which must reach the same verdict and the same counts. */
#ifndef BN_FUZZ_IMPORT_H
#define BN_FUZZ_IMPORT_H

#include <ctype.h>
#include <errno.h>
#include <math.h>

#include "benign/import.h"
#include "fuzz_common.h"
#include "io/import_internal.h"

static const char *const bn_fuzz_policies[] = {"error", "first", "last", "sum"};

static void bn_fuzz_check_ids(const int64_t *ids, bn_idx_t n, size_t entries,
                              const char *what) {
  if (n < 1 || (size_t)n > entries)
    bn_fuzz_fail("%s: %lld ids for %zu entries", what, (long long)n, entries);
  for (bn_idx_t k = 1; k < n; k++)
    if (ids[k - 1] >= ids[k])
      bn_fuzz_fail("%s not sorted at %lld", what, (long long)k);
}

static void bn_fuzz_check_entries(const bn_imp_data_t *d, size_t parsed,
                                  bn_imp_dup_t policy, int csv) {
  if (d->rows < 0 || d->cols < 0)
    bn_fuzz_fail("size %lld x %lld", (long long)d->rows, (long long)d->cols);
  if ((bn_idx_t)parsed - d->duplicates != (bn_idx_t)d->n)
    bn_fuzz_fail("%zu parsed, %lld duplicates, %zu kept", parsed,
                 (long long)d->duplicates, d->n);
  if (policy == BN_IMP_DUP_ERROR && d->duplicates != 0)
    bn_fuzz_fail("policy error but %lld duplicates merged",
                 (long long)d->duplicates);
  for (size_t k = 0; k < d->n; k++) {
    const bn_imp_entry_t *e = &d->e[k];
    if (e->row < 0 || e->row >= d->rows || e->col < 0 || e->col >= d->cols)
      bn_fuzz_fail("entry %zu (%lld, %lld) outside %lld x %lld", k,
                   (long long)e->row, (long long)e->col, (long long)d->rows,
                   (long long)d->cols);
    if (!isfinite(e->val)) bn_fuzz_fail("entry %zu is not finite", k);
    if (k > 0 &&
        (e[-1].row > e->row || (e[-1].row == e->row && e[-1].col >= e->col)))
      bn_fuzz_fail("entries %zu and %zu out of order or repeated", k - 1, k);
  }
  if (csv) {
    bn_fuzz_check_ids(d->row_ids, d->rows, parsed, "row ids");
    bn_fuzz_check_ids(d->col_ids, d->cols, parsed, "col ids");
  } else if (d->row_ids || d->col_ids) {
    bn_fuzz_fail("mtx import made id maps");
  }
}

static void bn_fuzz_check_failure(bn_status_t st, const char *path,
                                  const char *what) {
  if (st == BN_ERR_DATA && !strstr(bn_error_message(bn_fuzz_ctx), path))
    bn_fuzz_fail("%s: data error without the file name: %s", what,
                 bn_error_message(bn_fuzz_ctx));
  bn_fuzz_check_error(st, what);
}

/* csv: on success every non-blank line gave one entry, except a first
 * line whose first field (by the line's own delimiter) is not an integer
 * (the header). Worked out here
 * from the bytes, independently of the parser: a data line must never be
 * dropped as a header (a UTF-8 byte order mark or a long quoted id did). */
static void bn_fuzz_csv_oracle(const uint8_t *data, size_t size,
                               size_t entries) {
  size_t nonblank = 0;
  int header = 0;
  for (size_t at = 0; at < size;) {
    size_t end = at;
    while (end < size && data[end] != '\n') end++;
    size_t a = at, b = at; /* the line as the parser sees it: up to a NUL */
    while (b < end && data[b] != '\0') b++;
    if (at == 0 && b - a >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) a += 3;
    while (a < b && isspace(data[a])) a++;
    while (b > a && isspace(data[b - 1])) b--;
    if (a < b && nonblank++ == 0) {
      /* the delimiter of the line, as the importer picks it: "::", a
       * tab, ',', ';', else blanks */
      int sep = ' ';
      for (int pick = 0; pick < 4 && sep == ' '; pick++)
        for (size_t q = a; q < b && sep == ' '; q++) {
          if (pick == 0 && q + 1 < b && data[q] == ':' && data[q + 1] == ':')
            sep = ':';
          if ((pick == 1 && data[q] == '\t') || (pick == 2 && data[q] == ',') ||
              (pick == 3 && data[q] == ';'))
            sep = data[q];
        }
      size_t f = a; /* the first field, trimmed and unquoted */
      while (f < b && (sep == ' '   ? !isspace(data[f])
                       : sep == ':' ? !(f + 1 < b && data[f] == ':' &&
                                        data[f + 1] == ':')
                                    : data[f] != sep))
        f++;
      while (f > a && isspace(data[f - 1])) f--;
      if (f - a >= 2 && data[a] == '"' && data[f - 1] == '"') {
        a++, f--;
        while (a < f && isspace(data[a])) a++;
        while (f > a && isspace(data[f - 1])) f--;
      }
      char *field = malloc(f - a + 1), *stop;
      if (!field) bn_fuzz_fail("out of memory");
      memcpy(field, data + a, f - a);
      field[f - a] = '\0';
      errno = 0;
      (void)strtoll(field, &stop, 10);
      header = stop == field || *stop || errno == ERANGE;
      free(field);
    }
    at = end + 1;
  }
  if (entries != nonblank - (size_t)header)
    bn_fuzz_fail("%zu entries from %zu non-blank lines (%s header)", entries,
                 nonblank, header ? "with a" : "no");
}

/* End to end: the same verdict and counts as the parse-only run. */
static void bn_fuzz_import_full(const char *format, const char *path,
                                int policy, bn_status_t want,
                                const bn_imp_data_t *d) {
  bn_import_stats_t s;
  memset(&s, 0, sizeof s);
  bn_status_t st = bn_import_ratings(bn_fuzz_ctx, format, path, bn_fuzz_out,
                                     bn_fuzz_policies[policy], &s);
  if (st != want)
    bn_fuzz_fail("bn_import_ratings (%s) returned %d, the parser %d: %s",
                 bn_fuzz_policies[policy], (int)st, (int)want,
                 bn_error_message(bn_fuzz_ctx));
  if (st == BN_OK &&
      (s.rows != d->rows || s.cols != d->cols || s.entries != (bn_idx_t)d->n ||
       s.duplicates != d->duplicates || s.lines != d->lines))
    bn_fuzz_fail("bn_import_ratings counts differ from the parser's");
  bn_fuzz_check_failure(st, path, "bn_import_ratings");
}

static int bn_fuzz_import(const char *format, const uint8_t *data,
                          size_t size) {
  static int full = -1;
  if (full < 0) full = getenv("BN_FUZZ_IMPORT") != NULL;
  int csv = strcmp(format, "csv") == 0;
  const char *path = bn_fuzz_write(bn_fuzz_input, data, size);
  bn_imp_data_t d;
  memset(&d, 0, sizeof d);
  d.path = path;
  bn_status_t st =
      csv ? bn_imp_csv(bn_fuzz_ctx, &d) : bn_imp_mtx(bn_fuzz_ctx, &d);
  bn_status_t parsed = st;
  if (csv && st == BN_OK) bn_fuzz_csv_oracle(data, size, d.n);
  bn_fuzz_check_failure(st, path, "parse");
  for (int p = 0; p < 4; p++) {
    /* Resolve a copy: it sorts and compacts the entries in place. */
    bn_imp_data_t c = d;
    c.e = NULL;
    if (parsed == BN_OK) {
      c.e = malloc((d.n ? d.n : 1) * sizeof *c.e);
      if (!c.e) bn_fuzz_fail("out of memory");
      if (d.n) memcpy(c.e, d.e, d.n * sizeof *c.e);
      c.cap = d.n;
      st = bn_imp_resolve(bn_fuzz_ctx, &c, (bn_imp_dup_t)p);
      if (st == BN_OK) bn_fuzz_check_entries(&c, d.n, (bn_imp_dup_t)p, csv);
      bn_fuzz_check_failure(st, path, "resolve");
    }
    if (full) bn_fuzz_import_full(format, path, p, st, &c);
    free(c.e);
  }
  bn_imp_free(&d);
  return 0;
}

#endif
