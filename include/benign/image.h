/* benign -- reading one image file as a grayscale array (PNG, JPEG,
 * PGM/PPM), for the image importers and for problems that take a picture
 * as input (sasd). Nothing here is collective: each process decodes the
 * files it was given.
 *
 * Every decoder gives a grayscale image of doubles in [0, 1]: the stored
 * value divided by the format's maximum (255 for 8-bit samples, the maxval
 * of a PGM). Colour becomes gray by ITU-R BT.601 luma on the stored
 * values, Y = 0.299 R + 0.587 G + 0.114 B. */
#ifndef BENIGN_IMAGE_H
#define BENIGN_IMAGE_H

#include "benign/types.h"

typedef struct bn_img {
  int h, w;
  double *px; /* h x w, row-major; owned */
} bn_img_t;

/* Decode a PNG, JPEG or PGM/PPM file, told apart by its first bytes (not
 * its name). BN_ERR_IO if it cannot be opened, BN_ERR_DATA naming the
 * file if it is not an image of those kinds or is corrupt or truncated. */
bn_status_t bn_img_read(bn_ctx_t *ctx, const char *path, bn_img_t *img);
/* Free img->px (img may be zeroed or already freed). */
void bn_img_free(bn_img_t *img);
/* Does a file name end in an image extension (.png .jpg .jpeg .pgm .ppm
 * .pnm, any case)? Used to pick the images of a directory. */
int bn_img_is_image_name(const char *name);

#endif
