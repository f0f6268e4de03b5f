/* Checkpoint options of the solver commands: --checkpoint,
 * --checkpoint-every, --checkpoint-seconds, --checkpoint-keep, --restart. */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stdio.h>
#include <stdlib.h>

#include "benign/paths.h"
#include "cli.h"

static bool bn_same_file(const char *a, const char *b) {
  struct stat sa, sb;
  if (!strcmp(a, b)) return true;
  return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

bn_status_t bn_run_ckpt_options(bn_ctx_t *ctx, const bn_opts_t *o,
                                bn_ckpt_params_t *p, const char **restart) {
  int64_t keep;
  const char *out = bn_opts_string(o, "output"),
             *in = bn_opts_string(o, "input");
  p->path = bn_opts_string(o, "checkpoint");
  if (p->path && !*p->path) p->path = NULL;
  BN_CALL(ctx, bn_opts_int(o, "checkpoint-every", &p->every));
  BN_CALL(ctx, bn_opts_real(o, "checkpoint-seconds", &p->seconds));
  BN_CALL(ctx, bn_opts_int(o, "checkpoint-keep", &keep));
  if (p->every < 0 || p->seconds < 0)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--checkpoint-every and --checkpoint-seconds must be "
                        "nonnegative");
  if (keep < 1 || keep > 1000)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--checkpoint-keep=%lld: must be in [1, 1000]",
                        (long long)keep);
  p->keep = (int)keep;
  if (!p->path && (p->every > 0 || p->seconds > 0))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--checkpoint-every and --checkpoint-seconds need "
                        "--checkpoint=FILE.h5");
  const char *r = bn_opts_string(o, "restart");
  *restart = r && *r ? r : NULL;
  /* The same verdict on every rank: rank 0 looks, then broadcasts. */
  int flags[3] = {0, 0, 0};
  if (bn_ctx_rank(ctx) == 0) {
    flags[0] = p->path && out && bn_same_file(p->path, out);
    flags[1] = p->path && access(p->path, F_OK) == 0;
    flags[2] = *restart && strcmp(*restart, "auto") && in &&
               bn_same_file(*restart, in);
  }
  BN_MPI(ctx, MPI_Bcast(flags, 3, MPI_INT, 0, bn_ctx_comm(ctx)));
  if (flags[0])
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--checkpoint and --output name the same file '%s': "
                        "the result would replace the checkpoint",
                        p->path);
  if (flags[2])
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--restart names the input file '%s': give a "
                        "checkpoint written with --checkpoint",
                        *restart);
  if (*restart && !strcmp(*restart, "auto")) {
    if (!p->path)
      return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                          "--restart=auto needs --checkpoint=FILE.h5 (the "
                          "file to continue from, if it exists)");
    *restart = flags[1] ? p->path : NULL;
  }
  if (*restart && bn_opts_is_set(o, "save-init")) {
    bool si = false;
    BN_CALL(ctx, bn_opts_bool(o, "save-init", &si));
    if (si)
      return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                          "--save-init cannot be used with --restart (a "
                          "checkpoint holds the current iterate, not the "
                          "initial point)");
  }
  return BN_OK;
}

bn_status_t bn_run_check_paths(bn_ctx_t *ctx, const bn_opts_t *o,
                               const bn_ckpt_params_t *cp, const char *restart,
                               const char *const *side, int nside) {
  bn_paths_t *p = NULL;
  BN_CALL(ctx, bn_paths_create(ctx, &p));
  bn_paths_input(p, bn_opts_string(o, "input"), "--input");
  const char *init =
      bn_opts_is_set(o, "init-file") ? bn_opts_string(o, "init-file") : NULL;
  bn_paths_input(p, init, "--init-file");
  bn_paths_output(p, bn_opts_string(o, "output"), "--output");
  for (int k = 0; k < nside; k++)
    bn_paths_output(p, side[2 * k], side[2 * k + 1]);
  int ck = bn_paths_count(p);
  if (cp->path) {
    bn_paths_output(p, cp->path, "--checkpoint");
    char *copy = NULL;
    size_t len = strlen(cp->path) + 16;
    bn_status_t st = bn_malloc(ctx, len, &copy);
    for (int k = 1; st == BN_OK && k < cp->keep; k++) {
      snprintf(copy, len, "%s.%d", cp->path, k);
      bn_paths_output(p, copy, "a kept copy of --checkpoint");
    }
    free(copy);
  }
  /* The checkpoint a run continues from may be the one it goes on
   * writing. */
  if (restart) {
    bn_paths_input(p, restart, "--restart");
    bn_paths_same_ok(p, ck);
  }
  bn_status_t st = bn_paths_check(p);
  bn_paths_destroy(p);
  return st;
}
