/* Leading eigenvectors: setup from an HDF5 input (dense /A or sparse
 * /omega), checks (square, finite, symmetric), result output. */
#include "problems/eig/eig.h"
#include "problems/lowrank/lowrank.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const bn_optdef_t bn_eig_optdefs[] = {
    {"k", BN_OPT_INT, "1",
     "number k of leading eigenvectors (columns of X; k = 1: the sphere, "
     "k > 1: the Stiefel manifold)",
     NULL},
    {"power-iters", BN_OPT_INT, "10",
     "--init=spectral: subspace iterations with A + c I (c the Gershgorin "
     "bound max_i sum_j |A_ij|) from the random start",
     NULL},
    {"symmetry-tol", BN_OPT_REAL, "1e-10",
     "refuse A when |A z - A^T z| > symmetry-tol |A|_F |z| for a random "
     "probe z",
     NULL},
    {NULL, 0, NULL, NULL, NULL}};

void bn_eig_free(bn_eig_t *e) {
  if (!e) return;
  bn_dmat_destroy(e->amat);
  bn_obs_destroy(e->obs);
  bn_dmat_destroy(e->tx);
  bn_dist_destroy(e->dist);
  free(e->tlam);
  free(e->full);
  free(e->in);
  free(e->small);
  free(e->cnt);
  free(e->input);
  free(e);
}

static void bn_eig_destroy(void *data) { bn_eig_free(data); }

static bn_status_t bn_eig_options(bn_eig_t *e, const bn_opts_t *opts) {
  bn_ctx_t *ctx = e->ctx;
  int64_t k, power;
  BN_CALL(ctx, bn_opts_int(opts, "k", &k));
  BN_CALL(ctx, bn_opts_int(opts, "power-iters", &power));
  BN_CALL(ctx, bn_opts_real(opts, "symmetry-tol", &e->sym_tol));
  if (k < 1 || k > 4096)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--k=%lld: must be in [1, 4096]",
                        (long long)k);
  if (power < 0 || power > 100000)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--power-iters=%lld: must be in [0, 100000]",
                        (long long)power);
  if (!(e->sym_tol >= 0))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--symmetry-tol must be nonnegative");
  e->k = (int)k;
  e->power = (int)power;
  const char *solver = bn_opts_string(opts, "solver");
  if (bn_solver_sweeps(solver))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--solver=%s: eig has no alternating sweep; use gd "
                        "or agd",
                        solver);
  const char *in = bn_opts_string(opts, "input");
  if (!in || !*in)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "no input file: give --input=FILE.h5");
  e->input = strdup(in);
  return e->input ? BN_OK : BN_ERROR(ctx, BN_ERR_MEM, "out of memory");
}

static bn_status_t bn_eig_check_k(bn_eig_t *e) {
  if (e->k > e->n)
    return BN_ERROR_ALL(
        e->ctx, BN_ERR_ARG, "--k=%d is larger than n = %lld (A is %lld x %lld)",
        e->k, (long long)e->n, (long long)e->n, (long long)e->n);
  return BN_OK;
}

