/* benign tune: choose the rank and lambda of a completion on the training
 * entries alone. The input's /omega is split (one validation share, or K
 * folds) into temporary files beside --output -- its /test is never read
 * for the choice -- each split is loaded once and every (rank, lambda) of
 * the grid solved on it (bn_problem_retune) and scored by the validation
 * RMSE of its best iterate; the best pair is
 * refitted on all the training entries and written as --output. With a
 * /test in the input, the written model's RMSE on it is reported after
 * the choice. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benign/recommend.h"
#include "cli.h"

#define BN_TUNE_MAX 64 /* values of each list */

static const bn_optdef_t bn_tune_opts[] = {
    {"ranks", BN_OPT_STRING, "10,20,50", "ranks to try (comma-separated)",
     NULL},
    {"lambdas", BN_OPT_STRING, "0.01,0.05,0.1",
     "lambdas to try (comma-separated)", NULL},
    {"folds", BN_OPT_INT, "0",
     "K >= 2: K-fold cross-validation on the training entries; 0: one "
     "validation share (--validation-fraction)",
     NULL},
    {"validation-fraction", BN_OPT_REAL, "0.1",
     "with --folds=0: the share of the training entries held out to score "
     "the grid",
     NULL},
    {NULL, 0, NULL, NULL, NULL}};

typedef struct bn_tune {
  bn_ctx_t *ctx;
  bn_opts_t *o;
  int nr, nl, folds;
  int64_t ranks[BN_TUNE_MAX];
  double lambdas[BN_TUNE_MAX];
  double rmse[BN_TUNE_MAX * BN_TUNE_MAX], secs[BN_TUNE_MAX * BN_TUNE_MAX];
  char dir[4096], input[4096];
} bn_tune_t;

/* A comma-separated list of numbers (integers with ints != 0). */
static bn_status_t bn_tune_list(bn_ctx_t *ctx, const char *key,
                                const char *text, bool ints, int *n,
                                int64_t *iv, double *dv) {
  char buf[1024];
  snprintf(buf, sizeof buf, "%s", text);
  *n = 0;
  for (char *save = NULL, *t = strtok_r(buf, ",", &save); t;
       t = strtok_r(NULL, ",", &save)) {
    char *end = NULL;
    double v = strtod(t, &end);
    while (end && (*end == ' ' || *end == '\t')) end++;
    bool bad = end == t || *end || !isfinite(v) || v < 0 ||
               (ints && (v != floor(v) || v < 1 || v > 4096));
    if (bad || *n == BN_TUNE_MAX)
      return BN_ERROR_ALL(
          ctx, BN_ERR_ARG, "--%s=%s: expected up to %d comma-separated %s", key,
          text, BN_TUNE_MAX, ints ? "ranks in [1, 4096]" : "numbers >= 0");
    if (ints) iv[*n] = (int64_t)v;
    if (!ints) dv[*n] = v;
    (*n)++;
  }
  if (*n == 0)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--%s: give at least one value", key);
  return BN_OK;
}

static bn_status_t bn_tune_set(bn_tune_t *t, const char *key, const char *v) {
  return bn_opts_set(t->o, key, v, BN_SRC_CMDLINE);
}

static void bn_tune_fold_path(const bn_tune_t *t, int f, char *out,
                              size_t len) {
  snprintf(out, len, "%s/fold-%d.h5", t->dir, f);
}

/* Collective: the validation splits of the training entries. */
static bn_status_t bn_tune_splits(bn_tune_t *t, double fraction) {
  int64_t seed = 1;
  BN_CALL(t->ctx, bn_opts_int(t->o, "seed", &seed));
  for (int f = 0; f < (t->folds ? t->folds : 1); f++) {
    char path[4200];
    bn_tune_fold_path(t, f, path, sizeof path);
    bn_split_params_t p = {.input = t->input,
                           .output = path,
                           .test_fraction = fraction,
                           .seed = (uint64_t)seed,
                           .folds = t->folds,
                           .fold = f,
                           .ignore_test = true};
    bn_split_stats_t s;
    BN_CALL(t->ctx, bn_split(t->ctx, &p, &s));
  }
  return BN_OK;
}

/* Collective: one solve of the loaded problem p at the options' rank and
 * lambda; *rmse: the validation RMSE of the iterate the solver keeps (the
 * best one with early stopping). */
