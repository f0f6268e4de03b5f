/* Matrix completion with biases and the count-scaled ridge (issue 16):
 *  - the objective against a serial recomputation of the model
 *    mu + b_i + c_j + u_i . v_j with either ridge scale;
 *  - finite-difference checks of the gradient (biases included) and of the
 *    Hessian-vector product, with both ridge scales;
 *  - ALS with biases: every sweep lowers the objective (exact block
 *    minimization: no balancing term with count-scaled lambda > 0), and
 *    the same predictions as a one-process run;
 *  - --precision=mixed: the single-precision pass gives f and g to float
 *    accuracy (biases included), and after the switch double's numbers;
 *  - --tile-cache: the pass in column tiles gives f and g bit for bit;
 *  - a ratings-like instance: --bias reaches the noise floor on held-out
 *    entries, the model without biases does not. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "benign/benign.h"
#include "check.h"
#include "complete_fixture.h"
#include "hvp_check.h"
#include "problems/lowrank/complete_state.h"

#define N1 150
#define N2 110
#define R 3
#define NOISE 0.1

typedef struct fx {
  bn_opts_t *opts;
  const bn_problem_ops_t *ops;
  void *data;
  bn_objective_t obj;
  double *x;
} fx_t;

static void fx_open(bn_ctx_t *ctx, bn_optdef_t *defs, const char *input,
                    const char *scale, const char *bias, double lambda,
                    const char *precision, const char *tiles, fx_t *f) {
  char buf[64];
  memset(f, 0, sizeof(*f));
  CHECK_OK(ctx, bn_opts_create(ctx, defs, &f->opts));
  CHECK_OK(ctx, bn_opts_set(f->opts, "input", input, BN_SRC_CMDLINE));
  CHECK_OK(ctx, bn_opts_set(f->opts, "rank", "3", BN_SRC_CMDLINE));
  CHECK_OK(ctx, bn_opts_set(f->opts, "init", "random", BN_SRC_CMDLINE));
  CHECK_OK(ctx, bn_opts_set(f->opts, "lambda-scale", scale, BN_SRC_CMDLINE));
  CHECK_OK(ctx, bn_opts_set(f->opts, "bias", bias, BN_SRC_CMDLINE));
  CHECK_OK(ctx, bn_opts_set(f->opts, "precision", precision, BN_SRC_CMDLINE));
  CHECK_OK(ctx, bn_opts_set(f->opts, "tile-cache", tiles, BN_SRC_CMDLINE));
  snprintf(buf, sizeof(buf), "%.17g", lambda);
  CHECK_OK(ctx, bn_opts_set(f->opts, "lambda", buf, BN_SRC_CMDLINE));
  f->ops = bn_problem_find("complete");
  CHECK_OK(ctx, f->ops->create(ctx, f->opts, &f->data));
  f->ops->objective(f->data, &f->obj);
  f->x = calloc(f->obj.n + 1, sizeof(double));
  CHECK_OK(ctx, f->ops->init(f->data, f->opts, f->x));
}

static void fx_close(fx_t *f) {
  f->ops->destroy(f->data);
  bn_opts_destroy(f->opts);
  free(f->x);
}

/* Rank 0 gets the whole iterate: U (N1 x R), V (N2 x R), b (N1), c (N2). */
static void gather_all(bn_ctx_t *ctx, bn_complete_t *c, const double *x,
                       double *u, double *v, double *b, double *cc) {
  fx_gather(ctx, x, c->nu, c->nv, R, u, v);
  bn_complete_parts_t p = bn_complete_split(c, x);
  fx_gather(ctx, p.b, c->nu, c->nv, 1, b, cc); /* [b | c] is laid out so */
}

