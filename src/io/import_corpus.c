/* The corpus of an image import: which images there are, and the decoding
 * of this process's share (a contiguous block of the uniform split of the
 * images by count).
 *
 *   image  a file, or a directory: its regular files with an image
 *          extension, in strcmp order of their names (not recursive; other
 *          files are ignored). Rank 0 lists and broadcasts the names.
 *   idx    one IDX file; every process reads the header, then its records.
 *   h5     one HDF5 file, a 3-D dataset N x H x W read collectively by
 *          slabs; values are taken as stored and must be finite. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "benign/ctx.h"
#include "benign/dist.h"
#include "benign/h5.h"
#include "benign/patches.h"
#include "io/image_internal.h"

void bn_corpus_free(bn_corpus_t *c) {
  for (int64_t k = 0; c->img && !c->block && k < c->n; k++)
    bn_img_free(&c->img[k]);
  free(c->img);
  free(c->block);
  free(c->names);
  free(c->name);
  memset(c, 0, sizeof *c);
}

void bn_corpus_label(const bn_corpus_t *c, const char *input, int64_t k,
                     char *buf, size_t size) {
  if (c->name)
    snprintf(buf, size, "%s", c->name[k]);
  else
    snprintf(buf, size, "%s: image %lld", input, (long long)(c->first + k));
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Rank 0: the image files of `input` as one NUL-separated buffer. */
static bn_status_t list_images(bn_ctx_t *ctx, const char *input, char **buf,
                               int64_t *len, int64_t *count) {
  struct stat sb;
  if (stat(input, &sb) != 0)
    return BN_ERROR(ctx, BN_ERR_IO, "cannot open '%s': %s", input,
                    strerror(errno));
  if (!S_ISDIR(sb.st_mode)) {
    size_t n = strlen(input) + 1;
    *len = (int64_t)n;
    *count = 1;
    BN_CALL(ctx, bn_malloc(ctx, n, buf));
    memcpy(*buf, input, n);
    return BN_OK;
  }
  DIR *d = opendir(input);
  if (!d)
    return BN_ERROR(ctx, BN_ERR_IO, "cannot open directory '%s': %s", input,
                    strerror(errno));
  char **names = NULL, *path = NULL;
  size_t n = 0, cap = 0, total = 0;
  bn_status_t st = BN_OK;
  struct dirent *e;
  while (st == BN_OK && (e = readdir(d))) {
    if (e->d_name[0] == '.' || !bn_img_is_image_name(e->d_name)) continue;
    size_t l = strlen(input) + strlen(e->d_name) + 2;
    st = bn_malloc(ctx, l, &path);
    if (st != BN_OK) break;
    snprintf(path, l, "%s/%s", input, e->d_name);
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
      free(path);
      continue;
    }
    if (n == cap) {
      cap = cap ? 2 * cap : 64;
      char **grown = bn_realloc_n(names, cap, sizeof *names);
      if (!grown) {
        free(path);
        st = BN_ERROR(ctx, BN_ERR_MEM, "out of memory listing '%s'", input);
        break;
      }
      names = grown;
    }
    names[n++] = path;
    total += l; /* strlen(path) + its NUL */
  }
  closedir(d);
  if (st == BN_OK && n == 0)
    st = BN_ERROR(ctx, BN_ERR_DATA,
                  "directory '%s' holds no image files (.png, .jpg, .jpeg, "
                  ".pgm, .ppm, .pnm): the corpus is empty",
                  input);
  if (st == BN_OK) {
    qsort(names, n, sizeof *names, cmp_str);
    st = bn_malloc(ctx, total, buf);
  }
  if (st == BN_OK) {
    size_t at = 0;
    for (size_t k = 0; k < n; k++) {
      size_t l = strlen(names[k]) + 1;
      memcpy(*buf + at, names[k], l);
      at += l;
    }
    *len = (int64_t)total;
    *count = (int64_t)n;
  }
  for (size_t k = 0; k < n; k++) free(names[k]);
  free(names);
  return st;
}

/* This process's block [first, first + n) of `total` images. */
static void share(bn_ctx_t *ctx, bn_corpus_t *c) {
  int r = bn_ctx_rank(ctx), np = bn_ctx_size(ctx);
  c->first = bn_uniform_offset(c->total, np, r);
  c->n = bn_uniform_offset(c->total, np, r + 1) - c->first;
}

static bn_status_t load_files(bn_ctx_t *ctx, const char *input,
                              bn_corpus_t *c) {
  int64_t meta[2] = {0, 0}; /* bytes, count */
  bn_status_t st = BN_OK;
  if (bn_ctx_rank(ctx) == 0)
    st = list_images(ctx, input, &c->names, &meta[0], &meta[1]);
  BN_CALL(ctx, bn_agree(ctx, st));
  BN_MPI(ctx, MPI_Bcast(meta, 2, MPI_INT64_T, 0, bn_ctx_comm(ctx)));
  if (bn_ctx_rank(ctx) != 0) st = bn_malloc(ctx, (size_t)meta[0], &c->names);
  BN_CALL(ctx, bn_agree(ctx, st));
  BN_MPI(ctx, MPI_Bcast(c->names, (int)meta[0], MPI_CHAR, 0, bn_ctx_comm(ctx)));
  c->total = meta[1];
  share(ctx, c);
  st = bn_calloc(ctx, (size_t)c->n + 1, sizeof *c->name, &c->name);
  if (st == BN_OK)
    st = bn_calloc(ctx, (size_t)c->n + 1, sizeof *c->img, &c->img);
  const char *s = c->names;
  for (int64_t k = 0; st == BN_OK && k < c->first + c->n; k++) {
    if (k >= c->first) c->name[k - c->first] = (char *)s;
    s += strlen(s) + 1;
  }
  for (int64_t k = 0; st == BN_OK && k < c->n; k++)
    st = bn_img_read(ctx, c->name[k], &c->img[k]);
  return bn_agree(ctx, st);
}

