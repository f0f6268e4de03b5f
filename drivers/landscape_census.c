/* benign landscape: the starts. Each process runs starts k = rank,
 * rank + P, ... on its own instance (MPI_COMM_SELF): random initial point
 * with seed --seed + k, the solver with the shared options (saddle escape
 * included), the certificate, the dense Hessian spectrum of a small
 * instance, the plateaus of the history. Rank 0 gathers the records,
 * decides which starts reached a global minimizer and groups the end
 * points into clusters. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "landscape.h"

/* The solver parameters of every start (the shared keys, as
 * run_problem.c reads them), quiet: the starts run side by side. */
static bn_status_t bn_ls_params(bn_ls_t *ls, uint64_t seed,
                                bn_solver_params_t *p) {
  bn_ctx_t *c = ls->self;
  const bn_opts_t *o = ls->opts;
  BN_CALL(c, bn_run_solver_params(c, o, p));
  p->monitor = false;
  p->progress = false;
  p->seed = seed;
  return BN_OK;
}

/* The Hessian index at x: eigenvalues below -eps_H, and those within
 * eps_H of zero (flat directions: the symmetry orbit at a minimizer). */
static bn_status_t bn_ls_index(bn_ls_t *ls, const double *x, double htol,
                               double *eig, bn_ls_rec_t *rec) {
  int64_t cnt = 0, neg = 0, zero = 0;
  BN_CALL(ls->self,
          bn_hessian_eigs(ls->self, &ls->obj, x, ls->max_dim, eig, &cnt));
  for (int64_t k = 0; k < cnt; k++) {
    if (eig[k] < -htol)
      neg++;
    else if (eig[k] <= htol)
      zero++;
  }
  rec->index = (double)neg;
  rec->zero = (double)zero;
  return BN_OK;
}

/* One start, from the random point of seed --seed + k. */
static bn_status_t bn_ls_start(bn_ls_t *ls, int64_t k, double *x, double *eig,
                               bn_ls_rec_t *rec) {
  bn_ctx_t *c = ls->self;
  uint64_t seed = ls->seed + (uint64_t)k;
  char text[32];
  snprintf(text, sizeof(text), "%llu", (unsigned long long)seed);
  BN_CALL(c, bn_opts_set(ls->opts, "seed", text, BN_SRC_CMDLINE));
  double t0 = bn_wtime();
  BN_CALL(c, ls->ops->init(ls->data, ls->opts, x));
  bn_solver_params_t p;
  BN_CALL(c, bn_ls_params(ls, seed, &p));
  bn_solver_t *s = NULL;
  BN_CALL(c, bn_solver_create(c, bn_opts_string(ls->opts, "solver"), &s));
  bn_solver_set_params(s, &p);
  bn_run_cert_t rc;
  bn_status_t st = bn_solver_solve(s, &ls->obj, x);
  if (st == BN_OK) st = bn_run_certify(c, ls->opts, s, &ls->obj, x, &rc);
  if (st != BN_OK) {
    bn_solver_destroy(s);
    return st;
  }
  const bn_history_t *h = bn_solver_history(s);
  size_t last = h->n ? h->n - 1 : 0;
  rec->start = (double)k;
  rec->seed = (double)seed;
  rec->f0 = h->n ? h->objective[0] : NAN;
  rec->objective = h->n ? h->objective[last] : NAN;
  rec->iterations = (double)bn_solver_iterations(s);
  rec->reason = (double)bn_solver_reason(s);
  rec->escapes = (double)bn_solver_escapes(s);
  rec->grad_norm = rc.c.grad_norm;
  rec->lambda_min = rc.c.lambda_min;
  rec->gtol = rc.c.gtol;
  rec->htol = rc.c.htol;
  rec->verdict = (double)rc.c.verdict;
  bn_plateau_t pl[BN_LS_MAX_PLATEAUS];
  size_t npl = bn_plateau_find(h, NULL, pl, BN_LS_MAX_PLATEAUS);
  rec->nplateaus = (double)npl;
  for (size_t q = 0; q < npl && q < BN_LS_MAX_PLATEAUS; q++) {
    rec->plateau[q][0] = (double)pl[q].start;
    rec->plateau[q][1] = (double)pl[q].end;
    rec->plateau[q][2] = pl[q].objective;
    rec->plateau[q][3] = pl[q].grad_norm;
  }
  bn_solver_destroy(s);
  /* The objective at the end point itself (the history's last entry is
   * before a final escape check moved nothing, so they agree; this also
   * covers a run that ended at its first iterate). */
  BN_CALL(c, ls->obj.eval(ls->data, x, &rec->objective, NULL));
  double rmse;
  rec->distance = NAN;
  if (ls->obj.metrics)
    BN_CALL(c, ls->obj.metrics(ls->data, x, &rec->distance, &rmse));
  rec->index = rec->zero = -1;
  if (rec->dim <= (double)ls->max_dim)
    BN_CALL(c, bn_ls_index(ls, x, rc.c.htol, eig, rec));
  rec->plane_a = rec->plane_b = rec->plane_res = NAN;
  if (ls->have_plane)
    bn_ls_plane_coords(ls, x, &rec->plane_a, &rec->plane_b, &rec->plane_res);
  rec->seconds = bn_wtime() - t0;
  return BN_OK;
}

