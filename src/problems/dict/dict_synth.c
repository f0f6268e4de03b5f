/* Dictionary learning, methods `synthesis` and `synthesis-orth`: the
 * synthesis model
 *
 *   min_{A, X}  1/(2p) |Y - A X|_F^2 + lambda/p |X|_1,   |a_j| <= 1,
 *
 * on the raw samples (no preconditioning; Y is m x p, A m x n).
 *
 * synthesis, --batch-size=0 (the batch method): alternating minimisation.
 *   One sweep (solver als) codes every process's own samples with A
 *   (feature-sign search, coordinate descent or FISTA: --coder;
 *   warm-started from the previous codes,
 *   dict_synth_kern.c), sums the statistics C C^T (n x n) and Y C^T
 *   (m x n) of the codes with one allreduce, and updates the atoms by
 *   block-coordinate descent on them (each atom the exact minimiser over
 *   the unit ball given the others; replicated on every process). Both
 *   half-steps decrease the objective, so the history is monotone.
 * synthesis, --batch-size=B (online, Mairal, Bach, Ponce and Sapiro 2010):
 *   one sweep is --iter-batches mini-batches of B samples (0, the default:
 *   one pass over the samples; the passes continue across sweeps),
 *   taken in the order of a permutation of the global sample indices
 *   (k -> (alpha k + beta) mod p, alpha prime to p, both drawn from the
 *   counter-based generator per pass), so the batches do not depend on
 *   the process count. Each process codes the samples of the batch it
 *   holds (from zero); the batch's statistics are summed with one
 *   allreduce and added to running ones with the weight schedule of the
 *   paper's section 3.4 (as in scikit-learn's MiniBatchDictionaryLearning:
 *   beta_t = (theta + 1 - B) / (theta + 1), theta = (t + 1) B for t < B - 1
 *   and B^2 + t + 1 - B after), then one sweep of block-coordinate descent.
 *   The history records the mean objective of the pass (each sample's
 *   cost when it was coded).
 * synthesis-orth: A in O(m) (n = m). X = S_lambda(A^T Y) is the exact
 *   code step and A = Polar(Y X^T) the exact dictionary step, so the
 *   objective decreases too.
 *
 * The iterate is A (m x n), rank 0's (as W of the l4 method); eval
 * returns the objective at the current codes (computed from their
 * statistics: no pass over the samples) and the gradient mapping of the
 * dictionary step as its "gradient" (right after a sweep: the sweep's
 * step, atom j scaled by its weight (C C^T)_jj / p, zero at a fixed point
 * of the alternation; the smooth part's Euclidean gradient is
 * bn_dict_synth_smooth, for tests). The final codes (bn_dict_codes) are
 * a converged lasso: feature-sign search until the optimality conditions
 * hold to 1e-10, from the last codes; its time is logged apart from the
 * training's ("final codes: ..."). With --max-iter=0 and --init-file=F
 * (F holding /A_iter, m x n) a run only evaluates a given dictionary. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problems/dict/dict_synth_state.h"

#define BN_SYNTH_BCD_SWEEPS 50
#define BN_SYNTH_FINAL_TOL 1e-10
#define BN_SYNTH_FINAL_SWEEPS 10000

void bn_dict_synth_free(struct bn_dict_synth *s) {
  if (!s) return;
  free(s->a);
  free(s->c);
  free(s);
}

static bn_status_t bn_synth_options(bn_dict_t *d, const bn_opts_t *opts,
                                    const char **solver, bool orth) {
  bn_ctx_t *ctx = d->ctx;
  double lambda, tol;
  int64_t batch, iters, ib, seed = 1;
  BN_CALL(ctx, bn_opts_real(opts, "lambda", &lambda));
  BN_CALL(ctx, bn_opts_real(opts, "lasso-tol", &tol));
  BN_CALL(ctx, bn_opts_int(opts, "batch-size", &batch));
  BN_CALL(ctx, bn_opts_int(opts, "lasso-iters", &iters));
  BN_CALL(ctx, bn_opts_int(opts, "iter-batches", &ib));
  if (bn_opts_is_set(opts, "seed"))
    BN_CALL(ctx, bn_opts_int(opts, "seed", &seed));
  const char *coder = bn_opts_string(opts, "coder");
  if (!(lambda > 0) || !isfinite(lambda))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--lambda=%s: the weight of |X|_1 must be positive",
                        bn_opts_string(opts, "lambda"));
  if (batch < 0)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--batch-size=%lld: must be >= 0 (0: the batch "
                        "method)",
                        (long long)batch);
  if (orth && batch > 0)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--batch-size: --method=synthesis-orth is a batch "
                        "method (its steps are exact); mini-batches are for "
                        "--method=synthesis");
  if (ib < 0)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--iter-batches=%lld: must be >= 0 (0: one pass over "
                        "the samples an iteration)",
                        (long long)ib);
  if (iters < 1 || !(tol >= 0) || !isfinite(tol))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--lasso-iters must be >= 1 and --lasso-tol >= 0");
  if (bn_opts_source(opts, "loss") >= BN_SRC_DECK)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--loss: --method=%s minimises 1/2 |Y - A X|^2 + "
                        "lambda |X|_1 (--lambda); the losses are for "
                        "--method=sphere",
                        orth ? "synthesis-orth" : "synthesis");
  if (bn_opts_source(opts, "precondition") >= BN_SRC_DECK && d->precond)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--precondition: the synthesis model is fitted to "
                        "the samples as they are (no whitening)");
  bool given = bn_opts_source(opts, "solver") >= BN_SRC_DECK;
  if (given && strcmp(bn_opts_string(opts, "solver"), "als"))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--solver=%s: --method=%s alternates exact steps "
                        "(solver als only)",
                        bn_opts_string(opts, "solver"),
                        orth ? "synthesis-orth" : "synthesis");
  *solver = "als";
  d->precond = false;
  d->loss = BN_DICT_L1; /* nonsmooth: no certificate */
  d->lasso = lambda;
  BN_CALL(ctx, bn_agree(ctx, bn_calloc(ctx, 1, sizeof(*d->syn), &d->syn)));
  struct bn_dict_synth *s = d->syn;
  s->orth = orth;
  s->batch = batch;
  s->iter_batches = ib;
  s->seed = (uint64_t)seed;
  s->coder =
      (bn_synth_coder_t){lambda, coder && !strcmp(coder, "fista"),
                         coder && !strcmp(coder, "feature-sign"), iters, tol};
  return BN_OK;
}