static bn_status_t bn_eig_read_dense(bn_eig_t *e, bn_h5_t *f) {
  bn_ctx_t *ctx = e->ctx;
  int nd;
  bn_idx_t dims[4];
  BN_CALL(ctx, bn_h5_shape(f, "/A", &nd, dims));
  if (nd != 2)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: /A must be a 2-D dataset (n x n)", e->input);
  if (dims[0] != dims[1] || dims[0] < 1)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: /A is %lld x %lld: a symmetric matrix must be "
                        "square (n x n, n >= 1)",
                        e->input, (long long)dims[0], (long long)dims[1]);
  e->n = dims[0];
  if (e->n > INT32_MAX)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: dense /A with n = %lld is too large (store it "
                        "sparse, as /omega)",
                        e->input, (long long)e->n);
  BN_CALL(ctx, bn_eig_check_k(e));
  BN_CALL(ctx, bn_dist_create_uniform(ctx, e->n, &e->dist));
  BN_CALL(ctx, bn_h5_read_dmat(f, "/A", e->dist, (int)e->n, &e->amat));
  const double *a = bn_dmat_cdata(e->amat);
  bn_idx_t nl = bn_dist_local(e->dist);
  int64_t loc = INT64_MAX, bad;
  for (bn_idx_t k = 0; k < nl * e->n; k++)
    if (!isfinite(a[k])) {
      loc = bn_dist_first(e->dist) + k / e->n;
      break;
    }
  BN_MPI(ctx,
         MPI_Allreduce(&loc, &bad, 1, MPI_INT64_T, MPI_MIN, bn_ctx_comm(ctx)));
  if (bad != INT64_MAX)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: /A row %lld holds a NaN or infinite value",
                        e->input, (long long)bad);
  return BN_OK;
}

static bn_status_t bn_eig_read_sparse(bn_eig_t *e, bn_h5_t *f) {
  bn_ctx_t *ctx = e->ctx;
  bn_idx_t rows, cols;
  BN_CALL(ctx, bn_h5_attr_get_i64(f, "/omega", "rows", &rows));
  BN_CALL(ctx, bn_h5_attr_get_i64(f, "/omega", "cols", &cols));
  if (rows != cols || rows < 1)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: /omega is %lld x %lld (attributes rows, cols): "
                        "a symmetric matrix must be square (n x n, n >= 1)",
                        e->input, (long long)rows, (long long)cols);
  BN_CALL(ctx, bn_lr_check_fits(ctx, e->input, "/omega rows", rows, 1));
  e->n = rows;
  BN_CALL(ctx, bn_eig_check_k(e));
  BN_CALL(ctx, bn_obs_read(ctx, f, "/omega", e->n, e->n, NULL, BN_OBS_DUP_ERROR,
                           &e->obs));
  e->dist = bn_dist_ref(e->obs->rdist);
  return bn_obs_plan(e->obs, e->dist);
}

/* |A|_F and the largest absolute row sum (local rows are whole rows). */
static bn_status_t bn_eig_norms(bn_eig_t *e) {
  double s[2] = {0.0, 0.0};
  for (bn_idx_t i = 0; i < e->nl; i++) {
    double row = 0.0;
    if (e->sparse) {
      for (bn_idx_t q = e->obs->rowptr[i]; q < e->obs->rowptr[i + 1]; q++) {
        s[0] += e->obs->val[q] * e->obs->val[q];
        row += fabs(e->obs->val[q]);
      }
    } else {
      const double *a = bn_dmat_cdata(e->amat) + (size_t)i * (size_t)e->n;
      for (bn_idx_t j = 0; j < e->n; j++) {
        s[0] += a[j] * a[j];
        row += fabs(a[j]);
      }
    }
    s[1] = fmax(s[1], row);
  }
  MPI_Comm comm = bn_ctx_comm(e->ctx);
  BN_MPI(e->ctx,
         MPI_Allreduce(MPI_IN_PLACE, &s[0], 1, MPI_DOUBLE, MPI_SUM, comm));
  BN_MPI(e->ctx,
         MPI_Allreduce(MPI_IN_PLACE, &s[1], 1, MPI_DOUBLE, MPI_MAX, comm));
  e->fro = sqrt(s[0]);
  e->rmax = s[1];
  return BN_OK;
}

/* Collective: |A z - A^T z| / (|A|_F |z|) for a Gaussian probe z keyed by
 * global index (so the verdict does not depend on the process count).
 * A^T z is accumulated from the rank's rows and summed onto the owners:
 * one n-vector allreduce (dense) or one plan scatter (sparse). */