static bn_status_t bn_tune_solve(bn_tune_t *t, bn_problem_t *p, double *rmse) {
  bn_ctx_t *ctx = t->ctx;
  bn_solver_params_t sp;
  BN_CALL(ctx, bn_run_solver_params(ctx, t->o, &sp));
  BN_CALL(ctx, bn_problem_retune(p));
  const bn_objective_t *obj = bn_problem_objective(p);
  bn_solver_t *s = NULL;
  double *x = NULL, rel = NAN;
  bn_status_t st = bn_solver_create(ctx, bn_opts_string(t->o, "solver"), &s);
  if (st == BN_OK) {
    bn_solver_set_params(s, &sp);
    st = bn_agree(ctx, bn_calloc(ctx, obj->n + 1, sizeof(double), &x));
  }
  /* the grid's solves are quiet: the table says what they gave */
  const bn_log_level_t level = bn_ctx_log_level(ctx);
  bn_ctx_set_log_level(ctx, BN_LOG_QUIET);
  if (st == BN_OK) st = bn_problem_init(p, x);
  bn_ctx_set_log_level(ctx, level);
  if (st == BN_OK) st = bn_solver_solve(s, obj, x);
  if (st == BN_OK) st = obj->metrics(bn_problem_data(p), x, &rel, rmse);
  free(x);
  bn_solver_destroy(s);
  return st;
}

static bn_status_t bn_tune_point(bn_tune_t *t, int a, int b) {
  char v[64];
  snprintf(v, sizeof v, "%lld", (long long)t->ranks[a]);
  BN_CALL(t->ctx, bn_tune_set(t, "rank", v));
  snprintf(v, sizeof v, "%.17g", t->lambdas[b]);
  return bn_tune_set(t, "lambda", v);
}

/* Collective: the grid, fold by fold, each fold's entries read once (the
 * points change the rank and lambda of the loaded problem); then one line
 * a point. */
static bn_status_t bn_tune_grid(bn_tune_t *t) {
  bn_ctx_t *ctx = t->ctx;
  const int F = t->folds ? t->folds : 1, N = t->nr * t->nl;
  for (int k = 0; k < N; k++) t->rmse[k] = t->secs[k] = 0.0;
  for (int f = 0; f < F; f++) {
    char path[4200];
    bn_tune_fold_path(t, f, path, sizeof path);
    BN_CALL(ctx, bn_tune_set(t, "input", path));
    BN_CALL(ctx, bn_tune_point(t, 0, 0));
    bn_problem_t *p = NULL;
    const bn_log_level_t level = bn_ctx_log_level(ctx);
    bn_ctx_set_log_level(ctx, BN_LOG_QUIET);
    bn_status_t st = bn_problem_create(ctx, "complete", t->o, &p);
    bn_ctx_set_log_level(ctx, level);
    for (int k = 0; st == BN_OK && k < N; k++) {
      double r = NAN, t0 = bn_wtime();
      st = bn_tune_point(t, k / t->nl, k % t->nl);
      if (st == BN_OK) st = bn_tune_solve(t, p, &r);
      t->rmse[k] += r * r / F;
      t->secs[k] += bn_wtime() - t0;
    }
    bn_problem_destroy(p);
    BN_CALL(ctx, st);
  }
  bn_log(ctx, BN_LOG_INFO, "%6s %12s %16s %9s\n", "rank", "lambda",
         "validation RMSE", "seconds");
  for (int k = 0; k < N; k++) {
    t->rmse[k] = sqrt(t->rmse[k]);
    bn_log(ctx, BN_LOG_INFO, "%6lld %12.6g %16.6f %9.2f\n",
           (long long)t->ranks[k / t->nl], t->lambdas[k % t->nl], t->rmse[k],
           t->secs[k]);
  }
  return BN_OK;
}

/* Collective: the written model's RMSE on the input's /test (NaN values
 * skipped), NaN without one. */
