/* bn_import_patches: a corpus of images -> /Y, one patch per row.
 *
 * Each process decodes its block of images (import_corpus.c) and numbers
 * its patches from g0, the count of patches before its first image (an
 * exclusive prefix sum), so patch g is the same patch on any number of
 * processes. With --unit-norm a first pass finds the zero-norm patches
 * (dropped); with --max-patches each remaining patch g gets the key
 * bn_rng_uniform(seed, BN_PATCH_STREAM, g, 0) and the smallest keys are
 * kept (bn_patch_select). The kept patches are written in global order:
 * this process's rows follow those of the processes before it, so the
 * file is the same on any number of processes. */
#include <stdlib.h>
#include <string.h>

#include "benign/ctx.h"
#include "benign/dmat.h"
#include "benign/h5.h"
#include "benign/patches.h"
#include "benign/paths.h"
#include "benign/png.h"
#include "benign/rng.h"
#include "io/image_internal.h"

#define BN_PATCH_PNG_MAX 100

static bn_status_t check_params(bn_ctx_t *ctx, const bn_patch_params_t *p) {
  if (!p || !p->format || !p->input || !p->output)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "import: format, input and output are required");
  if (strcmp(p->format, "image") && strcmp(p->format, "idx") &&
      strcmp(p->format, "h5"))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "import: unknown image format '%s' (image, idx or h5)",
                        p->format);
  if (p->ph < 1 || p->pw < 1)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "import: the patch size %dx%d must be positive", p->ph,
                        p->pw);
  if (p->stride < 1)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "import: --stride=%d must be at least 1", p->stride);
  if (p->max_patches < 0)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "import: --max-patches=%lld must be 0 (all) or "
                        "positive",
                        (long long)p->max_patches);
  return BN_OK;
}

/* Not agreed: every local image must hold at least one patch. */
static bn_status_t check_sizes(bn_ctx_t *ctx, const bn_patch_params_t *p,
                               const bn_corpus_t *c) {
  for (int64_t k = 0; k < c->n; k++)
    if (c->img[k].h < p->ph || c->img[k].w < p->pw) {
      char label[512];
      bn_corpus_label(c, p->input, k, label, sizeof label);
      return BN_ERROR(ctx, BN_ERR_DATA,
                      "%s: the image (%d x %d, width x height) is smaller "
                      "than the patch %dx%d (height x width); choose a "
                      "smaller --patch",
                      label, c->img[k].w, c->img[k].h, p->ph, p->pw);
    }
  return BN_OK;
}

/* ok[k] = 1 unless unit_norm drops local patch k; returns the drops. */
static int64_t mark_valid(const bn_patch_params_t *p, const bn_corpus_t *c,
                          double *work, unsigned char *ok) {
  int64_t k = 0, dropped = 0;
  int m = p->ph * p->pw;
  for (int64_t i = 0; i < c->n; i++) {
    const bn_img_t *im = &c->img[i];
    int64_t np = bn_patch_count(im->h, im->w, p->ph, p->pw, p->stride);
    for (int64_t j = 0; j < np; j++, k++) {
      ok[k] = 1;
      if (!p->unit_norm) continue;
      bn_patch_extract(im->px, im->h, im->w, p->ph, p->pw, p->stride, j, work);
      if (bn_patch_normalize(work, m, p->center, true)) {
        ok[k] = 0;
        dropped++;
      }
    }
  }
  return dropped;
}

/* The kept local patches into y (rows in order). */
static void fill_rows(const bn_patch_params_t *p, const bn_corpus_t *c,
                      const unsigned char *sel, double *y) {
  int64_t k = 0, row = 0;
  int m = p->ph * p->pw;
  for (int64_t i = 0; i < c->n; i++) {
    const bn_img_t *im = &c->img[i];
    int64_t np = bn_patch_count(im->h, im->w, p->ph, p->pw, p->stride);
    for (int64_t j = 0; j < np; j++, k++) {
      if (!sel[k]) continue;
      double *v = y + (size_t)row++ * m;
      bn_patch_extract(im->px, im->h, im->w, p->ph, p->pw, p->stride, j, v);
      bn_patch_normalize(v, m, p->center, p->unit_norm);
    }
  }
}

