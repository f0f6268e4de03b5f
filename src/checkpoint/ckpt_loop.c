/* Checkpoints of commands that run their own loop instead of a
 * bn_solver_t (benign sasd): the caller writes and reads its state; the
 * attributes, the identity checks, the period, the signal and the atomic
 * write with --checkpoint-keep are the shared ones (ckpt.c,
 * ckpt_restore.c). */
#include <stdlib.h>
#include <string.h>

#include "benign/ctx.h"
#include "benign/error.h"
#include "checkpoint/ckpt_impl.h"

bn_status_t bn_ckpt_write_loop(bn_ckpt_t *c, const bn_ckpt_loop_t *l,
                               int64_t iter, double seconds) {
  bn_ctx_t *ctx = c->ctx;
  bn_h5_t *f = NULL;
  int tm = bn_timer_id(ctx, "checkpoint");
  bn_timer_start(ctx, tm);
  bn_status_t st = bn_h5_create(ctx, c->path, l->bytes, &f);
  if (st == BN_OK) st = bn_ckpt_attrs(c, f, l->method, iter);
  if (st == BN_OK) st = l->write(l->data, f);
  if (st == BN_OK) st = bn_h5_commit_keep(f, c->p.keep);
  bn_h5_close(f); /* removes the temporary if anything failed */
  bn_timer_stop(ctx, tm);
  if (st != BN_OK) return st;
  c->last_iter = iter;
  c->last_sec = seconds;
  c->written++;
  bn_log(ctx, BN_LOG_DEBUG, "checkpoint: iteration %lld written to %s\n",
         (long long)iter, c->path);
  return BN_OK;
}

bn_status_t bn_ckpt_step_loop(bn_ckpt_t *c, const bn_ckpt_loop_t *l,
                              int64_t iter, double seconds, int signal,
                              bool *stop) {
  bn_ctx_t *ctx = c->ctx;
  bool have = c->path != NULL;
  if (signal) {
    *stop = true;
    c->signal = signal;
    if (!have) return BN_OK;
    BN_CALL(ctx, bn_ckpt_write_loop(c, l, iter, seconds));
    c->sig_written = true;
    return BN_OK;
  }
  bool due =
      have && ((c->p.every > 0 && iter % c->p.every == 0) ||
               (c->p.seconds > 0 && seconds - c->last_sec >= c->p.seconds));
  if (!due) return BN_OK;
  bn_status_t st = bn_ckpt_write_loop(c, l, iter, seconds);
  c->last_sec = seconds;
  if (st == BN_OK) return BN_OK;
  /* Agreed (the HDF5 layer agrees every status): warn and go on; the
   * previous checkpoint is untouched. */
  if (!bn_error_agreed(ctx)) return st;
  bn_log(ctx, BN_LOG_QUIET,
         "benign: warning: checkpoint at iteration %lld not written: %s; "
         "the run goes on (last good checkpoint: %s)\n",
         (long long)iter, bn_error_message(ctx),
         c->last_iter >= 0 ? "the previous one" : "none");
  bn_error_clear(ctx);
  return BN_OK;
}

bn_status_t bn_ckpt_restore_loop(bn_ckpt_t *c, const char *path,
                                 const bn_ckpt_loop_t *l, int64_t *iter,
                                 double *seconds) {
  bn_ctx_t *ctx = c->ctx;
  bn_h5_t *f = NULL;
  char *method = NULL, *in = NULL;
  int64_t procs = 0, it = 0;
  bn_status_t st = bn_h5_open(ctx, path, &f);
  if (st == BN_OK) st = bn_ckpt_check(c, f, path);
  if (st == BN_OK) st = bn_h5_attr_get_str(f, "/", "solver", &method);
  if (st == BN_OK && strcmp(method, l->method))
    st = BN_ERROR_ALL(ctx, BN_ERR_ARG,
                      "'%s' was written by method '%s', this run uses '%s'",
                      path, method, l->method);
  if (st == BN_OK) st = bn_h5_attr_get_i64(f, "/", "processes", &procs);
  if (st == BN_OK) st = bn_h5_attr_get_i64(f, "/", "iteration", &it);
  if (st == BN_OK && c->input)
    st = bn_h5_attr_get_str(f, "/", "input_path", &in);
  if (st == BN_OK) st = l->read(l->data, f, seconds);
  bn_h5_close(f);
  if (st == BN_OK) {
    c->last_iter = it;
    c->last_sec = *seconds;
    *iter = it;
    bn_ckpt_restored(c, path, procs, in);
  }
  free(method);
  free(in);
  return st;
}
