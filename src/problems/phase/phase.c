/* Phase retrieval: setup from an HDF5 input, result output (the options
 * and the choice of --method=auto: phase_opts.c).
 *
 * Input (docs/commands.md, `benign phase`): /y (m) with the attributes
 * model (gaussian|implicit|cdp; default gaussian), field (complex|real),
 * data (intensity|amplitude; default intensity), and for implicit n and
 * seed; cdp: /y is L x h x w with height, width, patterns, seed
 * (phase_cdp.h);
 * /A (m x n x 2 complex, m x n real) for gaussian; optional /x_true
 * (n x 2 or n). Result: /x (n x 2 or n). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problems/phase/phase.h"
#include "problems/phase/phase_cdp.h"

/* Measurement models by name. */
static const struct {
  const char *name;
  const bn_phase_model_t *model;
} bn_phase_models[] = {{"gaussian", &bn_phase_model_gaussian},
                       {"implicit", &bn_phase_model_implicit},
                       {"cdp", &bn_phase_model_cdp}};
#define BN_PHASE_NMODELS 3

void bn_phase_free(bn_phase_t *s) {
  if (!s) return;
  if (s->model) s->model->destroy(s);
  bn_dist_destroy(s->mdist);
  bn_dist_destroy(s->xdist);
  free(s->y);
  free(s->xt);
  free(s->zf);
  free(s->cnt);
  free(s->input);
  bn_phase_solves_free(s);
  free(s);
}

static void bn_phase_destroy(void *data) { bn_phase_free(data); }

bn_status_t bn_phase_prepare(bn_phase_t *s) {
  bn_ctx_t *ctx = s->ctx;
  const int P = bn_ctx_size(ctx);
  const size_t len = (size_t)s->K * (size_t)s->n;
  s->ml = bn_dist_local(s->mdist);
  s->nl = bn_dist_local(s->xdist);
  s->t_gather = bn_timer_id(ctx, "allgather z");
  s->t_pass = bn_timer_id(ctx, "measurements pass");
  s->t_reduce = bn_timer_id(ctx, "allreduce f, gradient");
  s->vlen = s->model->local ? (size_t)s->K * (size_t)s->nl : len;
  s->voff =
      s->model->local ? 0 : (size_t)s->K * (size_t)bn_dist_first(s->xdist);
  /* zf, vf, red = [f | vlen]; zeroed so that a pass never reads garbage. */
  bn_status_t st = bn_calloc(ctx, bn_size_add(bn_size_mul(3, s->vlen), 1),
                             sizeof(double), &s->zf);
  if (st == BN_OK) {
    s->vf = s->zf + s->vlen;
    s->red = s->vf + s->vlen;
    st = bn_mallocn(ctx, bn_size_mul(2, (size_t)P), sizeof(int), &s->cnt);
  }
  if (st == BN_OK) {
    s->dsp = s->cnt + P;
    for (int p = 0; p < P; p++) {
      s->dsp[p] = (int)(bn_dist_offset(s->xdist, p) * s->K);
      s->cnt[p] = (int)(bn_dist_offset(s->xdist, p + 1) * s->K) - s->dsp[p];
    }
  }
  return bn_agree(ctx, st);
}

/* A string attribute of /y, or `def` when absent (caller frees *out). */
static bn_status_t bn_phase_attr(bn_phase_t *s, bn_h5_t *f, const char *name,
                                 const char *def, char **out) {
  int has;
  *out = NULL;
  BN_CALL(s->ctx, bn_h5_attr_exists(f, "/y", name, &has));
  if (has) return bn_h5_attr_get_str(f, "/y", name, out);
  *out = def ? strdup(def) : NULL;
  return BN_OK;
}

/* The model, from /y's attribute and --model. */
static bn_status_t bn_phase_read_model(bn_phase_t *s, bn_h5_t *f,
                                       const bn_opts_t *opts) {
  bn_ctx_t *ctx = s->ctx;
  char *name = NULL;
  BN_CALL(ctx, bn_phase_attr(s, f, "model", "gaussian", &name));
  const char *want = bn_opts_string(opts, "model");
  int k = -1;
  for (int j = 0; j < BN_PHASE_NMODELS; j++)
    if (name && !strcmp(name, bn_phase_models[j].name)) k = j;
  bn_status_t st = BN_OK;
  if (k < 0)
    st = BN_ERROR_ALL(ctx, BN_ERR_DATA,
                      "%s: unknown measurement model '%s' (attribute of /y): "
                      "expected gaussian, implicit or cdp",
                      s->input, name ? name : "");
  else if (!bn_phase_models[k].model)
    st = BN_ERROR_ALL(ctx, BN_ERR_DATA,
                      "%s: model '%s' (coded diffraction patterns) is not yet "
                      "available (gaussian and implicit are)",
                      s->input, name);
  else if (want && strcmp(want, "auto") && strcmp(want, name))
    st = BN_ERROR_ALL(ctx, BN_ERR_ARG,
                      "--model=%s, but %s holds a %s model (attribute model "
                      "of /y)",
                      want, s->input, name);
  if (st == BN_OK) s->model = bn_phase_models[k].model;
  free(name);
  return st;
}

