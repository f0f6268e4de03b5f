/* PNG pictures: the one PNG writer (libpng's simplified API) and mosaics of
 * tiles (dictionary atoms, image patches). See include/benign/png.h. */
#include "benign/png.h"

#include <fcntl.h>
#include <math.h>
#include <png.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "benign/error.h"
#include "benign/paths.h"

#define BN_PNG_MAX_PIXELS (1L << 28)

/* Not enough room on path's file system for a PNG of `bytes` raw pixel
 * bytes? (deflate grows incompressible data by well under 1%; headers and
 * the file system's block rounding take the rest of the margin). */
static bn_status_t bn_png_room(bn_ctx_t *ctx, const char *path, double bytes) {
  char dir[4096];
  struct statvfs sv;
  if (bn_fault_on("no-space-check")) return BN_OK;
  bn_path_dir(path, dir, sizeof dir);
  if (statvfs(dir, &sv) != 0) return BN_OK; /* unknown: the write tells */
  double need = 1.01 * bytes + 65536.0;
  double avail = (double)sv.f_bavail * (double)sv.f_frsize;
  if (avail >= need) return BN_OK;
  return BN_ERROR(ctx, BN_ERR_IO,
                  "not enough space to write '%s': about %.3g MB needed, "
                  "%.3g MB free on its file system",
                  path, need / 1e6, avail / 1e6);
}

/* Read the closed temporary back and compare every pixel (a file system
 * that lost data, or a short write the close did not report). */
static int bn_png_same(const char *tmp, int channels, size_t n,
                       const unsigned char *px) {
  png_image pi;
  memset(&pi, 0, sizeof pi);
  pi.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&pi, tmp)) return 0;
  pi.format = channels == 3 ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
  unsigned char *back = PNG_IMAGE_SIZE(pi) == n ? malloc(n) : NULL;
  int same = back && png_image_finish_read(&pi, NULL, back, 0, NULL) &&
             memcmp(back, px, n) == 0;
  png_image_free(&pi);
  free(back);
  return same;
}

/* Flush the temporary to stable storage before it replaces anything. */
static int bn_png_sync(const char *tmp) {
  int fd = open(tmp, O_RDONLY);
  if (fd < 0) return -1;
  int rc = fsync(fd);
  close(fd);
  return rc;
}

bn_status_t bn_png_write(bn_ctx_t *ctx, const char *path, int width, int height,
                         int channels, const unsigned char *px) {
  if (!path || !px || width <= 0 || height <= 0 ||
      (channels != 1 && channels != 3) ||
      (long)width * height > BN_PNG_MAX_PIXELS)
    return BN_ERROR(ctx, BN_ERR_ARG,
                    "cannot write PNG '%s': bad picture (%d x %d pixels, %d "
                    "channels)",
                    path ? path : "(null)", width, height, channels);
  size_t len = strlen(path) + 64;
  size_t n = (size_t)width * (size_t)height * (size_t)channels;
  char *tmp = NULL;
  struct stat s;
  BN_CALL(ctx, bn_malloc(ctx, len, &tmp));
  if (bn_tmp_name(path, (unsigned long)(size_t)tmp, tmp, len) != 0) {
    free(tmp);
    return BN_ERROR(ctx, BN_ERR_ARG,
                    "cannot write PNG '%s': the path is too "
                    "long",
                    path);
  }
  /* Never replace a device or FIFO by a picture. */
  if (lstat(path, &s) == 0 && !S_ISREG(s.st_mode) && !S_ISLNK(s.st_mode)) {
    free(tmp);
    return BN_ERROR(ctx, BN_ERR_IO,
                    "cannot write PNG '%s': it exists and is not a regular "
                    "file",
                    path);
  }
  bn_status_t st = bn_png_room(ctx, path, (double)n);
  if (st != BN_OK) {
    free(tmp);
    return st;
  }
  png_image pi;
  memset(&pi, 0, sizeof pi);
  pi.version = PNG_IMAGE_VERSION;
  pi.width = (png_uint_32)width;
  pi.height = (png_uint_32)height;
  pi.format = channels == 3 ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
  /* Write, close, read back, flush, rename; the target is touched only by
   * the rename, and every failure removes the temporary. */
  if (!png_image_write_to_file(&pi, tmp, 0, px, 0, NULL))
    st = BN_ERROR(ctx, BN_ERR_IO, "cannot write %s: %s", path, pi.message);
  else if (!bn_png_same(tmp, channels, n, px))
    st = BN_ERROR(ctx, BN_ERR_IO,
                  "writing failed: %s does not read back as written (a full "
                  "disk?); the previous file, if any, is untouched",
                  path);
  else if (bn_png_sync(tmp) != 0)
    st = BN_ERROR(ctx, BN_ERR_IO, "cannot flush %s to disk", path);
  else if (rename(tmp, path) != 0)
    st = BN_ERROR(ctx, BN_ERR_IO, "cannot rename %s to %s", tmp, path);
  if (st != BN_OK) remove(tmp);
  png_image_free(&pi);
  free(tmp);
  return st;
}

