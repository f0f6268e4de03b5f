/* Tensor decomposition: options, setup, the problem table, checkpoints. */
#include "problems/tensor/tensor.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const bn_tensor_form_names[3] = {"components", "samples",
                                             "explicit"};
const char *const bn_tensor_method_names[3] = {"rgd", "power", "shifted-power"};

const bn_optdef_t bn_tensor_optdefs[] = {
    {"method", BN_OPT_CHOICE, "shifted-power",
     "rgd: Riemannian gradient descent on the sphere (--solver=gd or agd); "
     "power: x <- T x^3 / |T x^3| (fails on some tensors); shifted-power: "
     "x <- (T x^3 + alpha x) / |.| (SS-HOPM, Kolda and Mayo 2011)",
     "rgd|power|shifted-power"},
    {"shift", BN_OPT_REAL, "-1",
     "--method=shifted-power: the shift alpha >= 0, fixed; negative (the "
     "default) = adaptive: start unshifted and double alpha whenever a step "
     "fails to increase T(x,x,x,x) enough",
     NULL},
    {"components", BN_OPT_INT, "0",
     "components to find by deflation (at most n); 0 = the number in the "
     "file (columns of /A, else of /A_true, else n)",
     NULL},
    {"check-orthonormal", BN_OPT_BOOL, "true",
     "components input: refuse /A unless its columns are orthonormal (to "
     "1e-6)",
     NULL},
    {"center", BN_OPT_BOOL, "true",
     "samples input: subtract the sample mean of /Z first", NULL},
    /* Replaces the shared --solver: the method decides it. */
    {"solver", BN_OPT_CHOICE, NULL,
     "unset: the method's own -- power and shifted-power: als (the power "
     "step is the objective's sweep, the only solver they take); rgd: gd "
     "(or agd)",
     "gd|agd|als"},
    {NULL, 0, NULL, NULL, NULL}};

void bn_tensor_free(bn_tensor_t *t) {
  if (!t) return;
  bn_dist_destroy(t->xdist);
  bn_dist_destroy(t->zdist);
  bn_dmat_destroy(t->amat);
  bn_dmat_destroy(t->zmat);
  bn_dmat_destroy(t->tmat);
  bn_dmat_destroy(t->truth);
  bn_history_clear(&t->hist);
  free(t->hcomp);
  free(t->lambda);
  free(t->b);
  free(t->mu);
  free(t->stages);
  free(t->cx);
  free(t->xf);
  free(t->red);
  free(t->w1);
  free(t->mbuf);
  free(t->cnt);
  free(t->solver);
  free(t->input);
  free(t);
}

static void bn_tensor_destroy(void *data) { bn_tensor_free(data); }

bn_status_t bn_tensor_prepare(bn_tensor_t *t) {
  bn_ctx_t *ctx = t->ctx;
  const int P = bn_ctx_size(ctx), J = t->target;
  const size_t n = (size_t)t->n, nl = (size_t)t->nl;
  size_t nw = 1;
  t->nred = 2 * (size_t)J + 2;
  if (t->form == BN_TENSOR_COMPONENTS) {
    t->nred += 2 * (size_t)t->k;
    nw = 2 * (size_t)t->k; /* lambda o c^2 o e, and c^4 terms */
  } else if (t->form == BN_TENSOR_SAMPLES) {
    t->nred += 3 * n + 3;
    nw = 3 * (size_t)bn_dmat_local_rows(t->zmat) + 1; /* Zx, Zu, (Zx)^2 Zu */
  } else {
    nw = nl * n * n + nl * n + 1; /* T contracted with x, then twice */
  }
  t->t_apply = bn_timer_id(ctx, "apply T");
  t->t_reduce = bn_timer_id(ctx, "allreduce");
  bn_status_t st = bn_mallocn(ctx, bn_size_add(bn_size_mul(4, nl), 1),
                              sizeof(double), &t->cx);
  if (st == BN_OK)
    st = bn_mallocn(ctx, bn_size_add(bn_size_mul(2, n), 1), sizeof(double),
                    &t->xf);
  if (st == BN_OK) st = bn_mallocn(ctx, t->nred, sizeof(double), &t->red);
  if (st == BN_OK) st = bn_mallocn(ctx, nw, sizeof(double), &t->w1);
  if (st == BN_OK)
    st = bn_calloc(ctx, bn_size_add(bn_size_mul(nl, (size_t)J), 1),
                   sizeof(double), &t->b);
  if (st == BN_OK) st = bn_calloc(ctx, (size_t)J + 1, sizeof(double), &t->mu);
  if (st == BN_OK)
    st = bn_calloc(ctx, (size_t)J + 1, sizeof(bn_tensor_stage_t), &t->stages);
  if (st == BN_OK)
    st = bn_mallocn(ctx, bn_size_mul(2, (size_t)P), sizeof(int), &t->cnt);
  if (st == BN_OK)
    st = bn_mallocn(ctx, (size_t)t->kt + 1, sizeof(double), &t->mbuf);
  if (st == BN_OK) {
    t->cy = t->cx + nl;
    t->xt = t->cy + nl;
    t->yt = t->xt + nl;
    t->uf = t->xf + n;
    t->w2 = t->form == BN_TENSOR_EXPLICIT ? t->w1 + nl * n * n : t->w1;
    t->dsp = t->cnt + P;
    for (int p = 0; p < P; p++) {
      t->dsp[p] = (int)bn_dist_offset(t->xdist, p);
      t->cnt[p] = (int)bn_dist_offset(t->xdist, p + 1) - t->dsp[p];
    }
  }
  return bn_agree(ctx, st);
}

