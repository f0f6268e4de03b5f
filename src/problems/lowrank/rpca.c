/* Robust PCA: setup from an HDF5 input (/M dense, or /omega observed
 * entries), result output (/U, /V and the sparse part /S). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problems/lowrank/rpca_state.h"

const bn_optdef_t bn_rpca_optdefs[] = {
    {"rank", BN_OPT_INT, "5",
     "rank r of the low-rank part L = U V^T (U rows x r, V cols x r)", NULL},
    {"alpha", BN_OPT_REAL, "0.1",
     "fraction of corrupted entries per row and per column, in (0, 1): the "
     "initial sparse part is T_alpha(M)",
     NULL},
    {"gamma", BN_OPT_REAL, "2",
     "the sparse estimate at each point is T_(gamma alpha)(M - U V^T): keep "
     "the entries among the largest gamma*alpha fraction of both their row "
     "and their column; gamma >= 1 leaves room for rows and columns with more "
     "than alpha of their entries corrupted",
     NULL},
    {"init-scale", BN_OPT_REAL, "0.01",
     "--init=random: factor entries ~ N(0, s^2) with s = init-scale times the "
     "typical entry of balanced factors",
     NULL},
    {"oversample", BN_OPT_INT, "10",
     "--init=spectral: extra columns of the randomized SVD sketch", NULL},
    {"power-iters", BN_OPT_INT, "2",
     "--init=spectral: subspace (power) iterations of the randomized SVD",
     NULL},
    {"method", BN_OPT_CHOICE, "gd",
     "gd: the factored objective above, minimised by --solver (gd or agd); "
     "altproj: accelerated alternating projections (Cai, Cai, Wei 2019): "
     "S = entries of M - L over a threshold that shrinks geometrically, L = "
     "best rank-r part of the projection of M - S onto the tangent space at "
     "L (dense /M only)",
     "gd|altproj"},
    {"altproj-beta", BN_OPT_REAL, "0",
     "--method=altproj: the threshold is beta (s_(r+1) + decay^t s_1) of "
     "the last projection's singular values; 0: 1/(2 (rows cols)^(1/4))",
     NULL},
    {"altproj-decay", BN_OPT_REAL, "0.7",
     "--method=altproj: geometric rate of the threshold, in (0, 1)", NULL},
    {NULL, 0, NULL, NULL, NULL}};

static void bn_rpca_destroy(void *data) {
  bn_rpca_t *c = data;
  if (!c) return;
  bn_dmat_destroy(c->m);
  bn_obs_destroy(c->obs);
  bn_dist_destroy(c->rdist);
  bn_dist_destroy(c->cdist);
  bn_lr_truth_destroy(c->truth);
  free(c->res);
  free(c->vall);
  free(c->gvall);
  free(c->colbuf);
  free(c->vt);
  free(c->gvt);
  bn_rpca_colsel_free(c->colsel);
  free(c->colptr);
  free(c->colperm);
  free(c->kcol);
  free(c->rthr);
  free(c->cthr);
  free(c->rowbuf);
  free(c->lthr);
  free(c->red);
  free(c->keep);
  bn_rpca_ap_free(c->ap);
  free(c->input);
  free(c);
}

static bn_status_t bn_rpca_options(void *data, bn_ctx_t *ctx,
                                   const bn_opts_t *opts) {
  bn_rpca_t *c = data;
  int64_t r;
  c->ctx = ctx;
  c->t_gather = bn_timer_id(ctx, "gather V rows");
  c->t_product = bn_timer_id(ctx, "objective, gradient");
  c->t_select = bn_timer_id(ctx, "sparse estimator T_a");
  c->t_reduce = bn_timer_id(ctx, "reduce V gradient");
  c->t_resid = bn_timer_id(ctx, "M - U V^T, T_a row thresholds");
  BN_CALL(ctx, bn_opts_int(opts, "rank", &r));
  BN_CALL(ctx, bn_opts_real(opts, "alpha", &c->alpha));
  BN_CALL(ctx, bn_opts_real(opts, "gamma", &c->gamma));
  if (r < 1 || r > 4096)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--rank=%lld: must be in [1, 4096]",
                        (long long)r);
  if (!(c->alpha > 0 && c->alpha < 1))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--alpha=%g: must be in (0, 1)",
                        c->alpha);
  if (!(c->gamma >= 1 && c->gamma * c->alpha < 1))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--gamma=%g: must be >= 1 with gamma * alpha < 1 "
                        "(alpha = %g)",
                        c->gamma, c->alpha);
  BN_CALL(ctx, bn_lr_check_init(ctx, opts));
  BN_CALL(ctx, bn_rpca_ap_options(c, opts));
  c->r = (int)r;
  return bn_lr_input(ctx, opts, &c->input);
}

static bn_status_t bn_rpca_check_rank(bn_rpca_t *c) {
  if (c->r > c->n1 || c->r > c->n2)
    return BN_ERROR_ALL(c->ctx, BN_ERR_ARG,
                        "--rank=%d is larger than min(rows, cols) = %lld", c->r,
                        (long long)(c->n1 < c->n2 ? c->n1 : c->n2));
  return BN_OK;
}

/* Dense /M: rows x cols, finite. */
static bn_status_t bn_rpca_read_dense(bn_rpca_t *c, bn_h5_t *f) {
  bn_ctx_t *ctx = c->ctx;
  int nd;
  bn_idx_t dims[4];
  BN_CALL(ctx, bn_h5_shape(f, "/M", &nd, dims));
  if (nd != 2)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: /M must be a 2-D dataset (rows x cols); it has "
                        "%d dimensions",
                        c->input, nd);
  if (dims[0] < 1 || dims[1] < 1 || dims[1] > INT32_MAX)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA, "%s: /M is %lld x %lld: unusable",
                        c->input, (long long)dims[0], (long long)dims[1]);
  c->n1 = dims[0];
  c->n2 = dims[1];
  BN_CALL(ctx, bn_rpca_check_rank(c));
  BN_CALL(ctx, bn_dist_create_uniform(ctx, c->n1, &c->rdist));
  BN_CALL(ctx, bn_dist_create_uniform(ctx, c->n2, &c->cdist));
  BN_CALL(ctx, bn_h5_read_dmat(f, "/M", c->rdist, (int)c->n2, &c->m));
  /* The first non-finite entry in row order (the lowest failing rank's
   * message is the one every rank reports). */
  const double *m = bn_dmat_cdata(c->m);
  bn_idx_t n = bn_dmat_local_rows(c->m) * c->n2, bad = -1;
  for (bn_idx_t e = 0; e < n && bad < 0; e++)
    if (!isfinite(m[e])) bad = e;
  bn_status_t st = BN_OK;
  if (bad >= 0)
    st = BN_ERROR(ctx, BN_ERR_DATA,
                  "%s: /M has a non-finite value (%g) at row %lld, column %lld",
                  c->input, m[bad],
                  (long long)(bn_dist_first(c->rdist) + bad / c->n2),
                  (long long)(bad % c->n2));
  BN_CALL(ctx, bn_agree(ctx, st));
  c->p = 1.0;
  return BN_OK;
}

