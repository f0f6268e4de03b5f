/* Generalized linear model: setup from an HDF5 input, result output. */
#include "problems/glm/glm.h"
#include "problems/lowrank/lowrank.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const bn_optdef_t bn_glm_optdefs[] = {
    {"link", BN_OPT_CHOICE, "auto",
     "the link sigma of y = sigma(w^T x) + noise: auto (the `link` attribute "
     "of /y), sigmoid, tanh, softplus (smooth relu) or linear",
     "auto|sigmoid|tanh|softplus|linear"},
    {"init-scale", BN_OPT_REAL, "0.01",
     "--init=random: entries of w ~ N(0, s^2 / d) with s = init-scale (so "
     "|w| is about s); 0 starts from w = 0",
     NULL},
    {NULL, 0, NULL, NULL, NULL}};

void bn_glm_free(bn_glm_t *s) {
  if (!s) return;
  bn_dist_destroy(s->sdist);
  bn_dist_destroy(s->wdist);
  bn_dmat_destroy(s->xmat);
  free(s->y);
  free(s->truth);
  free(s->wf);
  free(s->z);
  free(s->cnt);
  free(s->input);
  free(s);
}

static void bn_glm_destroy(void *data) { bn_glm_free(data); }

bn_status_t bn_glm_prepare(bn_glm_t *s) {
  bn_ctx_t *ctx = s->ctx;
  const int P = bn_ctx_size(ctx);
  size_t d = (size_t)s->d, nl = (size_t)s->nl;
  s->t_kernel = bn_timer_id(ctx, "samples kernel");
  s->t_comm = bn_timer_id(ctx, "gather w, reduce-scatter grad");
  bn_status_t st = bn_mallocn(ctx, bn_size_mul(3, d), sizeof(double), &s->wf);
  if (st == BN_OK) {
    s->vf = s->wf + d;
    s->gw = s->vf + d;
    st = bn_mallocn(ctx, bn_size_add(bn_size_mul(3, nl), 1), sizeof(double),
                    &s->z);
  }
  if (st == BN_OK) {
    s->u = s->z + nl;
    s->c = s->u + nl;
    st = bn_mallocn(ctx, bn_size_mul(2, (size_t)P), sizeof(int), &s->cnt);
  }
  if (st == BN_OK) {
    s->dsp = s->cnt + P;
    for (int p = 0; p < P; p++) {
      s->dsp[p] = (int)bn_dist_offset(s->wdist, p);
      s->cnt[p] = (int)bn_dist_offset(s->wdist, p + 1) - s->dsp[p];
    }
  }
  return bn_agree(ctx, st);
}

static bn_status_t bn_glm_options(void *data, bn_ctx_t *ctx,
                                  const bn_opts_t *opts) {
  bn_glm_t *s = data;
  s->ctx = ctx;
  double scale;
  BN_CALL(ctx, bn_opts_real(opts, "init-scale", &scale));
  if (!(scale >= 0) || !isfinite(scale))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--init-scale must be finite and nonnegative");
  const char *solver = bn_opts_string(opts, "solver");
  if (bn_solver_sweeps(solver))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--solver=%s: glm has no alternating sweep; use gd "
                        "or agd",
                        solver);
  return bn_lr_input(ctx, opts, &s->input);
}

/* The link: --link, or the `link` attribute of /y for --link=auto. */
static bn_status_t bn_glm_read_link(bn_glm_t *s, bn_h5_t *f,
                                    const bn_opts_t *opts) {
  bn_ctx_t *ctx = s->ctx;
  const char *want = bn_opts_string(opts, "link");
  if (want && strcmp(want, "auto")) {
    s->link = (bn_glm_link_t)bn_glm_link_parse(want);
    return BN_OK;
  }
  char *name = NULL;
  bn_status_t st = bn_h5_attr_get_str(f, "/y", "link", &name);
  if (st != BN_OK) {
    bn_error_clear(ctx);
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: /y has no `link` attribute: give "
                        "--link=sigmoid|tanh|softplus|linear",
                        s->input);
  }
  int k = bn_glm_link_parse(name);
  if (k < 0)
    st = BN_ERROR_ALL(ctx, BN_ERR_DATA,
                      "%s: unknown link '%s' (attribute of /y): expected "
                      "sigmoid, tanh, softplus or linear",
                      s->input, name);
  free(name);
  s->link = (bn_glm_link_t)(k < 0 ? 0 : k);
  return st;
}

