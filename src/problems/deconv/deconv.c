/* Multichannel sparse blind deconvolution: options, input, FFT plans,
 * preconditioning, the problem table (deconv.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problems/deconv/deconv.h"

static const char *const bn_dc_loss_names[3] = {"huber", "l1", "l4"};

const bn_optdef_t bn_deconv_optdefs[] = {
    {"loss", BN_OPT_CHOICE, "huber",
     "psi of (1/(N p)) sum_i psi(C_{y_i} P q) on the sphere: huber (smooth, "
     "--mu; solver gd), l1 (Riemannian subgradient method with geometric "
     "steps, solver als), l4 (-z^4/4, i.e. maximize sum |C_{y_i} P q|_4^4; "
     "solver gd)",
     "huber|l1|l4"},
    {"mu", BN_OPT_REAL, "0.05",
     "huber: psi(z) = z^2/(2 mu) for |z| < mu, |z| - mu/2 beyond (units of "
     "the preconditioned channels, whose nonzero entries have unit "
     "variance)",
     NULL},
    {"theta", BN_OPT_REAL, "0",
     "sparsity rate of the channels x_i in (0, 1), used by the "
     "preconditioner and the rounding; 0 = the attribute theta of /Y, else "
     "0.25",
     NULL},
    {"init", BN_OPT_CHOICE, "random",
     "initial point: a Gaussian vector on the sphere from the counter-based "
     "generator (the same at any process count)",
     "random"},
    {"step0", BN_OPT_REAL, "0.3", "l1: first subgradient step (radians)", NULL},
    {"decay", BN_OPT_REAL, "0.98", "l1: step factor per iteration, in (0, 1)",
     NULL},
    {"rounds", BN_OPT_INT, "8",
     "rounding: at most this many zero-set least-squares rounds (0 = no "
     "rounding: the kernel of the solver's end point)",
     NULL},
    {"codes", BN_OPT_BOOL, "true",
     "write the recovered sparse channels /X (y_i deconvolved by the "
     "recovered kernel)",
     NULL},
    {"lasso", BN_OPT_REAL, "0",
     "with --codes: lambda > 0 computes each x_i by a lasso with the "
     "recovered kernel fixed, min (1/2)|y_i - a (*) x|^2 + lambda |x|_1 "
     "(FISTA from the direct deconvolution); 0 = the direct deconvolution "
     "y_i (*) a^-1 (exact without noise)",
     NULL},
    {"lasso-iter", BN_OPT_INT, "300", "with --lasso: FISTA iterations", NULL},
    {"png-prefix", BN_OPT_STRING, "",
     "write the recovered kernel as PREFIXkernel.png, circularly shifted "
     "so its support is centred (1-D: a line plot; 2-D: gray, min to max)",
     NULL},
    {"fft-plan", BN_OPT_CHOICE, "estimate",
     "FFTW planner effort for the per-channel transforms (measure: slower "
     "to plan, maybe faster to run)",
     "estimate|measure"},
    /* Replaces the shared --solver: the loss decides it. */
    {"solver", BN_OPT_CHOICE, NULL,
     "unset: the loss's own -- huber and l4: gd (or agd); l1: als (the "
     "Riemannian subgradient method, the only solver it takes)",
     "gd|agd|als"},
    {NULL, 0, NULL, NULL, NULL}};

const char *bn_deconv_loss(void *data) {
  return bn_dc_loss_names[((bn_deconv_t *)data)->loss];
}
bool bn_deconv_smooth(const void *data) {
  return ((const bn_deconv_t *)data)->loss != BN_DC_L1;
}
const char *bn_deconv_solver(void *data) {
  return ((bn_deconv_t *)data)->loss == BN_DC_L1 ? "als" : "gd";
}
int64_t bn_deconv_max_iter(void *data) {
  return ((bn_deconv_t *)data)->loss == BN_DC_L1 ? 600 : 1000;
}

static void bn_deconv_destroy(void *data) {
  bn_deconv_t *d = data;
  if (!d) return;
  if (d->fwd) fftw_destroy_plan(d->fwd);
  if (d->bwd) fftw_destroy_plan(d->bwd);
  fftw_free(d->rb);
  fftw_free(d->cb);
  fftw_free(d->yb);
  fftw_free(d->qh);
  free(d->phat);
  free(d->acc);
  free(d->q);
  free(d->atrue);
  free(d->xtrue);
  free(d->kernel);
  free(d->xhat);
  free(d);
}