/* Observed entries /omega: the column grouping and the global column
 * counts that the column thresholds use. */
static bn_status_t bn_rpca_read_observed(bn_rpca_t *c, bn_h5_t *f) {
  bn_ctx_t *ctx = c->ctx;
  BN_CALL(ctx, bn_h5_attr_get_i64(f, "/omega", "rows", &c->n1));
  BN_CALL(ctx, bn_h5_attr_get_i64(f, "/omega", "cols", &c->n2));
  if (c->n1 < 1 || c->n2 < 1)
    return BN_ERROR_ALL(
        ctx, BN_ERR_DATA,
        "%s: /omega attributes rows and cols must be at least 1", c->input);
  BN_CALL(ctx, bn_lr_check_fits(ctx, c->input, "/omega rows", c->n1, c->r));
  BN_CALL(ctx, bn_lr_check_fits(ctx, c->input, "/omega cols", c->n2, c->r));
  BN_CALL(ctx, bn_rpca_check_rank(c));
  BN_CALL(ctx, bn_obs_read(ctx, f, "/omega", c->n1, c->n2, NULL,
                           BN_OBS_DUP_ERROR, &c->obs));
  const bn_obs_t *o = c->obs;
  if (o->nnz_global == 0)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA, "%s: /omega has no entries",
                        c->input);
  c->rdist = bn_dist_ref(o->rdist);
  BN_CALL(ctx, bn_obs_col_dist(c->obs, &c->cdist));
  BN_CALL(ctx, bn_obs_plan(c->obs, c->cdist));
  c->p = (double)o->nnz_global / ((double)c->n1 * (double)c->n2);
  bn_status_t st =
      bn_calloc(ctx, (size_t)c->n2 + 1, sizeof(bn_idx_t), &c->kcol);
  if (st == BN_OK)
    st = bn_calloc(ctx, (size_t)o->nghost + 1, sizeof(bn_idx_t), &c->colptr);
  if (st == BN_OK)
    st = bn_malloc(
        ctx, bn_size_add(bn_size_mul((size_t)o->nnz, sizeof(bn_idx_t)), 1),
        &c->colperm);
  BN_CALL(ctx, bn_agree(ctx, st));
  /* Counting sort of the local entries by ghost (= global column order). */
  for (bn_idx_t e = 0; e < o->nnz; e++) c->colptr[o->gcol[e] + 1]++;
  for (bn_idx_t g = 0; g < o->nghost; g++) {
    c->kcol[o->ghost[g]] = c->colptr[g + 1];
    c->colptr[g + 1] += c->colptr[g];
  }
  for (bn_idx_t e = 0; e < o->nnz; e++) c->colperm[c->colptr[o->gcol[e]]++] = e;
  for (bn_idx_t g = o->nghost; g > 0; g--) c->colptr[g] = c->colptr[g - 1];
  c->colptr[0] = 0;
  c->ncol_local = o->nghost;
  BN_MPI(ctx, MPI_Allreduce(MPI_IN_PLACE, c->kcol, (int)c->n2, BN_IDX_MPI,
                            MPI_SUM, bn_ctx_comm(ctx)));
  return BN_OK;
}

