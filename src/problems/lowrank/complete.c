/* Matrix completion: setup from an HDF5 input, result output. */
#include "problems/lowrank/complete_als_ws.h"
#include "problems/lowrank/complete_precond.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const bn_optdef_t bn_complete_optdefs[] = {
    {"rank", BN_OPT_INT, "5",
     "rank r of the factors U (rows x r), V (cols x r)", NULL},
    {"lambda", BN_OPT_REAL, "0",
     "ridge weight (of the factors and the biases); use > 0 for noisy data "
     "such as ratings",
     NULL},
    {"lambda-scale", BN_OPT_CHOICE, "count",
     "count: each row and column's ridge is lambda times its number of "
     "entries, over p (its least-squares problem gets lambda n_i |u_i|^2, "
     "as LIBMF's -l2 and ALS-WR); uniform: lambda/2 (|U|^2 + |V|^2). No "
     "effect at lambda = 0",
     "count|uniform"},
    {"bias", BN_OPT_BOOL, "false",
     "model y_ij = mu + b_i + c_j + u_i . v_j (mu: the mean training value; "
     "row and column biases b, c learned with the factors, saved as "
     "/bias/row, /bias/col); for ratings",
     NULL},
    {"precision", BN_OPT_CHOICE, "double",
     "the passes over the entries (f and its gradient): double, or mixed -- "
     "the ghost rows of V and their gradient stored in single precision "
     "(residuals summed in double) while the relative residual on the "
     "entries is above 3e-7, then double (up to 2x faster passes on large "
     "instances; the iterates then agree across process counts to ~1e-7 "
     "rather than to rounding); ALS sweeps, test RMSE and certificates stay "
     "double",
     "double|mixed"},
    {"tile-cache", BN_OPT_STRING, "auto",
     "the pass over the entries splits the columns into tiles whose ghost "
     "rows of V and their gradient fit in this much cache (bytes, with K, M "
     "or G; 0 = no tiles); auto: half the last-level cache over the "
     "processes on the node. Results do not depend on it, bit for bit",
     NULL},
    {"incoherence", BN_OPT_STRING, "auto",
     "weight mu of the incoherence penalty mu sum_i (|row_i| - alpha)_+^4 "
     "on the rows of U and V (0 = off); auto: 1 for exact data (lambda = 0) "
     "with gd, agd or cg, where it keeps sparse samplings from ending at "
     "spurious points, else 0",
     NULL},
    {"incoherence-radius", BN_OPT_REAL, "0",
     "alpha of the incoherence penalty; 0 = 3 sqrt(sqrt(r) |M|_F / n) from "
     "the data",
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
    {"duplicates", BN_OPT_CHOICE, "error",
     "a (row, col) pair listed more than once in the input: refuse it, or "
     "keep the first or last copy (in file order), or add the values",
     "error|first|last|sum"},
    {"loss", BN_OPT_CHOICE, "squared",
     "squared: the observed entries' values (ratings); implicit: feedback "
     "counts, every entry a preference p = (r > 0) with confidence 1 + "
     "alpha r, unobserved ones 0 with confidence 1 (Hu, Koren, Volinsky "
     "2008; uniform ridge lambda, a small random start; no --bias)",
     "squared|implicit"},
    {"alpha", BN_OPT_REAL, "40",
     "--loss=implicit: the confidence slope alpha (>= 0)", NULL},
    {"held-out", BN_OPT_BOOL, "true",
     "read the input's /test (the test RMSE, early stopping); false: leave "
     "it unread (benign tune's refit)",
     NULL},
    {NULL, 0, NULL, NULL, NULL}};

