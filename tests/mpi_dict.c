/* Dictionary learning (benign dict), at 1, 2 and 3 processes:
 *  - the sphere objective (losses huber and l4, with and without an atom
 *    deflated) and the l4 objective on O(m): the Riemannian gradient
 *    against central differences of f along tangent directions, the
 *    Riemannian Hessian-vector product against central differences of the
 *    gradient field along retracted curves (projected), its symmetry;
 *  - the l4 objective's dense Hessian at the truth is positive definite on
 *    the tangent space (every eigenvalue a sizable fraction of the
 *    largest), as the landscape theory says of a minimizer;
 *  - each matching-stretching-projection step (the l4 sweep) and each l4
 *    fixed-point step on the sphere increases |W Y|_4^4 (|q^T Y|_4^4);
 *  - the objective at a point is the same at every process count as on
 *    one process (1e-12 relative), preconditioned or not, and the
 *    ScaLAPACK paths (eigendecomposition of Y Y^T, polar factor) agree
 *    with LAPACK's (--scalapack-min=2);
 *  - recovery: l4 (MSP, on all the samples and with the sample
 *    continuation) and sphere (huber, deflation) learn every atom of an
 *    orthogonal m = 12 dictionary (|cos| > 0.99) from random starts; the
 *    derivatives and the process-count independence hold on a coarse
 *    level too (every 64th sample); tests/mpi_dict_l4.c has the rest of
 *    l4's continuation and the null directions;
 *  - bad input (NaN sample, fewer samples than the dimension) is refused
 *    with one agreed error. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benign/benign.h"
#include "check.h"
#include "dict_fixture.h"
#include "problems/dict/dict.h"

/* Gradient and Hessian-vector product against finite differences. */
static void test_derivatives(bn_ctx_t *ctx, bn_optdef_t *defs, const char *in,
                             const char *const *kv, const char *name,
                             int deflate) {
  fx_t f;
  if (!fx_open(ctx, defs, in, kv, &f)) return;
  size_t n = f.obj.n + 1;
  double *g = calloc(n, 8), *d = calloc(n, 8), *v = calloc(n, 8);
  double *hv = calloc(n, 8), *hu = calloc(n, 8), *xp = calloc(n, 8);
  double *gp = calloc(n, 8), *gm = calloc(n, 8);
  if (deflate) { /* keep a random unit vector as an atom */
    int kept;
    bn_solver_t *s = fx_solver(ctx, "gd", 1e-10, 0);
    CHECK_OK(ctx, f.ops->init(f.d, f.opts, f.x));
    CHECK_OK(ctx, bn_solver_solve(s, &f.obj, f.x));
    CHECK_OK(ctx, bn_dict_accept(f.d, f.x, s, NULL, &kept));
    bn_solver_destroy(s);
  }
  CHECK_OK(ctx, f.ops->init(f.d, f.opts, f.x));
  double fv, fp, fm, h = 1e-5;
  CHECK_OK(ctx, f.obj.eval(f.d, f.x, &fv, g));
  double gg = fx_dot(&f, g, g);
  memcpy(d, g, f.obj.n * sizeof(double));
  CHECK_OK(ctx, f.obj.project(f.d, f.x, d));
  for (size_t i = 0; i < f.obj.n; i++) d[i] -= g[i];
  CHECK(sqrt(fx_dot(&f, d, d)) <= 1e-12 * sqrt(gg) + 1e-15,
        "%s: the gradient is not tangent", name);
  for (int k = 0; k < 3; k++) {
    fx_tangent(&f, 100 + k, d);
    fx_tangent(&f, 200 + k, v);
    double gd = fx_dot(&f, g, d);
    /* f along the retracted curve R(x + s d): its derivative at 0 is
     * <grad f, d>, and the second-order retraction error cancels in the
     * central difference. */
    for (size_t i = 0; i < f.obj.n; i++) xp[i] = f.x[i] + h * d[i];
    CHECK_OK(ctx, f.obj.retract(f.d, xp));
    CHECK_OK(ctx, f.obj.eval(f.d, xp, &fp, NULL));
    for (size_t i = 0; i < f.obj.n; i++) xp[i] = f.x[i] - h * d[i];
    CHECK_OK(ctx, f.obj.retract(f.d, xp));
    CHECK_OK(ctx, f.obj.eval(f.d, xp, &fm, NULL));
    double fd = (fp - fm) / (2 * h);
    CHECK(fabs(fd - gd) <= 1e-6 * (fabs(gd) + 1e-3 * fabs(fv)),
          "%s: gradient along direction %d: FD %.12g vs %.12g", name, k, fd,
          gd);
    /* The gradient field along R(x + s v), projected at x. */
    for (size_t i = 0; i < f.obj.n; i++) xp[i] = f.x[i] + h * v[i];
    CHECK_OK(ctx, f.obj.retract(f.d, xp));
    CHECK_OK(ctx, f.obj.eval(f.d, xp, &fp, gp));
    for (size_t i = 0; i < f.obj.n; i++) xp[i] = f.x[i] - h * v[i];
    CHECK_OK(ctx, f.obj.retract(f.d, xp));
    CHECK_OK(ctx, f.obj.eval(f.d, xp, &fm, gm));
    for (size_t i = 0; i < f.obj.n; i++) gp[i] = (gp[i] - gm[i]) / (2 * h);
    CHECK_OK(ctx, f.obj.project(f.d, f.x, gp));
    CHECK_OK(ctx, f.obj.hvp(f.d, f.x, v, hv));
    for (size_t i = 0; i < f.obj.n; i++) gm[i] = gp[i] - hv[i];
    double err = sqrt(fx_dot(&f, gm, gm)), nrm = sqrt(fx_dot(&f, hv, hv));
    CHECK(err <= 1e-5 * nrm,
          "%s: hvp direction %d: |FD - Hv| = %.3g, |Hv| = %.3g", name, k, err,
          nrm);
    CHECK_OK(ctx, f.obj.hvp(f.d, f.x, d, hu));
    double a = fx_dot(&f, d, hv), b = fx_dot(&f, v, hu);
    CHECK(fabs(a - b) <= 1e-11 * (fabs(a) + fabs(b)) + 1e-14,
          "%s: <d, H v> = %.17g but <v, H d> = %.17g", name, a, b);
    if (k == 0 && bn_ctx_rank(ctx) == 0)
      printf("%s: hvp vs FD %.2g (|Hv| %.3g), gradient FD %.2g\n", name,
             err / nrm, nrm, fabs(fd - gd) / (fabs(gd) + 1e-300));
  }
  free(g), free(d), free(v), free(hv), free(hu), free(xp), free(gp), free(gm);
  fx_close(&f);
}

