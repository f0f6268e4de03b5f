/* bn_command_run: the `benign` program's commands, in this process (the
 * program's main, the Python package and any C caller go through here).
 *
 * Prints errors once (rank 0) and returns the exit status; an error that
 * one rank hit alone (not agreed) aborts the job, so nothing hangs. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benign/command.h"
#include "cli.h"

/* The commands: one per registered problem (src/problems/registry.c),
 * made from its table, then `generate` and the tools. Adding a tool command is
 * one line in bn_tools plus its file; adding a problem touches nothing here. */
enum { BN_MAX_COMMANDS = 64 };

typedef struct bn_cmdlist {
  const bn_command_t *at[BN_MAX_COMMANDS + 1]; /* NULL-terminated */
  bn_command_t made[BN_MAX_COMMANDS];          /* the problems' and generate */
  char gen[1024]; /* generate's subjects, summary */
} bn_cmdlist_t;

/* A registered problem's command: subject is the command's name (the
 * dispatch passes it for commands that take no word). */
static bn_status_t bn_run_registered(bn_ctx_t *ctx, bn_opts_t *opts,
                                     const char *subject) {
  return bn_run_problem(ctx, subject, opts);
}

static void bn_cmdlist_make(bn_cmdlist_t *l) {
  static const bn_command_t *const bn_tools[] = {
      &bn_cmd_import,    &bn_cmd_split,     &bn_cmd_tune,
      &bn_cmd_predict,   &bn_cmd_recommend, &bn_cmd_info,
      &bn_cmd_landscape, &bn_cmd_plot,      NULL};
  int n = 0, m = 0;
  for (int i = 0; bn_problem_at(i) && m < BN_MAX_COMMANDS - 1; i++) {
    const bn_problem_ops_t *p = bn_problem_at(i);
    /* A problem with its own iteration has a complete option table. */
    const bool own = p->stages && p->stages->solve;
    bn_command_t c = {p->name,
                      p->summary,
                      p->usage,
                      p->opts,
                      own ? NULL : bn_solve_optdefs,
                      NULL,
                      bn_run_registered,
                      NULL,
                      NULL};
    l->made[m] = c;
    l->at[n++] = &l->made[m++];
  }
  bn_generate_command(&l->made[m], l->gen, sizeof l->gen);
  l->at[n++] = &l->made[m++];
  for (int i = 0; bn_tools[i] && n < BN_MAX_COMMANDS; i++)
    l->at[n++] = bn_tools[i];
  l->at[n] = NULL;
}

static void bn_usage(FILE *f, const bn_command_t *const *bn_commands) {
  fprintf(f,
          "benign %s -- MPI-distributed recovery for nonconvex problems with "
          "benign landscapes\n\n"
          "usage: mpirun -n P benign <command> [deck.ini] [--key=value ...]\n"
          "       benign <command> --help\n"
          "       benign --version\n\ncommands:\n",
          BN_VERSION_STRING);
  for (int i = 0; bn_commands[i]; i++)
    fprintf(f, "  %-10s %s\n", bn_commands[i]->name, bn_commands[i]->summary);
  fprintf(
      f,
      "\nA deck file holds `key = value` lines with the same keys as the "
      "command line;\nthe command line wins. See docs/ for file layouts.\n");
}

static int bn_wants_help(int argc, char **argv) {
  for (int i = 0; i < argc; i++)
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return 1;
  return 0;
}

/* Check the word after the command against cmd->subjects (same verdict on
 * every rank: argv is the same everywhere). */
static bn_status_t bn_subject(bn_ctx_t *ctx, const bn_command_t *cmd,
                              const char *word) {
  const char *c = cmd->subjects;
  if (!word || !strncmp(word, "--", 2))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "usage: %s", cmd->usage);
  if (!strcmp(c, "*")) return BN_OK;
  size_t n = strlen(word);
  for (const char *p = c; p && *p;) {
    const char *bar = strchr(p, '|');
    size_t len = bar ? (size_t)(bar - p) : strlen(p);
    if (len == n && !strncmp(p, word, n)) return BN_OK;
    p = bar ? bar + 1 : NULL;
  }
  return BN_ERROR_ALL(ctx, BN_ERR_ARG, "benign %s: unknown '%s' (one of %s)",
                      cmd->name, word, c);
}

/* 2: usage; 75 (EX_TEMPFAIL): interrupted, checkpointed, requeue me. */
static int bn_exit_code(bn_status_t st) {
  return st == BN_ERR_ARG ? 2 : st == BN_INTERRUPTED ? 75 : 1;
}

/* Print the error once; abort if it was not agreed (one rank alone). */
static int bn_fail(bn_ctx_t *ctx, bn_status_t st) {
  int rank = bn_ctx_rank(ctx);
  if (bn_error_agreed(ctx)) {
    if (rank == 0) {
      fprintf(stderr, "benign: %s%s\n",
              st == BN_INTERRUPTED ? "" : "error: ", bn_error_message(ctx));
      if (bn_ctx_log_level(ctx) >= BN_LOG_DEBUG)
        fprintf(stderr, "benign: at %s\n", bn_error_where(ctx));
    }
    return bn_exit_code(st);
  }
  fprintf(stderr, "benign: error on process %d: %s (at %s)\n", rank,
          bn_error_message(ctx), bn_error_where(ctx));
  fflush(stderr);
  MPI_Abort(bn_ctx_comm(ctx), bn_exit_code(st));
  return bn_exit_code(st);
}

