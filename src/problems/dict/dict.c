/* Dictionary learning: options, setup, the table of methods, the problem
 * table, checkpoints, and the multi-solve state (dict.h). */
#include "problems/dict/dict.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const bn_dict_loss_names[3] = {"huber", "l1", "l4"};

/* The methods, by name (--method). Adding one: a dict_NAME.c with its
 * bn_dict_method_t, one line here and its name in the choices below. */
static const bn_dict_method_t *const bn_dict_methods[] = {
    &bn_dict_method_l4,
    &bn_dict_method_sphere,
    &bn_dict_method_overcomplete,
    &bn_dict_method_synthesis,
    &bn_dict_method_synthesis_orth,
    NULL};

const bn_optdef_t bn_dict_optdefs[] = {
    {"method", BN_OPT_CHOICE, "l4",
     "l4: complete dictionary, max |W Y|_4^4 over the orthogonal group (MSP "
     "fixed point, extrapolated: solver aals; plain: als; or Riemannian "
     "gd/agd); sphere: one atom per "
     "solve, min of a sparsity loss of q^T Y over the sphere, deflation "
     "(gd/agd; als for l1); overcomplete: n > m atoms, l4 on the sphere from "
     "repeated random starts, duplicates dropped; synthesis: min 1/2 |Y - A "
     "X|^2 + lambda |X|_1 with |a_j| <= 1 (alternating minimization, or "
     "online with --batch-size); synthesis-orth: the same with A orthogonal "
     "(X = S_lambda(A^T Y), A = Polar(Y X^T))",
     "l4|sphere|overcomplete|synthesis|synthesis-orth"},
    {"loss", BN_OPT_CHOICE, "huber",
     "--method=sphere: the sparsity surrogate h(z) of (1/p) sum h(q^T y_j): "
     "huber (smooth, --mu), l1 (subgradient method, solver als), l4 "
     "(-z^4/4)",
     "huber|l1|l4"},
    {"mu", BN_OPT_REAL, "0.2",
     "huber: h(z) = z^2/(2 mu) for |z| < mu, |z| - mu/2 beyond (in units of "
     "the preconditioned data, whose entries have unit variance)",
     NULL},
    {"atoms", BN_OPT_INT, "0",
     "atoms n to learn: l4 learns m; sphere at most m (0 = m); "
     "overcomplete any (0 = the columns of /A_true, if present)",
     NULL},
    {"trials", BN_OPT_INT, "0",
     "overcomplete: random starts at most (each one solve); 0 = 20 n; the "
     "run stops early once n distinct atoms are found",
     NULL},
    {"dup-cos", BN_OPT_REAL, "0.95",
     "overcomplete: a solve's end point with |cos| above this to an atom "
     "already kept is a duplicate and dropped",
     NULL},
    {"patience", BN_OPT_INT, "0",
     "overcomplete: stop after this many solves in a row kept no new atom "
     "(0 = 2 n)",
     NULL},
    {"refine", BN_OPT_INT, "20",
     "overcomplete: rounds of MOD (lasso codes, least-squares dictionary) "
     "after the l4 solves, until no atom moves; missing atoms are started "
     "from the largest residuals (0 = off)",
     NULL},
    {"lambda", BN_OPT_REAL, "0.1",
     "synthesis: the weight lambda of |X|_1 (per sample: 1/2 |y - A x|^2 + "
     "lambda |x|_1, in the units of the data)",
     NULL},
    {"batch-size", BN_OPT_INT, "0",
     "synthesis: 0 = batch alternating minimization (one iteration codes "
     "every sample); B > 0 = online mini-batches of B samples (Mairal et al. "
     "2010; one iteration is --iter-batches of them, by default one pass)",
     NULL},
    {"iter-batches", BN_OPT_INT, "0",
     "synthesis, online: mini-batches an iteration (0: one pass over the "
     "samples; the passes go on across iterations)",
     NULL},
    {"coder", BN_OPT_CHOICE, "feature-sign",
     "synthesis: the lasso solver of the codes: feature-sign (active-set "
     "Newton steps, Lee et al. 2007, per sample until the optimality "
     "conditions hold to --lasso-tol), cd (coordinate descent on the Gram "
     "matrix, per sample until no code moves by more than --lasso-tol) or "
     "fista (--lasso-iters steps, warm-started)",
     "feature-sign|cd|fista"},
    {"lasso-iters", BN_OPT_INT, "200",
     "synthesis: Newton steps (feature-sign) or sweeps (cd) at most, or "
     "FISTA steps (fista), per coding of a sample",
     NULL},
    {"lasso-tol", BN_OPT_REAL, "1e-6",
     "synthesis: a sample's coding stops when its optimality conditions "
     "hold to this (feature-sign) or no code moves by more than this "
     "(cd: |dx_j| |a_j|)",
     NULL},
    {"precondition", BN_OPT_BOOL, "true",
     "replace the samples by Ybar = (Y Y^T / p)^(-1/2) Y first (complete "
     "dictionaries that are not orthogonal become orthogonal ones; never "
     "for the synthesis methods)",
     NULL},
    {"step", BN_OPT_REAL, "0.1",
     "loss l1: the first step eta_0 of the Riemannian subgradient method "
     "q <- (q - eta_k g) / |.|",
     NULL},
    {"step-decay", BN_OPT_REAL, "0.95",
     "loss l1: eta_k = step step-decay^k (geometrically diminishing)", NULL},
    {"atoms-png", BN_OPT_STRING, "",
     "also write the learned atoms as a mosaic of image tiles (PNG; tile "
     "shape from the input's patch_h x patch_w, else square)",
     NULL},
    {"codes", BN_OPT_CHOICE, "sparse",
     "codes X in the result: sparse (/X/row, /X/col, /X/val), dense (/X, p "
     "x n) or none (the metrics are computed either way)",
     "sparse|dense|none"},
    {"code-threshold", BN_OPT_REAL, "0.1",
     "complete dictionaries: X = A^-1 Y with entries below this times their "
     "atom's RMS code set to zero",
     NULL},
    {"lasso", BN_OPT_REAL, "0.1",
     "overcomplete: codes by the lasso min 1/2|ybar - Q c|^2 + lasso |c|_1 "
     "(FISTA, preconditioned units)",
     NULL},
    {"code-iters", BN_OPT_INT, "100",
     "overcomplete: FISTA iterations of the final codes", NULL},
    {"l4-coarse", BN_OPT_REAL, "0.5",
     "l4 (solver als or aals): the first MSP steps use every s-th sample, s "
     "the "
     "largest power of 2 leaving >= this times m^2 samples; s halves each "
     "time a step moves no atom by more than 0.05 (0 = all samples "
     "throughout)",
     NULL},
    {"l4-single", BN_OPT_BOOL, "true",
     "l4 (solver als or aals): the MSP steps in single precision (the "
     "samples kept also as floats) until a step on all the samples moves no "
     "atom by more than 0.05, then in double precision to the stop",
     NULL},
    {"scalapack-min", BN_OPT_INT, "1000",
     "dimension m from which the eigendecomposition of Y Y^T and the polar "
     "factors of l4 use ScaLAPACK (on more than one process)",
     NULL},
    /* Replaces the shared --solver: unset, each method runs its own. */
    {"solver", BN_OPT_CHOICE, NULL,
     "unset: the method's own -- l4: aals (MSP steps from a point "
     "extrapolated along the last step); overcomplete, synthesis, "
     "synthesis-orth and sphere with --loss=l1: als (the fixed point, "
     "alternating or subgradient steps); sphere with huber or l4: gd. l4, "
     "overcomplete and sphere with l4 also run gd or agd (Riemannian "
     "gradient); the synthesis methods and l1 only als, huber only gd or "
     "agd",
     "gd|agd|als|aals"},
    {NULL, 0, NULL, NULL, NULL}};

