/* The history of a result or checkpoint as `benign plot` draws it
 * (plot_hist.c reads it, plot_conv.c draws it). */
#ifndef BN_IO_PLOT_HIST_H
#define BN_IO_PLOT_HIST_H

#include <stdint.h>

#include "benign/h5.h"
#include "benign/plot.h"
#include "benign/solver.h"

/* The quantities a history may hold, in drawing order; 0 is the objective
 * (the top row), the others share the bottom row. */
enum { BN_PLOT_NQ = 7 };

typedef struct bn_plot_quantity {
  const char *name;  /* dataset under the history group */
  const char *label; /* legend */
  unsigned char rgb[3];
} bn_plot_quantity_t;

extern const bn_plot_quantity_t bn_plot_quantities[BN_PLOT_NQ];

typedef struct bn_plot_hist {
  size_t n;                /* entries */
  double *iteration;       /* x: the iteration (entry index when it is not
                              nondecreasing) */
  double *seconds;         /* x: seconds (NULL if absent) */
  double *q[BN_PLOT_NQ];   /* NULL: absent (or nothing drawable) */
  double *stage;           /* stage / component / lambda, or NULL */
  const char *stage_label; /* legend of a stage boundary */
  int64_t escapes;         /* saddles escaped (0 if the file does not say) */
  int64_t esc_at[BN_ESC_RECORD]; /* after which iterations (esc_n known) */
  int esc_n;
  char problem[64]; /* the file's problem, or "" */
} bn_plot_hist_t;

/* Collective: read the history of the open file f (/history, else
 * /stages/history). BN_ERR_DATA (agreed) naming the file when there is
 * none or nothing in it can be drawn. */
bn_status_t bn_plot_hist_read(bn_ctx_t *ctx, bn_h5_t *f, bn_plot_hist_t *h);
void bn_plot_hist_free(bn_plot_hist_t *h);

#endif