static int bn_dispatch(bn_ctx_t *ctx, int argc, char **argv,
                       const bn_command_t *const *bn_commands) {
  int rank = bn_ctx_rank(ctx);
  if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
      !strcmp(argv[1], "help")) {
    if (rank == 0) bn_usage(stdout, bn_commands);
    return argc < 2 ? 2 : 0;
  }
  if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
    if (rank == 0) printf("benign %s\n", BN_VERSION_STRING);
    return 0;
  }
  const bn_command_t *cmd = NULL;
  for (int i = 0; bn_commands[i]; i++)
    if (!strcmp(argv[1], bn_commands[i]->name)) cmd = bn_commands[i];
  if (!cmd) {
    if (rank == 0) {
      fprintf(stderr, "benign: error: unknown command '%s'", argv[1]);
      bn_optdef_t names[BN_MAX_COMMANDS + 1] = {{0}};
      for (int i = 0; bn_commands[i]; i++) names[i].key = bn_commands[i]->name;
      const char *best = bn_opts_suggest(names, argv[1]);
      if (best) fprintf(stderr, " (did you mean '%s'?)", best);
      fprintf(stderr, "; run 'benign --help' for the list\n");
    }
    BN_ERROR_ALL(ctx, BN_ERR_ARG, "unknown command '%s'", argv[1]);
    return 2;
  }
  /* A command whose options depend on its subject (generate FAMILY,
   * landscape PROBLEM); subject_opts(NULL) gives keys that every subject's
   * table gets in addition (or NULL). */
  const bn_optdef_t *opts1 = cmd->opts, *extra = cmd->opts3;
  const char *word = argc > 2 ? argv[2] : NULL;
  if (cmd->subject_opts && word && strncmp(word, "-", 1)) {
    const bn_optdef_t *o = cmd->subject_opts(word);
    if (o) {
      opts1 = o;
      extra = cmd->subject_opts(NULL);
    }
  }
  bn_optdef_t *defs = bn_opts_merge(opts1, extra, cmd->opts2);
  if (bn_wants_help(argc - 2, argv + 2)) {
    if (rank == 0) {
      printf("usage: %s\n\n%s\n\noptions%s%s:\n", cmd->usage, cmd->summary,
             opts1 != cmd->opts ? " of " : "", opts1 != cmd->opts ? word : "");
      bn_opts_print_help(defs ? defs : opts1, stdout);
    }
    free(defs);
    return 0;
  }
  bn_opts_t *opts = NULL;
  bn_status_t st = defs ? bn_opts_create(ctx, defs, &opts) : BN_ERR_MEM;
  st = bn_agree(ctx, st);
  const char *subject = NULL;
  int first = 2;
  if (st == BN_OK && cmd->subjects) {
    st = bn_subject(ctx, cmd, argc > 2 ? argv[2] : NULL);
    subject = argv[2];
    first = 3;
  }
  if (st == BN_OK) st = bn_opts_parse(opts, argc - first, argv + first);
  /* The files it writes name it as their creator (bn_ctx_set_command). */
  char words[128];
  snprintf(words, sizeof words, "%s%s%s", cmd->name, subject ? " " : "",
           subject ? subject : "");
  bn_ctx_set_command(ctx, words);
  /* A command that takes no word gets its own name as the subject. */
  if (st == BN_OK) st = cmd->run(ctx, opts, subject ? subject : cmd->name);
  bn_opts_destroy(opts);
  free(defs);
  return st == BN_OK ? 0 : bn_fail(ctx, st);
}

/* The error message into msg on every process (rank 0's: an agreed error
 * has the same message everywhere, and rank 0 is the one that printed). */
static void bn_command_message(bn_ctx_t *ctx, int rc, char *msg, size_t size) {
  if (!msg || !size) return;
  msg[0] = 0;
  if (rc != 0 && bn_ctx_rank(ctx) == 0) {
    const char *m = bn_error_message(ctx);
    snprintf(msg, size, "%s", m && *m ? m : "usage: benign <command> ...");
  }
  MPI_Bcast(msg, (int)(size < 65536 ? size : 65536), MPI_CHAR, 0,
            bn_ctx_comm(ctx));
  msg[size - 1] = 0;
}

int bn_command_run(MPI_Comm comm, int argc, char **argv, char *msg,
                   size_t size) {
  bn_ctx_t *ctx = NULL;
  if (bn_ctx_create(comm, &ctx) != BN_OK) {
    fprintf(stderr, "benign: error: cannot create the MPI context\n");
    if (msg && size) snprintf(msg, size, "cannot create the MPI context");
    return 1;
  }
  int rc;
  bn_cmdlist_t *list = calloc(1, sizeof *list);
  if (!list) {
    fprintf(stderr, "benign: error: out of memory\n");
    rc = 1;
  } else {
    bn_cmdlist_make(list);
    rc = bn_dispatch(ctx, argc, argv, list->at);
    free(list);
  }
  bn_command_message(ctx, rc, msg, size);
  bn_ctx_destroy(ctx);
  return rc;
}

int bn_command_run_f(MPI_Fint comm, int argc, char **argv, char *msg,
                     size_t size) {
  return bn_command_run(MPI_Comm_f2c(comm), argc, argv, msg, size);
}
