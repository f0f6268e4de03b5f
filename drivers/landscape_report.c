/* benign landscape: the census table (log), the JSON object (--json, on
 * stdout) and the HDF5 output (docs/commands.md lists the datasets). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "landscape.h"

static const char *bn_ls_verdict(double v) {
  return bn_cert_verdict_key((bn_cert_verdict_t)(int)v);
}

/* Plateaus of all starts grouped by objective (relative 1e-2); the number
 * of starts that passed each (a start counts once per group). */
typedef struct bn_ls_pgroup {
  double f;
  int starts, last; /* last: the latest start counted */
} bn_ls_pgroup_t;

static bool bn_ls_near(double a, double b) {
  return fabs(a - b) <= 1e-2 * fmax(fabs(a), fabs(b));
}

static int bn_ls_plateau_groups(const bn_ls_t *ls, bn_ls_pgroup_t *g, int max) {
  int n = 0;
  for (int64_t k = 0; k < ls->starts; k++) {
    const bn_ls_rec_t *r = &ls->recs[k];
    int np = (int)fmin(r->nplateaus, BN_LS_MAX_PLATEAUS);
    for (int q = 0; q < np; q++) {
      double f = r->plateau[q][2];
      int c = 0;
      while (c < n && !bn_ls_near(g[c].f, f)) c++;
      if (c == n) {
        if (n == max) continue;
        g[n++] = (bn_ls_pgroup_t){f, 0, -1};
      }
      if (g[c].last != (int)k) g[c].starts++;
      g[c].last = (int)k;
    }
  }
  /* Most visited first. */
  for (int i = 1; i < n; i++) {
    bn_ls_pgroup_t t = g[i];
    int j = i;
    for (; j > 0 && g[j - 1].starts < t.starts; j--) g[j] = g[j - 1];
    g[j] = t;
  }
  return n;
}

/* Certified minimizers that missed the truth at an objective as low as
 * the lowest found. */
static int bn_ls_failed_low(const bn_ls_t *ls) {
  int n = 0;
  for (int64_t k = 0; ls->by_distance && k < ls->starts; k++)
    n += ls->recs[k].global <= 0 && ls->recs[k].verdict == BN_CERT_LOCAL_MIN &&
         ls->recs[k].objective <= ls->fmin + ls->ftol;
  return n;
}

static void bn_ls_table(bn_ls_t *ls) {
  bn_ctx_t *ctx = ls->ctx;
  const int64_t K = ls->starts;
  bn_log(ctx, BN_LOG_INFO,
         "\n start       seed     objective  distance    |grad|  lambda_min "
         "index iters esc plat verdict\n");
  for (int64_t k = 0; k < K; k++) {
    const bn_ls_rec_t *r = &ls->recs[k];
    char idx[16] = "-";
    if (r->index >= 0) snprintf(idx, sizeof(idx), "%d", (int)r->index);
    bn_log(
        ctx, BN_LOG_INFO,
        "%6lld %10.0f %13.6e %9.2e %9.2e %11.3e %5s %5.0f %3.0f %4.0f %s%s\n",
        (long long)k, r->seed, r->objective, r->distance, r->grad_norm,
        r->lambda_min, idx, r->iterations, r->escapes, r->nplateaus,
        bn_ls_verdict(r->verdict), r->global > 0 ? " (global)" : "");
  }
  bn_log(ctx, BN_LOG_INFO,
         "\ndistinct end points: %d\n"
         "  #     objective  distance index  flat verdict                 "
         "     starts global\n",
         ls->nclusters);
  for (int c = 0; c < ls->nclusters; c++) {
    const bn_ls_cluster_t *cl = &ls->clusters[c];
    const bn_ls_rec_t *r = &ls->recs[cl->first];
    char idx[16] = "-", flat[16] = "-";
    if (r->index >= 0) snprintf(idx, sizeof(idx), "%d", (int)r->index);
    if (r->zero >= 0) snprintf(flat, sizeof(flat), "%d", (int)r->zero);
    bn_log(ctx, BN_LOG_INFO, "%3d %13.6e %9.2e %5s %5s %-28s %6d %6d\n", c + 1,
           r->objective, r->distance, idx, flat,
           bn_cert_verdict_string((bn_cert_verdict_t)(int)r->verdict),
           cl->count, cl->globals);
  }
}