/* The objective from the file's entries on one process. */
static double serial_objective(const char *input, const double *u,
                               const double *v, const double *b,
                               const double *cc, double lambda, int count,
                               double *mean) {
  bn_ctx_t *self;
  bn_ctx_create(MPI_COMM_SELF, &self);
  bn_h5_t *f;
  int nd;
  bn_idx_t dims[4];
  bn_h5_open(self, input, &f);
  bn_h5_shape(f, "/omega/row", &nd, dims);
  bn_idx_t n = dims[0];
  int64_t *row = malloc(n * sizeof(int64_t)),
          *col = malloc(n * sizeof(int64_t));
  double *val = malloc(n * sizeof(double));
  double *cnt = calloc(N1 + N2, sizeof(double));
  bn_h5_read_i64(f, "/omega/row", 0, n, row);
  bn_h5_read_i64(f, "/omega/col", 0, n, col);
  bn_h5_read_f64(f, "/omega/val", 0, n, val);
  bn_h5_close(f);
  double p = (double)n / (N1 * N2), mu = 0, fit = 0, ridge = 0;
  for (bn_idx_t e = 0; e < n; e++) mu += val[e] / (double)n;
  for (bn_idx_t e = 0; e < n; e++) {
    double res = mu + b[row[e]] + cc[col[e]] - val[e];
    for (int k = 0; k < R; k++) res += u[row[e] * R + k] * v[col[e] * R + k];
    fit += res * res;
    cnt[row[e]] += 1;
    cnt[N1 + col[e]] += 1;
  }
  for (int i = 0; i < N1 + N2; i++) {
    const double *w = i < N1 ? u + i * R : v + (i - N1) * R;
    double a = i < N1 ? b[i] * b[i] : cc[i - N1] * cc[i - N1];
    for (int k = 0; k < R; k++) a += w[k] * w[k];
    ridge += (count ? cnt[i] / p : 1.0) * a;
  }
  double bal = 0; /* the balancing term: uniform scale only */
  for (int a = 0; a < R && !count; a++)
    for (int q = 0; q < R; q++) {
      double d = 0;
      for (int i = 0; i < N1; i++) d += u[i * R + a] * u[i * R + q];
      for (int j = 0; j < N2; j++) d -= v[j * R + a] * v[j * R + q];
      bal += d * d;
    }
  free(row), free(col), free(val), free(cnt);
  bn_ctx_destroy(self);
  *mean = mu;
  return fit / (2 * p) + bal / 8 + lambda / 2 * ridge;
}

/* A direction keyed by global index, the same on any number of processes
 * (biases included). */
static void direction(bn_complete_t *c, int t, double *d) {
  bn_complete_parts_t q = bn_complete_split(c, d);
  bn_idx_t u0 = bn_dist_first(c->rdist), v0 = bn_dist_first(c->cdist);
  for (bn_idx_t i = 0; i < c->nu * R; i++)
    q.u[i] = bn_rng_normal(55, 10 + t, (uint64_t)(u0 * R + i), 0);
  for (bn_idx_t j = 0; j < c->nv * R; j++)
    q.v[j] = bn_rng_normal(55, 20 + t, (uint64_t)(v0 * R + j), 0);
  for (bn_idx_t i = 0; i < c->nu; i++)
    q.b[i] = bn_rng_normal(55, 30 + t, (uint64_t)(u0 + i), 0);
  for (bn_idx_t j = 0; j < c->nv; j++)
    q.c[j] = bn_rng_normal(55, 40 + t, (uint64_t)(v0 + j), 0);
}

/* --precision=mixed at x (f, g: double precision's there): the
 * single-precision pass gives f and g to float accuracy (biases
 * included), and once switched to double the same numbers as double. */
