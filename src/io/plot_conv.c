/* The convergence picture of a result or checkpoint (`benign plot`): the
 * objective on top, the gradient norm and errors below, against the
 * iteration and/or the seconds, log y; plateaus shaded, escapes and stage
 * boundaries marked (include/benign/plot.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benign/ctx.h"
#include "benign/error.h"
#include "benign/plateau.h"
#include "io/plot_canvas.h"
#include "io/plot_hist.h"

enum {
  BN_PANEL_W = 540,
  BN_PANEL_H = 330,
  BN_HEAD = 26,
  BN_MAX_MARKS = 256,
  BN_MAX_MARKS_ALL = 3 * BN_MAX_MARKS /* plateau starts, ends, escapes */
};

static const unsigned char bn_band[3] = {255, 236, 160};
static const unsigned char bn_escape[3] = {200, 0, 0};
static const unsigned char bn_stage[3] = {150, 150, 150};

/* The marks, as history entries: plateau k spans [ps[k], pe[k]], escape
 * k is after entry esc[k], a stage starts at entry st[k]. */
typedef struct bn_conv_marks {
  size_t ps[BN_MAX_MARKS], pe[BN_MAX_MARKS], esc[BN_MAX_MARKS],
      st[BN_MAX_MARKS];
  int np, ne, ns;
} bn_conv_marks_t;

/* The end (exclusive) of the stage that starts at entry s. */
static size_t bn_conv_stage_end(const bn_plot_hist_t *h, size_t s) {
  size_t e = s + 1;
  while (h->stage && e < h->n && h->stage[e] == h->stage[s]) e++;
  return h->stage ? e : h->n;
}

/* Plateaus (benign/plateau.h) within each stage (iteration = entry). */
static void bn_conv_plateaus(const bn_plot_hist_t *h, double *scratch,
                             bn_conv_marks_t *m) {
  if (!h->q[0] || !h->q[1]) return;
  int64_t *it = (int64_t *)scratch;
  for (size_t i = 0; i < h->n; i++) it[i] = (int64_t)i;
  for (size_t s = 0, e; s < h->n; s = e) {
    e = bn_conv_stage_end(h, s);
    bn_history_t hh = {e - s, it + s, h->q[0] + s, h->q[1] + s,
                       NULL,  NULL,   NULL,        NULL};
    bn_plateau_t pl[BN_MAX_MARKS];
    size_t n = bn_plateau_find(&hh, NULL, pl, BN_MAX_MARKS);
    for (size_t k = 0; k < n && m->np < BN_MAX_MARKS; k++) {
      m->ps[m->np] = (size_t)pl[k].start;
      m->pe[m->np++] = (size_t)pl[k].end;
    }
  }
}

/* Each escape at the history entry of the iteration it followed (the
 * file's escape_iterations; in a run of stages, the last stage's entries,
 * whose solve the file's escapes are). An escape without a recorded
 * iteration (older files) is not drawn. */
static void bn_conv_escapes(const bn_plot_hist_t *h, bn_conv_marks_t *m) {
  size_t first = 0;
  for (size_t i = 1; h->stage && i < h->n; i++)
    if (h->stage[i] != h->stage[i - 1]) first = i;
  for (int k = 0; k < h->esc_n && m->ne < BN_MAX_MARKS; k++)
    for (size_t i = first; i < h->n; i++)
      if (h->iteration[i] == (double)h->esc_at[k]) {
        m->esc[m->ne++] = i;
        break;
      }
}

static void bn_conv_stages(const bn_plot_hist_t *h, bn_conv_marks_t *m) {
  for (size_t i = 1; h->stage && i < h->n; i++)
    if (h->stage[i] != h->stage[i - 1] && m->ns < BN_MAX_MARKS)
      m->st[m->ns++] = i;
}

/* The marks of one column (x: the column's x values). */
static int bn_conv_mark_list(const bn_plot_hist_t *h, const bn_conv_marks_t *m,
                             const double *x, bn_plot_mark_t *out) {
  int n = 0;
  for (int k = 0; k < m->np; k++) {
    bn_plot_mark_t a = {BN_PLOT_BAND,
                        x[m->ps[k]],
                        x[m->pe[k]],
                        "plateau",
                        {bn_band[0], bn_band[1], bn_band[2]}};
    out[n++] = a;
  }
  for (int k = 0; k < m->ns; k++) {
    bn_plot_mark_t a = {BN_PLOT_LINE,
                        x[m->st[k]],
                        x[m->st[k]],
                        h->stage_label,
                        {bn_stage[0], bn_stage[1], bn_stage[2]}};
    out[n++] = a;
  }
  for (int k = 0; k < m->ne; k++) {
    bn_plot_mark_t a = {BN_PLOT_LINE,
                        x[m->esc[k]],
                        x[m->esc[k]],
                        "escape",
                        {bn_escape[0], bn_escape[1], bn_escape[2]}};
    out[n++] = a;
  }
  return n;
}

/* The objective as drawn: itself when positive throughout, else its gap
 * to the smallest value of its stage (into gap); the title says which. */
static const double *bn_conv_objective(const bn_plot_hist_t *h, double *gap,
                                       char *title, size_t len) {
  const double *f = h->q[0];
  double lo = INFINITY;
  for (size_t i = 0; i < h->n; i++)
    if (isfinite(f[i])) lo = fmin(lo, f[i]);
  if (lo > 0) {
    snprintf(title, len, "objective f");
    return f;
  }
  for (size_t s = 0, e; s < h->n; s = e) {
    double m = INFINITY;
    e = bn_conv_stage_end(h, s);
    for (size_t i = s; i < e; i++)
      if (isfinite(f[i])) m = fmin(m, f[i]);
    for (size_t i = s; i < e; i++) gap[i] = f[i] - m;
  }
  if (h->stage)
    snprintf(title, len, "f - min f of each stage");
  else
    snprintf(title, len, "f - min f   (min f = %.6g)", lo);
  return gap;
}

