/* Dictionary learning, method `sphere`: one atom per solve of
 * min_{q in S^(m-1)} (1/p) sum_j h(q^T ybar_j) (dict_sphere_eval.c), then
 * deflation: later solves live in the orthogonal complement of the atoms
 * found (their iterate, gradient, Hessian and retraction are projected),
 * so a complete dictionary takes m solves, each from a new start. After
 * preconditioning the atoms of a complete dictionary are orthogonal in
 * those coordinates (q*_k = M^(-1/2) a_k / |.|), which is what makes the
 * complement the right place to look for the next one.
 *
 * The pieces here (work space, objective table, starts, truth, the
 * iterate in files) are shared with the method `overcomplete`. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problems/dict/dict.h"

bn_status_t bn_dict_sph_setup(bn_dict_t *d) {
  bn_ctx_t *ctx = d->ctx;
  const size_t m = (size_t)d->m, pl = (size_t)d->pl;
  /* bq: [flag, q, v] (2m + 2); z, u (pl each); red (m + 2); qc, gc (m). */
  size_t len = (2 * m + 2) + 2 * (pl + 1) + (m + 2) + 2 * m;
  BN_CALL(ctx, bn_agree(ctx, bn_mallocn(ctx, len, sizeof(double), &d->bq)));
  d->z = d->bq + 2 * m + 2;
  d->u = d->z + pl + 1;
  d->red = d->u + pl + 1;
  d->qc = d->red + m + 2;
  d->gc = d->qc + m;
  BN_CALL(
      ctx,
      bn_agree(ctx, bn_calloc(ctx, bn_size_add(bn_size_mul(m, (size_t)d->n), 1),
                              sizeof(double), &d->qk)));
  return BN_OK;
}

void bn_dict_sph_objective(bn_dict_t *d, bn_objective_t *obj) {
  obj->n = bn_ctx_rank(d->ctx) == 0 ? (size_t)d->m : 0;
  obj->eval = bn_dict_sphere_eval;
  obj->sweep = d->sweep != BN_DICT_SWEEP_NONE ? bn_dict_sphere_sweep : NULL;
  obj->metrics = bn_dict_sphere_metrics;
  obj->retract = bn_dict_sphere_retract;
  obj->project = bn_dict_sphere_project;
  obj->hvp = bn_dict_sphere_hvp;
}

/* random: a Gaussian vector keyed by (seed, entry, solve). spectral: a
 * sample ybar_j (j drawn from (seed, solve)) -- a sparse combination of a
 * few atoms, so closer to one of them than a random point is. Either is
 * projected onto the complement of the atoms kept and normalized. */
bn_status_t bn_dict_sph_init(bn_dict_t *d, const bn_opts_t *opts, double *x) {
  bn_ctx_t *ctx = d->ctx;
  const bn_idx_t m = d->m;
  const bool root = bn_ctx_rank(ctx) == 0;
  int64_t seed = 1;
  if (bn_opts_is_set(opts, "seed"))
    BN_CALL(ctx, bn_opts_int(opts, "seed", &seed));
  const char *mode = bn_opts_string(opts, "init");
  const uint32_t draw = (uint32_t)d->done;
  if (root)
    for (bn_idx_t i = 0; i < m; i++)
      x[i] =
          bn_rng_normal((uint64_t)seed, BN_DICT_STREAM_INIT, (uint64_t)i, draw);
  if (mode && !strcmp(mode, "spectral")) {
    double u = bn_rng_uniform((uint64_t)seed, BN_DICT_STREAM_PICK, draw, 0);
    bn_idx_t j = (bn_idx_t)(u * (double)d->p);
    if (j >= d->p) j = d->p - 1;
    int owner = bn_dist_owner(d->sdist, j);
    double *b = d->bq + m + 1;
    if (bn_ctx_rank(ctx) == owner)
      memcpy(b, d->y + (size_t)(j - d->p0) * m, (size_t)m * sizeof(double));
    BN_MPI(ctx, MPI_Bcast(b, (int)m, MPI_DOUBLE, owner, bn_ctx_comm(ctx)));
    if (root) {
      double s0 = 0.0, s1 = 0.0;
      for (bn_idx_t i = 0; i < m; i++) s0 += b[i] * b[i];
      bn_dict_deflate(d, b);
      for (bn_idx_t i = 0; i < m; i++) s1 += b[i] * b[i];
      if (s1 > 1e-6 * s0) memcpy(x, b, (size_t)m * sizeof(double));
    }
  }
  d->cvalid = false;
  return bn_dict_sphere_retract(d, x);
}

/* Collective: rank 0's unit x, its sign fixed (the entry of largest
 * magnitude positive, the lowest index on ties), in every process's v. */
bn_status_t bn_dict_sph_unit(bn_dict_t *d, const double *x, double *v) {
  bn_ctx_t *ctx = d->ctx;
  const bn_idx_t m = d->m;
  if (bn_ctx_rank(ctx) == 0) {
    double s = 0.0, big = -1.0, sg = 1.0;
    for (bn_idx_t i = 0; i < m; i++) {
      s += x[i] * x[i];
      if (fabs(x[i]) > big) big = fabs(x[i]), sg = x[i] < 0 ? -1.0 : 1.0;
    }
    s = s > 0 && isfinite(s) ? sg / sqrt(s) : NAN;
    for (bn_idx_t i = 0; i < m; i++) v[i] = s * x[i];
  }
  BN_MPI(ctx, MPI_Bcast(v, (int)m, MPI_DOUBLE, 0, bn_ctx_comm(ctx)));
  if (!isfinite(v[0]))
    return BN_ERROR_ALL(ctx, BN_ERR_NUM,
                        "solve %d ended at a zero or non-finite point",
                        d->done);
  return BN_OK;
}

