/* Phase retrieval (complex and real Gaussian, stored and implicit,
 * intensity, amplitude and reweighted amplitude losses; --method=auto):
 * the adjoint identity <A z, w> = <z, A^H w> (complex, both parts),
 * finite-difference checks of the gradient and of the analytic Hessian-vector
 * product, the metric's phase removal, the same initial point, objective and
 * gradient as a one-process run, and recovery with the default solver (the test
 * runs at 1, 2 and 3 processes; m and n are not multiples of 2 or 3). Also: the
 * implicit model is the stored gaussian one of the same seed; the optimal
 * start's two eigensolvers (Lanczos, shifted power) agree. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "phase_fixture.h"

/* <A z, w> = sum conj(u_i) w_i and <z, A^H w> = sum conj(z_j) g_j. */
static void test_adjoint(bn_ctx_t *ctx, bn_phase_t *s, const char *name) {
  const int K = s->K;
  size_t len = (size_t)K * (size_t)s->n, ml = (size_t)K * (size_t)s->ml;
  double *z = malloc(len * sizeof(double)), *g = calloc(len, sizeof(double));
  double *u = calloc(ml + 1, sizeof(double)), *w = calloc(ml + 1, 8);
  bn_rng_fill_normal(3, 300, 0, len, z);
  bn_rng_fill_normal(3, 301, (uint64_t)K * bn_dist_first(s->mdist), ml, w);
  bn_phase_forward(s, z, u);
  bn_phase_adjoint(s, w, g);
  bn_allreduce_sum(ctx, g, len);
  double lhs[2] = {0, 0}, rhs[2] = {0, 0};
  for (size_t i = 0; i < ml / K; i++) {
    double ur = u[i * K], ui = K == 2 ? u[i * K + 1] : 0;
    double wr = w[i * K], wi = K == 2 ? w[i * K + 1] : 0;
    lhs[0] += ur * wr + ui * wi;
    lhs[1] += ur * wi - ui * wr;
  }
  MPI_Allreduce(MPI_IN_PLACE, lhs, 2, MPI_DOUBLE, MPI_SUM, bn_ctx_comm(ctx));
  for (size_t j = 0; j < len / K; j++) {
    double zr = z[j * K], zi = K == 2 ? z[j * K + 1] : 0;
    double gr = g[j * K], gi = K == 2 ? g[j * K + 1] : 0;
    rhs[0] += zr * gr + zi * gi;
    rhs[1] += zr * gi - zi * gr;
  }
  double sc = fabs(rhs[0]) + fabs(rhs[1]);
  CHECK(fabs(lhs[0] - rhs[0]) <= 1e-12 * sc &&
            fabs(lhs[1] - rhs[1]) <= 1e-12 * sc,
        "%s: <Az, w> = %.17g%+.17gi, <z, A^H w> = %.17g%+.17gi", name, lhs[0],
        lhs[1], rhs[0], rhs[1]);
  if (K == 1)
    CHECK(lhs[1] == 0 && rhs[1] == 0, "%s: real operator gave imaginary parts",
          name);
  free(z), free(g), free(u), free(w);
}

/* The optimal start by Lanczos (--power-iters=auto) and by 2000 shifted
 * power iterations: the same eigenvector (up to the global phase). */
static void test_optimal_solvers(bn_ctx_t *ctx, bn_optdef_t *defs,
                                 const char *input) {
  fx_t a, b;
  fx_open(ctx, defs, input, "raf-loss", NULL, &a);
  memset(&b, 0, sizeof(b));
  CHECK_OK(ctx, bn_opts_create(ctx, defs, &b.opts));
  CHECK_OK(ctx, bn_opts_set(b.opts, "input", input, BN_SRC_CMDLINE));
  CHECK_OK(ctx, bn_opts_set(b.opts, "method", "raf-loss", BN_SRC_CMDLINE));
  CHECK_OK(ctx, bn_opts_set(b.opts, "power-iters", "2000", BN_SRC_CMDLINE));
  fx_prob_make(ctx, "phase", &b);
  double c[4] = {0, 0, 0, 0}; /* Re, Im <x_a, x_b>, |x_a|^2, |x_b|^2 */
  for (size_t i = 0; i + 1 < a.obj.n; i += 2) {
    c[0] += a.x[i] * b.x[i] + a.x[i + 1] * b.x[i + 1];
    c[1] += a.x[i] * b.x[i + 1] - a.x[i + 1] * b.x[i];
  }
  for (size_t i = 0; i < a.obj.n; i++) {
    c[2] += a.x[i] * a.x[i];
    c[3] += b.x[i] * b.x[i];
  }
  MPI_Allreduce(MPI_IN_PLACE, c, 4, MPI_DOUBLE, MPI_SUM, bn_ctx_comm(ctx));
  double cosv = hypot(c[0], c[1]) / sqrt(c[2] * c[3]);
  CHECK(1.0 - cosv <= 1e-6,
        "optimal start: Lanczos and power iterations differ, 1 - cos = %g",
        1.0 - cosv);
  CHECK(fabs(sqrt(c[2] / c[3]) - 1.0) <= 1e-4,
        "optimal start: scale %.17g by Lanczos, %.17g by power iterations",
        sqrt(c[2]), sqrt(c[3]));
  fx_close(&a);
  fx_close(&b);
}

