/* benign -- importers: convert what users have into benign's HDF5 inputs.
 *
 * Ratings (observed entries of a matrix to complete) come as
 *   - MatrixMarket coordinate files ("mtx"): `real` or `integer`, `general`
 *     or `symmetric` (off-diagonal entries are mirrored); 1-based indices
 *     become 0-based; no id maps (the indices are already dense);
 *   - CSV triples ("csv"): `user,item,rating[,...]` lines (extra columns
 *     such as MovieLens' timestamp are ignored) after an optional header
 *     line; ids are 64-bit integers, renumbered densely in sorted id order.
 *
 * The output file holds
 *   /omega/row, /omega/col  int64 [entries]  0-based, sorted by (row, col)
 *   /omega/val              float64 [entries]
 *   /omega  attributes rows, cols (int64)
 *   /map/row_ids, /map/col_ids  int64 (csv only: the original id of each
 *                               dense index)
 *   /  attributes source (the input path), format, creator
 *
 * Entries that name the same (row, col) more than once are handled by the
 * `duplicates` policy: "error" (the default), "first", "last" (in file
 * order) or "sum". */
#ifndef BENIGN_IMPORT_H
#define BENIGN_IMPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "benign/types.h"

typedef struct bn_import_stats {
  bn_idx_t rows, cols; /* matrix size                                  */
  bn_idx_t entries;    /* entries written (after duplicates resolved)   */
  bn_idx_t duplicates; /* entries dropped or summed into another one    */
  bn_idx_t lines;      /* lines read from the input                     */
  char layout[256];    /* text ratings: the delimiter, header, columns  */
} bn_import_stats_t;

/* Collective. Rank 0 parses `input` (format "mtx" or "csv"); every rank
 * takes part in writing `output`, which is replaced atomically only on
 * success (an existing file is never damaged by a failed import). Bad lines
 * are BN_ERR_DATA naming FILE:LINE for the first few, with the total count;
 * a missing input is BN_ERR_IO. `duplicates` NULL means "error"; `stats`
 * may be NULL and is the same on every rank. */
bn_status_t bn_import_ratings(bn_ctx_t *ctx, const char *format,
                              const char *input, const char *output,
                              const char *duplicates, bn_import_stats_t *stats);
/* Collective: the format of `path` from its first bytes: "h5" (HDF5),
 * "image" (a directory, PNG, JPEG, PGM), "idx" (IDX, or gzip'd), "mtx"
 * (a MatrixMarket banner), else "csv" (text ratings). */
bn_status_t bn_import_detect(bn_ctx_t *ctx, const char *path,
                             const char **format);
/* How text ratings are read: the delimiter (NULL or "auto": the first
 * data line's -- "::", tab, ',', ';', else blanks -- or ",", ";", "tab",
 * "space", "::"), the header line (NULL or "auto": a first field that is
 * not a number; "true"; "false"), and whether a timestamp column (named
 * "time..." or "date..." in a header, else the fourth) is kept as
 * /omega/time (numbers, e.g. Unix seconds). */
typedef struct bn_ratings_text {
  const char *delimiter, *header;
  bool timestamp;
} bn_ratings_text_t;
/* The same as bn_import_ratings, for text ratings read as `text` says
 * (NULL: all automatic, no timestamp). */
bn_status_t bn_import_ratings_text(bn_ctx_t *ctx, const char *format,
                                   const char *input, const char *output,
                                   const char *duplicates,
                                   const bn_ratings_text_t *text,
                                   bn_import_stats_t *stats);

/* benign split (src/sparse/obs_split.c): hold out part of an input's
 * observed entries. */
typedef struct bn_split_params {
  const char *input, *output;
  double test_fraction; /* in (0, 1) */
  bool per_row;         /* that share of every row (leave-k-out), else of
                         * all entries at random */
  uint64_t seed;
  /* K-fold (folds >= 2, by entry; test_fraction unused): hold out the
   * entries whose draw falls in [fold / folds, (fold + 1) / folds), so the
   * folds 0 .. folds - 1 partition the entries. */
  int folds, fold;
  /* Leave an input's /test unread and uncopied (benign tune: the held-out
   * set is never looked at); otherwise such an input is refused. */
  bool ignore_test;
} bn_split_params_t;

typedef struct bn_split_stats {
  bn_idx_t rows, cols, train, test;
  bool time_dropped; /* the input's /omega/time was not carried */
} bn_split_stats_t;

/* Collective. Reads input's /omega (checked as the solvers check it; an
 * input that already has /test is refused) and writes output with /omega
 * (the kept entries) and /test (the held-out ones), both sorted by (row,
 * col), the same rows/cols, and /map and /truth copied when present.
 * Which entries are held out depends on the seed, the row and the column
 * only: the same file on any number of processes. */
bn_status_t bn_split(bn_ctx_t *ctx, const bn_split_params_t *p,
                     bn_split_stats_t *stats);

/* Pairs to predict (benign predict): original user and item ids, and
 * the observed value of each when the file has them (val NULL
 * otherwise). */
typedef struct bn_pairs {
  bn_idx_t n;
  int64_t *user, *item;
  double *val;
  char layout[160]; /* what was read, for the log */
} bn_pairs_t;
/* Collective (errors agreed): rank 0 reads PATH -- a text file of
 * `user item [value ...]` lines (delimiter `::`, tab, ',', ';' or blanks
 * and a header line detected; a bad line is an error that quotes it) or
 * an HDF5 input (/test, else /omega; its indices turned into ids by its
 * /map when it has one) -- and the other ranks get n = 0. */
bn_status_t bn_pairs_read(bn_ctx_t *ctx, const char *path, bn_pairs_t *p);
/* Not collective. */
void bn_pairs_free(bn_pairs_t *p);

#endif
