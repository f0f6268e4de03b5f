/* benign predict: the predictions of a completion result for (user,
 * item) pairs, in the input's original ids (src/recommend/predict.c);
 * with the pairs' values, their RMSE. Rank 0 reads the pairs and writes
 * the output; the pairs go through the model in chunks
 * (bn_model_predict_pairs). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "benign/recommend.h"
#include "benign/textout.h"
#include "cli.h"

static const bn_optdef_t bn_predict_opts[] = {
    {"model", BN_OPT_STRING, NULL,
     "the result of benign complete (/U, /V, biases, id maps)", NULL},
    {"pairs", BN_OPT_STRING, NULL,
     "the pairs: text lines 'user item [value]' (delimiter '::', tab, ',', "
     "';' or blanks, and a header line, detected) or an HDF5 input (its "
     "/test, else /omega, in the ids of its /map)",
     NULL},
    {"output", BN_OPT_STRING, NULL,
     "predictions, written atomically: FILE.csv (user,item,prediction[,value] "
     "lines) or FILE.h5 (/user, /item, /prediction[, /value])",
     NULL},
    {"cold-start", BN_OPT_CHOICE, "mean",
     "a user or item the model never saw: mean (the training mean plus the "
     "known side's bias), nan, or drop (no line)",
     "mean|nan|drop"},
    {"clip", BN_OPT_CHOICE, "auto",
     "auto: clip to the training values' range (the model's value_min, "
     "value_max); off",
     "auto|off"},
    {"json", BN_OPT_BOOL, "false",
     "print one JSON line with the counts and RMSE on stdout", NULL},
    {NULL, 0, NULL, NULL, NULL}};

typedef struct bn_pred {
  bn_ctx_t *ctx;
  bn_model_t *m;
  bn_pairs_t pairs;
  double *yhat;
  unsigned char *known;
  bn_idx_t n, written;
  bn_predict_stats_t s;
} bn_pred_t;

/* Rank 0's lines of the CSV output. */
static void bn_pred_csv(bn_pred_t *q, FILE *f, bool drop) {
  const double *val = q->pairs.val;
  fprintf(f, "user,item,prediction%s\n", val ? ",value" : "");
  for (bn_idx_t k = 0; k < q->n; k++) {
    if (drop && !q->known[k]) continue;
    fprintf(f, "%lld,%lld,%.10g", (long long)q->pairs.user[k],
            (long long)q->pairs.item[k], q->yhat[k]);
    if (val) fprintf(f, ",%.10g", val[k]);
    fputc('\n', f);
    q->written++;
  }
}

/* Collective: the HDF5 output (rank 0 writes every row). */
static bn_status_t bn_pred_h5(bn_pred_t *q, const char *path, bool drop) {
  bn_ctx_t *ctx = q->ctx;
  bn_idx_t w = 0, n = q->n, mine = bn_ctx_rank(ctx) == 0;
  for (bn_idx_t k = 0; mine && k < n; k++) /* compact in place */
    if (!drop || q->known[k]) {
      q->pairs.user[w] = q->pairs.user[k];
      q->pairs.item[w] = q->pairs.item[k];
      q->yhat[w] = q->yhat[k];
      if (q->pairs.val) q->pairs.val[w] = q->pairs.val[k];
      w++;
    }
  if (!mine) /* the others: the same count, from the flags they hold */
    for (bn_idx_t k = 0; k < n; k++) w += !drop || q->known[k];
  q->written = w;
  bn_h5_t *f = NULL;
  BN_CALL(ctx, bn_h5_create(ctx, path, 32.0 * (double)w + 65536.0, &f));
  bn_idx_t cnt = mine ? w : 0;
  bn_status_t st = bn_h5_write_i64(f, "/user", w, 0, cnt, q->pairs.user);
  if (st == BN_OK) st = bn_h5_write_i64(f, "/item", w, 0, cnt, q->pairs.item);
  if (st == BN_OK) st = bn_h5_write_f64(f, "/prediction", w, 0, cnt, q->yhat);
  int hv = q->pairs.val != NULL;
  BN_MPI(ctx, MPI_Bcast(&hv, 1, MPI_INT, 0, bn_ctx_comm(ctx)));
  if (st == BN_OK && hv)
    st = bn_h5_write_f64(f, "/value", w, 0, cnt, q->pairs.val);
  if (st == BN_OK) st = bn_h5_attr_set_str(f, "/", "creator", "benign predict");
  if (st == BN_OK) st = bn_h5_commit(f);
  bn_h5_close(f);
  return st;
}