/* The l4 objective's Hessian at the truth: positive definite on O(m) (all
 * the samples: a coarse level's subset has other minimizers). */
static void test_hessian_at_truth(bn_ctx_t *ctx, bn_optdef_t *defs,
                                  const char *in) {
  const char *kv[] = {"method=l4", "l4-coarse=0", "l4-single=false", NULL};
  fx_t f;
  if (!fx_open(ctx, defs, in, kv, &f)) return;
  bool have = false;
  CHECK_OK(ctx, f.ops->truth(f.d, f.x, &have));
  CHECK(have, "l4: no truth point");
  int64_t nn = f.d->m * f.d->m, cnt = 0;
  double *eig = calloc((size_t)nn, sizeof(double));
  CHECK_OK(ctx, bn_hessian_eigs(ctx, &f.obj, f.x, nn, eig, &cnt));
  int64_t tdim = f.d->m * (f.d->m - 1) / 2;
  CHECK(cnt == tdim, "l4: tangent dimension %lld, expected %lld",
        (long long)cnt, (long long)tdim);
  if (cnt > 0) {
    CHECK(eig[0] > 0.05 * eig[cnt - 1],
          "l4 at the truth: Hessian eigenvalues from %.4g to %.4g", eig[0],
          eig[cnt - 1]);
    if (bn_ctx_rank(ctx) == 0)
      printf("l4 at the truth: %lld Hessian eigenvalues in [%.4g, %.4g]\n",
             (long long)cnt, eig[0], eig[cnt - 1]);
  }
  /* At the end of MSP from a random start: Lanczos (the certificate's
   * lambda_min) against the dense spectrum. */
  bn_solver_t *s = fx_solver(ctx, "als", 1e-10, 500);
  CHECK_OK(ctx, f.ops->init(f.d, f.opts, f.x));
  CHECK_OK(ctx, bn_solver_solve(s, &f.obj, f.x));
  CHECK_OK(ctx, bn_hessian_eigs(ctx, &f.obj, f.x, nn, eig, &cnt));
  bn_cert_params_t cp;
  bn_cert_params_default(&cp);
  cp.gtol = 1e-6;
  bn_cert_t c;
  CHECK_OK(ctx, bn_certify(ctx, &f.obj, f.x, &cp, &c, NULL));
  /* Lanczos's value is an upper bound of the dense one; it equals it
   * once the Lanczos basis is kept tangent (see the report on
   * src/landscape/lanczos.c: without that, rounding drives the basis into
   * the normal space, where H = P Hess P has the eigenvalue 0). */
  CHECK(cnt > 0 && c.lambda_min >= -c.htol &&
            c.lambda_min <= eig[0] + 1e-6 * eig[cnt - 1],
        "l4 after MSP: Lanczos lambda_min %.10g, dense %.10g", c.lambda_min,
        cnt > 0 ? eig[0] : NAN);
  CHECK(cnt > 0 && eig[0] > 0.05 * eig[cnt - 1],
        "l4 after MSP: Hessian eigenvalues from %.4g to %.4g",
        cnt > 0 ? eig[0] : NAN, cnt > 0 ? eig[cnt - 1] : NAN);
  CHECK(c.verdict == BN_CERT_LOCAL_MIN, "l4 after MSP: verdict %s",
        bn_cert_verdict_string(c.verdict));
  if (bn_ctx_rank(ctx) == 0)
    printf("l4 after MSP: lambda_min %.6g (Lanczos), %.6g (dense)\n",
           c.lambda_min, eig[0]);
  bn_solver_destroy(s);
  free(eig);
  fx_close(&f);
}

