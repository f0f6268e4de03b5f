/* benign landscape: the slice as a PNG heat map (libpng's simplified
 * writer). Colour: log10(f - f_min + eps) on viridis (perceptually
 * uniform), eps = 1e-6 (f_max - f_min), so six decades above the minimum
 * are resolved; grey where f is undefined. A colour bar on the right runs
 * from f_min (bottom) to f_max (top). Markers, each with a black rim:
 *   origin            white plus
 *   truth x*          white filled disc
 *   symmetric copy    white diamond (outline)
 *   census end points within --near-plane of the plane:
 *     global minimizer        cyan square (outline, framing the truth)
 *     other local minimizer   red cross (x)
 *     saddle                  magenta filled triangle
 *     not converged           orange ring
 * bn_png_write (src/io/png.c) writes it beside the target and renames it
 * into place. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benign/png.h"
#include "landscape.h"

typedef enum bn_ls_shape {
  BN_LS_PLUS,
  BN_LS_DISC,
  BN_LS_DIAMOND,
  BN_LS_SQUARE,
  BN_LS_CROSS,
  BN_LS_TRIANGLE,
  BN_LS_RING
} bn_ls_shape_t;

typedef struct bn_ls_img {
  int w, h;
  unsigned char *px; /* RGB, row-major */
} bn_ls_img_t;

/* viridis at 9 evenly spaced stops (matplotlib). */
static const unsigned char bn_viridis[9][3] = {
    {68, 1, 84},    {71, 44, 122},  {59, 81, 139},
    {44, 113, 142}, {33, 144, 141}, {39, 173, 129},
    {92, 200, 99},  {170, 220, 50}, {253, 231, 37}};

static void bn_ls_colour(double t, unsigned char *rgb) {
  if (!isfinite(t)) {
    rgb[0] = rgb[1] = rgb[2] = 128;
    return;
  }
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  double s = t * 8.0;
  int k = (int)s;
  if (k > 7) k = 7;
  double u = s - k;
  for (int c = 0; c < 3; c++)
    rgb[c] = (unsigned char)lround((1 - u) * bn_viridis[k][c] +
                                   u * bn_viridis[k + 1][c]);
}

static void bn_ls_put(bn_ls_img_t *im, int x, int y, const unsigned char *c) {
  if (x < 0 || y < 0 || x >= im->w || y >= im->h) return;
  memcpy(im->px + 3 * ((size_t)y * im->w + x), c, 3);
}

/* Is the offset (dx, dy) inside the shape of radius R grown by g? */
static bool bn_ls_inside(bn_ls_shape_t s, double dx, double dy, double R,
                         double g) {
  double ax = fabs(dx), ay = fabs(dy), w = 1.6;
  switch (s) {
    case BN_LS_PLUS:
      return fmax(ax, ay) <= R + g && fmin(ax, ay) <= 0.8 + g;
    case BN_LS_CROSS:
      return fmax(ax, ay) <= R * 0.8 + g && fabs(ax - ay) <= 1.1 + g;
    case BN_LS_DISC:
      return hypot(dx, dy) <= R * 0.8 + g;
    case BN_LS_RING: {
      double d = hypot(dx, dy);
      return d <= R + g && d >= R - w - g;
    }
    case BN_LS_DIAMOND:
      return ax + ay <= R + 1 + g && ax + ay >= R + 1 - w - g;
    case BN_LS_SQUARE:
      return fmax(ax, ay) <= R * 1.15 + g && fmax(ax, ay) >= R * 1.15 - w - g;
    case BN_LS_TRIANGLE: /* apex up */
      return dy <= R * 0.7 + g && ax <= (dy + R) * 0.6 + g;
  }
  return false;
}

static void bn_ls_mark(bn_ls_img_t *im, double x, double y, double R,
                       bn_ls_shape_t s, const unsigned char *c) {
  static const unsigned char black[3] = {0, 0, 0};
  int r = (int)ceil(R) + 3;
  for (int pass = 0; pass < 2; pass++)
    for (int dy = -r; dy <= r; dy++)
      for (int dx = -r; dx <= r; dx++)
        if (bn_ls_inside(s, dx, dy, R, pass ? 0.0 : 1.0))
          bn_ls_put(im, (int)lround(x) + dx, (int)lround(y) + dy,
                    pass ? c : black);
}

typedef struct bn_ls_geom {
  int cell, margin, n;
  double extent;
} bn_ls_geom_t;

/* Pixel centre of the plane point (a, b); false if outside the grid. */
static bool bn_ls_pixel(const bn_ls_geom_t *g, double a, double b, double *x,
                        double *y) {
  if (!(fabs(a) <= g->extent && fabs(b) <= g->extent)) return false;
  double span = (double)(g->n - 1) * g->cell;
  *x = g->margin + g->cell * 0.5 + (a + g->extent) / (2 * g->extent) * span;
  *y = g->margin + g->cell * 0.5 + (g->extent - b) / (2 * g->extent) * span;
  return true;
}