static bn_status_t bn_tune_test(bn_tune_t *t, const char *model, double *rmse) {
  bn_ctx_t *ctx = t->ctx;
  *rmse = NAN;
  bn_h5_t *f = NULL;
  int has = 0;
  BN_CALL(ctx, bn_h5_open(ctx, t->input, &f));
  bn_status_t st = bn_h5_exists(f, "/test/row", &has);
  bn_h5_close(f);
  if (st != BN_OK || !has) return st;
  bn_model_t *m = NULL;
  bn_pairs_t pr = {0};
  double *y = NULL;
  unsigned char *known = NULL;
  bn_predict_stats_t ps;
  bn_predict_params_t pp = {BN_COLD_NAN, false};
  BN_CALL(ctx, bn_model_open(ctx, model, &m));
  st = bn_pairs_read(ctx, t->input, &pr);
  if (st == BN_OK) st = bn_model_predict_pairs(m, &pr, &pp, &y, &known, &ps);
  if (st == BN_OK) *rmse = ps.rmse;
  free(y);
  free(known);
  bn_pairs_free(&pr);
  bn_model_close(m);
  return st;
}

/* Rank 0: the temporary directory beside the output (the same file
 * system), its name on every rank ("" on failure). */
static bn_status_t bn_tune_mkdir(bn_tune_t *t, const char *output) {
  bn_ctx_t *ctx = t->ctx;
  if (bn_ctx_rank(ctx) == 0) {
    char dir[4000];
    bn_path_dir(output, dir, sizeof dir);
    snprintf(t->dir, sizeof t->dir, "%s/.benign-tune-XXXXXX", dir);
    if (!mkdtemp(t->dir)) t->dir[0] = '\0';
  }
  BN_MPI(ctx, MPI_Bcast(t->dir, sizeof t->dir, MPI_CHAR, 0, bn_ctx_comm(ctx)));
  if (!t->dir[0])
    return BN_ERROR_ALL(ctx, BN_ERR_IO,
                        "cannot make a temporary directory beside %s", output);
  return BN_OK;
}

static void bn_tune_rmdir(bn_tune_t *t) {
  if (bn_ctx_rank(t->ctx) != 0 || !t->dir[0]) return;
  for (int f = 0; f < (t->folds ? t->folds : 1); f++) {
    char path[4200];
    bn_tune_fold_path(t, f, path, sizeof path);
    unlink(path);
  }
  rmdir(t->dir);
}

static void bn_tune_json(bn_tune_t *t, int best, double test,
                         const char *output) {
  if (bn_ctx_rank(t->ctx) != 0) return;
  FILE *f = stdout;
  printf("{\"rank\":%lld", (long long)t->ranks[best / t->nl]);
  bn_json_put_num(f, ",", "lambda", t->lambdas[best % t->nl]);
  bn_json_put_num(f, ",", "validation_rmse", t->rmse[best]);
  printf(",\"folds\":%d,\"grid\":[", t->folds);
  for (int k = 0; k < t->nr * t->nl; k++) {
    printf("%s{\"grid_rank\":%lld", k ? "," : "",
           (long long)t->ranks[k / t->nl]);
    bn_json_put_num(f, ",", "grid_lambda", t->lambdas[k % t->nl]);
    bn_json_put_num(f, ",", "grid_rmse", t->rmse[k]);
    bn_json_put_num(f, ",", "grid_seconds", t->secs[k]);
    printf("}");
  }
  printf("]");
  bn_json_put_num(f, ",", "test_rmse", test);
  bn_json_put_str(f, ",", "output", output);
  printf("}\n");
  fflush(f);
}