static void bn_complete_destroy(void *data) {
  bn_complete_t *c = data;
  if (!c) return;
  bn_obs_destroy(c->obs);
  bn_obs_destroy(c->test);
  bn_dist_destroy(c->rdist);
  bn_dist_destroy(c->cdist);
  bn_lr_truth_destroy(c->truth);
  bn_complete_map_free(c);
  free(c->vg);
  free(c->vgf);
  bn_complete_tiles_free(c);
  free(c->pcbuf);
  free(c->tvg);
  free(c->regu);
  free(c->stage);
  free(c->als_buf);
  bn_als_chunks_destroy(c->als_chunks);
  free(c->red);
  free(c->hbuf);
  free(c->imp_buf);
  free(c->input);
  free(c);
}

/* --incoherence: a weight >= 0, or auto: 1 for exact data (lambda = 0)
 * with a gradient solver, where the penalty keeps rows from running off
 * along the directions the entries do not see (near the information
 * limit, e.g. twice as many entries as unknowns, gd without it ends at
 * spurious points); else 0 (ALS cannot have it; noisy data have the
 * ridge). */
bn_status_t bn_complete_incoherence(bn_ctx_t *ctx, const bn_opts_t *o,
                                    double lambda, double *mu) {
  const char *v = bn_opts_string(o, "incoherence"),
             *s = bn_opts_string(o, "solver");
  if (!v || !strcmp(v, "auto")) {
    *mu = lambda == 0 && !bn_solver_sweeps(s) ? 1.0 : 0.0;
    return BN_OK;
  }
  char *end = NULL;
  *mu = strtod(v, &end);
  if (end == v || *end || !isfinite(*mu))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--incoherence=%s: expected auto or a number >= 0", v);
  return BN_OK;
}

static bn_status_t bn_complete_options(void *data, bn_ctx_t *ctx,
                                       const bn_opts_t *opts) {
  bn_complete_t *c = data;
  static const char *dups[] = {"error", "first", "last", "sum"};
  int64_t r;
  c->ctx = ctx;
  c->t_gather = bn_timer_id(ctx, "gather V rows");
  c->t_kernel = bn_timer_id(ctx, "entries kernel");
  c->t_scatter = bn_timer_id(ctx, "scatter V gradient");
  c->t_reduce = bn_timer_id(ctx, "allreduce");
  c->t_usweep = bn_timer_id(ctx, "als: row solves");
  c->t_vsweep = bn_timer_id(ctx, "als: column solves");
  BN_CALL(ctx, bn_opts_int(opts, "rank", &r));
  BN_CALL(ctx, bn_opts_real(opts, "lambda", &c->lambda));
  BN_CALL(ctx, bn_complete_incoherence(ctx, opts, c->lambda, &c->mu));
  BN_CALL(ctx, bn_opts_real(opts, "incoherence-radius", &c->alpha));
  BN_CALL(ctx, bn_opts_bool(opts, "bias", &c->bias));
  c->count = !strcmp(bn_opts_string(opts, "lambda-scale"), "count");
  c->mixed = !strcmp(bn_opts_string(opts, "precision"), "mixed");
  BN_CALL(ctx, bn_complete_tiles_options(c, opts));
  /* With count-scaled ridge the rows' and columns' weights differ, so its
   * minimizers are not balanced: the ridge alone fixes the scale. */
  c->balance = !(c->count && c->lambda > 0);
  if (r < 1 || r > 4096)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--rank=%lld: must be in [1, 4096]",
                        (long long)r);
  if (c->lambda < 0 || c->mu < 0 || c->alpha < 0)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--lambda, --incoherence and --incoherence-radius must "
                        "be nonnegative");
  /* Checked here too (not only by the init that uses them), so that an
   * absurd value fails before the input is read. */
  BN_CALL(ctx, bn_lr_check_init(ctx, opts));
  const char *dup = bn_opts_string(opts, "duplicates");
  for (int k = 0; k < 4; k++)
    if (dup && !strcmp(dup, dups[k])) c->dup = (bn_obs_dup_t)k;
  c->r = (int)r;
  c->implicit = !strcmp(bn_opts_string(opts, "loss"), "implicit");
  BN_CALL(ctx, bn_opts_real(opts, "alpha", &c->ialpha));
  if (c->implicit) {
    const char *bad =
        c->bias ? "--bias=true"
        : bn_opts_source(opts, "lambda-scale") >= BN_SRC_DECK && c->count
            ? "--lambda-scale=count"
        : bn_opts_source(opts, "init") >= BN_SRC_DECK &&
                !strcmp(bn_opts_string(opts, "init"), "spectral")
            ? "--init=spectral"
        : c->mu > 0 && bn_opts_source(opts, "incoherence") >= BN_SRC_DECK
            ? "--incoherence"
            : NULL;
    if (bad)
      return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                          "--loss=implicit does not take %s (a uniform ridge, "
                          "a small random start, no biases)",
                          bad);
    if (!(c->ialpha >= 0) || !isfinite(c->ialpha))
      return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--alpha=%g: must be >= 0",
                          c->ialpha);
    c->count = false, c->balance = false, c->mu = 0.0;
  }
  const char *solver = bn_opts_string(opts, "solver");
  if (c->mu > 0 && bn_solver_sweeps(solver))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--solver=%s does not handle --incoherence (its "
                        "row solves are least squares): use gd or agd",
                        solver);
  return bn_lr_input(ctx, opts, &c->input);
}