/* The implicit model is the stored gaussian one of the same seed. */
static void test_implicit_is_gaussian(bn_ctx_t *ctx, bn_optdef_t *defs,
                                      const char *gin, const char *iin) {
  fx_t a, b;
  fx_open(ctx, defs, gin, "wf", "random", &a);
  fx_open(ctx, defs, iin, "wf", "random", &b);
  double fa, fb;
  CHECK_OK(ctx, a.obj.eval(a.data, a.x, &fa, NULL));
  CHECK_OK(ctx, b.obj.eval(b.data, b.x, &fb, NULL));
  CHECK(fabs(fa - fb) <= 1e-13 * fabs(fa), "implicit f %.17g, gaussian %.17g",
        fb, fa);
  fx_close(&a);
  fx_close(&b);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  bn_ctx_t *ctx;
  bn_ctx_create(MPI_COMM_WORLD, &ctx);
  bn_ctx_set_log_level(ctx, BN_LOG_QUIET); /* no init lines */
  char dir[512] = "", in[4][600];
  const char *names[4] = {"complex", "real", "implicit", "amplitude"};
  int rank = bn_ctx_rank(ctx);
  if (rank == 0) {
    const char *base = getenv("TMPDIR");
    snprintf(dir, sizeof(dir), "%s/bn_phase_XXXXXX", base ? base : "/tmp");
    if (!mkdtemp(dir)) dir[0] = '\0';
  }
  MPI_Bcast(dir, sizeof(dir), MPI_CHAR, 0, MPI_COMM_WORLD);
  /* n = 31, m = 6 n + 1 = 187 (8 n + 1 = 249 real): uneven splits. */
  bn_phase_gen_t g[4] = {{31, 187, "complex", "gaussian", "intensity", 0, 5},
                         {31, 249, "real", "gaussian", "intensity", 0, 6},
                         {31, 187, "complex", "implicit", "intensity", 0, 5},
                         {31, 187, "complex", "gaussian", "amplitude", 0, 7}};
  for (int k = 0; k < 4; k++) {
    snprintf(in[k], sizeof(in[k]), "%s/%s.h5", dir, names[k]);
    CHECK_OK(ctx, bn_generate_phase(ctx, &g[k], in[k]));
  }
  bn_optdef_t *defs = fx_defs();
  test_implicit_is_gaussian(ctx, defs, in[0], in[2]);
  test_optimal_solvers(ctx, defs, in[0]);
  for (int k = 0; k < 4; k++) {
    fx_t f;
    fx_open(ctx, defs, in[k], "wf", NULL, &f);
    test_adjoint(ctx, f.data, names[k]);
    fx_close(&f);
    test_metric(ctx, defs, in[k], names[k]);
  }
  const char *cases[][3] = {{"complex", "wf", "complex/intensity"},
                            {"complex", "rwf", "complex/amplitude"},
                            {"real", "wf", "real/intensity"},
                            {"real", "raf", "real/amplitude"},
                            {"implicit", "twf", "implicit/intensity"},
                            {"amplitude", "wf", "amplitude data/intensity"},
                            {"complex", "raf-loss", "complex/reweighted"},
                            {"real", "raf-loss", "real/reweighted"},
                            {"amplitude", "auto", "amplitude data/auto"}};
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    int k = 0;
    while (strcmp(names[k], cases[c][0])) k++;
    test_derivatives(ctx, defs, in[k], cases[c][1], cases[c][2], false);
    test_same(ctx, defs, in[k], cases[c][1], cases[c][2], 1e-10, 2000, false);
  }
  free(defs);
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank == 0) {
    for (int k = 0; k < 4; k++) unlink(in[k]);
    rmdir(dir);
  }
  bn_ctx_destroy(ctx);
  int rc = bn_test_finish("mpi_phase");
  MPI_Finalize();
  return rc;
}