/* n and the field: from /A's shape (gaussian) or /y's attributes. */
static bn_status_t bn_phase_read_shape(bn_phase_t *s, bn_h5_t *f,
                                       const bn_idx_t *yd) {
  bn_ctx_t *ctx = s->ctx;
  char *field = NULL;
  int nd, cplx = -1;
  bn_idx_t d[4];
  BN_CALL(ctx, bn_phase_attr(s, f, "field", NULL, &field));
  if (field) {
    cplx = !strcmp(field, "complex") ? 1 : !strcmp(field, "real") ? 0 : -2;
    free(field);
    if (cplx == -2)
      return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                          "%s: attribute field of /y must be complex or real",
                          s->input);
  }
  if (s->model == &bn_phase_model_cdp) {
    if (cplx == 0)
      return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                          "%s: a cdp model is complex (attribute field of /y "
                          "says real)",
                          s->input);
    return bn_phase_cdp_shape(s, f, yd);
  }
  if (s->model == &bn_phase_model_implicit) {
    int64_t n, seed;
    if (cplx < 0)
      return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                          "%s: an implicit model needs the attribute field "
                          "(complex or real) of /y",
                          s->input);
    BN_CALL(ctx, bn_h5_attr_get_i64(f, "/y", "n", &n));
    BN_CALL(ctx, bn_h5_attr_get_i64(f, "/y", "seed", &seed));
    s->n = n;
    s->seed = (uint64_t)seed;
    s->cplx = cplx;
  } else {
    int has;
    BN_CALL(ctx, bn_h5_exists(f, "/A", &has));
    if (!has)
      return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                          "%s: no dataset /A (the measurement matrix of a "
                          "gaussian model)",
                          s->input);
    BN_CALL(ctx, bn_h5_shape(f, "/A", &nd, d));
    if (!((nd == 3 && d[2] == 2) || nd == 2))
      return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                          "%s: /A must be m x n x 2 (complex: real and "
                          "imaginary parts) or m x n (real)",
                          s->input);
    if (d[0] != s->m)
      return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                          "%s: /A has %lld rows but /y has %lld measurements "
                          "(one row per measurement)",
                          s->input, (long long)d[0], (long long)s->m);
    if (cplx >= 0 && cplx != (nd == 3))
      return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                          "%s: /y says the field is %s but /A is %s", s->input,
                          cplx ? "complex" : "real",
                          nd == 3 ? "m x n x 2 (complex)" : "m x n (real)");
    s->n = d[1];
    s->cplx = nd == 3;
  }
  s->K = s->cplx ? 2 : 1;
  if (s->n < 1 || s->n * s->K > INT32_MAX)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA, "%s: n = %lld is out of range",
                        s->input, (long long)s->n);
  if (s->m < s->n)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: %lld measurements for n = %lld unknowns: phase "
                        "retrieval needs m >= n (in practice m >= %s n)",
                        s->input, (long long)s->m, (long long)s->n,
                        s->cplx ? "4" : "2");
  return BN_OK;
}