/* Entries of the training set, the test set and the truth, if present. */
static bn_status_t bn_complete_read(void *data, bn_h5_t *f,
                                    const bn_opts_t *opts) {
  bn_complete_t *c = data;
  bn_ctx_t *ctx = c->ctx;
  int has_test;
  BN_CALL(ctx, bn_h5_attr_get_i64(f, "/omega", "rows", &c->n1));
  BN_CALL(ctx, bn_h5_attr_get_i64(f, "/omega", "cols", &c->n2));
  if (c->n1 < 1 || c->n2 < 1)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: /omega attribute '%s' is %lld, must be at least 1",
                        c->input, c->n1 < 1 ? "rows" : "cols",
                        (long long)(c->n1 < 1 ? c->n1 : c->n2));
  BN_CALL(ctx, bn_lr_check_fits(ctx, c->input, "/omega rows", c->n1, c->r));
  BN_CALL(ctx, bn_lr_check_fits(ctx, c->input, "/omega cols", c->n2, c->r));
  if (c->r > c->n1 || c->r > c->n2)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--rank=%d is larger than min(rows, cols) = %lld", c->r,
                        (long long)(c->n1 < c->n2 ? c->n1 : c->n2));
  BN_CALL(ctx,
          bn_obs_read(ctx, f, "/omega", c->n1, c->n2, NULL, c->dup, &c->obs));
  c->rdist = bn_dist_ref(c->obs->rdist);
  if (c->obs->nnz_global == 0)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: /omega has no entries: nothing to complete",
                        c->input);
  /* An idle process would make every collective wait on nothing useful and
   * usually means the job is far too wide for the data. */
  bn_status_t st = BN_OK;
  if (c->obs->nnz == 0)
    st = BN_ERROR(ctx, BN_ERR_DATA,
                  "process %d of %d owns no observed entries (%lld entries "
                  "in %lld rows): run with fewer processes",
                  bn_ctx_rank(ctx), bn_ctx_size(ctx),
                  (long long)c->obs->nnz_global, (long long)c->n1);
  BN_CALL(ctx, bn_agree(ctx, st));
  BN_CALL(ctx, bn_obs_col_dist(c->obs, &c->cdist));
  BN_CALL(ctx, bn_obs_plan(c->obs, c->cdist));
  bool held = true;
  BN_CALL(ctx, bn_opts_bool(opts, "held-out", &held));
  BN_CALL(ctx, bn_h5_exists(f, "/test/row", &has_test));
  if (has_test && held) {
    BN_CALL(ctx, bn_obs_read(ctx, f, "/test", c->n1, c->n2, c->rdist, c->dup,
                             &c->test));
    BN_CALL(ctx, bn_obs_plan(c->test, c->cdist));
  }
  BN_CALL(ctx, bn_lr_truth_read(ctx, f, c->rdist, c->cdist, &c->truth));
  return bn_complete_map_read(c, f);
}