static bn_status_t bn_tensor_options(bn_tensor_t *t, const bn_opts_t *opts,
                                     int64_t *want, bool *check) {
  bn_ctx_t *ctx = t->ctx;
  const char *m = bn_opts_string(opts, "method");
  t->method = BN_TENSOR_SHIFTED;
  for (int k = 0; k < 3; k++)
    if (m && !strcmp(m, bn_tensor_method_names[k]))
      t->method = (bn_tensor_method_t)k;
  BN_CALL(ctx, bn_opts_real(opts, "shift", &t->shift));
  BN_CALL(ctx, bn_opts_int(opts, "components", want));
  BN_CALL(ctx, bn_opts_bool(opts, "check-orthonormal", check));
  BN_CALL(ctx, bn_opts_bool(opts, "center", &t->center));
  if (!isfinite(t->shift))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--shift must be a finite number");
  if (t->method == BN_TENSOR_POWER) t->shift = 0.0;
  if (*want < 0)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--components=%lld: must be positive (0 = the "
                        "file's number)",
                        (long long)*want);
  /* The method decides the solver: the power steps are the objective's
   * sweep (solver als); rgd runs gd or agd on the sphere. */
  const char *solver = bn_opts_string(opts, "solver");
  bool given = bn_opts_source(opts, "solver") >= BN_SRC_DECK;
  if (t->method == BN_TENSOR_RGD && bn_solver_sweeps(solver))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--solver=%s: --method=rgd runs gd or agd; the "
                        "power iterations are --method=power or "
                        "shifted-power",
                        solver);
  if (t->method != BN_TENSOR_RGD && given && strcmp(solver, "als"))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--solver=%s does not apply to --method=%s (its "
                        "power step is the objective's sweep, run by the "
                        "als solver); use --method=rgd for gd or agd",
                        solver, bn_tensor_method_names[t->method]);
  const char *name =
      t->method != BN_TENSOR_RGD ? "als" : (solver ? solver : "gd");
  t->solver = strdup(name);
  const char *in = bn_opts_string(opts, "input");
  if (!in || !*in)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "no input file: give --input=FILE.h5");
  t->input = strdup(in);
  if (!t->input || !t->solver)
    return BN_ERROR(ctx, BN_ERR_MEM, "out of memory");
  return BN_OK;
}

static bn_status_t bn_tensor_create(bn_ctx_t *ctx, const bn_opts_t *opts,
                                    void **data) {
  bn_tensor_t *t = NULL;
  bn_h5_t *f = NULL;
  int64_t want = 0;
  bool check = true;
  *data = NULL;
  BN_CALL(ctx, bn_agree(ctx, bn_calloc(ctx, 1, sizeof(*t), &t)));
  t->ctx = ctx;
  bn_status_t st = bn_agree(ctx, bn_tensor_options(t, opts, &want, &check));
  if (st == BN_OK) st = bn_h5_open(ctx, t->input, &f);
  if (st == BN_OK) st = bn_tensor_read(t, f, want, check);
  bn_h5_close(f);
  if (st == BN_OK) st = bn_tensor_prepare(t);
  if (st == BN_OK) st = bn_tensor_scale(t);
  if (st != BN_OK) {
    bn_tensor_free(t);
    return st;
  }
  t->alpha = t->shift < 0 ? 0.0 : t->shift;
  *data = t;
  return BN_OK;
}

static void bn_tensor_objective(void *data, bn_objective_t *obj) {
  bn_tensor_t *t = data;
  *obj = (bn_objective_t){0};
  obj->data = t;
  obj->n = (size_t)t->nl;
  obj->eval = bn_tensor_eval;
  obj->sweep = t->method == BN_TENSOR_RGD ? NULL : bn_tensor_sweep;
  obj->metrics = bn_tensor_metrics;
  obj->retract = bn_tensor_retract;
  obj->project = bn_tensor_project;
  obj->hvp = bn_tensor_hvp;
}

