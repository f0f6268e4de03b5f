/* benign -- image corpora as patch matrices (the input of benign dict).
 *
 * A corpus is a sequence of grayscale images: image files (PNG, JPEG,
 * PGM/PPM), the records of an IDX file (MNIST, Fashion-MNIST; gzip'd or
 * not) or the slices of an HDF5 stack (N x H x W). Every ph x pw window at
 * top-left corners (y, x) = (i s, j s) inside an image is a patch; patches
 * are numbered globally: images in order, then corners in raster order (i,
 * then j), so patch g of the corpus is the same on any number of
 * processes. A patch is stored row-major (value (y, x) at y pw + x).
 *
 * The output file holds
 *   /Y  float64 [p x m]   p patches, m = ph pw values each, in global order
 * with root attributes patch_h, patch_w, stride, images, patches_total
 * (before sampling), patches_dropped (zero norm under unit_norm),
 * max_patches, seed, centered, unit_norm (int64 0/1), pixels ("[0,1]" or
 * "as stored"), source, format, creator. */
#ifndef BENIGN_PATCHES_H
#define BENIGN_PATCHES_H

#include <stdbool.h>
#include <stdint.h>

#include "benign/types.h"

/* The random stream of --max-patches sampling (rng.h): patch g's key is
 * bn_rng_uniform(seed, BN_PATCH_STREAM, g, 0). */
#define BN_PATCH_STREAM 0x50410001u

/* Number of patch corners along a side of n pixels: (n - p) / s + 1, or 0
 * when n < p (s >= 1, p >= 1). */
int64_t bn_patch_positions(int64_t n, int p, int s);
/* Patches in an h x w image. */
int64_t bn_patch_count(int h, int w, int ph, int pw, int s);
/* Copy patch k (0-based, raster order of corners) of an h x w row-major
 * image into out (ph pw values). k must be < bn_patch_count(...). */
void bn_patch_extract(const double *img, int h, int w, int ph, int pw, int s,
                      int64_t k, double *out);
/* Subtract the mean (center) and scale to unit l2 norm (unit_norm) in
 * place. Returns 0, or 1 when unit_norm was asked and the patch has zero
 * norm (after centering: a constant patch), which is left unscaled. The
 * zero test is relative: |v| <= 1e-12 |v before centering|. */
int bn_patch_normalize(double *v, int m, bool center, bool unit_norm);
/* Parse "HxW" (or "N" for N x N) into positive sides; 0 on success, -1 if
 * the text is not two positive integers up to 4096. */
int bn_patch_parse_size(const char *text, int *h, int *w);

/* Collective: choose the `want` items with the smallest (key, global id)
 * among all processes' items. This process has n items with global ids g0,
 * g0 + 1, ... and keys keys[k]; UINT64_MAX marks an item that may not be
 * chosen. sel[k] becomes 1 for a chosen item, else 0. want larger than the
 * number of eligible items chooses them all. The choice depends only on the
 * keys and ids, never on how the items are split over processes (a radix
 * selection on the keys with one small allreduce a round). */
bn_status_t bn_patch_select(bn_ctx_t *ctx, int64_t n, const uint64_t *keys,
                            int64_t g0, int64_t want, unsigned char *sel);

typedef struct bn_patch_params {
  const char *format;      /* "image", "idx" or "h5"                     */
  const char *input;       /* image: a file or a directory; else a file  */
  const char *output;      /* HDF5 file (written atomically)              */
  const char *dataset;     /* h5: the N x H x W dataset (NULL: /images)   */
  int ph, pw, stride;      /* patch size and corner step (>= 1)           */
  int64_t max_patches;     /* 0: all; else a uniform sample of this many  */
  uint64_t seed;           /* for the sample                              */
  bool center, unit_norm;  /* per-patch mean removal, l2 scaling          */
  const char *patches_png; /* NULL, or a mosaic of the first 100 patches */
} bn_patch_params_t;

typedef struct bn_patch_stats {
  int64_t images;  /* images in the corpus                          */
  int64_t total;   /* patches in the corpus                         */
  int64_t dropped; /* zero-norm patches left out (unit_norm)         */
  int64_t written; /* rows of /Y                                    */
  int m;           /* values per patch                              */
  int64_t pixels;  /* pixels decoded, all images                    */
} bn_patch_stats_t;

/* Collective. Each process decodes its share of the images (a contiguous
 * block of files, records or slices), extracts and normalizes its
 * patches, and /Y is written collectively; the file is the same on any
 * number of processes. Bad input (unreadable or corrupt image, patch
 * larger than an image, an empty corpus, non-finite pixels, no patch
 * left) is one agreed error naming the file; the output is then not
 * touched. `stats` may be NULL and is the same on every process. */
bn_status_t bn_import_patches(bn_ctx_t *ctx, const bn_patch_params_t *p,
                              bn_patch_stats_t *stats);

#endif
