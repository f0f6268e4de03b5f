/* benign -- checkpoints: the whole state of a run at an iteration
 * boundary, written atomically, and restarts from them.
 *
 * A checkpoint is an HDF5 file that is also a result file: the iterate in
 * the problem's own datasets (/U, /V, ...), the history (/history/...),
 * plus /checkpoint/state (the solver's numbers), /checkpoint/<vector>/...
 * (the solver's state vectors, in the problem's layout) and root
 * attributes naming the problem, the options, the input's identity (path,
 * size, structure checksum), the iteration and the process count. Because
 * every vector is written in the problem's global layout, a restart on a
 * different number of processes reads it onto its own distribution.
 *
 * Writes go to a temporary file beside the target, flushed, then renamed;
 * the previous keep - 1 checkpoints stay as PATH.1 .. PATH.(keep-1). */
#ifndef BENIGN_CHECKPOINT_H
#define BENIGN_CHECKPOINT_H

#include <stdbool.h>

#include "benign/h5.h"
#include "benign/opts.h"
#include "benign/problem.h"
#include "benign/solver.h"

typedef struct bn_ckpt_params {
  const char *path; /* NULL or "": no checkpoints are written          */
  int64_t every;    /* write every N iterations (0 = off)              */
  double seconds;   /* write when S seconds have passed since the last */
  int keep;         /* checkpoints kept (>= 1)                         */
} bn_ckpt_params_t;

typedef struct bn_ckpt bn_ckpt_t;

/* Collective. The run's identity: problem (ops, data), options (the input
 * file is the option "input"), and the iterate's local length n. Computes
 * the input's identity. */
bn_status_t bn_ckpt_create(bn_ctx_t *ctx, const bn_ckpt_params_t *p,
                           const bn_problem_ops_t *ops, void *pdata,
                           const bn_opts_t *opts, size_t n, bn_ckpt_t **out);
void bn_ckpt_destroy(bn_ckpt_t *c);

/* A bn_solver_hook_fn (data = the bn_ckpt_t): writes on the period and,
 * with *stop set, when a signal is pending. A periodic write that fails
 * (e.g. a full disk) is reported as a warning and the run goes on; the
 * previous checkpoint is intact. A failure at a signal is an error. */
bn_status_t bn_ckpt_hook(void *data, bn_solver_t *s, const double *x,
                         const bn_solver_event_t *ev, bool *stop);

/* Collective: write a checkpoint of (s, x) now. */
bn_status_t bn_ckpt_write(bn_ckpt_t *c, bn_solver_t *s, const double *x);

/* Collective: check that the checkpoint at path belongs to this run (same
 * problem, same input structure, the same options except those that only
 * steer the run: see bn_ckpt_free_keys) -- refusing with a message that
 * names every difference -- then load the iterate into x (n local doubles)
 * and prepare s to resume. */
bn_status_t bn_ckpt_restore(bn_ckpt_t *c, const char *path, bn_solver_t *s,
                            double *x, size_t n);

/* Commands that run their own loop instead of a bn_solver_t (benign
 * sasd): create the bn_ckpt_t as above (ops need only the name, n is the
 * local length of the iterate, for nothing but the space estimate) and
 * let the loop write and read its own state; the root attributes
 * ("solver" holds `method`), the identity and option checks, the period,
 * the signal and the atomic write with keep are the shared ones. */
typedef struct bn_ckpt_loop {
  const char *method; /* e.g. "iadm"                                   */
  double bytes;       /* size estimate of a checkpoint (space check)   */
  /* Collective: write the state (datasets and /checkpoint/state). */
  bn_status_t (*write)(void *data, bn_h5_t *f);
  /* Collective: read it back (any process count); *seconds: the run's
   * clock when it was written. */
  bn_status_t (*read)(void *data, bn_h5_t *f, double *seconds);
  void *data;
} bn_ckpt_loop_t;

/* Collective: write a checkpoint now (iteration iter, clock seconds). */
bn_status_t bn_ckpt_write_loop(bn_ckpt_t *c, const bn_ckpt_loop_t *l,
                               int64_t iter, double seconds);
/* Collective, at an iteration boundary, with the agreed clock and
 * pending signal: as bn_ckpt_hook (writes on the period; with a signal
 * sets *stop and writes when there is a path). */
bn_status_t bn_ckpt_step_loop(bn_ckpt_t *c, const bn_ckpt_loop_t *l,
                              int64_t iter, double seconds, int signal,
                              bool *stop);
/* Collective: as bn_ckpt_restore (the same refusals, and the method must
 * match), then l->read; *iter: the checkpoint's iteration. */
bn_status_t bn_ckpt_restore_loop(bn_ckpt_t *c, const char *path,
                                 const bn_ckpt_loop_t *l, int64_t *iter,
                                 double *seconds);

/* Iteration of the last checkpoint written or restored (-1: none). */
int64_t bn_ckpt_last_iteration(const bn_ckpt_t *c);
/* The signal that stopped the run (0 if none) and whether the checkpoint
 * for it was written. */
int bn_ckpt_signal(const bn_ckpt_t *c, bool *written);
/* Options that may differ on a restart ("output|max-iter|..."). */
const char *bn_ckpt_free_keys(void);

/* The history datasets /history/<column>: iteration, objective, grad_norm,
 * step, rel_error, test_rmse, seconds (replicated; rank 0 writes). With
 * skip_nan, a column that is NaN throughout is left out (results). */
bn_status_t bn_history_write(bn_ctx_t *ctx, bn_h5_t *f, const bn_history_t *h,
                             bool skip_nan);
/* Read every column into h (allocated; free with bn_history_clear). */
bn_status_t bn_history_read(bn_ctx_t *ctx, bn_h5_t *f, bn_history_t *h);

/* A history kept over several solves (dict's stages, tensor's components):
 * h's rows, each tagged in tag[] with the solve it belongs to, in arrays
 * of capacity *cap grown by bn_history_tagged_room (not collective; agree
 * after). Stored as PREFIX<column> datasets: iteration, TAGNAME,
 * objective, grad_norm, step, seconds and rel_error (only where some row
 * has one); test_rmse is not kept. Write and read are collective; rank 0
 * writes; read fills h and tag (room made) and, without PREFIXiteration,
 * reads nothing. */
bn_status_t bn_history_tagged_room(bn_ctx_t *ctx, bn_history_t *h,
                                   int64_t **tag, size_t *cap, size_t more);
bn_status_t bn_history_tagged_write(bn_ctx_t *ctx, bn_h5_t *f,
                                    const char *prefix, const char *tagname,
                                    const bn_history_t *h, const int64_t *tag);
bn_status_t bn_history_tagged_read(bn_ctx_t *ctx, bn_h5_t *f,
                                   const char *prefix, const char *tagname,
                                   bn_history_t *h, int64_t **tag, size_t *cap);

#endif
