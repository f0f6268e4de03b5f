/* Matrix sensing: setup from an HDF5 input, result output. */
#include "problems/lowrank/sense.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const bn_sense_op_names[3] = {"gaussian", "rank-one", "implicit"};

int bn_sense_op_parse(const char *name) {
  for (int k = 0; k < 3; k++)
    if (name && !strcmp(name, bn_sense_op_names[k])) return k;
  return -1;
}

const bn_optdef_t bn_sense_optdefs[] = {
    {"rank", BN_OPT_INT, "5",
     "rank r of the factors U (rows x r), V (cols x r)", NULL},
    {"init-scale", BN_OPT_REAL, "0.01",
     "--init=random: factor entries ~ N(0, s^2) with s = init-scale times the "
     "typical entry of balanced factors (estimated from |y|)",
     NULL},
    {"oversample", BN_OPT_INT, "10",
     "--init=spectral: extra columns of the randomized SVD sketch", NULL},
    {"power-iters", BN_OPT_INT, "2",
     "--init=spectral: subspace (power) iterations of the randomized SVD",
     NULL},
    {NULL, 0, NULL, NULL, NULL}};

void bn_sense_free(bn_sense_t *s) {
  if (!s) return;
  bn_dist_destroy(s->mdist);
  bn_dist_destroy(s->udist);
  bn_dist_destroy(s->vdist);
  bn_dmat_destroy(s->amat);
  bn_dmat_destroy(s->bmat);
  bn_lr_truth_destroy(s->truth);
  free(s->y);
  free(s->uf);
  free(s->mm);
  free(s->p);
  free(s->blk);
  free(s->hbuf);
  free(s->ucnt);
  free(s->input);
  free(s);
}

static void bn_sense_destroy(void *data) { bn_sense_free(data); }

bn_status_t bn_sense_prepare(bn_sense_t *s) {
  bn_ctx_t *ctx = s->ctx;
  const int r = s->r, P = bn_ctx_size(ctx);
  size_t nn = (size_t)s->n1 * (size_t)s->n2;
  size_t nf = (size_t)(s->n1 + s->n2) * r;
  s->ml = bn_dist_local(s->mdist);
  s->nu = bn_dist_local(s->udist);
  s->nv = bn_dist_local(s->vdist);
  s->t_gather = bn_timer_id(ctx, "allgather U, V");
  s->t_kernel = bn_timer_id(ctx, "measurements kernel");
  s->t_reduce = bn_timer_id(ctx, "reduce-scatter gradient");
  bn_status_t st =
      bn_mallocn(ctx,
                 bn_size_add(bn_size_mul(2, nf),
                             bn_size_mul(bn_size_mul(2, (size_t)r), r)),
                 sizeof(double), &s->uf);
  if (st == BN_OK) {
    s->vf = s->uf + (size_t)s->n1 * r;
    s->gu = s->uf + nf;
    s->gv = s->gu + (size_t)s->n1 * r;
    s->gram = s->uf + 2 * nf;
  }
  size_t ml = (size_t)s->ml;
  if (st == BN_OK && s->op == BN_SENSE_RANK_ONE)
    st = bn_mallocn(
        ctx,
        bn_size_add(bn_size_add(bn_size_mul(bn_size_mul(2, ml), r), ml), 1),
        sizeof(double), &s->p);
  else if (st == BN_OK)
    st = bn_mallocn(ctx, bn_size_add(bn_size_add(bn_size_mul(2, nn), ml), 1),
                    sizeof(double), &s->mm);
  if (st == BN_OK && s->op == BN_SENSE_RANK_ONE) {
    s->q = s->p + ml * r;
    s->res = s->q + ml * r;
  } else if (st == BN_OK) {
    s->gm = s->mm + nn;
    s->res = s->gm + nn;
  }
  if (st == BN_OK && s->op == BN_SENSE_IMPLICIT) {
    /* About 2 MB of generated rows per block, and at least 4 rows while
     * they take at most 256 MB: the implicit pass sweeps M and G once per
     * block (sense_eval.c), so 4 rows cut its memory traffic per
     * measurement from 5 to 2.75 sweeps of n1 n2 doubles (measured at
     * 2000 x 2000: 14.5 -> 11.5 ms per measurement). */
    bn_idx_t b = (bn_idx_t)((size_t)1 << 18) / (bn_idx_t)nn;
    if (b < 4) b = 4 * (size_t)nn <= ((size_t)1 << 25) ? 4 : 1;
    s->blk_rows = b > s->ml ? (s->ml > 0 ? s->ml : 1) : b;
    st = bn_mallocn(ctx, bn_size_mul((size_t)s->blk_rows, nn), sizeof(double),
                    &s->blk);
  }
  if (st == BN_OK)
    st = bn_mallocn(ctx, bn_size_mul(4, (size_t)P), sizeof(int), &s->ucnt);
  if (st == BN_OK) {
    s->udsp = s->ucnt + P;
    s->vcnt = s->udsp + P;
    s->vdsp = s->vcnt + P;
    for (int p = 0; p < P; p++) {
      s->udsp[p] = (int)(bn_dist_offset(s->udist, p) * r);
      s->ucnt[p] = (int)(bn_dist_offset(s->udist, p + 1) * r) - s->udsp[p];
      s->vdsp[p] = (int)(bn_dist_offset(s->vdist, p) * r);
      s->vcnt[p] = (int)(bn_dist_offset(s->vdist, p + 1) * r) - s->vdsp[p];
    }
  }
  return bn_agree(ctx, st);
}

