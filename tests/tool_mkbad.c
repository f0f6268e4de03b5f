/* tool_mkbad KIND OUT.h5 [KIND OUT.h5 ...] -- write deliberately bad (or
 * tiny) completion inputs for the command-line tests
 * (tests/cli_bad_input*.sh), with the library's own HDF5 layer; several
 * pairs in one run save an MPI start-up each. Run with one process. The
 * base is a valid 4x3 matrix with 6 entries sorted by (row, col); KIND
 * changes it:
 *
 *   good          the base itself
 *   no-val        no /omega/val
 *   row-range     one row index equal to rows
 *   neg-row       one row index -1
 *   neg-col       one column index -2
 *   nan           one value NaN
 *   inf           one value +Inf
 *   tiny          a valid 2x2 matrix with 2 entries, both in row 0
 *   full2x2       a valid 2x2 matrix with all 4 entries
 *   len-mismatch  /omega/val shorter than /omega/row
 *   empty         /omega/row, col, val with 0 entries
 *   row-float     /omega/row stored as float64 (integral values)
 *   val-int       /omega/val stored as int64 (the base's values are whole)
 *   row-2d        /omega/row stored as a 6 x 1 (2-D) dataset
 *   no-rows       no `rows` attribute on /omega
 *   neg-rows      attribute rows = -4
 *   rows-float    attribute rows stored as float64 (4.0)
 *   dup           the base plus 4 repeated (row, col) pairs, spread over
 *                 the file: (0,0) twice, (1,1) three times, (3,2) twice
 *   dup-last      dup with --duplicates=last applied by hand
 *   dup-sum       dup with --duplicates=sum applied by hand */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "benign/ctx.h"
#include "benign/dist.h"
#include "benign/dmat.h"
#include "benign/error.h"
#include "benign/h5.h"

static const char *kinds =
    "good|no-val|row-range|neg-row|neg-col|nan|inf|tiny|full2x2|"
    "len-mismatch|empty|row-float|val-int|row-2d|no-rows|neg-rows|"
    "rows-float|dup|dup-last|dup-sum";

typedef struct input {
  int64_t rows, cols, n, nval;
  int64_t row[10], col[10];
  double val[10];
  int with_val, with_rows, row_float, val_int, row_2d, rows_float;
} input_t;

/* Values 1..10 by position; the duplicated pairs are listed again later. */
static void set_dup(input_t *in, const char *kind) {
  static const int64_t row[10] = {0, 0, 1, 2, 3, 3, 1, 3, 0, 1};
  static const int64_t col[10] = {0, 2, 1, 0, 1, 2, 1, 2, 0, 1};
  in->n = in->nval = 10;
  for (int k = 0; k < 10; k++) {
    in->row[k] = row[k];
    in->col[k] = col[k];
    in->val[k] = k + 1.0;
  }
  if (!strcmp(kind, "dup")) return;
  /* Merged by hand, sorted by (row, col): (0,0) (0,2) (1,1) (2,0) (3,1)
   * (3,2); positions of the copies: (0,0) 0, 8; (1,1) 2, 6, 9; (3,2) 5, 7. */
  int sum = !strcmp(kind, "dup-sum");
  static const int64_t mr[6] = {0, 0, 1, 2, 3, 3}, mc[6] = {0, 2, 1, 0, 1, 2};
  double last[6] = {9, 2, 10, 4, 5, 8},
         total[6] = {1 + 9, 2, 3 + 7 + 10, 4, 5, 6 + 8};
  in->n = in->nval = 6;
  for (int k = 0; k < 6; k++) {
    in->row[k] = mr[k];
    in->col[k] = mc[k];
    in->val[k] = sum ? total[k] : last[k];
  }
}