static bn_status_t bn_dc_options(bn_deconv_t *d, const bn_opts_t *o) {
  bn_ctx_t *ctx = d->ctx;
  const char *loss = bn_opts_string(o, "loss");
  for (int k = 0; k < 3; k++)
    if (!strcmp(loss, bn_dc_loss_names[k])) d->loss = (bn_dc_loss_t)k;
  int64_t rounds;
  BN_CALL(ctx, bn_opts_real(o, "mu", &d->mu));
  BN_CALL(ctx, bn_opts_real(o, "theta", &d->theta));
  BN_CALL(ctx, bn_opts_real(o, "step0", &d->step0));
  BN_CALL(ctx, bn_opts_real(o, "decay", &d->decay));
  BN_CALL(ctx, bn_opts_int(o, "rounds", &rounds));
  BN_CALL(ctx, bn_opts_bool(o, "codes", &d->codes));
  BN_CALL(ctx, bn_opts_real(o, "lasso", &d->lasso));
  BN_CALL(ctx, bn_opts_int(o, "lasso-iter", &d->lasso_iter));
  if (!(d->lasso >= 0) || !isfinite(d->lasso) || d->lasso_iter < 1)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--lasso must be >= 0 and --lasso-iter >= 1");
  if (!(d->mu > 0) || !isfinite(d->mu))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--mu=%s: must be positive",
                        bn_opts_string(o, "mu"));
  if (d->theta != 0 && !(d->theta > 0 && d->theta < 1))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--theta=%s: the sparsity rate must be in (0, 1)",
                        bn_opts_string(o, "theta"));
  if (!(d->step0 > 0) || !(d->decay > 0 && d->decay < 1))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--step0 must be positive and --decay in (0, 1)");
  if (rounds < 0 || rounds > 100)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--rounds=%lld: must be in [0, 100]",
                        (long long)rounds);
  d->rounds_max = (int)rounds;
  const char *solver = bn_opts_string(o, "solver");
  bool given = bn_opts_source(o, "solver") >= BN_SRC_DECK;
  if (given && solver && d->loss == BN_DC_L1 && strcmp(solver, "als"))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--solver=%s: the l1 loss is not smooth; it runs the "
                        "Riemannian subgradient method (the objective's "
                        "sweep, --solver=als)",
                        solver);
  if (given && solver && d->loss != BN_DC_L1 && !strcmp(solver, "als"))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--solver=als: the %s loss has no sweep; use gd or agd",
                        loss);
  return BN_OK;
}

