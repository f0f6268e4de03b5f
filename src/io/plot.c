/* A plot panel: axes over the data's range, ticks with labels (decades on
 * a log axis, round steps of 1, 2 or 5 times a power of ten on a linear
 * one), grid, marked spans, curves and a legend (include/benign/plot.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "io/plot_canvas.h"

static const unsigned char bn_black[3] = {0, 0, 0};
static const unsigned char bn_grid[3] = {225, 225, 225};
static const unsigned char bn_gray[3] = {120, 120, 120};
static const unsigned char bn_white[3] = {255, 255, 255};

/* The panel's data range; a log axis in decades. */
typedef struct bn_axes {
  int l, r, t, b;        /* plot area on the canvas, inclusive */
  double x0, x1, y0, y1; /* the range shown (log10 of y on a log axis) */
  bool ylog;
} bn_axes_t;

static bool bn_drawable(const bn_axes_t *a, double x, double y) {
  return isfinite(x) && isfinite(y) && (!a->ylog || y > 0);
}

static int bn_px(const bn_axes_t *a, double x) {
  double t = (x - a->x0) / (a->x1 - a->x0);
  return a->l + (int)lround(t * (a->r - a->l));
}

static int bn_py(const bn_axes_t *a, double y) {
  double v = a->ylog ? log10(y) : y;
  double t = (v - a->y0) / (a->y1 - a->y0);
  return a->b - (int)lround(t * (a->b - a->t));
}

/* The range of the drawable points; false when there is none. */
static bool bn_range(const bn_plot_panel_t *p, bn_axes_t *a) {
  double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
  for (int s = 0; s < p->nseries; s++)
    for (size_t i = 0; i < p->series[s].n; i++) {
      double x = p->series[s].x[i], y = p->series[s].y[i];
      if (!bn_drawable(a, x, y)) continue;
      double v = a->ylog ? log10(y) : y;
      x0 = fmin(x0, x);
      x1 = fmax(x1, x);
      y0 = fmin(y0, v);
      y1 = fmax(y1, v);
    }
  if (!(x0 <= x1)) return false;
  if (x1 == x0) x1 = x0 + 1;
  if (a->ylog) {
    y0 = floor(y0);
    y1 = ceil(y1);
    if (y1 == y0) y1 = y0 + 1;
  } else if (y1 == y0) {
    y0 -= 0.5;
    y1 += 0.5;
  }
  a->x0 = x0;
  a->x1 = x1;
  a->y0 = y0;
  a->y1 = y1;
  return true;
}

/* A round step giving about `want` intervals over [lo, hi]. */
static double bn_step(double lo, double hi, int want) {
  double raw = (hi - lo) / want, p = pow(10.0, floor(log10(raw)));
  double m = raw / p;
  return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

static void bn_label(char *buf, size_t len, double v, double step) {
  if (fabs(v) < 1e-9 * step) v = 0;
  if (v == 0)
    snprintf(buf, len, "0");
  else if ((step < 1e-3 || fabs(v) >= 1e5))
    snprintf(buf, len, "%g", v);
  else
    snprintf(buf, len, "%.*f", step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9),
             v);
}

static void bn_xticks(bn_canvas_t *c, const bn_axes_t *a) {
  double step = bn_step(a->x0, a->x1, (a->r - a->l) / 90 + 1);
  char buf[32];
  int free_at = a->l - 1000; /* labels that would touch are left out */
  for (double v = ceil(a->x0 / step) * step; v <= a->x1 + 1e-9 * step;
       v += step) {
    int x = bn_px(a, v);
    bn_canvas_line(c, x, a->t, x, a->b, bn_grid, 1, 0);
    bn_canvas_line(c, x, a->b, x, a->b + 4, bn_black, 1, 0);
    bn_label(buf, sizeof buf, v, step);
    int w = bn_canvas_text_width(buf, 1);
    if (x - w / 2 < free_at) continue;
    bn_canvas_text(c, x - w / 2, a->b + 7, buf, 1, bn_black);
    free_at = x - w / 2 + w + 8;
  }
}

