/* benign generate FAMILY: synthetic instances with ground truth. The
 * families are the registered problems that have a generator (their
 * gen_opts and generate, src/problems/registry.c); nothing here names
 * them. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* The family called `name`: its option table and run, or false. */
static bool bn_gen_find(const char *name, const bn_optdef_t **opts,
                        bn_status_t (**run)(bn_ctx_t *, bn_opts_t *)) {
  if (!name) return false;
  for (int i = 0; bn_problem_at(i); i++) {
    const bn_problem_ops_t *p = bn_problem_at(i);
    if (p->generate && !strcmp(p->name, name)) {
      *opts = p->gen_opts;
      *run = p->generate;
      return true;
    }
  }
  return false;
}

static const bn_optdef_t *bn_generate_opts(const char *subject) {
  const bn_optdef_t *opts = NULL;
  bn_status_t (*run)(bn_ctx_t *, bn_opts_t *) = NULL;
  return bn_gen_find(subject, &opts, &run) ? opts : NULL;
}

static bn_status_t bn_generate_run(bn_ctx_t *ctx, bn_opts_t *opts,
                                   const char *subject) {
  const bn_optdef_t *defs = NULL;
  bn_status_t (*run)(bn_ctx_t *, bn_opts_t *) = NULL;
  if (!bn_gen_find(subject, &defs, &run)) /* command.c checked the word */
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "unknown family '%s'", subject);
  return run(ctx, opts);
}

const bn_command_t bn_cmd_generate = {
    "generate",
    "write a synthetic instance with ground truth",
    "mpirun -n P benign generate FAMILY --output=F.h5 [options]; "
    "benign generate FAMILY --help for a family's options",
    NULL, /* set by bn_generate_command: the first family's keys */
    NULL,
    NULL,
    bn_generate_run,
    bn_generate_opts,
    NULL};

/* Append word to a `sep`-separated list in buf (size len). */
static void bn_gen_append(char *buf, size_t len, const char *sep,
                          const char *word) {
  size_t n = strlen(buf);
  snprintf(buf + n, len - n, "%s%s", n ? sep : "", word);
}

void bn_generate_command(bn_command_t *cmd, char *buf, size_t len) {
  char names[512] = "", list[512] = "";
  *cmd = bn_cmd_generate;
  for (int i = 0; bn_problem_at(i); i++)
    if (bn_problem_at(i)->generate) {
      bn_gen_append(names, sizeof names, "|", bn_problem_at(i)->name);
      bn_gen_append(list, sizeof list, ", ", bn_problem_at(i)->name);
      if (!cmd->opts) cmd->opts = bn_problem_at(i)->gen_opts;
    }
  /* buf: the subjects "a|b|c", a NUL, then the summary naming them. */
  int n = snprintf(buf, len, "%s", names);
  if (n < 0 || (size_t)n + 1 >= len) return;
  char *summary = buf + n + 1;
  snprintf(summary, len - (size_t)n - 1,
           "write a synthetic instance with ground truth (families: %s)", list);
  cmd->subjects = buf;
  cmd->summary = summary;
}