static bn_status_t bn_glm_read_shapes(bn_glm_t *s, bn_h5_t *f) {
  bn_ctx_t *ctx = s->ctx;
  int has, nd;
  bn_idx_t dims[4];
  const char *names[2] = {"/X", "/y"};
  for (int k = 0; k < 2; k++) {
    BN_CALL(ctx, bn_h5_exists(f, names[k], &has));
    if (!has)
      return BN_ERROR_ALL(
          ctx, BN_ERR_DATA, "%s: no dataset %s (%s): not a glm input", s->input,
          names[k], k ? "the responses, n" : "the samples, n x d");
  }
  BN_CALL(ctx, bn_h5_shape(f, "/X", &nd, dims));
  if (nd != 2 || dims[0] < 1 || dims[1] < 1)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: /X must be a 2-D dataset (n samples x d "
                        "features) with n, d >= 1",
                        s->input);
  s->n = dims[0];
  s->d = dims[1];
  if (s->d > INT32_MAX / 2)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA, "%s: d = %lld features is too many",
                        s->input, (long long)s->d);
  BN_CALL(ctx, bn_h5_shape(f, "/y", &nd, dims));
  if (nd != 1 || dims[0] != s->n)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: /y must be 1-D with one response per row of /X "
                        "(/X has %lld rows, /y %s %lld)",
                        s->input, (long long)s->n,
                        nd == 1 ? "has" : "is not 1-D, with",
                        (long long)dims[0]);
  return BN_OK;
}

/* /truth/w, if present: d values, read whole on every rank. */
static bn_status_t bn_glm_read_truth(bn_glm_t *s, bn_h5_t *f) {
  bn_ctx_t *ctx = s->ctx;
  int has, nd;
  bn_idx_t dims[4];
  BN_CALL(ctx, bn_h5_exists(f, "/truth/w", &has));
  if (!has) return BN_OK;
  BN_CALL(ctx, bn_h5_shape(f, "/truth/w", &nd, dims));
  if (nd != 1 || dims[0] != s->d)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: /truth/w must be 1-D with d = %lld entries (one "
                        "per column of /X)",
                        s->input, (long long)s->d);
  BN_CALL(ctx, bn_agree(ctx, bn_mallocn(ctx, (size_t)s->d, sizeof(double),
                                        &s->truth)));
  BN_CALL(ctx, bn_h5_read_f64(f, "/truth/w", 0, s->d, s->truth));
  double t2 = 0.0;
  for (bn_idx_t j = 0; j < s->d; j++) t2 += s->truth[j] * s->truth[j];
  s->truth_norm = sqrt(t2);
  if (!(s->truth_norm > 0) || !isfinite(s->truth_norm))
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: /truth/w must be finite and nonzero", s->input);
  return BN_OK;
}

static bn_status_t bn_glm_read(void *data, bn_h5_t *f, const bn_opts_t *opts) {
  bn_glm_t *s = data;
  bn_ctx_t *ctx = s->ctx;
  BN_CALL(ctx, bn_glm_read_shapes(s, f));
  BN_CALL(ctx, bn_glm_read_link(s, f, opts));
  BN_CALL(ctx, bn_dist_create_uniform(ctx, s->n, &s->sdist));
  BN_CALL(ctx, bn_dist_create_uniform(ctx, s->d, &s->wdist));
  s->nl = bn_dist_local(s->sdist);
  s->wl = bn_dist_local(s->wdist);
  BN_CALL(ctx, bn_h5_read_dmat(f, "/X", s->sdist, (int)s->d, &s->xmat));
  s->x = bn_dmat_cdata(s->xmat);
  bn_idx_t first = bn_dist_first(s->sdist);
  int64_t bad;
  BN_CALL(ctx, bn_lr_first_bad(ctx, s->x, (size_t)(s->nl * s->d), first,
                               (size_t)s->d, &bad));
  if (bad >= 0)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: /X row %lld holds a NaN or infinite value",
                        s->input, (long long)bad);
  BN_CALL(ctx, bn_agree(ctx, bn_mallocn(ctx, (size_t)s->nl + 1, sizeof(double),
                                        &s->y)));
  BN_CALL(ctx, bn_h5_read_f64(f, "/y", first, s->nl, s->y));
  BN_CALL(ctx, bn_lr_first_bad(ctx, s->y, (size_t)s->nl, first, 1, &bad));
  if (bad >= 0)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: /y[%lld] is NaN or infinite: responses must be "
                        "finite",
                        s->input, (long long)bad);
  return bn_glm_read_truth(s, f);
}

