/* tool_glmeig_bad KIND OUT.h5 [KIND OUT.h5 ...] -- write small bad inputs
 * for the glm and eig command-line tests (tests/cli_glm.sh,
 * tests/cli_eig.sh) with the library's own HDF5 layer. Run with one
 * process. Kinds:
 *
 *   eig-nonsquare  dense /A, 5 x 4
 *   eig-asym       dense /A, 5 x 5, A_01 = 1 but A_10 = 2
 *   eig-nan        dense /A, 5 x 5 symmetric, A_23 = A_32 = NaN
 *   eig-lower      sparse /omega with only the lower triangle of a
 *                  symmetric 5 x 5 matrix (not symmetric as stored)
 *   eig-both       a valid dense /A and a valid sparse /omega
 *   eig-none       neither /A nor /omega (only /B)
 *   glm-nan-x      /X 7 x 3 with a NaN in row 4, /y 7 (link sigmoid)
 *   glm-rows       /X 7 x 3, /y with 6 values
 *   glm-nolink     /X 7 x 3, /y 7 without the `link` attribute
 *   glm-truth      /X 7 x 3, /y 7, /truth/w with 2 values */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benign/ctx.h"
#include "benign/dist.h"
#include "benign/dmat.h"
#include "benign/error.h"
#include "benign/h5.h"

static const char *kinds =
    "eig-nonsquare|eig-asym|eig-nan|eig-lower|eig-both|eig-none|glm-nan-x|"
    "glm-rows|glm-nolink|glm-truth";

/* A rows x cols dataset from a row-major array. */
static bn_status_t put(bn_ctx_t *ctx, bn_h5_t *f, const char *name,
                       bn_idx_t rows, int cols, const double *v) {
  bn_dist_t *d = NULL;
  bn_dmat_t *m = NULL;
  bn_status_t st = bn_dist_create_uniform(ctx, rows, &d);
  if (st == BN_OK) st = bn_dmat_create(d, cols, &m);
  if (st == BN_OK) {
    memcpy(bn_dmat_data(m), v, (size_t)rows * cols * sizeof(double));
    st = bn_h5_write_dmat(f, name, m);
  }
  bn_dmat_destroy(m);
  bn_dist_destroy(d);
  return st;
}

/* A symmetric 5 x 5 matrix: 2 on the diagonal, 1 next to it. */
static void sym5(double *a) {
  for (int i = 0; i < 5; i++)
    for (int j = 0; j < 5; j++) a[i * 5 + j] = i == j ? 2 : abs(i - j) == 1;
}

/* /omega of the 5 x 5 matrix, only (i >= j) entries when lower. */
static bn_status_t put_omega(bn_h5_t *f, int lower) {
  double a[25], val[25];
  int64_t row[25], col[25], n = 0;
  sym5(a);
  for (int i = 0; i < 5; i++)
    for (int j = 0; j < 5; j++)
      if (a[i * 5 + j] != 0 && (!lower || i >= j)) {
        row[n] = i;
        col[n] = j;
        val[n++] = a[i * 5 + j];
      }
  bn_status_t st = bn_h5_write_i64(f, "/omega/row", n, 0, n, row);
  if (st == BN_OK) st = bn_h5_write_i64(f, "/omega/col", n, 0, n, col);
  if (st == BN_OK) st = bn_h5_write_f64(f, "/omega/val", n, 0, n, val);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/omega", "rows", 5);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/omega", "cols", 5);
  return st;
}

static bn_status_t write_eig(bn_ctx_t *ctx, bn_h5_t *f, const char *kind) {
  double a[25];
  sym5(a);
  if (!strcmp(kind, "eig-nonsquare")) return put(ctx, f, "/A", 5, 4, a);
  if (!strcmp(kind, "eig-asym")) a[1 * 5 + 0] = 2;
  if (!strcmp(kind, "eig-nan")) a[2 * 5 + 3] = a[3 * 5 + 2] = NAN;
  if (!strcmp(kind, "eig-lower")) return put_omega(f, 1);
  if (!strcmp(kind, "eig-none")) return put(ctx, f, "/B", 5, 5, a);
  bn_status_t st = put(ctx, f, "/A", 5, 5, a);
  if (st == BN_OK && !strcmp(kind, "eig-both")) st = put_omega(f, 0);
  return st;
}

static bn_status_t write_glm(bn_ctx_t *ctx, bn_h5_t *f, const char *kind) {
  double x[21], y[7], w[2] = {1, 2};
  for (int i = 0; i < 21; i++) x[i] = sin(1.0 + i);
  for (int i = 0; i < 7; i++) y[i] = 0.5 + 0.1 * cos(1.0 + i);
  if (!strcmp(kind, "glm-nan-x")) x[4 * 3 + 1] = NAN;
  int ny = !strcmp(kind, "glm-rows") ? 6 : 7;
  bn_status_t st = put(ctx, f, "/X", 7, 3, x);
  if (st == BN_OK) st = bn_h5_write_f64(f, "/y", ny, 0, ny, y);
  if (st == BN_OK && strcmp(kind, "glm-nolink"))
    st = bn_h5_attr_set_str(f, "/y", "link", "sigmoid");
  if (st == BN_OK && !strcmp(kind, "glm-truth"))
    st = bn_h5_write_f64(f, "/truth/w", 2, 0, 2, w);
  return st;
}

static int write_one(bn_ctx_t *ctx, const char *kind, const char *path) {
  bn_h5_t *f = NULL;
  bn_status_t st = bn_h5_create(ctx, path, 0, &f);
  if (st == BN_OK)
    st = !strncmp(kind, "eig-", 4) ? write_eig(ctx, f, kind)
                                   : write_glm(ctx, f, kind);
  if (st == BN_OK) st = bn_h5_commit(f);
  bn_h5_close(f);
  if (st != BN_OK)
    fprintf(stderr, "tool_glmeig_bad: %s: %s\n", path, bn_error_message(ctx));
  return st == BN_OK ? 0 : 1;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  bn_ctx_t *ctx = NULL;
  int rc = 0;
  if (argc < 3 || argc % 2 == 0) {
    fprintf(stderr,
            "usage: tool_glmeig_bad KIND OUT.h5 [KIND OUT.h5 ...]\n"
            "kinds: %s\n",
            kinds);
    rc = 2;
  } else if (bn_ctx_create(MPI_COMM_WORLD, &ctx) != BN_OK) {
    rc = 1;
  } else {
    for (int i = 1; i + 1 < argc && rc == 0; i += 2) {
      char pat[256];
      snprintf(pat, sizeof(pat), "|%s|", argv[i]);
      char all[256];
      snprintf(all, sizeof(all), "|%s|", kinds);
      if (!strstr(all, pat)) {
        fprintf(stderr, "tool_glmeig_bad: unknown kind '%s' (%s)\n", argv[i],
                kinds);
        rc = 2;
      } else {
        rc = write_one(ctx, argv[i], argv[i + 1]);
      }
    }
    bn_ctx_destroy(ctx);
  }
  MPI_Finalize();
  return rc;
}