static bn_status_t bn_dict_sph_accept(bn_dict_t *d, const double *x,
                                      int *kept) {
  double *v = d->bq + d->m + 1;
  BN_CALL(d->ctx, bn_dict_sph_unit(d, x, v));
  for (bn_idx_t i = 0; i < d->m; i++) d->qk[i * d->n + d->found] = v[i];
  d->found++;
  *kept = 1;
  if (d->found == d->m - 1 && d->n == d->m) {
    /* The complement left is one line: its unit vector is the last atom
     * (no solve: the sphere there is two points). P_S e_k for the k
     * farthest from the atoms, the same on every process. */
    double best = -1.0;
    for (bn_idx_t k = 0; k < d->m; k++) {
      double *e = d->bq, s2 = 0.0; /* scratch: [flag, q] */
      memset(e, 0, (size_t)d->m * sizeof(double));
      e[k] = 1.0;
      bn_dict_deflate(d, e);
      for (bn_idx_t i = 0; i < d->m; i++) s2 += e[i] * e[i];
      if (s2 > best) {
        best = s2;
        for (bn_idx_t i = 0; i < d->m; i++) v[i] = e[i];
      }
    }
    double big = -1.0, sg = 1.0;
    for (bn_idx_t i = 0; i < d->m; i++)
      if (fabs(v[i]) > big) big = fabs(v[i]), sg = v[i] < 0 ? -1.0 : 1.0;
    for (bn_idx_t i = 0; i < d->m; i++)
      d->qk[i * d->n + d->found] = sg * v[i] / sqrt(best);
    d->found++;
    *kept = 2;
  }
  return BN_OK;
}

/* The truth point q*_k farthest from the atoms kept (the first one when
 * none is), projected on their complement. */
bn_status_t bn_dict_sph_truth(bn_dict_t *d, double *x, bool *have) {
  *have = d->nt > 0;
  if (!*have || bn_ctx_rank(d->ctx) != 0) return BN_OK;
  double best = -1.0;
  double *v = d->bq + d->m + 1;
  for (int k = 0; k < d->nt; k++) {
    for (bn_idx_t i = 0; i < d->m; i++) v[i] = d->qtrue[i * d->nt + k];
    bn_dict_deflate(d, v);
    double s = 0.0;
    for (bn_idx_t i = 0; i < d->m; i++) s += v[i] * v[i];
    if (s > best + 1e-12) {
      best = s;
      for (bn_idx_t i = 0; i < d->m; i++) x[i] = v[i] / sqrt(s);
    }
  }
  return BN_OK;
}

bn_status_t bn_dict_sph_save(bn_dict_t *d, const double *x, bn_h5_t *f,
                             const char *prefix) {
  char name[128];
  snprintf(name, sizeof name, "%sq", prefix);
  return bn_dict_put(d, f, name, d->m, 0, x);
}

bn_status_t bn_dict_sph_load(bn_dict_t *d, bn_h5_t *f, const char *prefix,
                             double *x) {
  char name[128];
  snprintf(name, sizeof name, "%sq", prefix);
  d->cvalid = false;
  return bn_dict_get_iterate(d, f, name, d->m, 0, x);
}

/* The solver: gd for huber (the default) and l4, als for l1 (its
 * subgradient steps are the objective's sweep). */
static bn_status_t bn_dict_sph_options(bn_dict_t *d, const bn_opts_t *opts,
                                       const char **solver) {
  bn_ctx_t *ctx = d->ctx;
  const char *s = bn_opts_string(opts, "solver");
  bool given = bn_opts_source(opts, "solver") >= BN_SRC_DECK;
  d->deflate = true;
  d->sweep = d->loss == BN_DICT_L1   ? BN_DICT_SWEEP_SUBGRAD
             : d->loss == BN_DICT_L4 ? BN_DICT_SWEEP_FIXED
                                     : BN_DICT_SWEEP_NONE;
  if (d->loss == BN_DICT_L1 && given && strcmp(s, "als"))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--solver=%s: the l1 loss is not smooth; it runs the "
                        "Riemannian subgradient method with diminishing "
                        "steps (the objective's sweep, --solver=als)",
                        s);
  if (d->loss == BN_DICT_HUBER && given &&
      (!strcmp(s, "als") || !strcmp(s, "aals")))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--solver=%s: the huber loss has no sweep; use gd or "
                        "agd (or --loss=l4 for the fixed point, l1 for the "
                        "subgradient method)",
                        s);
  *solver = given ? s : d->loss == BN_DICT_L1 ? "als" : "gd";
  return BN_OK;
}

static bn_status_t bn_dict_sph_setup_sphere(bn_dict_t *d) {
  if (d->n == 0) d->n = (int)d->m;
  if (d->n > d->m)
    return BN_ERROR_ALL(d->ctx, BN_ERR_ARG,
                        "--atoms=%d: the sphere method finds at most m = %lld "
                        "atoms (one per solve, deflation); "
                        "--method=overcomplete learns more",
                        d->n, (long long)d->m);
  d->stages = d->n;
  return bn_dict_sph_setup(d);
}

static void bn_dict_sph_obj(bn_dict_t *d, bn_objective_t *obj) {
  bn_dict_sph_objective(d, obj);
}

const bn_dict_method_t bn_dict_method_sphere = {
    .name = "sphere",
    .options = bn_dict_sph_options,
    .setup = bn_dict_sph_setup_sphere,
    .objective = bn_dict_sph_obj,
    .init = bn_dict_sph_init,
    .accept = bn_dict_sph_accept,
    .truth = bn_dict_sph_truth,
    .save = bn_dict_sph_save,
    .load = bn_dict_sph_load,
    .complete = true};
