/* benign recommend: the command's state, shared by drivers/cmd_recommend.c
 * (options, users, scoring, metrics) and drivers/recommend_out.c (the
 * lists written as CSV or HDF5). Private to those two files. */
#ifndef BN_DRIVERS_RECOMMEND_H
#define BN_DRIVERS_RECOMMEND_H

#include "benign/recommend.h"
#include "cli.h"

typedef struct bn_rec {
  bn_ctx_t *ctx;
  const bn_opts_t *o;
  bn_model_t *m;
  int top;
  bn_idx_t nl, users; /* local rows, users listed (all processes) */
  unsigned char *want;
  int64_t *items;
  double *scores;
  bn_idx_t *xptr, *xcol, *tptr, *tcol;
  bn_idx_t seen, held;
  char exclude[4096], test[4096];
  bn_rank_metrics_t rm;
  double secs;
} bn_rec_t;

/* Collective: the lists of every listed user (r->items, r->scores in the
 * model's ids), and the metrics when r->rm has users, to path: HDF5 when
 * it ends in .h5, else CSV (rank 0 writing every process's lines in
 * turn). Written atomically. */
bn_status_t bn_rec_write(bn_rec_t *r, const char *path);

#endif