/* Each sweep raises |.|_4^4 (f = -|.|_4^4 / 4p falls). */
static void test_monotone(bn_ctx_t *ctx, bn_optdef_t *defs, const char *in,
                          const char *const *kv, const char *name) {
  fx_t f;
  if (!fx_open(ctx, defs, in, kv, &f)) return;
  CHECK_OK(ctx, f.ops->init(f.d, f.opts, f.x));
  double fv, prev;
  CHECK_OK(ctx, f.obj.eval(f.d, f.x, &prev, NULL));
  const double first = prev;
  int up = 0;
  for (int it = 0; it < 25; it++) {
    CHECK_OK(ctx, f.obj.sweep(f.d, f.x));
    CHECK_OK(ctx, f.obj.eval(f.d, f.x, &fv, NULL));
    up += fv > prev + 1e-13 * fabs(prev);
    prev = fv;
  }
  CHECK(up == 0, "%s: the objective rose in %d of 25 sweeps", name, up);
  CHECK(prev < first - 1e-3 * fabs(first),
        "%s: 25 sweeps moved f only from %.12g to %.12g", name, first, prev);
  fx_close(&f);
}

/* f (and |grad|) at the start point on this communicator and on one
 * process alone. */
static void test_counts(bn_ctx_t *ctx, bn_optdef_t *defs, const char *in,
                        const char *const *kv, const char *name) {
  fx_t f;
  if (!fx_open(ctx, defs, in, kv, &f)) return;
  double fv, *g = calloc(f.obj.n + 1, 8);
  CHECK_OK(ctx, f.ops->init(f.d, f.opts, f.x));
  CHECK_OK(ctx, f.obj.eval(f.d, f.x, &fv, g));
  double gn = sqrt(fx_dot(&f, g, g)), ref[2] = {0, 0};
  if (bn_ctx_rank(ctx) == 0) {
    bn_ctx_t *self;
    bn_ctx_create(MPI_COMM_SELF, &self);
    const char *k1[8];
    int nk = 0;
    for (; kv[nk] && nk < 6; nk++) k1[nk] = kv[nk];
    k1[nk++] = "scalapack-min=1000"; /* LAPACK on one process */
    k1[nk] = NULL;
    fx_t s;
    if (fx_open(self, defs, in, k1, &s)) {
      double *gs = calloc(s.obj.n + 1, 8);
      CHECK_OK(self, s.ops->init(s.d, s.opts, s.x));
      CHECK_OK(self, s.obj.eval(s.d, s.x, &ref[0], gs));
      ref[1] = sqrt(fx_dot(&s, gs, gs));
      free(gs);
      fx_close(&s);
    }
    bn_ctx_destroy(self);
  }
  MPI_Bcast(ref, 2, MPI_DOUBLE, 0, bn_ctx_comm(ctx));
  CHECK(fabs(fv - ref[0]) <= 1e-12 * fabs(ref[0]),
        "%s: f = %.17g here, %.17g on one process", name, fv, ref[0]);
  CHECK(fabs(gn - ref[1]) <= 1e-9 * ref[1],
        "%s: |grad| = %.17g here, %.17g on one process", name, gn, ref[1]);
  free(g);
  fx_close(&f);
}