/* /y: finite and nonnegative; both intensities and amplitudes kept. */
static bn_status_t bn_phase_read_y(bn_phase_t *s, bn_h5_t *f,
                                   const bn_opts_t *opts) {
  bn_ctx_t *ctx = s->ctx;
  char *data = NULL;
  BN_CALL(ctx, bn_phase_attr(s, f, "data", "intensity", &data));
  const char *want = bn_opts_string(opts, "data");
  if (want && strcmp(want, "auto")) {
    free(data);
    data = strdup(want);
  }
  int amp = data && !strcmp(data, "amplitude");
  int ok = data && (amp || !strcmp(data, "intensity"));
  free(data);
  if (!ok)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: attribute data of /y must be intensity or "
                        "amplitude",
                        s->input);
  s->amp_data = amp;
  size_t ml = (size_t)s->ml;
  BN_CALL(ctx, bn_agree(ctx, bn_mallocn(ctx, bn_size_add(bn_size_mul(2, ml), 1),
                                        sizeof(double), &s->y)));
  s->psi = s->y + ml;
  if (s->model == &bn_phase_model_cdp)
    BN_CALL(ctx, bn_phase_cdp_read_y(s, f, s->y));
  else
    BN_CALL(ctx, bn_h5_read_f64(f, "/y", bn_dist_first(s->mdist), s->ml, s->y));
  int64_t bad[2] = {INT64_MAX, INT64_MAX}; /* first NaN, first negative */
  double sum = 0.0;
  for (size_t k = 0; k < ml; k++) {
    double v = s->y[k];
    int64_t i = s->model == &bn_phase_model_cdp
                    ? bn_phase_cdp_global(s, (bn_idx_t)k)
                    : bn_dist_first(s->mdist) + (int64_t)k;
    if (!isfinite(v) && bad[0] == INT64_MAX) bad[0] = i;
    if (v < 0 && bad[1] == INT64_MAX) bad[1] = i;
    s->psi[k] = amp ? v : sqrt(v > 0 ? v : 0.0);
    s->y[k] = amp ? v * v : v;
    sum += s->y[k];
  }
  BN_MPI(ctx, MPI_Allreduce(MPI_IN_PLACE, bad, 2, MPI_INT64_T, MPI_MIN,
                            bn_ctx_comm(ctx)));
  if (bad[0] != INT64_MAX)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: /y[%lld] is NaN or infinite: measurements must "
                        "be finite",
                        s->input, (long long)bad[0]);
  if (bad[1] != INT64_MAX)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: /y[%lld] is negative: %s data |Ax|%s cannot be",
                        s->input, (long long)bad[1],
                        amp ? "amplitude" : "intensity", amp ? "" : "^2");
  BN_MPI(ctx, MPI_Allreduce(MPI_IN_PLACE, &sum, 1, MPI_DOUBLE, MPI_SUM,
                            bn_ctx_comm(ctx)));
  s->lambda2 = sum / (double)s->m;
  return BN_OK;
}

/* /x_true if present: n x 2 (complex) or n (real), on the z distribution. */
static bn_status_t bn_phase_read_truth(bn_phase_t *s, bn_h5_t *f) {
  bn_ctx_t *ctx = s->ctx;
  int has, nd;
  bn_idx_t d[4];
  BN_CALL(ctx, bn_h5_exists(f, "/x_true", &has));
  if (!has) return BN_OK;
  BN_CALL(ctx, bn_h5_shape(f, "/x_true", &nd, d));
  if (d[0] != s->n || (s->cplx ? nd != 2 || d[1] != 2 : nd != 1))
    return BN_ERROR_ALL(ctx, BN_ERR_DATA, "%s: /x_true must be %lld%s",
                        s->input, (long long)s->n, s->cplx ? " x 2" : "");
  size_t nloc = (size_t)s->K * (size_t)s->nl;
  BN_CALL(ctx,
          bn_agree(ctx, bn_mallocn(ctx, nloc + 1, sizeof(double), &s->xt)));
  return bn_h5_read_slab_f64(f, "/x_true", bn_dist_first(s->xdist), s->nl,
                             s->xt);
}

static bn_status_t bn_phase_read(bn_phase_t *s, bn_h5_t *f,
                                 const bn_opts_t *opts) {
  bn_ctx_t *ctx = s->ctx;
  int has, nd;
  bn_idx_t d[4];
  BN_CALL(ctx, bn_h5_exists(f, "/y", &has));
  if (!has)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: no dataset /y (the measurements): not a phase "
                        "retrieval input (see docs/commands.md)",
                        s->input);
  BN_CALL(ctx, bn_h5_shape(f, "/y", &nd, d));
  if ((nd != 1 && nd != 3) || d[0] < 1 || (nd == 3 && (d[1] < 1 || d[2] < 1)))
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: /y must be a 1-D dataset with at least one "
                        "measurement (cdp: patterns x height x width, each "
                        "at least 1)",
                        s->input);
  s->m = nd == 3 ? d[0] * d[1] * d[2] : d[0];
  BN_CALL(ctx, bn_phase_read_model(s, f, opts));
  if ((nd == 3) != (s->model == &bn_phase_model_cdp))
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: /y is %d-D but the model is %s (cdp: /y is "
                        "patterns x height x width; gaussian, implicit: 1-D)",
                        s->input, nd, s->model->name);
  BN_CALL(ctx, bn_phase_read_shape(s, f, d));
  if (!s->mdist) BN_CALL(ctx, bn_dist_create_uniform(ctx, s->m, &s->mdist));
  if (!s->xdist) BN_CALL(ctx, bn_dist_create_uniform(ctx, s->n, &s->xdist));
  BN_CALL(ctx, bn_phase_prepare(s));
  BN_CALL(ctx, s->model->setup(s, f));
  BN_CALL(ctx, bn_phase_read_y(s, f, opts));
  return bn_phase_read_truth(s, f);
}

