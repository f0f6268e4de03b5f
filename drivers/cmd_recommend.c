/* benign recommend: the top N items of every user of a completion result
 * (src/recommend/topn.c), the items a user has seen excluded, in the
 * input's original ids; with held-out entries, the ranking metrics. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "recommend.h"

static const bn_optdef_t bn_recommend_opts[] = {
    {"model", BN_OPT_STRING, NULL,
     "the result of benign complete (/U, /V, biases, id maps)", NULL},
    {"output", BN_OPT_STRING, NULL,
     "the lists, written atomically: FILE.csv (user,rank,item,score lines) "
     "or FILE.h5 (/users, /items and /scores, users x top, row-major)",
     NULL},
    {"top", BN_OPT_INT, "10", "items per user", NULL},
    {"users", BN_OPT_STRING, "",
     "a text file of user ids (one per line): only these users; empty: all",
     NULL},
    {"exclude", BN_OPT_STRING, "auto",
     "an input whose /omega entries (items each user has seen) are never "
     "recommended; auto: the model's input (its 'input' attribute) when it "
     "exists; none",
     NULL},
    {"test", BN_OPT_STRING, "auto",
     "an input whose /test entries are the relevant items of the ranking "
     "metrics (precision, recall, MAP, NDCG at --top); auto: the exclude "
     "file's /test when it has one; none",
     NULL},
    {"relevant-min", BN_OPT_STRING, "any",
     "held-out entries with a value >= this count as relevant (e.g. 4 for "
     "ratings of 1 to 5); any: all",
     NULL},
    {"json", BN_OPT_BOOL, "false",
     "print one JSON line with the counts, seconds and metrics on stdout",
     NULL},
    {NULL, 0, NULL, NULL, NULL}};

/* Collective: which local rows to list (--users: rank 0 reads the ids). */
static bn_status_t bn_rec_users(bn_rec_t *r) {
  bn_ctx_t *ctx = r->ctx;
  const char *path = bn_opts_string(r->o, "users");
  BN_CALL(ctx, bn_agree(ctx, bn_calloc(ctx, (size_t)r->nl + 1, 1, &r->want)));
  if (!path || !*path) {
    memset(r->want, 1, (size_t)r->nl);
    r->users = bn_model_rows(r->m);
    return BN_OK;
  }
  int64_t n = 0, unknown = 0, first_bad = 0;
  int64_t *list = NULL;
  bn_status_t st = BN_OK;
  if (bn_ctx_rank(ctx) == 0) { /* one id a line: read as pairs "id id" */
    FILE *fp = fopen(path, "r");
    char line[256];
    size_t cap = 1024;
    st = fp ? bn_mallocn(ctx, cap, 8, &list)
            : BN_ERROR(ctx, BN_ERR_IO, "cannot open --users=%s", path);
    int64_t lineno = 0;
    while (st == BN_OK && fgets(line, sizeof line, fp)) {
      char *end, *s = line;
      lineno++;
      while (*s == ' ' || *s == '\t') s++;
      if (*s == '\n' || *s == '\r' || !*s) continue;
      long long id = strtoll(s, &end, 10);
      while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n') end++;
      if (end == s || *end) {
        st = BN_ERROR(ctx, BN_ERR_DATA, "%s:%lld: '%.20s' is not a user id",
                      path, (long long)lineno, s);
        break;
      }
      if (n == (int64_t)cap) {
        cap = bn_size_mul(cap, 2);
        int64_t *g = bn_realloc_n(list, cap, 8);
        if (!g)
          st = BN_ERROR(ctx, BN_ERR_MEM, "out of memory reading %s", path);
        if (g) list = g;
      }
      if (st == BN_OK) list[n++] = id;
    }
    if (fp) fclose(fp);
  }
  BN_CALL(ctx, bn_agree(ctx, st));
  BN_MPI(ctx, MPI_Bcast(&n, 1, MPI_INT64_T, 0, bn_ctx_comm(ctx)));
  if (bn_ctx_rank(ctx) != 0)
    BN_CALL(ctx, bn_agree(ctx, bn_mallocn(ctx, (size_t)n + 1, 8, &list)));
  else
    BN_CALL(ctx, bn_agree(ctx, BN_OK));
  BN_MPI(ctx, MPI_Bcast(list, (int)n, MPI_INT64_T, 0, bn_ctx_comm(ctx)));
  const bn_idx_t f0 = bn_dist_first(bn_model_dist(r->m));
  for (int64_t k = 0; k < n; k++) {
    bn_idx_t i = bn_model_row_index(r->m, list[k]);
    if (i < 0 && unknown++ == 0) first_bad = list[k];
    if (i >= f0 && i < f0 + r->nl) r->want[i - f0] = 1;
  }
  free(list);
  if (n == 0)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA, "--users=%s: no user ids in it",
                        path);
  if (unknown)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "--users=%s: %lld id%s the model does not know (the "
                        "first: %lld)",
                        path, (long long)unknown, unknown == 1 ? "" : "s",
                        (long long)first_bad);
  int64_t u = 0;
  for (bn_idx_t l = 0; l < r->nl; l++) u += r->want[l];
  BN_MPI(ctx, MPI_Allreduce(MPI_IN_PLACE, &u, 1, MPI_INT64_T, MPI_SUM,
                            bn_ctx_comm(ctx)));
  r->users = u;
  return BN_OK;
}

