/* Second-order tools on symmetric factorization f(U) = 1/4 |U U^T - M|^2
 * with M = diag(4, 1, 0, ..., 0) (n = 12, r = 2):
 *  - the finite-difference Hessian-vector product against the quadratic
 *    form d2f[D, D] = 1/2 |U D^T + D U^T|^2 + <U U^T - M, D D^T>;
 *  - lambda_min by Lanczos against the dense Hessian spectrum (LAPACK) at a
 *    saddle and at a random point;
 *  - the saddle U = [e_2, 0] (built from the non-top eigenvector e_2; the
 *    gradient is exactly zero, lambda_min = -4 along D = e_1 e_2^T): plain
 *    gradient descent stays there and the certificate says saddle; with
 *    escape the run reaches the global minimizer (relative error < 1e-6)
 *    and the certificate says approximate local minimizer.
 * Run at 1, 2 and 3 processes (12 rows: uneven at 5 and 7 ...). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "benign/benign.h"
#include "check.h"
#include "factor_fixture.h"

enum { N = 12, R = 2 };

static void write_input(bn_ctx_t *ctx, const char *path) {
  bn_dist_t *d = NULL;
  bn_dmat_t *y = NULL, *t = NULL, *z = NULL;
  bn_h5_t *f = NULL;
  CHECK_OK(ctx, bn_dist_create_uniform(ctx, N, &d));
  CHECK_OK(ctx, bn_dmat_create(d, N, &y));
  CHECK_OK(ctx, bn_dmat_create(d, R, &t));
  CHECK_OK(ctx, bn_dmat_create(d, R, &z));
  bn_idx_t first = bn_dist_first(d), nl = bn_dist_local(d);
  double *yy = bn_dmat_data(y), *tt = bn_dmat_data(t), *zz = bn_dmat_data(z);
  memset(yy, 0, sizeof(double) * (size_t)nl * N);
  memset(tt, 0, sizeof(double) * (size_t)nl * R);
  for (bn_idx_t i = 0; i < nl; i++) {
    bn_idx_t gi = first + i;
    if (gi == 0) yy[i * N + 0] = 4.0, tt[i * R + 0] = 2.0;
    if (gi == 1) yy[i * N + 1] = 1.0, tt[i * R + 1] = 1.0;
  }
  memcpy(zz, tt, sizeof(double) * (size_t)nl * R);
  CHECK_OK(ctx, bn_h5_create(ctx, path, 0, &f));
  CHECK_OK(ctx, bn_h5_write_dmat(f, "/Y", y));
  CHECK_OK(ctx, bn_h5_write_dmat(f, "/truth/U", t));
  CHECK_OK(ctx, bn_h5_write_dmat(f, "/truth/V", z));
  CHECK_OK(ctx, bn_h5_commit(f));
  bn_h5_close(f);
  bn_dmat_destroy(y);
  bn_dmat_destroy(t);
  bn_dmat_destroy(z);
  bn_dist_destroy(d);
}

/* x = the saddle [e_2, 0] on this rank's rows. */
static void saddle(const ff_t *f, double *x) {
  bn_idx_t first = bn_dist_first(f->c->rdist), nl = f->c->nu;
  memset(x, 0, sizeof(double) * (size_t)nl * R);
  for (bn_idx_t i = 0; i < nl; i++)
    if (first + i == 1) x[i * R + 0] = 1.0;
}

static double dot(const double *a, const double *b, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; i++) s += a[i] * b[i];
  MPI_Allreduce(MPI_IN_PLACE, &s, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  return s;
}

/* The finite-difference hvp's quadratic form at the saddle along
 * D = e_1 b^T: d2f = b0^2 - 4 |b|^2 (derivation in the header). */
static void test_hvp_fd(bn_ctx_t *ctx, ff_t *f) {
  bn_objective_t obj = f->obj;
  obj.hvp = NULL; /* the central difference */
  size_t n = obj.n;
  double *x = calloc(n + 1, sizeof(double)), *d = calloc(n + 1, sizeof(double)),
         *hd = calloc(n + 1, sizeof(double));
  saddle(f, x);
  const double bs[3][2] = {{1, 0}, {0, 1}, {0.6, -0.8}};
  bn_idx_t first = bn_dist_first(f->c->rdist);
  for (int k = 0; k < 3; k++) {
    memset(d, 0, sizeof(double) * n);
    for (bn_idx_t i = 0; i < f->c->nu; i++)
      if (first + i == 0) d[i * R] = bs[k][0], d[i * R + 1] = bs[k][1];
    CHECK_OK(ctx, bn_hvp(ctx, &obj, x, d, hd));
    double q = dot(d, hd, n), want = bs[k][0] * bs[k][0] - 4.0;
    CHECK(fabs(q - want) <= 1e-6 * 4, "d2f[D,D] = %.12g, want %.12g", q, want);
  }
  free(x);
  free(d);
  free(hd);
}

