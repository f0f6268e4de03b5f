/* Generalized linear model with a squared loss, private to
 * src/problems/glm*.c.
 *
 *   f(w) = 1/(2n) sum_i (sigma(x_i^T w) - y_i)^2,   w in R^d,
 *
 * sigma a monotone link (sigmoid, tanh, softplus or the identity). The n
 * samples (rows x_i of /X, n x d, and y_i of /y) are split in contiguous
 * blocks over the processes (uniform: every sample costs the same).
 *
 * The iterate w is small (d), but the solver's inner products are sums
 * over ranks of the local parts, so every entry must be owned by exactly
 * one rank. w is split in uniform blocks (rank p owns entries
 * [offset(p), offset(p+1)), possibly none when d < P), as sense.c splits
 * its factors: an evaluation allgathers w (d doubles), applies the rank's
 * samples to the full w, and reduce-scatters the partial gradients (d
 * doubles) back onto the owned entries. The alternative -- rank 0 owning
 * all of w -- costs the same two collectives but leaves the solver's
 * vector updates to one rank. */
#ifndef BN_PROBLEMS_GLM_H
#define BN_PROBLEMS_GLM_H

#include "benign/benign.h"
#include "benign/problem.h"

typedef enum bn_glm_link {
  BN_GLM_SIGMOID = 0,
  BN_GLM_TANH = 1,
  BN_GLM_SOFTPLUS = 2,
  BN_GLM_LINEAR = 3
} bn_glm_link_t;

/* "sigmoid|tanh|softplus|linear"; bn_glm_link_parse returns -1 if unknown. */
extern const char *const bn_glm_link_names[4];
int bn_glm_link_parse(const char *name);

/* sigma(z) and, when not NULL, sigma'(z) and sigma''(z). */
void bn_glm_link_eval(bn_glm_link_t link, double z, double *s, double *ds,
                      double *d2s);

/* Streams of the generator (rng.h: problems use >= 64). */
enum { BN_GLM_STREAM_X = 80 };

typedef struct bn_glm {
  bn_ctx_t *ctx;
  char *input;
  bn_glm_link_t link;
  bn_idx_t n, d;
  bn_dist_t *sdist; /* samples */
  bn_dist_t *wdist; /* entries of w */
  bn_idx_t nl, wl;  /* local samples, local entries of w */
  bn_dmat_t *xmat;  /* the rank's rows of /X */
  const double *x;  /* nl x d */
  double *y;        /* nl */
  double *truth;    /* /truth/w (d, replicated), NULL if none */
  double truth_norm;
  /* Work space (bn_glm_prepare). */
  double *wf, *vf, *gw; /* full w, full v, partial gradient (d each) */
  double *z, *u, *c;    /* X w, X v and per-sample weights (nl each) */
  int *cnt, *dsp;       /* allgather / reduce-scatter of w */
  int t_kernel, t_comm;
} bn_glm_t;

bn_status_t bn_glm_prepare(bn_glm_t *s);
void bn_glm_free(bn_glm_t *s);

bn_status_t bn_glm_eval(void *data, const double *w, double *f, double *g);
bn_status_t bn_glm_hvp(void *data, const double *w, const double *v,
                       double *hv);
bn_status_t bn_glm_metrics(void *data, const double *w, double *rel,
                           double *rmse);
bn_status_t bn_glm_init(void *data, const bn_opts_t *opts, double *w);

/* glm_gen_opts.c: `benign generate glm`, its options and run (collective). */
extern const bn_optdef_t bn_gen_glm_opts[];
bn_status_t bn_gen_glm_run(bn_ctx_t *ctx, bn_opts_t *opts);

#endif