static void bn_dict_free(bn_dict_t *d) {
  if (!d) return;
  bn_dist_destroy(d->sdist);
  bn_dmat_destroy(d->ymat);
  bn_history_clear(&d->hist);
  free(d->hstage);
  free(d->st);
  free(d->msq);
  free(d->atrue);
  free(d->qk);
  free(d->bq);
  free(d->wf);
  free(d->yf);
  free(d->xc);
  free(d->ahat);
  bn_dict_synth_free(d->syn);
  free(d->solver);
  free(d->input);
  free(d);
}

static void bn_dict_destroy(void *data) { bn_dict_free(data); }

static bn_status_t bn_dict_options(bn_dict_t *d, const bn_opts_t *opts) {
  bn_ctx_t *ctx = d->ctx;
  const char *m = bn_opts_string(opts, "method");
  for (int k = 0; bn_dict_methods[k]; k++)
    if (m && !strcmp(m, bn_dict_methods[k]->name))
      d->method = bn_dict_methods[k];
  if (!d->method)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--method=%s: unknown method",
                        m ? m : "");
  const char *l = bn_opts_string(opts, "loss");
  for (int k = 0; k < 3; k++)
    if (l && !strcmp(l, bn_dict_loss_names[k])) d->loss = (bn_dict_loss_t)k;
  int64_t atoms, codes_it, smin;
  BN_CALL(ctx, bn_opts_real(opts, "mu", &d->mu));
  BN_CALL(ctx, bn_opts_int(opts, "atoms", &atoms));
  BN_CALL(ctx, bn_opts_int(opts, "trials", &d->trials));
  BN_CALL(ctx, bn_opts_real(opts, "dup-cos", &d->dup_cos));
  BN_CALL(ctx, bn_opts_int(opts, "patience", &d->patience));
  BN_CALL(ctx, bn_opts_int(opts, "refine", &d->refine));
  BN_CALL(ctx, bn_opts_bool(opts, "precondition", &d->precond));
  BN_CALL(ctx, bn_opts_real(opts, "step", &d->step0));
  BN_CALL(ctx, bn_opts_real(opts, "step-decay", &d->decay));
  BN_CALL(ctx, bn_opts_real(opts, "code-threshold", &d->code_thr));
  BN_CALL(ctx, bn_opts_real(opts, "lasso", &d->lasso));
  BN_CALL(ctx, bn_opts_int(opts, "code-iters", &codes_it));
  BN_CALL(ctx, bn_opts_int(opts, "scalapack-min", &smin));
  const char *c = bn_opts_string(opts, "codes");
  d->codes = c && !strcmp(c, "none") ? 0 : c && !strcmp(c, "dense") ? 2 : 1;
  if (!(d->mu > 0) || !isfinite(d->mu))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--mu=%s: must be positive",
                        bn_opts_string(opts, "mu"));
  if (atoms < 0 || atoms > (1 << 20))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--atoms=%lld: must be in [0, 2^20] (0 = the "
                        "method's default)",
                        (long long)atoms);
  if (d->trials < 0 || d->trials > (1 << 24))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--trials=%lld: must be in [0, 2^24]",
                        (long long)d->trials);
  if (d->patience < 0 || d->refine < 0 || d->refine > 100000)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--patience must be >= 0 and --refine in [0, 100000]");
  if (!(d->dup_cos > 0 && d->dup_cos < 1))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--dup-cos must be in (0, 1)");
  if (!(d->step0 > 0) || !isfinite(d->step0) || !(d->decay > 0) ||
      !(d->decay <= 1))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--step must be positive and --step-decay in (0, 1]");
  if (!(d->code_thr >= 0) || !isfinite(d->code_thr) || !(d->lasso >= 0) ||
      !isfinite(d->lasso) || codes_it < 0)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--code-threshold, --lasso and --code-iters must be "
                        "nonnegative");
  if (smin < 1)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--scalapack-min must be >= 1");
  d->n = (int)atoms;
  d->code_iters = codes_it;
  d->scalapack_min = smin;
  const char *solver = NULL;
  BN_CALL(ctx, d->method->options(d, opts, &solver));
  d->solver = strdup(solver);
  const char *in = bn_opts_string(opts, "input");
  if (!in || !*in)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "no input file: give --input=FILE.h5");
  d->input = strdup(in);
  if (!d->input || !d->solver)
    return BN_ERROR(ctx, BN_ERR_MEM, "out of memory");
  return BN_OK;
}

