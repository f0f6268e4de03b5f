/* benign -- private helpers shared by the importers.
 *
 * A parser (one file per format) runs on rank 0 only and fills a
 * bn_imp_data_t with entries holding dense 0-based (row, col) indices and
 * their input line numbers; bn_imp_resolve sorts them and applies the
 * duplicates policy; import.c writes the result collectively. */
#ifndef BENIGN_IO_IMPORT_INTERNAL_H
#define BENIGN_IO_IMPORT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "benign/error.h"
#include "benign/import.h"

/* How many bad lines (or duplicates) are quoted in the error message; the
 * rest are only counted. */
#define BN_IMP_QUOTED 5
#define BN_IMP_BAD_LEN 720 /* fits in the context's message with the count */

typedef enum bn_imp_dup {
  BN_IMP_DUP_ERROR,
  BN_IMP_DUP_FIRST,
  BN_IMP_DUP_LAST,
  BN_IMP_DUP_SUM
} bn_imp_dup_t;

typedef struct bn_imp_entry {
  int64_t row, col; /* dense, 0-based */
  int64_t line;     /* 1-based line of the input that gave it */
  double val;
  double time; /* --timestamp: the entry's timestamp, else NaN */
} bn_imp_entry_t;

typedef struct bn_imp_data {
  const char *path; /* the input, for messages */
  bn_imp_entry_t *e;
  size_t n, cap;
  int64_t *row_ids, *col_ids; /* original ids (csv), NULL for mtx */
  bn_idx_t rows, cols;
  bn_idx_t lines;           /* lines read */
  bn_idx_t duplicates;      /* entries merged away by the policy */
  bn_idx_t nbad;            /* problems found (bad lines or duplicates) */
  char bad[BN_IMP_BAD_LEN]; /* the first BN_IMP_QUOTED, "; "-separated */
  /* Text ratings (csv): --delimiter and --header as given (NULL: auto),
   * and what was read, for the log. */
  const char *delimiter, *header;
  bool timestamp; /* --timestamp: keep a timestamp column as /omega/time */
  char layout[256];
} bn_imp_data_t;

/* The format parsers (rank 0, not collective). */
bn_status_t bn_imp_mtx(bn_ctx_t *ctx, bn_imp_data_t *d);
bn_status_t bn_imp_csv(bn_ctx_t *ctx, bn_imp_data_t *d);

/* Sort by (row, col) and apply the duplicates policy (rank 0). */
bn_status_t bn_imp_resolve(bn_ctx_t *ctx, bn_imp_data_t *d,
                           bn_imp_dup_t policy);

bn_status_t bn_imp_push(bn_ctx_t *ctx, bn_imp_data_t *d, int64_t row,
                        int64_t col, double val, int64_t line);
void bn_imp_free(bn_imp_data_t *d);

/* Count a problem at a line; the first few are quoted as "FILE:LINE: ...".
 */
void bn_imp_bad(bn_imp_data_t *d, bn_idx_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* BN_ERR_DATA with the quoted problems and their total, if any; `what`
 * names them ("bad lines"), `hint` (may be "") follows the count. */
bn_status_t bn_imp_bad_status(bn_ctx_t *ctx, const bn_imp_data_t *d,
                              const char *what, const char *hint);

/* Open the input for reading: BN_ERR_IO "cannot open 'F': reason". */
bn_status_t bn_imp_open(bn_ctx_t *ctx, const char *path, FILE **fp);

/* Text helpers. trim strips surrounding blanks (and CR/LF) in place. split
 * cuts s at `sep` (0: runs of blanks), stores up to max trimmed fields and
 * returns how many there are in all. */
char *bn_imp_trim(char *s);
/* s after a UTF-8 byte order mark (EF BB BF), which some editors put at the
 * start of a file; s itself if there is none. */
char *bn_imp_skip_bom(char *s);
int bn_imp_split(char *s, char sep, char **fields, int max);
/* 0 if s is a whole 64-bit integer. */
int bn_imp_int(const char *s, int64_t *v);
/* 0 if s is a finite number, 1 if it is NaN or infinite, -1 otherwise. */
int bn_imp_real(const char *s, double *v);

/* The layout of delimited lines (import_layout.c): the delimiter of the
 * first data line (`::`, tab, ',', ';', else blanks), a split by it, and
 * the header test (a first field that is not a number). */
typedef struct bn_imp_layout {
  char sep;    /* 0: blanks */
  bool dcolon; /* "::" */
  char name[16];
} bn_imp_layout_t;
void bn_imp_layout_detect(const char *line, bn_imp_layout_t *L);
/* The layout named by --delimiter (",", ";", "tab", "space", "::");
 * false for "auto" or NULL (detect) and for an unknown name. */
bool bn_imp_layout_named(const char *name, bn_imp_layout_t *L);
int bn_imp_layout_split(char *line, const bn_imp_layout_t *L, char **fields,
                        int max);
bool bn_imp_is_header(char *line, const bn_imp_layout_t *L);

/* Text ratings' pieces (import_csv.c), shared with the parallel reader
 * (import_parallel.c): the columns of the user, item and value (from a
 * header's names, else 0, 1, 2; need: fields a line must have), one data
 * line into d (a bad line counted, not fatal), and the header decision
 * of the first non-blank line (--header, or its first field). */
#define BN_CSV_FIELDS 16 /* columns looked at (the rest are ignored) */
typedef struct bn_csv_cols {
  int user, item, value, need, time; /* time: -1 without --timestamp */
} bn_csv_cols_t;
bn_status_t bn_imp_csv_line(bn_ctx_t *ctx, bn_imp_data_t *d, char *line,
                            const bn_imp_layout_t *L, const bn_csv_cols_t *c,
                            int64_t lineno);
void bn_csv_header_cols(const char *line, const bn_imp_layout_t *L,
                        bn_csv_cols_t *c);
bool bn_csv_is_header(bn_imp_data_t *d, char *line, const bn_imp_layout_t *L);

/* Collective (import_parallel.c): text ratings read by every process, each
 * a byte range of the file, the ids renumbered over all, the entries sent
 * to the owners of their rows (uniform blocks) and sorted and resolved
 * there. Each process's d then holds its block of rows' entries; the id
 * maps (row_ids, col_ids) and rows, cols are the same on every process;
 * *total and *dups over all processes. Errors agreed. */
bn_status_t bn_imp_csv_parallel(bn_ctx_t *ctx, bn_imp_data_t *d,
                                bn_imp_dup_t policy, bn_idx_t *total,
                                bn_idx_t *dups);

#endif