static bn_status_t bn_synth_opts_plain(bn_dict_t *d, const bn_opts_t *opts,
                                       const char **solver) {
  return bn_synth_options(d, opts, solver, false);
}

static bn_status_t bn_synth_opts_orth(bn_dict_t *d, const bn_opts_t *opts,
                                      const char **solver) {
  return bn_synth_options(d, opts, solver, true);
}

static bn_status_t bn_synth_setup(bn_dict_t *d) {
  bn_ctx_t *ctx = d->ctx;
  struct bn_dict_synth *s = d->syn;
  const char *name = d->method->name;
  if (d->n == 0 && s->orth) d->n = (int)d->m;
  if (d->n == 0 && d->nt == 0)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--method=%s: give the number of atoms with "
                        "--atoms=N (>= 1; the input has no /A_true to take "
                        "it from)",
                        name);
  if (d->n == 0) d->n = d->nt;
  if (s->orth && d->n != d->m)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--atoms=%d: --method=synthesis-orth learns an "
                        "orthogonal dictionary of m = %lld atoms",
                        d->n, (long long)d->m);
  if (s->batch > d->p)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--batch-size=%lld: larger than the %lld samples",
                        (long long)s->batch, (long long)d->p);
  if ((double)d->n * d->n > 1e8)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--atoms=%d: at most 10000 atoms (the n x n "
                        "statistics are replicated)",
                        d->n);
  d->stages = 1;
  const size_t m = (size_t)d->m, n = (size_t)d->n, pl = (size_t)d->pl;
  const size_t sl = n * n + m * n + 1;
  const size_t bl = s->batch > 0 ? (size_t)s->batch : 0;
  size_t len =
      2 * m * n + n * n + 2 * sl + (2 * m * n + m + n * n) + bl * m + 1;
  BN_CALL(ctx, bn_agree(ctx, bn_calloc(ctx, len, sizeof(double), &s->a)));
  s->gram = s->a + m * n;
  s->s = s->gram + n * n;
  s->run = s->s + sl;
  s->work = s->run + sl;
  s->yb = s->work + 2 * m * n + m + n * n;
  s->prev = s->yb + bl * m;
  if (s->batch == 0)
    BN_CALL(ctx,
            bn_agree(ctx, bn_calloc(ctx,
                                    bn_size_add(
                                        bn_size_mul(bn_size_mul(2, pl), n), 1),
                                    sizeof(double), &s->c)));
  s->b = s->c ? s->c + pl * n : NULL;
  BN_CALL(ctx, bn_agree(ctx, bn_calloc(ctx, bn_size_add(bn_size_mul(m, n), 1),
                                       sizeof(double), &d->qk)));
  return BN_OK;
}

