/* Private layout of bn_ckpt, shared by src/checkpoint. */
#ifndef BN_CHECKPOINT_IMPL_H
#define BN_CHECKPOINT_IMPL_H

#include "benign/checkpoint.h"

#define BN_CKPT_FORMAT 2 /* 2: the input checksum covers content too */

struct bn_ckpt {
  bn_ctx_t *ctx;
  bn_ckpt_params_t p;
  char *path; /* copy of p.path, or NULL */
  const bn_problem_ops_t *ops;
  void *pdata;
  const bn_opts_t *opts;
  const char *input;
  bn_h5_identity_t id;
  int64_t last_iter; /* last written or restored, -1 none */
  double last_sec;   /* solver clock at the last write (or the start) */
  int signal;        /* signal that stopped the run */
  bool sig_written;  /* its checkpoint was written */
  int64_t written;   /* checkpoints written by this run */
  double nglobal;    /* length of the iterate over all ranks */
};

/* Collective: the root attributes of a checkpoint (ckpt.c). */
bn_status_t bn_ckpt_attrs(bn_ckpt_t *c, bn_h5_t *f, const char *solver,
                          int64_t iter);
/* Collective: refuse a file that is not a checkpoint of this run: another
 * problem, input or options (ckpt_restore.c). */
bn_status_t bn_ckpt_check(bn_ckpt_t *c, bn_h5_t *f, const char *path);
/* The RESTART= line and the notes on another process count or input
 * path, once a checkpoint written by `procs` processes (input `in`, or
 * NULL) is loaded (ckpt_restore.c). */
void bn_ckpt_restored(bn_ckpt_t *c, const char *path, int64_t procs,
                      const char *in);

#endif