static void bn_conv_draw(bn_canvas_t *c, const bn_plot_hist_t *h,
                         bn_plot_axis_t axis, const double *fdrawn,
                         const char *ftitle, const bn_conv_marks_t *m,
                         bn_plot_mark_t *marks) {
  const double *xs[2] = {h->iteration, h->seconds};
  const char *xl[2] = {"iteration", "seconds"};
  int col = 0;
  for (int a = 0; a < 2; a++) {
    if ((axis == BN_PLOT_X_ITERATION && a == 1) ||
        (axis == BN_PLOT_X_SECONDS && a == 0) || !xs[a])
      continue;
    int nm = bn_conv_mark_list(h, m, xs[a], marks);
    bn_plot_series_t top = {"objective", xs[a], fdrawn, h->n, {0, 0, 0}};
    memcpy(top.rgb, bn_plot_quantities[0].rgb, 3);
    bn_plot_series_t low[BN_PLOT_NQ];
    int nl = 0;
    for (int k = 1; k < BN_PLOT_NQ; k++) {
      if (!h->q[k]) continue;
      bn_plot_series_t s = {
          bn_plot_quantities[k].label, xs[a], h->q[k], h->n, {0, 0, 0}};
      memcpy(s.rgb, bn_plot_quantities[k].rgb, 3);
      low[nl++] = s;
    }
    int x0 = 4 + col * BN_PANEL_W;
    bn_plot_panel_t p1 = {x0,    BN_HEAD, BN_PANEL_W, BN_PANEL_H,      ftitle,
                          xl[a], true,    &top,       h->q[0] ? 1 : 0, marks,
                          nm};
    bn_plot_panel_t p2 = {x0,
                          BN_HEAD + BN_PANEL_H,
                          BN_PANEL_W,
                          BN_PANEL_H,
                          "gradient norm and errors",
                          xl[a],
                          true,
                          low,
                          nl,
                          marks,
                          nm};
    bn_plot_panel_draw(c, &p1);
    bn_plot_panel_draw(c, &p2);
    col++;
  }
}

bn_status_t bn_plot_convergence(bn_ctx_t *ctx, const char *in, const char *out,
                                bn_plot_axis_t axis, bn_plot_info_t *info) {
  bn_h5_t *f = NULL;
  bn_plot_hist_t h;
  memset(&h, 0, sizeof h);
  if (info) memset(info, 0, sizeof *info);
  BN_CALL(ctx, bn_h5_open(ctx, in, &f));
  bn_status_t st = bn_plot_hist_read(ctx, f, &h);
  bn_h5_close(f);
  BN_CALL(ctx, st);
  if (axis == BN_PLOT_X_SECONDS && !h.seconds) {
    bn_plot_hist_free(&h);
    return BN_ERROR_ALL(ctx, BN_ERR_DATA, "%s: its history has no seconds", in);
  }
  int cols = axis == BN_PLOT_X_BOTH && h.seconds ? 2 : 1;
  int W = 8 + cols * BN_PANEL_W, H = BN_HEAD + 2 * BN_PANEL_H + 4;
  bn_conv_marks_t *m = NULL;
  bn_plot_mark_t *marks = NULL;
  double *gap = NULL;
  bn_canvas_t *c = NULL;
  if (bn_ctx_rank(ctx) == 0) {
    st = bn_calloc(ctx, 1, sizeof *m, &m);
    if (st == BN_OK)
      st = bn_mallocn(ctx, (size_t)BN_MAX_MARKS_ALL, sizeof *marks, &marks);
    if (st == BN_OK) st = bn_mallocn(ctx, h.n, sizeof(double), &gap);
    if (st == BN_OK) st = bn_canvas_create(ctx, W, H, &c);
  }
  if (st == BN_OK && c) {
    char ftitle[96], head[160];
    bn_conv_plateaus(&h, gap, m); /* gap is its scratch until here */
    const double *fd = h.q[0] ? bn_conv_objective(&h, gap, ftitle, 96) : NULL;
    if (!h.q[0]) snprintf(ftitle, sizeof ftitle, "objective (not recorded)");
    bn_conv_escapes(&h, m);
    bn_conv_stages(&h, m);
    snprintf(head, sizeof head, "%s%s%s: %zu history entries", in,
             h.problem[0] ? " - " : "", h.problem, h.n);
    static const unsigned char black[3] = {0, 0, 0};
    bn_canvas_text(c, 8, 8, head, 1, black);
    bn_conv_draw(c, &h, axis, fd, ftitle, m, marks);
    st = bn_canvas_write(ctx, c, out);
    if (info && st == BN_OK) {
      info->width = W;
      info->height = H;
      info->inked = bn_canvas_inked(c);
      info->curves = 0;
      for (int k = 0; k < BN_PLOT_NQ; k++) info->curves += h.q[k] != NULL;
      info->entries = (int64_t)h.n;
      info->escapes = m->ne;
      info->escapes_run = h.escapes;
      info->plateaus = m->np;
    }
  }
  bn_canvas_destroy(c);
  free(gap);
  free(marks);
  free(m);
  bn_plot_hist_free(&h);
  return bn_agree(ctx, st);
}
