/* Low-rank factorization: setup from an HDF5 input, checks, result output. */
#include "problems/lowrank/factor.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const bn_optdef_t bn_factor_optdefs[] = {
    {"rank", BN_OPT_INT, "5",
     "rank r of the factors U (rows x r), V (cols x r)", NULL},
    {"mode", BN_OPT_CHOICE, "general",
     "sym: Y symmetric, min 1/4 |Y - U U^T|^2 (the top-r positive "
     "eigenpairs); general: min 1/2 |Y - U V^T|^2 + 1/8 |U^T U - V^T V|^2 "
     "(the top-r singular triplets)",
     "sym|general"},
    {"init-scale", BN_OPT_REAL, "0.01",
     "--init=random: factor entries ~ N(0, s^2) with s = init-scale times the "
     "typical entry of balanced factors",
     NULL},
    {"oversample", BN_OPT_INT, "10",
     "--init=spectral: extra columns of the randomized SVD sketch", NULL},
    {"power-iters", BN_OPT_INT, "2",
     "--init=spectral: subspace (power) iterations of the randomized SVD",
     NULL},
    {NULL, 0, NULL, NULL, NULL}};

/* Relative asymmetry |Y - Y^T|_F / |Y|_F above which --mode=sym refuses Y
 * (far above the rounding of the probe, about sqrt(n) eps). */
#define BN_FACTOR_SYM_TOL 1e-8
#define BN_FACTOR_PROBES 4

static void bn_factor_destroy(void *data) {
  bn_factor_t *c = data;
  if (!c) return;
  bn_dmat_destroy(c->y);
  bn_dist_destroy(c->rdist);
  bn_dist_destroy(c->cdist);
  bn_lr_truth_destroy(c->truth);
  free(c->full);
  free(c->gfull);
  free(c->blk);
  free(c->counts);
  free(c->red);
  free(c->hbuf);
  free(c->input);
  free(c);
}

static bn_status_t bn_factor_options(void *data, bn_ctx_t *ctx,
                                     const bn_opts_t *opts) {
  bn_factor_t *c = data;
  int64_t r;
  c->ctx = ctx;
  c->t_gather = bn_timer_id(ctx, "allgather factor");
  c->t_kernel = bn_timer_id(ctx, "residual GEMMs");
  c->t_reduce = bn_timer_id(ctx, "reductions");
  BN_CALL(ctx, bn_opts_int(opts, "rank", &r));
  if (r < 1 || r > 4096)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--rank=%lld: must be in [1, 4096]",
                        (long long)r);
  BN_CALL(ctx, bn_lr_check_init(ctx, opts));
  const char *solver = bn_opts_string(opts, "solver");
  if (bn_solver_sweeps(solver))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--solver=%s: benign factor has no alternating "
                        "sweep: use --solver=gd or agd",
                        solver);
  c->r = (int)r;
  c->sym = !strcmp(bn_opts_string(opts, "mode"), "sym");
  return bn_lr_input(ctx, opts, &c->input);
}

/* Shape of /Y against the options (metadata: the same verdict everywhere). */
static bn_status_t bn_factor_shape(bn_factor_t *c, bn_h5_t *f) {
  bn_ctx_t *ctx = c->ctx;
  int nd;
  bn_idx_t dims[4];
  BN_CALL(ctx, bn_h5_shape(f, "/Y", &nd, dims));
  if (nd != 2)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: /Y must be a 2-D matrix (rows x cols), it has %d "
                        "dimension%s",
                        c->input, nd, nd == 1 ? "" : "s");
  c->n1 = dims[0];
  c->n2 = dims[1];
  if (c->n1 < 1 || c->n2 < 1)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA, "%s: /Y is empty (%lld x %lld)",
                        c->input, (long long)c->n1, (long long)c->n2);
  if (c->sym && c->n1 != c->n2)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "--mode=sym needs a square /Y, but %s's /Y is %lld x "
                        "%lld (use --mode=general)",
                        c->input, (long long)c->n1, (long long)c->n2);
  if (c->r > c->n1 || c->r > c->n2)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--rank=%d is larger than min(rows, cols) = %lld", c->r,
                        (long long)(c->n1 < c->n2 ? c->n1 : c->n2));
  return BN_OK;
}

/* Collective: every entry finite (the first bad one of the lowest rank is
 * named), and |Y|_F^2. */