/* Collective: the first rows of y gathered on rank 0, drawn as a mosaic. */
static bn_status_t write_mosaic(bn_ctx_t *ctx, const bn_patch_params_t *p,
                                const bn_dmat_t *y) {
  int np = bn_ctx_size(ctx), m = bn_dmat_cols(y);
  int64_t want =
      bn_dmat_rows(y) < BN_PATCH_PNG_MAX ? bn_dmat_rows(y) : BN_PATCH_PNG_MAX;
  int64_t r0 = bn_dmat_first_row(y), nl = bn_dmat_local_rows(y);
  int64_t mine = r0 >= want ? 0 : (r0 + nl < want ? nl : want - r0);
  int cnt = (int)(mine * m), *counts = NULL, *displs = NULL;
  double *all = NULL;
  bn_status_t st = BN_OK;
  if (bn_ctx_rank(ctx) == 0) {
    st = bn_calloc(ctx, (size_t)np, sizeof(int), &counts);
    if (st == BN_OK) st = bn_calloc(ctx, (size_t)np, sizeof(int), &displs);
    if (st == BN_OK)
      st = bn_mallocn(ctx, bn_size_mul((size_t)want, m), sizeof(double), &all);
  }
  BN_TRY(ctx, st, bn_agree(ctx, st));
  BN_MPI(ctx,
         MPI_Gather(&cnt, 1, MPI_INT, counts, 1, MPI_INT, 0, bn_ctx_comm(ctx)));
  for (int r = 1; counts && r < np; r++)
    displs[r] = displs[r - 1] + counts[r - 1];
  BN_MPI(ctx, MPI_Gatherv(bn_dmat_cdata(y), cnt, MPI_DOUBLE, all, counts,
                          displs, MPI_DOUBLE, 0, bn_ctx_comm(ctx)));
  if (bn_ctx_rank(ctx) == 0)
    st =
        bn_png_mosaic(ctx, p->patches_png, all, (int)want, p->ph, p->pw, m, 1,
                      p->center ? BN_PNG_SCALE_SYMMETRIC : BN_PNG_SCALE_MINMAX);
  st = bn_agree(ctx, st);
cleanup:
  free(all);
  free(displs);
  free(counts);
  return st;
}

static bn_status_t write_attrs(bn_h5_t *f, const bn_patch_params_t *p,
                               const bn_corpus_t *c,
                               const bn_patch_stats_t *s) {
  const struct {
    const char *name;
    int64_t v;
  } ints[] = {{"patch_h", p->ph},
              {"patch_w", p->pw},
              {"stride", p->stride},
              {"images", s->images},
              {"patches_total", s->total},
              {"patches_dropped", s->dropped},
              {"max_patches", p->max_patches},
              {"seed", (int64_t)p->seed},
              {"centered", p->center},
              {"unit_norm", p->unit_norm}};
  for (size_t k = 0; k < sizeof ints / sizeof *ints; k++) {
    bn_status_t st = bn_h5_attr_set_i64(f, "/", ints[k].name, ints[k].v);
    if (st != BN_OK) return st;
  }
  const char *strs[][2] = {{"pixels", c->stored ? "as stored" : "[0,1]"},
                           {"source", p->input},
                           {"format", p->format},
                           {"creator", "benign import"}};
  for (size_t k = 0; k < sizeof strs / sizeof *strs; k++) {
    bn_status_t st = bn_h5_attr_set_str(f, "/", strs[k][0], strs[k][1]);
    if (st != BN_OK) return st;
  }
  return BN_OK;
}