/* Every true atom recovered (|cos| > 0.99 in the data's coordinates). */
static void test_recovery(bn_ctx_t *ctx, bn_optdef_t *defs, const char *in,
                          const char *const *kv, const char *name) {
  fx_t f;
  if (!fx_open(ctx, defs, in, kv, &f)) return;
  fx_learn(&f, 1e-9);
  bn_dict_report_t r;
  CHECK_OK(ctx, bn_dict_finish(f.d, &r));
  CHECK(r.matched == 1.0 && r.min_cos > 0.99,
        "%s: %.0f%% of the atoms matched, min |cos| %.6f", name,
        100 * r.matched, r.min_cos);
  CHECK(r.rep_error < 0.2, "%s: representation error %.3g", name, r.rep_error);
  if (bn_ctx_rank(ctx) == 0)
    printf("%s: min |cos| %.6f, sparsity %.3f, rep error %.3g\n", name,
           r.min_cos, r.sparsity, r.rep_error);
  fx_close(&f);
}

/* An input the problem must refuse with an agreed error. */
static void test_refused(bn_ctx_t *ctx, bn_optdef_t *defs, const char *in,
                         const char *want) {
  bn_opts_t *o = NULL;
  void *data = NULL;
  CHECK_OK(ctx, bn_opts_create(ctx, defs, &o));
  CHECK_OK(ctx, bn_opts_set(o, "input", in, BN_SRC_CMDLINE));
  bn_status_t st = bn_problem_find("dict")->create(ctx, o, &data);
  CHECK(st != BN_OK && bn_error_agreed(ctx) &&
            strstr(bn_error_message(ctx), want),
        "%s: expected an agreed error with '%s', got %d '%s'", in, want,
        (int)st, bn_error_message(ctx));
  bn_error_clear(ctx);
  if (data) bn_problem_find("dict")->destroy(data);
  bn_opts_destroy(o);
}

