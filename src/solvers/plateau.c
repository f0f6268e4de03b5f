/* Plateaus of an objective history (include/benign/plateau.h). */
#include "benign/plateau.h"

#include <math.h>

void bn_plateau_params_default(bn_plateau_params_t *p) {
  p->min_len = 3;
  p->rtol = 1e-2;
  p->grad_dip = 0.5;
  p->drop = 0.1;
}

/* Is the step from entry k to k + 1 flat? */
static int bn_flat(const bn_history_t *h, size_t k, double rtol) {
  double a = h->objective[k], b = h->objective[k + 1];
  if (!isfinite(a) || !isfinite(b)) return 0;
  return fabs(b - a) <= rtol * fmax(fabs(a), fabs(b));
}

/* Checks the flat run [s, e] (history entries): the first later entry at
 * or below (1 - drop) times the plateau's objective, and the gradient on
 * the way there. */
static int bn_plateau_check(const bn_history_t *h, const bn_plateau_params_t *p,
                            size_t s, size_t e, bn_plateau_t *out) {
  size_t at = s;
  for (size_t k = s; k <= e; k++)
    if (h->grad_norm[k] < h->grad_norm[at]) at = k;
  double f = h->objective[at], gmin = h->grad_norm[at], gmax = 0.0;
  int dropped = 0;
  for (size_t k = e + 1; k < h->n && !dropped; k++) {
    if (isfinite(h->grad_norm[k])) gmax = fmax(gmax, h->grad_norm[k]);
    dropped = h->objective[k] <= (1.0 - p->drop) * f;
  }
  if (!dropped || !(gmin <= p->grad_dip * gmax)) return 0;
  out->start = h->iteration[s];
  out->end = h->iteration[e];
  out->objective = f;
  out->grad_norm = gmin;
  return 1;
}

/* The end of the flat run that starts at entry s (s itself if none). */
static size_t bn_plateau_run_end(const bn_history_t *h, size_t s, double rtol) {
  size_t e = s;
  while (e + 1 < h->n && bn_flat(h, e, rtol)) e++;
  return e;
}

/* The first entry after e at or below (1 - drop) f, or h->n. */
static size_t bn_drop_at(const bn_history_t *h, size_t e, double f,
                         double drop) {
  size_t j = e + 1;
  while (j < h->n && !(h->objective[j] <= (1.0 - drop) * f)) j++;
  return j;
}

size_t bn_plateau_find(const bn_history_t *h, const bn_plateau_params_t *p,
                       bn_plateau_t *out, size_t max) {
  bn_plateau_params_t def;
  if (!p) {
    bn_plateau_params_default(&def);
    p = &def;
  }
  size_t count = 0, min_len = p->min_len ? p->min_len : 1;
  if (!h || h->n < 2) return 0;
  for (size_t s = 0; s + 1 < h->n;) {
    size_t e =
        bn_plateau_run_end(h, s, p->rtol); /* the run covers entries s..e */
    if (e - s < min_len) {
      s = e > s ? e : s + 1;
      continue;
    }
    /* Later flat runs that end before the objective has clearly dropped
     * belong to the same plateau (a nonmonotone line search makes bumps
     * while the iterate drifts off a saddle). */
    size_t j = bn_drop_at(h, e, h->objective[s], p->drop);
    for (size_t k = e + 1; k < j; k++) {
      size_t ke = bn_plateau_run_end(h, k, p->rtol);
      if (ke > k && ke < j) e = k = ke;
    }
    bn_plateau_t pl;
    if (bn_plateau_check(h, p, s, e, &pl)) {
      if (count < max && out) out[count] = pl;
      count++;
    }
    s = e;
  }
  return count;
}

size_t bn_plateau_report(const bn_ctx_t *ctx, const bn_history_t *h,
                         bn_plateau_t pl[BN_PLATEAU_REPORT]) {
  size_t n = bn_plateau_find(h, NULL, pl, BN_PLATEAU_REPORT);
  if (n > 0)
    bn_log(ctx, BN_LOG_INFO, "saddle points passed (objective plateaus): %zu\n",
           n);
  for (size_t k = 0; k < n && k < BN_PLATEAU_REPORT; k++)
    bn_log(ctx, BN_LOG_INFO,
           "  iterations %lld-%lld: f = %.6e, |grad| down to %.2e\n",
           (long long)pl[k].start, (long long)pl[k].end, pl[k].objective,
           pl[k].grad_norm);
  return n;
}

void bn_plateau_json(FILE *f, const bn_plateau_t *pl, size_t n) {
  fprintf(f, ",\"plateaus\":[");
  for (size_t k = 0; k < n && k < BN_PLATEAU_REPORT; k++)
    fprintf(f, "%s{\"start\":%lld,\"end\":%lld,\"objective\":%.17g}",
            k ? "," : "", (long long)pl[k].start, (long long)pl[k].end,
            pl[k].objective);
  fputc(']', f);
}
