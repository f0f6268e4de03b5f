/* benign -- the multi-solve state of the `dict` problem (dictionary
 * learning, src/problems/dict*.c).
 *
 * A problem runs one solve; dictionary learning may need several: the
 * `sphere` method finds one atom per solve (deflation), `overcomplete`
 * runs one solve per random start and keeps the distinct atoms, `l4` runs
 * one solve for the whole dictionary. `benign dict` (drivers/cmd_dict.c)
 * creates the problem through its table (bn_problem_find("dict")) and,
 * until bn_dict_finished, asks it for an initial point (ops->init), runs
 * the solver named by bn_dict_solver on its objective, certifies the end
 * point and hands it back with bn_dict_accept. Then bn_dict_finish builds
 * the dictionary in the data's coordinates, the codes and the metrics, and
 * bn_dict_write_result writes them. The atoms found and the finished
 * solves' records are part of the problem's checkpoint (ops->save/load at
 * "/"), so a restart continues the solve it stopped in. `data` below is the
 * pointer ops->create returned for problem "dict". */
#ifndef BENIGN_DICT_H
#define BENIGN_DICT_H

#include <stdbool.h>

#include "benign/h5.h"
#include "benign/landscape.h"
#include "benign/solver.h"

/* One solve. */
typedef struct bn_dict_stage {
  int64_t iterations;
  int64_t reason;   /* a bn_reason_t */
  double objective; /* at the end */
  double grad_norm; /* Riemannian (sub)gradient norm at the end */
  double seconds;   /* the solve's own clock */
  int64_t kept;     /* atoms it added (overcomplete: 0 for a duplicate) */
  int64_t verdict;  /* its certificate (bn_cert_verdict_t), -1: none */
  double lambda_min;
} bn_dict_stage_t;

/* Metrics of the learned dictionary (NaN where not available). */
typedef struct bn_dict_report {
  int atoms, truth_atoms;
  double l4_error;  /* 1 - |A^T A0|_4^4 / n (ground truth)             */
  double matched;   /* fraction of true atoms with a |cos| > 0.99 one  */
  double min_cos;   /* min over true atoms of the best |cos|           */
  double atom_cos;  /* min over found atoms of the best |cos|          */
  double sparsity;  /* nonzero codes / (atoms samples)                 */
  double rep_error; /* |Y - A X|_F / |Y|_F                             */
  double synthesis; /* 1/(2p)|Ybar - Q C|_F^2 + lasso/p |C|_1 (lasso)  */
  int64_t nnz;
} bn_dict_report_t;

/* Collective: --atoms-png, the learned atoms as a mosaic PNG. */
bn_status_t bn_dict_atoms_png(void *data, const char *path);

/* Solves to run and finished; atoms wanted and kept. Not collective. */
int bn_dict_stage_target(const void *data);
int bn_dict_stages_done(const void *data);
int bn_dict_atoms_target(const void *data);
int bn_dict_atoms_found(const void *data);
/* No more solves to run (the stage target reached, or every atom found). */
bool bn_dict_finished(const void *data);
/* The solver this run uses ("gd", "agd" or "als"), the method and loss. */
const char *bn_dict_solver(const void *data);
const char *bn_dict_method(const void *data);
const char *bn_dict_loss(const void *data);
/* Whether the objective is smooth (else the certificate is skipped: the
 * l1 loss's subgradient does not vanish at its sharp minimizers). */
bool bn_dict_smooth(const void *data);

/* Collective: keep what solver s's finished solve found at x (the
 * certificate cert, or NULL); *kept = atoms added. */
bn_status_t bn_dict_accept(void *data, const double *x, const bn_solver_t *s,
                           const bn_cert_t *cert, int *kept);
/* Collective: the initial point from a file (--init-file): only the
 * iterate (/q or /W), not the atoms or records a result also holds. */
bn_status_t bn_dict_load_start(void *data, bn_h5_t *f, double *x);

const bn_dict_stage_t *bn_dict_stages(const void *data);
/* The finished solves' histories, concatenated; stage[r] is the solve of
 * row r. */
const bn_history_t *bn_dict_history(const void *data, const int64_t **stage);

/* Collective: the dictionary (data coordinates, unit columns), the codes
 * and the metrics. */
bn_status_t bn_dict_finish(void *data, bn_dict_report_t *r);
/* Collective: the result datasets (/A, /Q, /X..., the iterate, /stages,
 * /history) and the problem's attributes. After bn_dict_finish. */
bn_status_t bn_dict_write_result(void *data, const double *x,
                                 const bn_dict_report_t *r, bn_h5_t *f);

#endif
