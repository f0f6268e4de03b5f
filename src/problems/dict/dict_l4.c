/* Dictionary learning, method `l4`: a complete dictionary by l4-norm
 * maximisation over the orthogonal group (Zhai, Yang, Liao, Wright and Ma
 * 2020):
 *
 *   f(W) = -|W Ybar|_4^4 / (4p),   W in O(m),
 *
 * whose minimisers are the signed permutations of the inverse dictionary
 * (in preconditioned coordinates). The matching-stretching-projection
 * step W <- Polar((W Ybar)^3 Ybar^T) is the objective's sweep (solver
 * als, the default); gd and agd run Riemannian gradient descent on O(m).
 * In the row layout of the samples, Z = Ybar_rows W^T (p x m) and
 * G = (Z^3)^T Ybar_rows = (W Ybar)^3 Ybar^T: two GEMMs of 2 m^2 p flops
 * per evaluation, local to each process, and one allreduce of G (m x m)
 * with f.
 *
 * Geometry (embedded metric, as for the Stiefel manifold), E = grad_E f =
 * -G/p:
 *   grad f(W)    = E - W sym(W^T E),
 *   P_W(V)       = V - W sym(W^T V),
 *   Hess f(W)[V] = P_W(D^2 f(W)[V] - V sym(W^T E)),
 *   D^2 f(W)[V]  = -(3/p) (Z^2 o (Ybar_rows V^T))^T Ybar_rows,
 *   R(W)         = Polar(W)   (the polar retraction).
 * The work on the samples, and the sample continuation of the als solver
 * (the first steps on a subset), are in dict_l4_kern.c; f, G and their
 * normalization are those of the current level's p_s samples.
 * W is rank 0's (m^2 doubles); an evaluation broadcasts it with a flag
 * telling whether it is the cached point, so the sweep after an
 * evaluation (and Hessian-vector products at one point) reuse Z and G. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problems/dict/dict.h"

/* Collective: make the cache hold f, E and Z at rank 0's W. */
static bn_status_t bn_dict_l4_at(bn_dict_t *d, const double *x) {
  bn_ctx_t *ctx = d->ctx;
  const size_t mm = (size_t)d->m * d->m;
  double *b = d->wf;
  if (bn_ctx_rank(ctx) == 0) {
    b[mm] = d->wvalid && !memcmp(x, d->wc, mm * sizeof(double));
    memcpy(b, x, mm * sizeof(double));
  }
  BN_MPI(ctx, MPI_Bcast(b, (int)mm + 1, MPI_DOUBLE, 0, bn_ctx_comm(ctx)));
  if (b[mm] != 0.0) return BN_OK;
  memcpy(d->wc, b, mm * sizeof(double));
  bn_timer_start(ctx, d->t_eval);
  double fs = 0.0;
  bn_dict_l4_apply(d, d->wc, d->gbuf, &fs);
  d->gbuf[mm] = fs;
  bn_timer_stop(ctx, d->t_eval);
  bn_timer_start(ctx, d->t_reduce);
  bn_status_t st = bn_allreduce_sum(ctx, d->gbuf, mm + 1);
  bn_timer_stop(ctx, d->t_reduce);
  BN_CALL(ctx, st);
  const double ip = 1.0 / (double)d->l4_ps;
  for (size_t k = 0; k < mm; k++) d->gcw[k] = -ip * d->gbuf[k];
  d->cfw = -0.25 * ip * d->gbuf[mm];
  d->wvalid = true;
  return BN_OK;
}

/* out = A sym(B^T C) for m x m row-major matrices (scratch s: m^2). */
static void bn_dict_asym(int m, const double *a, const double *b,
                         const double *c, double *s, double *out) {
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, m, m, m, 1.0, b, m, c, m,
              0.0, s, m);
  for (int i = 0; i < m; i++)
    for (int j = i; j < m; j++) {
      double v = 0.5 * (s[i * m + j] + s[j * m + i]);
      s[i * m + j] = s[j * m + i] = v;
    }
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, m, m, 1.0, a, m, s,
              m, 0.0, out, m);
}

