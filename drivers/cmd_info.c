/* benign info FILE: describe any benign (or other HDF5) file. */
#include "cli.h"

static const bn_optdef_t bn_info_opts[] = {{NULL, 0, NULL, NULL, NULL}};

static bn_status_t bn_info_run(bn_ctx_t *ctx, bn_opts_t *opts,
                               const char *subject) {
  (void)opts;
  return bn_h5_describe(ctx, subject, stdout);
}

const bn_command_t bn_cmd_info = {
    "info",
    "describe an HDF5 file: groups, datasets (shape, type), attributes",
    "benign info FILE.h5",
    bn_info_opts,
    NULL,
    "*",
    bn_info_run};
