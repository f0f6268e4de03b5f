/* Phase retrieval, coded diffraction patterns (phase_cdp.h): the operator
 * against a direct DFT of d_l .* z on small images, the adjoint identity
 * <A z, w> = <z, A^H w> (complex, both parts; w keyed by the global
 * measurement index), finite-difference checks of the gradient and of the
 * Hessian-vector product (intensity, amplitude and reweighted amplitude
 * losses), --method=auto (raf from the optimal start), the metric's
 * phase removal, and the same initial point, objective, gradient and gd
 * answer as a one-process run with recovery < 1e-7 (L = 6 on a 64 x 64
 * image and 6 on 10 x 7; the amplitude loss's FD checks are on the small
 * image: on 64 x 64 at a random point some |u_i| are so small that the
 * central difference of its 1/|u| curvature misses 1e-6 by ~10x; the test runs
 * at 1, 2 and 3 processes, where FFTW's slabs are uneven: 64 = 22 + 22 + 20).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benign/generate.h"
#include "phase_fixture.h"
#include "problems/phase/phase_cdp.h"

/* <A z, w> = sum conj(u_i) w_i and <z, A^H w> = sum conj(z_j) g_j. */
static void test_adjoint(bn_ctx_t *ctx, bn_phase_t *s, const char *name) {
  size_t len = 2 * (size_t)s->n, ml = (size_t)s->ml;
  double *z = malloc(len * sizeof(double)), *g = calloc(len, sizeof(double));
  double *u = calloc(2 * ml + 1, 8), *w = calloc(2 * ml + 1, 8);
  bn_rng_fill_normal(3, 300, 0, len, z);
  for (size_t k = 0; k < ml; k++) {
    uint64_t i = (uint64_t)bn_phase_cdp_global(s, (bn_idx_t)k);
    w[2 * k] = bn_rng_normal(3, 301, i, 0);
    w[2 * k + 1] = bn_rng_normal(3, 301, i, 1);
  }
  bn_phase_forward(s, z, u);
  bn_phase_adjoint(s, w, g);
  bn_allreduce_sum(ctx, g, len);
  double lhs[2] = {0, 0}, rhs[2] = {0, 0};
  for (size_t i = 0; i < ml; i++) {
    double ur = u[2 * i], ui = u[2 * i + 1], wr = w[2 * i], wi = w[2 * i + 1];
    lhs[0] += ur * wr + ui * wi;
    lhs[1] += ur * wi - ui * wr;
  }
  MPI_Allreduce(MPI_IN_PLACE, lhs, 2, MPI_DOUBLE, MPI_SUM, bn_ctx_comm(ctx));
  for (size_t j = 0; j < len / 2; j++) {
    double zr = z[2 * j], zi = z[2 * j + 1], gr = g[2 * j], gi = g[2 * j + 1];
    rhs[0] += zr * gr + zi * gi;
    rhs[1] += zr * gi - zi * gr;
  }
  double sc = fabs(rhs[0]) + fabs(rhs[1]);
  CHECK(fabs(lhs[0] - rhs[0]) <= 1e-12 * sc &&
            fabs(lhs[1] - rhs[1]) <= 1e-12 * sc,
        "%s: <Az, w> = %.17g%+.17gi, <z, A^H w> = %.17g%+.17gi", name, lhs[0],
        lhs[1], rhs[0], rhs[1]);
  free(z), free(g), free(u), free(w);
}

/* A z against sum_j d_l(j) z_j exp(-2 pi i (r k_r / h + c k_c / w)) for
 * every measurement of the rank (small images only), and the masks'
 * values: octanary, |d|^2 in {1/2, 3}. */