/* The iterate is PREFIXx (n); at "/" the deflation state comes with it
 * (the kept components, weights, records and the completed solves'
 * history under /stages/history), so a checkpoint restarts in the
 * component it stopped in. */
static bn_status_t bn_tensor_save(void *data, const double *x, bn_h5_t *f,
                                  const char *prefix) {
  bn_tensor_t *t = data;
  char name[128];
  snprintf(name, sizeof name, "%sx", prefix);
  BN_CALL(t->ctx, bn_h5_write_f64(f, name, t->n, t->x0, t->nl, x));
  if (strcmp(prefix, "/")) return BN_OK;
  return bn_tensor_write_state(t, f, "/stages/history/");
}

static bn_status_t bn_tensor_load(void *data, bn_h5_t *f, const char *prefix,
                                  double *x) {
  bn_tensor_t *t = data;
  char name[128];
  int nd;
  bn_idx_t d[4];
  snprintf(name, sizeof name, "%sx", prefix);
  BN_CALL(t->ctx, bn_h5_shape(f, name, &nd, d));
  if (nd != 1 || d[0] != t->n)
    return BN_ERROR_ALL(t->ctx, BN_ERR_DATA, "%s: %s must hold n = %lld values",
                        bn_h5_path(f), name, (long long)t->n);
  BN_CALL(t->ctx, bn_h5_read_f64(f, name, t->x0, t->nl, x));
  t->cvalid = false;
  if (strcmp(prefix, "/")) return BN_OK;
  return bn_tensor_read_state(t, f);
}

static void bn_tensor_describe(void *data, FILE *out) {
  bn_tensor_t *t = data;
  fprintf(out, "INPUT=%s\nFORM=%s\nDIM=%lld\nCOMPONENTS=%d\nMETHOD=%s\n",
          t->input, bn_tensor_form_names[t->form], (long long)t->n, t->target,
          bn_tensor_method_names[t->method]);
  if (t->method == BN_TENSOR_SHIFTED && t->shift < 0)
    fprintf(out, "SHIFT=adaptive\n");
  else if (t->method != BN_TENSOR_RGD)
    fprintf(out, "SHIFT=%g\n", t->shift);
  if (t->form == BN_TENSOR_SAMPLES)
    fprintf(out, "SAMPLES=%lld\n", (long long)t->nsamp);
  if (t->form == BN_TENSOR_COMPONENTS)
    fprintf(out, "RANK=%d\nORTHONORMAL=%s\n", t->k,
            t->orthonormal ? "checked" : "not checked");
  fprintf(out, "TRUTH=%s\n", t->truth ? "yes" : "no");
}

const bn_problem_ops_t bn_problem_tensor = {
    .name = "tensor",
    .summary =
        "orthogonal symmetric 4th-order tensor decomposition T = sum_k "
        "lambda_k a_k^(x)4: max T(x,x,x,x) on the sphere, deflation",
    .opts = bn_tensor_optdefs,
    .create = bn_tensor_create,
    .objective = bn_tensor_objective,
    .init = bn_tensor_init,
    .save = bn_tensor_save,
    .load = bn_tensor_load,
    .describe = bn_tensor_describe,
    .destroy = bn_tensor_destroy,
    .truth = bn_tensor_truth,
    .usage =
        "mpirun -n P benign tensor [deck.ini] --input=F.h5 [--output=G.h5] "
        "[--method=rgd|power|shifted-power] [--shift=ALPHA] "
        "[--components=K] [--init=spectral|random] ...",
    .gen_opts = bn_gen_tensor_opts,
    .generate = bn_gen_tensor_run,
    .stages = &bn_tensor_stage_ops};

/* The deflation state between solves (tensor.h; the stage hooks). */
int bn_tensor_target(const void *data) {
  return ((const bn_tensor_t *)data)->target;
}
int bn_tensor_found(const void *data) {
  return ((const bn_tensor_t *)data)->found;
}
const char *bn_tensor_solver(const void *data) {
  return ((const bn_tensor_t *)data)->solver;
}
const char *bn_tensor_method(const void *data) {
  return bn_tensor_method_names[((const bn_tensor_t *)data)->method];
}
const bn_tensor_stage_t *bn_tensor_stages(const void *data) {
  return ((const bn_tensor_t *)data)->stages;
}
const double *bn_tensor_weights(const void *data) {
  return ((const bn_tensor_t *)data)->mu;
}
const bn_history_t *bn_tensor_history(const void *data, const int64_t **comp) {
  const bn_tensor_t *t = data;
  if (comp) *comp = t->hcomp;
  return &t->hist;
}