/* This process's starts into recs (count of them in *nloc). */
static bn_status_t bn_ls_local(bn_ls_t *ls, bn_ls_rec_t *recs, int *nloc) {
  bn_ctx_t *c = ls->self;
  const int P = bn_ctx_size(ls->ctx), me = bn_ctx_rank(ls->ctx);
  size_t n = ls->obj.n ? ls->obj.n : 1;
  double dim = (double)ls->obj.n, *x = NULL, *eig = NULL;
  BN_CALL(c, bn_mallocn(c, n, sizeof(double), &x));
  bn_status_t st = BN_OK;
  if (dim <= (double)ls->max_dim) st = bn_mallocn(c, n, sizeof(double), &eig);
  *nloc = 0;
  for (int64_t k = me; st == BN_OK && k < ls->starts; k += P) {
    bn_ls_rec_t *r = &recs[*nloc];
    for (size_t i = 0; i < BN_LS_REC_LEN; i++) ((double *)r)[i] = NAN;
    r->dim = dim;
    st = bn_ls_start(ls, k, x, eig, r);
    if (st == BN_OK) {
      r->global = r->cluster = -1;
      (*nloc)++;
    }
  }
  free(x);
  free(eig);
  return st;
}

/* Rank 0: did each start reach a global minimizer? By the distance to
 * the truth when the problem reports one, else by the objective. */
static void bn_ls_globals(bn_ls_t *ls) {
  const int64_t K = ls->starts;
  double fmin = INFINITY, fscale = 0.0;
  ls->by_distance = true;
  for (int64_t k = 0; k < K; k++) {
    const bn_ls_rec_t *r = &ls->recs[k];
    if (isnan(r->distance)) ls->by_distance = false;
    if (isfinite(r->objective))
      fmin = fmin < r->objective ? fmin : r->objective;
    if (isfinite(r->f0)) fscale = fmax(fscale, fabs(r->f0));
  }
  double ftol = 1e-6 * fabs(fmin) + 1e-10 * fscale;
  ls->fmin = fmin;
  ls->ftol = ftol;
  ls->nglobal = 0;
  for (int64_t k = 0; k < K; k++) {
    bn_ls_rec_t *r = &ls->recs[k];
    bool g = ls->by_distance
                 ? r->distance <= ls->global_tol
                 : isfinite(r->objective) && r->objective <= fmin + ftol;
    r->global = g ? 1.0 : 0.0;
    ls->nglobal += g;
  }
}

/* Same end point: same verdict and Hessian index, objectives equal to a
 * relative 1e-6 (with a floor of 1e-10 times the largest initial
 * objective, for minimizers at f ~ 0), distances within 1e-3. */
static bool bn_ls_same(const bn_ls_rec_t *a, const bn_ls_rec_t *b,
                       double ffloor) {
  if (a->verdict != b->verdict || a->index != b->index) return false;
  double fa = a->objective, fb = b->objective;
  if (!(fabs(fa - fb) <= 1e-6 * fmax(fabs(fa), fabs(fb)) + ffloor))
    return false;
  if (isnan(a->distance) || isnan(b->distance))
    return isnan(a->distance) && isnan(b->distance);
  return fabs(a->distance - b->distance) <= 1e-3;
}

static int bn_ls_cmp(const bn_ls_t *ls, const bn_ls_cluster_t *a,
                     const bn_ls_cluster_t *b) {
  const bn_ls_rec_t *x = &ls->recs[a->first], *y = &ls->recs[b->first];
  if (x->objective != y->objective) return x->objective < y->objective ? -1 : 1;
  if (x->distance != y->distance) return x->distance < y->distance ? -1 : 1;
  return a->first - b->first;
}