static bn_status_t bn_eig_symmetry(bn_eig_t *e, double *rel) {
  bn_ctx_t *ctx = e->ctx;
  const uint64_t seed = 0x5eed;
  const bn_idx_t nl = e->nl, n = e->n;
  size_t nz = e->sparse ? (size_t)e->obs->nghost : (size_t)n;
  double *z = NULL, *az, *atz, *acc;
  BN_CALL(ctx,
          bn_agree(ctx, bn_calloc(
                            ctx,
                            bn_size_add(bn_size_add(bn_size_mul(2, nz),
                                                    bn_size_mul(2, (size_t)nl)),
                                        1),
                            sizeof(double), &z)));
  acc = z + nz;
  az = acc + nz;
  atz = az + nl;
  bn_status_t st = BN_OK;
  if (e->sparse) {
    const bn_obs_t *o = e->obs;
    for (bn_idx_t g = 0; g < o->nghost; g++)
      z[g] = bn_rng_normal(seed, BN_EIG_STREAM_PROBE, (uint64_t)o->ghost[g], 0);
    for (bn_idx_t i = 0; i < nl; i++) {
      double zi =
          bn_rng_normal(seed, BN_EIG_STREAM_PROBE, (uint64_t)(e->r0 + i), 0);
      for (bn_idx_t q = o->rowptr[i]; q < o->rowptr[i + 1]; q++) {
        az[i] += o->val[q] * z[o->gcol[q]];
        acc[o->gcol[q]] += o->val[q] * zi;
      }
    }
    st = bn_plan_scatter_add(o->plan, acc, 1, atz);
  } else {
    const double *a = bn_dmat_cdata(e->amat);
    bn_rng_fill_normal(seed, BN_EIG_STREAM_PROBE, 0, (size_t)n, z);
    for (bn_idx_t i = 0; i < nl; i++) {
      const double *ai = a + (size_t)i * (size_t)n;
      double zi = z[e->r0 + i], s = 0.0;
      for (bn_idx_t j = 0; j < n; j++) {
        s += ai[j] * z[j];
        acc[j] += ai[j] * zi;
      }
      az[i] = s;
    }
    st = bn_allreduce_sum(ctx, acc, (size_t)n);
    if (st == BN_OK) memcpy(atz, acc + e->r0, (size_t)nl * sizeof(double));
  }
  double s[2] = {0.0, 0.0};
  for (bn_idx_t i = 0; i < nl && st == BN_OK; i++) {
    double zi =
        bn_rng_normal(seed, BN_EIG_STREAM_PROBE, (uint64_t)(e->r0 + i), 0);
    s[0] += (az[i] - atz[i]) * (az[i] - atz[i]);
    s[1] += zi * zi;
  }
  if (st == BN_OK) st = bn_allreduce_sum(ctx, s, 2);
  free(z);
  if (st == BN_OK) *rel = e->fro > 0 ? sqrt(s[0]) / (e->fro * sqrt(s[1])) : 0.0;
  return st;
}

/* /truth/X (n x kt, orthonormalised here) and /truth/eigenvalues (kt). */
static bn_status_t bn_eig_read_truth(bn_eig_t *e, bn_h5_t *f) {
  bn_ctx_t *ctx = e->ctx;
  int has, nd;
  bn_idx_t dims[4];
  BN_CALL(ctx, bn_h5_exists(f, "/truth/X", &has));
  if (!has) return BN_OK;
  BN_CALL(ctx, bn_h5_shape(f, "/truth/X", &nd, dims));
  if (nd != 2 || dims[0] != e->n || dims[1] < 1 || dims[1] > e->n ||
      dims[1] > 4096)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: /truth/X must be n x kt with n = %lld and "
                        "1 <= kt <= min(n, 4096)",
                        e->input, (long long)e->n);
  e->kt = (int)dims[1];
  BN_CALL(ctx, bn_h5_read_dmat(f, "/truth/X", e->dist, e->kt, &e->tx));
  BN_CALL(ctx, bn_dmat_qr(e->tx, NULL));
  BN_CALL(ctx, bn_h5_exists(f, "/truth/eigenvalues", &has));
  if (!has) return BN_OK;
  BN_CALL(ctx, bn_h5_shape(f, "/truth/eigenvalues", &nd, dims));
  if (nd != 1 || dims[0] != e->kt)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: /truth/eigenvalues must hold kt = %d values (one "
                        "per column of /truth/X)",
                        e->input, e->kt);
  BN_CALL(ctx, bn_agree(ctx, bn_mallocn(ctx, (size_t)e->kt, sizeof(double),
                                        &e->tlam)));
  return bn_h5_read_f64(f, "/truth/eigenvalues", 0, e->kt, e->tlam);
}

