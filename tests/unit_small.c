/* Small replicated LAPACK helpers against known answers. */
#include <string.h>

#include "benign/ctx.h"
#include "benign/dense.h"
#include "benign/error.h"
#include "check.h"

static void test_chol(bn_ctx_t *ctx) {
  /* A = R0^T R0 for a known upper R0 with positive diagonal: the Cholesky
   * factor is unique, so it must come back exactly (to rounding). */
  const double r0[9] = {2, -1, 0.5, 0, 3, 1, 0, 0, 1.5};
  double a[9] = {0}, r[9];
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++)
      for (int t = 0; t < 3; t++) a[i * 3 + j] += r0[t * 3 + i] * r0[t * 3 + j];
  for (int t = 0; t < 9; t++) r[t] = 99.0;
  CHECK_OK(ctx, bn_small_chol(ctx, 3, a, r));
  for (int t = 0; t < 9; t++) CHECK_CLOSE(r[t], r0[t], 1e-14);
  const double ind[4] = {1, 2, 2, 1}; /* eigenvalues 3 and -1 */
  CHECK(bn_small_chol(ctx, 2, ind, r) == BN_ERR_NUM, "indefinite accepted");
  bn_error_clear(ctx);
}

static void test_svd(bn_ctx_t *ctx) {
  /* A^T A = [[2, 1], [1, 2]]: singular values sqrt(3) and 1. */
  const double a[6] = {1, 1, 0, 1, 1, 0};
  double u[6], s[2], vt[4];
  CHECK_OK(ctx, bn_small_svd(ctx, 3, 2, a, u, s, vt));
  CHECK_CLOSE(s[0], sqrt(3.0), 1e-14);
  CHECK_CLOSE(s[1], 1.0, 1e-14);
  /* U diag(s) V^T = A, U^T U = I, V V^T = I. */
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 2; j++) {
      double v = 0.0;
      for (int t = 0; t < 2; t++) v += u[i * 2 + t] * s[t] * vt[t * 2 + j];
      CHECK_CLOSE(v, a[i * 2 + j], 1e-14);
    }
  for (int x = 0; x < 2; x++)
    for (int y = 0; y < 2; y++) {
      double uu = 0.0, vv = 0.0;
      for (int i = 0; i < 3; i++) uu += u[i * 2 + x] * u[i * 2 + y];
      for (int j = 0; j < 2; j++) vv += vt[x * 2 + j] * vt[y * 2 + j];
      CHECK_CLOSE(uu, x == y ? 1.0 : 0.0, 1e-14);
      CHECK_CLOSE(vv, x == y ? 1.0 : 0.0, 1e-14);
    }
  /* A scaled, permuted identity: the right singular vectors are known up
   * to sign, |V^T| is a permutation. */
  const double d[12] = {3, 0, 0, 0, -5, 0, 0, 0, 1, 0, 0, 0};
  double u2[12], s2[3], vt2[9];
  CHECK_OK(ctx, bn_small_svd(ctx, 4, 3, d, u2, s2, vt2));
  CHECK_CLOSE(s2[0], 5.0, 1e-14);
  CHECK_CLOSE(s2[1], 3.0, 1e-14);
  CHECK_CLOSE(s2[2], 1.0, 1e-14);
  CHECK_CLOSE(fabs(vt2[0 * 3 + 1]), 1.0, 1e-14);
  CHECK_CLOSE(fabs(vt2[1 * 3 + 0]), 1.0, 1e-14);
  CHECK_CLOSE(fabs(vt2[2 * 3 + 2]), 1.0, 1e-14);
  CHECK(bn_small_svd(ctx, 2, 3, d, u2, s2, vt2) == BN_ERR_ARG, "m < n");
  bn_error_clear(ctx);
}

static void test_spd_solve(bn_ctx_t *ctx) {
  double a[4] = {4, 2, 2, 3}, a0[4];
  memcpy(a0, a, sizeof(a));
  /* Two right-hand sides (rows): b_r = A x_r for x_0 = (1, -2),
   * x_1 = (0.5, 3). */
  const double x[4] = {1, -2, 0.5, 3};
  double b[4];
  for (int r = 0; r < 2; r++)
    for (int i = 0; i < 2; i++)
      b[r * 2 + i] = a[i * 2] * x[r * 2] + a[i * 2 + 1] * x[r * 2 + 1];
  CHECK_OK(ctx, bn_small_spd_solve(ctx, 2, a, 2, b));
  for (int t = 0; t < 4; t++) CHECK_CLOSE(b[t], x[t], 1e-14);
  for (int t = 0; t < 4; t++) CHECK(a[t] == a0[t], "A changed at %d", t);
  double ind[4] = {1, 2, 2, 1}, rhs[2] = {1, 1};
  CHECK(bn_small_spd_solve(ctx, 2, ind, 1, rhs) == BN_ERR_NUM,
        "indefinite accepted");
  bn_error_clear(ctx);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  bn_ctx_t *ctx = NULL;
  CHECK(bn_ctx_create(MPI_COMM_WORLD, &ctx) == BN_OK, "context");
  test_chol(ctx);
  test_svd(ctx);
  test_spd_solve(ctx);
  bn_ctx_destroy(ctx);
  int rc = bn_test_finish("unit_small");
  MPI_Finalize();
  return rc;
}
