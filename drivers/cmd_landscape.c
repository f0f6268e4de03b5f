/* benign landscape PROBLEM: a census of critical points for small
 * instances (random starts, each run to a certified end point, clustered),
 * and a PNG heat map of a 2-parameter slice through the ground truth.
 * The pieces: landscape_census.c (the starts), landscape_slice.c (the
 * plane and the grid), landscape_png.c (the picture), landscape_report.c
 * (table, JSON, HDF5). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "landscape.h"

static const bn_optdef_t bn_landscape_opts[] = {
    {"starts", BN_OPT_INT, "16",
     "random initial points K; start k uses --seed + k, and each process "
     "runs its share (k = rank, rank + P, ...)",
     NULL},
    {"global-tol", BN_OPT_REAL, "1e-4",
     "a start reached a global minimizer when its distance to the nearest "
     "symmetric copy of the truth (the relative error) is at most this; "
     "without a truth: objective within 1e-6 (relative) of the lowest found",
     NULL},
    {"max-dim", BN_OPT_INT, "200",
     "Hessian index (every eigenvalue, from the dense Hessian) when the "
     "number of variables is at most this; 0 = never (lambda_min only)",
     NULL},
    {"png", BN_OPT_STRING, "",
     "write a heat map of the objective on a slice through the truth to "
     "this PNG file (needs /truth in the input); empty = none",
     NULL},
    {"slice", BN_OPT_CHOICE, "copy",
     "the slice's plane: through the origin, the truth and a symmetric copy "
     "(random rotation U G, V G of the factors; -x* for rank 1 or problems "
     "without a rank), or the truth and a random direction",
     "copy|random"},
    {"grid", BN_OPT_INT, "61",
     "grid points per axis of the slice (odd: the origin is a grid point)",
     NULL},
    {"slice-extent", BN_OPT_REAL, "1.5",
     "the slice covers a, b in [-E, E] for x = a x* + b d, |d| = |x*|", NULL},
    {"near-plane", BN_OPT_REAL, "0.05",
     "mark a census end point on the picture when its distance to the "
     "plane is at most this fraction of its norm",
     NULL},
    {NULL, 0, NULL, NULL, NULL}};

/* The problems with an objective to map (not those with their own
 * iteration, such as sasd). */
static const bn_problem_ops_t *bn_ls_find(const char *name) {
  const bn_problem_ops_t *ops = bn_problem_find(name);
  return ops && ops->objective ? ops : NULL;
}

static const bn_optdef_t *bn_landscape_subject_opts(const char *subject) {
  if (!subject) return bn_landscape_opts; /* added to every problem's keys */
  const bn_problem_ops_t *ops = bn_ls_find(subject);
  return ops ? ops->opts : NULL;
}

static bn_status_t bn_ls_unknown(bn_ctx_t *ctx, const char *name) {
  char list[256] = "";
  bn_optdef_t names[16] = {{0}};
  int n = 0;
  for (int i = 0; bn_problem_at(i) && n < 15; i++) {
    if (!bn_problem_at(i)->objective) continue;
    const char *p = bn_problem_at(i)->name; /* every problem it can map */
    names[n++].key = p;
    if (strlen(list) + strlen(p) + 3 < sizeof(list)) {
      if (*list) strcat(list, ", ");
      strcat(list, p);
    }
  }
  const char *near = bn_opts_suggest(names, name);
  if (near)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "benign landscape: unknown problem '%s' (did you mean "
                        "'%s'? problems: %s)",
                        name, near, list);
  return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                      "benign landscape: unknown problem '%s' (problems: %s)",
                      name, list);
}

