/* Multichannel sparse blind deconvolution (benign deconv), at 1, 2 and 3
 * processes:
 *  - bn_shift_error / bn_shift_canonical (src/linalg/shiftcorr.c):
 *    invariance to circular shifts, sign and scale in 1-D and 2-D (both
 *    the direct and the FFT search), the shift it reports, a different
 *    kernel is far, a zero array gives 1;
 *  - the objective at a point equals a direct serial evaluation (circular
 *    convolutions summed on rank 0 from the whole /Y), so the answer does
 *    not depend on the process count (uneven split at 3);
 *  - the Riemannian gradient (huber, l4) against central differences of f
 *    along geodesics, and the Riemannian Hessian-vector product against
 *    central differences of the gradient along retracted curves (projected
 *    on the tangent space), plus its symmetry;
 *  - recovery from a random start: 1-D n = 200, p = 50, theta = 0.25 with
 *    huber and l1, kernel error < 1e-8 after rounding (and the rounding
 *    improved on the solver's point); 2-D 32 x 32, p = 100, theta = 0.2
 *    (huber), error < 1e-6; the codes match /X_true;
 *  - bad input refused with one agreed error: theta outside (0, 1), a
 *    kernel larger than the signal (generator and input), an all-zero
 *    channel, /Y of the wrong rank (channels of different lengths cannot
 *    be one array). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benign/benign.h"
#include "benign/deconv.h"
#include "check.h"
#include "hvp_check.h"
#include "linalg/shiftcorr.h"
#include "problem_fixture.h"
#include "problems/deconv/deconv.h"

typedef struct fx {
  bn_ctx_t *ctx;
  bn_opts_t *opts;
  const bn_problem_ops_t *ops;
  bn_deconv_t *d;
  bn_objective_t obj;
  double *x;
} fx_t;

/* The problem's keys plus the shared solve keys. */
static bn_optdef_t *fx_defs(void) { return fx_problem_defs("deconv", NULL); }

/* Returns 1 when created; with expect_fail, checks it is refused. */
static int fx_open(bn_ctx_t *ctx, bn_optdef_t *defs, const char *input,
                   const char *const *kv, fx_t *f, int expect_fail) {
  void *data = NULL;
  memset(f, 0, sizeof(*f));
  f->ctx = ctx;
  CHECK_OK(ctx, bn_opts_create(ctx, defs, &f->opts));
  CHECK_OK(ctx, bn_opts_set(f->opts, "input", input, BN_SRC_CMDLINE));
  for (int k = 0; kv && kv[k]; k++) {
    char key[64];
    const char *eq = strchr(kv[k], '=');
    snprintf(key, sizeof key, "%.*s", (int)(eq - kv[k]), kv[k]);
    CHECK_OK(ctx, bn_opts_set(f->opts, key, eq + 1, BN_SRC_CMDLINE));
  }
  f->ops = bn_problem_find("deconv");
  CHECK(f->ops != NULL, "no problem deconv");
  bn_status_t st = f->ops->create(ctx, f->opts, &data);
  if (expect_fail) {
    CHECK(st != BN_OK && bn_error_agreed(ctx), "%s: bad input accepted", input);
    if (bn_ctx_rank(ctx) == 0 && st != BN_OK)
      printf("refused as expected: %s\n", bn_error_message(ctx));
    bn_error_clear(ctx);
    if (data) f->ops->destroy(data);
    bn_opts_destroy(f->opts);
    return 0;
  }
  CHECK(st == BN_OK, "create %s: %s", input, bn_error_message(ctx));
  if (st != BN_OK) {
    if (data) f->ops->destroy(data);
    bn_opts_destroy(f->opts);
    return 0;
  }
  f->d = data;
  f->ops->objective(data, &f->obj);
  f->x = calloc(f->obj.n + 1, sizeof(double));
  return 1;
}

static void fx_close(fx_t *f) {
  f->ops->destroy(f->d);
  bn_opts_destroy(f->opts);
  free(f->x);
}

static double fx_dot(fx_t *f, const double *a, const double *b) {
  return hc_dot(f->ctx, a, b, f->obj.n);
}