static void test_direct(bn_ctx_t *ctx, bn_phase_t *s, const char *name) {
  const bn_cdp_t *c = s->md;
  const bn_idx_t h = c->h, w = c->w, n = s->n;
  size_t len = 2 * (size_t)n, ml = (size_t)s->ml;
  double *z = malloc(len * 8), *u = calloc(2 * ml + 1, 8), err = 0, sc = 0;
  bn_rng_fill_normal(4, 302, 0, len, z);
  bn_phase_forward(s, z, u);
  int badmask = 0;
  for (size_t k = 0; k < ml; k++) {
    int64_t i = bn_phase_cdp_global(s, (bn_idx_t)k);
    int l = (int)(i / n);
    bn_idx_t kr = (i % n) / w, kc = (i % n) % w;
    double ar = 0, ai = 0;
    for (bn_idx_t j = 0; j < n; j++) {
      double d[2];
      bn_cdp_mask(c->seed, l, n, j, d);
      double a2 = d[0] * d[0] + d[1] * d[1];
      if (fabs(a2 - 0.5) > 1e-15 && fabs(a2 - 3.0) > 1e-15) badmask = 1;
      double t =
          -6.283185307179586477 * ((double)((j / w) * kr % h) / (double)h +
                                   (double)((j % w) * kc % w) / (double)w);
      double er = cos(t), ei = sin(t);
      double pr = d[0] * z[2 * j] - d[1] * z[2 * j + 1];
      double pi = d[0] * z[2 * j + 1] + d[1] * z[2 * j];
      ar += pr * er - pi * ei;
      ai += pr * ei + pi * er;
    }
    err = fmax(err, hypot(ar - u[2 * k], ai - u[2 * k + 1]));
    sc = fmax(sc, hypot(ar, ai));
  }
  double v[2] = {err, sc};
  MPI_Allreduce(MPI_IN_PLACE, v, 2, MPI_DOUBLE, MPI_MAX, bn_ctx_comm(ctx));
  MPI_Allreduce(MPI_IN_PLACE, &badmask, 1, MPI_INT, MPI_MAX, bn_ctx_comm(ctx));
  CHECK(v[0] <= 1e-12 * v[1], "%s: FFT vs direct DFT: max error %g (scale %g)",
        name, v[0], v[1]);
  CHECK(!badmask, "%s: a mask value is not octanary", name);
  free(z), free(u);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  bn_ctx_t *ctx;
  bn_ctx_create(MPI_COMM_WORLD, &ctx);
  bn_ctx_set_log_level(ctx, BN_LOG_QUIET); /* no init lines */
  char dir[512] = "", in[3][600];
  const char *names[3] = {"cdp64", "cdp10x7", "cdp10x7-amp"};
  int rank = bn_ctx_rank(ctx);
  if (rank == 0) {
    const char *base = getenv("TMPDIR");
    snprintf(dir, sizeof(dir), "%s/bn_cdp_XXXXXX", base ? base : "/tmp");
    if (!mkdtemp(dir)) dir[0] = '\0';
  }
  MPI_Bcast(dir, sizeof(dir), MPI_CHAR, 0, MPI_COMM_WORLD);
  bn_phase_cdp_gen_t g[3] = {{64, 64, 6, "random", "intensity", 0, 5},
                             {10, 7, 6, "smooth", "intensity", 0, 6},
                             {10, 7, 6, "random", "amplitude", 0, 7}};
  for (int k = 0; k < 3; k++) {
    snprintf(in[k], sizeof(in[k]), "%s/%s.h5", dir, names[k]);
    CHECK_OK(ctx, bn_generate_phase_cdp(ctx, &g[k], in[k]));
  }
  bn_optdef_t *defs = fx_defs();
  for (int k = 0; k < 3; k++) {
    fx_t f;
    fx_open(ctx, defs, in[k], "wf", NULL, &f);
    test_adjoint(ctx, f.data, names[k]);
    if (k > 0) test_direct(ctx, f.data, names[k]);
    fx_close(&f);
    test_metric(ctx, defs, in[k], names[k]);
  }
  const char *cases[][3] = {{"cdp64", "wf", "cdp64/intensity"},
                            {"cdp64", "twf", "cdp64/intensity twf"},
                            {"cdp10x7", "rwf", "cdp10x7/amplitude"},
                            {"cdp10x7-amp", "raf", "cdp10x7 amp/amplitude"},
                            {"cdp64", "raf-loss", "cdp64/reweighted"},
                            {"cdp10x7", "auto", "cdp10x7/auto"}};
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    int k = 0;
    while (strcmp(names[k], cases[c][0])) k++;
    test_derivatives(ctx, defs, in[k], cases[c][1], cases[c][2], true);
    test_same(ctx, defs, in[k], cases[c][1], cases[c][2], 1e-12, 4000, true);
  }
  free(defs);
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank == 0) {
    for (int k = 0; k < 3; k++) unlink(in[k]);
    rmdir(dir);
  }
  bn_ctx_destroy(ctx);
  int rc = bn_test_finish("mpi_cdp");
  MPI_Finalize();
  return rc;
}
