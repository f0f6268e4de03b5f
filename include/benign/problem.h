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
#include "benign/landscape.h"
#include "benign/opts.h"
#include "benign/solver.h"

/* What a run of several solves amounts to, for its result and summary. */
typedef struct bn_run_summary {
  int64_t iterations;   /* of all solves                          */
  bool converged;       /* every stage converged, nothing missing */
  double objective;     /* at the end of the last solve           */
  double grad_norm;     /* the same                               */
  double solve_seconds; /* of all solves                          */
} bn_run_summary_t;

struct bn_ckpt; /* benign/checkpoint.h */

/* Files a run writes beside its result (pictures): up to two, each with
 * the option that names it. */
typedef struct bn_side_outputs {
  int n;
  char path[2][4096];
  const char *option[2];
} bn_side_outputs_t;

/* The optional stages of a run, for problems that are more than one
 * solve (deflation: one solve per atom or component, restarts) or that
 * post-process the iterate (rounding). The program's run frame does, for
 * every problem:
 *   refuse; create; the solver (name, parameters); restore a checkpoint,
 *   or the initial point (single solve); then
 *   do { start; solve; check; certify if smooth; accept } until finished;
 *   finish; write the result; pictures; report; outcome.
 * A problem of one solve leaves `stages` NULL in its table; a staged
 * problem may leave any hook NULL (the single-solve behaviour). Hooks
 * taking data run on every rank (collective) unless said otherwise. */
typedef struct bn_stage_ops {
  /* In messages: "at iteration I of WORD S" (NULL: one solve). */
  const char *stage_word;
  /* The ground-truth dataset --rel-tol needs, for its refusal. */
  const char *truth_name;
  /* Collective, before anything: refuse the shared keys the problem
   * does not implement (e.g. --save-init for several solves). */
  bn_status_t (*refuse)(bn_ctx_t *ctx, const bn_opts_t *opts);
  /* Not collective: the side outputs written after the result (pictures),
   * checked with the run's other paths before any work. */
  void (*side_outputs)(const bn_opts_t *opts, bn_side_outputs_t *side);
  /* The solver's name (the problem's choice unless --solver is given),
   * after adjusting the solver parameters p. */
  const char *(*solver)(void *data, const bn_opts_t *opts,
                        bn_solver_params_t *p);
  /* A problem with its own iteration instead of a solver (sasd's iADM
   * with homotopy): the whole solve, given the run's checkpoint (NULL:
   * none) and --restart (NULL: a fresh start); it returns the signal that
   * stopped it (0: none) and the iteration reached. Such a problem's
   * option table is complete (no shared solve keys), it has no objective
   * (no certificate, no landscape), and its write hook writes its
   * attributes. */
  bn_status_t (*solve)(void *data, const bn_opts_t *opts, struct bn_ckpt *ckpt,
                       const char *restart, int *signal, int64_t *iterations);
  /* Not collective: no stage is left to run. NULL: one solve. */
  bool (*finished)(const void *data);
  /* Not collective: stages finished so far. */
  int (*stages_done)(const void *data);
  /* Before a stage's solve: its solver parameters (from the given p),
   * and unless resume (the stage continues from a checkpoint) its start
   * in x. */
  bn_status_t (*start)(void *data, const bn_opts_t *opts, bn_solver_t *s,
                       const bn_solver_params_t *p, bool resume, double *x);
  /* After a restore: the problem's own schedule at iteration `it`. */
  void (*resumed)(void *data, int64_t it);
  /* Not collective: the objective is smooth (certificates apply). */
  bool (*smooth)(const void *data);
  /* After a stage's solve: *more = false stops the run (the stage found
   * nothing; outcome says so). */
  bn_status_t (*check)(void *data, const double *x, bool *more);
  /* After a stage's solve and its certificate (NULL: none): keep what it
   * found (deflation) and log the stage's line. */
  bn_status_t (*accept)(void *data, const double *x, const bn_solver_t *s,
                        const bn_cert_t *cert);
  /* After the stages: log the certificate (NULL: the frame logs it). */
  void (*cert_log)(void *data, const bn_cert_t *cert);
  /* After the solves, before the result: rounding, final metrics. An
   * error here writes no result. */
  bn_status_t (*finish)(void *data, const double *x, bool stopped);
  /* Bytes the result file will hold (its free-space check); n: the
   * iterate's local length. */
  double (*result_bytes)(void *data, size_t n);
  /* The result's datasets and the problem's own attributes (instead of
   * save at "/"). A staged problem writes its own history too. */
  bn_status_t (*write)(void *data, const double *x, bn_h5_t *f);
  /* After the result: pictures (--atoms-png, --png-prefix). */
  bn_status_t (*pictures)(void *data, const bn_opts_t *opts);
  /* Not collective: totals of a staged run. */
  void (*summary)(const void *data, bn_run_summary_t *s);
  /* Rank 0 (the others return at once): the summary's log lines, and,
   * when json is not NULL, the problem's JSON fields (each ",\"key\":v"). */
  void (*report)(void *data, FILE *json);
  /* Not collective: what an interrupted run without a checkpoint wrote,
   * e.g. "the 3 atoms found so far" (NULL: "the iterate so far"). */
  const char *(*partial)(const void *data, char *buf, size_t len);
  /* After the report: an error for a result that is incomplete (the
   * result is written). */
  bn_status_t (*outcome)(void *data, const char *output);
} bn_stage_ops_t;

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
  /* Several solves or a post-processing step (above); NULL: one solve. */
  const bn_stage_ops_t *stages;
  /* Collective, optional: re-read the options that size the iterate or
   * weight the objective (complete: --rank, --lambda) on the data already
   * loaded, for a grid of solves (benign tune); objective() again after. */
  bn_status_t (*retune)(void *data, const bn_opts_t *opts);
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
/* Collective: the problem's options read again on the data already loaded
 * (ops->retune: complete's --rank and --lambda), the objective refreshed
 * (its n may change); BN_ERR_ARG for a problem without retune. */
bn_status_t bn_problem_retune(bn_problem_t *p);
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
