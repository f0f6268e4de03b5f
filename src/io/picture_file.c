/* Pictures redrawn from a result file (`benign plot --what=atoms|kernel`,
 * include/benign/pictures.h): every process reads the small datasets
 * (/A, the kernel), the codes are counted in parts and summed, rank 0
 * draws. */
#include <stdlib.h>
#include <string.h>

#include "benign/ctx.h"
#include "benign/dist.h"
#include "benign/error.h"
#include "benign/h5.h"
#include "benign/pictures.h"
#include "benign/png.h"

/* Collective: a whole 1-D or 2-D float64 dataset on every process. */
static bn_status_t bn_pic_read_all(bn_ctx_t *ctx, bn_h5_t *f, const char *name,
                                   int *h, int *w, double **out) {
  int nd = 0;
  bn_idx_t dims[4] = {0, 0, 0, 0};
  BN_CALL(ctx, bn_h5_shape(f, name, &nd, dims));
  if (nd == 1) {
    dims[1] = dims[0];
    dims[0] = 1;
  }
  if (nd < 1 || nd > 2 || dims[0] < 1 || dims[1] < 1 || dims[0] > (1 << 26) ||
      dims[1] > (1 << 26))
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s is not a 1-D or 2-D dataset with values", name);
  *h = (int)dims[0];
  *w = (int)dims[1];
  BN_CALL(ctx, bn_agree(ctx, bn_mallocn(ctx, bn_size_mul(dims[0], dims[1]),
                                        sizeof(double), out)));
  bn_idx_t st[2] = {0, 0}, ct[2] = {dims[0], dims[1]};
  bn_status_t s = nd == 1 ? bn_h5_read_block(f, name, 1, st, ct + 1, *out)
                          : bn_h5_read_block(f, name, 2, st, ct, *out);
  if (s != BN_OK) {
    free(*out);
    *out = NULL;
  }
  return s;
}

/* Collective: an integer attribute of "/" or obj, 0 when missing. */
static bn_status_t bn_pic_attr(bn_h5_t *f, const char *obj, const char *name,
                               int64_t *v) {
  int have = 0;
  *v = 0;
  bn_status_t st = bn_h5_attr_exists(f, obj, name, &have);
  if (st == BN_OK && have) st = bn_h5_attr_get_i64(f, obj, name, v);
  return st;
}

/* Collective: usage[j] = fraction of the samples whose code for atom j is
 * nonzero, from /X (the root attribute codes = sparse: /X/row holds the
 * atom of each nonzero; dense: /X is samples x atoms). *have = 0 when the
 * file holds no codes. */
static bn_status_t bn_pic_usage(bn_ctx_t *ctx, bn_h5_t *f, int n, double *usage,
                                int *have) {
  const int P = bn_ctx_size(ctx), r = bn_ctx_rank(ctx);
  int sparse = 0, nd = 0, hc = 0, hx = 0;
  bn_idx_t dims[4] = {0, 0, 0, 0};
  int64_t p = 0;
  char *kind = NULL;
  *have = 0;
  memset(usage, 0, (size_t)n * sizeof(double));
  /* The root attribute codes (sparse, dense, none) says which /X it is. */
  BN_CALL(ctx, bn_h5_attr_exists(f, "/", "codes", &hc));
  if (hc) BN_CALL(ctx, bn_h5_attr_get_str(f, "/", "codes", &kind));
  if (kind)
    sparse = !strcmp(kind, "sparse") ? 1 : !strcmp(kind, "dense") ? 0 : -1;
  free(kind);
  if (hc && sparse >= 0)
    BN_CALL(ctx, bn_h5_exists(f, sparse ? "/X/row" : "/X", &hx));
  if (!hx) return BN_OK;
  BN_CALL(ctx, bn_h5_shape(f, sparse ? "/X/row" : "/X", &nd, dims));
  if (sparse) {
    BN_CALL(ctx, bn_pic_attr(f, "/X", "cols", &p));
  } else {
    if (nd != 2 || dims[1] != n)
      return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                          "/X is not a samples x %d matrix of codes", n);
    p = dims[0];
  }
  if (p < 1) BN_CALL(ctx, bn_pic_attr(f, "/", "samples", &p));
  const bn_idx_t all = dims[0], lo = bn_uniform_offset(all, P, r);
  const bn_idx_t cnt = bn_uniform_offset(all, P, r + 1) - lo;
  const size_t per = sparse ? 1 : (size_t)n;
  double *buf = NULL;
  BN_CALL(ctx, bn_agree(ctx, bn_mallocn(ctx, bn_size_mul(cnt, per) + 1,
                                        sizeof(double), &buf)));
  bn_status_t st =
      bn_h5_read_slab_f64(f, sparse ? "/X/row" : "/X", lo, cnt, buf);
  int bad = 0;
  for (bn_idx_t i = 0; st == BN_OK && i < cnt; i++)
    for (size_t j = 0; j < per; j++) {
      double v = buf[(size_t)i * per + j];
      if (!sparse) {
        usage[j] += v != 0.0;
      } else if (v >= 0 && v < n && v == (double)(int)v) {
        usage[(int)v] += 1;
      } else {
        bad = 1;
      }
    }
  free(buf);
  BN_CALL(ctx, st);
  double b = bad;
  BN_CALL(ctx, bn_allreduce_sum(ctx, &b, 1));
  BN_CALL(ctx, bn_allreduce_sum(ctx, usage, (size_t)n));
  if (b > 0)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "/X/row holds atom indices outside 0 .. %d", n - 1);
  if (p < 1)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "the codes /X do not say how many samples they code "
                        "(attribute cols of /X, or samples)");
  for (int j = 0; j < n; j++) usage[j] /= (double)p;
  *have = 1;
  return BN_OK;
}

