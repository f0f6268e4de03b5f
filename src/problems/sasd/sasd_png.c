/* SaS-BD pictures (sasd_io.h): the kernel (a plot of the 1-D motif, an
 * image of a 2-D one) and, in 2-D, the activation map. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "benign/png.h"
#include "problems/sasd/sasd_io.h"

/* A line plot of n values: white background, gray zero line, black
 * polyline; `zoom` pixels per sample, 200 pixels high. */
static bn_status_t bn_sasd_plot(bn_ctx_t *ctx, const char *path,
                                const double *v, int n) {
  const int zoom = n < 100 ? 600 / n : 6, W = n * zoom + 20, H = 220;
  unsigned char *px = malloc(bn_size_mul((size_t)W, H));
  if (!px) return BN_ERROR(ctx, BN_ERR_MEM, "out of memory for %s", path);
  memset(px, 255, (size_t)W * H);
  double m = 0;
  for (int i = 0; i < n; i++) m = fmax(m, fabs(v[i]));
  if (m == 0) m = 1;
  int prev = -1;
  for (int x = 0; x < W - 20; x++) px[(size_t)(H / 2) * W + 10 + x] = 180;
  for (int x = 0; x < W - 20; x++) {
    double t = (double)x / zoom; /* linear interpolation between samples */
    int i = (int)t;
    double f = t - i, val = i + 1 < n ? (1 - f) * v[i] + f * v[i + 1] : v[i];
    int yv = H / 2 - (int)lround(val / m * (H / 2 - 10));
    int lo = prev < 0 ? yv : (prev < yv ? prev : yv);
    int hi = prev < 0 ? yv : (prev > yv ? prev : yv);
    for (int y = lo; y <= hi; y++) px[(size_t)y * W + 10 + x] = 0;
    prev = yv;
  }
  bn_status_t st = bn_png_write(ctx, path, W, H, 1, px);
  free(px);
  return st;
}

bn_status_t bn_sasd_png(bn_sasd_t *s, const bn_sasd_result_t *r,
                        const char *prefix) {
  bn_ctx_t *ctx = s->ctx;
  bn_sasd_grid_t *g = s->g;
  const int rank = bn_ctx_rank(ctx), k = s->k;
  size_t len = strlen(prefix) + 32;
  char *path = malloc(len);
  BN_CALL(
      ctx,
      bn_agree(ctx, path ? BN_OK : BN_ERROR(ctx, BN_ERR_MEM, "out of memory")));
  snprintf(path, len, "%s_kernel.png", prefix);
  bn_status_t st = BN_OK;
  if (rank == 0)
    st = g->dims == 1 ? bn_sasd_plot(ctx, path, r->a, k)
                      : bn_png_mosaic(ctx, path, r->a, 1, k, k, k * k, 1,
                                      BN_PNG_SCALE_SYMMETRIC);
  st = bn_agree(ctx, st);
  if (st == BN_OK && g->dims == 2) {
    const double px = (double)g->h * (double)g->w;
    if (px > (double)(1 << 24)) {
      bn_log(ctx, BN_LOG_INFO,
             "--png-prefix: the %lld x %lld activation map is over 2^24 "
             "pixels; not drawn\n",
             (long long)g->h, (long long)g->w);
    } else {
      /* gather the rows to rank 0 */
      int np = bn_ctx_size(ctx);
      int *cnt = calloc((size_t)np, sizeof(int)),
          *dsp = calloc((size_t)np, sizeof(int));
      double *loc = bn_alloc_n(bn_size_add(bn_size_mul((size_t)g->n0, g->w), 1),
                               sizeof(double));
      double *all = rank == 0 ? bn_alloc_n((size_t)px, sizeof(double)) : NULL;
      st = bn_agree(ctx, cnt && dsp && loc && (rank != 0 || all)
                             ? BN_OK
                             : BN_ERROR(ctx, BN_ERR_MEM, "out of memory"));
      if (st == BN_OK) {
        for (bn_idx_t i = 0; i < g->n0; i++)
          memcpy(loc + (size_t)i * g->w, r->x + (size_t)i * g->ws,
                 g->w * sizeof(double));
        int mine = (int)(g->n0 * g->w);
        MPI_Gather(&mine, 1, MPI_INT, cnt, 1, MPI_INT, 0, bn_ctx_comm(ctx));
        for (int q = 1; q < np; q++) dsp[q] = dsp[q - 1] + cnt[q - 1];
        MPI_Gatherv(loc, mine, MPI_DOUBLE, all, cnt, dsp, MPI_DOUBLE, 0,
                    bn_ctx_comm(ctx));
        snprintf(path, len, "%s_activation.png", prefix);
        if (rank == 0)
          st = bn_png_mosaic(ctx, path, all, 1, (int)g->h, (int)g->w, 0, 1,
                             BN_PNG_SCALE_SYMMETRIC);
        st = bn_agree(ctx, st);
      }
      free(cnt);
      free(dsp);
      free(loc);
      free(all);
    }
  }
  free(path);
  return st;
}
