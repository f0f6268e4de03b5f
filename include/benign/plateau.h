/* benign -- plateaus of an objective history: the saddle points a run
 * passed on its way (benign landscapes have saddles but no spurious local
 * minima; a gradient method started near a saddle lingers there, then
 * escapes along a direction of negative curvature).
 *
 * A plateau is a run of at least min_len iterations over which the
 * objective changes by at most rtol (relative) per iteration, the gradient
 * norm dips (its smallest value in the run is at most grad_dip times the
 * largest gradient norm on the way out), and which is followed by a clear
 * drop (a later objective at most (1 - drop) times the plateau's). The
 * final convergence is never a plateau: nothing drops after it. Problem-
 * and solver-independent; not collective (the history is the same on every
 * rank). */
#ifndef BENIGN_PLATEAU_H
#define BENIGN_PLATEAU_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "benign/ctx.h"
#include "benign/solver.h"

typedef struct bn_plateau {
  int64_t start, end; /* iterations (history's numbering), inclusive */
  double objective;   /* at the smallest gradient norm of the run */
  double grad_norm;   /* that smallest gradient norm */
} bn_plateau_t;

typedef struct bn_plateau_params {
  size_t min_len;  /* iterations; default 3                        */
  double rtol;     /* per-iteration relative change; default 1e-2  */
  double grad_dip; /* default 0.5                                  */
  double drop;     /* relative drop after the plateau; default 0.1 */
} bn_plateau_params_t;

void bn_plateau_params_default(bn_plateau_params_t *p);

/* Finds the plateaus of h (p = NULL: defaults), in order. Writes at most
 * max of them to out (may be NULL when max = 0) and returns how many there
 * are. A non-finite objective ends any run. */
size_t bn_plateau_find(const bn_history_t *h, const bn_plateau_params_t *p,
                       bn_plateau_t *out, size_t max);

/* Not collective (every rank holds the same history; rank 0 logs): finds
 * h's plateaus with the defaults, logs them ("saddle points passed", the
 * first BN_PLATEAU_REPORT listed), writes those to pl and returns how many
 * there are. */
#define BN_PLATEAU_REPORT 8
size_t bn_plateau_report(const bn_ctx_t *ctx, const bn_history_t *h,
                         bn_plateau_t pl[BN_PLATEAU_REPORT]);

/* Not collective: the JSON member ,"plateaus":[...] of the first
 * BN_PLATEAU_REPORT of n plateaus pl. */
void bn_plateau_json(FILE *f, const bn_plateau_t *pl, size_t n);

#endif