/* v <- v - W sym(W^T v) (rank 0; scratch: the reduction buffer). */
static void bn_dict_l4_tangent(bn_dict_t *d, const double *w, double *v) {
  const int m = (int)d->m;
  const size_t mm = (size_t)m * m;
  double *s = d->gbuf, *t = d->gbuf + mm;
  bn_dict_asym(m, w, w, v, s, t);
  for (size_t k = 0; k < mm; k++) v[k] -= t[k];
}

bn_status_t bn_dict_l4_eval(void *data, const double *x, double *f, double *g) {
  bn_dict_t *d = data;
  BN_CALL(d->ctx, bn_dict_l4_at(d, x));
  *f = d->cfw;
  if (g && bn_ctx_rank(d->ctx) == 0) {
    memcpy(g, d->gcw, (size_t)d->m * d->m * sizeof(double));
    bn_dict_l4_tangent(d, x, g);
  }
  return BN_OK;
}

bn_status_t bn_dict_l4_hvp(void *data, const double *x, const double *v,
                           double *hv) {
  bn_dict_t *d = data;
  bn_ctx_t *ctx = d->ctx;
  const int m = (int)d->m;
  const size_t mm = (size_t)m * m;
  bn_dict_l4_double(d); /* the curvature from a double-precision Z */
  BN_CALL(ctx, bn_dict_l4_at(d, x));
  /* The input is projected too (H = P Hess P on all of R^(m x m)): a
   * component of v normal to O(m), which Lanczos accumulates from
   * rounding, then meets the eigenvalue 0 instead of an unsymmetric
   * response. */
  if (bn_ctx_rank(ctx) == 0) {
    memcpy(d->vf, v, mm * sizeof(double));
    bn_dict_l4_tangent(d, x, d->vf);
  }
  BN_MPI(ctx, MPI_Bcast(d->vf, (int)mm, MPI_DOUBLE, 0, bn_ctx_comm(ctx)));
  bn_timer_start(ctx, d->t_hvp);
  bn_dict_l4_apply_dir(d, d->vf, d->gbuf);
  bn_timer_stop(ctx, d->t_hvp);
  BN_CALL(ctx, bn_allreduce_sum(ctx, d->gbuf, mm));
  if (bn_ctx_rank(ctx) != 0) return BN_OK;
  const double ip = 1.0 / (double)d->l4_ps;
  for (size_t k = 0; k < mm; k++) hv[k] = -ip * d->gbuf[k];
  /* hv -= V sym(W^T E), then the projection. */
  double *s = d->gbuf, *t = d->gbuf + mm;
  bn_dict_asym(m, d->vf, x, d->gcw, s, t);
  for (size_t k = 0; k < mm; k++) hv[k] -= t[k];
  bn_dict_l4_tangent(d, x, hv);
  return BN_OK;
}

bn_status_t bn_dict_l4_retract(void *data, double *x) {
  bn_dict_t *d = data;
  bn_ctx_t *ctx = d->ctx;
  const size_t mm = (size_t)d->m * d->m;
  if (bn_ctx_size(ctx) > 1 && d->m >= d->scalapack_min) {
    /* ScaLAPACK's polar factor needs the matrix on every process. */
    if (bn_ctx_rank(ctx) == 0) memcpy(d->vf, x, mm * sizeof(double));
    BN_MPI(ctx, MPI_Bcast(d->vf, (int)mm, MPI_DOUBLE, 0, bn_ctx_comm(ctx)));
  } else if (bn_ctx_rank(ctx) == 0) {
    memcpy(d->vf, x, mm * sizeof(double));
  }
  bn_status_t st = BN_OK;
  if (bn_ctx_rank(ctx) == 0)
    for (size_t k = 0; k < mm; k++)
      if (!isfinite(d->vf[k])) {
        st = BN_ERROR(ctx, BN_ERR_NUM,
                      "the iterate W is not finite: it cannot be retracted "
                      "onto the orthogonal group");
        break;
      }
  BN_CALL(ctx, bn_agree(ctx, st));
  return bn_dict_polar(d, d->vf, x);
}

