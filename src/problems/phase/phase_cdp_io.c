/* Phase retrieval, coded diffraction patterns: the input's shape and /y
 * (L x h x w, read and written by the ranks' image rows), and the
 * synthetic instances of `generate phase --model=cdp`. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "benign/generate.h"
#include "problems/phase/phase_cdp.h"

/* Each rank's image rows r0 .. r0 + n0 of every pattern: the block
 * (0, r0, 0) + (L, n0, w) of the L x h x w dataset, which is the layout
 * of buf (pattern-major, then the rank's rows). */
bn_status_t bn_cdp_h5_read(bn_h5_t *f, const char *name, const bn_cdp_t *c,
                           double *buf) {
  bn_idx_t start[3] = {0, (bn_idx_t)c->r0, 0};
  bn_idx_t count[3] = {c->L, (bn_idx_t)c->n0, c->w};
  return bn_h5_read_block(f, name, 3, start, count, buf);
}

bn_status_t bn_cdp_h5_write(bn_h5_t *f, const char *name, const bn_cdp_t *c,
                            const double *buf) {
  bn_idx_t dims[3] = {c->L, c->h, c->w};
  bn_idx_t start[3] = {0, (bn_idx_t)c->r0, 0};
  bn_idx_t count[3] = {c->L, (bn_idx_t)c->n0, c->w};
  BN_CALL(bn_h5_ctx(f), bn_h5_create_nd(f, name, 3, dims));
  return bn_h5_write_block(f, name, 3, start, count, buf);
}

/* An integer attribute of /y that a cdp input must have. */
static bn_status_t bn_cdp_attr(bn_phase_t *s, bn_h5_t *f, const char *name,
                               int64_t *v) {
  int has;
  BN_CALL(s->ctx, bn_h5_attr_exists(f, "/y", name, &has));
  if (!has)
    return BN_ERROR_ALL(s->ctx, BN_ERR_DATA,
                        "%s: a cdp model needs the attribute %s of /y "
                        "(height, width, patterns, seed)",
                        s->input, name);
  return bn_h5_attr_get_i64(f, "/y", name, v);
}

bn_status_t bn_phase_cdp_shape(bn_phase_t *s, bn_h5_t *f, const bn_idx_t *d) {
  bn_ctx_t *ctx = s->ctx;
  int64_t h, w, L, seed;
  BN_CALL(ctx, bn_cdp_attr(s, f, "height", &h));
  BN_CALL(ctx, bn_cdp_attr(s, f, "width", &w));
  BN_CALL(ctx, bn_cdp_attr(s, f, "patterns", &L));
  BN_CALL(ctx, bn_cdp_attr(s, f, "seed", &seed));
  if (L < 1 || h < 1 || w < 1 || L > 65536)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: attributes patterns = %lld, height = %lld, width "
                        "= %lld of /y: each must be at least 1 (patterns at "
                        "most 65536)",
                        s->input, (long long)L, (long long)h, (long long)w);
  if (d[0] != L || d[1] != h || d[2] != w)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: /y is %lld x %lld x %lld but its attributes say "
                        "patterns x height x width = %lld x %lld x %lld",
                        s->input, (long long)d[0], (long long)d[1],
                        (long long)d[2], (long long)L, (long long)h,
                        (long long)w);
  if (h * w > INT32_MAX / 2)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: a %lld x %lld image is too large", s->input,
                        (long long)h, (long long)w);
  s->n = h * w;
  s->cplx = 1;
  s->K = 2;
  s->seed = (uint64_t)seed;
  bn_cdp_t *c = NULL;
  BN_CALL(ctx,
          bn_cdp_create(ctx, h, w, (int)L, (uint64_t)seed, s->fft_plan, &c));
  s->md = c;
  /* Both distributions follow FFTW's slabs (ranks in order). */
  const int P = bn_ctx_size(ctx);
  bn_idx_t *off = NULL;
  int64_t mine = (int64_t)c->n0, *all = NULL;
  BN_CALL(ctx, bn_agree(ctx, bn_calloc(
                                 ctx, bn_size_add(bn_size_mul(2, (size_t)P), 2),
                                 sizeof(int64_t), &all)));
  off = (bn_idx_t *)(all + P);
  bn_status_t st = BN_OK;
  if (MPI_Allgather(&mine, 1, MPI_INT64_T, all, 1, MPI_INT64_T,
                    bn_ctx_comm(ctx)) != MPI_SUCCESS)
    st = BN_ERROR(ctx, BN_ERR_MPI, "MPI_Allgather failed");
  if (st == BN_OK) {
    off[0] = 0;
    for (int p = 0; p < P; p++) off[p + 1] = off[p] + (bn_idx_t)all[p] * w;
    st = bn_dist_create_offsets(ctx, off, &s->xdist);
  }
  if (st == BN_OK) {
    for (int p = 0; p <= P; p++) off[p] *= L;
    st = bn_dist_create_offsets(ctx, off, &s->mdist);
  }
  free(all);
  return st;
}

