/* tool_dictsaddle IN DATA START [I J]: from a dictionary-learning instance
 * IN with an orthogonal /A_true (benign generate dict), write
 *   DATA:  the same instance made exactly symmetric under the group that
 *          swaps atoms a_I and a_J (T_S = I - (a_I - a_J)(a_I - a_J)^T)
 *          and negates the complement of span(a_I, a_J)
 *          (T_F = 2 (a_I a_I^T + a_J a_J^T) - I): /Y holds y, T_S y, T_F y
 *          and T_S T_F y for every sample y of IN (4p rows), /A_true is
 *          copied;
 *   START: /q = (a_I + a_J) / sqrt(2), a start for benign dict
 *          --method=sphere --init-file=START.
 * Every objective (1/p) sum h(q^T y_j) on DATA is invariant under the
 * group, and so is Y Y^T (hence the preconditioned data), so its gradient
 * at a point fixed by the group lies in the fixed subspace span(a_I + a_J):
 * on the sphere, START is an exact critical point (to rounding) -- the
 * balanced superposition of two atoms, a saddle (tests/cli_dict_saddle.sh).
 * Defaults: I = 0, J = 1. Run on one process. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benign/benign.h"

static int run(bn_ctx_t *ctx, const char *in, const char *out,
               const char *start, int ai, int aj) {
  bn_h5_t *f = NULL;
  bn_dmat_t *y = NULL, *a = NULL, *y4 = NULL, *am = NULL;
  bn_dist_t *pd = NULL, *md = NULL, *p4 = NULL;
  int nd;
  bn_idx_t dims[4];
  if (bn_h5_open(ctx, in, &f) != BN_OK) return 1;
  if (bn_h5_shape(f, "/Y", &nd, dims) != BN_OK || nd != 2) return 1;
  const bn_idx_t p = dims[0];
  const int m = (int)dims[1];
  if (ai < 0 || aj < 0 || ai >= m || aj >= m || ai == aj) {
    fprintf(stderr, "tool_dictsaddle: atoms %d, %d out of range\n", ai, aj);
    return 2;
  }
  bn_dist_create_uniform(ctx, p, &pd);
  bn_dist_create_uniform(ctx, m, &md);
  if (bn_h5_read_dmat(f, "/Y", pd, m, &y) != BN_OK ||
      bn_h5_read_dmat(f, "/A_true", md, m, &a) != BN_OK)
    return 1;
  bn_h5_close(f);
  const double *A = bn_dmat_cdata(a), *Y = bn_dmat_cdata(y);
  double *u = calloc((size_t)m, sizeof(double)),
         *v = calloc((size_t)m, sizeof(double));
  for (int i = 0; i < m; i++) {
    u[i] = A[i * m + ai] - A[i * m + aj]; /* T_S = I - u u^T   */
    v[i] = A[i * m + ai] + A[i * m + aj]; /* the start, x 1/sqrt 2 */
  }
  bn_dist_create_uniform(ctx, 4 * p, &p4);
  bn_dmat_create(p4, m, &y4);
  double *o = bn_dmat_data(y4);
  for (bn_idx_t j = 0; j < p; j++) {
    const double *yj = Y + j * m;
    double *r[4];
    for (int g = 0; g < 4; g++) r[g] = o + (g * p + j) * m;
    memcpy(r[0], yj, (size_t)m * sizeof(double));
    /* T_F y = 2 (c_I a_I + c_J a_J) - y */
    double ci = 0, cj = 0, su = 0;
    for (int i = 0; i < m; i++) {
      ci += A[i * m + ai] * yj[i];
      cj += A[i * m + aj] * yj[i];
      su += u[i] * yj[i];
    }
    for (int i = 0; i < m; i++) {
      r[1][i] = yj[i] - su * u[i];
      r[2][i] = 2.0 * (ci * A[i * m + ai] + cj * A[i * m + aj]) - yj[i];
    }
    double s2 = 0;
    for (int i = 0; i < m; i++) s2 += u[i] * r[2][i];
    for (int i = 0; i < m; i++) r[3][i] = r[2][i] - s2 * u[i];
  }
  bn_dmat_duplicate(a, &am);
  int rc = 0;
  if (bn_h5_create(ctx, out, 0, &f) != BN_OK ||
      bn_h5_write_dmat(f, "/Y", y4) != BN_OK ||
      bn_h5_write_dmat(f, "/A_true", am) != BN_OK || bn_h5_commit(f) != BN_OK)
    rc = 1;
  bn_h5_close(f);
  for (int i = 0; i < m; i++) v[i] /= sqrt(2.0);
  if (rc == 0 && (bn_h5_create(ctx, start, 0, &f) != BN_OK ||
                  bn_h5_write_f64(f, "/q", m, 0, m, v) != BN_OK ||
                  bn_h5_commit(f) != BN_OK))
    rc = 1;
  bn_h5_close(f);
  free(u);
  free(v);
  bn_dmat_destroy(y);
  bn_dmat_destroy(y4);
  bn_dmat_destroy(a);
  bn_dmat_destroy(am);
  bn_dist_destroy(pd);
  bn_dist_destroy(md);
  bn_dist_destroy(p4);
  return rc;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  bn_ctx_t *ctx;
  bn_ctx_create(MPI_COMM_WORLD, &ctx);
  int rc = 2;
  if (argc == 4 || argc == 6)
    rc = run(ctx, argv[1], argv[2], argv[3], argc == 6 ? atoi(argv[4]) : 0,
             argc == 6 ? atoi(argv[5]) : 1);
  else
    fprintf(stderr, "usage: tool_dictsaddle IN DATA START [I J]\n");
  if (rc == 1) fprintf(stderr, "tool_dictsaddle: %s\n", bn_error_message(ctx));
  bn_ctx_destroy(ctx);
  MPI_Finalize();
  return rc;
}