static bn_status_t bn_dict_create(bn_ctx_t *ctx, const bn_opts_t *opts,
                                  void **data) {
  bn_dict_t *d = NULL;
  bn_h5_t *f = NULL;
  *data = NULL;
  BN_CALL(ctx, bn_agree(ctx, bn_calloc(ctx, 1, sizeof(*d), &d)));
  d->ctx = ctx;
  d->t_eval = bn_timer_id(ctx, "samples kernel");
  d->t_reduce = bn_timer_id(ctx, "allreduce");
  d->t_hvp = bn_timer_id(ctx, "Hessian-vector products");
  d->t_linalg = bn_timer_id(ctx, "eigen/polar (LAPACK, ScaLAPACK)");
  d->t_codes = bn_timer_id(ctx, "codes and metrics");
  bn_status_t st = bn_agree(ctx, bn_dict_options(d, opts));
  if (st == BN_OK) st = bn_h5_open(ctx, d->input, &f);
  if (st == BN_OK) st = bn_dict_read(d, f);
  bn_h5_close(f);
  if (st == BN_OK) st = d->method->setup(d);
  if (st == BN_OK) st = bn_agree(ctx, bn_dict_stage_room(d, 0));
  if (st != BN_OK) {
    bn_dict_free(d);
    return st;
  }
  *data = d;
  return BN_OK;
}

static void bn_dict_objective(void *data, bn_objective_t *obj) {
  bn_dict_t *d = data;
  *obj = (bn_objective_t){0};
  obj->data = d;
  d->method->objective(d, obj);
}

