/* SaS-BD pictures (sasd_io.h): the kernel (a line plot of the 1-D motif,
 * a gray image of a 2-D one, both circularly shifted so that the support
 * is centred and scaled over the kernel's own range: benign/pictures.h)
 * and, in 2-D, the activation map. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "benign/pictures.h"
#include "benign/png.h"
#include "problems/sasd/sasd_io.h"

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
  bn_kernel_pic_t pi;
  memset(&pi, 0, sizeof pi);
  if (rank == 0) /* centred on its support, over its own value range */
    st = bn_kernel_png(ctx, path, r->a, g->dims == 1 ? 1 : k, k, "kernel", &pi);
  st = bn_agree(ctx, st);
  if (st == BN_OK && g->dims == 1)
    bn_log(ctx, BN_LOG_INFO,
           "kernel picture centred on stored index %d, values %.3g .. %.3g\n",
           pi.cx, pi.lo, pi.hi);
  else if (st == BN_OK)
    bn_log(ctx, BN_LOG_INFO,
           "kernel picture centred on stored index (%d, %d), values %.3g .. "
           "%.3g\n",
           pi.cy, pi.cx, pi.lo, pi.hi);
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
