/* The `benign` program: one command per file, registered in command.c. */
#ifndef BN_DRIVERS_CLI_H
#define BN_DRIVERS_CLI_H

#include "benign/benign.h"
#include "benign/plateau.h"

typedef struct bn_command {
  const char *name;
  const char *summary;      /* one line for `benign --help` */
  const char *usage;        /* synopsis for `benign NAME --help` */
  const bn_optdef_t *opts;  /* the command's own keys            */
  const bn_optdef_t *opts2; /* shared keys (e.g. solver), or NULL */
  /* The word right after the command name, if the command takes one:
   * NULL none, "*" any word (e.g. a file), else "a|b" choices. */
  const char *subjects;
  /* Collective. Returns a status; the error (if any) is in ctx. subject:
   * the word after the command name, or, for a command that takes none,
   * the command's own name. */
  bn_status_t (*run)(bn_ctx_t *ctx, bn_opts_t *opts, const char *subject);
  /* Optional: the option table for a given subject (e.g. a generate
   * family), used instead of `opts`; NULL for an unknown subject. */
  const bn_optdef_t *(*subject_opts)(const char *subject);
  /* More shared keys (e.g. tune: the problem's and the solver's), or NULL;
   * ignored when subject_opts gives a subject's table. */
  const bn_optdef_t *opts3;
} bn_command_t;

/* The commands that are not a registered problem. Every registered
 * problem (src/problems/registry.c) is a command too, made by command.c from
 * its table: name, summary, usage, its option keys plus bn_solve_optdefs, run
 * by bn_run_problem (one frame; a problem's stages through its hooks). */
extern const bn_command_t bn_cmd_generate;
extern const bn_command_t bn_cmd_import;
extern const bn_command_t bn_cmd_split;
extern const bn_command_t bn_cmd_predict;
extern const bn_command_t bn_cmd_recommend;
extern const bn_command_t bn_cmd_tune;
extern const bn_command_t bn_cmd_info;
extern const bn_command_t bn_cmd_landscape;
extern const bn_command_t bn_cmd_plot;

/* `benign generate`, completed with the families of the registry and sasd
 * (cmd_generate.c): subjects and summary are written into buf. */
void bn_generate_command(bn_command_t *cmd, char *buf, size_t len);

/* Collective: run problem `name` with the solver options; writes the
 * result, prints the monitor, summary and (--json) the JSON line. */
bn_status_t bn_run_problem(bn_ctx_t *ctx, const char *name,
                           const bn_opts_t *opts);

/* The solve commands' frame: --log-level, --json (the log then goes to
 * stderr) and --output read before the work; after it, a failure of one
 * rank alone aborts the job (the others may wait in a collective call)
 * and a successful run prints the timing table. */
bn_status_t bn_run_begin(bn_ctx_t *ctx, const bn_opts_t *opts, bool *json,
                         const char **output);
bn_status_t bn_run_end(bn_ctx_t *ctx, bn_status_t st);
/* Collective: the peak resident memory (bytes) of the processes so far,
 * smallest and largest. */
bn_status_t bn_run_peak_memory(bn_ctx_t *ctx, double *lo, double *hi);

/* Collective: the shared solver keys (tolerances, limits, monitor,
 * escape) read and checked into p. */
bn_status_t bn_run_solver_params(bn_ctx_t *ctx, const bn_opts_t *o,
                                 bn_solver_params_t *p);

/* The end-of-solve certificate (drivers/run_cert.c). */
typedef struct bn_run_cert {
  bool on, done; /* --certificate=on; computed                 */
  bn_cert_t c;
  int64_t escapes;
  int64_t esc_iter[BN_ESC_RECORD]; /* after which iterations (esc_n) */
  int esc_n;
} bn_run_cert_t;
/* Escape keys into the solver parameters (checked). */
bn_status_t bn_run_cert_options(bn_ctx_t *ctx, const bn_opts_t *o,
                                bn_solver_params_t *p);
/* Collective: the certificate at the solver's final iterate x. */
bn_status_t bn_run_certify(bn_ctx_t *ctx, const bn_opts_t *o, bn_solver_t *s,
                           const bn_objective_t *obj, const double *x,
                           bn_run_cert_t *rc);
void bn_run_cert_log(bn_ctx_t *ctx, const bn_run_cert_t *rc);
void bn_run_cert_json(FILE *f, const bn_run_cert_t *rc);
bn_status_t bn_run_cert_save(bn_h5_t *f, const bn_run_cert_t *rc);

/* Collective: read and check the checkpoint options into p, and resolve
 * --restart (NULL: start afresh; "auto" becomes the checkpoint file when it
 * exists). Fails early (agreed) if the checkpoint file cannot be written. */
bn_status_t bn_run_ckpt_options(bn_ctx_t *ctx, const bn_opts_t *opts,
                                bn_ckpt_params_t *p, const char **restart);
/* Collective: the run's files checked together before any work
 * (benign/paths.h): --input, --init-file and --restart as inputs; --output,
 * --checkpoint with its kept copies and the nside side outputs (side[2k]
 * the path, side[2k + 1] the option naming it) as outputs. */
bn_status_t bn_run_check_paths(bn_ctx_t *ctx, const bn_opts_t *o,
                               const bn_ckpt_params_t *cp, const char *restart,
                               const char *const *side, int nside);

#endif
