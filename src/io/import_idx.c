/* IDX files (the MNIST / Fashion-MNIST format): a big-endian header, magic
 * 0x00000803 (unsigned bytes, 3 dimensions), then n, h, w as 32-bit
 * big-endian integers, then n h w bytes. zlib's gzopen reads gzip'd and
 * plain files alike; a process seeks to its own first record (in a gzip'd
 * file zlib decompresses up to it). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "io/image_internal.h"

#define BN_IDX_MAGIC 0x00000803u
#define BN_IDX_HEAD 16

static uint32_t be32(const unsigned char *b) {
  return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 |
         (uint32_t)b[3];
}

static bn_status_t idx_open(bn_ctx_t *ctx, const char *path, gzFile *g) {
  *g = gzopen(path, "rb");
  if (!*g)
    return BN_ERROR(ctx, BN_ERR_IO, "cannot open '%s': %s", path,
                    errno ? strerror(errno) : "out of memory");
  return BN_OK;
}

/* What went wrong in a gzread that gave fewer bytes than asked. */
static const char *gz_reason(gzFile g) {
  int code = 0;
  const char *msg = gzerror(g, &code);
  return code == Z_OK || code == Z_BUF_ERROR ? "unexpected end of file" : msg;
}

bn_status_t bn_idx_header(bn_ctx_t *ctx, const char *path, int64_t *n, int *h,
                          int *w) {
  gzFile g;
  unsigned char b[BN_IDX_HEAD];
  BN_CALL(ctx, idx_open(ctx, path, &g));
  int got = gzread(g, b, 4);
  bn_status_t st = BN_OK;
  uint32_t magic = got == 4 ? be32(b) : 0;
  if (got != 4 || magic != BN_IDX_MAGIC)
    st =
        BN_ERROR(ctx, BN_ERR_DATA,
                 "%s: not an IDX file of images (magic 0x%08x, expected "
                 "0x%08x: unsigned bytes in 3 dimensions%s)",
                 path, (unsigned)magic, BN_IDX_MAGIC,
                 magic == 0x00000801u ? "; this looks like a labels file" : "");
  else if (gzread(g, b + 4, BN_IDX_HEAD - 4) != BN_IDX_HEAD - 4)
    st = BN_ERROR(ctx, BN_ERR_DATA, "%s: truncated IDX header (%s)", path,
                  gz_reason(g));
  if (st == BN_OK) {
    uint32_t dn = be32(b + 4), dh = be32(b + 8), dw = be32(b + 12);
    if (dh == 0 || dw == 0 || dh > 65535 || dw > 65535 ||
        (int64_t)dh * dw > BN_IMG_MAX_PIXELS)
      st = BN_ERROR(ctx, BN_ERR_DATA, "%s: bad IDX image size %u x %u", path,
                    (unsigned)dh, (unsigned)dw);
    *n = (int64_t)dn;
    *h = (int)dh;
    *w = (int)dw;
  }
  gzclose(g);
  return st;
}

bn_status_t bn_idx_read(bn_ctx_t *ctx, const char *path, int64_t first,
                        int64_t count, int h, int w, double *out) {
  if (count <= 0) return BN_OK;
  gzFile g;
  BN_CALL(ctx, idx_open(ctx, path, &g));
  size_t rec = (size_t)h * w;
  unsigned char *buf = NULL;
  bn_status_t st = bn_malloc(ctx, rec, &buf);
  z_off_t at = (z_off_t)(BN_IDX_HEAD + (int64_t)first * (int64_t)rec);
  if (st == BN_OK && gzseek(g, at, SEEK_SET) != at)
    st = BN_ERROR(ctx, BN_ERR_DATA, "%s: truncated: image %lld is missing (%s)",
                  path, (long long)first, gz_reason(g));
  for (int64_t i = 0; st == BN_OK && i < count; i++) {
    /* gzread moves at most INT_MAX bytes a call; a record is <= 2^30. */
    int got = gzread(g, buf, (unsigned)rec);
    if (got < 0 || (size_t)got != rec) {
      st = BN_ERROR(ctx, BN_ERR_DATA,
                    "%s: truncated: image %lld (0-based) is incomplete, the "
                    "header announces more images than the file holds (%s)",
                    path, (long long)(first + i), gz_reason(g));
      break;
    }
    for (size_t q = 0; q < rec; q++) out[i * rec + q] = buf[q] / 255.0;
  }
  free(buf);
  gzclose(g);
  return st;
}