bn_status_t bn_dict_l4_project(void *data, const double *x, double *v) {
  bn_dict_t *d = data;
  if (bn_ctx_rank(d->ctx) == 0) bn_dict_l4_tangent(d, x, v);
  return BN_OK;
}

/* W <- Polar(G) = Polar(-E): one application of the samples per step, the
 * evaluation after the previous step having computed G at this W; on a
 * coarse level, the step's size decides the next level. */
bn_status_t bn_dict_l4_sweep(void *data, double *x) {
  bn_dict_t *d = data;
  BN_CALL(d->ctx, bn_dict_l4_at(d, x));
  const size_t mm = (size_t)d->m * d->m;
  for (size_t k = 0; k < mm; k++) d->vf[k] = -d->gcw[k];
  BN_CALL(d->ctx, bn_dict_polar(d, d->vf, x));
  return bn_dict_l4_next_level(d, d->wc, x);
}

/* The sine of the angle between the worst-matched true atom q*_k and its
 * nearest row of W. */
static bn_status_t bn_dict_l4_metrics(void *data, const double *x, double *rel,
                                      double *rmse) {
  bn_dict_t *d = data;
  *rmse = NAN;
  *rel = NAN;
  if (!d->nt) return BN_OK;
  if (bn_ctx_rank(d->ctx) == 0) {
    /* C = W Q* (m x nt; rows of W are unit vectors on O(m)). */
    const int m = (int)d->m, nt = d->nt;
    double worst = 1.0, *c = d->gbuf;
    for (int k0 = 0; k0 < nt; k0 += m) {
      int nb = nt - k0 < m ? nt - k0 : m;
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, nb, m, 1.0, x,
                  m, d->qtrue + k0, nt, 0.0, c, nb);
      for (int k = 0; k < nb; k++) {
        double best = 0.0;
        for (int i = 0; i < m; i++)
          best = fmax(best, c[i * nb + k] * c[i * nb + k]);
        worst = fmin(worst, best);
      }
    }
    *rel = sqrt(fmax(0.0, 1.0 - worst));
  }
  BN_MPI(d->ctx, MPI_Bcast(rel, 1, MPI_DOUBLE, 0, bn_ctx_comm(d->ctx)));
  return BN_OK;
}

static bn_status_t bn_dict_l4_options(bn_dict_t *d, const bn_opts_t *opts,
                                      const char **solver) {
  if (bn_opts_source(opts, "loss") >= BN_SRC_DECK)
    return BN_ERROR_ALL(d->ctx, BN_ERR_ARG,
                        "--loss: --method=l4 maximizes |W Y|_4^4 over the "
                        "orthogonal group; the losses are for --method=sphere");
  bool given = bn_opts_source(opts, "solver") >= BN_SRC_DECK;
  *solver = given ? bn_opts_string(opts, "solver") : "aals";
  d->loss = BN_DICT_L4;
  BN_CALL(d->ctx, bn_opts_real(opts, "l4-coarse", &d->l4_coarse));
  if (!(d->l4_coarse >= 0) || !isfinite(d->l4_coarse))
    return BN_ERROR_ALL(d->ctx, BN_ERR_ARG,
                        "--l4-coarse=%s: must be a number >= 0 (the first "
                        "level's samples in units of m^2; 0 = all samples)",
                        bn_opts_string(opts, "l4-coarse"));
  /* gd and agd's line searches need one objective throughout. */
  BN_CALL(d->ctx, bn_opts_bool(opts, "l4-single", &d->l4_single0));
  if (strcmp(*solver, "als") && strcmp(*solver, "aals")) {
    d->l4_coarse = 0;
    d->l4_single0 = false;
  }
  return BN_OK;
}

