/* bn_import_ratings: parse, then write the HDF5 file collectively.
 *
 * On one process, and for MatrixMarket, rank 0 parses the whole file and
 * writes every entry (the other ranks take part with empty selections);
 * text ratings on several processes are read by all of them, each a byte
 * range, and each writes its block of rows (import_parallel.c). The
 * verdict is agreed before any file is created, so a bad input never even
 * touches the output. The write goes through bn_h5_create/bn_h5_commit
 * (temporary file, then rename): a failure while writing leaves an
 * existing output as it was. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benign/ctx.h"
#include "benign/h5.h"
#include "io/import_internal.h"

enum { SZ_ROWS, SZ_COLS, SZ_ENTRIES, SZ_DUPS, SZ_LINES, SZ_N };

static bn_status_t parse_args(bn_ctx_t *ctx, const char *format,
                              const char *input, const char *output,
                              const char *duplicates, int *csv,
                              bn_imp_dup_t *policy) {
  static const char *names[] = {"error", "first", "last", "sum"};
  if (!format || !input || !output)
    return BN_ERROR(ctx, BN_ERR_ARG,
                    "import: format, input and output are "
                    "required");
  if (strcmp(format, "mtx") != 0 && strcmp(format, "csv") != 0)
    return BN_ERROR(ctx, BN_ERR_ARG,
                    "import: unknown format '%s' (mtx or "
                    "csv)",
                    format);
  *csv = strcmp(format, "csv") == 0;
  for (int k = 0; k < 4; k++)
    if (strcmp(duplicates ? duplicates : "error", names[k]) == 0) {
      *policy = (bn_imp_dup_t)k;
      return BN_OK;
    }
  return BN_ERROR(ctx, BN_ERR_ARG,
                  "import: unknown duplicates policy '%s' "
                  "(error, first, last or sum)",
                  duplicates);
}

/* Collective: /omega/{row,col,val}. One scratch buffer is reused for the
 * three columns, so the peak is the entries plus one column. */
static bn_status_t write_entries(bn_ctx_t *ctx, bn_h5_t *f,
                                 const bn_imp_data_t *d, bn_idx_t n) {
  /* each process's entries at its offset (rank 0 all of them, when it
   * parsed alone) */
  int64_t mine = (int64_t)d->n, off = 0;
  BN_MPI(ctx,
         MPI_Exscan(&mine, &off, 1, MPI_INT64_T, MPI_SUM, bn_ctx_comm(ctx)));
  if (bn_ctx_rank(ctx) == 0) off = 0;
  void *scratch = NULL;
  bn_status_t st = bn_mallocn(ctx, (size_t)mine, sizeof(int64_t), &scratch);
  int64_t *idx = scratch;
  double *val = scratch;
  BN_TRY(ctx, st, bn_agree(ctx, st));
  for (bn_idx_t k = 0; k < mine; k++) idx[k] = d->e[k].row;
  BN_TRY(ctx, st, bn_h5_write_i64(f, "/omega/row", n, off, mine, idx));
  for (bn_idx_t k = 0; k < mine; k++) idx[k] = d->e[k].col;
  BN_TRY(ctx, st, bn_h5_write_i64(f, "/omega/col", n, off, mine, idx));
  for (bn_idx_t k = 0; k < mine; k++) val[k] = d->e[k].val;
  BN_TRY(ctx, st, bn_h5_write_f64(f, "/omega/val", n, off, mine, val));
  if (d->timestamp) {
    for (bn_idx_t k = 0; k < mine; k++) val[k] = d->e[k].time;
    BN_TRY(ctx, st, bn_h5_write_f64(f, "/omega/time", n, off, mine, val));
  }
cleanup:
  free(scratch);
  return st;
}

static bn_status_t write_output(bn_ctx_t *ctx, bn_h5_t *f,
                                const bn_imp_data_t *d, const bn_idx_t *sz,
                                int csv, const char *format,
                                const char *input) {
  int root = bn_ctx_rank(ctx) == 0;
  BN_CALL(ctx, write_entries(ctx, f, d, sz[SZ_ENTRIES]));
  BN_CALL(ctx, bn_h5_attr_set_i64(f, "/omega", "rows", sz[SZ_ROWS]));
  BN_CALL(ctx, bn_h5_attr_set_i64(f, "/omega", "cols", sz[SZ_COLS]));
  if (csv) {
    BN_CALL(ctx, bn_h5_write_i64(f, "/map/row_ids", sz[SZ_ROWS], 0,
                                 root ? sz[SZ_ROWS] : 0, d->row_ids));
    BN_CALL(ctx, bn_h5_write_i64(f, "/map/col_ids", sz[SZ_COLS], 0,
                                 root ? sz[SZ_COLS] : 0, d->col_ids));
  }
  BN_CALL(ctx, bn_h5_attr_set_str(f, "/", "source", input));
  BN_CALL(ctx, bn_h5_attr_set_str(f, "/", "format", format));
  BN_CALL(ctx, bn_h5_attr_set_str(f, "/", "creator", "benign import"));
  return BN_OK;
}