static void test_shiftcorr(void) {
  const size_t hs[3] = {1, 7, 16}, ws[3] = {40, 5, 16};
  for (int c = 0; c < 3; c++) {
    size_t h = hs[c], w = ws[c], hw = h * w, got = 99;
    double *a = malloc(hw * 8), *b = malloc(hw * 8), *e = malloc(hw * 8);
    for (size_t i = 0; i < hw; i++) {
      a[i] = bn_rng_normal(3, 200, i, 0);
      e[i] = bn_rng_normal(3, 201, i, 0);
    }
    size_t s = (h > 1 ? 3 * w : 0) + 4;
    bn_shift_apply(a, h, w, s, b);
    for (size_t i = 0; i < hw; i++) b[i] *= -2.5;
    double err = bn_shift_error(b, a, h, w, &got);
    CHECK(err < 1e-14 && got == s, "%zux%zu: error %.3g shift %zu (want %zu)",
          h, w, err, got, s);
    double far = bn_shift_error(e, a, h, w, NULL);
    CHECK(far > 0.3, "%zux%zu: unrelated kernels at error %.3g", h, w, far);
    bn_shift_canonical(a, h, w);
    bn_shift_canonical(b, h, w);
    double d2 = 0, n2 = 0;
    for (size_t i = 0; i < hw; i++) d2 += (a[i] - b[i]) * (a[i] - b[i]);
    for (size_t i = 0; i < hw; i++) n2 += a[i] * a[i];
    CHECK(d2 < 1e-28 && fabs(n2 - 1) < 1e-14 && a[0] > 0,
          "%zux%zu: canonical forms differ by %.3g (norm^2 %.17g)", h, w, d2,
          n2);
    memset(e, 0, hw * 8);
    CHECK(bn_shift_error(e, a, h, w, NULL) == 1.0, "zero array: not 1");
    free(a), free(b), free(e);
  }
}

/* f at a point against the direct sum on rank 0 (whole /Y, O(p N^2)). */
static void test_serial(bn_ctx_t *ctx, bn_optdef_t *defs, const char *in) {
  const char *kv[] = {"loss=huber", NULL};
  fx_t f;
  if (!fx_open(ctx, defs, in, kv, &f, 0)) return;
  bn_deconv_t *d = f.d;
  const int64_t N = d->N, p = d->p;
  double fv;
  CHECK_OK(ctx, f.ops->init(f.d, f.opts, f.x));
  CHECK_OK(ctx, f.obj.eval(f.d, f.x, &fv, NULL));
  if (bn_ctx_rank(ctx) == 0) {
    /* Serial: P from the whole /Y, then ybar_i (*) q directly. */
    bn_h5_t *h5 = NULL;
    bn_ctx_t *self = NULL;
    bn_ctx_create(MPI_COMM_SELF, &self);
    double *y = malloc((size_t)(p * N) * 8);
    CHECK_OK(self, bn_h5_open(self, in, &h5));
    CHECK_OK(self, bn_h5_read_slab_f64(h5, "/Y", 0, p, y));
    bn_h5_close(h5);
    /* ybar_i = ifft(phat .* fft(y_i)) with d's phat (checked below to be
     * the right one: its definition uses the sum over all channels). */
    double *yb = malloc((size_t)(p * N) * 8), s = 0;
    for (int64_t i = 0; i < p; i++) {
      memcpy(d->rb, y + i * N, (size_t)N * 8);
      fftw_execute(d->fwd);
      for (int64_t k = 0; k < d->nc; k++)
        d->cb[k][0] *= d->phat[k] / (double)N,
            d->cb[k][1] *= d->phat[k] / (double)N;
      fftw_execute(d->bwd);
      memcpy(yb + i * N, d->rb, (size_t)N * 8);
    }
    for (int64_t i = 0; i < p; i++)
      for (int64_t j0 = 0; j0 < d->h; j0++)
        for (int64_t j1 = 0; j1 < d->w; j1++) {
          double z = 0;
          for (int64_t k0 = 0; k0 < d->h; k0++)
            for (int64_t k1 = 0; k1 < d->w; k1++)
              z += f.x[k0 * d->w + k1] *
                   yb[i * N + ((j0 - k0 + d->h) % d->h) * d->w +
                      (j1 - k1 + d->w) % d->w];
          s += fabs(z) < d->mu ? 0.5 * z * z / d->mu : fabs(z) - 0.5 * d->mu;
        }
    s /= (double)(N * p);
    CHECK(fabs(s - fv) <= 1e-12 * fabs(s), "f = %.17g, serial %.17g", fv, s);
    /* phat: the power spectrum summed over every channel. */
    double worst = 0;
    for (int64_t k = 0; k < d->nc; k++) {
      double acc = 0;
      for (int64_t i = 0; i < p; i++) {
        memcpy(d->rb, y + i * N, (size_t)N * 8);
        fftw_execute(d->fwd);
        acc += d->cb[k][0] * d->cb[k][0] + d->cb[k][1] * d->cb[k][1];
      }
      double want = 1.0 / sqrt(acc / (d->theta * (double)(N * p)));
      worst = fmax(worst, fabs(d->phat[k] - want) / want);
      if (k > 8) break;
    }
    CHECK(worst < 1e-12, "preconditioner off by %.3g", worst);
    printf("serial objective: %.17g vs %.17g\n", fv, s);
    free(y), free(yb);
    bn_ctx_destroy(self);
  }
  fx_close(&f);
}