bn_status_t bn_phase_cdp_read_y(bn_phase_t *s, bn_h5_t *f, double *y) {
  return bn_cdp_h5_read(f, "/y", s->md, y);
}

/* ---- generate phase --model=cdp ---- */

static bn_status_t bn_cdp_gen_check(bn_ctx_t *ctx,
                                    const bn_phase_cdp_gen_t *g) {
  if (g->height < 1 || g->width < 1)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--height and --width must be "
                        "positive");
  if (g->height * g->width > INT32_MAX / 2)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "a %lld x %lld image is too large",
                        (long long)g->height, (long long)g->width);
  if (g->patterns < 1 || g->patterns > 65536)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--patterns=%lld: must be in [1, 65536]",
                        (long long)g->patterns);
  if (!g->image || (strcmp(g->image, "random") && strcmp(g->image, "smooth")))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--image must be random or smooth");
  if (!g->data ||
      (strcmp(g->data, "intensity") && strcmp(g->data, "amplitude")))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--data must be intensity or amplitude");
  if (!(g->noise >= 0) || !isfinite(g->noise))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--noise must be nonnegative");
  return BN_OK;
}

/* x_true (replicated, 2 n doubles), |x| = 1: CN(0, 1/n) entries, or a
 * smooth magnitude with a smooth phase. */
static void bn_cdp_gen_image(const bn_phase_cdp_gen_t *g, double *x) {
  const bn_idx_t h = g->height, w = g->width, n = h * w;
  if (!strcmp(g->image, "random")) {
    double sd = 1.0 / sqrt(2.0 * (double)n);
    for (size_t e = 0; e < 2 * (size_t)n; e++)
      x[e] = sd * bn_rng_normal(g->seed, BN_PHASE_STREAM_TRUTH, e, 0);
    return;
  }
  const double tp = 6.283185307179586477;
  double sq = 0.0;
  for (bn_idx_t r = 0; r < h; r++)
    for (bn_idx_t c = 0; c < w; c++) {
      double u = (double)r / (double)h, v = (double)c / (double)w;
      double mag =
          1.0 + 0.5 * cos(tp * u) * sin(tp * v) + 0.25 * cos(tp * 3 * v);
      double ph = tp * (u * v + 0.25 * sin(tp * (u + v)));
      size_t j = (size_t)(r * w + c);
      x[2 * j] = mag * cos(ph);
      x[2 * j + 1] = mag * sin(ph);
      sq += mag * mag;
    }
  for (size_t e = 0; e < 2 * (size_t)n; e++) x[e] /= sqrt(sq);
}