static bn_status_t bn_dict_l4_setup(bn_dict_t *d) {
  bn_ctx_t *ctx = d->ctx;
  if (d->n != 0 && d->n != d->m)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--atoms=%d: --method=l4 learns a complete dictionary "
                        "of m = %lld atoms (--method=sphere finds fewer, "
                        "--method=overcomplete more)",
                        d->n, (long long)d->m);
  d->n = (int)d->m;
  d->stages = 1;
  const size_t mm = (size_t)d->m * d->m, pm = (size_t)d->pl * d->m + 1;
  size_t len = (mm + 1) + mm + 2 * pm + (2 * mm + 1) + 2 * mm;
  BN_CALL(ctx, bn_agree(ctx, bn_mallocn(ctx, len, sizeof(double), &d->wf)));
  d->vf = d->wf + mm + 1;
  d->zl = d->vf + mm;
  d->cl = d->zl + pm;
  d->gbuf = d->cl + pm;
  d->wc = d->gbuf + 2 * mm + 1;
  d->gcw = d->wc + mm;
  BN_CALL(ctx, bn_agree(ctx, bn_calloc(ctx, mm + 1, sizeof(double), &d->qk)));
  if (d->l4_single0) {
    /* The samples as floats, then W and G (m^2 each). */
    size_t fl = bn_size_mul((size_t)d->pl, (size_t)d->m) + 2 * mm + 1;
    BN_CALL(ctx, bn_agree(ctx, bn_mallocn(ctx, fl, sizeof(float), &d->yf)));
    d->w32 = d->yf + (size_t)d->pl * d->m;
    d->g32 = d->w32 + mm;
    d->yf_ready = false;
  }
  bn_dict_l4_coarsest(d, d->l4_coarse);
  if (d->l4_stride0 > 1)
    bn_log(ctx, BN_LOG_INFO,
           "l4: the first steps use every %lld-th sample (%lld of %lld; "
           "--l4-coarse=%g), then twice as many each time a step moves no "
           "atom by more than 0.05, up to all\n",
           (long long)d->l4_stride0, (long long)d->l4_ps, (long long)d->p,
           d->l4_coarse);
  return BN_OK;
}

static void bn_dict_l4_objective(bn_dict_t *d, bn_objective_t *obj) {
  obj->n = bn_ctx_rank(d->ctx) == 0 ? (size_t)(d->m * d->m) : 0;
  obj->eval = bn_dict_l4_eval;
  obj->sweep = bn_dict_l4_sweep;
  obj->metrics = bn_dict_l4_metrics;
  obj->retract = bn_dict_l4_retract;
  obj->project = bn_dict_l4_project;
  obj->hvp = bn_dict_l4_hvp;
}

/* A random orthogonal matrix: the polar factor of a Gaussian one keyed by
 * (seed, entry, solve), the MSP paper's start (--init is not used). */
static bn_status_t bn_dict_l4_init(bn_dict_t *d, const bn_opts_t *opts,
                                   double *x) {
  bn_ctx_t *ctx = d->ctx;
  int64_t seed = 1;
  if (bn_opts_is_set(opts, "seed"))
    BN_CALL(ctx, bn_opts_int(opts, "seed", &seed));
  const size_t mm = (size_t)d->m * d->m;
  for (size_t k = 0; k < mm; k++)
    d->vf[k] = bn_rng_normal((uint64_t)seed, BN_DICT_STREAM_INIT, (uint64_t)k,
                             (uint32_t)d->done);
  bn_dict_l4_level(d, d->l4_stride0);
  d->l4_levels = 0;
  d->l4_single = d->l4_single0;
  return bn_dict_polar(d, d->vf, x);
}

/* The rows of W are the atoms (preconditioned coordinates), each signed
 * so that its entry of largest magnitude is positive. */
static bn_status_t bn_dict_l4_accept(bn_dict_t *d, const double *x, int *kept) {
  bn_ctx_t *ctx = d->ctx;
  const bn_idx_t m = d->m;
  const size_t mm = (size_t)m * m;
  if (bn_ctx_rank(ctx) == 0) memcpy(d->vf, x, mm * sizeof(double));
  BN_MPI(ctx, MPI_Bcast(d->vf, (int)mm, MPI_DOUBLE, 0, bn_ctx_comm(ctx)));
  for (bn_idx_t j = 0; j < m; j++) {
    const double *w = d->vf + j * m;
    double big = -1.0, sg = 1.0;
    for (bn_idx_t i = 0; i < m; i++)
      if (fabs(w[i]) > big) big = fabs(w[i]), sg = w[i] < 0 ? -1.0 : 1.0;
    for (bn_idx_t i = 0; i < m; i++) d->qk[i * d->n + j] = sg * w[i];
  }
  d->found = (int)m;
  *kept = (int)m;
  return BN_OK;
}