static bn_status_t bn_rpca_read(void *data, bn_h5_t *f, const bn_opts_t *opts) {
  bn_rpca_t *c = data;
  bn_ctx_t *ctx = c->ctx;
  (void)opts;
  int has_m, has_omega;
  BN_CALL(ctx, bn_h5_exists(f, "/M", &has_m));
  BN_CALL(ctx, bn_h5_exists(f, "/omega/row", &has_omega));
  if (!has_m && !has_omega)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: no dataset /M (the matrix) and no /omega "
                        "(observed entries): nothing to decompose",
                        c->input);
  c->dense = has_m != 0;
  BN_CALL(ctx,
          c->dense ? bn_rpca_read_dense(c, f) : bn_rpca_read_observed(c, f));
  return bn_lr_truth_read(ctx, f, c->rdist, c->cdist, &c->truth);
}

/* Work space of eval and the thresholds. */
static bn_status_t bn_rpca_alloc(void *data) {
  bn_rpca_t *c = data;
  bn_ctx_t *ctx = c->ctx;
  const size_t r = (size_t)c->r;
  c->nu = bn_dist_local(c->rdist);
  c->nv = bn_dist_local(c->cdist);
  size_t nres, nv, nrow = 1;
  if (c->dense) {
    nres = (size_t)(c->nu * c->n2);
    nv = (size_t)c->n2 * r;
    nrow = (size_t)c->n2;
    c->ncol_local = c->n2;
  } else {
    nres = (size_t)c->obs->nnz;
    nv = (size_t)c->obs->nghost * r;
    for (bn_idx_t i = 0; i < c->nu; i++) {
      size_t len = (size_t)(c->obs->rowptr[i + 1] - c->obs->rowptr[i]);
      if (len > nrow) nrow = len;
    }
  }
  bn_status_t st = bn_malloc(
      ctx, bn_size_add(bn_size_mul(nres, sizeof(double)), 1), &c->res);
  if (st == BN_OK && !c->dense)
    st = bn_malloc(ctx, bn_size_add(bn_size_mul(nres, sizeof(double)), 1),
                   &c->colbuf);
  if (st == BN_OK && c->dense) st = bn_mallocn(ctx, nv, sizeof(double), &c->vt);
  if (st == BN_OK && c->dense)
    st = bn_mallocn(ctx, nv, sizeof(double), &c->gvt);
  if (st == BN_OK && c->dense) st = bn_rpca_colsel_alloc(c);
  if (st == BN_OK)
    st = bn_malloc(ctx, bn_size_add(bn_size_mul(nv, sizeof(double)), 1),
                   &c->vall);
  if (st == BN_OK)
    st = bn_malloc(ctx, bn_size_add(bn_size_mul(nv, sizeof(double)), 1),
                   &c->gvall);
  c->nbuf = (bn_idx_t)(nrow > (size_t)c->nu ? nrow : (size_t)c->nu) + 1;
  if (st == BN_OK)
    st = bn_mallocn(ctx, bn_size_mul(2, (size_t)c->nbuf), sizeof(double),
                    &c->rowbuf);
  if (st == BN_OK)
    st = bn_mallocn(ctx, (size_t)c->ncol_local + 1, sizeof(double), &c->lthr);
  if (st == BN_OK)
    st = bn_calloc(ctx, (size_t)c->nu + 1, sizeof(double), &c->rthr);
  if (st == BN_OK)
    st = bn_mallocn(ctx, (size_t)c->n2 + 1, sizeof(double), &c->cthr);
  if (st == BN_OK)
    st = bn_mallocn(ctx, bn_size_add(1, bn_size_mul(bn_size_mul(2, r), r)),
                    sizeof(double), &c->red);
  BN_CALL(ctx, bn_agree(ctx, st));
  return bn_rpca_ap_alloc(c);
}