static int set_kind(input_t *in, const char *kind) {
  static const int64_t row[6] = {0, 0, 1, 2, 3, 3}, col[6] = {0, 2, 1, 0, 1, 2};
  *in = (input_t){
      .rows = 4, .cols = 3, .n = 6, .nval = 6, .with_val = 1, .with_rows = 1};
  for (int k = 0; k < 6; k++) {
    in->row[k] = row[k];
    in->col[k] = col[k];
    in->val[k] = k + 1.0;
  }
  if (!strcmp(kind, "good")) {
  } else if (!strcmp(kind, "no-val")) {
    in->with_val = 0;
  } else if (!strcmp(kind, "row-range")) {
    in->row[5] = in->rows; /* one past the last row */
  } else if (!strcmp(kind, "neg-row")) {
    in->row[3] = -1;
  } else if (!strcmp(kind, "neg-col")) {
    in->col[4] = -2;
  } else if (!strcmp(kind, "nan")) {
    in->val[2] = NAN;
  } else if (!strcmp(kind, "inf")) {
    in->val[4] = INFINITY;
  } else if (!strcmp(kind, "tiny") || !strcmp(kind, "full2x2")) {
    int full = !strcmp(kind, "full2x2");
    in->rows = in->cols = 2;
    in->n = in->nval = full ? 4 : 2;
    for (int k = 0; k < in->n; k++) {
      in->row[k] = full ? k / 2 : 0;
      in->col[k] = k % 2;
      in->val[k] = k + 1.0;
    }
  } else if (!strcmp(kind, "len-mismatch")) {
    in->nval = in->n - 1;
  } else if (!strcmp(kind, "empty")) {
    in->n = in->nval = 0;
  } else if (!strcmp(kind, "row-float")) {
    in->row_float = 1;
  } else if (!strcmp(kind, "val-int")) {
    in->val_int = 1;
  } else if (!strcmp(kind, "row-2d")) {
    in->row_2d = 1;
  } else if (!strcmp(kind, "no-rows")) {
    in->with_rows = 0;
  } else if (!strcmp(kind, "neg-rows")) {
    in->rows = -4;
  } else if (!strcmp(kind, "rows-float")) {
    in->rows_float = 1;
  } else if (!strcmp(kind, "dup") || !strcmp(kind, "dup-last") ||
             !strcmp(kind, "dup-sum")) {
    set_dup(in, kind);
  } else {
    return -1;
  }
  return 0;
}

/* /omega/row as an n x 1 matrix of reals (a 2-D dataset). */
static bn_status_t write_row_2d(bn_ctx_t *ctx, bn_h5_t *f, const input_t *in) {
  bn_dist_t *dist = NULL;
  bn_dmat_t *a = NULL;
  BN_CALL(ctx, bn_dist_create_uniform(ctx, in->n, &dist));
  bn_status_t st = bn_dmat_create(dist, 1, &a);
  if (st == BN_OK) {
    double *d = bn_dmat_data(a);
    for (int64_t k = 0; k < in->n; k++) d[k] = (double)in->row[k];
    st = bn_h5_write_dmat(f, "/omega/row", a);
  }
  bn_dmat_destroy(a);
  bn_dist_destroy(dist);
  return st;
}

static bn_status_t write_input(bn_ctx_t *ctx, const input_t *in,
                               const char *out) {
  int64_t n = in->n, nval = in->nval;
  double rowf[10];
  int64_t vali[10];
  for (int k = 0; k < 10; k++) {
    rowf[k] = (double)in->row[k];
    vali[k] = (int64_t)in->val[k];
  }
  bn_h5_t *f = NULL;
  BN_CALL(ctx, bn_h5_create(ctx, out, 0, &f));
  bn_status_t st;
  if (in->row_2d)
    st = write_row_2d(ctx, f, in);
  else if (in->row_float)
    st = bn_h5_write_f64(f, "/omega/row", n, 0, n, rowf);
  else
    st = bn_h5_write_i64(f, "/omega/row", n, 0, n, in->row);
  if (st == BN_OK) st = bn_h5_write_i64(f, "/omega/col", n, 0, n, in->col);
  if (st == BN_OK && in->with_val && in->val_int)
    st = bn_h5_write_i64(f, "/omega/val", nval, 0, nval, vali);
  else if (st == BN_OK && in->with_val)
    st = bn_h5_write_f64(f, "/omega/val", nval, 0, nval, in->val);
  if (st == BN_OK && in->with_rows && in->rows_float)
    st = bn_h5_attr_set_f64(f, "/omega", "rows", (double)in->rows);
  else if (st == BN_OK && in->with_rows)
    st = bn_h5_attr_set_i64(f, "/omega", "rows", in->rows);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/omega", "cols", in->cols);
  if (st == BN_OK) st = bn_h5_attr_set_str(f, "/", "creator", "tool_mkbad");
  if (st == BN_OK) st = bn_h5_commit(f);
  bn_h5_close(f);
  return st;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rc = 0;
  bn_ctx_t *ctx = NULL;
  input_t in;
  for (int a = 1; a < argc; a += 2)
    if (a + 1 >= argc || set_kind(&in, argv[a]) != 0) rc = 2;
  if (argc < 3 || rc) {
    fprintf(stderr,
            "usage: tool_mkbad KIND OUT.h5 [KIND OUT.h5 ...]\n"
            "KIND: %s\n",
            kinds);
    rc = 2;
  } else if (bn_ctx_create(MPI_COMM_WORLD, &ctx) != BN_OK) {
    fprintf(stderr, "tool_mkbad: cannot create the MPI context\n");
    rc = 1;
  } else {
    for (int a = 1; rc == 0 && a < argc; a += 2) {
      set_kind(&in, argv[a]);
      if (write_input(ctx, &in, argv[a + 1]) != BN_OK) {
        fprintf(stderr, "tool_mkbad: %s\n", bn_error_message(ctx));
        rc = 1;
      }
    }
    bn_ctx_destroy(ctx);
  }
  MPI_Finalize();
  return rc;
}
