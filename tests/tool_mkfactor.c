/* tool_mkfactor KIND OUT.h5 [KIND OUT.h5 ...] -- write small (bad or good)
 * factorization inputs for tests/cli_factor.sh with the library's own HDF5
 * layer. Run with one process. KIND:
 *
 *   sym      a 7 x 7 symmetric /Y
 *   nan      sym with /Y(5, 2) = NaN (and its mirror)
 *   nonsym   a 7 x 7 /Y with /Y(i, j) != /Y(j, i)
 *   rect     a 7 x 4 /Y
 *   y-1d     /Y stored as a 1-D dataset of 49 values */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "benign/ctx.h"
#include "benign/dist.h"
#include "benign/dmat.h"
#include "benign/error.h"
#include "benign/h5.h"

static int mk(bn_ctx_t *ctx, const char *kind, const char *path) {
  int rows = 7, cols = !strcmp(kind, "rect") ? 4 : 7;
  double y[49];
  for (int i = 0; i < rows; i++)
    for (int j = 0; j < cols; j++)
      y[i * cols + j] = !strcmp(kind, "nonsym") ? i + 2.0 * j + 1
                                                : 1.0 / (1 + i + j) + (i == j);
  if (!strcmp(kind, "nan")) y[5 * 7 + 2] = y[2 * 7 + 5] = NAN;
  bn_h5_t *f = NULL;
  bn_dist_t *d = NULL;
  bn_dmat_t *a = NULL;
  bn_status_t st = bn_h5_create(ctx, path, 0, &f);
  if (st == BN_OK && !strcmp(kind, "y-1d")) {
    st = bn_h5_write_f64(f, "/Y", 49, 0, 49, y);
  } else if (st == BN_OK) {
    st = bn_dist_create_uniform(ctx, rows, &d);
    if (st == BN_OK) st = bn_dmat_create(d, cols, &a);
    if (st == BN_OK) {
      memcpy(bn_dmat_data(a), y, sizeof(double) * rows * cols);
      st = bn_h5_write_dmat(f, "/Y", a);
    }
  }
  if (st == BN_OK) st = bn_h5_commit(f);
  bn_h5_close(f);
  bn_dmat_destroy(a);
  bn_dist_destroy(d);
  if (st != BN_OK)
    fprintf(stderr, "tool_mkfactor: %s: %s\n", path, bn_error_message(ctx));
  return st != BN_OK;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  bn_ctx_t *ctx = NULL;
  int rc = bn_ctx_create(MPI_COMM_SELF, &ctx) != BN_OK;
  if (argc < 3 || argc % 2 == 0) {
    fprintf(stderr, "usage: tool_mkfactor KIND OUT.h5 [KIND OUT.h5 ...]\n");
    rc = 2;
  }
  for (int k = 1; !rc && k + 1 < argc; k += 2)
    rc = mk(ctx, argv[k], argv[k + 1]);
  bn_ctx_destroy(ctx);
  MPI_Finalize();
  return rc;
}