static void mixed_check(bn_ctx_t *ctx, bn_optdef_t *defs, const char *input,
                        const char *scale, const double *x, double fd,
                        const double *gd, size_t n) {
  fx_t m;
  fx_open(ctx, defs, input, scale, "true", 0.2, "mixed", "auto", &m);
  bn_complete_t *c = m.data;
  double *g = calloc(n + 1, sizeof(double)), *e = calloc(n + 1, sizeof(double));
  for (int k = 0; k < 2; k++) {
    double fm;
    CHECK(!c->dbl, "mixed: in double before the first pass");
    if (k == 1) c->dbl = true;
    CHECK_OK(ctx, m.obj.eval(m.data, x, &fm, g));
    for (size_t i = 0; i < n; i++) e[i] = g[i] - gd[i];
    double ge = sqrt(hc_dot(ctx, e, e, n)), gn = sqrt(hc_dot(ctx, gd, gd, n));
    double tf = k ? 1e-13 : 1e-5, tg = k ? 1e-12 : 1e-4;
    CHECK(fabs(fm - fd) <= tf * fabs(fd), "%s mixed (%s): f %.12g vs %.12g",
          scale, k ? "switched" : "float", fm, fd);
    CHECK(ge <= tg * gn, "%s mixed (%s): |g - g_double| = %g, |g| = %g", scale,
          k ? "switched" : "float", ge, gn);
    CHECK(k == 1 || ge > 0, "%s mixed: the float pass gave double's numbers",
          scale);
    c->dbl = false;
  }
  free(g), free(e);
  fx_close(&m);
}

/* --tile-cache: the pass over the entries in column tiles (512 bytes: 14
 * tiles of 8 ghost rows here) gives f and g bit for bit as untiled, in
 * double and mixed precision, with and without the gradient. */
static void tiles_check(bn_ctx_t *ctx, bn_optdef_t *defs, const char *input,
                        const char *scale, const double *x, size_t n) {
  const char *prec[2] = {"double", "mixed"};
  for (int k = 0; k < 2; k++) {
    fx_t a, b;
    fx_open(ctx, defs, input, scale, "true", 0.2, prec[k], "0", &a);
    fx_open(ctx, defs, input, scale, "true", 0.2, prec[k], "512", &b);
    bn_complete_t *cb = b.data;
    int nt = bn_complete_tiles(cb, k ? sizeof(float) : sizeof(double), true);
    CHECK(nt > 1, "%s %s: %d tiles with --tile-cache=512", scale, prec[k], nt);
    CHECK(bn_complete_tiles(a.data, sizeof(double), true) == 1,
          "--tile-cache=0 tiles the pass");
    double *ga = calloc(n + 1, sizeof(double)), *gb = calloc(n + 1, 8);
    double fa, fb, fa0, fb0;
    CHECK_OK(ctx, a.obj.eval(a.data, x, &fa, ga));
    CHECK_OK(ctx, b.obj.eval(b.data, x, &fb, gb));
    CHECK_OK(ctx, a.obj.eval(a.data, x, &fa0, NULL));
    CHECK_OK(ctx, b.obj.eval(b.data, x, &fb0, NULL));
    CHECK(fa == fb && fa0 == fb0, "%s %s tiled: f %.17g, %.17g vs %.17g, %.17g",
          scale, prec[k], fb, fb0, fa, fa0);
    CHECK(!memcmp(ga, gb, n * sizeof(double)),
          "%s %s tiled: the gradient differs", scale, prec[k]);
    free(ga), free(gb);
    fx_close(&a);
    fx_close(&b);
  }
}