static bn_status_t bn_glm_prepare_data(void *data) {
  return bn_glm_prepare(data);
}

static bn_status_t bn_glm_create(bn_ctx_t *ctx, const bn_opts_t *opts,
                                 void **data) {
  static const bn_lr_setup_t setup = {sizeof(bn_glm_t), bn_glm_options,
                                      bn_glm_read, bn_glm_prepare_data,
                                      bn_glm_destroy};
  return bn_lr_create(ctx, opts, &setup, data);
}

static void bn_glm_objective(void *data, bn_objective_t *obj) {
  bn_glm_t *s = data;
  *obj = (bn_objective_t){.data = s,
                          .n = (size_t)s->wl,
                          .eval = bn_glm_eval,
                          .metrics = bn_glm_metrics,
                          .hvp = bn_glm_hvp};
}

static bn_status_t bn_glm_save(void *data, const double *w, bn_h5_t *f,
                               const char *prefix) {
  bn_glm_t *s = data;
  char name[256];
  snprintf(name, sizeof(name), "%sw", prefix);
  bn_status_t st =
      bn_h5_write_f64(f, name, s->d, bn_dist_first(s->wdist), s->wl, w);
  if (st == BN_OK && !strcmp(prefix, "/")) {
    st = bn_h5_attr_set_i64(f, "/", "samples", s->n);
    if (st == BN_OK) st = bn_h5_attr_set_i64(f, "/", "features", s->d);
    if (st == BN_OK)
      st = bn_h5_attr_set_str(f, "/", "link", bn_glm_link_names[s->link]);
    if (st == BN_OK) st = bn_h5_attr_set_str(f, "/", "input", s->input);
  }
  return st;
}

static bn_status_t bn_glm_load(void *data, bn_h5_t *f, const char *prefix,
                               double *w) {
  bn_glm_t *s = data;
  bn_ctx_t *ctx = s->ctx;
  char name[256];
  int nd;
  bn_idx_t dims[4];
  snprintf(name, sizeof(name), "%sw", prefix);
  BN_CALL(ctx, bn_h5_shape(f, name, &nd, dims));
  if (nd != 1 || dims[0] != s->d)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA, "%s: %s must hold d = %lld values",
                        bn_h5_path(f), name, (long long)s->d);
  return bn_h5_read_f64(f, name, bn_dist_first(s->wdist), s->wl, w);
}

static bn_status_t bn_glm_truth(void *data, double *w, bool *have) {
  bn_glm_t *s = data;
  *have = s->truth != NULL;
  if (s->truth)
    memcpy(w, s->truth + bn_dist_first(s->wdist),
           (size_t)s->wl * sizeof(double));
  return BN_OK;
}

static void bn_glm_describe(void *data, FILE *out) {
  bn_glm_t *s = data;
  fprintf(out, "INPUT=%s\nLINK=%s\nSAMPLES=%lld\nFEATURES=%lld\nTRUTH=%s\n",
          s->input, bn_glm_link_names[s->link], (long long)s->n,
          (long long)s->d, s->truth ? "yes" : "no");
}

const bn_problem_ops_t bn_problem_glm = {
    "glm",
    "generalized linear model y = sigma(w^T x) + noise: min 1/(2n) "
    "sum_i (sigma(w^T x_i) - y_i)^2 (sigmoid, tanh, softplus or linear "
    "link)",
    bn_glm_optdefs,
    bn_glm_create,
    bn_glm_objective,
    bn_glm_init,
    bn_glm_save,
    bn_glm_load,
    bn_glm_describe,
    bn_glm_destroy,
    bn_glm_truth,
    .usage =
        "mpirun -n P benign glm [deck.ini] --input=F.h5 "
        "[--link=auto|sigmoid|tanh|softplus|linear] [--output=G.h5] "
        "[--solver=gd|agd] [--init=spectral|random] ...",
    .gen_opts = bn_gen_glm_opts,
    .generate = bn_gen_glm_run};