static void bn_yticks(bn_canvas_t *c, const bn_axes_t *a) {
  char buf[32];
  if (a->ylog) {
    int span = (int)(a->y1 - a->y0), room = (a->b - a->t) / 14;
    int every = span <= room ? 1 : (span + room - 1) / room;
    for (int d = (int)a->y0; d <= (int)a->y1; d++) {
      int y = bn_py(a, pow(10.0, d));
      bool labelled = (d - (int)a->y0) % every == 0;
      if (labelled) bn_canvas_line(c, a->l, y, a->r, y, bn_grid, 1, 0);
      bn_canvas_line(c, a->l - (labelled ? 4 : 2), y, a->l, y, bn_black, 1, 0);
      if (!labelled) continue;
      snprintf(buf, sizeof buf, d == 0 ? "1" : "1e%d", d);
      bn_canvas_text(c, a->l - 7 - bn_canvas_text_width(buf, 1), y - 3, buf, 1,
                     bn_black);
    }
    return;
  }
  double step = bn_step(a->y0, a->y1, (a->b - a->t) / 40 + 1);
  for (double v = ceil(a->y0 / step) * step; v <= a->y1 + 1e-9 * step;
       v += step) {
    int y = bn_py(a, v);
    bn_canvas_line(c, a->l, y, a->r, y, bn_grid, 1, 0);
    bn_canvas_line(c, a->l - 4, y, a->l, y, bn_black, 1, 0);
    bn_label(buf, sizeof buf, v, step);
    bn_canvas_text(c, a->l - 7 - bn_canvas_text_width(buf, 1), y - 3, buf, 1,
                   bn_black);
  }
}

static void bn_marks(bn_canvas_t *c, const bn_axes_t *a,
                     const bn_plot_panel_t *p) {
  for (int k = 0; k < p->nmarks; k++) {
    const bn_plot_mark_t *m = &p->marks[k];
    if (!isfinite(m->x0) || m->x0 < a->x0 || m->x0 > a->x1) continue;
    int x0 = bn_px(a, m->x0);
    if (m->kind == BN_PLOT_BAND) {
      int x1 = bn_px(a, fmin(fmax(m->x1, m->x0), a->x1));
      bn_canvas_fill(c, x0, a->t, x1 > x0 ? x1 : x0 + 1, a->b, m->rgb);
    } else {
      /* Off the frame, so that a mark at either end stays visible. */
      x0 = x0 < a->l + 2 ? a->l + 2 : x0 > a->r - 2 ? a->r - 2 : x0;
      bn_canvas_line(c, x0, a->t + 1, x0, a->b - 1, m->rgb, 2, 4);
    }
  }
}

static void bn_curves(bn_canvas_t *c, const bn_axes_t *a,
                      const bn_plot_panel_t *p) {
  for (int s = 0; s < p->nseries; s++) {
    const bn_plot_series_t *q = &p->series[s];
    bool have = false;
    int px = 0, py = 0;
    for (size_t i = 0; i < q->n; i++) {
      if (!bn_drawable(a, q->x[i], q->y[i])) {
        have = false;
        continue;
      }
      int x = bn_px(a, q->x[i]), y = bn_py(a, q->y[i]);
      if (have)
        bn_canvas_line(c, px, py, x, y, q->rgb, 2, 0);
      else
        bn_canvas_fill(c, x - 1, y - 1, x + 1, y + 1, q->rgb);
      px = x;
      py = y;
      have = true;
    }
  }
}

/* Has an earlier mark the same label (one legend entry per label)? */
static bool bn_seen(const bn_plot_panel_t *p, int k) {
  for (int j = 0; j < k; j++)
    if (p->marks[j].label && !strcmp(p->marks[j].label, p->marks[k].label))
      return true;
  return false;
}