/* The truth as an iterate: Polar(Q*^T), the orthogonal matrix nearest to
 * the one whose rows are the true atoms' points q*_k. */
static bn_status_t bn_dict_l4_truth(bn_dict_t *d, double *x, bool *have) {
  *have = d->nt == d->m;
  if (!*have) return BN_OK;
  const bn_idx_t m = d->m;
  for (bn_idx_t k = 0; k < m; k++)
    for (bn_idx_t i = 0; i < m; i++) d->vf[k * m + i] = d->qtrue[i * m + k];
  return bn_dict_polar(d, d->vf, x);
}

/* W, with the level of the continuation as its attribute l4_stride (a
 * checkpoint restarts on the level it stopped on; a result's is 1). */
static bn_status_t bn_dict_l4_save(bn_dict_t *d, const double *x, bn_h5_t *f,
                                   const char *prefix) {
  char name[128];
  snprintf(name, sizeof name, "%sW", prefix);
  BN_CALL(d->ctx, bn_dict_put(d, f, name, d->m, (int)d->m, x));
  BN_CALL(d->ctx, bn_h5_attr_set_i64(f, name, "l4_single", d->l4_single));
  return bn_h5_attr_set_i64(f, name, "l4_stride", d->l4_stride);
}

/* A file without l4_stride (an older result) starts on the coarsest
 * level. */
static bn_status_t bn_dict_l4_load(bn_dict_t *d, bn_h5_t *f, const char *prefix,
                                   double *x) {
  char name[128];
  int has = 0;
  snprintf(name, sizeof name, "%sW", prefix);
  d->wvalid = false;
  d->l4_single = false;
  BN_CALL(d->ctx, bn_dict_get_iterate(d, f, name, d->m, (int)d->m, x));
  BN_CALL(d->ctx, bn_h5_attr_exists(f, name, "l4_stride", &has));
  if (!has) return BN_OK;
  int64_t s = 0;
  BN_CALL(d->ctx, bn_h5_attr_get_i64(f, name, "l4_stride", &s));
  if (s < 1 || s > d->l4_stride0 || (s & (s - 1)))
    return BN_ERROR_ALL(d->ctx, BN_ERR_DATA,
                        "%s: %s: l4_stride = %lld: expected a power of 2 in "
                        "[1, %lld] (this run's first level)",
                        bn_h5_path(f), name, (long long)s,
                        (long long)d->l4_stride0);
  bn_dict_l4_level(d, s);
  /* The precision of the search: as saved (a file without it: double). */
  int64_t single = 0;
  BN_CALL(d->ctx, bn_h5_attr_exists(f, name, "l4_single", &has));
  if (has) BN_CALL(d->ctx, bn_h5_attr_get_i64(f, name, "l4_single", &single));
  if (single != 0 && single != 1)
    return BN_ERROR_ALL(d->ctx, BN_ERR_DATA,
                        "%s: %s: l4_single = %lld: expected 0 or 1",
                        bn_h5_path(f), name, (long long)single);
  d->l4_single = d->l4_single0 && single == 1;
  return BN_OK;
}

const bn_dict_method_t bn_dict_method_l4 = {.name = "l4",
                                            .options = bn_dict_l4_options,
                                            .setup = bn_dict_l4_setup,
                                            .objective = bn_dict_l4_objective,
                                            .init = bn_dict_l4_init,
                                            .accept = bn_dict_l4_accept,
                                            .truth = bn_dict_l4_truth,
                                            .save = bn_dict_l4_save,
                                            .load = bn_dict_l4_load,
                                            .complete = true};