int bn_png_mosaic_size(int count, int h, int w, int *cols, int *rows, int *zoom,
                       int *width, int *height) {
  if (count <= 0 || h <= 0 || w <= 0) return 0;
  int c = (int)ceil(sqrt((double)count));
  while ((long)c * c < count) c++; /* sqrt rounding */
  int r = (count + c - 1) / c;
  double big = fmax((double)c * w, (double)r * h);
  int z = big >= 400 ? 1 : (int)(400 / big);
  z = z < 1 ? 1 : z > 16 ? 16 : z;
  double W = (double)c * ((double)w * z + 1) + 1;
  double H = (double)r * ((double)h * z + 1) + 1;
  if (W * H > (double)BN_PNG_MAX_PIXELS) return 0;
  *cols = c;
  *rows = r;
  *zoom = z;
  *width = (int)W;
  *height = (int)H;
  return 1;
}

/* Gray level of v for a tile whose finite values span [lo, hi]. */
static unsigned char level(double v, double lo, double hi,
                           bn_png_scale_t scale) {
  if (!isfinite(v)) return 128;
  double t;
  if (scale == BN_PNG_SCALE_SYMMETRIC) {
    double a = fmax(fabs(lo), fabs(hi));
    if (!(a > 0)) return 128;
    t = 0.5 + 0.5 * v / a;
  } else {
    if (!(hi > lo)) return 128;
    t = (v - lo) / (hi - lo);
  }
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  return (unsigned char)lround(255.0 * t);
}

static void draw_tile(unsigned char *img, int width, int x0, int y0, int zoom,
                      const double *a, int h, int w, ptrdiff_t ps,
                      bn_png_scale_t scale) {
  double lo = INFINITY, hi = -INFINITY;
  for (long q = 0; q < (long)h * w; q++) {
    double v = a[q * ps];
    if (isfinite(v)) {
      lo = fmin(lo, v);
      hi = fmax(hi, v);
    }
  }
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      unsigned char g = level(a[((long)y * w + x) * ps], lo, hi, scale);
      for (int dy = 0; dy < zoom; dy++)
        memset(img + (size_t)(y0 + y * zoom + dy) * width + x0 + x * zoom, g,
               (size_t)zoom);
    }
}

bn_status_t bn_png_mosaic(bn_ctx_t *ctx, const char *path, const double *atoms,
                          int count, int h, int w, ptrdiff_t atom_stride,
                          ptrdiff_t pixel_stride, bn_png_scale_t scale) {
  int cols, rows, zoom, W, H;
  if (!atoms || !bn_png_mosaic_size(count, h, w, &cols, &rows, &zoom, &W, &H))
    return BN_ERROR(ctx, BN_ERR_ARG,
                    "cannot draw %s: %d tiles of %d x %d values do not make "
                    "a picture",
                    path, count, h, w);
  unsigned char *img = NULL;
  BN_CALL(ctx, bn_calloc(ctx, bn_size_mul((size_t)W, H), 1, &img)); /* black */
  for (int k = 0; k < count; k++) {
    int x0 = 1 + (k % cols) * (w * zoom + 1);
    int y0 = 1 + (k / cols) * (h * zoom + 1);
    draw_tile(img, W, x0, y0, zoom, atoms + k * atom_stride, h, w, pixel_stride,
              scale);
  }
  bn_status_t st = bn_png_write(ctx, path, W, H, 1, img);
  free(img);
  return st;
}