static bn_status_t bn_eig_prepare(bn_eig_t *e) {
  bn_ctx_t *ctx = e->ctx;
  const int P = bn_ctx_size(ctx), k = e->k;
  e->t_apply = bn_timer_id(ctx, "A X (gather + multiply)");
  e->t_reduce = bn_timer_id(ctx, "k x k Grams (allreduce)");
  size_t rows = e->sparse ? (size_t)e->obs->nghost : (size_t)e->n;
  size_t nl = (size_t)e->nl;
  bn_status_t st =
      bn_mallocn(ctx, bn_size_add(bn_size_mul(bn_size_mul(rows, 2), k), 1),
                 sizeof(double), &e->full);
  if (st == BN_OK)
    st = bn_mallocn(ctx, bn_size_add(bn_size_mul(bn_size_mul(4, nl), k), 1),
                    sizeof(double), &e->in);
  if (st == BN_OK)
    st = bn_mallocn(ctx, bn_size_mul(bn_size_mul(8, (size_t)k), k),
                    sizeof(double), &e->small);
  if (st == BN_OK)
    st = bn_mallocn(ctx, bn_size_mul(4, (size_t)P), sizeof(int), &e->cnt);
  if (st == BN_OK) {
    e->out = e->in + 2 * nl * k;
    e->dsp = e->cnt + P;
    e->wcnt = e->dsp + P;
    e->wdsp = e->wcnt + P;
    for (int p = 0; p < P; p++) {
      e->dsp[p] = (int)bn_dist_offset(e->dist, p);
      e->cnt[p] = (int)bn_dist_offset(e->dist, p + 1) - e->dsp[p];
    }
  }
  return bn_agree(ctx, st);
}

static bn_status_t bn_eig_read(bn_eig_t *e, bn_h5_t *f) {
  bn_ctx_t *ctx = e->ctx;
  int has_a, has_o;
  BN_CALL(ctx, bn_h5_exists(f, "/A", &has_a));
  BN_CALL(ctx, bn_h5_exists(f, "/omega", &has_o));
  if (has_a && has_o)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: holds both /A (dense) and /omega (sparse "
                        "entries): keep one",
                        e->input);
  if (!has_a && !has_o)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: no /A (dense n x n) or /omega (sparse entries "
                        "row, col, val): not an eig input",
                        e->input);
  e->sparse = has_o;
  BN_CALL(ctx, e->sparse ? bn_eig_read_sparse(e, f) : bn_eig_read_dense(e, f));
  if (e->n > INT32_MAX / (2 * e->k))
    return BN_ERROR_ALL(ctx, BN_ERR_DATA, "%s: n = %lld is too large", e->input,
                        (long long)e->n);
  e->nl = bn_dist_local(e->dist);
  e->r0 = bn_dist_first(e->dist);
  BN_CALL(ctx, bn_eig_norms(e));
  double rel = 0.0;
  BN_CALL(ctx, bn_eig_symmetry(e, &rel));
  if (rel > e->sym_tol)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: %s is not symmetric: |A z - A^T z| / (|A|_F |z|) "
                        "= %.3g for a random z (above --symmetry-tol=%g)%s",
                        e->input, e->sparse ? "/omega" : "/A", rel, e->sym_tol,
                        e->sparse ? "; sparse input must list both (i, j) "
                                    "and (j, i)"
                                  : "");
  BN_CALL(ctx, bn_eig_read_truth(e, f));
  return bn_eig_prepare(e);
}

