/* Image files to grayscale doubles: the dispatch on the first bytes, PNG
 * (libpng's simplified reader) and JPEG (libjpeg). PGM/PPM: image_pnm.c. */
#include <errno.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* After stdio.h: jpeglib.h uses FILE and size_t without including them. */
#include <jpeglib.h>

#include "io/image_internal.h"

bn_status_t bn_img_read(bn_ctx_t *ctx, const char *path, bn_img_t *img) {
  unsigned char head[8] = {0};
  FILE *fp = fopen(path, "rb");
  if (!fp)
    return BN_ERROR(ctx, BN_ERR_IO, "cannot open '%s': %s", path,
                    strerror(errno));
  size_t got = fread(head, 1, sizeof head, fp);
  fclose(fp);
  if (got >= 8 && png_sig_cmp(head, 0, 8) == 0)
    return bn_img_read_png(ctx, path, img);
  if (got >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF)
    return bn_img_read_jpeg(ctx, path, img);
  if (got >= 2 && head[0] == 'P' && head[1] && strchr("2356", head[1]))
    return bn_img_read_pnm(ctx, path, img);
  return BN_ERROR(ctx, BN_ERR_DATA, "%s: not a PNG, JPEG or PGM/PPM image (%s)",
                  path, got == 0 ? "empty file" : "unknown first bytes");
}

/* PNG: read with alpha kept (and ignored), so no composition changes a
 * value; 16-bit files are taken as sRGB-encoded and reduced to 8 bits. */
bn_status_t bn_img_read_png(bn_ctx_t *ctx, const char *path, bn_img_t *img) {
  png_image pi;
  memset(&pi, 0, sizeof pi);
  pi.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&pi, path))
    return BN_ERROR(ctx, BN_ERR_DATA, "%s: not a readable PNG (libpng: %s)",
                    path, pi.message);
  pi.flags |= PNG_IMAGE_FLAG_16BIT_sRGB;
  int color = (pi.format & PNG_FORMAT_FLAG_COLOR) != 0;
  pi.format = color ? PNG_FORMAT_RGBA : PNG_FORMAT_GA;
  unsigned char *buf = NULL;
  bn_status_t st = BN_OK;
  if ((int64_t)pi.width * pi.height > BN_IMG_MAX_PIXELS || pi.width > INT32_MAX)
    st = BN_ERROR(ctx, BN_ERR_DATA, "%s: image too large (%u x %u)", path,
                  (unsigned)pi.width, (unsigned)pi.height);
  if (st == BN_OK)
    st = bn_img_alloc(ctx, path, (int)pi.height, (int)pi.width, img);
  if (st == BN_OK) st = bn_malloc(ctx, PNG_IMAGE_SIZE(pi), &buf);
  if (st == BN_OK && !png_image_finish_read(&pi, NULL, buf, 0, NULL))
    st = BN_ERROR(ctx, BN_ERR_DATA, "%s: corrupt or truncated PNG (libpng: %s)",
                  path, pi.message);
  if (st == BN_OK) {
    size_t n = (size_t)img->h * img->w, c = color ? 4 : 2;
    for (size_t i = 0; i < n; i++) {
      const unsigned char *p = buf + i * c;
      img->px[i] = (color ? BN_LUMA(p[0], p[1], p[2]) : p[0]) / 255.0;
    }
  }
  png_image_free(&pi);
  free(buf);
  if (st != BN_OK) bn_img_free(img);
  return st;
}

/* libjpeg reports errors through a callback that must not return: jump
 * back with the message. Warnings (corrupt data, a premature end of file,
 * which libjpeg would otherwise pad with gray) are errors too. */
typedef struct bn_jerr {
  struct jpeg_error_mgr pub;
  jmp_buf jb;
  char msg[JMSG_LENGTH_MAX];
} bn_jerr_t;

static void bn_jpeg_error(j_common_ptr c) {
  bn_jerr_t *e = (bn_jerr_t *)c->err;
  (*c->err->format_message)(c, e->msg);
  longjmp(e->jb, 1);
}

static void bn_jpeg_message(j_common_ptr c, int level) {
  if (level < 0) bn_jpeg_error(c);
}

/* Decode rows into img (allocated here); 0 or the jump's 1. */
static int jpeg_decode(bn_ctx_t *ctx, const char *path, FILE *fp,
                       struct jpeg_decompress_struct *ci, bn_jerr_t *je,
                       bn_img_t *img, unsigned char **row, bn_status_t *st) {
  if (setjmp(je->jb)) return 1;
  jpeg_create_decompress(ci);
  jpeg_stdio_src(ci, fp);
  jpeg_read_header(ci, TRUE);
  if (ci->jpeg_color_space == JCS_CMYK || ci->jpeg_color_space == JCS_YCCK) {
    *st = BN_ERROR(ctx, BN_ERR_DATA,
                   "%s: CMYK JPEG images are not supported (convert it to "
                   "RGB or grayscale)",
                   path);
    return 0;
  }
  int gray = ci->jpeg_color_space == JCS_GRAYSCALE;
  ci->out_color_space = gray ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_start_decompress(ci);
  *st = bn_img_alloc(ctx, path, (int)ci->output_height, (int)ci->output_width,
                     img);
  if (*st == BN_OK)
    *st = bn_malloc(
        ctx, bn_size_mul((size_t)ci->output_width, ci->output_components), row);
  if (*st != BN_OK) return 0;
  while (ci->output_scanline < ci->output_height) {
    size_t y = ci->output_scanline, w = (size_t)img->w;
    JSAMPROW r = *row;
    if (jpeg_read_scanlines(ci, &r, 1) != 1) continue;
    for (size_t x = 0; x < w; x++) {
      const unsigned char *p = *row + x * (gray ? 1 : 3);
      img->px[y * w + x] = (gray ? p[0] : BN_LUMA(p[0], p[1], p[2])) / 255.0;
    }
  }
  jpeg_finish_decompress(ci);
  return 0;
}

bn_status_t bn_img_read_jpeg(bn_ctx_t *ctx, const char *path, bn_img_t *img) {
  FILE *fp = fopen(path, "rb");
  if (!fp)
    return BN_ERROR(ctx, BN_ERR_IO, "cannot open '%s': %s", path,
                    strerror(errno));
  struct jpeg_decompress_struct ci;
  bn_jerr_t je;
  unsigned char *row = NULL;
  bn_status_t st = BN_OK;
  memset(&ci, 0, sizeof ci);
  memset(&je, 0, sizeof je);
  img->px = NULL;
  ci.err = jpeg_std_error(&je.pub);
  je.pub.error_exit = bn_jpeg_error;
  je.pub.emit_message = bn_jpeg_message;
  if (jpeg_decode(ctx, path, fp, &ci, &je, img, &row, &st))
    st = BN_ERROR(ctx, BN_ERR_DATA,
                  "%s: corrupt or truncated JPEG (libjpeg: %s)", path, je.msg);
  jpeg_destroy_decompress(&ci);
  fclose(fp);
  free(row);
  if (st != BN_OK) bn_img_free(img);
  return st;
}
