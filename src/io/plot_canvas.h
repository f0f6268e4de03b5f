/* The canvas behind include/benign/plot.h: RGB bytes, rows top to bottom. */
#ifndef BN_IO_PLOT_CANVAS_H
#define BN_IO_PLOT_CANVAS_H

#include "benign/plot.h"

struct bn_canvas {
  int w, h;
  unsigned char *px; /* w h 3 bytes */
};

/* Set pixel (x, y) if it is on the canvas. */
static inline void bn_canvas_put(bn_canvas_t *c, int x, int y,
                                 const unsigned char *rgb) {
  if (x < 0 || y < 0 || x >= c->w || y >= c->h) return;
  unsigned char *p = c->px + 3 * ((size_t)y * (size_t)c->w + (size_t)x);
  p[0] = rgb[0];
  p[1] = rgb[1];
  p[2] = rgb[2];
}

#endif