/* Collective: does PATH exist and hold GROUP? */
static bn_status_t bn_rec_has(bn_ctx_t *ctx, const char *path,
                              const char *group, int *has) {
  int ok = bn_ctx_rank(ctx) == 0 && bn_path_readable(ctx, path) == BN_OK;
  bn_error_clear(ctx);
  BN_MPI(ctx, MPI_Bcast(&ok, 1, MPI_INT, 0, bn_ctx_comm(ctx)));
  *has = 0;
  if (!ok) return BN_OK;
  bn_h5_t *f = NULL;
  BN_CALL(ctx, bn_h5_open(ctx, path, &f));
  char name[64];
  snprintf(name, sizeof name, "%s/row", group);
  bn_status_t st = bn_h5_exists(f, name, has);
  bn_h5_close(f);
  return st;
}

/* Collective: --exclude and --test resolved into r->exclude, r->test
 * ("" for none). */
static bn_status_t bn_rec_sources(bn_rec_t *r) {
  bn_ctx_t *ctx = r->ctx;
  const char *ex = bn_opts_string(r->o, "exclude");
  const char *te = bn_opts_string(r->o, "test");
  int has = 0;
  if (!strcmp(ex, "auto")) {
    const char *in = bn_model_input(r->m);
    BN_CALL(ctx, bn_rec_has(ctx, in ? in : "", "/omega", &has));
    snprintf(r->exclude, sizeof r->exclude, "%s", has ? in : "");
  } else {
    snprintf(r->exclude, sizeof r->exclude, "%s", strcmp(ex, "none") ? ex : "");
  }
  if (!strcmp(te, "auto")) {
    has = 0;
    if (*r->exclude) BN_CALL(ctx, bn_rec_has(ctx, r->exclude, "/test", &has));
    snprintf(r->test, sizeof r->test, "%s", has ? r->exclude : "");
  } else {
    snprintf(r->test, sizeof r->test, "%s", strcmp(te, "none") ? te : "");
  }
  return BN_OK;
}