void bn_ls_report(bn_ls_t *ls) {
  bn_ctx_t *ctx = ls->ctx;
  if (bn_ctx_rank(ctx) != 0) return;
  const int64_t K = ls->starts;
  bn_ls_table(ls);
  double pct = 100.0 * (double)ls->nglobal / (double)K;
  if (ls->by_distance)
    bn_log(ctx, BN_LOG_INFO,
           "global minimizers: %lld of %lld starts (%.1f%%)  [distance to the "
           "nearest copy of the truth <= %g]\n",
           (long long)ls->nglobal, (long long)K, pct, ls->global_tol);
  else
    bn_log(ctx, BN_LOG_INFO,
           "global minimizers: %lld of %lld starts (%.1f%%)  [no ground truth: "
           "objective within a relative 1e-6 of the lowest found]\n",
           (long long)ls->nglobal, (long long)K, pct);
  int shown = 0;
  for (int64_t k = 0; k < K; k++) {
    const bn_ls_rec_t *r = &ls->recs[k];
    if (r->global > 0) continue;
    if (shown++ == 0)
      bn_log(ctx, BN_LOG_INFO,
             "starts that did not reach a global minimizer:\n");
    if (shown > 20) continue;
    bn_log(ctx, BN_LOG_INFO,
           "  start %lld: distance %.3e, objective %.6e, %s (%s)\n",
           (long long)k, r->distance, r->objective,
           bn_cert_verdict_string((bn_cert_verdict_t)(int)r->verdict),
           bn_reason_string((bn_reason_t)(int)r->reason));
  }
  if (shown > 20)
    bn_log(ctx, BN_LOG_INFO, "  ... and %d more (see the output file)\n",
           shown - 20);
  int low = bn_ls_failed_low(ls);
  if (low > 0)
    bn_log(
        ctx, BN_LOG_INFO,
        "  %d of them are certified minimizers as low as the lowest objective "
        "found (%.3e): "
        "several global minimizers of f, so the data do not determine the "
        "truth (too few observations?) -- not spurious local minima\n",
        low, ls->fmin);
  bn_ls_pgroup_t g[64];
  int ng = bn_ls_plateau_groups(ls, g, 64);
  double esc = 0.0;
  for (int64_t k = 0; k < K; k++) esc += ls->recs[k].escapes;
  bn_log(ctx, BN_LOG_INFO,
         "saddles on the way: %d%s distinct objective plateau%s, %.0f saddle "
         "escape%s\n",
         ng, ng == 64 ? "+" : "", ng == 1 ? "" : "s", esc, esc == 1 ? "" : "s");
  for (int c = 0; c < ng && c < 8; c++)
    bn_log(ctx, BN_LOG_INFO, "  plateau at f = %.6e passed by %d start%s\n",
           g[c].f, g[c].starts, g[c].starts == 1 ? "" : "s");
  if (ng > 8)
    bn_log(ctx, BN_LOG_INFO,
           "  ... (all of them: /plateaus in the output, and "
           "the JSON)\n");
  if (ls->have_plane)
    bn_log(ctx, BN_LOG_INFO,
           "slice minimum: f = %.6e at (a, b) = (%.3f, %.3f); truth at "
           "(1, 0)%s\n",
           ls->gmin_f, ls->gmin_a, ls->gmin_b,
           isfinite(ls->plane.copy_a) ? ", copy marked" : "");
  bn_log(ctx, BN_LOG_INFO, "wrote %s (%.2f s in all)\n", ls->output,
         bn_wtime() - ls->t0);
  if (!ls->json) return;
  FILE *f = stdout;
  fprintf(f,
          "{\"problem\":\"%s\",\"processes\":%d,\"num_starts\":%lld,"
          "\"seed\":%llu,\"criterion\":\"%s\",\"global_tol\":%.17g,"
          "\"global_minimizers\":%lld,\"global_fraction\":%.17g,"
          "\"failed_at_lowest_objective\":%d,\"num_clusters\":%d,"
          "\"clusters\":[",
          ls->ops->name, bn_ctx_size(ctx), (long long)K,
          (unsigned long long)ls->seed,
          ls->by_distance ? "distance" : "objective", ls->global_tol,
          (long long)ls->nglobal, (double)ls->nglobal / (double)K,
          bn_ls_failed_low(ls), ls->nclusters);
  for (int c = 0; c < ls->nclusters; c++) {
    const bn_ls_cluster_t *cl = &ls->clusters[c];
    const bn_ls_rec_t *r = &ls->recs[cl->first];
    fprintf(f, "%s{", c ? "," : "");
    bn_json_put_num(f, "", "objective", r->objective);
    bn_json_put_num(f, ",", "distance", r->distance);
    fprintf(f,
            ",\"hessian_index\":%d,\"zero_eigs\":%d,\"verdict\":\"%s\","
            "\"count\":%d,\"globals\":%d,\"starts\":[",
            (int)r->index, (int)r->zero, bn_ls_verdict(r->verdict), cl->count,
            cl->globals);
    for (int64_t k = 0, n = 0; k < K; k++)
      if ((int)ls->recs[k].cluster == c)
        fprintf(f, "%s%lld", n++ ? "," : "", (long long)k);
    fprintf(f, "]}");
  }
  fprintf(f, "],\"starts\":[");
  for (int64_t k = 0; k < K; k++) {
    const bn_ls_rec_t *r = &ls->recs[k];
    const double num[] = {r->objective, r->distance, r->grad_norm,
                          r->lambda_min};
    const char *key[] = {"objective", "distance", "grad_norm", "lambda_min"};
    fprintf(f, "%s{\"start\":%lld,\"seed\":%.0f", k ? "," : "", (long long)k,
            r->seed);
    for (int q = 0; q < 4; q++) bn_json_put_num(f, ",", key[q], num[q]);
    fprintf(f,
            ",\"hessian_index\":%d,\"verdict\":\"%s\",\"reason\":\"%s\","
            "\"iterations\":%.0f,\"escapes\":%.0f,\"global\":%s,"
            "\"cluster\":%d,\"plateaus\":[",
            (int)r->index, bn_ls_verdict(r->verdict),
            bn_reason_string((bn_reason_t)(int)r->reason), r->iterations,
            r->escapes, r->global > 0 ? "true" : "false", (int)r->cluster);
    for (int q = 0; q < (int)fmin(r->nplateaus, BN_LS_MAX_PLATEAUS); q++)
      fprintf(f, "%s{\"start\":%.0f,\"end\":%.0f,\"objective\":%.17g}",
              q ? "," : "", r->plateau[q][0], r->plateau[q][1],
              r->plateau[q][2]);
    fprintf(f, "]}");
  }
  fprintf(f, "]");
  if (ls->have_plane) {
    fprintf(f,
            ",\"slice\":{\"kind\":\"%s\",\"grid\":%lld,"
            "\"min_objective\":%.17g,\"min_a\":%.17g,\"min_b\":%.17g",
            ls->slice, (long long)ls->grid, ls->gmin_f, ls->gmin_a, ls->gmin_b);
    bn_json_put_str(f, ",", "png", ls->png);
    fputc('}', f);
  }
  fprintf(f, ",\"seconds\":%.6g", bn_wtime() - ls->t0);
  bn_json_put_str(f, ",", "output", ls->output);
  fprintf(f, "}\n");
  fflush(f);
}
