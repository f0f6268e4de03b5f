/* Short-and-sparse blind deconvolution (src/problems/sasd*.c), 1-D
 * (replicated) and 2-D (FFTW-MPI slabs, uneven at 3 processes: 20 = 7 + 7 +
 * 6 rows):
 *   - psi = 1/2 ||a (*) x - y||^2 from the spectra against a direct
 *     circular convolution (a in its 3k - 2 window, x and y keyed by the
 *     global index);
 *   - the x-gradient against central differences along a random direction;
 *   - the Riemannian a-gradient (Euclidean minus its radial part) against
 *     central differences along a geodesic of the sphere, a(t) = cos t a +
 *     sin t v with v a unit tangent;
 *   - the spectral circular shift against the shifted array;
 *   - a generated 64 x 64 image with a 5 x 5 kernel: recovered (kernel
 *     error < 1e-3) and the same kernel, objective and iterations as a
 *     one-process solve (on MPI_COMM_SELF of rank 0) of the same file. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benign/benign.h"
#include "check.h"
#include "problems/sasd/sasd_state.h"

static double fy(bn_idx_t i, bn_idx_t j, bn_idx_t w) {
  return bn_rng_normal(7, 200, (uint64_t)(i * w + j), 0);
}
static double fxv(bn_idx_t i, bn_idx_t j, bn_idx_t w) {
  return bn_rng_normal(7, 201, (uint64_t)(i * w + j), 0);
}
static double fd_dir(bn_idx_t i, bn_idx_t j, bn_idx_t w) {
  return bn_rng_normal(7, 203, (uint64_t)(i * w + j), 0);
}

static double dot_local(const bn_sasd_grid_t *g, const double *u,
                        const double *v) {
  double s = 0;
  for (bn_idx_t i = 0; i < g->n0; i++)
    for (bn_idx_t j = 0; j < g->w; j++)
      s += u[(size_t)i * g->ws + j] * v[(size_t)i * g->ws + j];
  return s;
}

static double psi_at(bn_sasd_t *s, const double *a, const double *x,
                     fftw_complex *A, fftw_complex *X) {
  double f = 0;
  bn_sasd_kernel_spec(s->g, a, s->kh, s->kw, A);
  bn_sasd_real_spec(s->g, x, X);
  CHECK_OK(s->ctx, bn_sasd_psi(s, A, X, &f, NULL, NULL));
  return f;
}

static void test_gradients(bn_ctx_t *ctx, int dims, bn_idx_t h, bn_idx_t w,
                           int k) {
  bn_sasd_t *s = NULL;
  CHECK_OK(ctx, bn_sasd_setup(ctx, dims, h, w, k, false, &s));
  if (!s) return;
  bn_sasd_grid_t *g = s->g;
  for (bn_idx_t i = 0; i < g->n0; i++)
    for (bn_idx_t j = 0; j < w; j++)
      s->y[(size_t)i * g->ws + j] = fy(g->r0 + i, j, w);
  CHECK_OK(ctx, bn_sasd_ready(s));
  const size_t nw = (size_t)s->kh * s->kw, nr = 2 * g->alloc;
  double *a = calloc(nw, sizeof(double)), *v = calloc(nw, sizeof(double));
  double *at = calloc(nw, sizeof(double)), *ga = calloc(nw, sizeof(double));
  double *x = (double *)bn_sasd_alloc(g), *d = (double *)bn_sasd_alloc(g);
  double *xt = (double *)bn_sasd_alloc(g), *gx = (double *)bn_sasd_alloc(g);
  fftw_complex *A = bn_sasd_alloc(g), *X = bn_sasd_alloc(g);
  bn_rng_fill_normal(7, 202, 0, nw, a);
  bn_rng_fill_normal(7, 204, 0, nw, v);
  double n = 0, c = 0;
  for (size_t i = 0; i < nw; i++) n += a[i] * a[i];
  for (size_t i = 0; i < nw; i++) a[i] /= sqrt(n);
  for (size_t i = 0; i < nw; i++) c += a[i] * v[i];
  n = 0;
  for (size_t i = 0; i < nw; i++) v[i] -= c * a[i], n += v[i] * v[i];
  for (size_t i = 0; i < nw; i++) v[i] /= sqrt(n);
  for (bn_idx_t i = 0; i < g->n0; i++)
    for (bn_idx_t j = 0; j < w; j++) {
      x[(size_t)i * g->ws + j] = fxv(g->r0 + i, j, w);
      d[(size_t)i * g->ws + j] = fd_dir(g->r0 + i, j, w);
    }
  /* psi against the direct convolution */
  double f = 0;
  bn_sasd_kernel_spec(g, a, s->kh, s->kw, A);
  bn_sasd_real_spec(g, x, X);
  CHECK_OK(ctx, bn_sasd_psi(s, A, X, &f, gx, ga));
  double fdir = 0;
  for (bn_idx_t i = 0; i < g->n0; i++)
    for (bn_idx_t j = 0; j < w; j++) {
      bn_idx_t gi = g->r0 + i;
      double cv = 0;
      for (int p = 0; p < s->kh; p++)
        for (int q = 0; q < s->kw; q++)
          cv += a[p * s->kw + q] *
                fxv(((gi - p) % g->h + g->h) % g->h, ((j - q) % w + w) % w, w);
      double r = cv - fy(gi, j, w);
      fdir += 0.5 * r * r;
    }
  CHECK_OK(ctx, bn_sasd_sum(g, &fdir, 1));
  CHECK_CLOSE(f, fdir, 1e-12);
  /* x-gradient: psi is quadratic in x, the central difference is exact
   * up to rounding */
  const double e = 1e-4;
  for (size_t i = 0; i < nr; i++) xt[i] = x[i] + e * d[i];
  double fp = psi_at(s, a, xt, A, X);
  for (size_t i = 0; i < nr; i++) xt[i] = x[i] - e * d[i];
  double fm = psi_at(s, a, xt, A, X);
  double an = dot_local(g, gx, d);
  CHECK_OK(ctx, bn_sasd_sum(g, &an, 1));
  CHECK_CLOSE((fp - fm) / (2 * e), an, 1e-7);
  /* Riemannian a-gradient along the geodesic through a with velocity v */
  double rg = 0, ra = 0;
  for (size_t i = 0; i < nw; i++) ra += ga[i] * a[i];
  for (size_t i = 0; i < nw; i++) rg += (ga[i] - ra * a[i]) * v[i];
  const double t = 1e-5;
  for (size_t i = 0; i < nw; i++) at[i] = cos(t) * a[i] + sin(t) * v[i];
  fp = psi_at(s, at, x, A, X);
  for (size_t i = 0; i < nw; i++) at[i] = cos(t) * a[i] - sin(t) * v[i];
  fm = psi_at(s, at, x, A, X);
  CHECK_CLOSE((fp - fm) / (2 * t), rg, 1e-6);
  /* circular shift forward by (d0, d1) */
  const bn_idx_t d0 = dims == 2 ? 3 : 0, d1 = 5;
  memcpy(xt, x, nr * sizeof(double));
  bn_sasd_shift(g, xt, d0, d1);
  double md = 0;
  for (bn_idx_t i = 0; i < g->n0; i++)
    for (bn_idx_t j = 0; j < w; j++) {
      bn_idx_t gi = g->r0 + i;
      double want =
          fxv(((gi - d0) % g->h + g->h) % g->h, ((j - d1) % w + w) % w, w);
      md = fmax(md, fabs(xt[(size_t)i * g->ws + j] - want));
    }
  CHECK(md < 1e-12, "%d-D shift: max error %g", dims, md);
  free(a);
  free(v);
  free(at);
  free(ga);
  fftw_free(x);
  fftw_free(d);
  fftw_free(xt);
  fftw_free(gx);
  fftw_free(A);
  fftw_free(X);
  bn_sasd_free(s);
}