/* Collective: rank 0's x into every process's a. */
static bn_status_t bn_synth_bcast(bn_dict_t *d, const double *x) {
  struct bn_dict_synth *s = d->syn;
  const size_t mn = (size_t)d->m * d->n;
  if (bn_ctx_rank(d->ctx) == 0) memcpy(s->a, x, mn * sizeof(double));
  BN_MPI(d->ctx, MPI_Bcast(s->a, (int)mn, MPI_DOUBLE, 0, bn_ctx_comm(d->ctx)));
  return BN_OK;
}

/* Collective (batch methods): code every process's samples with a (warm
 * from c; synthesis-orth: the exact soft threshold), then s = their
 * statistics, summed. */
static bn_status_t bn_synth_code_all(bn_dict_t *d) {
  bn_ctx_t *ctx = d->ctx;
  struct bn_dict_synth *s = d->syn;
  const int m = (int)d->m, n = d->n, pl = (int)d->pl;
  const size_t pn = (size_t)pl * n, sl = (size_t)n * n + (size_t)m * n + 1;
  bn_timer_start(ctx, d->t_eval);
  if (pl > 0)
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, pl, n, m, 1.0, d->y,
                m, s->a, n, 0.0, s->b, n);
  bn_status_t st = BN_OK;
  if (s->orth) {
    const double t = s->coder.lambda;
    for (size_t k = 0; k < pn; k++) {
      double v = s->b[k];
      s->c[k] = v > t ? v - t : v < -t ? v + t : 0.0;
    }
  } else {
    int64_t sw = 0;
    bn_synth_gram(d);
    st = bn_synth_code(ctx, &s->coder, n, pl, s->gram, s->b, s->c, &sw);
    s->cd_sweeps += sw;
  }
  memset(s->s, 0, sl * sizeof(double));
  bn_synth_stats(m, n, pl, d->y, s->c, s->coder.lambda, s->s);
  bn_timer_stop(ctx, d->t_eval);
  BN_CALL(ctx, bn_agree(ctx, st));
  bn_timer_start(ctx, d->t_reduce);
  st = bn_allreduce_sum(ctx, s->s, sl);
  bn_timer_stop(ctx, d->t_reduce);
  BN_CALL(ctx, st);
  bn_synth_symmetrize(n, s->s);
  s->coded = true;
  return BN_OK;
}

static bn_status_t bn_synth_eval(void *data, const double *x, double *f,
                                 double *g) {
  bn_dict_t *d = data;
  struct bn_dict_synth *s = d->syn;
  const int m = (int)d->m, n = d->n;
  const double ip = 1.0 / (double)d->p;
  BN_CALL(d->ctx, bn_synth_bcast(d, x));
  if (s->moved) {
    /* Right after a sweep: its step, atom j scaled by its weight S_jj (the
     * gradient mapping's units); zero at a fixed point of the sweep. */
    const double *st = s->batch > 0 ? s->run : s->s;
    const double sc = s->batch > 0 ? 1.0 / s->wsum : ip;
    *f = s->batch > 0 ? s->fepoch
                      : ip * bn_synth_value(m, n, s->a, s->s, s->work);
    s->moved = false;
    if (g && bn_ctx_rank(d->ctx) == 0)
      for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
          const size_t k = (size_t)i * n + j;
          g[k] = (s->prev[k] - s->a[k]) * st[(size_t)j * n + j] * sc;
        }
    return BN_OK;
  }
  if (s->batch > 0) {
    /* Online: the last pass's mean objective and the gradient mapping of
     * the running statistics; before the first pass (codes zero) the
     * mapping is undefined and x itself stands in for it. */
    if (s->epochs == 0) {
      *f = 0.5 * d->ynorm2 * ip;
      if (g && bn_ctx_rank(d->ctx) == 0)
        memcpy(g, x, (size_t)m * n * sizeof(double));
      return BN_OK;
    }
    *f = s->fepoch;
    if (g && bn_ctx_rank(d->ctx) == 0)
      bn_synth_gmap(m, n, s->a, s->run, g, 1.0 / s->wsum);
    return BN_OK;
  }
  if (!s->coded) BN_CALL(d->ctx, bn_synth_code_all(d));
  *f = ip * bn_synth_value(m, n, s->a, s->s, s->work);
  if (g && bn_ctx_rank(d->ctx) == 0) bn_synth_gmap(m, n, s->a, s->s, g, ip);
  return BN_OK;
}

