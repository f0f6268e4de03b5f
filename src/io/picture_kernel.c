/* A kernel's picture (include/benign/pictures.h): circularly shifted so
 * that its support sits in the middle, and scaled over its own range so
 * that a near-constant kernel shows its variation. 1-D: a line plot on
 * the plot library's axes; 2-D: a gray image with a scale bar. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benign/error.h"
#include "benign/pictures.h"
#include "benign/plot.h"

static const unsigned char bn_ink[3] = {0, 0, 0};
static const unsigned char bn_curve[3] = {31, 90, 180};
static const double bn_tau = 6.283185307179586476925;

static int bn_cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The circular mean of weights e[0 .. n) (angle 2 pi i / n), rounded to
 * an index; `fallback` when the weights have no preferred place: a mean
 * resultant under 3 / sqrt(values), where the squares of `values` normal
 * values (summed into the n weights) give about 1.2 / sqrt(values). */
static int bn_circ_mean(const double *e, int n, double values, int fallback) {
  double c = 0, s = 0, tot = 0;
  for (int i = 0; i < n; i++) {
    c += e[i] * cos(bn_tau * i / n);
    s += e[i] * sin(bn_tau * i / n);
    tot += e[i];
  }
  if (!(tot > 0) || hypot(c, s) < 3.0 / sqrt(values) * tot) return fallback;
  double t = atan2(s, c) / bn_tau * n;
  int i = (int)lround(t) % n;
  return i < 0 ? i + n : i;
}

void bn_kernel_centre(const double *k, int h, int w, int *cy, int *cx) {
  const size_t n = (size_t)h * (size_t)w;
  double *t = bn_alloc_n(bn_size_add(n, (size_t)h + (size_t)w), sizeof(double));
  *cy = *cx = 0;
  if (!t || n == 0) {
    free(t);
    return;
  }
  size_t m = 0; /* finite values, sorted: the median is the background */
  for (size_t i = 0; i < n; i++)
    if (isfinite(k[i])) t[m++] = k[i];
  qsort(t, m, sizeof(double), bn_cmp_double);
  double bg = m ? 0.5 * (t[(m - 1) / 2] + t[m / 2]) : 0, big = -1;
  double *ey = t + n, *ex = ey + h;
  memset(ey, 0, ((size_t)h + (size_t)w) * sizeof(double));
  size_t at = 0;
  for (size_t i = 0; i < n; i++) {
    double v = isfinite(k[i]) ? (k[i] - bg) * (k[i] - bg) : 0;
    ey[i / (size_t)w] += v;
    ex[i % (size_t)w] += v;
    if (v > big) {
      big = v;
      at = i;
    }
  }
  *cy = bn_circ_mean(ey, h, (double)n, (int)(at / (size_t)w));
  *cx = bn_circ_mean(ex, w, (double)n, (int)(at % (size_t)w));
  free(t);
}

/* The kernel's value drawn at offset (dy, dx) from the centre. */
static double bn_at(const double *k, int h, int w, int cy, int cx, long dy,
                    long dx) {
  long y = ((cy + dy) % h + h) % h, x = ((cx + dx) % w + w) % w;
  return k[y * w + x];
}

static void bn_range(const double *k, size_t n, double *lo, double *hi) {
  *lo = INFINITY;
  *hi = -INFINITY;
  for (size_t i = 0; i < n; i++)
    if (isfinite(k[i])) {
      *lo = fmin(*lo, k[i]);
      *hi = fmax(*hi, k[i]);
    }
}

static bn_status_t bn_kernel_line(bn_ctx_t *ctx, const char *path,
                                  const double *k, int w, const char *what,
                                  bn_kernel_pic_t *pi) {
  double *xy = NULL;
  BN_CALL(ctx, bn_mallocn(ctx, bn_size_mul(2, (size_t)w), sizeof(double), &xy));
  const int half = w / 2;
  for (int i = 0; i < w; i++) {
    xy[i] = i - half;
    xy[w + i] = bn_at(k, 1, w, 0, pi->cx, 0, i - half);
  }
  char title[160], xlabel[160];
  snprintf(title, sizeof title,
           "%s: %d values, circularly shifted to centre its support", what, w);
  snprintf(xlabel, sizeof xlabel, "offset from stored index %d (mod %d)",
           pi->cx, w);
  bn_plot_series_t s = {NULL, xy, xy + w, (size_t)w, {0, 0, 0}};
  memcpy(s.rgb, bn_curve, 3);
  bn_canvas_t *c = NULL;
  bn_status_t st = bn_canvas_create(ctx, 720, 360, &c);
  if (st == BN_OK) {
    bn_plot_panel_t p = {0, 0, 720, 360, title, xlabel, false, &s, 1, NULL, 0};
    bn_plot_panel_draw(c, &p);
    pi->width = 720;
    pi->height = 360;
    st = bn_canvas_write(ctx, c, path);
  }
  bn_canvas_destroy(c);
  free(xy);
  return st;
}

/* 2-D: zoom z pixels a value (small kernels), or a block mean of b x b
 * values a pixel (over 800 a side). */
