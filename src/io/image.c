/* Images held in memory (benign/image.h): allocation with the size check
 * the decoders share, release, and which file names are images. The
 * decoders (image_read.c, image_pnm.c) build on these. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "io/image_internal.h"

bn_status_t bn_img_alloc(bn_ctx_t *ctx, const char *path, int h, int w,
                         bn_img_t *img) {
  if (h <= 0 || w <= 0 || (int64_t)h * w > BN_IMG_MAX_PIXELS)
    return BN_ERROR(ctx, BN_ERR_DATA, "%s: bad image size %d x %d", path, w, h);
  img->h = h;
  img->w = w;
  return bn_mallocn(ctx, bn_size_mul((size_t)h, w), sizeof(double), &img->px);
}

void bn_img_free(bn_img_t *img) {
  free(img->px);
  img->px = NULL;
  img->h = img->w = 0;
}

int bn_img_is_image_name(const char *name) {
  static const char *ext[] = {".png", ".jpg", ".jpeg", ".pgm", ".ppm", ".pnm"};
  size_t n = strlen(name);
  for (size_t k = 0; k < sizeof ext / sizeof *ext; k++) {
    size_t e = strlen(ext[k]);
    if (n > e && strcasecmp(name + n - e, ext[k]) == 0) return 1;
  }
  return 0;
}