static void test_model(bn_ctx_t *ctx, bn_optdef_t *defs, const char *input) {
  const char *scales[2] = {"uniform", "count"};
  for (int s = 0; s < 2; s++) {
    fx_t f;
    fx_open(ctx, defs, input, scales[s], "true", 0.2, "double", "auto", &f);
    bn_complete_t *c = f.data;
    /* Far from the optimum, biases away from their start. */
    double *d = calloc(f.obj.n + 1, sizeof(double));
    double *g = calloc(f.obj.n + 1, sizeof(double));
    double *xp = calloc(f.obj.n + 1, sizeof(double));
    direction(c, 7, d);
    for (size_t i = 0; i < f.obj.n; i++) f.x[i] = 30 * f.x[i] + 0.3 * d[i];
    double *u = calloc(N1 * R, sizeof(double)), *v = calloc(N2 * R, 8);
    double *b = calloc(N1 + N2, sizeof(double)), *cc = b + N1;
    gather_all(ctx, c, f.x, u, v, b, cc);
    double fv, mean;
    CHECK_OK(ctx, f.obj.eval(f.data, f.x, &fv, g));
    if (bn_ctx_rank(ctx) == 0) {
      double ref = serial_objective(input, u, v, b, cc, 0.2, s, &mean);
      CHECK(fabs(fv - ref) <= 1e-10 * fabs(ref),
            "%s: objective %.17g vs serial %.17g", scales[s], fv, ref);
      CHECK(fabs(c->mean - mean) <= 1e-12 * fabs(mean),
            "%s: mean %.17g vs %.17g", scales[s], c->mean, mean);
    }
    for (int t = 0; t < 3; t++) { /* central differences of f */
      direction(c, t, d);
      double gd = hc_dot(ctx, g, d, f.obj.n), h = 1e-4, fp, fm;
      for (size_t i = 0; i < f.obj.n; i++) xp[i] = f.x[i] + h * d[i];
      CHECK_OK(ctx, f.obj.eval(f.data, xp, &fp, NULL));
      for (size_t i = 0; i < f.obj.n; i++) xp[i] = f.x[i] - h * d[i];
      CHECK_OK(ctx, f.obj.eval(f.data, xp, &fm, NULL));
      double fd = (fp - fm) / (2 * h);
      CHECK(fabs(fd - gd) <= 1e-6 * fabs(gd),
            "%s direction %d: FD %.12g vs "
            "<g,d> %.12g",
            scales[s], t, fd, gd);
    }
    mixed_check(ctx, defs, input, scales[s], f.x, fv, g, f.obj.n);
    tiles_check(ctx, defs, input, scales[s], f.x, f.obj.n);
    double *w = calloc(f.obj.n + 1, sizeof(double));
    direction(c, 3, d);
    direction(c, 4, w);
    char name[64];
    snprintf(name, sizeof(name), "complete bias %s", scales[s]);
    CHECK(hc_check(ctx, &f.obj, f.x, d, w, name) > 0, "%s: H v = 0", name);
    free(d), free(g), free(xp), free(w), free(u), free(v), free(b);
    fx_close(&f);
  }
}

/* n sweeps of ALS (column systems from `group`, in `chunks` chunks);
 * objective non-increasing; predictions on rank 0. */
static void als_run(bn_ctx_t *ctx, bn_optdef_t *defs, const char *input,
                    int sweeps, int group, int chunks, double *pred) {
  fx_t f;
  fx_open(ctx, defs, input, "count", "true", 0.05, "double", "auto", &f);
  bn_complete_t *c = f.data;
  c->als_group = group;
  c->als_nchunks = chunks;
  double fprev, fv;
  int up = 0;
  CHECK_OK(ctx, f.obj.eval(f.data, f.x, &fprev, NULL));
  for (int k = 0; k < sweeps; k++) {
    CHECK_OK(ctx, f.obj.sweep(f.data, f.x));
    CHECK_OK(ctx, f.obj.eval(f.data, f.x, &fv, NULL));
    up += fv > fprev * (1 + 1e-12);
    fprev = fv;
  }
  CHECK(up == 0, "ALS with biases: the objective rose in %d of %d sweeps", up,
        sweeps);
  double *u = calloc(N1 * R, sizeof(double)), *v = calloc(N2 * R, 8);
  double *b = calloc(N1 + N2, sizeof(double)), *cc = b + N1;
  gather_all(ctx, c, f.x, u, v, b, cc);
  if (bn_ctx_rank(ctx) == 0)
    for (int i = 0; i < N1; i++)
      for (int j = 0; j < N2; j++) {
        double y = c->mean + b[i] + cc[j];
        for (int k = 0; k < R; k++) y += u[i * R + k] * v[j * R + k];
        pred[i * N2 + j] = y;
      }
  free(u), free(v), free(b);
  fx_close(&f);
}