static bn_status_t bn_kernel_image(bn_ctx_t *ctx, const char *path,
                                   const double *k, int h, int w,
                                   const char *what, bn_kernel_pic_t *pi) {
  const int big = h > w ? h : w, b = (big + 799) / 800;
  int z = big >= 320 ? 1 : 320 / big;
  z = z > 40 ? 40 : z;
  const int ih = (h + b - 1) / b * z, iw = (w + b - 1) / b * z;
  char title[160], lab[2][32];
  snprintf(title, sizeof title, "%s: %d x %d, centred on stored index (%d, %d)",
           what, h, w, pi->cy, pi->cx);
  snprintf(lab[0], sizeof lab[0], "%.3g", pi->hi);
  snprintf(lab[1], sizeof lab[1], "%.3g", pi->lo);
  int lw = bn_canvas_text_width(lab[0], 1),
      l1 = bn_canvas_text_width(lab[1], 1);
  lw = lw > l1 ? lw : l1;
  int W = 20 + iw + 16 + 14 + 6 + lw + 12, tw = bn_canvas_text_width(title, 1);
  W = W < tw + 20 ? tw + 20 : W;
  const int H = 26 + ih + 20, x0 = 20, y0 = 26, bx = x0 + iw + 16;
  bn_canvas_t *c = NULL;
  BN_CALL(ctx, bn_canvas_create(ctx, W, H < 60 ? 60 : H, &c));
  bn_canvas_text(c, (W - tw) / 2, 8, title, 1, bn_ink);
  const double span = pi->hi > pi->lo ? pi->hi - pi->lo : 0;
  for (int y = 0; y * z < ih; y++)
    for (int x = 0; x * z < iw; x++) {
      double s = 0;
      int cnt = 0;
      for (int dy = 0; dy < b && y * b + dy < h; dy++)
        for (int dx = 0; dx < b && x * b + dx < w; dx++) {
          double v = bn_at(k, h, w, pi->cy, pi->cx, (long)y * b + dy - h / 2,
                           (long)x * b + dx - w / 2);
          if (isfinite(v)) {
            s += v;
            cnt++;
          }
        }
      double t = cnt && span > 0 ? (s / cnt - pi->lo) / span : 0.5;
      unsigned char g = (unsigned char)lround(255 * fmin(fmax(t, 0), 1));
      unsigned char rgb[3] = {g, g, g};
      bn_canvas_fill(c, x0 + x * z, y0 + y * z, x0 + x * z + z - 1,
                     y0 + y * z + z - 1, rgb);
    }
  for (int y = 0; y < ih; y++) { /* the scale bar: hi at the top */
    unsigned char g =
        (unsigned char)lround(255.0 * (ih - 1 - y) / (ih > 1 ? ih - 1 : 1));
    unsigned char rgb[3] = {g, g, g};
    bn_canvas_fill(c, bx, y0 + y, bx + 13, y0 + y, rgb);
  }
  bn_canvas_line(c, x0 - 1, y0 - 1, x0 + iw, y0 - 1, bn_ink, 1, 0);
  bn_canvas_line(c, x0 - 1, y0 + ih, x0 + iw, y0 + ih, bn_ink, 1, 0);
  bn_canvas_line(c, x0 - 1, y0 - 1, x0 - 1, y0 + ih, bn_ink, 1, 0);
  bn_canvas_line(c, x0 + iw, y0 - 1, x0 + iw, y0 + ih, bn_ink, 1, 0);
  bn_canvas_line(c, bx - 1, y0 - 1, bx + 14, y0 - 1, bn_ink, 1, 0);
  bn_canvas_line(c, bx - 1, y0 + ih, bx + 14, y0 + ih, bn_ink, 1, 0);
  bn_canvas_text(c, bx + 20, y0, lab[0], 1, bn_ink);
  bn_canvas_text(c, bx + 20, y0 + ih - 8, lab[1], 1, bn_ink);
  if (span > 0 && pi->lo < 0 && pi->hi > 0) { /* where 0 is on the bar */
    int y = y0 + (int)lround((ih - 1) * pi->hi / span);
    if (y > y0 + 12 && y < y0 + ih - 18)
      bn_canvas_text(c, bx + 20, y - 3, "0", 1, bn_ink);
  }
  pi->width = W;
  pi->height = bn_canvas_height(c);
  bn_status_t st = bn_canvas_write(ctx, c, path);
  bn_canvas_destroy(c);
  return st;
}

bn_status_t bn_kernel_png(bn_ctx_t *ctx, const char *path, const double *k,
                          int h, int w, const char *what,
                          bn_kernel_pic_t *info) {
  if (!k || h < 1 || w < 1 || (h > 1 && (long)h * w > (1L << 26)))
    return BN_ERROR(ctx, BN_ERR_ARG,
                    "cannot draw %s: a %d x %d kernel does not make a picture",
                    path, h, w);
  bn_kernel_pic_t pi;
  memset(&pi, 0, sizeof pi);
  bn_kernel_centre(k, h, w, &pi.cy, &pi.cx);
  bn_range(k, (size_t)h * (size_t)w, &pi.lo, &pi.hi);
  const char *name = what && *what ? what : "kernel";
  bn_status_t st = h == 1 ? bn_kernel_line(ctx, path, k, w, name, &pi)
                          : bn_kernel_image(ctx, path, k, h, w, name, &pi);
  if (info) *info = pi;
  return st;
}