static bn_status_t bn_sense_options(void *data, bn_ctx_t *ctx,
                                    const bn_opts_t *opts) {
  bn_sense_t *s = data;
  int64_t r;
  s->ctx = ctx;
  BN_CALL(ctx, bn_opts_int(opts, "rank", &r));
  if (r < 1 || r > 4096)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--rank=%lld: must be in [1, 4096]",
                        (long long)r);
  BN_CALL(ctx, bn_lr_check_init(ctx, opts));
  s->r = (int)r;
  const char *solver = bn_opts_string(opts, "solver");
  if (bn_solver_sweeps(solver))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--solver=%s: sensing has no alternating sweep; use "
                        "gd or agd",
                        solver);
  return bn_lr_input(ctx, opts, &s->input);
}

/* The metadata of /y: m, operator, rows, cols (and the seed). */
static bn_status_t bn_sense_read_meta(bn_sense_t *s, bn_h5_t *f) {
  bn_ctx_t *ctx = s->ctx;
  int has, nd;
  bn_idx_t dims[4];
  char *op = NULL;
  BN_CALL(ctx, bn_h5_exists(f, "/y", &has));
  if (!has)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: no dataset /y (the measurements): not a sensing "
                        "input (see docs/file-formats.md)",
                        s->input);
  BN_CALL(ctx, bn_h5_shape(f, "/y", &nd, dims));
  if (nd != 1 || dims[0] < 1)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: /y must be a 1-D dataset with at least one "
                        "measurement",
                        s->input);
  s->m = dims[0];
  BN_CALL(ctx, bn_h5_attr_get_str(f, "/y", "operator", &op));
  int k = bn_sense_op_parse(op);
  if (k < 0) {
    bn_status_t st = BN_ERROR_ALL(ctx, BN_ERR_DATA,
                                  "%s: unknown operator '%s' (attribute of "
                                  "/y): expected gaussian, rank-one or "
                                  "implicit",
                                  s->input, op);
    free(op);
    return st;
  }
  free(op);
  s->op = (bn_sense_op_t)k;
  BN_CALL(ctx, bn_h5_attr_get_i64(f, "/y", "rows", &s->n1));
  BN_CALL(ctx, bn_h5_attr_get_i64(f, "/y", "cols", &s->n2));
  if (s->n1 < 1 || s->n2 < 1)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: /y attributes rows and cols must be at least 1",
                        s->input);
  BN_CALL(ctx, bn_lr_check_fits(ctx, s->input, "/y rows", s->n1, s->r));
  BN_CALL(ctx, bn_lr_check_fits(ctx, s->input, "/y cols", s->n2, s->r));
  if (s->r > s->n1 || s->r > s->n2)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--rank=%d is larger than min(rows, cols) = %lld", s->r,
                        (long long)(s->n1 < s->n2 ? s->n1 : s->n2));
  if (s->op != BN_SENSE_RANK_ONE && s->n1 * s->n2 > INT32_MAX)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: rows x cols = %lld is too large for the %s "
                        "operator (at most 2^31 - 1 entries per A_i)",
                        s->input, (long long)(s->n1 * s->n2),
                        bn_sense_op_names[s->op]);
  if (s->op == BN_SENSE_IMPLICIT) {
    int64_t seed;
    BN_CALL(ctx, bn_h5_attr_get_i64(f, "/y", "seed", &seed));
    s->seed = (uint64_t)seed;
  }
  return BN_OK;
}