/* Options of the census itself, and the shared keys it cannot honour. */
static bn_status_t bn_ls_options(bn_ls_t *ls) {
  bn_ctx_t *ctx = ls->ctx;
  const bn_opts_t *o = ls->opts;
  int64_t seed;
  BN_CALL(ctx, bn_opts_int(o, "starts", &ls->starts));
  BN_CALL(ctx, bn_opts_int(o, "max-dim", &ls->max_dim));
  BN_CALL(ctx, bn_opts_int(o, "grid", &ls->grid));
  BN_CALL(ctx, bn_opts_int(o, "seed", &seed));
  BN_CALL(ctx, bn_opts_real(o, "global-tol", &ls->global_tol));
  BN_CALL(ctx, bn_opts_real(o, "slice-extent", &ls->extent));
  BN_CALL(ctx, bn_opts_real(o, "near-plane", &ls->near_plane));
  BN_CALL(ctx, bn_opts_bool(o, "json", &ls->json));
  /* A problem whose methods pick their own solver leaves --solver unset
   * (dict, tensor, deconv); the census runs gd unless told otherwise. */
  if (!bn_opts_is_set(o, "solver"))
    BN_CALL(ctx, bn_opts_set(ls->opts, "solver", "gd", BN_SRC_DEFAULT));
  ls->seed = (uint64_t)seed;
  ls->png = bn_opts_string(o, "png");
  ls->slice = bn_opts_string(o, "slice");
  ls->output = bn_opts_string(o, "output");
  if (ls->starts < 1 || ls->starts > 1000000)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--starts=%lld: must be in [1, 1000000]",
                        (long long)ls->starts);
  if (ls->max_dim < 0)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--max-dim=%lld: must be nonnegative (0 = no "
                        "Hessian index)",
                        (long long)ls->max_dim);
  if (ls->max_dim > 20000)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--max-dim=%lld: the dense Hessian is limited to "
                        "20000 variables",
                        (long long)ls->max_dim);
  if (ls->grid < 3 || ls->grid > 2001)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--grid=%lld: must be in [3, 2001]",
                        (long long)ls->grid);
  if (!(ls->global_tol > 0) || !(ls->extent > 0) || !(ls->near_plane >= 0))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--global-tol and --slice-extent must be positive, "
                        "--near-plane nonnegative");
  if (!ls->output || !*ls->output)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--output must name a file");
  if (!ls->png) ls->png = "";
  if (*bn_opts_string(o, "checkpoint") || *bn_opts_string(o, "restart"))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "benign landscape runs many short solves: "
                        "--checkpoint and --restart do not apply");
  if (bn_opts_source(o, "init") > BN_SRC_DEFAULT &&
      strcmp(bn_opts_string(o, "init"), "random"))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--init=%s: benign landscape starts from random "
                        "points (--init=random, seeds --seed + k)",
                        bn_opts_string(o, "init"));
  const char *cert = bn_opts_string(o, "certificate");
  if (cert && !strcmp(cert, "off"))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--certificate=off: benign landscape classifies end "
                        "points by their certificate");
  const char *solver = bn_opts_string(o, "solver");
  if (bn_solver_sweeps(solver))
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--solver=%s: use gd or agd (the census relies on "
                        "the saddle escape and the certificate of the "
                        "gradient solvers)",
                        solver);
  /* Solver parameters are read per start on each process; check the
   * signs here once, so a bad value fails with one message. */
  static const char *const nonneg[] = {
      "tol", "ftol", "gatol", "fatol", "rel-tol", "time-limit", NULL};
  for (int k = 0; nonneg[k]; k++) {
    double v;
    BN_CALL(ctx, bn_opts_real(o, nonneg[k], &v));
    if (!(v >= 0))
      return BN_ERROR_ALL(ctx, BN_ERR_ARG, "--%s=%s: must be nonnegative",
                          nonneg[k], bn_opts_string(o, nonneg[k]));
  }
  int64_t it;
  BN_CALL(ctx, bn_opts_int(o, "max-iter", &it));
  if (it < 0)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--max-iter=%lld: must be "
                        "nonnegative",
                        (long long)it);
  BN_CALL(ctx, bn_opts_set(ls->opts, "init", "random", BN_SRC_CMDLINE));
  return BN_OK;
}

static void bn_ls_header(bn_ls_t *ls) {
  bn_ctx_t *ctx = ls->ctx;
  if (bn_ctx_rank(ctx) != 0 || bn_ctx_log_level(ctx) < BN_LOG_INFO) return;
  FILE *s = bn_ctx_log_stream(ctx);
  fprintf(s,
          "benign %s landscape\nPROBLEM=%s\nSOLVER=%s\nSTARTS=%lld\nSEED=%llu"
          "\nPROCESSES=%d\n",
          BN_VERSION_STRING, ls->ops->name, bn_opts_string(ls->opts, "solver"),
          (long long)ls->starts, (unsigned long long)ls->seed,
          bn_ctx_size(ctx));
  ls->ops->describe(ls->data, s);
  if (*ls->png)
    fprintf(s, "PNG=%s\nSLICE=%s\nGRID=%lld\n", ls->png, ls->slice,
            (long long)ls->grid);
  fprintf(s, "OUTPUT=%s\n", ls->output);
  fflush(s);
}