/* One sweep: codes, then the dictionary (BCD; synthesis-orth: Polar). */
static bn_status_t bn_synth_sweep(void *data, double *x) {
  bn_dict_t *d = data;
  bn_ctx_t *ctx = d->ctx;
  struct bn_dict_synth *s = d->syn;
  const int m = (int)d->m, n = d->n;
  BN_CALL(ctx, bn_synth_bcast(d, x));
  memcpy(s->prev, s->a, (size_t)m * n * sizeof(double));
  if (s->batch > 0) {
    BN_CALL(ctx, bn_synth_epoch(d));
  } else {
    BN_CALL(ctx, bn_synth_code_all(d));
    bn_timer_start(ctx, d->t_linalg);
    bn_status_t st = BN_OK;
    if (s->orth)
      st = bn_dict_polar(d, s->s + (size_t)n * n, s->a);
    else
      bn_synth_bcd(m, n, s->a, s->s, BN_SYNTH_BCD_SWEEPS, s->work);
    bn_timer_stop(ctx, d->t_linalg);
    BN_CALL(ctx, st);
  }
  /* synthesis-orth: the polar factor is rank 0's; every process's copy
   * (the step's record) follows it. */
  if (s->orth) BN_CALL(ctx, bn_synth_bcast(d, s->a));
  if (bn_ctx_rank(ctx) == 0) memcpy(x, s->a, (size_t)m * n * sizeof(double));
  s->moved = true;
  return BN_OK;
}

/* The sine of the angle between the worst-matched true atom and its
 * nearest atom of A. */
static bn_status_t bn_synth_metrics(void *data, const double *x, double *rel,
                                    double *rmse) {
  bn_dict_t *d = data;
  *rmse = *rel = NAN;
  if (!d->nt) return BN_OK;
  if (bn_ctx_rank(d->ctx) == 0) {
    const int m = (int)d->m, n = d->n, nt = d->nt;
    double worst = 1.0;
    for (int k = 0; k < nt; k++) {
      double best = 0.0;
      for (int j = 0; j < n; j++) {
        double c = 0.0, a2 = 0.0;
        for (int i = 0; i < m; i++) {
          double v = x[(size_t)i * n + j];
          c += v * d->atrue[(size_t)i * nt + k];
          a2 += v * v;
        }
        if (a2 > 0) best = fmax(best, c * c / a2);
      }
      worst = fmin(worst, best);
    }
    *rel = sqrt(fmax(0.0, 1.0 - worst));
  }
  BN_MPI(d->ctx, MPI_Bcast(rel, 1, MPI_DOUBLE, 0, bn_ctx_comm(d->ctx)));
  return BN_OK;
}

static void bn_synth_objective(bn_dict_t *d, bn_objective_t *obj) {
  obj->n = bn_ctx_rank(d->ctx) == 0 ? (size_t)d->m * d->n : 0;
  obj->eval = bn_synth_eval;
  obj->sweep = bn_synth_sweep;
  obj->metrics = bn_synth_metrics;
}

/* The start: synthesis, the samples at the first n positions of a random
 * permutation as unit atoms (a zero sample: a Gaussian atom; n > p: the
 * rest Gaussian); synthesis-orth, the polar factor of a Gaussian matrix.
 * Keyed by global indices, so the same at any process count. */
