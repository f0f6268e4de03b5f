/* benign -- PNG pictures: one writer for the code base (8-bit grayscale or
 * RGB, libpng) and mosaics of atoms or patches as image tiles.
 *
 * Nothing here is collective: the process that holds the pixels calls it
 * (rank 0 in the commands). Files are written beside the target after a
 * free-space check, read back and compared pixel for pixel, flushed to
 * disk (fsync) and renamed into place, so a reader never sees half a
 * picture and a failed write (a full disk included) leaves an earlier file
 * as it was and no temporary behind. */
#ifndef BENIGN_PNG_H
#define BENIGN_PNG_H

#include <stddef.h>

#include "benign/types.h"

/* Write width x height pixels, `channels` 1 (gray) or 3 (RGB) bytes each,
 * rows top to bottom, row-major with no padding. BN_ERR_ARG on a bad size,
 * BN_ERR_IO naming the path when it cannot be written. */
bn_status_t bn_png_write(bn_ctx_t *ctx, const char *path, int width, int height,
                         int channels, const unsigned char *px);

/* How a tile's values become gray levels; each tile is scaled alone.
 *   SYMMETRIC: 0 is mid-gray (128), +max|v| white, -max|v| black (for
 *              centered patches and atoms, whose sign matters);
 *   MINMAX:    the tile's minimum is black, its maximum white.
 * An all-zero tile (SYMMETRIC) or a constant tile (MINMAX) is mid-gray;
 * non-finite values are mid-gray and take no part in the range. */
typedef enum bn_png_scale {
  BN_PNG_SCALE_SYMMETRIC = 0,
  BN_PNG_SCALE_MINMAX = 1
} bn_png_scale_t;

/* The layout of a mosaic of `count` tiles of h x w values: `cols` x `rows`
 * tiles (cols = ceil(sqrt(count)), rows = ceil(count / cols)), each value
 * drawn as a zoom x zoom block (zoom = clamp(400 / max(cols w, rows h), 1,
 * 16), so that small atoms are visible), with 1-pixel black separators
 * between the tiles and around them: width = cols (w zoom + 1) + 1, height
 * = rows (h zoom + 1) + 1. 0 if the arguments are not positive or the
 * picture would exceed 2^28 pixels, else 1. */
int bn_png_mosaic_size(int count, int h, int w, int *cols, int *rows, int *zoom,
                       int *width, int *height);

/* Draw `count` tiles of h x w values into a mosaic (layout above) and
 * write it as an 8-bit grayscale PNG. Tile k, pixel (y, x) is
 *   atoms[k * atom_stride + (y * w + x) * pixel_stride]
 * so tiles stored as the rows of a count x (h w) row-major matrix use
 * atom_stride = h w, pixel_stride = 1, and atoms stored as the columns of
 * an (h w) x n row-major matrix (a dictionary A, atom k = column k) use
 * atom_stride = 1, pixel_stride = n. Tiles fill the grid row by row. */
bn_status_t bn_png_mosaic(bn_ctx_t *ctx, const char *path, const double *atoms,
                          int count, int h, int w, ptrdiff_t atom_stride,
                          ptrdiff_t pixel_stride, bn_png_scale_t scale);

#endif
