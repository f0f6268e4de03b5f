/* Writing checkpoints: when (period, signal) and what (see
 * include/benign/checkpoint.h for the layout). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "benign/ctx.h"
#include "benign/error.h"
#include "benign/signal.h"
#include "checkpoint/ckpt_impl.h"

bn_status_t bn_ckpt_create(bn_ctx_t *ctx, const bn_ckpt_params_t *p,
                           const bn_problem_ops_t *ops, void *pdata,
                           const bn_opts_t *opts, size_t n, bn_ckpt_t **out) {
  bn_ckpt_t *c = NULL;
  *out = NULL;
  BN_CALL(ctx, bn_agree(ctx, bn_calloc(ctx, 1, sizeof(*c), &c)));
  c->ctx = ctx;
  c->p = *p;
  c->ops = ops;
  c->pdata = pdata;
  c->opts = opts;
  c->last_iter = -1;
  c->input = bn_opts_string(opts, "input");
  c->nglobal = (double)n;
  BN_MPI(ctx, MPI_Allreduce(MPI_IN_PLACE, &c->nglobal, 1, MPI_DOUBLE, MPI_SUM,
                            bn_ctx_comm(ctx)));
  bn_status_t st = BN_OK;
  if (p->path && *p->path) {
    c->path = strdup(p->path);
    if (!c->path) st = BN_ERROR(ctx, BN_ERR_MEM, "out of memory");
  }
  c->p.path = c->path;
  st = bn_agree(ctx, st);
  if (st == BN_OK && c->input) st = bn_h5_identity(ctx, c->input, &c->id);
  if (st != BN_OK) {
    bn_ckpt_destroy(c);
    return st;
  }
  *out = c;
  return BN_OK;
}

void bn_ckpt_destroy(bn_ckpt_t *c) {
  if (!c) return;
  free(c->path);
  free(c);
}

int64_t bn_ckpt_last_iteration(const bn_ckpt_t *c) { return c->last_iter; }

int bn_ckpt_signal(const bn_ckpt_t *c, bool *written) {
  if (written) *written = c->sig_written;
  return c->signal;
}

/* Root attributes: what this checkpoint is and which run it belongs to
 * (solver: the solver's or the method's name; iter: the iteration). */
bn_status_t bn_ckpt_attrs(bn_ckpt_t *c, bn_h5_t *f, const char *solver,
                          int64_t iter) {
  bn_ctx_t *ctx = c->ctx;
  char *optstr = bn_opts_serialize(c->opts);
  bn_status_t st = bn_agree(ctx, optstr ? BN_OK : BN_ERR_MEM);
  int64_t seed = 0;
  if (st == BN_OK) st = bn_h5_attr_set_str(f, "/", "kind", "checkpoint");
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "format", BN_CKPT_FORMAT);
  if (st == BN_OK) st = bn_h5_attr_set_str(f, "/", "problem", c->ops->name);
  if (st == BN_OK) st = bn_h5_attr_set_str(f, "/", "solver", solver);
  if (st == BN_OK) st = bn_h5_attr_set_str(f, "/", "options", optstr);
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "iteration", iter);
  if (st == BN_OK)
    st = bn_h5_attr_set_i64(f, "/", "processes", bn_ctx_size(ctx));
  if (st == BN_OK)
    st = bn_h5_attr_set_str(f, "/", "version", BN_VERSION_STRING);
  if (st == BN_OK && bn_opts_is_set(c->opts, "seed"))
    st = bn_opts_int(c->opts, "seed", &seed);
  /* The generator is counter-based (Philox keyed by seed, stream, index):
   * the seed is its whole state. */
  if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "seed", seed);
  if (st == BN_OK)
    st = bn_h5_attr_set_str(f, "/", "rng",
                            "philox4x32-10 keyed by (seed, stream, index)");
  if (st == BN_OK && c->input) {
    st = bn_h5_attr_set_str(f, "/", "input_path", c->input);
    if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "input_size", c->id.size);
    if (st == BN_OK)
      st = bn_h5_attr_set_str(f, "/", "input_checksum", c->id.checksum);
  }
  free(optstr);
  return st;
}