/* Collective: shape of /Y, theta, the truth. */
static bn_status_t bn_dc_shape(bn_deconv_t *d, bn_h5_t *f) {
  bn_ctx_t *ctx = d->ctx;
  int nd = 0;
  bn_idx_t dims[4] = {0, 0, 0, 0};
  BN_CALL(ctx, bn_h5_shape(f, "/Y", &nd, dims));
  if (nd != 2 && nd != 3)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: /Y must be channels x n (1-D) or channels x h x "
                        "w (2-D), not %d-dimensional; every channel must have "
                        "the same length",
                        d->input, nd);
  d->ndims = nd;
  d->p = dims[0];
  d->h = nd == 3 ? dims[1] : 1;
  d->w = nd == 3 ? dims[2] : dims[1];
  if (d->p < 1 || d->h < 1 || d->w < 2 || d->w > (1 << 26) / d->h)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: /Y has %lld channels of %lld x %lld: need at "
                        "least one channel of at least 2 values (at most 2^26)",
                        d->input, (long long)d->p, (long long)d->h,
                        (long long)d->w);
  d->N = d->h * d->w;
  d->nc = d->h * (d->w / 2 + 1);
  if (d->theta == 0) {
    d->theta = 0.25;
    double t = 0;
    if (bn_h5_attr_get_f64(f, "/Y", "theta", &t) == BN_OK) d->theta = t;
    bn_error_clear(ctx);
    if (!(d->theta > 0 && d->theta < 1))
      return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                          "%s: attribute theta = %g of /Y: the sparsity rate "
                          "must be in (0, 1)",
                          d->input, d->theta);
  }
  int has = 0;
  BN_CALL(ctx, bn_h5_exists(f, "/a_true", &has));
  if (has) {
    int an = 0;
    bn_idx_t ad[4] = {0, 0, 0, 0};
    BN_CALL(ctx, bn_h5_shape(f, "/a_true", &an, ad));
    int64_t kh = an == 2 ? ad[0] : 1, kw = an == 2 ? ad[1] : ad[0];
    if (an != nd - 1 || kh > d->h || kw > d->w)
      return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                          "%s: the kernel /a_true (%lld x %lld) is larger "
                          "than the channels (%lld x %lld) or of another "
                          "dimension",
                          d->input, (long long)kh, (long long)kw,
                          (long long)d->h, (long long)d->w);
    double *k = NULL;
    BN_CALL(ctx, bn_agree(ctx, bn_calloc(ctx, bn_size_mul(kh, kw),
                                         sizeof(double), &k)));
    BN_CALL(ctx, bn_agree(ctx, bn_calloc(ctx, (size_t)d->N, sizeof(double),
                                         &d->atrue)));
    bn_status_t st = bn_h5_read_slab_f64(f, "/a_true", 0, an == 2 ? kh : kw, k);
    int finite = 1;
    if (st == BN_OK)
      for (int64_t i = 0; i < kh * kw; i++) finite &= isfinite(k[i]) != 0;
    if (st == BN_OK)
      for (int64_t i = 0; i < kh; i++)
        memcpy(d->atrue + i * d->w, k + i * kw, (size_t)kw * sizeof(double));
    free(k);
    BN_CALL(ctx, st);
    /* Every rank read the same values: the same verdict everywhere. */
    if (!finite)
      return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                          "%s: the kernel /a_true holds a NaN or infinite "
                          "value",
                          d->input);
  }
  return BN_OK;
}

/* Not collective: FFT buffers and plans. */
static bn_status_t bn_dc_plans(bn_deconv_t *d, const char *effort) {
  bn_ctx_t *ctx = d->ctx;
  const size_t N = (size_t)d->N, nc = (size_t)d->nc, pl = (size_t)d->pl;
  d->rb = fftw_alloc_real(N);
  d->cb = fftw_alloc_complex(nc);
  d->qh = fftw_alloc_complex(nc);
  d->yb = fftw_alloc_complex(pl * nc + 1);
  d->phat = bn_alloc_n(nc, sizeof(double));
  d->acc = bn_alloc_n(bn_size_add(bn_size_mul(2, nc), 4), sizeof(double));
  d->q = bn_alloc_n(bn_size_mul(2, (N + 1)), sizeof(double));
  if (!d->rb || !d->cb || !d->qh || !d->yb || !d->phat || !d->acc || !d->q)
    return BN_ERROR(ctx, BN_ERR_MEM, "out of memory for %lld channels of %lld",
                    (long long)d->pl, (long long)d->N);
  d->v = d->q + N + 1;
  unsigned fl = !strcmp(effort, "measure") ? FFTW_MEASURE : FFTW_ESTIMATE;
  if (d->h == 1) {
    d->fwd = fftw_plan_dft_r2c_1d((int)d->w, d->rb, d->cb, fl);
    d->bwd = fftw_plan_dft_c2r_1d((int)d->w, d->cb, d->rb, fl);
  } else {
    d->fwd = fftw_plan_dft_r2c_2d((int)d->h, (int)d->w, d->rb, d->cb, fl);
    d->bwd = fftw_plan_dft_c2r_2d((int)d->h, (int)d->w, d->cb, d->rb, fl);
  }
  if (!d->fwd || !d->bwd)
    return BN_ERROR(ctx, BN_ERR_LIB, "FFTW could not make a plan");
  return BN_OK;
}