static bn_status_t bn_synth_init(bn_dict_t *d, const bn_opts_t *opts,
                                 double *x) {
  bn_ctx_t *ctx = d->ctx;
  struct bn_dict_synth *s = d->syn;
  (void)opts;
  const int m = (int)d->m, n = d->n;
  const size_t mn = (size_t)m * n;
  s->coded = s->moved = false;
  s->epochs = s->steps = s->pass = s->pos = 0;
  s->wsum = 0.0;
  memset(s->run, 0, ((size_t)n * n + mn + 1) * sizeof(double));
  if (s->c) memset(s->c, 0, (size_t)d->pl * n * sizeof(double));
  if (s->orth) {
    for (size_t k = 0; k < mn; k++)
      s->work[k] = bn_rng_normal(s->seed, BN_DICT_STREAM_INIT, k, 0);
    return bn_dict_polar(d, s->work, x);
  }
  uint64_t al, be;
  bn_dict_synth_perm(d, 0xffffffffu, &al, &be);
  memset(s->a, 0, mn * sizeof(double));
  for (int j = 0; j < n && j < d->p; j++) {
    bn_idx_t i =
        (bn_idx_t)(((unsigned __int128)al * (uint64_t)j + be) % (uint64_t)d->p);
    if (i < d->p0 || i >= d->p0 + d->pl) continue;
    for (int r = 0; r < m; r++)
      s->a[(size_t)r * n + j] = d->y[(size_t)(i - d->p0) * m + r];
  }
  BN_CALL(ctx, bn_allreduce_sum(ctx, s->a, mn));
  for (int j = 0; j < n; j++) {
    double nn = 0.0;
    for (int r = 0; r < m; r++)
      nn += s->a[(size_t)r * n + j] * s->a[(size_t)r * n + j];
    if (!(nn > 1e-24 * d->ynorm2 / (double)d->p)) {
      nn = 0.0;
      for (int r = 0; r < m; r++) {
        double v =
            bn_rng_normal(s->seed, BN_DICT_STREAM_INIT, (uint64_t)j * m + r, 1);
        s->a[(size_t)r * n + j] = v;
        nn += v * v;
      }
    }
    for (int r = 0; r < m; r++) s->a[(size_t)r * n + j] /= sqrt(nn);
  }
  if (bn_ctx_rank(ctx) == 0) memcpy(x, s->a, mn * sizeof(double));
  return BN_OK;
}

/* The columns of A are the atoms (qk, unnormalised: the codes of the
 * result are then the lasso's for A itself). */
static bn_status_t bn_synth_accept(bn_dict_t *d, const double *x, int *kept) {
  BN_CALL(d->ctx, bn_synth_bcast(d, x));
  memcpy(d->qk, d->syn->a, (size_t)d->m * d->n * sizeof(double));
  d->found = d->n;
  *kept = d->n;
  return BN_OK;
}

static bn_status_t bn_synth_truth(bn_dict_t *d, double *x, bool *have) {
  *have = d->nt == d->n;
  if (*have && bn_ctx_rank(d->ctx) == 0)
    memcpy(x, d->atrue, (size_t)d->m * d->n * sizeof(double));
  return BN_OK;
}

static bn_status_t bn_synth_save(bn_dict_t *d, const double *x, bn_h5_t *f,
                                 const char *prefix) {
  char name[128];
  snprintf(name, sizeof name, "%sA_iter", prefix);
  return bn_dict_put(d, f, name, d->m, d->n, x);
}

static bn_status_t bn_synth_load(bn_dict_t *d, bn_h5_t *f, const char *prefix,
                                 double *x) {
  char name[128];
  snprintf(name, sizeof name, "%sA_iter", prefix);
  d->syn->coded = false; /* the codes are recomputed from the start */
  return bn_dict_get_iterate(d, f, name, d->m, d->n, x);
}

/* The final codes c (pl x n) given b = Y A: a converged lasso
 * (synthesis-orth: the exact soft threshold), from the last codes. */