/* Point the images at consecutive h x w blocks of c->block. */
static bn_status_t make_block(bn_ctx_t *ctx, bn_corpus_t *c, int h, int w) {
  size_t px = (size_t)h * w;
  bn_status_t st = bn_calloc(ctx, (size_t)c->n + 1, sizeof *c->img, &c->img);
  if (st == BN_OK)
    st = bn_mallocn(ctx, bn_size_mul((size_t)c->n, px), sizeof(double),
                    &c->block);
  for (int64_t k = 0; st == BN_OK && k < c->n; k++)
    c->img[k] = (bn_img_t){h, w, c->block + (size_t)k * px};
  return st;
}

static bn_status_t load_idx(bn_ctx_t *ctx, const char *input, bn_corpus_t *c) {
  int h = 0, w = 0;
  bn_status_t st = bn_idx_header(ctx, input, &c->total, &h, &w);
  if (st == BN_OK && c->total == 0)
    st = BN_ERROR(ctx, BN_ERR_DATA, "%s: the IDX file holds no images", input);
  BN_CALL(ctx, bn_agree(ctx, st));
  share(ctx, c);
  st = make_block(ctx, c, h, w);
  if (st == BN_OK) st = bn_idx_read(ctx, input, c->first, c->n, h, w, c->block);
  return bn_agree(ctx, st);
}

static bn_status_t check_finite(bn_ctx_t *ctx, const char *input,
                                const char *dataset, const bn_corpus_t *c) {
  for (int64_t k = 0; k < c->n; k++) {
    const bn_img_t *im = &c->img[k];
    for (int64_t q = 0; q < (int64_t)im->h * im->w; q++)
      if (!isfinite(im->px[q]))
        return BN_ERROR(ctx, BN_ERR_DATA,
                        "%s: dataset '%s', image %lld has a non-finite pixel "
                        "(%g) at row %lld, column %lld",
                        input, dataset, (long long)(c->first + k), im->px[q],
                        (long long)(q / im->w), (long long)(q % im->w));
  }
  return BN_OK;
}

static bn_status_t load_h5(bn_ctx_t *ctx, const char *input,
                           const char *dataset, bn_corpus_t *c) {
  bn_h5_t *f = NULL;
  int nd = 0;
  bn_idx_t dims[4] = {0, 0, 0, 0};
  bn_status_t st;
  c->stored = true;
  BN_CALL(ctx, bn_h5_open(ctx, input, &f));
  BN_TRY(ctx, st, bn_h5_shape(f, dataset, &nd, dims));
  if (nd != 3)
    st = BN_ERROR_ALL(ctx, BN_ERR_DATA,
                      "%s: dataset '%s' has %d dimensions; an image stack is "
                      "N x H x W (3 dimensions; for one image use N = 1)",
                      input, dataset, nd);
  else if (dims[0] == 0)
    st = BN_ERROR_ALL(ctx, BN_ERR_DATA,
                      "%s: dataset '%s' holds no images (N = 0)", input,
                      dataset);
  else if (dims[1] < 1 || dims[2] < 1 || dims[1] > 65535 || dims[2] > 65535 ||
           dims[1] * dims[2] > BN_IMG_MAX_PIXELS)
    st = BN_ERROR_ALL(ctx, BN_ERR_DATA,
                      "%s: dataset '%s' has a bad image size %lld x %lld",
                      input, dataset, (long long)dims[1], (long long)dims[2]);
  if (st != BN_OK) goto cleanup;
  c->total = dims[0];
  share(ctx, c);
  BN_TRY(ctx, st,
         bn_agree(ctx, make_block(ctx, c, (int)dims[1], (int)dims[2])));
  BN_TRY(ctx, st, bn_h5_read_slab_f64(f, dataset, c->first, c->n, c->block));
  st = bn_agree(ctx, check_finite(ctx, input, dataset, c));
cleanup:
  bn_h5_close(f);
  return st;
}

bn_status_t bn_corpus_load(bn_ctx_t *ctx, const bn_patch_params_t *p,
                           bn_corpus_t *c) {
  memset(c, 0, sizeof *c);
  if (strcmp(p->format, "image") == 0) return load_files(ctx, p->input, c);
  if (strcmp(p->format, "idx") == 0) return load_idx(ctx, p->input, c);
  return load_h5(ctx, p->input, p->dataset ? p->dataset : "/images", c);
}