/* Rank 0: greedy clustering in start order, then clusters by objective. */
static bn_status_t bn_ls_cluster(bn_ls_t *ls) {
  const int K = (int)ls->starts;
  double fscale = 0.0;
  for (int k = 0; k < K; k++)
    if (isfinite(ls->recs[k].f0)) fscale = fmax(fscale, fabs(ls->recs[k].f0));
  BN_CALL(ls->ctx, bn_calloc(ls->ctx, (size_t)K, sizeof(bn_ls_cluster_t),
                             &ls->clusters));
  int nc = 0;
  for (int k = 0; k < K; k++) {
    bn_ls_rec_t *r = &ls->recs[k];
    int c = 0;
    while (c < nc &&
           !bn_ls_same(&ls->recs[ls->clusters[c].first], r, 1e-10 * fscale))
      c++;
    if (c == nc) ls->clusters[nc++].first = k;
    ls->clusters[c].count++;
    ls->clusters[c].globals += r->global > 0;
  }
  /* Insertion sort (a few clusters). */
  for (int i = 1; i < nc; i++) {
    bn_ls_cluster_t t = ls->clusters[i];
    int j = i;
    while (j > 0 && bn_ls_cmp(ls, &t, &ls->clusters[j - 1]) < 0) {
      ls->clusters[j] = ls->clusters[j - 1];
      j--;
    }
    ls->clusters[j] = t;
  }
  for (int c = 0; c < nc; c++)
    for (int k = 0; k < K; k++)
      if (bn_ls_same(&ls->recs[ls->clusters[c].first], &ls->recs[k],
                     1e-10 * fscale) &&
          ls->recs[k].cluster < 0)
        ls->recs[k].cluster = c;
  ls->nclusters = nc;
  return BN_OK;
}

bn_status_t bn_ls_census(bn_ls_t *ls) {
  bn_ctx_t *ctx = ls->ctx;
  const int P = bn_ctx_size(ctx), me = bn_ctx_rank(ctx);
  const int64_t K = ls->starts;
  int mine = (int)((K - me + P - 1) / P), nloc = 0;
  if (mine < 0) mine = 0;
  bn_ls_rec_t *loc = NULL;
  int *counts = NULL, *displs = NULL;
  double *all = NULL;
  bn_status_t st =
      bn_mallocn(ctx, (size_t)(mine ? mine : 1), sizeof(*loc), &loc);
  if (st == BN_OK && me == 0) {
    st = bn_mallocn(ctx, (size_t)K, sizeof(bn_ls_rec_t), &all);
    if (st == BN_OK)
      st = bn_mallocn(ctx, bn_size_mul(2, (size_t)P), sizeof(int), &counts);
  }
  st = bn_agree(ctx, st);
  if (st == BN_OK) {
    bn_log(ctx, BN_LOG_INFO, "running %lld starts on %d processes\n",
           (long long)K, P);
    st = bn_ls_lift(ls, bn_ls_local(ls, loc, &nloc));
  }
  if (st == BN_OK && me == 0) {
    displs = counts + P;
    for (int p = 0, off = 0; p < P; p++) {
      int n = (int)((K - p + P - 1) / P);
      counts[p] = (n > 0 ? n : 0) * (int)BN_LS_REC_LEN;
      displs[p] = off;
      off += counts[p];
    }
  }
  if (st == BN_OK &&
      MPI_Gatherv(loc, nloc * (int)BN_LS_REC_LEN, MPI_DOUBLE, all, counts,
                  displs, MPI_DOUBLE, 0, bn_ctx_comm(ctx)) != MPI_SUCCESS)
    st = BN_ERROR(ctx, BN_ERR_MPI, "MPI_Gatherv failed (census records)");
  if (st == BN_OK && me == 0) {
    /* Process p's records are starts p, p + P, ...: back to start order. */
    st = bn_mallocn(ctx, (size_t)K, sizeof(bn_ls_rec_t), &ls->recs);
    if (st == BN_OK) {
      const bn_ls_rec_t *src = (const bn_ls_rec_t *)all;
      for (int p = 0, i = 0; p < P; p++)
        for (int64_t k = p; k < K; k += P) ls->recs[k] = src[i++];
      bn_ls_globals(ls);
      st = bn_ls_cluster(ls);
    }
  }
  free(loc);
  free(all);
  free(counts);
  return bn_agree(ctx, st);
}