bn_status_t bn_import_ratings(bn_ctx_t *ctx, const char *format,
                              const char *input, const char *output,
                              const char *duplicates,
                              bn_import_stats_t *stats) {
  return bn_import_ratings_text(ctx, format, input, output, duplicates, NULL,
                                stats);
}

bn_status_t bn_import_ratings_text(bn_ctx_t *ctx, const char *format,
                                   const char *input, const char *output,
                                   const char *duplicates,
                                   const bn_ratings_text_t *text,
                                   bn_import_stats_t *stats) {
  bn_imp_data_t d;
  bn_h5_t *f = NULL;
  bn_idx_t sz[SZ_N] = {0, 0, 0, 0, 0};
  int csv = 0;
  bn_imp_dup_t policy = BN_IMP_DUP_ERROR;
  bn_status_t st = BN_OK;
  memset(&d, 0, sizeof d);
  d.path = input;
  d.delimiter = text ? text->delimiter : NULL;
  d.header = text ? text->header : NULL;
  d.timestamp = text && text->timestamp;
  /* The arguments are the same on every rank, and so is this verdict. */
  BN_CALL(ctx,
          parse_args(ctx, format, input, output, duplicates, &csv, &policy));
  /* Before the parse: an output that would replace the input, or that
   * cannot be written, fails at once. */
  BN_CALL(ctx, bn_h5_check_output(ctx, output, input));
  if (csv && bn_ctx_size(ctx) > 1) {
    bn_idx_t total = 0, dups = 0;
    st = bn_imp_csv_parallel(ctx, &d, policy, &total, &dups);
    sz[SZ_ROWS] = d.rows;
    sz[SZ_COLS] = d.cols;
    sz[SZ_ENTRIES] = total;
    sz[SZ_DUPS] = dups;
    sz[SZ_LINES] = d.lines;
  } else if (bn_ctx_rank(ctx) == 0) {
    st = csv ? bn_imp_csv(ctx, &d) : bn_imp_mtx(ctx, &d);
    if (st == BN_OK) st = bn_imp_resolve(ctx, &d, policy);
    sz[SZ_ROWS] = d.rows;
    sz[SZ_COLS] = d.cols;
    sz[SZ_ENTRIES] = (bn_idx_t)d.n;
    sz[SZ_DUPS] = d.duplicates;
    sz[SZ_LINES] = d.lines;
  }
  BN_TRY(ctx, st, bn_agree(ctx, st));
  if (MPI_Bcast(sz, SZ_N, BN_IDX_MPI, 0, bn_ctx_comm(ctx)) != MPI_SUCCESS)
    BN_TRY(ctx, st,
           BN_ERROR(ctx, BN_ERR_MPI,
                    "import: broadcast of the "
                    "sizes failed"));
  BN_TRY(ctx, st, bn_h5_create(ctx, output, 24.0 * (double)sz[SZ_ENTRIES], &f));
  BN_TRY(ctx, st, write_output(ctx, f, &d, sz, csv, format, input));
  BN_TRY(ctx, st, bn_h5_commit(f));
  if (MPI_Bcast(d.layout, sizeof d.layout, MPI_CHAR, 0, bn_ctx_comm(ctx)) !=
      MPI_SUCCESS)
    BN_TRY(ctx, st, BN_ERROR(ctx, BN_ERR_MPI, "import: broadcast failed"));
  if (stats) {
    *stats = (bn_import_stats_t){sz[SZ_ROWS], sz[SZ_COLS],  sz[SZ_ENTRIES],
                                 sz[SZ_DUPS], sz[SZ_LINES], {0}};
    snprintf(stats->layout, sizeof stats->layout, "%s", d.layout);
  }
cleanup:
  bn_h5_close(f); /* removes the temporary unless committed */
  bn_imp_free(&d);
  return st;
}
