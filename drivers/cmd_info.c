/* benign info FILE: describe any benign (or other HDF5) file; for a
 * checkpoint, also what it would continue. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const bn_optdef_t bn_info_opts[] = {{NULL, 0, NULL, NULL, NULL}};

/* A checkpoint's identity, in words. Collective. */
static bn_status_t bn_info_checkpoint(bn_ctx_t *ctx, const char *path) {
  bn_h5_t *f = NULL;
  char *kind = NULL, *problem = NULL, *solver = NULL, *opts = NULL, *in = NULL,
       *sum = NULL;
  int64_t it = 0, procs = 0, size = 0;
  int has = 0;
  bn_status_t st = bn_h5_open(ctx, path, &f);
  if (st == BN_OK) st = bn_h5_exists(f, "/checkpoint/state", &has);
  /* Another program's file may hold a /checkpoint/state of its own: only
   * a file that says it is a benign checkpoint is summarised as one. */
  if (st == BN_OK && has) st = bn_h5_attr_exists(f, "/", "kind", &has);
  if (st == BN_OK && has) st = bn_h5_attr_get_str(f, "/", "kind", &kind);
  if (st == BN_OK && has) has = !strcmp(kind, "checkpoint");
  if (st == BN_OK && has) {
    if (st == BN_OK) st = bn_h5_attr_get_str(f, "/", "problem", &problem);
    if (st == BN_OK) st = bn_h5_attr_get_str(f, "/", "solver", &solver);
    if (st == BN_OK) st = bn_h5_attr_get_str(f, "/", "options", &opts);
    if (st == BN_OK) st = bn_h5_attr_get_i64(f, "/", "iteration", &it);
    if (st == BN_OK) st = bn_h5_attr_get_i64(f, "/", "processes", &procs);
    if (st == BN_OK) st = bn_h5_attr_get_str(f, "/", "input_path", &in);
    if (st == BN_OK) st = bn_h5_attr_get_i64(f, "/", "input_size", &size);
    if (st == BN_OK) st = bn_h5_attr_get_str(f, "/", "input_checksum", &sum);
  }
  if (st == BN_OK && has && bn_ctx_rank(ctx) == 0) {
    printf(
        "\ncheckpoint of problem '%s' (solver %s) at iteration %lld, "
        "written by %lld process%s\n",
        problem, solver, (long long)it, (long long)procs,
        procs == 1 ? "" : "es");
    printf("input: %s (%lld bytes, structure checksum %s)\noptions:\n", in,
           (long long)size, sum);
    for (char *p = opts, *e; p && *p; p = e ? e + 1 : NULL) {
      e = strchr(p, '\n');
      printf("  %.*s\n", e ? (int)(e - p) : (int)strlen(p), p);
    }
    printf("continue with: benign %s ... --restart=%s\n", problem, path);
    fflush(stdout);
  }
  bn_h5_close(f);
  free(kind);
  free(problem);
  free(solver);
  free(opts);
  free(in);
  free(sum);
  return st;
}

static bn_status_t bn_info_run(bn_ctx_t *ctx, bn_opts_t *opts,
                               const char *subject) {
  (void)opts;
  BN_CALL(ctx, bn_h5_describe(ctx, subject, stdout));
  return bn_info_checkpoint(ctx, subject);
}

const bn_command_t bn_cmd_info = {
    "info",
    "describe an HDF5 file: groups, datasets (shape, type), attributes; for "
    "a checkpoint, its iteration, problem, options and input",
    "benign info FILE.h5",
    bn_info_opts,
    NULL,
    "*",
    bn_info_run,
    NULL,
    NULL};