static bn_status_t bn_ckpt_body(bn_ckpt_t *c, bn_h5_t *f, bn_solver_t *s,
                                const double *x) {
  bn_ctx_t *ctx = c->ctx;
  double state[BN_SOLVER_STATE_LEN];
  const char *names[BN_SOLVER_MAX_VECTORS];
  double *vecs[BN_SOLVER_MAX_VECTORS];
  char prefix[96];
  BN_CALL(ctx, bn_ckpt_attrs(c, f, bn_solver_name(s), bn_solver_iterations(s)));
  BN_CALL(ctx, c->ops->save(c->pdata, x, f, "/"));
  bn_solver_state_get(s, state);
  int mine = bn_ctx_rank(ctx) == 0 ? BN_SOLVER_STATE_LEN : 0;
  BN_CALL(ctx, bn_h5_write_f64(f, "/checkpoint/state", BN_SOLVER_STATE_LEN, 0,
                               mine, state));
  BN_CALL(ctx, bn_h5_attr_set_str(f, "/checkpoint/state", "fields",
                                  bn_solver_state_fields()));
  int64_t esc[BN_ESC_RECORD];
  int ne = bn_solver_escape_iterations(s, esc, BN_ESC_RECORD);
  if (ne > 0) { /* after which iterations the escapes so far happened */
    char at[BN_ESC_RECORD * 21];
    bn_escape_iterations_format(esc, ne < BN_ESC_RECORD ? ne : BN_ESC_RECORD,
                                at, sizeof at);
    BN_CALL(ctx, bn_h5_attr_set_str(f, "/checkpoint/state", "escape_iterations",
                                    at));
  }
  int nv = bn_solver_state_vectors(s, names, vecs);
  for (int k = 0; k < nv; k++) {
    snprintf(prefix, sizeof prefix, "/checkpoint/%s/", names[k]);
    BN_CALL(ctx, c->ops->save(c->pdata, vecs[k], f, prefix));
  }
  BN_CALL(ctx, bn_history_write(ctx, f, bn_solver_history(s), false));
  return BN_OK;
}

bn_status_t bn_ckpt_write(bn_ckpt_t *c, bn_solver_t *s, const double *x) {
  bn_ctx_t *ctx = c->ctx;
  bn_h5_t *f = NULL;
  int tm = bn_timer_id(ctx, "checkpoint");
  bn_timer_start(ctx, tm);
  const char *names[BN_SOLVER_MAX_VECTORS];
  double *vecs[BN_SOLVER_MAX_VECTORS];
  int nv = bn_solver_state_vectors(s, names, vecs);
  double bytes = 8.0 * ((1 + nv) * c->nglobal +
                        7.0 * (double)bn_solver_history(s)->n + 64);
  bn_status_t st = bn_h5_create(ctx, c->path, bytes, &f);
  if (st == BN_OK) st = bn_ckpt_body(c, f, s, x);
  if (st == BN_OK) st = bn_h5_commit_keep(f, c->p.keep);
  bn_h5_close(f); /* removes the temporary if anything failed */
  bn_timer_stop(ctx, tm);
  if (st != BN_OK) return st;
  c->last_iter = bn_solver_iterations(s);
  c->written++;
  bn_log(ctx, BN_LOG_DEBUG, "checkpoint: iteration %lld written to %s\n",
         (long long)c->last_iter, c->path);
  return BN_OK;
}

bn_status_t bn_ckpt_hook(void *data, bn_solver_t *s, const double *x,
                         const bn_solver_event_t *ev, bool *stop) {
  bn_ckpt_t *c = data;
  bn_ctx_t *ctx = c->ctx;
  bool have = c->path != NULL;
  if (ev->signal) {
    *stop = true;
    c->signal = ev->signal;
    if (!have) return BN_OK;
    BN_CALL(ctx, bn_ckpt_write(c, s, x));
    c->sig_written = true;
    return BN_OK;
  }
  bool due =
      have && ((c->p.every > 0 && ev->iter % c->p.every == 0) ||
               (c->p.seconds > 0 && ev->seconds - c->last_sec >= c->p.seconds));
  if (!due) return BN_OK;
  c->last_sec = ev->seconds;
  bn_status_t st = bn_ckpt_write(c, s, x);
  if (st == BN_OK) return BN_OK;
  /* Agreed (the HDF5 layer agrees every status): warn and go on; the
   * previous checkpoint is untouched. */
  if (!bn_error_agreed(ctx)) return st;
  bn_log(ctx, BN_LOG_QUIET,
         "benign: warning: checkpoint at iteration %lld not written: %s; "
         "the run goes on (last good checkpoint: %s)\n",
         (long long)ev->iter, bn_error_message(ctx),
         c->last_iter >= 0 ? "the previous one" : "none");
  bn_error_clear(ctx);
  return BN_OK;
}

const char *bn_ckpt_free_keys(void) {
  return "input|output|checkpoint|checkpoint-every|checkpoint-seconds|"
         "checkpoint-keep|restart|max-iter|time-limit|tol|gatol|ftol|fatol|"
         "rel-tol|monitor|monitor-every|progress|progress-every|json|log-level|"
         "certificate|"
         "cert-gtol|cert-htol|atoms-png";
}
