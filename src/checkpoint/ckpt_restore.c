/* Restarting from a checkpoint: is it this run's, then load it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "benign/ctx.h"
#include "benign/error.h"
#include "checkpoint/ckpt_impl.h"

/* Is `key` one of the '|'-separated words of list? */
static bool bn_in_list(const char *list, const char *key, size_t n) {
  for (const char *p = list; *p;) {
    const char *bar = strchr(p, '|');
    size_t len = bar ? (size_t)(bar - p) : strlen(p);
    if (len == n && !strncmp(p, key, n)) return true;
    if (!bar) break;
    p = bar + 1;
  }
  return false;
}

/* The value of key in a "key=value\n..." list: pointer and length, or NULL
 * when absent. */
static const char *bn_kv_find(const char *list, const char *key, size_t n,
                              size_t *vlen) {
  for (const char *p = list; p && *p;) {
    const char *eol = strchr(p, '\n');
    size_t len = eol ? (size_t)(eol - p) : strlen(p);
    if (len > n && p[n] == '=' && !strncmp(p, key, n)) {
      *vlen = len - n - 1;
      return p + n + 1;
    }
    p = eol ? eol + 1 : NULL;
  }
  return NULL;
}

/* Append "--key: checkpoint A, this run B; " for every key of `a` whose
 * value in `b` differs (free keys skipped); `swap` names the sides. */
static void bn_opts_diff(const char *a, const char *b, bool swap, char *out,
                         size_t cap) {
  for (const char *p = a; p && *p;) {
    const char *eol = strchr(p, '\n'), *eq = strchr(p, '=');
    size_t len = eol ? (size_t)(eol - p) : strlen(p);
    if (eq && eq < p + len) {
      size_t n = (size_t)(eq - p), va = len - n - 1, vb = 0;
      const char *v = bn_kv_find(b, p, n, &vb);
      bool same = v && vb == va && !strncmp(v, eq + 1, va);
      if (!same && !bn_in_list(bn_ckpt_free_keys(), p, n) &&
          !(swap && v)) { /* pairs present on both sides: reported once */
        size_t used = strlen(out);
        const char *ck = swap ? (v ? v : "(unset)") : eq + 1;
        const char *me = swap ? eq + 1 : (v ? v : "(unset)");
        int lc = swap ? (v ? (int)vb : 7) : (int)va;
        int lm = swap ? (int)va : (v ? (int)vb : 7);
        if (used + 1 < cap)
          snprintf(out + used, cap - used,
                   "%s--%.*s: checkpoint '%.*s', this run '%.*s'",
                   used ? "; " : "", (int)n, p, lc, ck, lm, me);
      }
    }
    p = eol ? eol + 1 : NULL;
  }
}

/* Rank-independent checks (every rank reads the same attributes). */
bn_status_t bn_ckpt_check(bn_ckpt_t *c, bn_h5_t *f, const char *path) {
  bn_ctx_t *ctx = c->ctx;
  char *kind = NULL, *problem = NULL, *optstr = NULL, *sum = NULL;
  char *mine = NULL, *diff = NULL;
  int64_t format = 0, size = -1;
  int has_kind;
  bn_status_t st = bn_h5_exists(f, "/checkpoint/state", &has_kind);
  if (st == BN_OK && !has_kind) {
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "'%s' is not a benign checkpoint (no "
                        "/checkpoint/state; a result file cannot be "
                        "restarted from)",
                        path);
  }
  if (st == BN_OK) st = bn_h5_attr_get_str(f, "/", "kind", &kind);
  if (st == BN_OK) st = bn_h5_attr_get_i64(f, "/", "format", &format);
  if (st == BN_OK && strcmp(kind, "checkpoint"))
    st = BN_ERROR_ALL(ctx, BN_ERR_DATA,
                      "'%s' is not a benign checkpoint (its kind is '%s')",
                      path, kind);
  if (st == BN_OK && format != BN_CKPT_FORMAT)
    st = BN_ERROR_ALL(ctx, BN_ERR_DATA,
                      "'%s' is a checkpoint of format %lld; this benign "
                      "reads format %d",
                      path, (long long)format, BN_CKPT_FORMAT);
  if (st == BN_OK) st = bn_h5_attr_get_str(f, "/", "problem", &problem);
  if (st == BN_OK && strcmp(problem, c->ops->name))
    st = BN_ERROR_ALL(ctx, BN_ERR_ARG,
                      "'%s' is a checkpoint of problem '%s', not '%s'", path,
                      problem, c->ops->name);
  if (st == BN_OK && c->input) {
    st = bn_h5_attr_get_i64(f, "/", "input_size", &size);
    if (st == BN_OK) st = bn_h5_attr_get_str(f, "/", "input_checksum", &sum);
    if (st == BN_OK && (size != c->id.size || strcmp(sum, c->id.checksum)))
      st = BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "the input differs from the one '%s' was written "
                        "for: size %lld bytes and structure checksum %s "
                        "there, %lld bytes and %s for '%s'",
                        path, (long long)size, sum, (long long)c->id.size,
                        c->id.checksum, c->input);
  }
  if (st == BN_OK) st = bn_h5_attr_get_str(f, "/", "options", &optstr);
  if (st == BN_OK) {
    mine = bn_opts_serialize(c->opts);
    diff = calloc(4096, 1);
    if (!mine || !diff) st = BN_ERROR_ALL(ctx, BN_ERR_MEM, "out of memory");
  }
  if (st == BN_OK) {
    bn_opts_diff(optstr, mine, false, diff, 4096);
    bn_opts_diff(mine, optstr, true, diff, 4096);
    if (*diff)
      st = BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "options differ from those of checkpoint '%s': %s "
                        "(only %s may change on a restart)",
                        path, diff, bn_ckpt_free_keys());
  }
  free(kind);
  free(problem);
  free(optstr);
  free(sum);
  free(mine);
  free(diff);
  return st;
}

