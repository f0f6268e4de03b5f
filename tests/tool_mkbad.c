/* tool_mkbad KIND OUT.h5 -- write a deliberately bad (or tiny) completion
 * input for the command-line tests (tests/cli_bad_input.sh). Run with one
 * process. KIND is one of
 *   no-val        /omega/row, /omega/col and rows/cols attributes, no
 * /omega/val row-range     one row index equal to rows nan           one value
 * NaN tiny          a valid 2x2 matrix with 2 entries, both in row 0
 *   len-mismatch  /omega/val shorter than /omega/row */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "benign/ctx.h"
#include "benign/error.h"
#include "benign/h5.h"

static const char *kinds = "no-val|row-range|nan|tiny|len-mismatch";

static bn_status_t write_kind(bn_ctx_t *ctx, const char *kind,
                              const char *out) {
  /* A 4x3 matrix with 6 entries, sorted by (row, col). */
  int64_t rows = 4, cols = 3, n = 6, nval = 6;
  int64_t row[6] = {0, 0, 1, 2, 3, 3};
  int64_t col[6] = {0, 2, 1, 0, 1, 2};
  double val[6] = {1.0, 2.0, 3.0, 4.0, 5.0, 6.0};
  int with_val = 1;
  if (!strcmp(kind, "no-val")) {
    with_val = 0;
  } else if (!strcmp(kind, "row-range")) {
    row[n - 1] = rows; /* one past the last row */
  } else if (!strcmp(kind, "nan")) {
    val[2] = NAN;
  } else if (!strcmp(kind, "tiny")) {
    rows = 2;
    cols = 2;
    n = nval = 2;
    row[0] = 0, col[0] = 0, val[0] = 1.0;
    row[1] = 0, col[1] = 1, val[1] = 2.0;
  } else if (!strcmp(kind, "len-mismatch")) {
    nval = n - 1;
  } else {
    return BN_ERROR(ctx, BN_ERR_ARG, "unknown KIND '%s' (one of %s)", kind,
                    kinds);
  }
  bn_h5_t *f = NULL;
  BN_CALL(ctx, bn_h5_create(ctx, out, &f));
  bn_status_t st = bn_h5_write_i64(f, "/omega/row", n, 0, n, row);
  if (st == BN_OK) st = bn_h5_write_i64(f, "/omega/col", n, 0, n, col);
  if (st == BN_OK && with_val)
    st = bn_h5_write_f64(f, "/omega/val", nval, 0, nval, val);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/omega", "rows", rows);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/omega", "cols", cols);
  if (st == BN_OK) st = bn_h5_attr_set_str(f, "/", "creator", "tool_mkbad");
  if (st == BN_OK) st = bn_h5_commit(f);
  bn_h5_close(f);
  return st;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rc = 0;
  bn_ctx_t *ctx = NULL;
  if (argc != 3) {
    fprintf(stderr, "usage: tool_mkbad %s OUT.h5\n", kinds);
    rc = 2;
  } else if (bn_ctx_create(MPI_COMM_WORLD, &ctx) != BN_OK) {
    fprintf(stderr, "tool_mkbad: cannot create the MPI context\n");
    rc = 1;
  } else {
    if (write_kind(ctx, argv[1], argv[2]) != BN_OK) {
      fprintf(stderr, "tool_mkbad: %s\n", bn_error_message(ctx));
      rc = 1;
    }
    bn_ctx_destroy(ctx);
  }
  MPI_Finalize();
  return rc;
}