/* Lanczos lambda_min against the dense spectrum at x. */
static void test_lanczos(bn_ctx_t *ctx, const bn_objective_t *obj,
                         const double *x, const char *where) {
  bn_cert_params_t p;
  bn_cert_params_default(&p);
  bn_cert_t c;
  double *v = calloc(obj->n + 1, sizeof(double));
  double eig[N * R];
  int64_t cnt = 0;
  CHECK_OK(ctx, bn_lambda_min(ctx, obj, x, &p, v, &c));
  CHECK_OK(ctx, bn_hessian_eigs(ctx, obj, x, 200, eig, &cnt));
  CHECK(cnt == N * R, "%s: %lld eigenvalues", where, (long long)cnt);
  CHECK(c.lanczos_converged, "%s: Lanczos did not converge", where);
  CHECK(fabs(c.lambda_min - eig[0]) <= 1e-6 * fmax(1.0, fabs(eig[0])),
        "%s: Lanczos %.12g, dense %.12g", where, c.lambda_min, eig[0]);
  free(v);
}

static void run(bn_ctx_t *ctx, ff_t *f, bool escape, double *rel,
                bn_cert_t *cert, int64_t *escapes) {
  bn_solver_t *s = NULL;
  bn_solver_params_t p;
  CHECK_OK(ctx, bn_solver_create(ctx, "gd", &s));
  bn_solver_params_default(&p);
  p.tol = 1e-10;
  p.max_iter = 2000;
  p.progress = false;
  p.escape = escape;
  bn_solver_set_params(s, &p);
  saddle(f, f->x);
  CHECK_OK(ctx, bn_solver_solve(s, &f->obj, f->x));
  CHECK(bn_solver_reason(s) > 0, "escape=%d: reason %s", escape,
        bn_reason_string(bn_solver_reason(s)));
  double rmse;
  CHECK_OK(ctx, f->obj.metrics(f->obj.data, f->x, rel, &rmse));
  bn_cert_params_t cp;
  bn_cert_params_default(&cp);
  cp.gtol = 1e-8;
  CHECK_OK(ctx, bn_certify(ctx, &f->obj, f->x, &cp, cert, NULL));
  *escapes = bn_solver_escapes(s);
  bn_solver_destroy(s);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  bn_ctx_t *ctx = NULL;
  bn_ctx_create(MPI_COMM_WORLD, &ctx);
  bn_ctx_set_log_level(ctx, BN_LOG_QUIET);
  char dir[256], path[300];
  ff_tmpdir(MPI_COMM_WORLD, dir, sizeof(dir));
  snprintf(path, sizeof(path), "%s/diag.h5", dir);
  write_input(ctx, path);
  ff_t f;
  ff_open(ctx, path, "sym", R, "random", "3", "0.5", &f);

  test_hvp_fd(ctx, &f);
  double *x = calloc(f.obj.n + 1, sizeof(double));
  saddle(&f, x);
  test_lanczos(ctx, &f.obj, x, "saddle");
  bn_cert_params_t cp;
  bn_cert_params_default(&cp);
  cp.gtol = 1e-8;
  bn_cert_t c;
  CHECK_OK(ctx, bn_certify(ctx, &f.obj, x, &cp, &c, NULL));
  CHECK(fabs(c.lambda_min + 4.0) <= 1e-6, "lambda_min at the saddle %.12g",
        c.lambda_min);
  CHECK(c.verdict == BN_CERT_SADDLE, "verdict %s",
        bn_cert_verdict_string(c.verdict));
  test_lanczos(ctx, &f.obj, f.x, "random point"); /* f.x: random init */

  double rel;
  int64_t esc;
  run(ctx, &f, false, &rel, &c, &esc);
  CHECK(rel > 0.5, "plain gd left the saddle: rel_error %.3e", rel);
  CHECK(c.verdict == BN_CERT_SADDLE && esc == 0, "plain gd: %s, %lld escapes",
        bn_cert_verdict_string(c.verdict), (long long)esc);
  run(ctx, &f, true, &rel, &c, &esc);
  CHECK(rel < 1e-6, "escape: rel_error %.3e", rel);
  CHECK(c.verdict == BN_CERT_LOCAL_MIN, "escape: %s (lambda_min %.3e)",
        bn_cert_verdict_string(c.verdict), c.lambda_min);
  CHECK(esc >= 1, "escape: %lld escapes", (long long)esc);

  free(x);
  ff_close(&f);
  MPI_Barrier(MPI_COMM_WORLD);
  int rank;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank == 0) {
    unlink(path);
    rmdir(dir);
  }
  int rc = bn_test_finish("mpi_escape");
  bn_ctx_destroy(ctx);
  MPI_Finalize();
  return rc;
}