/* Gradient along geodesics; Hessian along retracted curves. */
static void test_derivatives(bn_ctx_t *ctx, bn_optdef_t *defs, const char *in,
                             const char *loss) {
  char lk[32];
  snprintf(lk, sizeof lk, "loss=%s", loss);
  const char *kv[] = {lk, NULL};
  fx_t f;
  if (!fx_open(ctx, defs, in, kv, &f, 0)) return;
  size_t n = f.obj.n + 1;
  double *g = calloc(n, 8), *v = calloc(n, 8), *u = calloc(n, 8);
  double *xp = calloc(n, 8), *gp = calloc(n, 8), *gm = calloc(n, 8);
  double *hv = calloc(n, 8), *hu = calloc(n, 8);
  double fx0, fp, fm;
  CHECK_OK(ctx, f.ops->init(f.d, f.opts, f.x));
  CHECK_OK(ctx, f.obj.eval(f.d, f.x, &fx0, g));
  for (size_t i = 0; i < f.obj.n; i++) {
    v[i] = bn_rng_normal(7, 300, i, 0);
    u[i] = bn_rng_normal(7, 301, i, 0);
  }
  CHECK_OK(ctx, f.obj.project(f.d, f.x, v));
  CHECK_OK(ctx, f.obj.project(f.d, f.x, u));
  double vn = sqrt(fx_dot(&f, v, v));
  for (size_t i = 0; i < f.obj.n; i++) v[i] /= vn;
  /* f(exp(t v)), exp(t v) = cos t x + sin t v. */
  const double t = 1e-5;
  for (size_t i = 0; i < f.obj.n; i++) xp[i] = cos(t) * f.x[i] + sin(t) * v[i];
  CHECK_OK(ctx, f.obj.eval(f.d, xp, &fp, NULL));
  for (size_t i = 0; i < f.obj.n; i++) xp[i] = cos(t) * f.x[i] - sin(t) * v[i];
  CHECK_OK(ctx, f.obj.eval(f.d, xp, &fm, NULL));
  double fd = (fp - fm) / (2 * t), an = fx_dot(&f, g, v);
  double gn = sqrt(fx_dot(&f, g, g)), xg = fx_dot(&f, f.x, g);
  CHECK(fabs(fd - an) <= 1e-6 * gn, "%s: <grad, v> = %.12g, FD %.12g", loss, an,
        fd);
  CHECK(fabs(xg) <= 1e-12 * gn, "%s: gradient not tangent (%.3g)", loss, xg);
  /* Hessian: P_x (g(R(x + h v)) - g(R(x - h v))) / 2h. */
  /* Small: the huber loss's second derivative jumps at |z| = mu, and
   * entries that cross it within the difference spoil it. */
  const double h = 1e-7;
  for (size_t i = 0; i < f.obj.n; i++) xp[i] = f.x[i] + h * v[i];
  CHECK_OK(ctx, f.obj.retract(f.d, xp));
  CHECK_OK(ctx, f.obj.eval(f.d, xp, &fp, gp));
  for (size_t i = 0; i < f.obj.n; i++) xp[i] = f.x[i] - h * v[i];
  CHECK_OK(ctx, f.obj.retract(f.d, xp));
  CHECK_OK(ctx, f.obj.eval(f.d, xp, &fm, gm));
  for (size_t i = 0; i < f.obj.n; i++) gp[i] = (gp[i] - gm[i]) / (2 * h);
  CHECK_OK(ctx, f.obj.project(f.d, f.x, gp));
  CHECK_OK(ctx, f.obj.hvp(f.d, f.x, v, hv));
  CHECK_OK(ctx, f.obj.hvp(f.d, f.x, u, hu));
  for (size_t i = 0; i < f.obj.n; i++) gm[i] = gp[i] - hv[i];
  double err = sqrt(fx_dot(&f, gm, gm)), hn = sqrt(fx_dot(&f, hv, hv));
  CHECK(hn > 0 && err <= 1e-5 * hn, "%s: |Hv - FD| / |Hv| = %.3g", loss,
        err / hn);
  double a = fx_dot(&f, u, hv), b = fx_dot(&f, v, hu);
  CHECK(fabs(a - b) <= 1e-10 * fmax(fabs(a), fabs(b)),
        "%s: <u, Hv> = %.17g, <v, Hu> = %.17g", loss, a, b);
  if (bn_ctx_rank(ctx) == 0)
    printf("%s: gradient vs FD %.2g, hvp vs FD %.2g, symmetry %.2g\n", loss,
           fabs(fd - an) / gn, err / hn, fabs(a - b) / fmax(fabs(a), fabs(b)));
  free(g), free(v), free(u), free(xp), free(gp), free(gm), free(hv), free(hu);
  fx_close(&f);
}