static bn_status_t bn_factor_check_finite(bn_factor_t *c) {
  bn_ctx_t *ctx = c->ctx;
  const double *y = bn_dmat_cdata(c->y);
  bn_idx_t n = c->nu * c->n2;
  double loc = 0.0;
  bn_status_t st = BN_OK;
  for (bn_idx_t e = 0; e < n; e++) {
    if (!isfinite(y[e])) {
      bn_idx_t i = bn_dist_first(c->rdist) + e / c->n2, j = e % c->n2;
      st = BN_ERROR(ctx, BN_ERR_DATA, "%s: /Y(%lld, %lld) is %s", c->input,
                    (long long)i, (long long)j,
                    isnan(y[e]) ? "NaN" : "infinite");
      break;
    }
    loc += y[e] * y[e];
  }
  BN_CALL(ctx, bn_agree(ctx, st));
  BN_MPI(ctx, MPI_Allreduce(&loc, &c->ynorm2, 1, MPI_DOUBLE, MPI_SUM,
                            bn_ctx_comm(ctx)));
  return BN_OK;
}

/* Collective: --mode=sym needs Y = Y^T. Gaussian probes Z (n x k, keyed by
 * global index) give S = Z^T Y Z with one local GEMM and one allreduce;
 * each off-diagonal entry of S - S^T = Z^T (Y - Y^T) Z has variance
 * |Y - Y^T|_F^2, so |S - S^T|_F / sqrt(k (k - 1)) estimates |Y - Y^T|_F
 * (zero with probability one only for a symmetric Y), without moving Y. */
static bn_status_t bn_factor_check_symmetric(bn_factor_t *c) {
  bn_ctx_t *ctx = c->ctx;
  const int k = BN_FACTOR_PROBES;
  const bn_idx_t n = c->n1, i0 = bn_dist_first(c->rdist);
  double *z = NULL, *w, s[BN_FACTOR_PROBES * BN_FACTOR_PROBES] = {0};
  BN_CALL(ctx,
          bn_agree(ctx, bn_mallocn(ctx, bn_size_mul((size_t)(n + c->nu + 1), k),
                                   sizeof(double), &z)));
  w = z + n * k;
  bn_rng_fill_normal(1, BN_STREAM_FACTOR_PROBE, 0, (size_t)(n * k), z);
  if (c->nu > 0) {
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)c->nu, k,
                (int)n, 1.0, bn_dmat_cdata(c->y), (int)n, z, k, 0.0, w, k);
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, k, k, (int)c->nu, 1.0,
                z + i0 * k, k, w, k, 0.0, s, k);
  }
  free(z);
  BN_CALL(ctx, bn_allreduce_sum(ctx, s, (size_t)k * k));
  double a2 = 0.0;
  for (int p = 0; p < k; p++)
    for (int q = 0; q < k; q++) {
      double d = s[p * k + q] - s[q * k + p];
      a2 += d * d;
    }
  double rel = sqrt(a2 / (k * (k - 1.0))) / sqrt(fmax(c->ynorm2, 1e-300));
  if (rel > BN_FACTOR_SYM_TOL)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "--mode=sym needs a symmetric /Y, but %s's /Y is not: "
                        "|Y - Y^T|_F / |Y|_F is about %.2g (tolerance %g; use "
                        "--mode=general)",
                        c->input, rel, BN_FACTOR_SYM_TOL);
  return BN_OK;
}

static bn_status_t bn_factor_read(void *data, bn_h5_t *f,
                                  const bn_opts_t *opts) {
  bn_factor_t *c = data;
  bn_ctx_t *ctx = c->ctx;
  (void)opts;
  BN_CALL(ctx, bn_factor_shape(c, f));
  BN_CALL(ctx, bn_dist_create_uniform(ctx, c->n1, &c->rdist));
  if (c->sym)
    c->cdist = bn_dist_ref(c->rdist);
  else
    BN_CALL(ctx, bn_dist_create_uniform(ctx, c->n2, &c->cdist));
  BN_CALL(ctx, bn_h5_read_dmat(f, "/Y", c->rdist, (int)c->n2, &c->y));
  c->nu = bn_dist_local(c->rdist);
  c->nv = c->sym ? 0 : bn_dist_local(c->cdist);
  BN_CALL(ctx, bn_factor_check_finite(c));
  if (c->sym) BN_CALL(ctx, bn_factor_check_symmetric(c));
  BN_CALL(ctx, bn_lr_truth_read(ctx, f, c->rdist, c->cdist, &c->truth));
  return BN_OK;
}