/* Work space of eval (sized by the rank). */
bn_status_t bn_complete_buffers(bn_complete_t *c) {
  bn_ctx_t *ctx = c->ctx;
  c->w = c->r + (c->bias ? 1 : 0);
  size_t ng = (size_t)c->obs->nghost * (size_t)c->w + 1;
  size_t nt = c->test ? (size_t)c->test->nghost * (size_t)c->w : 0;
  bn_status_t st = bn_mallocn(ctx, bn_size_mul(2, ng), sizeof(double), &c->vg);
  if (st == BN_OK && c->bias)
    st = bn_mallocn(ctx, bn_size_add(bn_size_mul((size_t)c->nv, c->w), 1),
                    sizeof(double), &c->stage);
  /* eval: 2 + 2 r^2 */
  if (st == BN_OK)
    st = bn_mallocn(
        ctx, bn_size_add(2, bn_size_mul(bn_size_mul(2, (size_t)c->r), c->r)),
        sizeof(double), &c->red);
  if (st == BN_OK) st = bn_mallocn(ctx, nt, sizeof(double), &c->tvg);
  c->gvg = c->vg ? c->vg + ng : NULL;
  BN_CALL(ctx, bn_agree(ctx, st));
  return bn_complete_tiles_alloc(c);
}

static bn_status_t bn_complete_alloc(void *data) {
  bn_complete_t *c = data;
  c->nu = bn_dist_local(c->rdist);
  c->nv = bn_dist_local(c->cdist);
  c->p = (double)c->obs->nnz_global / ((double)c->n1 * (double)c->n2);
  BN_CALL(c->ctx, bn_complete_buffers(c));
  return bn_complete_weights(c);
}

static bn_status_t bn_complete_create(bn_ctx_t *ctx, const bn_opts_t *opts,
                                      void **data) {
  static const bn_lr_setup_t setup = {sizeof(bn_complete_t),
                                      bn_complete_options, bn_complete_read,
                                      bn_complete_alloc, bn_complete_destroy};
  return bn_lr_create(ctx, opts, &setup, data);
}

static void bn_complete_objective(void *data, bn_objective_t *obj) {
  bn_complete_t *c = data;
  *obj = (bn_objective_t){.data = c,
                          .n = (size_t)(c->nu + c->nv) * (size_t)c->w,
                          .eval = bn_complete_eval,
                          .sweep = bn_complete_sweep,
                          .metrics = bn_complete_metrics,
                          .hvp = bn_complete_hvp,
                          .precond = bn_complete_precond};
  if (c->implicit) { /* no test RMSE: rank it (benign recommend) */
    obj->eval = bn_implicit_eval;
    obj->sweep = bn_implicit_sweep;
    obj->metrics = NULL;
    obj->hvp = NULL;
    obj->precond = NULL;
  }
}

static bn_status_t bn_complete_save(void *data, const double *x, bn_h5_t *f,
                                    const char *prefix) {
  bn_complete_t *c = data;
  bn_status_t st =
      bn_lr_save_uv(c->ctx, f, prefix, c->rdist, c->cdist, c->r, x);
  if (st == BN_OK && c->bias) st = bn_complete_bias_save(c, x, f, prefix);
  if (st == BN_OK && c->mixed && !strcmp(prefix, "/"))
    /* where a restart continues: in float or not */
    st = bn_h5_attr_set_i64(f, prefix, "mixed_double", c->dbl ? 1 : 0);
  if (st == BN_OK && !strcmp(prefix, "/")) {
    st = bn_lr_save_shape(f, c->n1, c->n2, c->r);
    if (st == BN_OK) st = bn_h5_attr_set_str(f, "/", "input", c->input);
    if (st == BN_OK) st = bn_complete_map_save(c, f);
    if (st == BN_OK) st = bn_complete_values_save(c, f);
  }
  return st;
}