static bn_status_t bn_rec_body(bn_rec_t *r) {
  bn_ctx_t *ctx = r->ctx;
  const bn_opts_t *o = r->o;
  for (int i = 0; i < 2; i++) {
    const char *key = i ? "output" : "model";
    if (!bn_opts_is_set(o, key))
      return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--%s is required (see --help)",
                          key);
  }
  const char *out = bn_opts_string(o, "output"),
             *rel = bn_opts_string(o, "relevant-min");
  int64_t top = 0;
  BN_CALL(ctx, bn_opts_int(o, "top", &top));
  double relmin = -INFINITY;
  char *end = NULL;
  if (strcmp(rel, "any") && ((relmin = strtod(rel, &end)), end == rel || *end))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--relevant-min=%s: expected any or a number", rel);
  bn_paths_t *paths = NULL;
  BN_CALL(ctx, bn_paths_create(ctx, &paths));
  bn_paths_input(paths, bn_opts_string(o, "model"), "--model");
  bn_paths_output(paths, out, "--output");
  bn_status_t st = bn_paths_check(paths);
  bn_paths_destroy(paths);
  BN_CALL(ctx, st);
  double t0 = bn_wtime();
  BN_CALL(ctx, bn_model_open(ctx, bn_opts_string(o, "model"), &r->m));
  const bn_idx_t cols = bn_model_cols(r->m);
  if (top < 1 || top > cols)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--top=%lld: must be in [1, %lld] (the model's items)",
                        (long long)top, (long long)cols);
  r->top = (int)top;
  r->nl = bn_dist_local(bn_model_dist(r->m));
  BN_CALL(ctx, bn_rec_users(r));
  BN_CALL(ctx, bn_rec_sources(r));
  if (*r->exclude)
    BN_CALL(ctx, bn_model_entries(r->m, r->exclude, "/omega", -INFINITY,
                                  &r->xptr, &r->xcol, &r->seen));
  if (*r->test)
    BN_CALL(ctx, bn_model_entries(r->m, r->test, "/test", relmin, &r->tptr,
                                  &r->tcol, &r->held));
  size_t nt = bn_size_mul((size_t)r->nl + 1, (size_t)top);
  st = bn_mallocn(ctx, nt, 8, &r->items);
  if (st == BN_OK) st = bn_mallocn(ctx, nt, 8, &r->scores);
  BN_CALL(ctx, bn_agree(ctx, st));
  double t1 = bn_wtime();
  BN_CALL(ctx, bn_model_topn(r->m, r->top, r->xptr, r->xcol, r->want, r->items,
                             r->scores));
  r->secs = bn_wtime() - t1;
  if (r->tptr) {
    /* the metrics over the listed users only: the others' lists are empty
     * (their held-out entries dropped: they are not evaluated) */
    bn_idx_t n = 0;
    for (bn_idx_t l = 0; l < r->nl; l++) {
      bn_idx_t a = r->tptr[l], b = r->tptr[l + 1];
      r->tptr[l] = n;
      if (r->want[l])
        for (bn_idx_t e = a; e < b; e++) r->tcol[n++] = r->tcol[e];
    }
    r->tptr[r->nl] = n;
    BN_CALL(ctx, bn_rank_metrics(ctx, r->nl, r->top, r->top, r->items, r->tptr,
                                 r->tcol, &r->rm));
  }
  BN_CALL(ctx, bn_rec_write(r, out));
  bn_log(ctx, BN_LOG_INFO,
         "top %d items of %lld users (%lld seen entries excluded%s%s) in "
         "%.2f s (scoring %.2f s); wrote %s\n",
         r->top, (long long)r->users, (long long)r->seen,
         *r->exclude ? ": " : "", r->exclude, bn_wtime() - t0, r->secs, out);
  if (r->rm.users > 0)
    bn_log(ctx, BN_LOG_INFO,
           "ranking against %s /test (%lld relevant entries, %lld users): "
           "precision@%d = %.4f  recall@%d = %.4f  MAP@%d = %.4f  NDCG@%d = "
           "%.4f\n",
           r->test, (long long)r->held, (long long)r->rm.users, r->top,
           r->rm.precision, r->top, r->rm.recall, r->top, r->rm.map, r->top,
           r->rm.ndcg);
  bool json = false;
  BN_CALL(ctx, bn_opts_bool(o, "json", &json));
  if (json && bn_ctx_rank(ctx) == 0) {
    printf("{\"users\":%lld,\"top\":%d,\"seen_excluded\":%lld",
           (long long)r->users, r->top, (long long)r->seen);
    bn_json_put_num(stdout, ",", "seconds", bn_wtime() - t0);
    bn_json_put_num(stdout, ",", "scoring_seconds", r->secs);
    if (r->rm.users > 0) {
      printf(",\"metric_users\":%lld", (long long)r->rm.users);
      bn_json_put_num(stdout, ",", "precision", r->rm.precision);
      bn_json_put_num(stdout, ",", "recall", r->rm.recall);
      bn_json_put_num(stdout, ",", "map", r->rm.map);
      bn_json_put_num(stdout, ",", "ndcg", r->rm.ndcg);
    }
    bn_json_put_str(stdout, ",", "output", out);
    printf("}\n");
    fflush(stdout);
  }
  return BN_OK;
}

static bn_status_t bn_recommend_run(bn_ctx_t *ctx, bn_opts_t *opts,
                                    const char *subject) {
  (void)subject;
  bn_rec_t r = {.ctx = ctx, .o = opts};
  bool json = false;
  if (bn_opts_bool(opts, "json", &json) == BN_OK && json)
    bn_ctx_set_log_stream(ctx, stderr);
  bn_status_t st = bn_rec_body(&r);
  bn_model_close(r.m);
  free(r.want);
  free(r.items);
  free(r.scores);
  free(r.xptr);
  free(r.xcol);
  free(r.tptr);
  free(r.tcol);
  return st;
}

const bn_command_t bn_cmd_recommend = {
    "recommend",
    "the top N items of every user of a completion result, seen items "
    "excluded, in the input's original ids; ranking metrics (precision, "
    "recall, MAP, NDCG) against held-out entries",
    "mpirun -n P benign recommend --model=M.h5 --output=T.csv|T.h5 "
    "[--top=10] [--users=ids.txt] [--exclude=auto|none|R.h5] "
    "[--test=auto|none|S.h5]",
    bn_recommend_opts,
    NULL,
    NULL,
    bn_recommend_run,
    NULL,
    NULL};