/* Collective: read the channels, transform, precondition. */
static bn_status_t bn_dc_load_data(bn_deconv_t *d, bn_h5_t *f) {
  bn_ctx_t *ctx = d->ctx;
  const size_t N = (size_t)d->N, nc = (size_t)d->nc, pl = (size_t)d->pl;
  double *y = NULL;
  BN_CALL(ctx, bn_agree(ctx, bn_mallocn(ctx, bn_size_add(bn_size_mul(pl, N), 1),
                                        sizeof(double), &y)));
  bn_status_t st = bn_h5_read_slab_f64(f, "/Y", d->c0, d->pl, y);
  int bad = -1, zero = -1;
  double pw[2] = {0, 0};
  for (size_t i = 0; st == BN_OK && i < pl; i++) {
    double s = 0;
    for (size_t j = 0; j < N; j++) {
      double v = y[i * N + j];
      if (!isfinite(v) && bad < 0) bad = (int)(d->c0 + (int64_t)i);
      s += v * v;
    }
    if (!(s > 0) && zero < 0) zero = (int)(d->c0 + (int64_t)i);
    pw[0] += s;
  }
  int flags[2] = {bad < 0 ? INT32_MAX : bad, zero < 0 ? INT32_MAX : zero};
  if (st == BN_OK)
    MPI_Allreduce(MPI_IN_PLACE, flags, 2, MPI_INT, MPI_MIN, bn_ctx_comm(ctx));
  if (st == BN_OK && flags[0] != INT32_MAX)
    st = BN_ERROR_ALL(ctx, BN_ERR_DATA,
                      "%s: channel %d of /Y has a non-finite value", d->input,
                      flags[0]);
  else if (st == BN_OK && flags[1] != INT32_MAX)
    st = BN_ERROR_ALL(ctx, BN_ERR_DATA,
                      "%s: channel %d of /Y is all zeros (a channel must "
                      "carry signal: drop it from the input)",
                      d->input, flags[1]);
  if (st != BN_OK) {
    free(y);
    return st;
  }
  memset(d->acc, 0, (2 * nc + 4) * sizeof(double));
  for (size_t i = 0; i < pl; i++) {
    memcpy(d->rb, y + i * N, N * sizeof(double));
    fftw_execute(d->fwd);
    memcpy(d->yb + i * nc, d->cb, nc * sizeof(fftw_complex));
    for (size_t k = 0; k < nc; k++) {
      double re = d->yb[i * nc + k][0], im = d->yb[i * nc + k][1];
      d->acc[k] += re * re + im * im;
    }
  }
  d->acc[nc] = pw[0];
  free(y);
  BN_MPI(ctx, MPI_Allreduce(MPI_IN_PLACE, d->acc, (int)nc + 1, MPI_DOUBLE,
                            MPI_SUM, bn_ctx_comm(ctx)));
  d->ynorm2 = d->acc[nc];
  const double sc = 1.0 / (d->theta * (double)N * (double)d->p);
  double big = 0;
  for (size_t k = 0; k < nc; k++) big = fmax(big, d->acc[k]);
  for (size_t k = 0; k < nc; k++) {
    /* A frequency the data never excite carries nothing to deconvolve:
     * keep it at the floor (1e-14 of the largest) instead of dividing by
     * zero. */
    double s = fmax(d->acc[k], 1e-14 * big) * sc;
    d->phat[k] = 1.0 / sqrt(s);
  }
  for (size_t i = 0; i < pl; i++)
    for (size_t k = 0; k < nc; k++) {
      d->yb[i * nc + k][0] *= d->phat[k];
      d->yb[i * nc + k][1] *= d->phat[k];
    }
  return BN_OK;
}