/* Rows of a stored operator array: it must have m rows and `cols`
 * columns. */
static bn_status_t bn_sense_read_op(bn_sense_t *s, bn_h5_t *f, const char *name,
                                    bn_idx_t cols, bn_dmat_t **out) {
  bn_ctx_t *ctx = s->ctx;
  int nd;
  bn_idx_t dims[4];
  BN_CALL(ctx, bn_h5_shape(f, name, &nd, dims));
  if (nd != 2)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA, "%s: %s must be 2-D (m x %lld)",
                        s->input, name, (long long)cols);
  if (dims[0] != s->m)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: %s has %lld rows but /y has %lld measurements "
                        "(one row per measurement)",
                        s->input, name, (long long)dims[0], (long long)s->m);
  if (dims[1] != cols)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: %s has %lld columns, expected %lld", s->input,
                        name, (long long)dims[1], (long long)cols);
  BN_CALL(ctx, bn_h5_read_dmat(f, name, s->mdist, (int)cols, out));
  int64_t bad;
  BN_CALL(ctx, bn_lr_first_bad(ctx, bn_dmat_cdata(*out), (size_t)(s->ml * cols),
                               bn_dist_first(s->mdist), (size_t)cols, &bad));
  if (bad >= 0)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: %s row %lld holds a NaN or infinite value",
                        s->input, name, (long long)bad);
  return BN_OK;
}

static bn_status_t bn_sense_read(void *data, bn_h5_t *f,
                                 const bn_opts_t *opts) {
  bn_sense_t *s = data;
  bn_ctx_t *ctx = s->ctx;
  (void)opts;
  BN_CALL(ctx, bn_sense_read_meta(s, f));
  BN_CALL(ctx, bn_dist_create_uniform(ctx, s->m, &s->mdist));
  BN_CALL(ctx, bn_dist_create_uniform(ctx, s->n1, &s->udist));
  BN_CALL(ctx, bn_dist_create_uniform(ctx, s->n2, &s->vdist));
  s->ml = bn_dist_local(s->mdist);
  if (s->op == BN_SENSE_RANK_ONE) {
    int nd;
    bn_idx_t da[4], db[4];
    BN_CALL(ctx, bn_h5_shape(f, "/a", &nd, da));
    BN_CALL(ctx, bn_h5_shape(f, "/b", &nd, db));
    if (da[0] != db[0])
      return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                          "%s: /a has %lld rows but /b has %lld: A_i = a_i "
                          "b_i^T needs one row of each per measurement",
                          s->input, (long long)da[0], (long long)db[0]);
    BN_CALL(ctx, bn_sense_read_op(s, f, "/a", s->n1, &s->amat));
    BN_CALL(ctx, bn_sense_read_op(s, f, "/b", s->n2, &s->bmat));
    s->b = bn_dmat_cdata(s->bmat);
  } else if (s->op == BN_SENSE_GAUSSIAN) {
    BN_CALL(ctx, bn_sense_read_op(s, f, "/A", s->n1 * s->n2, &s->amat));
  }
  if (s->amat) s->a = bn_dmat_cdata(s->amat);
  BN_CALL(ctx, bn_agree(ctx, bn_mallocn(ctx, (size_t)s->ml + 1, sizeof(double),
                                        &s->y)));
  BN_CALL(ctx, bn_h5_read_f64(f, "/y", bn_dist_first(s->mdist), s->ml, s->y));
  int64_t bad;
  BN_CALL(ctx, bn_lr_first_bad(ctx, s->y, (size_t)s->ml,
                               bn_dist_first(s->mdist), 1, &bad));
  if (bad >= 0)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: /y[%lld] is NaN or infinite: measurements must "
                        "be finite",
                        s->input, (long long)bad);
  BN_CALL(ctx, bn_lr_truth_read(ctx, f, s->udist, s->vdist, &s->truth));
  return BN_OK;
}

