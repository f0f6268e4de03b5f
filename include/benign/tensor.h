/* benign -- the deflation state of the `tensor` problem (orthogonal
 * symmetric 4th-order tensor decomposition, src/problems/tensor*.c).
 *
 * A problem runs one solve; the tensor problem needs one per component.
 * `benign tensor` (drivers/cmd_tensor.c) creates the problem through its
 * table (bn_problem_find("tensor")) and then, for each component, asks it
 * for an initial point (ops->init), runs a solver on its objective and
 * hands the converged iterate back with bn_tensor_accept, which deflates:
 * later evaluations see T - sum_j mu_j b_j^{(x)4}. The kept components are
 * part of the problem's checkpoint (ops->save/load at prefix "/"), so a
 * restart continues the component it stopped in. `data` below is the
 * pointer ops->create returned for problem "tensor". */
#ifndef BENIGN_TENSOR_H
#define BENIGN_TENSOR_H

#include "benign/h5.h"
#include "benign/solver.h"

/* One solve of the deflation loop. */
typedef struct bn_tensor_stage {
  int64_t iterations;
  int64_t reason;   /* a bn_reason_t */
  double objective; /* f = -T_eff(x,x,x,x) at the end */
  double grad_norm; /* Riemannian gradient norm at the end */
  double seconds;   /* the solve's own clock */
  double shift;     /* the shift in use at the end (power methods) */
} bn_tensor_stage_t;

/* Components to find (--components, or the file's number) and found so
 * far. Not collective (replicated). */
int bn_tensor_target(const void *data);
int bn_tensor_found(const void *data);
/* The solver the method runs on: "als" for --method=power|shifted-power
 * (the power step is the objective's sweep), the --solver option (gd or
 * agd) for --method=rgd. */
const char *bn_tensor_solver(const void *data);
const char *bn_tensor_method(const void *data);

/* Collective: keep x (the end of solver s's solve; a unit vector) as the
 * next component, its weight mu = T_eff(x,x,x,x), and the solve's record
 * and history. The sign of the component is fixed so that its entry of
 * largest magnitude is positive. */
bn_status_t bn_tensor_accept(void *data, const double *x, const bn_solver_t *s);

/* Collective: is x (the end of a solve) a component with a positive
 * weight? *mu = T_eff(x,x,x,x)/|x|^4 and *floor = 1e-6 max(|T(g,g,g,g)|
 * for a fixed Gaussian unit g, max_j |mu_j| kept); *ok = mu > floor. A
 * solve that ends with mu <= floor found no component: none with
 * lambda_k > 0 remains (a tensor of negative weights ends at a point
 * orthogonal to every component, mu ~ 1e-16). */
bn_status_t bn_tensor_weight_check(void *data, const double *x, double *mu,
                                   double *floor, bool *ok);

/* Records of the completed solves (bn_tensor_found() of them) and the
 * weights mu_j found. */
const bn_tensor_stage_t *bn_tensor_stages(const void *data);
const double *bn_tensor_weights(const void *data);
/* The completed solves' histories, concatenated: iteration numbers and
 * seconds run on across solves; comp[r] is the component of row r. */
const bn_history_t *bn_tensor_history(const void *data, const int64_t **comp);

/* Collective: with a ground truth /A_true, each true component's best
 * |cos| with the components found so far, and the smallest of these
 * (0 when none has been found); NaN without a ground truth. */
bn_status_t bn_tensor_recovery(void *data, double *min_cos);

/* Collective: the result datasets /A_hat (n x found), /lambda_hat,
 * /x (the last iterate), /stages/... and /history/... (with
 * /history/component), and the attributes dim, components, form, method,
 * input. */
bn_status_t bn_tensor_write_result(void *data, const double *x, bn_h5_t *f);

#endif
