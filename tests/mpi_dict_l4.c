/* Dictionary learning, method l4, at 1, 2 and 3 processes:
 *  - the sample continuation: the first level (every s-th sample by
 *    global index, s from --l4-coarse) holds the same samples at every
 *    process count, and MSP sweeps halve s one level at a time down to
 *    all the samples;
 *  - centered samples (Y Y^T has the null direction 1): l4 preconditions
 *    within the span (Ybar has no component along 1), learns a complete
 *    dictionary there; the sphere method refuses the input with one
 *    agreed message. */
#include <unistd.h>

#include "dict_fixture.h"

/* The sample continuation of l4: the first level is every s-th sample by
 * global index (the same subset at any process count), s from
 * --l4-coarse; a step that moves no atom by more than 0.05 halves s. */
static void test_levels(bn_ctx_t *ctx, bn_optdef_t *defs, const char *in) {
  const char *kv[] = {"method=l4", NULL};
  fx_t f;
  if (!fx_open(ctx, defs, in, kv, &f)) return;
  /* m = 12, p = 6000, --l4-coarse=0.5: p/s >= 72 for s = 64. */
  CHECK(f.d->l4_stride0 == 64 && f.d->l4_stride == 64 && f.d->l4_ps == 94,
        "l4 levels: first stride %lld (%lld samples), expected 64 (94)",
        (long long)f.d->l4_stride0, (long long)f.d->l4_ps);
  long long nl = f.d->l4_nl;
  MPI_Allreduce(MPI_IN_PLACE, &nl, 1, MPI_LONG_LONG, MPI_SUM, bn_ctx_comm(ctx));
  CHECK(nl == 94, "l4 levels: %lld local samples in all, expected 94", nl);
  CHECK_OK(ctx, f.ops->init(f.d, f.opts, f.x));
  int64_t last = f.d->l4_stride;
  int steps = 0;
  for (; steps < 200 && f.d->l4_stride > 1; steps++) {
    CHECK_OK(ctx, f.obj.sweep(f.d, f.x));
    CHECK(f.d->l4_stride == last || f.d->l4_stride == last / 2,
          "l4 levels: stride %lld after %lld", (long long)f.d->l4_stride,
          (long long)last);
    last = f.d->l4_stride;
  }
  CHECK(f.d->l4_stride == 1 && f.d->l4_levels == 6,
        "l4 levels: stride %lld after %d sweeps (%lld level changes)",
        (long long)f.d->l4_stride, steps, (long long)f.d->l4_levels);
  fx_close(&f);
}

/* Centered samples (each row's mean removed): Y Y^T has the null
 * direction 1; l4 preconditions within the span, the sphere method
 * refuses. */
static void test_null_direction(bn_ctx_t *ctx, bn_optdef_t *defs,
                                const char *in) {
  const char *kv[] = {"method=l4", "l4-coarse=0", NULL};
  fx_t f;
  if (!fx_open(ctx, defs, in, kv, &f)) return;
  CHECK(f.d->nnull == 1, "centered: %d null directions, expected 1",
        f.d->nnull);
  /* Ybar has no component along 1. */
  double s = 0.0, t = 0.0;
  for (bn_idx_t i = 0; i < f.d->pl; i++) {
    double r = 0.0;
    for (bn_idx_t j = 0; j < f.d->m; j++) {
      r += f.d->y[i * f.d->m + j];
      t += f.d->y[i * f.d->m + j] * f.d->y[i * f.d->m + j];
    }
    s += r * r;
  }
  double st[2] = {s, t};
  MPI_Allreduce(MPI_IN_PLACE, st, 2, MPI_DOUBLE, MPI_SUM, bn_ctx_comm(ctx));
  CHECK(st[0] <= 1e-20 * st[1], "centered: |Ybar 1|^2 = %.3g of |Ybar|^2 %.3g",
        st[0], st[1]);
  fx_learn(&f, 1e-9);
  bn_dict_report_t r;
  CHECK_OK(ctx, bn_dict_finish(f.d, &r));
  CHECK(r.rep_error < 0.1, "centered: the codes leave an error %.3g",
        r.rep_error);
  fx_close(&f);
  bn_opts_t *o = NULL;
  void *data = NULL;
  CHECK_OK(ctx, bn_opts_create(ctx, defs, &o));
  CHECK_OK(ctx, bn_opts_set(o, "input", in, BN_SRC_CMDLINE));
  CHECK_OK(ctx, bn_opts_set(o, "method", "sphere", BN_SRC_CMDLINE));
  bn_status_t st2 = bn_problem_find("dict")->create(ctx, o, &data);
  CHECK(st2 != BN_OK && bn_error_agreed(ctx) &&
            strstr(bn_error_message(ctx), "preconditions within their span"),
        "centered, sphere: expected a refusal, got %d '%s'", (int)st2,
        bn_error_message(ctx));
  bn_error_clear(ctx);
  if (data) bn_problem_find("dict")->destroy(data);
  bn_opts_destroy(o);
}

/* A p x m /Y of Gaussian samples, each centered (its mean removed). */
static void write_centered(bn_ctx_t *ctx, const char *path, bn_idx_t p, int m) {
  bn_dist_t *d = NULL;
  bn_dmat_t *y = NULL;
  bn_h5_t *f = NULL;
  CHECK_OK(ctx, bn_dist_create_uniform(ctx, p, &d));
  CHECK_OK(ctx, bn_dmat_create(d, m, &y));
  bn_dmat_fill_normal(y, 3, 64, 1.0);
  for (bn_idx_t i = 0; i < bn_dmat_local_rows(y); i++) {
    double *row = bn_dmat_data(y) + i * m, mean = 0.0;
    for (int j = 0; j < m; j++) mean += row[j] / m;
    for (int j = 0; j < m; j++) row[j] -= mean;
  }
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
  char dir[512] = "", in[2][600];
  if (bn_ctx_rank(ctx) == 0) {
    const char *base = getenv("TMPDIR");
    snprintf(dir, sizeof(dir), "%s/bn_dict_l4_XXXXXX", base ? base : "/tmp");
    if (!mkdtemp(dir)) dir[0] = '\0';
  }
  MPI_Bcast(dir, sizeof(dir), MPI_CHAR, 0, MPI_COMM_WORLD);
  snprintf(in[0], sizeof(in[0]), "%s/orth.h5", dir);
  snprintf(in[1], sizeof(in[1]), "%s/centered.h5", dir);
  bn_dict_gen_t g = {12,   6000, 12, "orthogonal", 0.3, 0.0, 0.0, 0.0,
                     10.0, 0,    5};
  CHECK_OK(ctx, bn_generate_dict(ctx, &g, in[0]));
  write_centered(ctx, in[1], 2000, 6);
  bn_optdef_t *defs = fx_defs();
  test_levels(ctx, defs, in[0]);
  test_null_direction(ctx, defs, in[1]);
  free(defs);
  if (bn_ctx_rank(ctx) == 0) {
    for (int k = 0; k < 2; k++) unlink(in[k]);
    rmdir(dir);
  }
  int rc = bn_test_finish("mpi_dict_l4");
  bn_ctx_destroy(ctx);
  MPI_Finalize();
  return rc;
}