static bn_status_t bn_deconv_create(bn_ctx_t *ctx, const bn_opts_t *opts,
                                    void **data) {
  bn_deconv_t *d = NULL;
  *data = NULL;
  BN_CALL(ctx, bn_agree(ctx, bn_calloc(ctx, 1, sizeof(*d), &d)));
  *data = d;
  d->ctx = ctx;
  d->input = bn_opts_string(opts, "input");
  BN_CALL(ctx, bn_dc_options(d, opts));
  if (!d->input || !*d->input)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--input=FILE.h5 is required");
  bn_h5_t *f = NULL;
  BN_CALL(ctx, bn_h5_open(ctx, d->input, &f));
  bn_status_t st = bn_dc_shape(d, f);
  if (st == BN_OK) {
    int P = bn_ctx_size(ctx), r = bn_ctx_rank(ctx);
    d->c0 = bn_uniform_offset(d->p, P, r);
    d->pl = bn_uniform_offset(d->p, P, r + 1) - d->c0;
    st = bn_agree(ctx, bn_dc_plans(d, bn_opts_string(opts, "fft-plan")));
  }
  int has = 0;
  if (st == BN_OK) st = bn_h5_exists(f, "/X_true", &has);
  if (st == BN_OK && has) {
    int xn = 0;
    bn_idx_t xd[4] = {0, 0, 0, 0};
    st = bn_h5_shape(f, "/X_true", &xn, xd);
    int same = xn == d->ndims && xd[0] == d->p &&
               (d->ndims == 2 ? xd[1] == d->w : xd[1] == d->h && xd[2] == d->w);
    if (st == BN_OK && !same)
      st = BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: /X_true (%d-D, %lld x %lld ...) must have the "
                        "shape of /Y (%lld channels of %lld x %lld)",
                        d->input, xn, (long long)xd[0], (long long)xd[1],
                        (long long)d->p, (long long)d->h, (long long)d->w);
    if (st == BN_OK) {
      st = bn_agree(ctx,
                    bn_mallocn(ctx, bn_size_add(bn_size_mul(d->pl, d->N), 1),
                               sizeof(double), &d->xtrue));
      if (st == BN_OK)
        st = bn_h5_read_slab_f64(f, "/X_true", d->c0, d->pl, d->xtrue);
    }
  }
  if (st == BN_OK) st = bn_dc_load_data(d, f);
  bn_h5_close(f);
  BN_CALL(ctx, st);
  d->t_eval = bn_timer_id(ctx, "deconv eval");
  d->t_round = bn_timer_id(ctx, "deconv rounding");
  return BN_OK;
}

static void bn_deconv_objective(void *data, bn_objective_t *obj) {
  bn_deconv_t *d = data;
  obj->data = d;
  obj->n = bn_ctx_rank(d->ctx) == 0 ? (size_t)d->N : 0;
  obj->eval = bn_dc_eval;
  obj->sweep = d->loss == BN_DC_L1 ? bn_dc_sweep : NULL;
  obj->metrics = bn_dc_metrics;
  obj->retract = bn_dc_retract;
  obj->project = bn_dc_project;
  obj->hvp = d->loss == BN_DC_L1 ? NULL : bn_dc_hvp;
}

static bn_status_t bn_deconv_init(void *data, const bn_opts_t *opts,
                                  double *x) {
  bn_deconv_t *d = data;
  int64_t seed = 1;
  if (bn_opts_is_set(opts, "seed"))
    BN_CALL(d->ctx, bn_opts_int(opts, "seed", &seed));
  d->sweeps = 0;
  if (bn_ctx_rank(d->ctx) == 0)
    bn_rng_fill_normal((uint64_t)seed, BN_DC_STREAM_INIT, 0, (size_t)d->N, x);
  return bn_dc_retract(d, x);
}

static bn_status_t bn_deconv_save(void *data, const double *x, bn_h5_t *f,
                                  const char *prefix) {
  bn_deconv_t *d = data;
  char name[128];
  snprintf(name, sizeof name, "%sq", prefix);
  int64_t n = d->N;
  return bn_h5_write_rows(f, name, 1, &n, 0, bn_ctx_rank(d->ctx) == 0 ? n : 0,
                          x);
}

