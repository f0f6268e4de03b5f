/* benign -- problems: a table of functions per problem, registered by name
 * (in the style of SLEPc's _EPSOps). A driver creates a problem from
 * options, asks it for its objective and initial point, hands both to a
 * solver, and asks it to save the result. Adding a problem is one file plus
 * one line in src/problems/registry.c. */
#ifndef BENIGN_PROBLEM_H
#define BENIGN_PROBLEM_H

#include <stdbool.h>
#include <stdio.h>

#include "benign/h5.h"
#include "benign/opts.h"
#include "benign/solver.h"

typedef struct bn_problem_ops {
  const char *name;
  const char *summary;
  const bn_optdef_t *opts; /* the problem's own option keys */
  /* Collective: read the input named in opts, build distributions/plans. */
  bn_status_t (*create)(bn_ctx_t *ctx, const bn_opts_t *opts, void **data);
  /* Fills obj (eval, optional sweep and metrics, local length n). */
  void (*objective)(void *data, bn_objective_t *obj);
  /* Collective: the initial point (obj.n local doubles). */
  bn_status_t (*init)(void *data, const bn_opts_t *opts, double *x);
  /* Collective: write the problem's datasets, names prefixed by prefix
   * ("/" for the result, "/init/" for the initial point). */
  bn_status_t (*save)(void *data, const double *x, bn_h5_t *f,
                      const char *prefix);
  /* Collective: the inverse of save -- read the datasets under prefix into
   * x (obj.n local doubles) on this run's distribution, whatever the
   * number of processes that wrote them (checkpoints, restarts). */
  bn_status_t (*load)(void *data, bn_h5_t *f, const char *prefix, double *x);
  /* Rank 0: KEY=VALUE lines describing the instance for the run header. */
  void (*describe)(void *data, FILE *stream);
  void (*destroy)(void *data);
  /* Collective, optional: the ground truth as an iterate (obj.n local
   * doubles; e.g. balanced factors of the true matrix), for `benign
   * landscape` slices. *have = false when the input holds none. */
  bn_status_t (*truth)(void *data, double *x, bool *have);
} bn_problem_ops_t;

const bn_problem_ops_t *bn_problem_find(const char *name);

/* The problems' option tables (for the command-line tables). */
extern const bn_optdef_t bn_complete_optdefs[];
extern const bn_optdef_t bn_rpca_optdefs[];
extern const bn_optdef_t bn_factor_optdefs[];
extern const bn_optdef_t bn_sense_optdefs[];
extern const bn_optdef_t bn_phase_optdefs[];
extern const bn_optdef_t bn_glm_optdefs[];
extern const bn_optdef_t bn_eig_optdefs[];
extern const bn_optdef_t bn_tensor_optdefs[];
extern const bn_optdef_t bn_dict_optdefs[];
extern const bn_optdef_t bn_deconv_optdefs[];

#endif