static bn_status_t bn_rpca_create(bn_ctx_t *ctx, const bn_opts_t *opts,
                                  void **data) {
  static const bn_lr_setup_t setup = {sizeof(bn_rpca_t), bn_rpca_options,
                                      bn_rpca_read, bn_rpca_alloc,
                                      bn_rpca_destroy};
  return bn_lr_create(ctx, opts, &setup, data);
}

static void bn_rpca_objective(void *data, bn_objective_t *obj) {
  bn_rpca_t *c = data;
  *obj = (bn_objective_t){.data = c,
                          .n = (size_t)(c->nu + c->nv) * (size_t)c->r,
                          .eval = bn_rpca_eval,
                          .metrics = bn_rpca_metrics,
                          .hvp = bn_rpca_hvp};
  if (c->ap) bn_rpca_ap_objective(obj);
}

static bn_status_t bn_rpca_save(void *data, const double *x, bn_h5_t *f,
                                const char *prefix) {
  bn_rpca_t *c = data;
  bn_status_t st =
      bn_lr_save_uv(c->ctx, f, prefix, c->rdist, c->cdist, c->r, x);
  if (st == BN_OK && !strcmp(prefix, "/")) {
    st = bn_rpca_write_sparse(c, x, f);
    if (st == BN_OK) st = bn_lr_save_shape(f, c->n1, c->n2, c->r);
    if (st == BN_OK) st = bn_h5_attr_set_f64(f, "/", "alpha", c->alpha);
    if (st == BN_OK) st = bn_h5_attr_set_f64(f, "/", "gamma", c->gamma);
    if (st == BN_OK) st = bn_h5_attr_set_str(f, "/", "input", c->input);
    if (st == BN_OK) st = bn_rpca_ap_save(c, f, prefix);
  }
  return st;
}

static bn_status_t bn_rpca_load(void *data, bn_h5_t *f, const char *prefix,
                                double *x) {
  bn_rpca_t *c = data;
  BN_CALL(c->ctx, bn_lr_load_uv(f, prefix, c->rdist, c->cdist, c->r, x));
  return bn_rpca_ap_load(c, f, prefix);
}

static void bn_rpca_describe(void *data, FILE *s) {
  bn_rpca_t *c = data;
  fprintf(s, "INPUT=%s\nROWS=%lld\nCOLS=%lld\nRANK=%d\nMODE=%s\n", c->input,
          (long long)c->n1, (long long)c->n2, c->r,
          c->dense ? "dense" : "observed");
  if (!c->dense)
    fprintf(s, "ENTRIES=%lld\nSAMPLE_RATE=%.6g\n",
            (long long)c->obs->nnz_global, c->p);
  fprintf(s, "ALPHA=%g\nGAMMA=%g\nTRUTH=%s\n", c->alpha, c->gamma,
          c->truth ? "yes" : "no");
  if (c->ap)
    fprintf(s, "METHOD=altproj\nALTPROJ_BETA=%g\nALTPROJ_DECAY=%g\n",
            c->ap->beta, c->ap->decay);
}

/* The `truth` op: the balanced true factors (lowrank_truth.c). */
static bn_status_t bn_lr_truth_point_rpca(void *data, double *x, bool *have) {
  bn_rpca_t *c = data;
  return bn_lr_truth_point(c->ctx, c->truth, c->r, 0, x, have);
}

const bn_problem_ops_t bn_problem_rpca = {
    "rpca",
    "robust PCA: M = UV^T + S, min 1/2|UV^T + S - M|^2 + 1/8|U^TU - "
    "V^TV|^2 with S = T_(gamma alpha)(M - UV^T) (Yi et al. 2016)",
    bn_rpca_optdefs,
    bn_rpca_create,
    bn_rpca_objective,
    bn_rpca_init,
    bn_rpca_save,
    bn_rpca_load,
    bn_rpca_describe,
    bn_rpca_destroy,
    bn_lr_truth_point_rpca,
    .usage =
        "mpirun -n P benign rpca [deck.ini] --input=F.h5 --rank=R "
        "--alpha=A [--output=G.h5] [--solver=gd|agd] "
        "[--init=spectral|random] [--method=gd|altproj] ...",
    .gen_opts = bn_gen_rpca_opts,
    .generate = bn_gen_rpca_run,
    .stages = &bn_rpca_stage_ops};