static void test_recovery(bn_ctx_t *ctx, bn_optdef_t *defs, const char *in,
                          const char *loss, double tol, int64_t seed) {
  char lk[32], sk[32];
  snprintf(lk, sizeof lk, "loss=%s", loss);
  snprintf(sk, sizeof sk, "seed=%lld", (long long)seed);
  const char *kv[] = {lk, sk, NULL};
  fx_t f;
  if (!fx_open(ctx, defs, in, kv, &f, 0)) return;
  bn_solver_t *s = NULL;
  bn_solver_params_t p;
  bn_solver_params_default(&p);
  p.tol = 1e-6;
  p.max_iter = bn_deconv_max_iter(f.d);
  p.progress = false;
  CHECK_OK(ctx, bn_solver_create(ctx, bn_deconv_solver(f.d), &s));
  bn_solver_set_params(s, &p);
  CHECK_OK(ctx, f.ops->init(f.d, f.opts, f.x));
  double t0 = MPI_Wtime();
  CHECK_OK(ctx, bn_solver_solve(s, &f.obj, f.x));
  bn_deconv_report_t rep;
  CHECK_OK(ctx, bn_deconv_finish(f.d, f.x, &rep));
  double secs = MPI_Wtime() - t0;
  CHECK(rep.kernel_error < tol,
        "%s: kernel error %.3g (before rounding "
        "%.3g), wanted < %.1g",
        loss, rep.kernel_error, rep.kernel_error_pre, tol);
  CHECK(rep.kernel_error <= rep.kernel_error_pre,
        "%s: rounding made it worse (%.3g -> %.3g)", loss, rep.kernel_error_pre,
        rep.kernel_error);
  CHECK(rep.codes_error < 1e-4, "%s: codes error %.3g", loss, rep.codes_error);
  if (bn_ctx_rank(ctx) == 0)
    printf(
        "%s %lldx%lld p=%lld: %lld iterations, kernel error %.3g -> %.3g "
        "(%d rounds, %d CG), codes %.3g, %.3f s\n",
        loss, (long long)f.d->h, (long long)f.d->w, (long long)f.d->p,
        (long long)bn_solver_iterations(s), rep.kernel_error_pre,
        rep.kernel_error, rep.rounds, rep.cg_iterations, rep.codes_error, secs);
  bn_solver_destroy(s);
  fx_close(&f);
}

/* A file with /Y given explicitly (rank 0 writes everything). */
static void write_y(bn_ctx_t *ctx, const char *path, int nd,
                    const int64_t *dims, const double *y, int with_kernel,
                    int64_t klen) {
  bn_h5_t *f = NULL;
  int root = bn_ctx_rank(ctx) == 0;
  CHECK_OK(ctx, bn_h5_create(ctx, path, 0, &f));
  CHECK_OK(ctx, bn_h5_write_rows(f, "/Y", nd, dims, 0, root ? dims[0] : 0, y));
  if (with_kernel) {
    double *k = calloc((size_t)klen, 8);
    k[0] = 1;
    CHECK_OK(ctx,
             bn_h5_write_rows(f, "/a_true", 1, &klen, 0, root ? klen : 0, k));
    free(k);
  }
  CHECK_OK(ctx, bn_h5_commit(f));
  bn_h5_close(f);
}