static bn_status_t bn_dict_init(void *data, const bn_opts_t *opts, double *x) {
  bn_dict_t *d = data;
  d->sweeps = 0;
  d->cvalid = d->wvalid = false;
  return d->method->init(d, opts, x);
}

/* The iterate under PREFIX (q or W); at "/" the multi-solve state comes
 * with it (atoms kept /Q, /stages/..., the finished solves' history under
 * /stages/history/), so a checkpoint restarts in the solve it stopped in. */
static bn_status_t bn_dict_save(void *data, const double *x, bn_h5_t *f,
                                const char *prefix) {
  bn_dict_t *d = data;
  BN_CALL(d->ctx, d->method->save(d, x, f, prefix));
  if (strcmp(prefix, "/")) return BN_OK;
  return bn_dict_write_state(d, f, "/stages/history/");
}

static bn_status_t bn_dict_load(void *data, bn_h5_t *f, const char *prefix,
                                double *x) {
  bn_dict_t *d = data;
  d->cvalid = d->wvalid = false;
  BN_CALL(d->ctx, d->method->load(d, f, prefix, x));
  if (strcmp(prefix, "/")) return BN_OK;
  return bn_dict_read_state(d, f);
}

bn_status_t bn_dict_load_start(void *data, bn_h5_t *f, double *x) {
  bn_dict_t *d = data;
  d->cvalid = d->wvalid = false;
  d->sweeps = 0;
  return d->method->load(d, f, "/", x);
}

static bn_status_t bn_dict_truth(void *data, double *x, bool *have) {
  bn_dict_t *d = data;
  return d->method->truth(d, x, have);
}

static void bn_dict_describe(void *data, FILE *out) {
  bn_dict_t *d = data;
  fprintf(out, "INPUT=%s\nMETHOD=%s\n", d->input, d->method->name);
  if (d->method != &bn_dict_method_l4)
    fprintf(out, "LOSS=%s\n", bn_dict_loss(d));
  if (d->loss == BN_DICT_HUBER && d->method == &bn_dict_method_sphere)
    fprintf(out, "MU=%g\n", d->mu);
  if (d->syn)
    fprintf(out, "LAMBDA=%g\nBATCH_SIZE=%lld\n", d->lasso,
            (long long)bn_dict_synth_batch(d->syn));
  fprintf(out, "DIM=%lld\nSAMPLES=%lld\nATOMS=%d\nSOLVES=%d\n", (long long)d->m,
          (long long)d->p, d->n, d->stages);
  fprintf(out, "PRECONDITION=%s\n", d->precond ? "yes" : "no");
  if (d->precond && d->nnull > 0)
    fprintf(out, "NULL_DIRECTIONS=%d\n", d->nnull);
  if (d->precond && d->nnull < d->m)
    fprintf(out, "COND_YYT=%.4g\n", d->meig[d->m - 1] / d->meig[d->nnull]);
  fprintf(out, "TRUTH=%s\n", d->nt ? "yes" : "no");
}

const bn_problem_ops_t bn_problem_dict = {
    .name = "dict",
    .summary =
        "dictionary learning Y = A X, X sparse: l4 over the orthogonal "
        "group (MSP), sparsity on the sphere with deflation, overcomplete "
        "l4, the synthesis model (batch, online, orthogonal)",
    .opts = bn_dict_optdefs,
    .create = bn_dict_create,
    .objective = bn_dict_objective,
    .init = bn_dict_init,
    .save = bn_dict_save,
    .load = bn_dict_load,
    .describe = bn_dict_describe,
    .destroy = bn_dict_destroy,
    .truth = bn_dict_truth,
    .usage =
        "mpirun -n P benign dict [deck.ini] --input=F.h5 [--output=G.h5] "
        "[--method=l4|sphere|overcomplete|synthesis|synthesis-orth] "
        "[--loss=huber|l1|l4] [--lambda=L] [--batch-size=B] [--atoms=N] ...",
    .gen_opts = bn_gen_dict_opts,
    .generate = bn_gen_dict_run,
    .stages = &bn_dict_stage_ops};

/* Helpers shared by the methods. */
void bn_dict_atom(const bn_dict_t *d, int j, double *q) {
  for (bn_idx_t i = 0; i < d->m; i++) q[i] = d->qk[i * d->n + j];
}

void bn_dict_deflate(const bn_dict_t *d, double *v) {
  const int J = d->found, ld = d->n;
  if (!d->deflate || J == 0) return;
  for (int pass = 0; pass < 2; pass++)
    for (int j = 0; j < J; j++) {
      double c = 0.0;
      for (bn_idx_t i = 0; i < d->m; i++) c += d->qk[i * ld + j] * v[i];
      for (bn_idx_t i = 0; i < d->m; i++) v[i] -= c * d->qk[i * ld + j];
    }
}