static bn_status_t bn_ckpt_load(bn_ckpt_t *c, bn_h5_t *f, bn_solver_t *s,
                                double *x, size_t n) {
  bn_ctx_t *ctx = c->ctx;
  double state[BN_SOLVER_STATE_LEN];
  const char *names[BN_SOLVER_MAX_VECTORS];
  double *vecs[BN_SOLVER_MAX_VECTORS];
  char prefix[96];
  int nd;
  bn_idx_t dims[4];
  BN_CALL(ctx, bn_h5_shape(f, "/checkpoint/state", &nd, dims));
  if (nd != 1 || dims[0] != BN_SOLVER_STATE_LEN)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: /checkpoint/state must hold %d numbers",
                        bn_h5_path(f), BN_SOLVER_STATE_LEN);
  BN_CALL(ctx, bn_h5_read_f64(f, "/checkpoint/state", 0, BN_SOLVER_STATE_LEN,
                              state));
  BN_CALL(ctx, c->ops->load(c->pdata, f, "/", x));
  bn_history_t h;
  BN_CALL(ctx, bn_history_read(ctx, f, &h));
  bn_status_t st = bn_agree(ctx, bn_solver_resume(s, n, state, &h));
  bn_history_clear(&h);
  BN_CALL(ctx, st);
  int has = 0; /* after which iterations the escapes so far happened */
  BN_CALL(ctx,
          bn_h5_attr_exists(f, "/checkpoint/state", "escape_iterations", &has));
  if (has) {
    char *text = NULL;
    int64_t esc[BN_ESC_RECORD];
    BN_CALL(ctx, bn_h5_attr_get_str(f, "/checkpoint/state", "escape_iterations",
                                    &text));
    int ne = bn_escape_iterations_parse(text, esc, BN_ESC_RECORD);
    free(text);
    bn_solver_set_escape_iterations(s, esc, ne);
  }
  int nv = bn_solver_state_vectors(s, names, vecs);
  for (int k = 0; k < nv; k++) {
    snprintf(prefix, sizeof prefix, "/checkpoint/%s/", names[k]);
    BN_CALL(ctx, c->ops->load(c->pdata, f, prefix, vecs[k]));
    /* A NaN in the solver's memory would poison every later step. */
    bn_status_t bad = BN_OK;
    for (size_t i = 0; i < n && bad == BN_OK; i++)
      if (!isfinite(vecs[k][i]))
        bad = BN_ERROR(ctx, BN_ERR_DATA,
                       "%s: the checkpoint's %s holds a NaN or infinite "
                       "value: the checkpoint is damaged",
                       bn_h5_path(f), names[k]);
    BN_CALL(ctx, bn_agree(ctx, bad));
  }
  c->last_iter = bn_solver_iterations(s);
  c->last_sec = state[BN_SOLVER_STATE_SECONDS];
  return BN_OK;
}

void bn_ckpt_restored(bn_ckpt_t *c, const char *path, int64_t procs,
                      const char *in) {
  bn_ctx_t *ctx = c->ctx;
  bn_log(ctx, BN_LOG_INFO,
         "RESTART=%s (iteration %lld, written by %lld process%s)\n", path,
         (long long)c->last_iter, (long long)procs, procs == 1 ? "" : "es");
  if (procs != bn_ctx_size(ctx))
    bn_log(ctx, BN_LOG_INFO,
           "note: %d processes now: the iterate and solver state are "
           "repartitioned; the rest of the run is not bit-for-bit the one "
           "%lld processes would make\n",
           bn_ctx_size(ctx), (long long)procs);
  if (in && c->input && strcmp(in, c->input))
    bn_log(ctx, BN_LOG_INFO,
           "note: the input was '%s' when checkpointed; '%s' has the same "
           "size and structure\n",
           in, c->input);
}

bn_status_t bn_ckpt_restore(bn_ckpt_t *c, const char *path, bn_solver_t *s,
                            double *x, size_t n) {
  bn_ctx_t *ctx = c->ctx;
  bn_h5_t *f = NULL;
  char *solver = NULL, *in = NULL;
  int64_t procs = 0;
  bn_status_t st = bn_h5_open(ctx, path, &f);
  if (st == BN_OK) st = bn_ckpt_check(c, f, path);
  if (st == BN_OK) st = bn_h5_attr_get_str(f, "/", "solver", &solver);
  if (st == BN_OK && strcmp(solver, bn_solver_name(s)))
    st = BN_ERROR_ALL(ctx, BN_ERR_ARG,
                      "'%s' was written by solver '%s', this run uses '%s'",
                      path, solver, bn_solver_name(s));
  if (st == BN_OK) st = bn_h5_attr_get_i64(f, "/", "processes", &procs);
  if (st == BN_OK && c->input)
    st = bn_h5_attr_get_str(f, "/", "input_path", &in);
  if (st == BN_OK) st = bn_ckpt_load(c, f, s, x, n);
  bn_h5_close(f);
  if (st == BN_OK) bn_ckpt_restored(c, path, procs, in);
  free(solver);
  free(in);
  return st;
}