/* A p x m /Y with a NaN in sample 3, or too few samples. */
static void write_bad(bn_ctx_t *ctx, const char *path, bn_idx_t p, int m,
                      int nan) {
  bn_dist_t *d = NULL;
  bn_dmat_t *y = NULL;
  bn_h5_t *f = NULL;
  CHECK_OK(ctx, bn_dist_create_uniform(ctx, p, &d));
  CHECK_OK(ctx, bn_dmat_create(d, m, &y));
  bn_dmat_fill_normal(y, 3, 64, 1.0);
  bn_idx_t r0 = bn_dmat_first_row(y);
  if (nan && r0 <= 3 && 3 < r0 + bn_dmat_local_rows(y))
    bn_dmat_data(y)[(3 - r0) * m + 1] = NAN;
  CHECK_OK(ctx, bn_h5_create(ctx, path, 0, &f));
  CHECK_OK(ctx, bn_h5_write_dmat(f, "/Y", y));
  CHECK_OK(ctx, bn_h5_commit(f));
  bn_h5_close(f);
  bn_dmat_destroy(y);
  bn_dist_destroy(d);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  bn_ctx_t *ctx;
  bn_ctx_create(MPI_COMM_WORLD, &ctx);
  char dir[512] = "", in[4][600];
  const char *names[4] = {"orth", "gauss", "nan", "few"};
  if (bn_ctx_rank(ctx) == 0) {
    const char *base = getenv("TMPDIR");
    snprintf(dir, sizeof(dir), "%s/bn_dict_XXXXXX", base ? base : "/tmp");
    if (!mkdtemp(dir)) dir[0] = '\0';
  }
  MPI_Bcast(dir, sizeof(dir), MPI_CHAR, 0, MPI_COMM_WORLD);
  for (int k = 0; k < 4; k++)
    snprintf(in[k], sizeof(in[k]), "%s/%s.h5", dir, names[k]);
  bn_dict_gen_t g[2] = {
      {12, 6000, 12, "orthogonal", 0.3, 0.0, 0.0, 0.0, 10.0, 0, 5},
      {8, 3000, 8, "gaussian", 0.3, 0.01, 0.0, 0.0, 10.0, 0, 6}};
  for (int k = 0; k < 2; k++)
    CHECK_OK(ctx, bn_generate_dict(ctx, &g[k], in[k]));
  write_bad(ctx, in[2], 50, 4, 1);
  write_bad(ctx, in[3], 5, 8, 0);
  bn_optdef_t *defs = fx_defs();

  const char *sh[] = {"method=sphere", "loss=huber", NULL};
  const char *s4[] = {"method=sphere", "loss=l4", NULL};
  /* The derivatives, monotonicity and counts are those of the double-
   * precision objective (--l4-single=false); the single-precision search
   * (the default) is in the recovery tests. */
  const char *l4[] = {"method=l4", "l4-coarse=0", "l4-single=false", NULL};
  const char *l4c[] = {"method=l4", "l4-single=false",
                       NULL}; /* the first level: 1/64 */
  const char *l4n[] = {"method=l4", "precondition=false", "l4-coarse=0",
                       "l4-single=false", NULL};
  const char *ov[] = {"method=overcomplete", NULL};
  test_derivatives(ctx, defs, in[0], sh, "sphere huber", 0);
  test_derivatives(ctx, defs, in[0], sh, "sphere huber, deflated", 1);
  test_derivatives(ctx, defs, in[0], s4, "sphere l4", 0);
  test_derivatives(ctx, defs, in[1], s4, "sphere l4, gaussian A, deflated", 1);
  test_derivatives(ctx, defs, in[0], l4, "l4 on O(m)", 0);
  test_derivatives(ctx, defs, in[0], l4c, "l4 on O(m), samples 1/64", 0);
  test_counts(ctx, defs, in[0], l4c, "l4, samples 1/64");
  test_derivatives(ctx, defs, in[1], l4n, "l4 on O(m), not preconditioned", 0);
  test_hessian_at_truth(ctx, defs, in[0]);
  test_monotone(ctx, defs, in[0], l4, "MSP");
  test_monotone(ctx, defs, in[1], l4n, "MSP, not preconditioned");
  test_monotone(ctx, defs, in[0], ov, "l4 fixed point on the sphere");
  test_counts(ctx, defs, in[0], sh, "sphere huber");
  test_counts(ctx, defs, in[1], l4n, "l4, not preconditioned");
  const char *l4s[] = {"method=l4", "scalapack-min=2", "l4-single=false", NULL};
  const char *shs[] = {"method=sphere", "scalapack-min=2", NULL};
  test_counts(ctx, defs, in[0], l4s, "l4, ScaLAPACK");
  test_counts(ctx, defs, in[1], shs, "sphere, ScaLAPACK preconditioner");
  test_recovery(ctx, defs, in[0], l4, "l4 (MSP, extrapolated: aals)");
  const char *l4p[] = {"method=l4", "l4-coarse=0", "solver=als", NULL};
  test_recovery(ctx, defs, in[0], l4p, "l4 (plain MSP: als)");
  test_recovery(ctx, defs, in[0], l4c, "l4 (MSP), sample continuation");
  const char *l4f[] = {"method=l4", "l4-coarse=0", NULL};
  const char *l4fc[] = {"method=l4", NULL};
  test_recovery(ctx, defs, in[0], l4f, "l4 (MSP), single-precision search");
  test_recovery(ctx, defs, in[0], l4fc,
                "l4 (MSP), single-precision search and continuation");
  test_recovery(ctx, defs, in[0], l4s, "l4 (MSP), ScaLAPACK polar");
  const char *shr[] = {"method=sphere", "loss=huber", "init=random", NULL};
  test_recovery(ctx, defs, in[0], shr, "sphere huber");
  test_refused(ctx, defs, in[2], "/Y row 3 (sample 3) holds a NaN");
  test_refused(ctx, defs, in[3], "at least m samples are needed");
  free(defs);
  if (bn_ctx_rank(ctx) == 0) {
    for (int k = 0; k < 4; k++) unlink(in[k]);
    rmdir(dir);
  }
  int rc = bn_test_finish("mpi_dict");
  bn_ctx_destroy(ctx);
  MPI_Finalize();
  return rc;
}