static bn_status_t bn_eig_create(bn_ctx_t *ctx, const bn_opts_t *opts,
                                 void **data) {
  bn_eig_t *e = NULL;
  bn_h5_t *f = NULL;
  *data = NULL;
  BN_CALL(ctx, bn_agree(ctx, bn_calloc(ctx, 1, sizeof(*e), &e)));
  e->ctx = ctx;
  bn_status_t st = bn_agree(ctx, bn_eig_options(e, opts));
  if (st == BN_OK) st = bn_h5_open(ctx, e->input, &f);
  if (st == BN_OK) st = bn_eig_read(e, f);
  bn_h5_close(f);
  if (st != BN_OK) {
    bn_eig_free(e);
    return st;
  }
  *data = e;
  return BN_OK;
}

static void bn_eig_objective(void *data, bn_objective_t *obj) {
  bn_eig_t *e = data;
  *obj = (bn_objective_t){0};
  obj->data = e;
  obj->n = (size_t)e->nl * (size_t)e->k;
  obj->eval = bn_eig_eval;
  obj->metrics = bn_eig_metrics;
  obj->retract = bn_eig_retract;
  obj->project = bn_eig_project;
  obj->hvp = bn_eig_hvp;
}

/* Collective: nl x k local rows as the n x k dataset name. */
static bn_status_t bn_eig_write_rows(bn_eig_t *e, bn_h5_t *f, const char *name,
                                     const double *x) {
  bn_dmat_t *m = NULL;
  BN_CALL(e->ctx, bn_agree(e->ctx, bn_dmat_create(e->dist, e->k, &m)));
  memcpy(bn_dmat_data(m), x, (size_t)e->nl * e->k * sizeof(double));
  bn_status_t st = bn_h5_write_dmat(f, name, m);
  bn_dmat_destroy(m);
  return st;
}

/* The result attributes: sizes, and the errors to the truth if known. */
static bn_status_t bn_eig_attrs(bn_eig_t *e, bn_h5_t *f, const double *x,
                                const double *vals) {
  bn_ctx_t *ctx = e->ctx;
  BN_CALL(ctx, bn_h5_attr_set_i64(f, "/", "n", e->n));
  BN_CALL(ctx, bn_h5_attr_set_i64(f, "/", "k", e->k));
  BN_CALL(ctx, bn_h5_attr_set_str(f, "/", "storage",
                                  e->sparse ? "sparse" : "dense"));
  BN_CALL(ctx, bn_h5_attr_set_str(f, "/", "input", e->input));
  if (!e->tx) return BN_OK;
  double sin_theta, unused;
  BN_CALL(ctx, bn_eig_metrics(e, x, &sin_theta, &unused));
  BN_CALL(ctx, bn_h5_attr_set_f64(f, "/", "sin_theta", sin_theta));
  if (!e->tlam) return BN_OK;
  int m = e->k < e->kt ? e->k : e->kt;
  double err = 0.0, scale = 0.0;
  for (int j = 0; j < m; j++) {
    err = fmax(err, fabs(vals[j] - e->tlam[j]));
    scale = fmax(scale, fabs(e->tlam[j]));
  }
  return bn_h5_attr_set_f64(f, "/", "eigenvalue_error",
                            scale > 0 ? err / scale : err);
}

/* /X is the iterate itself (what a restart continues from); the Ritz
 * pairs of its span go to /eigenvalues and /eigenvectors, except in the
 * checkpoint's solver vectors (not points on the manifold). */