static bn_status_t bn_synth_final_codes(bn_dict_t *d, const double *b,
                                        double *c) {
  bn_ctx_t *ctx = d->ctx;
  struct bn_dict_synth *s = d->syn;
  const int n = d->n, pl = (int)d->pl;
  const size_t pn = (size_t)pl * n;
  if (s->orth) {
    const double t = s->coder.lambda;
    for (size_t k = 0; k < pn; k++)
      c[k] = b[k] > t ? b[k] - t : b[k] < -t ? b[k] + t : 0.0;
    return BN_OK;
  }
  memcpy(s->a, d->qk, (size_t)d->m * n * sizeof(double));
  bn_synth_gram(d);
  if (s->c && s->coded)
    memcpy(c, s->c, pn * sizeof(double));
  else
    memset(c, 0, pn * sizeof(double));
  bn_synth_coder_t cp = {s->coder.lambda, false, true, BN_SYNTH_FINAL_SWEEPS,
                         BN_SYNTH_FINAL_TOL};
  int64_t sw = 0;
  double t0 = bn_wtime();
  BN_CALL(ctx,
          bn_agree(ctx, bn_synth_code(ctx, &cp, n, pl, s->gram, b, c, &sw)));
  double v[2] = {(double)sw, (double)s->cd_sweeps};
  BN_CALL(ctx, bn_allreduce_sum(ctx, v, 2));
  bn_log(ctx, BN_LOG_INFO,
         "final codes: a converged lasso (feature-sign search, optimality "
         "conditions to %.0e, %.1f steps a sample) in %.2f s; training: %.1f "
         "coder steps a sample in all\n",
         BN_SYNTH_FINAL_TOL, v[0] / (double)d->p, bn_wtime() - t0,
         v[1] / (double)d->p);
  return BN_OK;
}

bn_status_t bn_dict_synth_smooth(bn_dict_t *d, const double *a, const double *c,
                                 double *f, double *g) {
  bn_ctx_t *ctx = d->ctx;
  const int m = (int)d->m, n = d->n, pl = (int)d->pl;
  const size_t sl = (size_t)n * n + (size_t)m * n + 1;
  double *s = NULL;
  BN_CALL(
      ctx,
      bn_agree(ctx, bn_calloc(ctx, bn_size_add(sl, bn_size_mul((size_t)m, n)),
                              sizeof(double), &s)));
  bn_synth_stats(m, n, pl, d->y, c, 0.0, s);
  bn_status_t st = bn_allreduce_sum(ctx, s, sl);
  if (st == BN_OK) {
    bn_synth_symmetrize(n, s);
    const double ip = 1.0 / (double)d->p;
    *f = ip * bn_synth_value(m, n, a, s, s + sl);
    /* g = (A C C^T - Y C^T) / p */
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, n, ip, a, n, s,
                n, 0.0, g, n);
    for (size_t k = 0; k < (size_t)m * n; k++)
      g[k] -= ip * s[(size_t)n * n + k];
  }
  free(s);
  return st;
}

bn_status_t bn_dict_synth_lasso(bn_dict_t *d, const double *a, const double *b,
                                double *c, int rows, int fista, int64_t iters,
                                double tol) {
  struct bn_dict_synth *s = d->syn;
  memcpy(s->a, a, (size_t)d->m * d->n * sizeof(double));
  bn_synth_gram(d);
  bn_synth_coder_t cp = {s->coder.lambda, fista == 1, fista == 2, iters, tol};
  int64_t sw;
  return bn_synth_code(d->ctx, &cp, d->n, rows, s->gram, b, c, &sw);
}

const bn_dict_method_t bn_dict_method_synthesis = {
    .name = "synthesis",
    .options = bn_synth_opts_plain,
    .setup = bn_synth_setup,
    .objective = bn_synth_objective,
    .init = bn_synth_init,
    .accept = bn_synth_accept,
    .truth = bn_synth_truth,
    .save = bn_synth_save,
    .load = bn_synth_load,
    .codes = bn_synth_final_codes,
    .complete = false};

const bn_dict_method_t bn_dict_method_synthesis_orth = {
    .name = "synthesis-orth",
    .options = bn_synth_opts_orth,
    .setup = bn_synth_setup,
    .objective = bn_synth_objective,
    .init = bn_synth_init,
    .accept = bn_synth_accept,
    .truth = bn_synth_truth,
    .save = bn_synth_save,
    .load = bn_synth_load,
    .codes = bn_synth_final_codes,
    .complete = false};

int64_t bn_dict_synth_batch(const struct bn_dict_synth *s) {
  return s ? s->batch : 0;
}
