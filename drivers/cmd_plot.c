/* benign plot FILE --output=F.png: the convergence picture of a result or
 * checkpoint of any problem (include/benign/plot.h); --what=atoms and
 * --what=kernel redraw a dictionary's atom mosaic or a deconv/sasd
 * kernel from the result (include/benign/pictures.h). */
#include <string.h>

#include "benign/paths.h"
#include "benign/pictures.h"
#include "benign/plot.h"
#include "cli.h"

static const bn_optdef_t bn_plot_opts[] = {
    {"output", BN_OPT_STRING, NULL,
     "PNG file to write (atomically; an earlier file is replaced only by a "
     "complete picture)",
     NULL},
    {"x", BN_OPT_CHOICE, "both",
     "the x axis: both (iteration on the left, seconds on the right), "
     "iteration or seconds",
     "both|iteration|seconds"},
    {"what", BN_OPT_CHOICE, "convergence",
     "the picture: convergence (any result or checkpoint), atoms (a dict "
     "result's /A as a mosaic, most used atoms first, the DC atom last) or "
     "kernel (a deconv or sasd result's kernel, centred)",
     "convergence|atoms|kernel"},
    {NULL, 0, NULL, NULL, NULL}};

/* Collective: --what=atoms or kernel, and its summary line. */
static bn_status_t bn_plot_picture(bn_ctx_t *ctx, const char *in,
                                   const char *out, bool atoms) {
  bn_picture_info_t pi;
  BN_CALL(ctx, atoms ? bn_picture_atoms_file(ctx, in, out, &pi)
                     : bn_picture_kernel_file(ctx, in, out, &pi));
  if (!atoms)
    bn_log(ctx, BN_LOG_INFO,
           "wrote %s: %d x %d pixels; kernel %d x %d centred on stored "
           "index (%d, %d)\n",
           out, pi.width, pi.height, pi.h, pi.w, pi.cy, pi.cx);
  else
    bn_log(ctx, BN_LOG_INFO,
           "wrote %s: %d x %d pixels; %d atoms of %d x %d, %s: %s\n", out,
           pi.width, pi.height, pi.count, pi.h, pi.w,
           pi.by_usage ? "ordered by usage (% of samples, DC atom last)"
                       : "in stored order (the file holds no codes /X)",
           pi.order);
  return BN_OK;
}

static bn_status_t bn_plot_run(bn_ctx_t *ctx, bn_opts_t *opts,
                               const char *subject) {
  if (!bn_opts_is_set(opts, "output"))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--output is required (see --help)");
  const char *out = bn_opts_string(opts, "output");
  const char *what = bn_opts_string(opts, "what");
  if (strcmp(what, "convergence") && bn_opts_source(opts, "x") >= BN_SRC_DECK)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--x is for --what=convergence; --what=%s has no x "
                        "axis to choose",
                        what);
  const char *x = bn_opts_string(opts, "x");
  bn_plot_axis_t axis = !strcmp(x, "iteration") ? BN_PLOT_X_ITERATION
                        : !strcmp(x, "seconds") ? BN_PLOT_X_SECONDS
                                                : BN_PLOT_X_BOTH;
  /* The file and the picture checked before any work: one message. */
  bn_paths_t *p = NULL;
  BN_CALL(ctx, bn_agree(ctx, bn_paths_create(ctx, &p)));
  bn_paths_input(p, subject, "FILE");
  bn_paths_output(p, out, "--output");
  bn_status_t st = bn_paths_check(p);
  bn_paths_destroy(p);
  BN_CALL(ctx, st);
  if (strcmp(what, "convergence"))
    return bn_plot_picture(ctx, subject, out, !strcmp(what, "atoms"));
  bn_plot_info_t info;
  BN_CALL(ctx, bn_plot_convergence(ctx, subject, out, axis, &info));
  bn_log(ctx, BN_LOG_INFO,
         "wrote %s: %d x %d pixels, %zu drawn; %d quantit%s over %lld "
         "history entries, %d plateau%s, %d escape%s marked\n",
         out, info.width, info.height, info.inked, info.curves,
         info.curves == 1 ? "y" : "ies", (long long)info.entries, info.plateaus,
         info.plateaus == 1 ? "" : "s", info.escapes,
         info.escapes == 1 ? "" : "s");
  if (info.escapes_run > info.escapes)
    bn_log(ctx, BN_LOG_INFO,
           "  %lld escape%s of the run not drawn: the file does not say "
           "after which iteration\n",
           (long long)(info.escapes_run - info.escapes),
           info.escapes_run - info.escapes == 1 ? "" : "s");
  return BN_OK;
}

const bn_command_t bn_cmd_plot = {
    "plot",
    "draw the convergence of a result or checkpoint as a PNG: objective, "
    "gradient norm and errors vs iteration and seconds (log scale), "
    "plateaus and escapes marked; or a dict result's atoms, a deconv or "
    "sasd result's kernel",
    "benign plot FILE.h5 --output=F.png [--x=both|iteration|seconds] "
    "[--what=convergence|atoms|kernel]",
    bn_plot_opts,
    NULL,
    "*",
    bn_plot_run,
    NULL,
    NULL};
