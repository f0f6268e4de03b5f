/* benign -- problems: a table of functions per problem, registered by name
 * (in the style of SLEPc's _EPSOps). A driver creates a problem from
 * options, asks it for its objective and initial point, hands both to a
 * solver, and asks it to save the result. Adding a problem is its folder
 * under src/problems/ plus one line in src/problems/registry.c: the
 * program's command, its help and its `generate` family come from the
 * table. */
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
  /* The command line derived from the registry: the synopsis of `benign
   * NAME` (the summary above is its one line in `benign --help`), and the
   * synthetic-instance family `benign generate NAME` -- its option table
   * and its run (collective: reads the parsed options, writes --output),
   * or NULL for none. */
  const char *usage;
  const bn_optdef_t *gen_opts;
  bn_status_t (*generate)(bn_ctx_t *ctx, bn_opts_t *opts);
} bn_problem_ops_t;

/* Not collective: the problem registered under `name`, or NULL. */
const bn_problem_ops_t *bn_problem_find(const char *name);
/* Not collective: the i-th registered problem (0, 1, ...; registry order),
 * NULL past the last: for listing them. */
const bn_problem_ops_t *bn_problem_at(int i);

/* A problem by name (src/problems/problem.c). Life cycle:
 *   defs = bn_problem_optdefs(name); bn_opts_create(ctx, defs, &o);
 *   bn_opts_parse / bn_opts_set; bn_problem_create(ctx, name, o, &p);
 *   bn_problem_objective(p) for a solver; bn_problem_init(p, x);
 *   bn_solver_solve; bn_problem_save(p, x, f, "/"); bn_problem_destroy(p);
 *   bn_opts_destroy(o); free(defs).
 * The options must outlive the problem. */
typedef struct bn_problem bn_problem_t;
/* Not collective: the keys problem `name` reads -- its own, then the shared
 * solve keys (bn_solve_optdefs) -- as one NULL-terminated table to free();
 * NULL for an unknown name or no memory. */
bn_optdef_t *bn_problem_optdefs(const char *name);
/* Collective: create problem `name` from opts (reads the input named by
 * --input, distributes it). BN_ERR_ARG for an unknown name. */
bn_status_t bn_problem_create(bn_ctx_t *ctx, const char *name,
                              const bn_opts_t *opts, bn_problem_t **out);
/* Not collective: its table of functions, its data (for the table's
 * functions), and its objective (valid until destroy; obj->n local
 * doubles per process). */
const bn_problem_ops_t *bn_problem_ops(const bn_problem_t *p);
void *bn_problem_data(const bn_problem_t *p);
const bn_objective_t *bn_problem_objective(const bn_problem_t *p);
/* Collective: the initial point (--init, --seed) into x. */
bn_status_t bn_problem_init(bn_problem_t *p, double *x);
/* Collective: write x as the problem's datasets under prefix ("/" for a
 * result) into an open output (bn_h5_create ... bn_h5_commit). */
bn_status_t bn_problem_save(bn_problem_t *p, const double *x, bn_h5_t *f,
                            const char *prefix);
/* Collective (the problem's data may hold communicators and plans);
 * NULL is a no-op. */
void bn_problem_destroy(bn_problem_t *p);

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