static bn_status_t bn_eig_save(void *data, const double *x, bn_h5_t *f,
                               const char *prefix) {
  bn_eig_t *e = data;
  bn_ctx_t *ctx = e->ctx;
  char name[256];
  snprintf(name, sizeof(name), "%sX", prefix);
  BN_CALL(ctx, bn_eig_write_rows(e, f, name, x));
  if (!strncmp(prefix, "/checkpoint/", 12)) return BN_OK;
  double *vals = NULL, *vec = NULL;
  size_t k = (size_t)e->k;
  BN_CALL(ctx,
          bn_agree(ctx, bn_mallocn(ctx, bn_size_add(k, bn_size_mul(k, e->nl)),
                                   sizeof(double), &vals)));
  vec = vals + k;
  bn_status_t st = bn_eig_ritz(e, x, vals, vec);
  snprintf(name, sizeof(name), "%seigenvectors", prefix);
  if (st == BN_OK) st = bn_eig_write_rows(e, f, name, vec);
  snprintf(name, sizeof(name), "%seigenvalues", prefix);
  if (st == BN_OK)
    st = bn_h5_write_f64(f, name, e->k, 0, bn_ctx_rank(ctx) == 0 ? e->k : 0,
                         vals);
  if (st == BN_OK && !strcmp(prefix, "/")) st = bn_eig_attrs(e, f, x, vals);
  if (st == BN_OK && !strcmp(prefix, "/"))
    for (int j = 0; j < e->k && j < 8; j++)
      bn_log(ctx, BN_LOG_DEBUG, "eigenvalue %d: %.15g\n", j, vals[j]);
  free(vals);
  return st;
}

static bn_status_t bn_eig_load(void *data, bn_h5_t *f, const char *prefix,
                               double *x) {
  bn_eig_t *e = data;
  char name[256];
  bn_dmat_t *m = NULL;
  snprintf(name, sizeof(name), "%sX", prefix);
  BN_CALL(e->ctx, bn_h5_read_dmat(f, name, e->dist, e->k, &m));
  memcpy(x, bn_dmat_cdata(m), (size_t)e->nl * e->k * sizeof(double));
  bn_dmat_destroy(m);
  return BN_OK;
}

static bn_status_t bn_eig_truth(void *data, double *x, bool *have) {
  bn_eig_t *e = data;
  *have = e->tx && e->kt >= e->k;
  if (!*have) return BN_OK;
  const double *t = bn_dmat_cdata(e->tx);
  for (bn_idx_t i = 0; i < e->nl; i++)
    memcpy(x + i * e->k, t + i * e->kt, (size_t)e->k * sizeof(double));
  return BN_OK;
}

static void bn_eig_describe(void *data, FILE *out) {
  bn_eig_t *e = data;
  fprintf(out, "INPUT=%s\nFORMAT=%s\nN=%lld\nK=%d\nMANIFOLD=%s\n", e->input,
          e->sparse ? "sparse" : "dense", (long long)e->n, e->k,
          e->k == 1 ? "sphere" : "stiefel");
  if (e->sparse) fprintf(out, "ENTRIES=%lld\n", (long long)e->obs->nnz_global);
  fprintf(out, "NORM_F=%.6g\nTRUTH=%s\n", e->fro, e->tx ? "yes" : "no");
}

const bn_problem_ops_t bn_problem_eig = {
    "eig",
    "leading eigenvectors of a symmetric matrix (dense /A or sparse "
    "/omega): min -1/2 tr(X^T A X) on the sphere (k = 1) or Stiefel "
    "manifold",
    bn_eig_optdefs,
    bn_eig_create,
    bn_eig_objective,
    bn_eig_init,
    bn_eig_save,
    bn_eig_load,
    bn_eig_describe,
    bn_eig_destroy,
    bn_eig_truth,
    .usage =
        "mpirun -n P benign eig [deck.ini] --input=F.h5 [--k=K] "
        "[--output=G.h5] [--solver=gd|agd] [--init=spectral|random] ...",
    .gen_opts = bn_gen_eig_opts,
    .generate = bn_gen_eig_run};