static bn_status_t bn_cdp_gen_attrs(bn_h5_t *f, const bn_phase_cdp_gen_t *g) {
  const char *o[2] = {"/y", "/"};
  bn_status_t st = BN_OK;
  for (int k = 0; k < 2 && st == BN_OK; k++) {
    st = bn_h5_attr_set_str(f, o[k], "model", "cdp");
    if (st == BN_OK) st = bn_h5_attr_set_str(f, o[k], "field", "complex");
    if (st == BN_OK) st = bn_h5_attr_set_str(f, o[k], "data", g->data);
    if (st == BN_OK) st = bn_h5_attr_set_i64(f, o[k], "height", g->height);
    if (st == BN_OK) st = bn_h5_attr_set_i64(f, o[k], "width", g->width);
    if (st == BN_OK) st = bn_h5_attr_set_i64(f, o[k], "patterns", g->patterns);
    if (st == BN_OK)
      st = bn_h5_attr_set_i64(f, o[k], "n", g->height * g->width);
    if (st == BN_OK) st = bn_h5_attr_set_i64(f, o[k], "seed", (int64_t)g->seed);
  }
  if (st == BN_OK)
    st = bn_h5_attr_set_str(f, "/", "creator", "benign generate phase");
  if (st == BN_OK) st = bn_h5_attr_set_str(f, "/", "problem", "phase");
  if (st == BN_OK) st = bn_h5_attr_set_str(f, "/", "image", g->image);
  if (st == BN_OK)
    st = bn_h5_attr_set_i64(f, "/", "measurements",
                            g->patterns * g->height * g->width);
  if (st == BN_OK) st = bn_h5_attr_set_f64(f, "/", "noise", g->noise);
  if (st == BN_OK)
    st = bn_h5_attr_set_str(f, "/", "version", BN_VERSION_STRING);
  return st;
}

bn_status_t bn_generate_phase_cdp(bn_ctx_t *ctx, const bn_phase_cdp_gen_t *g,
                                  const char *output) {
  BN_CALL(ctx, bn_agree(ctx, bn_cdp_gen_check(ctx, g)));
  const bn_idx_t n = g->height * g->width, L = g->patterns;
  const int amp = !strcmp(g->data, "amplitude");
  BN_CALL(ctx, bn_h5_check_output(ctx, output, NULL));
  BN_CALL(ctx, bn_h5_check_space(ctx, output, 8.0 * (double)(L + 2) * n));
  bn_cdp_t *c = NULL;
  BN_CALL(ctx, bn_cdp_create(ctx, g->height, g->width, (int)L, g->seed,
                             FFTW_ESTIMATE, &c));
  const size_t nl = (size_t)c->n0 * (size_t)c->w;
  double *x = NULL, *y = NULL;
  bn_h5_t *f = NULL;
  bn_status_t st = bn_mallocn(ctx, bn_size_add(bn_size_mul(2, (size_t)n), 1),
                              sizeof(double), &x);
  if (st == BN_OK)
    st = bn_mallocn(ctx, bn_size_add(bn_size_mul((size_t)L, nl), 1),
                    sizeof(double), &y);
  st = bn_agree(ctx, st);
  if (st == BN_OK) {
    bn_cdp_gen_image(g, x);
    for (int l = 0; l < (int)L; l++) {
      bn_cdp_forward(c, l, x + 2 * (size_t)c->r0 * (size_t)c->w, c->ub);
      for (size_t k = 0; k < nl; k++) {
        double a2 = c->ub[k][0] * c->ub[k][0] + c->ub[k][1] * c->ub[k][1];
        double v = amp ? sqrt(a2) : a2;
        if (g->noise > 0) {
          uint64_t i = (uint64_t)(l * n + (bn_idx_t)c->r0 * c->w) + k;
          v += g->noise * bn_rng_normal(g->seed, BN_PHASE_STREAM_NOISE, i, 0);
        }
        y[(size_t)l * nl + k] = v > 0 ? v : 0.0;
      }
    }
    st = bn_h5_create(ctx, output, 8.0 * (double)(L + 2) * n, &f);
  }
  if (st == BN_OK) st = bn_cdp_h5_write(f, "/y", c, y);
  if (st == BN_OK) {
    bn_idx_t dims[2] = {n, 2}, j0 = (bn_idx_t)c->r0 * c->w;
    st = bn_h5_write_rows(f, "/x_true", 2, dims, j0, (bn_idx_t)nl,
                          x + 2 * (size_t)j0);
  }
  if (st == BN_OK) st = bn_cdp_gen_attrs(f, g);
  if (st == BN_OK) st = bn_h5_commit(f);
  bn_h5_close(f);
  free(x);
  free(y);
  bn_cdp_free(c);
  return st;
}