static bn_status_t bn_ls_body(bn_ls_t *ls, const char *name) {
  bn_ctx_t *ctx = ls->ctx;
  ls->ops = bn_ls_find(name);
  if (!ls->ops) return bn_ls_unknown(ctx, name);
  BN_CALL(ctx, bn_ls_options(ls));
  ls->optstr = bn_opts_serialize(ls->opts);
  BN_CALL(ctx, bn_agree(ctx, ls->optstr
                                 ? BN_OK
                                 : BN_ERROR(ctx, BN_ERR_MEM, "out of memory")));
  const char *input = bn_opts_string(ls->opts, "input");
  bn_paths_t *paths = NULL;
  BN_CALL(ctx, bn_paths_create(ctx, &paths));
  bn_paths_input(paths, input, "--input");
  bn_paths_output(paths, ls->output, "--output");
  bn_paths_output(paths, ls->png, "--png");
  bn_status_t pst = bn_paths_check(paths);
  bn_paths_destroy(paths);
  BN_CALL(ctx, pst);
  /* Every process its own instance. */
  BN_CALL(ctx, bn_agree(ctx, bn_ctx_create(MPI_COMM_SELF, &ls->self)));
  bn_ctx_set_log_level(ls->self, bn_ctx_log_level(ctx) >= BN_LOG_DEBUG
                                     ? BN_LOG_DEBUG
                                     : BN_LOG_QUIET);
  bn_ctx_set_log_stream(ls->self, stderr);
  BN_CALL(ctx, bn_ls_lift(ls, ls->ops->create(ls->self, ls->opts, &ls->data)));
  ls->ops->objective(ls->data, &ls->obj);
  if (*ls->png) BN_CALL(ctx, bn_ls_plane_build(ls));
  bn_ls_header(ls);
  BN_CALL(ctx, bn_ls_census(ls));
  if (*ls->png) {
    BN_CALL(ctx, bn_ls_slice_eval(ls));
    bn_status_t st = BN_OK;
    if (bn_ctx_rank(ctx) == 0) st = bn_ls_png_write(ls, ls->png);
    BN_CALL(ctx, bn_agree(ctx, st));
  }
  BN_CALL(ctx, bn_ls_write(ls));
  bn_ls_report(ls);
  return BN_OK;
}

static bn_status_t bn_landscape_run(bn_ctx_t *ctx, bn_opts_t *opts,
                                    const char *subject) {
  bn_ls_t ls = {0};
  ls.ctx = ctx;
  ls.opts = opts;
  ls.t0 = bn_wtime();
  const char *lvl = bn_opts_string(opts, "log-level");
  bn_ctx_set_log_level(ctx, !strcmp(lvl, "quiet")   ? BN_LOG_QUIET
                            : !strcmp(lvl, "debug") ? BN_LOG_DEBUG
                                                    : BN_LOG_INFO);
  bool json = false;
  BN_CALL(ctx, bn_opts_bool(opts, "json", &json));
  if (json) bn_ctx_set_log_stream(ctx, stderr);
  bn_status_t st = bn_ls_body(&ls, subject);
  if (st != BN_OK && !bn_error_agreed(ctx)) {
    /* One process alone failed (the others may wait in a collective). */
    fprintf(stderr, "benign: error on process %d: %s (at %s)\n",
            bn_ctx_rank(ctx), bn_error_message(ctx), bn_error_where(ctx));
    fflush(stderr);
    MPI_Abort(bn_ctx_comm(ctx), 1);
  }
  if (ls.data) ls.ops->destroy(ls.data);
  bn_ls_plane_free(&ls);
  bn_dmat_destroy(ls.gloc);
  bn_dist_destroy(ls.gdist);
  free(ls.gall);
  free(ls.recs);
  free(ls.clusters);
  free(ls.optstr);
  bn_ctx_destroy(ls.self);
  return st;
}

const bn_command_t bn_cmd_landscape = {
    "landscape",
    "census of the critical points reached from random starts on a small "
    "instance (objective, distance to the truth, Hessian index), and a PNG "
    "heat map of a slice through the truth",
    "mpirun -n P benign landscape PROBLEM --input=F.h5 [problem options] "
    "[--starts=K] [--seed=S] [--output=G.h5] [--json] [--png=slice.png "
    "--slice=copy|random --grid=N] [--max-dim=D]; benign landscape PROBLEM "
    "--help for every option",
    bn_landscape_opts,
    bn_solve_optdefs,
    "*",
    bn_landscape_run,
    bn_landscape_subject_opts,
    NULL};
