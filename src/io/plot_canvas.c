/* The plot canvas: pixels, filled rectangles, lines, the PNG file
 * (include/benign/plot.h). */
#include <stdlib.h>
#include <string.h>

#include "benign/error.h"
#include "benign/png.h"
#include "io/plot_canvas.h"

bn_status_t bn_canvas_create(bn_ctx_t *ctx, int width, int height,
                             bn_canvas_t **out) {
  *out = NULL;
  if (width < 16 || height < 16 || width > 8192 || height > 8192)
    return BN_ERROR(ctx, BN_ERR_ARG,
                    "a %d x %d picture: each side must be "
                    "16 .. 8192 pixels",
                    width, height);
  bn_canvas_t *c = NULL;
  BN_CALL(ctx, bn_calloc(ctx, 1, sizeof *c, &c));
  size_t n = bn_size_mul(bn_size_mul((size_t)width, (size_t)height), 3);
  bn_status_t st = bn_malloc(ctx, n, &c->px);
  if (st != BN_OK) {
    free(c);
    return st;
  }
  memset(c->px, 255, n);
  c->w = width;
  c->h = height;
  *out = c;
  return BN_OK;
}

void bn_canvas_destroy(bn_canvas_t *c) {
  if (!c) return;
  free(c->px);
  free(c);
}

int bn_canvas_width(const bn_canvas_t *c) { return c->w; }
int bn_canvas_height(const bn_canvas_t *c) { return c->h; }

size_t bn_canvas_inked(const bn_canvas_t *c) {
  size_t n = 0, all = (size_t)c->w * (size_t)c->h;
  for (size_t i = 0; i < all; i++) {
    const unsigned char *p = c->px + 3 * i;
    n += p[0] != 255 || p[1] != 255 || p[2] != 255;
  }
  return n;
}

bn_status_t bn_canvas_write(bn_ctx_t *ctx, const bn_canvas_t *c,
                            const char *path) {
  return bn_png_write(ctx, path, c->w, c->h, 3, c->px);
}

void bn_canvas_fill(bn_canvas_t *c, int x0, int y0, int x1, int y1,
                    const unsigned char *rgb) {
  if (x0 > x1) {
    int t = x0;
    x0 = x1;
    x1 = t;
  }
  if (y0 > y1) {
    int t = y0;
    y0 = y1;
    y1 = t;
  }
  x0 = x0 < 0 ? 0 : x0;
  y0 = y0 < 0 ? 0 : y0;
  x1 = x1 >= c->w ? c->w - 1 : x1;
  y1 = y1 >= c->h ? c->h - 1 : y1;
  for (int y = y0; y <= y1; y++)
    for (int x = x0; x <= x1; x++) bn_canvas_put(c, x, y, rgb);
}

/* Bresenham; a 2-pixel line also sets the pixel beside each one (below
 * for a flat line, right of a steep one). */
void bn_canvas_line(bn_canvas_t *c, int x0, int y0, int x1, int y1,
                    const unsigned char *rgb, int width, int dash) {
  int dx = abs(x1 - x0), dy = -abs(y1 - y0);
  int sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1, err = dx + dy;
  int steep = -dy > dx;
  for (long k = 0;; k++) {
    if (dash <= 0 || (k / dash) % 2 == 0) {
      bn_canvas_put(c, x0, y0, rgb);
      if (width > 1) bn_canvas_put(c, x0 + steep, y0 + !steep, rgb);
    }
    if (x0 == x1 && y0 == y1) break;
    int e2 = 2 * err;
    if (e2 >= dy) {
      err += dy;
      x0 += sx;
    }
    if (e2 <= dx) {
      err += dx;
      y0 += sy;
    }
  }
}