static void bn_legend(bn_canvas_t *c, const bn_axes_t *a,
                      const bn_plot_panel_t *p) {
  int n = 0, wide = 0;
  for (int s = 0; s < p->nseries; s++)
    if (p->series[s].label) {
      n++;
      int w = bn_canvas_text_width(p->series[s].label, 1);
      wide = w > wide ? w : wide;
    }
  for (int k = 0; k < p->nmarks; k++)
    if (p->marks[k].label && !bn_seen(p, k)) {
      n++;
      int w = bn_canvas_text_width(p->marks[k].label, 1);
      wide = w > wide ? w : wide;
    }
  if (!n) return;
  int bw = wide + 32, bh = 12 * n + 6, x0 = a->r - bw - 6, y0 = a->t + 6;
  bn_canvas_fill(c, x0, y0, x0 + bw, y0 + bh, bn_white);
  bn_canvas_line(c, x0, y0, x0 + bw, y0, bn_gray, 1, 0);
  bn_canvas_line(c, x0, y0 + bh, x0 + bw, y0 + bh, bn_gray, 1, 0);
  bn_canvas_line(c, x0, y0, x0, y0 + bh, bn_gray, 1, 0);
  bn_canvas_line(c, x0 + bw, y0, x0 + bw, y0 + bh, bn_gray, 1, 0);
  int y = y0 + 5;
  for (int s = 0; s < p->nseries; s++) {
    if (!p->series[s].label) continue;
    bn_canvas_line(c, x0 + 5, y + 3, x0 + 21, y + 3, p->series[s].rgb, 2, 0);
    bn_canvas_text(c, x0 + 26, y, p->series[s].label, 1, bn_black);
    y += 12;
  }
  for (int k = 0; k < p->nmarks; k++) {
    const bn_plot_mark_t *m = &p->marks[k];
    if (!m->label || bn_seen(p, k)) continue;
    if (m->kind == BN_PLOT_BAND)
      bn_canvas_fill(c, x0 + 5, y - 1, x0 + 21, y + 7, m->rgb);
    else
      bn_canvas_line(c, x0 + 13, y - 1, x0 + 13, y + 7, m->rgb, 2, 0);
    bn_canvas_text(c, x0 + 26, y, m->label, 1, bn_black);
    y += 12;
  }
}

void bn_plot_panel_draw(bn_canvas_t *c, const bn_plot_panel_t *p) {
  bn_axes_t a = {
      p->x + 58, p->x + p->w - 12, p->y + 18, p->y + p->h - 34, 0, 1, 0,
      1,         p->ylog};
  if (p->title)
    bn_canvas_text(c, (a.l + a.r - bn_canvas_text_width(p->title, 1)) / 2,
                   p->y + 4, p->title, 1, bn_black);
  if (p->xlabel)
    bn_canvas_text(c, (a.l + a.r - bn_canvas_text_width(p->xlabel, 1)) / 2,
                   p->y + p->h - 12, p->xlabel, 1, bn_black);
  if (a.r - a.l < 20 || a.b - a.t < 20) return;
  if (!bn_range(p, &a)) {
    const char *msg = "nothing to draw";
    bn_canvas_text(c, (a.l + a.r - bn_canvas_text_width(msg, 1)) / 2,
                   (a.t + a.b) / 2, msg, 1, bn_gray);
  } else {
    bn_marks(c, &a, p);
    bn_xticks(c, &a);
    bn_yticks(c, &a);
    bn_curves(c, &a, p);
    bn_legend(c, &a, p);
  }
  bn_canvas_line(c, a.l, a.t, a.r, a.t, bn_black, 1, 0);
  bn_canvas_line(c, a.l, a.b, a.r, a.b, bn_black, 1, 0);
  bn_canvas_line(c, a.l, a.t, a.l, a.b, bn_black, 1, 0);
  bn_canvas_line(c, a.r, a.t, a.r, a.b, bn_black, 1, 0);
}
