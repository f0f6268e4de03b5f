/* PGM and PPM (netpbm) images: P2/P5 gray, P3/P6 colour; plain (ASCII) or
 * raw (binary, 1 byte a sample for maxval < 256, else 2 bytes big-endian).
 * Comments (# to the end of the line) may appear in the header. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/image_internal.h"

/* Next header number (skipping blanks and comments); -1 if none. */
static long header_number(FILE *fp) {
  int c = fgetc(fp);
  while (c != EOF && (isspace(c) || c == '#')) {
    if (c == '#')
      while (c != EOF && c != '\n') c = fgetc(fp);
    c = fgetc(fp);
  }
  if (c == EOF || !isdigit(c)) return -1;
  long v = 0;
  while (c != EOF && isdigit(c)) {
    if (v > 100000000L) return -1;
    v = 10 * v + (c - '0');
    c = fgetc(fp);
  }
  /* The one blank after maxval ends the header of a raw file. */
  if (c != EOF && !isspace(c)) return -1;
  return v;
}

/* One sample: 0 ok, -1 end of file, -2 a bad token. */
static int sample(FILE *fp, int ascii, int wide, long *v) {
  if (ascii) {
    long x = header_number(fp);
    if (x >= 0) {
      *v = x;
      return 0;
    }
    return feof(fp) ? -1 : -2;
  }
  int a = fgetc(fp), b = wide ? fgetc(fp) : 0;
  if (a == EOF || b == EOF) return -1;
  *v = wide ? (a << 8 | b) : a;
  return 0;
}

static bn_status_t read_body(bn_ctx_t *ctx, const char *path, FILE *fp,
                             int ascii, int color, long maxval, bn_img_t *img) {
  int wide = maxval > 255, c = color ? 3 : 1;
  size_t n = (size_t)img->h * img->w;
  for (size_t i = 0; i < n; i++) {
    long s[3] = {0, 0, 0};
    for (int k = 0; k < c; k++) {
      int rc = sample(fp, ascii, wide, &s[k]);
      if (rc == -1)
        return BN_ERROR(ctx, BN_ERR_DATA,
                        "%s: truncated image: %zu of %zu pixels read", path, i,
                        n);
      if (rc == -2)
        return BN_ERROR(ctx, BN_ERR_DATA, "%s: pixel %zu is not a number", path,
                        i);
      if (s[k] > maxval)
        return BN_ERROR(ctx, BN_ERR_DATA,
                        "%s: pixel %zu has value %ld above maxval %ld", path, i,
                        s[k], maxval);
    }
    img->px[i] =
        (color ? BN_LUMA(s[0], s[1], s[2]) : (double)s[0]) / (double)maxval;
  }
  return BN_OK;
}

bn_status_t bn_img_read_pnm(bn_ctx_t *ctx, const char *path, bn_img_t *img) {
  FILE *fp = fopen(path, "rb");
  if (!fp)
    return BN_ERROR(ctx, BN_ERR_IO, "cannot open '%s': %s", path,
                    strerror(errno));
  char magic[2] = {0, 0};
  bn_status_t st = BN_OK;
  img->px = NULL;
  if (fread(magic, 1, 2, fp) != 2 || magic[0] != 'P' ||
      !strchr("2356", magic[1]) || !magic[1]) {
    st = BN_ERROR(ctx, BN_ERR_DATA, "%s: not a PGM/PPM file", path);
  } else {
    long w = header_number(fp), h = w >= 0 ? header_number(fp) : -1;
    long maxval = h >= 0 ? header_number(fp) : -1;
    if (w <= 0 || h <= 0 || maxval <= 0 || maxval > 65535)
      st = BN_ERROR(ctx, BN_ERR_DATA,
                    "%s: bad PGM/PPM header (want width, height and a "
                    "maxval of 1 to 65535)",
                    path);
    else if (w * h > BN_IMG_MAX_PIXELS)
      st = BN_ERROR(ctx, BN_ERR_DATA, "%s: image too large (%ld x %ld)", path,
                    w, h);
    if (st == BN_OK) st = bn_img_alloc(ctx, path, (int)h, (int)w, img);
    if (st == BN_OK)
      st = read_body(ctx, path, fp, magic[1] == '2' || magic[1] == '3',
                     magic[1] == '3' || magic[1] == '6', maxval, img);
  }
  fclose(fp);
  if (st != BN_OK) bn_img_free(img);
  return st;
}