bn_status_t bn_import_patches(bn_ctx_t *ctx, const bn_patch_params_t *p,
                              bn_patch_stats_t *stats) {
  bn_corpus_t c;
  bn_patch_stats_t s;
  unsigned char *sel = NULL;
  uint64_t *keys = NULL;
  double *work = NULL;
  bn_dist_t *dist = NULL;
  bn_dmat_t *y = NULL;
  bn_idx_t *off = NULL;
  bn_h5_t *f = NULL;
  bn_status_t st;
  MPI_Comm comm = bn_ctx_comm(ctx);
  int np = bn_ctx_size(ctx), m = p ? p->ph * p->pw : 0;
  memset(&c, 0, sizeof c);
  memset(&s, 0, sizeof s);
  BN_CALL(ctx, check_params(ctx, p));
  BN_CALL(ctx, bn_h5_check_output(ctx, p->output, p->input));
  if (p->patches_png) { /* a picture must not replace the input or output */
    bn_paths_t *ps = NULL;
    BN_CALL(ctx, bn_paths_create(ctx, &ps));
    bn_paths_output(ps, p->output, "--output");
    bn_paths_output(ps, p->patches_png, "--patches-png");
    st = bn_paths_check(ps);
    bn_paths_destroy(ps);
    BN_CALL(ctx, st);
  }
  BN_TRY(ctx, st, bn_corpus_load(ctx, p, &c));
  BN_TRY(ctx, st, bn_agree(ctx, check_sizes(ctx, p, &c)));
  /* Patch numbering: g0 = patches of the images before this process's. */
  int64_t nl = 0, g0 = 0, px = 0, sums[3], loc[3];
  for (int64_t i = 0; i < c.n; i++) {
    nl += bn_patch_count(c.img[i].h, c.img[i].w, p->ph, p->pw, p->stride);
    px += (int64_t)c.img[i].h * c.img[i].w;
  }
  BN_MPI(ctx, MPI_Exscan(&nl, &g0, 1, MPI_INT64_T, MPI_SUM, comm));
  if (bn_ctx_rank(ctx) == 0) g0 = 0; /* MPI_Exscan leaves rank 0's alone */
  st = bn_malloc(ctx, (size_t)nl + 1, &sel);
  if (st == BN_OK) st = bn_mallocn(ctx, (size_t)m, sizeof(double), &work);
  BN_TRY(ctx, st, bn_agree(ctx, st));
  loc[0] = nl;
  loc[1] = mark_valid(p, &c, work, sel);
  loc[2] = px;
  BN_MPI(ctx, MPI_Allreduce(loc, sums, 3, MPI_INT64_T, MPI_SUM, comm));
  s = (bn_patch_stats_t){c.total, sums[0], sums[1], 0, m, sums[2]};
  if (s.total == s.dropped)
    BN_TRY(ctx, st,
           BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: no patch left: all %lld patches are constant "
                        "(zero norm after centering), so none can be scaled "
                        "to unit norm",
                        p->input, (long long)s.total));
  if (p->max_patches > 0 && p->max_patches < s.total - s.dropped) {
    BN_TRY(ctx, st,
           bn_agree(ctx, bn_mallocn(ctx, (size_t)nl + 1, sizeof *keys, &keys)));
    for (int64_t k = 0; k < nl; k++) {
      double u =
          bn_rng_uniform(p->seed, BN_PATCH_STREAM, (uint64_t)(g0 + k), 0);
      /* A positive double's bits order like its value. */
      memcpy(&keys[k], &u, sizeof u);
      if (!sel[k]) keys[k] = UINT64_MAX;
    }
    BN_TRY(ctx, st, bn_patch_select(ctx, nl, keys, g0, p->max_patches, sel));
    free(keys);
    keys = NULL;
  }
  /* Rows: this process's kept patches follow the earlier processes'. */
  int64_t kept = 0;
  for (int64_t k = 0; k < nl; k++) kept += sel[k];
  BN_TRY(ctx, st,
         bn_agree(ctx, bn_mallocn(ctx, (size_t)(np + 1), sizeof *off, &off)));
  off[0] = 0;
  BN_MPI(ctx,
         MPI_Allgather(&kept, 1, MPI_INT64_T, off + 1, 1, MPI_INT64_T, comm));
  for (int r = 0; r < np; r++) off[r + 1] += off[r];
  s.written = off[np];
  BN_TRY(ctx, st, bn_dist_create_offsets(ctx, off, &dist));
  BN_TRY(ctx, st,
         bn_h5_check_space(ctx, p->output,
                           (double)s.written * m * sizeof(double)));
  BN_TRY(ctx, st, bn_dmat_create(dist, m, &y));
  fill_rows(p, &c, sel, bn_dmat_data(y));
  BN_TRY(
      ctx, st,
      bn_h5_create(ctx, p->output, (double)s.written * m * sizeof(double), &f));
  BN_TRY(ctx, st, bn_h5_write_dmat(f, "/Y", y));
  BN_TRY(ctx, st, write_attrs(f, p, &c, &s));
  BN_TRY(ctx, st, bn_h5_commit(f));
  if (p->patches_png) BN_TRY(ctx, st, write_mosaic(ctx, p, y));
  if (stats) *stats = s;
cleanup:
  bn_h5_close(f);
  bn_dmat_destroy(y);
  bn_dist_destroy(dist);
  free(off);
  free(work);
  free(keys);
  free(sel);
  bn_corpus_free(&c);
  return st;
}