static bn_status_t bn_sense_prepare_data(void *data) {
  return bn_sense_prepare(data);
}

static bn_status_t bn_sense_create(bn_ctx_t *ctx, const bn_opts_t *opts,
                                   void **data) {
  static const bn_lr_setup_t setup = {sizeof(bn_sense_t), bn_sense_options,
                                      bn_sense_read, bn_sense_prepare_data,
                                      bn_sense_destroy};
  return bn_lr_create(ctx, opts, &setup, data);
}

static void bn_sense_objective(void *data, bn_objective_t *obj) {
  bn_sense_t *s = data;
  *obj = (bn_objective_t){.data = s,
                          .n = (size_t)(s->nu + s->nv) * (size_t)s->r,
                          .eval = bn_sense_eval,
                          .metrics = bn_sense_metrics,
                          .hvp = bn_sense_hvp};
}

static bn_status_t bn_sense_save(void *data, const double *x, bn_h5_t *f,
                                 const char *prefix) {
  bn_sense_t *s = data;
  bn_status_t st =
      bn_lr_save_uv(s->ctx, f, prefix, s->udist, s->vdist, s->r, x);
  if (st == BN_OK && !strcmp(prefix, "/")) {
    st = bn_lr_save_shape(f, s->n1, s->n2, s->r);
    if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "measurements", s->m);
    if (st == BN_OK)
      st = bn_h5_attr_set_str(f, "/", "operator", bn_sense_op_names[s->op]);
    if (st == BN_OK) st = bn_h5_attr_set_str(f, "/", "input", s->input);
  }
  return st;
}

static bn_status_t bn_sense_load(void *data, bn_h5_t *f, const char *prefix,
                                 double *x) {
  bn_sense_t *s = data;
  return bn_lr_load_uv(f, prefix, s->udist, s->vdist, s->r, x);
}

static void bn_sense_describe(void *data, FILE *out) {
  bn_sense_t *s = data;
  fprintf(out, "INPUT=%s\nOPERATOR=%s\nROWS=%lld\nCOLS=%lld\nRANK=%d\n",
          s->input, bn_sense_op_names[s->op], (long long)s->n1,
          (long long)s->n2, s->r);
  fprintf(out, "MEASUREMENTS=%lld\nOVERSAMPLING=%.3g\nTRUTH=%s\n",
          (long long)s->m, (double)s->m / ((double)s->r * (s->n1 + s->n2)),
          s->truth ? "yes" : "no");
}

/* The `truth` op: the balanced true factors (lowrank_truth.c). */
static bn_status_t bn_lr_truth_point_sense(void *data, double *x, bool *have) {
  bn_sense_t *s = data;
  return bn_lr_truth_point(s->ctx, s->truth, s->r, 0, x, have);
}

const bn_problem_ops_t bn_problem_sense = {
    "sense",
    "low-rank matrix sensing: min 1/(2m) sum_i (<A_i, UV^T> - y_i)^2 + "
    "1/8|U^TU - V^TV|^2 (gaussian, rank-one or implicit A_i)",
    bn_sense_optdefs,
    bn_sense_create,
    bn_sense_objective,
    bn_sense_init,
    bn_sense_save,
    bn_sense_load,
    bn_sense_describe,
    bn_sense_destroy,
    bn_lr_truth_point_sense,
    .usage =
        "mpirun -n P benign sense [deck.ini] --input=F.h5 --rank=R "
        "[--output=G.h5] [--solver=gd|agd] [--init=spectral|random] ...",
    .gen_opts = bn_gen_sense_opts,
    .generate = bn_gen_sense_run};