static bn_status_t bn_factor_buffers(void *data) {
  bn_factor_t *c = data;
  bn_ctx_t *ctx = c->ctx;
  const int P = bn_ctx_size(ctx), r = c->r;
  bn_idx_t n = c->sym ? c->n1 : c->n2;
  /* Residual blocks of about 2 MB: Y's rows stream through once. */
  c->blk_rows = ((bn_idx_t)1 << 18) / c->n2;
  if (c->blk_rows < 1) c->blk_rows = 1;
  if (c->blk_rows > c->nu) c->blk_rows = c->nu > 0 ? c->nu : 1;
  bn_status_t st =
      bn_mallocn(ctx, bn_size_mul((size_t)n, r), sizeof(double), &c->full);
  if (st == BN_OK && !c->sym)
    st = bn_mallocn(ctx, bn_size_mul((size_t)n, r), sizeof(double), &c->gfull);
  if (st == BN_OK)
    st = bn_mallocn(ctx, bn_size_mul(c->blk_rows, c->n2), sizeof(double),
                    &c->blk);
  if (st == BN_OK)
    st = bn_mallocn(ctx, bn_size_mul(2, (size_t)P), sizeof(int), &c->counts);
  if (st == BN_OK)
    st = bn_mallocn(ctx,
                    bn_size_add(1, bn_size_mul(bn_size_mul(2, (size_t)r), r)),
                    sizeof(double), &c->red);
  if (st == BN_OK) {
    bn_dist_t *d = c->sym ? c->rdist : c->cdist;
    c->displs = c->counts + P;
    if ((double)n * r > 2147483647.0)
      st = BN_ERROR(ctx, BN_ERR_ARG,
                    "%lld x %d factor is too large to gather (2^31 values)",
                    (long long)n, r);
    for (int p = 0; st == BN_OK && p < P; p++) {
      c->displs[p] = (int)(bn_dist_offset(d, p) * r);
      c->counts[p] = (int)((bn_dist_offset(d, p + 1) - bn_dist_offset(d, p)) *
                           (bn_idx_t)r);
    }
  }
  return bn_agree(ctx, st);
}

static bn_status_t bn_factor_create(bn_ctx_t *ctx, const bn_opts_t *opts,
                                    void **data) {
  static const bn_lr_setup_t setup = {sizeof(bn_factor_t), bn_factor_options,
                                      bn_factor_read, bn_factor_buffers,
                                      bn_factor_destroy};
  return bn_lr_create(ctx, opts, &setup, data);
}

static void bn_factor_objective(void *data, bn_objective_t *obj) {
  bn_factor_t *c = data;
  *obj = (bn_objective_t){.data = c,
                          .n = (size_t)(c->nu + c->nv) * (size_t)c->r,
                          .eval = bn_factor_eval,
                          .metrics = bn_factor_metrics,
                          .hvp = bn_factor_hvp};
}

static bn_status_t bn_factor_save(void *data, const double *x, bn_h5_t *f,
                                  const char *prefix) {
  bn_factor_t *c = data;
  bn_status_t st = bn_lr_save_uv(c->ctx, f, prefix, c->rdist,
                                 c->sym ? NULL : c->cdist, c->r, x);
  if (st == BN_OK && !strcmp(prefix, "/")) {
    st = bn_lr_save_shape(f, c->n1, c->n2, c->r);
    if (st == BN_OK)
      st = bn_h5_attr_set_str(f, "/", "mode", c->sym ? "sym" : "general");
    if (st == BN_OK) st = bn_h5_attr_set_str(f, "/", "input", c->input);
  }
  return st;
}

static bn_status_t bn_factor_load(void *data, bn_h5_t *f, const char *prefix,
                                  double *x) {
  bn_factor_t *c = data;
  return bn_lr_load_uv(f, prefix, c->rdist, c->sym ? NULL : c->cdist, c->r, x);
}

static void bn_factor_describe(void *data, FILE *s) {
  bn_factor_t *c = data;
  fprintf(s, "INPUT=%s\nROWS=%lld\nCOLS=%lld\nRANK=%d\nMODE=%s\n", c->input,
          (long long)c->n1, (long long)c->n2, c->r, c->sym ? "sym" : "general");
  fprintf(s, "Y_NORM=%.6g\nTRUTH=%s\n", sqrt(c->ynorm2),
          c->truth ? "yes" : "no");
}

/* The `truth` op: the balanced true factors (lowrank_truth.c). */
static bn_status_t bn_lr_truth_point_factor(void *data, double *x, bool *have) {
  bn_factor_t *c = data;
  return bn_lr_truth_point(c->ctx, c->truth, c->r, c->sym, x, have);
}

const bn_problem_ops_t bn_problem_factor = {
    "factor",
    "low-rank factorization of a full matrix: min 1/4|Y - UU^T|^2 "
    "(sym) or 1/2|Y - UV^T|^2 + 1/8|U^TU - V^TV|^2",
    bn_factor_optdefs,
    bn_factor_create,
    bn_factor_objective,
    bn_factor_init,
    bn_factor_save,
    bn_factor_load,
    bn_factor_describe,
    bn_factor_destroy,
    bn_lr_truth_point_factor,
    .usage =
        "mpirun -n P benign factor [deck.ini] --input=F.h5 --rank=R "
        "[--mode=sym|general] [--output=G.h5] [--solver=gd|agd] "
        "[--init=spectral|random] ...",
    .gen_opts = bn_gen_factor_opts,
    .generate = bn_gen_factor_run};