static bn_status_t bn_deconv_load(void *data, bn_h5_t *f, const char *prefix,
                                  double *x) {
  bn_deconv_t *d = data;
  bn_ctx_t *ctx = d->ctx;
  char name[128];
  snprintf(name, sizeof name, "%sq", prefix);
  int nd = 0;
  bn_idx_t dims[4] = {0, 0, 0, 0};
  BN_CALL(ctx, bn_h5_shape(f, name, &nd, dims));
  if (nd != 1 || dims[0] != d->N)
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: %s must hold %lld values (the channel size)",
                        bn_h5_path(f), name, (long long)d->N);
  bool root = bn_ctx_rank(ctx) == 0;
  BN_CALL(ctx, bn_h5_read_f64(f, name, 0, root ? d->N : 0, x));
  /* A checkpoint's solver vectors (/checkpoint/gprev/q, ...) are not
   * points of the sphere: as stored. */
  if (strcmp(prefix, "/") && strcmp(prefix, "/init/")) return BN_OK;
  /* A point: the l1 schedule starts afresh (a restart sets it from the
   * solver's iteration: bn_deconv_resume). A stored unit vector is kept
   * bit for bit (a restart continues the same run); another is
   * normalized; zero or non-finite is refused. */
  d->sweeps = 0;
  double nrm2 = 0;
  for (int64_t j = 0; root && j < d->N; j++) nrm2 += x[j] * x[j];
  BN_MPI(ctx, MPI_Bcast(&nrm2, 1, MPI_DOUBLE, 0, bn_ctx_comm(ctx)));
  if (!(nrm2 > 0) || !isfinite(nrm2))
    return BN_ERROR_ALL(ctx, BN_ERR_DATA,
                        "%s: %s is zero or not finite (a start on the sphere "
                        "needs a nonzero vector)",
                        bn_h5_path(f), name);
  if (fabs(nrm2 - 1.0) > 1e-10) return bn_dc_retract(d, x);
  return BN_OK;
}

void bn_deconv_resume(void *data, int64_t iterations) {
  ((bn_deconv_t *)data)->sweeps = iterations;
}

static void bn_deconv_describe(void *data, FILE *s) {
  bn_deconv_t *d = data;
  fprintf(s, "INPUT=%s\nCHANNELS=%lld\nSHAPE=%lldx%lld\nTHETA=%g\nLOSS=%s\n",
          d->input, (long long)d->p, (long long)d->h, (long long)d->w, d->theta,
          bn_dc_loss_names[d->loss]);
  if (d->loss == BN_DC_HUBER) fprintf(s, "MU=%g\n", d->mu);
  fprintf(s, "TRUTH=%s\n", d->atrue ? "yes" : "no");
}

/* The truth as an iterate: q* with Phat FFT(q*) = 1 / FFT(a) (the inverse
 * filter in preconditioned coordinates), normalized. */
static bn_status_t bn_deconv_truth(void *data, double *x, bool *have) {
  bn_deconv_t *d = data;
  *have = d->atrue != NULL;
  if (!*have || bn_ctx_rank(d->ctx) != 0) return BN_OK;
  const size_t N = (size_t)d->N, nc = (size_t)d->nc;
  memcpy(d->rb, d->atrue, N * sizeof(double));
  fftw_execute(d->fwd);
  for (size_t k = 0; k < nc; k++) {
    double re = d->cb[k][0], im = d->cb[k][1], m2 = re * re + im * im;
    double s = m2 > 0 ? 1.0 / (m2 * d->phat[k]) : 0.0;
    d->cb[k][0] = re * s;
    d->cb[k][1] = -im * s;
  }
  fftw_execute(d->bwd);
  memcpy(x, d->rb, N * sizeof(double));
  return bn_dc_retract(d, x);
}

const bn_problem_ops_t bn_problem_deconv = {
    .name = "deconv",
    .summary =
        "multichannel sparse blind deconvolution y_i = a (*) x_i (1-D or "
        "2-D channels): Fourier preconditioning, a sparsity loss over the "
        "sphere, LP rounding to machine precision",
    .opts = bn_deconv_optdefs,
    .create = bn_deconv_create,
    .objective = bn_deconv_objective,
    .init = bn_deconv_init,
    .save = bn_deconv_save,
    .load = bn_deconv_load,
    .describe = bn_deconv_describe,
    .destroy = bn_deconv_destroy,
    .truth = bn_deconv_truth,
    .usage =
        "mpirun -n P benign deconv [deck.ini] --input=F.h5 [--output=G.h5] "
        "[--loss=huber|l1|l4] [--png-prefix=P] [--checkpoint=C.h5] "
        "[--restart=C.h5|auto] ...",
    .gen_opts = bn_gen_deconv_opts,
    .generate = bn_gen_deconv_run,
    .stages = &bn_deconv_stage_ops};
