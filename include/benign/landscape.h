/* benign -- second-order landscape tools: Hessian-vector products, the
 * smallest Hessian eigenvalue by a distributed Lanczos iteration, the dense
 * Hessian spectrum of small instances, and the certificate every solve ends
 * with ("approximate local minimizer", "saddle" or "not converged").
 *
 * Everything works on an objective (benign/solver.h) over the distributed
 * iterate: vectors are each rank's n local doubles, inner products are sums
 * over ranks. On a manifold (obj->retract set) the Hessian is the Riemannian
 * one, restricted to the tangent space at x (obj->project). */
#ifndef BENIGN_LANDSCAPE_H
#define BENIGN_LANDSCAPE_H

#include <stdbool.h>
#include <stdint.h>

#include "benign/objective.h"

typedef struct bn_cert_params {
  double gtol;      /* eps_g: |grad| bound of a local minimizer; must be set */
  double htol;      /* eps_H: lambda_min >= -eps_H; <= 0: auto, 1e-5 |H|   */
  int max_iter;     /* Lanczos steps before an explicit restart (default 60) */
  int max_restarts; /* explicit restarts from the best Ritz vector (4)     */
  double tol;       /* Ritz residual <= tol * |H| (default 1e-6)            */
  uint64_t seed;    /* start vector (counter-based: the same on any count)  */
  int64_t max_hvps; /* stop Lanczos after this many products (0 = no cap) */
} bn_cert_params_t;
void bn_cert_params_default(bn_cert_params_t *p);

typedef enum bn_cert_verdict {
  BN_CERT_LOCAL_MIN = 0,    /* |grad| <= eps_g and lambda_min >= -eps_H */
  BN_CERT_SADDLE = 1,       /* |grad| <= eps_g and lambda_min < -eps_H  */
  BN_CERT_NOT_CONVERGED = 2 /* |grad| > eps_g                      */
} bn_cert_verdict_t;
/* "approximate local minimizer", "saddle", "not converged". */
const char *bn_cert_verdict_string(bn_cert_verdict_t v);
/* "local-minimizer", "saddle", "not-converged" (JSON, HDF5 attributes). */
const char *bn_cert_verdict_key(bn_cert_verdict_t v);

typedef struct bn_cert {
  double grad_norm;  /* |grad f(x)| (Riemannian on a manifold)          */
  double lambda_min; /* smallest eigenvalue of the Hessian at x         */
  double hnorm;      /* largest |Ritz value| seen (|H| estimate)         */
  double residual;   /* |H v - lambda v| of the returned eigenvector     */
  double gtol, htol; /* the thresholds the verdict used                  */
  int64_t hvps;      /* Hessian-vector products spent                    */
  bool lanczos_converged;
  bool capped;  /* Lanczos stopped by max_hvps                      */
  bool skipped; /* no Lanczos: the first-order test already failed  */
  bn_cert_verdict_t verdict;
} bn_cert_t;

/* Collective: hv = H(x) v, by obj->hvp when the problem has one, else by a
 * central difference of gradients (on a manifold: of Riemannian gradients
 * at retracted points, projected onto the tangent space at x). */
bn_status_t bn_hvp(bn_ctx_t *ctx, const bn_objective_t *obj, const double *x,
                   const double *v, double *hv);

/* Collective: the central difference of gradients alone (what bn_hvp does
 * for a problem without hvp); for problems whose own hvp freezes a
 * piecewise structure and differences the smooth piece. */
bn_status_t bn_hvp_fd(bn_ctx_t *ctx, const bn_objective_t *obj, const double *x,
                      const double *v, double *hv);

/* Collective: the smallest eigenvalue of the Hessian at x by Lanczos with
 * full reorthogonalization and explicit restarts; evec (n local doubles, or
 * NULL) gets its unit eigenvector. Fills lambda_min, hnorm, residual, hvps
 * and lanczos_converged of *info. */
bn_status_t bn_lambda_min(bn_ctx_t *ctx, const bn_objective_t *obj,
                          const double *x, const bn_cert_params_t *p,
                          double *evec, bn_cert_t *info);

/* The verdict from grad_norm, lambda_min, gtol and htol: not converged
 * when |grad| > eps_g, else saddle when lambda_min < -eps_H, else
 * approximate local minimizer (a non-finite lambda_min: not converged). */
void bn_cert_decide(bn_cert_t *c);

/* Collective: the certificate at x (gradient norm, lambda_min, verdict). */
bn_status_t bn_certify(bn_ctx_t *ctx, const bn_objective_t *obj,
                       const double *x, const bn_cert_params_t *p,
                       bn_cert_t *cert, double *evec);

/* Collective, small instances (global dimension N <= max_dim): every
 * eigenvalue of the (tangent) Hessian at x, ascending, from the dense
 * matrix built column by column with N Hessian-vector products. eig must
 * hold N doubles on every rank; *count receives the number written (N, or
 * the tangent dimension on a manifold). */
bn_status_t bn_hessian_eigs(bn_ctx_t *ctx, const bn_objective_t *obj,
                            const double *x, int64_t max_dim, double *eig,
                            int64_t *count);

#endif
