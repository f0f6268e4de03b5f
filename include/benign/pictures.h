/* benign -- pictures of what a run learned: a kernel (deconv, sasd) drawn
 * centred, and a dictionary's atoms as a mosaic ordered by usage. The
 * stored datasets are never reordered or shifted: only the pictures are.
 *
 * The functions on values in memory are local (not collective): the
 * process that holds the values draws (rank 0 in the commands). The ones
 * on a result file are collective. Pictures are written by bn_png_write
 * (benign/png.h): atomically, read back, never half a file. */
#ifndef BENIGN_PICTURES_H
#define BENIGN_PICTURES_H

#include <stddef.h>

#include "benign/types.h"

/* Local: the stored index (cy, cx) of an h x w kernel (row-major,
 * circular) that its picture puts in the middle, so that a support that
 * wraps around the ends (deconv stores its kernel with the peak at index
 * 0) is drawn in one piece. Per axis, the circular mean of the energy of
 * the kernel's deviation from its median (its background level: 0 for a
 * compact kernel, the constant for a near-constant one); an axis with no
 * preferred place (a flat energy, or noise) is centred on the largest
 * deviation. */
void bn_kernel_centre(const double *k, int h, int w, int *cy, int *cx);

/* What a kernel picture shows (for the commands' summaries). */
typedef struct bn_kernel_pic {
  int width, height; /* pixels */
  int cy, cx;        /* stored index drawn in the middle */
  double lo, hi;     /* the value range drawn */
} bn_kernel_pic_t;

/* Local: draw an h x w kernel centred (bn_kernel_centre) as an RGB PNG.
 * h = 1: a line plot with axes, x = offset from the centre index (mod w),
 * y over the values' own range (so a near-constant kernel shows its
 * variation; the tick labels tell the level). h > 1: a gray image scaled
 * from the minimum (black) to the maximum (white) with a labelled scale
 * bar; a kernel over 800 values a side is drawn by block means. `what`
 * names it in the title ("kernel"). `info` may be NULL. */
bn_status_t bn_kernel_png(bn_ctx_t *ctx, const char *path, const double *k,
                          int h, int w, const char *what,
                          bn_kernel_pic_t *info);

/* Local: the order in which the mosaic draws n atoms of dimension m (atom
 * j, entry i at a[i * lda + j]: the columns of a row-major m x n
 * dictionary). usage[j] (NULL: none) is the fraction of samples whose
 * code for atom j is nonzero. With usage: most used first (ties in stored
 * order), and the DC atom -- the one closest to a constant vector, when
 * |<a, 1>| / (|a| sqrt(m)) > 0.9 -- last. Without: the stored order.
 * Returns the DC atom's index, or -1 (none, or no usage). */
int bn_atoms_order(const double *a, int m, int n, ptrdiff_t lda,
                   const double *usage, int *order);

/* Local: "3:41.2 0:30.1 ... 5:97.0(DC)" -- the order with each atom's
 * usage in percent, at most 32 atoms then "... (N more)". */
void bn_atoms_order_text(char *buf, size_t len, const int *order,
                         const double *usage, int n, int dc);

/* Local: the atoms (as in bn_atoms_order) drawn as a mosaic of ph x pw
 * tiles (ph pw = m) in `order` (NULL: stored order), each scaled alone
 * with 0 mid-gray (BN_PNG_SCALE_SYMMETRIC). */
bn_status_t bn_atoms_png(bn_ctx_t *ctx, const char *path, const double *a,
                         int m, int n, ptrdiff_t lda, int ph, int pw,
                         const int *order);

/* Local: the tile shape of atoms of dimension m: the patch shape ph x pw
 * when ph pw = m (benign import --patch), else sqrt(m) a side when m is
 * a square, else m x 1 strips. */
void bn_atoms_tile(int64_t m, int64_t ph, int64_t pw, int *th, int *tw);

/* What `benign plot --what=atoms|kernel` drew. */
typedef struct bn_picture_info {
  int width, height;
  int count;       /* atoms drawn (1 for a kernel) */
  int h, w;        /* a kernel's shape, an atom tile's */
  int dc;          /* atoms: the DC atom, -1: none */
  int by_usage;    /* atoms: ordered by the codes' usage (else stored order) */
  int cy, cx;      /* kernel: the stored index in the middle */
  char order[512]; /* atoms: bn_atoms_order_text */
} bn_picture_info_t;

/* Collective: the atom mosaic of a dictionary result `in` (/A, its
 * patch_h/patch_w, the codes /X -- sparse /X/row,col,val atom x sample,
 * or dense /X sample x atom -- for the usage) into `out` (rank 0 draws).
 * A file without /A is BN_ERR_DATA (agreed). */
bn_status_t bn_picture_atoms_file(bn_ctx_t *ctx, const char *in,
                                  const char *out, bn_picture_info_t *info);
/* Collective: the kernel picture of a deconv (/kernel, 1-D or 2-D) or
 * sasd (/a) result `in` into `out`. A file with neither is BN_ERR_DATA. */
bn_status_t bn_picture_kernel_file(bn_ctx_t *ctx, const char *in,
                                   const char *out, bn_picture_info_t *info);

#endif