static bn_status_t bn_tune_body(bn_tune_t *t) {
  bn_ctx_t *ctx = t->ctx;
  bn_opts_t *o = t->o;
  for (int i = 0; i < 2; i++) {
    const char *key = i ? "output" : "input";
    if (!bn_opts_is_set(o, key))
      return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--%s is required (see --help)",
                          key);
  }
  BN_CALL(ctx, bn_tune_list(ctx, "ranks", bn_opts_string(o, "ranks"), true,
                            &t->nr, t->ranks, NULL));
  BN_CALL(ctx, bn_tune_list(ctx, "lambdas", bn_opts_string(o, "lambdas"), false,
                            &t->nl, NULL, t->lambdas));
  int64_t folds = 0;
  double vf = 0.1;
  BN_CALL(ctx, bn_opts_int(o, "folds", &folds));
  BN_CALL(ctx, bn_opts_real(o, "validation-fraction", &vf));
  if (folds == 1 || folds < 0 || folds > 100)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--folds=%lld: K-fold needs K in [2, 100] (0: one "
                        "validation share)",
                        (long long)folds);
  if (folds == 0 && !(vf > 0 && vf < 1))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--validation-fraction=%g: must be in (0, 1)", vf);
  t->folds = (int)folds;
  const char *out = bn_opts_string(o, "output");
  snprintf(t->input, sizeof t->input, "%s", bn_opts_string(o, "input"));
  bn_paths_t *paths = NULL;
  BN_CALL(ctx, bn_paths_create(ctx, &paths));
  bn_paths_input(paths, t->input, "--input");
  bn_paths_output(paths, out, "--output");
  bn_status_t st = bn_paths_check(paths);
  bn_paths_destroy(paths);
  BN_CALL(ctx, st);
  bool json = false;
  BN_CALL(ctx, bn_opts_bool(o, "json", &json));
  BN_CALL(ctx, bn_tune_set(t, "json", "false"));
  BN_CALL(ctx, bn_tune_set(t, "progress", "off"));
  BN_CALL(ctx, bn_tune_mkdir(t, out));
  bn_log(ctx, BN_LOG_INFO,
         "tune: %d ranks x %d lambdas on the training entries of %s (%s; "
         "its /test is not read for the choice)\n",
         t->nr, t->nl, t->input, t->folds ? "K-fold" : "one validation share");
  double t0 = bn_wtime();
  BN_CALL(ctx, bn_tune_splits(t, vf));
  BN_CALL(ctx, bn_tune_grid(t));
  int best = 0;
  for (int k = 1; k < t->nr * t->nl; k++)
    if (t->rmse[k] < t->rmse[best] || isnan(t->rmse[best])) best = k;
  char v[64];
  snprintf(v, sizeof v, "%lld", (long long)t->ranks[best / t->nl]);
  BN_CALL(ctx, bn_tune_set(t, "rank", v));
  snprintf(v, sizeof v, "%.17g", t->lambdas[best % t->nl]);
  BN_CALL(ctx, bn_tune_set(t, "lambda", v));
  BN_CALL(ctx, bn_tune_set(t, "input", t->input));
  BN_CALL(ctx, bn_tune_set(t, "held-out", "false"));
  bn_log(ctx, BN_LOG_INFO,
         "chose rank %lld, lambda %g (validation RMSE %.6f) in %.2f s; "
         "refitting on all the training entries\n",
         (long long)t->ranks[best / t->nl], t->lambdas[best % t->nl],
         t->rmse[best], bn_wtime() - t0);
  BN_CALL(ctx, bn_run_problem(ctx, "complete", o));
  double test = NAN;
  BN_CALL(ctx, bn_tune_test(t, out, &test));
  if (!isnan(test))
    bn_log(ctx, BN_LOG_INFO, "the written model's RMSE on %s /test: %.6f\n",
           t->input, test);
  if (json) bn_tune_json(t, best, test, out);
  return BN_OK;
}

static bn_status_t bn_tune_run(bn_ctx_t *ctx, bn_opts_t *opts,
                               const char *subject) {
  (void)subject;
  bn_tune_t *t = NULL;
  BN_CALL(ctx, bn_agree(ctx, bn_calloc(ctx, 1, sizeof(*t), &t)));
  t->ctx = ctx;
  t->o = opts;
  bool json = false;
  if (bn_opts_bool(opts, "json", &json) == BN_OK && json)
    bn_ctx_set_log_stream(ctx, stderr);
  bn_status_t st = bn_tune_body(t);
  bn_tune_rmdir(t);
  free(t);
  return st;
}

const bn_command_t bn_cmd_tune = {
    "tune",
    "choose the rank and lambda of a completion by validation on the "
    "training entries (one held-out share or K folds; never /test), then "
    "write the refitted model",
    "mpirun -n P benign tune --input=R.h5 --output=M.h5 [--ranks=10,20,50] "
    "[--lambdas=0.01,0.05,0.1] [--folds=K | --validation-fraction=0.1] "
    "[complete's options]",
    bn_tune_opts,
    bn_solve_optdefs,
    NULL,
    bn_tune_run,
    NULL,
    bn_complete_optdefs};