static void bn_ls_heat(const bn_ls_t *ls, const bn_ls_geom_t *g,
                       bn_ls_img_t *im) {
  const int64_t N = ls->grid;
  double fmin = INFINITY, fmax = -INFINITY;
  for (int64_t k = 0; k < N * N; k++)
    if (isfinite(ls->gall[k])) {
      fmin = fmin < ls->gall[k] ? fmin : ls->gall[k];
      fmax = fmax > ls->gall[k] ? fmax : ls->gall[k];
    }
  double eps = fmax > fmin ? 1e-6 * (fmax - fmin) : 1.0;
  double lo = log10(eps), hi = log10(fmax - fmin + eps);
  double span = hi > lo ? hi - lo : 1.0;
  unsigned char rgb[3];
  for (int64_t i = 0; i < N; i++) /* i: b ascending; drawn bottom-up */
    for (int64_t j = 0; j < N; j++) {
      double f = ls->gall[i * N + j];
      bn_ls_colour(isfinite(f) ? (log10(f - fmin + eps) - lo) / span : NAN,
                   rgb);
      int y0 = g->margin + (int)(N - 1 - i) * g->cell;
      int x0 = g->margin + (int)j * g->cell;
      for (int y = 0; y < g->cell; y++)
        for (int x = 0; x < g->cell; x++) bn_ls_put(im, x0 + x, y0 + y, rgb);
    }
  /* Colour bar: the same scale, bottom (f_min) to top (f_max). */
  int bx = g->margin * 2 + (int)N * g->cell, bh = (int)N * g->cell;
  for (int y = 0; y < bh; y++) {
    bn_ls_colour(1.0 - (double)y / (bh > 1 ? bh - 1 : 1), rgb);
    for (int x = 0; x < 16; x++) bn_ls_put(im, bx + x, g->margin + y, rgb);
  }
}

static void bn_ls_markers(const bn_ls_t *ls, const bn_ls_geom_t *g,
                          bn_ls_img_t *im) {
  static const unsigned char white[3] = {255, 255, 255},
                             cyan[3] = {0, 230, 255}, red[3] = {255, 40, 40},
                             magenta[3] = {255, 0, 255},
                             orange[3] = {255, 150, 0};
  double R = fmax(5.0, 0.9 * g->cell), x, y;
  if (bn_ls_pixel(g, 0.0, 0.0, &x, &y))
    bn_ls_mark(im, x, y, R, BN_LS_PLUS, white);
  if (isfinite(ls->plane.copy_a) &&
      bn_ls_pixel(g, ls->plane.copy_a, ls->plane.copy_b, &x, &y))
    bn_ls_mark(im, x, y, R, BN_LS_DIAMOND, white);
  if (bn_ls_pixel(g, 1.0, 0.0, &x, &y))
    bn_ls_mark(im, x, y, R, BN_LS_DISC, white);
  /* End points last, so a square can frame the truth's disc. */
  for (int64_t k = 0; k < ls->starts; k++) {
    const bn_ls_rec_t *r = &ls->recs[k];
    if (!(r->plane_res <= ls->near_plane) ||
        !bn_ls_pixel(g, r->plane_a, r->plane_b, &x, &y))
      continue;
    if (r->global > 0)
      bn_ls_mark(im, x, y, R, BN_LS_SQUARE, cyan);
    else if (r->verdict == BN_CERT_LOCAL_MIN)
      bn_ls_mark(im, x, y, R, BN_LS_CROSS, red);
    else if (r->verdict == BN_CERT_SADDLE)
      bn_ls_mark(im, x, y, R, BN_LS_TRIANGLE, magenta);
    else
      bn_ls_mark(im, x, y, R, BN_LS_RING, orange);
  }
}

bn_status_t bn_ls_png_write(bn_ls_t *ls, const char *path) {
  bn_ctx_t *ctx = ls->ctx;
  bn_ls_geom_t g = {0};
  g.n = (int)ls->grid;
  g.cell = g.n >= 480 ? 1 : (480 + g.n - 1) / g.n;
  g.margin = 12;
  g.extent = ls->extent;
  bn_ls_img_t im = {0};
  im.w = 3 * g.margin + g.n * g.cell + 16;
  im.h = 2 * g.margin + g.n * g.cell;
  BN_CALL(ctx, bn_malloc(ctx, bn_size_mul(bn_size_mul((size_t)im.w, im.h), 3),
                         &im.px));
  memset(im.px, 255, (size_t)im.w * im.h * 3);
  bn_ls_heat(ls, &g, &im);
  bn_ls_markers(ls, &g, &im);
  bn_status_t st = bn_png_write(ctx, path, im.w, im.h, 3, im.px);
  free(im.px);
  if (st == BN_OK)
    bn_log(ctx, BN_LOG_INFO, "wrote %s (%d x %d pixels)\n", path, im.w, im.h);
  return st;
}