static void solve_file(bn_ctx_t *ctx, const char *path, bn_sasd_result_t *r) {
  bn_sasd_t *s = NULL;
  bn_sasd_params_t p = {.lambda = 0,
                        .lambda_ratio = 0.02,
                        .lambda_start = 0.5,
                        .eta = 0.8,
                        .momentum = 0.9,
                        .tol = 1e-6,
                        .stage_tol = 1e-3,
                        .stage_iter = 100,
                        .max_iter = 2000,
                        .seed = 1};
  CHECK_OK(ctx, bn_sasd_read(ctx, path, 0, false, false, &s));
  if (s) CHECK_OK(ctx, bn_sasd_solve(s, &p, r));
  bn_sasd_free(s);
}

static void test_recovery(bn_ctx_t *ctx) {
  int rank = bn_ctx_rank(ctx);
  char path[64] = "";
  if (rank == 0) {
    snprintf(path, sizeof path, "/tmp/bn_mpi_sasd_%d.h5", (int)getpid());
  }
  MPI_Bcast(path, sizeof path, MPI_CHAR, 0, MPI_COMM_WORLD);
  bn_sasd_gen_t gp = {.dims = 2,
                      .h = 64,
                      .w = 64,
                      .k = 5,
                      .theta = 0.09,
                      .noise = 0,
                      .kernel = "gaussian",
                      .seed = 3};
  CHECK_OK(ctx, bn_sasd_generate(ctx, &gp, path));
  bn_sasd_result_t r = {0}, r1 = {0};
  solve_file(ctx, path, &r);
  CHECK(r.kernel_error < 1e-3, "2-D kernel error %g", r.kernel_error);
  CHECK(r.converged, "2-D solve did not converge");
  /* rank 0 alone, the reference */
  double ref[27] = {0};
  if (rank == 0) {
    bn_ctx_t *c1 = NULL;
    CHECK_OK(ctx, bn_ctx_create(MPI_COMM_SELF, &c1));
    solve_file(c1, path, &r1);
    ref[0] = r1.objective;
    ref[1] = (double)r1.iterations;
    if (r1.a) memcpy(ref + 2, r1.a, 25 * sizeof(double));
    bn_sasd_result_free(&r1);
    bn_ctx_destroy(c1);
    unlink(path);
  }
  MPI_Bcast(ref, 27, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  CHECK_CLOSE(r.objective, ref[0], 1e-10);
  CHECK(r.iterations == (int64_t)ref[1], "iterations %lld vs %g",
        (long long)r.iterations, ref[1]);
  double md = 0;
  for (int i = 0; r.a && i < 25; i++) md = fmax(md, fabs(r.a[i] - ref[2 + i]));
  CHECK(md < 1e-9, "kernel differs from the 1-process one by %g", md);
  bn_sasd_result_free(&r);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  bn_ctx_t *ctx = NULL;
  bn_ctx_create(MPI_COMM_WORLD, &ctx);
  test_gradients(ctx, 1, 1, 60, 4);
  test_gradients(ctx, 2, 20, 18, 3);
  test_recovery(ctx);
  bn_ctx_destroy(ctx);
  int rc = bn_test_finish("mpi_sasd");
  MPI_Finalize();
  return rc;
}