static bn_status_t bn_pred_write(bn_pred_t *q, const char *path, bool drop) {
  if (bn_path_is_h5(path)) return bn_pred_h5(q, path, drop);
  bn_text_t *t = NULL;
  BN_CALL(q->ctx, bn_text_create(q->ctx, path, 48.0 * (double)q->n, &t));
  if (bn_text_stream(t)) bn_pred_csv(q, bn_text_stream(t), drop);
  bn_status_t st = bn_text_commit(t);
  bn_text_close(t);
  BN_MPI(q->ctx,
         MPI_Bcast(&q->written, 1, MPI_INT64_T, 0, bn_ctx_comm(q->ctx)));
  return st;
}

static bn_status_t bn_predict_body(bn_ctx_t *ctx, bn_opts_t *o, bn_pred_t *q) {
  const char *keys[3] = {"model", "pairs", "output"};
  for (int i = 0; i < 3; i++)
    if (!bn_opts_is_set(o, keys[i]))
      return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--%s is required (see --help)",
                          keys[i]);
  const char *out = bn_opts_string(o, "output");
  bn_paths_t *paths = NULL;
  BN_CALL(ctx, bn_paths_create(ctx, &paths));
  bn_paths_input(paths, bn_opts_string(o, "model"), "--model");
  bn_paths_input(paths, bn_opts_string(o, "pairs"), "--pairs");
  bn_paths_output(paths, out, "--output");
  bn_status_t st = bn_paths_check(paths);
  bn_paths_destroy(paths);
  BN_CALL(ctx, st);
  const char *cold = bn_opts_string(o, "cold-start");
  bn_predict_params_t pp = {.cold = !strcmp(cold, "nan")    ? BN_COLD_NAN
                                    : !strcmp(cold, "drop") ? BN_COLD_DROP
                                                            : BN_COLD_MEAN,
                            .clip = !strcmp(bn_opts_string(o, "clip"), "auto")};
  double t0 = bn_wtime();
  BN_CALL(ctx, bn_model_open(ctx, bn_opts_string(o, "model"), &q->m));
  BN_CALL(ctx, bn_pairs_read(ctx, bn_opts_string(o, "pairs"), &q->pairs));
  bn_log(ctx, BN_LOG_INFO, "pairs: %s\n", q->pairs.layout);
  BN_CALL(ctx, bn_model_predict_pairs(q->m, &q->pairs, &pp, &q->yhat, &q->known,
                                      &q->s));
  q->n = q->s.n;
  BN_CALL(ctx, bn_pred_write(q, out, pp.cold == BN_COLD_DROP));
  const double rmse = q->s.rmse;
  bn_log(ctx, BN_LOG_INFO,
         "predicted %lld pairs (%lld with an unknown user or item: "
         "--cold-start=%s), wrote %lld lines to %s in %.2f s\n",
         (long long)q->n, (long long)(q->n - q->s.known), cold,
         (long long)q->written, out, bn_wtime() - t0);
  if (!isnan(rmse))
    bn_log(ctx, BN_LOG_INFO, "RMSE against the pairs' values: %.6f (%lld)\n",
           rmse, (long long)q->s.scored);
  bool json = false;
  BN_CALL(ctx, bn_opts_bool(o, "json", &json));
  if (json && bn_ctx_rank(ctx) == 0) {
    printf("{\"pairs\":%lld,\"known\":%lld,\"written\":%lld", (long long)q->n,
           (long long)q->s.known, (long long)q->written);
    bn_json_put_num(stdout, ",", "rmse", rmse);
    bn_json_put_str(stdout, ",", "output", out);
    printf("}\n");
    fflush(stdout);
  }
  return BN_OK;
}

static bn_status_t bn_predict_run(bn_ctx_t *ctx, bn_opts_t *opts,
                                  const char *subject) {
  (void)subject;
  bn_pred_t q = {.ctx = ctx};
  bool json = false;
  if (bn_opts_bool(opts, "json", &json) == BN_OK && json)
    bn_ctx_set_log_stream(ctx, stderr);
  bn_status_t st = bn_predict_body(ctx, opts, &q);
  bn_model_close(q.m);
  bn_pairs_free(&q.pairs);
  free(q.yhat);
  free(q.known);
  return st;
}

const bn_command_t bn_cmd_predict = {
    "predict",
    "predictions of a completion result for (user, item) pairs, in the "
    "input's original ids (cold-start policy, clipping; RMSE when the pairs "
    "have values)",
    "mpirun -n P benign predict --model=M.h5 --pairs=P.csv|P.h5 "
    "--output=Q.csv|Q.h5 [--cold-start=mean|nan|drop] [--clip=auto|off]",
    bn_predict_opts,
    NULL,
    NULL,
    bn_predict_run,
    NULL,
    NULL};
