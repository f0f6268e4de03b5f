/* benign -- small plots as PNG pictures: a canvas of RGB pixels, panels
 * with axes, ticks, a linear x and a linear or logarithmic (decades) y,
 * lines, marked spans and a legend, text in a built-in 5 x 8 bitmap font;
 * and the convergence picture of a result or checkpoint (`benign plot`).
 *
 * The canvas and panel functions are local (not collective): the process
 * that draws calls them (rank 0 in the commands). Pictures are written by
 * bn_png_write (benign/png.h): atomically, read back, never half a file. */
#ifndef BENIGN_PLOT_H
#define BENIGN_PLOT_H

#include <stdbool.h>
#include <stddef.h>

#include "benign/types.h"

typedef struct bn_canvas bn_canvas_t;

/* Local. A white width x height RGB canvas (each side 16 .. 8192). */
bn_status_t bn_canvas_create(bn_ctx_t *ctx, int width, int height,
                             bn_canvas_t **out);
void bn_canvas_destroy(bn_canvas_t *c); /* NULL is fine */
int bn_canvas_width(const bn_canvas_t *c);
int bn_canvas_height(const bn_canvas_t *c);
/* Local: the pixels that are not white (the background). */
size_t bn_canvas_inked(const bn_canvas_t *c);
/* Local: write the canvas as an RGB PNG (bn_png_write). */
bn_status_t bn_canvas_write(bn_ctx_t *ctx, const bn_canvas_t *c,
                            const char *path);

/* Local drawing; everything is clipped to the canvas. rgb: 3 bytes. */
void bn_canvas_fill(bn_canvas_t *c, int x0, int y0, int x1, int y1,
                    const unsigned char *rgb); /* inclusive corners */
/* A line from (x0, y0) to (x1, y1), `width` 1 or 2 pixels; dash > 0: on
 * `dash` pixels, off `dash` pixels. */
void bn_canvas_line(bn_canvas_t *c, int x0, int y0, int x1, int y1,
                    const unsigned char *rgb, int width, int dash);
/* Text (printable ASCII; others drawn as '?') with its top-left corner at
 * (x, y), glyphs `scale` times their 5 x 8 size; returns the width drawn.
 * bn_canvas_text_width: that width without drawing. */
int bn_canvas_text(bn_canvas_t *c, int x, int y, const char *s, int scale,
                   const unsigned char *rgb);
int bn_canvas_text_width(const char *s, int scale);

/* One curve: n points (x[i], y[i]); points that cannot be drawn (not
 * finite, or y <= 0 on a log axis) break the line. */
typedef struct bn_plot_series {
  const char *label; /* legend entry; NULL: none */
  const double *x, *y;
  size_t n;
  unsigned char rgb[3];
} bn_plot_series_t;

/* A marked span of x: a shaded band [x0, x1] (BAND) or a dashed vertical
 * line at x0 (LINE) under the curves; marks with the same label share one
 * legend entry. */
typedef enum bn_plot_mark_kind {
  BN_PLOT_BAND = 0,
  BN_PLOT_LINE = 1
} bn_plot_mark_kind_t;
typedef struct bn_plot_mark {
  bn_plot_mark_kind_t kind;
  double x0, x1;
  const char *label;
  unsigned char rgb[3];
} bn_plot_mark_t;

/* A panel: the rectangle (x, y, w, h) of the canvas it fills, the title
 * above the axes, the x label below, and what it shows. */
typedef struct bn_plot_panel {
  int x, y, w, h;
  const char *title, *xlabel;
  bool ylog; /* y in decades; else linear with round ticks */
  const bn_plot_series_t *series;
  int nseries;
  const bn_plot_mark_t *marks;
  int nmarks;
} bn_plot_panel_t;

/* Local: draw the panel (axes over the data's range, ticks and their
 * labels, grid, marks, curves, legend in the upper right). A panel with
 * nothing drawable says so in its middle. */
void bn_plot_panel_draw(bn_canvas_t *c, const bn_plot_panel_t *p);

/* What bn_plot_convergence draws against. */
typedef enum bn_plot_axis {
  BN_PLOT_X_BOTH = 0, /* iteration (left) and seconds (right) */
  BN_PLOT_X_ITERATION = 1,
  BN_PLOT_X_SECONDS = 2
} bn_plot_axis_t;

/* What the convergence picture showed (for the command's summary). */
typedef struct bn_plot_info {
  int width, height;
  size_t inked;          /* non-white pixels */
  int curves;            /* quantities drawn (objective, gradient, ...) */
  int64_t entries;       /* history entries */
  int escapes, plateaus; /* marked */
  int64_t escapes_run;   /* the file's escapes (some may be unmarked) */
} bn_plot_info_t;

/* Collective: read /history of a result or checkpoint `in` (any problem:
 * objective, gradient norm, errors, test RMSE, kernel error, residual,
 * change, whichever it holds) and write the convergence picture to `out`
 * (rank 0 draws). Top row: the objective (or f - min f when it is not
 * positive); bottom row: the other quantities; log y. Plateaus
 * (benign/plateau.h) are shaded, escapes (after the iterations the file's
 * `escape_iterations` names) are dashed red lines, the stages of
 * a multi-stage run (stage, component, lambda) dotted gray lines. A file
 * without a history is BN_ERR_DATA (agreed); `info` may be NULL. */
bn_status_t bn_plot_convergence(bn_ctx_t *ctx, const char *in, const char *out,
                                bn_plot_axis_t axis, bn_plot_info_t *info);

#endif