static void test_bad(bn_ctx_t *ctx, bn_optdef_t *defs, const char *dir,
                     const char *good) {
  char path[600];
  fx_t f;
  const char *th[] = {"theta=1.5", NULL};
  fx_open(ctx, defs, good, th, &f, 1);
  const char *th0[] = {"theta=-0.1", NULL};
  fx_open(ctx, defs, good, th0, &f, 1);
  bn_deconv_gen_t g = {1, 20, 1, 30, 4, 0.2, 0, "gaussian", true, 1};
  snprintf(path, sizeof path, "%s/never.h5", dir);
  bn_status_t st = bn_generate_deconv(ctx, &g, path);
  CHECK(st != BN_OK && bn_error_agreed(ctx) && access(path, F_OK) != 0,
        "generator: kernel 30 > signal 20 accepted");
  bn_error_clear(ctx);
  g.kw = 5, g.theta = 1.0;
  st = bn_generate_deconv(ctx, &g, path);
  CHECK(st != BN_OK && bn_error_agreed(ctx), "generator: theta = 1 accepted");
  bn_error_clear(ctx);
  /* Channels: 4 x 16, one all zero; a kernel of 20 > 16; 1-D /Y. */
  double y[64];
  for (int i = 0; i < 64; i++) y[i] = bn_rng_normal(9, 400, (uint64_t)i, 0);
  int64_t dims[2] = {4, 16}, d1 = 64;
  snprintf(path, sizeof path, "%s/bigkernel.h5", dir);
  write_y(ctx, path, 2, dims, y, 1, 20);
  fx_open(ctx, defs, path, NULL, &f, 1);
  snprintf(path, sizeof path, "%s/ragged.h5", dir);
  write_y(ctx, path, 1, &d1, y, 0, 0);
  fx_open(ctx, defs, path, NULL, &f, 1);
  memset(y + 32, 0, 16 * sizeof(double));
  snprintf(path, sizeof path, "%s/zero.h5", dir);
  write_y(ctx, path, 2, dims, y, 0, 0);
  fx_open(ctx, defs, path, NULL, &f, 1);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  bn_ctx_t *ctx;
  bn_ctx_create(MPI_COMM_WORLD, &ctx);
  char dir[512] = "", in1[600], in2[600], ins[600];
  if (bn_ctx_rank(ctx) == 0) {
    const char *base = getenv("TMPDIR");
    snprintf(dir, sizeof(dir), "%s/bn_deconv_XXXXXX", base ? base : "/tmp");
    if (!mkdtemp(dir)) dir[0] = '\0';
  }
  MPI_Bcast(dir, sizeof(dir), MPI_CHAR, 0, MPI_COMM_WORLD);
  snprintf(in1, sizeof in1, "%s/d1.h5", dir);
  snprintf(in2, sizeof in2, "%s/d2.h5", dir);
  snprintf(ins, sizeof ins, "%s/small.h5", dir);
  bn_deconv_gen_t g1 = {1, 200, 1, 200, 50, 0.25, 0, "gaussian", true, 11};
  bn_deconv_gen_t g2 = {32, 32, 32, 32, 100, 0.2, 0, "gaussian", true, 12};
  bn_deconv_gen_t gs = {4, 6, 3, 3, 7, 0.3, 0, "motif", true, 13};
  CHECK_OK(ctx, bn_generate_deconv(ctx, &g1, in1));
  CHECK_OK(ctx, bn_generate_deconv(ctx, &g2, in2));
  CHECK_OK(ctx, bn_generate_deconv(ctx, &gs, ins));
  bn_optdef_t *defs = fx_defs();

  test_shiftcorr();
  test_serial(ctx, defs, ins);
  test_serial(ctx, defs, in1);
  test_derivatives(ctx, defs, in1, "huber");
  test_derivatives(ctx, defs, in1, "l4");
  test_derivatives(ctx, defs, in2, "huber");
  test_recovery(ctx, defs, in1, "huber", 1e-8, 1);
  test_recovery(ctx, defs, in1, "l1", 1e-8, 2);
  test_recovery(ctx, defs, in2, "huber", 1e-6, 3);
  test_bad(ctx, defs, dir, in1);

  free(defs);
  MPI_Barrier(MPI_COMM_WORLD);
  if (bn_ctx_rank(ctx) == 0 && dir[0]) {
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
  }
  int rc = bn_test_finish("mpi_deconv");
  bn_ctx_destroy(ctx);
  MPI_Finalize();
  return rc;
}
