/* benign -- private decoders of the image importers (src/io/image_*.c,
 * import_idx.c); the public reader is benign/image.h. None is collective:
 * each process decodes its own share.
 *
 * Every decoder gives a grayscale image of doubles in [0, 1]: the stored
 * value divided by the format's maximum (255 for 8-bit samples, the maxval
 * of a PGM). Colour becomes gray by ITU-R BT.601 luma on the stored
 * values, Y = 0.299 R + 0.587 G + 0.114 B. */
#ifndef BENIGN_IO_IMAGE_INTERNAL_H
#define BENIGN_IO_IMAGE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "benign/error.h"
#include "benign/image.h"

#define BN_LUMA(r, g, b) (0.299 * (r) + 0.587 * (g) + 0.114 * (b))

/* Images larger than this many pixels are refused (a corrupt header). */
#define BN_IMG_MAX_PIXELS (INT64_C(1) << 30)

bn_status_t bn_img_read_png(bn_ctx_t *ctx, const char *path, bn_img_t *img);
bn_status_t bn_img_read_jpeg(bn_ctx_t *ctx, const char *path, bn_img_t *img);
bn_status_t bn_img_read_pnm(bn_ctx_t *ctx, const char *path, bn_img_t *img);
/* Allocate img->px for h x w (checks the size). */
bn_status_t bn_img_alloc(bn_ctx_t *ctx, const char *path, int h, int w,
                         bn_img_t *img);

/* IDX files of unsigned bytes, 3 dimensions (magic 0x00000803), plain or
 * gzip'd. Header: number of images n and their size h x w. */
bn_status_t bn_idx_header(bn_ctx_t *ctx, const char *path, int64_t *n, int *h,
                          int *w);
/* Records [first, first + count) as doubles in [0, 1], count h w values. */
bn_status_t bn_idx_read(bn_ctx_t *ctx, const char *path, int64_t first,
                        int64_t count, int h, int w, double *out);

/* A corpus: this process's share of the images, a contiguous block of
 * the global sequence (files in name order, IDX records, stack slices). */
typedef struct bn_corpus {
  int64_t total; /* images, all processes                       */
  int64_t first; /* global index of this process's first image  */
  int64_t n;     /* this process's images                       */
  bn_img_t *img; /* n images (pixels in `block` for idx and h5) */
  double *block;
  char *names; /* image: every file name, NUL-separated         */
  char **name; /* image: this process's n names (into `names`)  */
  bool stored; /* h5: values as stored, not scaled to [0, 1]    */
} bn_corpus_t;

struct bn_patch_params;
/* Collective and agreed: list the corpus (rank 0 lists a directory and
 * broadcasts the names) and decode this process's share. */
bn_status_t bn_corpus_load(bn_ctx_t *ctx, const struct bn_patch_params *p,
                           bn_corpus_t *c);
void bn_corpus_free(bn_corpus_t *c);
/* "FILE" or "FILE: image K" naming local image k in messages. */
void bn_corpus_label(const bn_corpus_t *c, const char *input, int64_t k,
                     char *buf, size_t size);

#endif