static bn_status_t bn_phase_create(bn_ctx_t *ctx, const bn_opts_t *opts,
                                   void **data) {
  bn_phase_t *s = NULL;
  bn_h5_t *f = NULL;
  *data = NULL;
  BN_CALL(ctx, bn_agree(ctx, bn_calloc(ctx, 1, sizeof(*s), &s)));
  s->ctx = ctx;
  bn_status_t st = bn_agree(ctx, bn_phase_options(s, opts));
  if (st == BN_OK) st = bn_h5_open(ctx, s->input, &f);
  if (st == BN_OK) st = bn_phase_read(s, f, opts);
  bn_h5_close(f);
  if (st == BN_OK) bn_phase_choose(s);
  if (st != BN_OK) {
    bn_phase_free(s);
    return st;
  }
  *data = s;
  return BN_OK;
}

static void bn_phase_objective(void *data, bn_objective_t *obj) {
  bn_phase_t *s = data;
  *obj = (bn_objective_t){0};
  obj->data = s;
  obj->n = (size_t)s->K * (size_t)s->nl;
  obj->eval = bn_phase_eval;
  obj->sweep = bn_phase_sweep;
  obj->metrics = bn_phase_metrics;
  obj->hvp = bn_phase_hvp;
}

static void bn_phase_describe(void *data, FILE *out) {
  bn_phase_t *s = data;
  fprintf(out, "INPUT=%s\nMODEL=%s\nFIELD=%s\nN=%lld\nMEASUREMENTS=%lld\n",
          s->input, s->model->name, s->cplx ? "complex" : "real",
          (long long)s->n, (long long)s->m);
  fprintf(out, "OVERSAMPLING=%.4g\nDATA=%s\nMETHOD=%s\nLOSS=%s\nSTART=%s\n",
          (double)s->m / (double)s->n, s->amp_data ? "amplitude" : "intensity",
          bn_phase_method_names[s->method],
          s->amp_loss == 2   ? "reweighted-amplitude"
          : s->amp_loss == 1 ? "amplitude"
                             : "intensity",
          bn_phase_init_names[s->init]);
  if (s->auto_method) fprintf(out, "METHOD_CHOSEN_BY=auto\n");
  fprintf(out, "TRUTH=%s\n", s->xt ? "yes" : "no");
}

/* The ground truth as an iterate (one of its phase-rotated copies). */
static bn_status_t bn_phase_truth(void *data, double *x, bool *have) {
  bn_phase_t *s = data;
  *have = s->xt != NULL;
  if (s->xt) memcpy(x, s->xt, (size_t)s->K * (size_t)s->nl * sizeof(double));
  return BN_OK;
}

const bn_problem_ops_t bn_problem_phase = {
    .name = "phase",
    .summary =
        "phase retrieval: x in C^n or R^n from y = |Ax|^2 or |Ax| "
        "(Gaussian A, stored or implicit, or coded diffraction patterns; by "
        "default a method chosen for the model: reweighted amplitude flow "
        "from the optimal spectral start; or Wirtinger flow, truncated WF, "
        "reshaped WF, gradient descent from a random start)",
    .opts = bn_phase_optdefs,
    .create = bn_phase_create,
    .objective = bn_phase_objective,
    .init = bn_phase_init_point,
    .save = bn_phase_save,
    .load = bn_phase_load,
    .describe = bn_phase_describe,
    .destroy = bn_phase_destroy,
    .truth = bn_phase_truth,
    .usage =
        "mpirun -n P benign phase [deck.ini] --input=F.h5 [--output=G.h5] "
        "[--method=auto|wf|twf|raf|rwf|gd-random|raf-loss] "
        "[--init=spectral|truncated|reshaped|weighted|random|optimal] "
        "[--solver=gd|agd|als] ...",
    .gen_opts = bn_gen_phase_opts,
    .generate = bn_gen_phase_run,
    .stages = &bn_phase_stage_ops};