static bn_status_t bn_pic_atoms(bn_ctx_t *ctx, bn_h5_t *f, const char *in,
                                const char *out, bn_picture_info_t *info) {
  int has = 0, m = 0, n = 0, have = 0, th, tw;
  BN_CALL(ctx, bn_h5_exists(f, "/A", &has));
  if (!has)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s has no atoms (/A): --what=atoms draws a result of "
                        "benign dict",
                        in);
  double *a = NULL, *usage = NULL;
  int *order = NULL;
  BN_CALL(ctx, bn_pic_read_all(ctx, f, "/A", &m, &n, &a));
  bn_status_t st = bn_agree(
      ctx, bn_mallocn(ctx, (size_t)n, sizeof(double) + sizeof(int), &usage));
  if (st == BN_OK) {
    order = (int *)(usage + n);
    st = bn_pic_usage(ctx, f, n, usage, &have);
  }
  int64_t ph = 0, pw = 0;
  if (st == BN_OK) st = bn_pic_attr(f, "/", "patch_h", &ph);
  if (st == BN_OK) st = bn_pic_attr(f, "/", "patch_w", &pw);
  if (st == BN_OK) {
    bn_atoms_tile(m, ph, pw, &th, &tw);
    info->dc = bn_atoms_order(a, m, n, n, have ? usage : NULL, order);
    info->by_usage = have;
    info->count = n;
    info->h = th;
    info->w = tw;
    bn_atoms_order_text(info->order, sizeof info->order, order,
                        have ? usage : NULL, n, info->dc);
    int cols, rows, zoom;
    bn_png_mosaic_size(n, th, tw, &cols, &rows, &zoom, &info->width,
                       &info->height);
    st = bn_ctx_rank(ctx) == 0
             ? bn_atoms_png(ctx, out, a, m, n, n, th, tw, order)
             : BN_OK;
    st = bn_agree(ctx, st);
  }
  free(a);
  free(usage);
  return st;
}

static bn_status_t bn_pic_kernel(bn_ctx_t *ctx, bn_h5_t *f, const char *in,
                                 const char *out, bn_picture_info_t *info) {
  int kern = 0, sasd = 0, h = 0, w = 0;
  char *prob = NULL;
  int hp = 0;
  BN_CALL(ctx, bn_h5_attr_exists(f, "/", "problem", &hp));
  if (hp) BN_CALL(ctx, bn_h5_attr_get_str(f, "/", "problem", &prob));
  BN_CALL(ctx, bn_h5_exists(f, "/kernel", &kern));
  if (prob && !strcmp(prob, "sasd")) BN_CALL(ctx, bn_h5_exists(f, "/a", &sasd));
  free(prob);
  if (!kern && !sasd)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s has no kernel: --what=kernel draws a result of "
                        "benign deconv (/kernel) or benign sasd (/a)",
                        in);
  const char *name = sasd ? "/a" : "/kernel";
  double *k = NULL;
  BN_CALL(ctx, bn_pic_read_all(ctx, f, name, &h, &w, &k));
  bn_kernel_pic_t pi;
  memset(&pi, 0, sizeof pi);
  bn_status_t st = bn_ctx_rank(ctx) == 0
                       ? bn_kernel_png(ctx, out, k, h, w,
                                       sasd ? "kernel /a" : "/kernel", &pi)
                       : BN_OK;
  st = bn_agree(ctx, st);
  bn_kernel_centre(k, h, w, &info->cy, &info->cx);
  info->count = 1;
  info->h = h;
  info->w = w;
  info->width = pi.width; /* rank 0's */
  info->height = pi.height;
  free(k);
  return st;
}

static bn_status_t bn_pic_file(bn_ctx_t *ctx, const char *in, const char *out,
                               bn_picture_info_t *info, int atoms) {
  bn_picture_info_t local;
  bn_picture_info_t *pi = info ? info : &local;
  memset(pi, 0, sizeof *pi);
  pi->dc = -1;
  bn_h5_t *f = NULL;
  BN_CALL(ctx, bn_h5_open(ctx, in, &f));
  bn_status_t st = atoms ? bn_pic_atoms(ctx, f, in, out, pi)
                         : bn_pic_kernel(ctx, f, in, out, pi);
  bn_h5_close(f);
  return st;
}

bn_status_t bn_picture_atoms_file(bn_ctx_t *ctx, const char *in,
                                  const char *out, bn_picture_info_t *info) {
  return bn_pic_file(ctx, in, out, info, 1);
}

bn_status_t bn_picture_kernel_file(bn_ctx_t *ctx, const char *in,
                                   const char *out, bn_picture_info_t *info) {
  return bn_pic_file(ctx, in, out, info, 0);
}