double bn_dict_truth_dist(const bn_dict_t *d, const double *q) {
  if (!d->nt) return NAN;
  double best = 0.0, q2 = 0.0;
  for (bn_idx_t i = 0; i < d->m; i++) q2 += q[i] * q[i];
  for (int k = 0; k < d->nt; k++) {
    double c = 0.0;
    for (bn_idx_t i = 0; i < d->m; i++) c += q[i] * d->qtrue[i * d->nt + k];
    best = fmax(best, c * c);
  }
  return q2 > 0 ? sqrt(fmax(0.0, 1.0 - best / q2)) : 1.0;
}

/* The multi-solve state between solves (dict.h; the stage hooks). */
int bn_dict_stage_target(const void *data) {
  return ((const bn_dict_t *)data)->stages;
}
int bn_dict_stages_done(const void *data) {
  return ((const bn_dict_t *)data)->done;
}
int bn_dict_atoms_target(const void *data) {
  return ((const bn_dict_t *)data)->n;
}
int bn_dict_atoms_found(const void *data) {
  return ((const bn_dict_t *)data)->found;
}
bool bn_dict_finished(const void *data) {
  const bn_dict_t *d = data;
  if (d->done >= d->stages || d->found >= d->n) return true;
  if (d->patience <= 0 || d->done < d->patience) return false;
  for (int j = d->done - (int)d->patience; j < d->done; j++)
    if (d->st[j].kept > 0) return false;
  return true;
}
const char *bn_dict_solver(const void *data) {
  return ((const bn_dict_t *)data)->solver;
}
const char *bn_dict_method(const void *data) {
  return ((const bn_dict_t *)data)->method->name;
}
const char *bn_dict_loss(const void *data) {
  const bn_dict_t *d = data;
  return d->method == &bn_dict_method_l4 ? "l4" : bn_dict_loss_names[d->loss];
}
bool bn_dict_smooth(const void *data) {
  const bn_dict_t *d = data;
  return d->method == &bn_dict_method_l4 || d->loss != BN_DICT_L1;
}
const bn_dict_stage_t *bn_dict_stages(const void *data) {
  return ((const bn_dict_t *)data)->st;
}
const bn_history_t *bn_dict_history(const void *data, const int64_t **stage) {
  const bn_dict_t *d = data;
  if (stage) *stage = d->hstage;
  return &d->hist;
}

bn_status_t bn_dict_accept(void *data, const double *x, const bn_solver_t *s,
                           const bn_cert_t *cert, int *kept) {
  bn_dict_t *d = data;
  bn_ctx_t *ctx = d->ctx;
  if (bn_dict_finished(d))
    return BN_ERROR_ALL(ctx, BN_ERR_STATE, "every solve has been run already");
  const bn_history_t *h = bn_solver_history(s);
  BN_CALL(ctx, bn_agree(ctx, bn_dict_stage_room(d, h->n)));
  bn_dict_stage_t *r = &d->st[d->done];
  size_t last = h->n ? h->n - 1 : 0;
  r->iterations = bn_solver_iterations(s);
  r->reason = (int64_t)bn_solver_reason(s);
  r->objective = h->n ? h->objective[last] : NAN;
  r->grad_norm = h->n ? h->grad_norm[last] : NAN;
  r->seconds = h->n ? h->seconds[last] : 0.0;
  r->verdict = cert ? (int64_t)cert->verdict : -1;
  r->lambda_min = cert ? cert->lambda_min : NAN;
  int64_t off = 0;
  double soff = 0.0;
  for (int j = 0; j < d->done; j++) {
    off += d->st[j].iterations;
    soff += d->st[j].seconds;
  }
  bn_history_t *a = &d->hist;
  for (size_t k = 0; k < h->n; k++, a->n++) {
    a->iteration[a->n] = off + h->iteration[k];
    a->objective[a->n] = h->objective[k];
    a->grad_norm[a->n] = h->grad_norm[k];
    a->step[a->n] = h->step[k];
    a->rel_error[a->n] = h->rel_error[k];
    a->test_rmse[a->n] = h->test_rmse[k];
    a->seconds[a->n] = soff + h->seconds[k];
    d->hstage[a->n] = d->done;
  }
  *kept = 0;
  BN_CALL(ctx, d->method->accept(d, x, kept));
  r->kept = *kept;
  d->done++;
  d->cvalid = d->wvalid = false;
  return BN_OK;
}