static bn_status_t bn_complete_load(void *data, bn_h5_t *f, const char *prefix,
                                    double *x) {
  bn_complete_t *c = data;
  BN_CALL(c->ctx, bn_lr_load_uv(f, prefix, c->rdist, c->cdist, c->r, x));
  if (!strcmp(prefix, "/")) c->dbl = false;
  int has = 0;
  if (c->mixed)
    BN_CALL(c->ctx, bn_h5_attr_exists(f, prefix, "mixed_double", &has));
  if (has) {
    int64_t d;
    BN_CALL(c->ctx, bn_h5_attr_get_i64(f, prefix, "mixed_double", &d));
    if (d != 0 && d != 1)
      return BN_ERROR_ALL(c->ctx, BN_ERR_DATA,
                          "%s: attribute mixed_double is %lld, must be 0 or 1",
                          prefix, (long long)d);
    c->dbl = d == 1;
  }
  return c->bias ? bn_complete_bias_load(c, f, prefix, x) : BN_OK;
}

static void bn_complete_describe(void *data, FILE *s) {
  bn_complete_t *c = data;
  fprintf(s, "INPUT=%s\nROWS=%lld\nCOLS=%lld\nRANK=%d\nENTRIES=%lld\n",
          c->input, (long long)c->n1, (long long)c->n2, c->r,
          (long long)c->obs->nnz_global);
  fprintf(s, "SAMPLE_RATE=%.6g\nTEST_ENTRIES=%lld\nTRUTH=%s\nLAMBDA=%g\n", c->p,
          c->test ? (long long)c->test->nnz_global : 0LL,
          c->truth ? "yes" : "no", c->lambda);
  fprintf(s, "LAMBDA_SCALE=%s\nBIAS=%s\n", c->count ? "count" : "uniform",
          c->bias ? "yes" : "no");
  if (c->implicit) fprintf(s, "LOSS=implicit\nALPHA=%g\n", c->ialpha);
  if (c->bias) fprintf(s, "MEAN=%.10g\n", c->mean);
  if (c->mixed) fprintf(s, "PRECISION=mixed\n");
  /* Only when --duplicates merged some (the policy is in the options). */
  bn_idx_t td = c->test ? c->test->ndup_global : 0;
  if (c->obs->ndup_global > 0 || td > 0)
    fprintf(s, "DUPLICATES_MERGED=%lld\nTEST_DUPLICATES_MERGED=%lld\n",
            (long long)c->obs->ndup_global, (long long)td);
}

/* The `truth` op: the balanced true factors (lowrank_truth.c). */
static bn_status_t bn_lr_truth_point_complete(void *data, double *x,
                                              bool *have) {
  bn_complete_t *c = data;
  return bn_lr_truth_point(c->ctx, c->truth, c->r, 0, x, have);
}

const bn_problem_ops_t bn_problem_complete = {
    "complete",
    "low-rank matrix completion: min 1/(2p)|P_Omega(UV^T - M)|^2 + "
    "1/8|U^TU - V^TV|^2 (+ ridge, incoherence)",
    bn_complete_optdefs,
    bn_complete_create,
    bn_complete_objective,
    bn_complete_init,
    bn_complete_save,
    bn_complete_load,
    bn_complete_describe,
    bn_complete_destroy,
    bn_lr_truth_point_complete,
    .usage =
        "mpirun -n P benign complete [deck.ini] --input=F.h5 --rank=R "
        "[--output=G.h5] [--solver=gd|agd|als|aals|cg] "
        "[--init=spectral|random] ...",
    .gen_opts = bn_gen_complete_opts,
    .generate = bn_gen_complete_run,
    .retune = bn_complete_retune};