/* Also: the column systems from row blocks in one chunk, and from column
 * ranges in 4 chunks, give the same sweeps (up to rounding). */
static void test_als(bn_ctx_t *ctx, bn_optdef_t *defs, const char *input) {
  double *pa = calloc(N1 * N2, sizeof(double));
  double *pb = calloc(N1 * N2, sizeof(double));
  double *pc = calloc(N1 * N2, sizeof(double));
  als_run(ctx, defs, input, 15, 1, 1, pa);
  als_run(ctx, defs, input, 15, 2, 4, pc);
  if (bn_ctx_rank(ctx) == 0) {
    double d = 0, mm = 0;
    for (int i = 0; i < N1 * N2; i++) {
      d = fmax(d, fabs(pa[i] - pc[i]));
      mm = fmax(mm, fabs(pa[i]));
    }
    CHECK(d <= 1e-9 * mm,
          "ALS column ranges in 4 chunks differ from row "
          "blocks by %g",
          d);
    bn_ctx_t *self;
    bn_ctx_create(MPI_COMM_SELF, &self);
    als_run(self, defs, input, 15, 0, 0, pb);
    double md = 0;
    for (int i = 0; i < N1 * N2; i++) md = fmax(md, fabs(pa[i] - pb[i]));
    CHECK(md <= 1e-9 * mm, "ALS with biases differs from 1 process by %g", md);
    bn_ctx_destroy(self);
  }
  free(pa), free(pb), free(pc);
}

/* Held-out RMSE after ALS: near the noise with biases, not without. */
static void test_recovery(bn_ctx_t *ctx, bn_optdef_t *defs, const char *input) {
  const char *bias[2] = {"true", "false"};
  double rmse[2];
  for (int k = 0; k < 2; k++) {
    fx_t f;
    fx_open(ctx, defs, input, "count", bias[k], 0.01, "double", "auto", &f);
    for (int s = 0; s < 40; s++) CHECK_OK(ctx, f.obj.sweep(f.data, f.x));
    double rel;
    CHECK_OK(ctx, f.obj.metrics(f.data, f.x, &rel, &rmse[k]));
    fx_close(&f);
  }
  CHECK(rmse[0] < 1.3 * NOISE, "--bias=true: test RMSE %g, noise %g", rmse[0],
        NOISE);
  CHECK(rmse[1] > 2 * NOISE, "--bias=false: test RMSE %g, noise %g", rmse[1],
        NOISE);
  if (bn_ctx_rank(ctx) == 0)
    printf("held-out RMSE with biases %.4f, without %.4f (noise %g)\n", rmse[0],
           rmse[1], NOISE);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  bn_ctx_t *ctx;
  bn_ctx_create(MPI_COMM_WORLD, &ctx);
  char dir[512], input[600];
  fx_tmpdir(MPI_COMM_WORLD, dir, sizeof(dir));
  snprintf(input, sizeof(input), "%s/in.h5", dir);
  bn_complete_gen_t g = {N1,  N2, R,   0.5,  0.15, NOISE,
                         1.5, 8,  0.8, -2.0, 8.0,  false};
  CHECK_OK(ctx, bn_generate_complete(ctx, &g, input, NULL));
  bn_optdef_t *defs = fx_defs();
  test_model(ctx, defs, input);
  test_als(ctx, defs, input);
  test_recovery(ctx, defs, input);
  free(defs);
  MPI_Barrier(MPI_COMM_WORLD);
  if (bn_ctx_rank(ctx) == 0) {
    unlink(input);
    rmdir(dir);
  }
  bn_ctx_destroy(ctx);
  int rc = bn_test_finish("mpi_complete_bias");
  MPI_Finalize();
  return rc;
}
