/* benign landscape: a census of the end points of random starts on a small
 * instance, and heat maps of 2-parameter slices through the ground truth.
 * Private to drivers/cmd_landscape.c and drivers/landscape_*.c.
 *
 * Every process holds its own copy of the instance, created on a context
 * over MPI_COMM_SELF, and runs its share of the starts (k = rank, rank + P,
 * ...) or of the slice's grid rows; records and rows are gathered to rank
 * 0, which clusters, prints and draws. The instance is small (the census is
 * for instances whose Hessian fits in memory), so the copies are cheap. */
#ifndef BN_DRIVERS_LANDSCAPE_H
#define BN_DRIVERS_LANDSCAPE_H

#include "benign/landscape.h"
#include "cli.h"

/* Streams of the slice's random rotation and direction: far from the
 * small numbers problems and generators use (a shared stream and seed
 * would make the "random" direction a multiple of a generated truth). */
enum { BN_LS_STREAM_ROT = 0x4c530001, BN_LS_STREAM_DIR = 0x4c530002 };

#define BN_LS_MAX_PLATEAUS 4

/* One start's outcome. Only doubles, so a record is gathered as
 * BN_LS_REC_LEN MPI_DOUBLEs. Integers are stored exactly (< 2^53); -1
 * marks a Hessian index that was not computed, NaN an unavailable value. */
typedef struct bn_ls_rec {
  double start, seed;
  double f0;        /* objective at the initial point                   */
  double objective; /* at the end point                                 */
  double distance;  /* problem's rel_error (to the nearest copy); NaN  */
  double grad_norm, lambda_min, gtol, htol;
  double index, zero, dim; /* Hessian index, |eig| <= eps_H, dimension  */
  double verdict, reason, iterations, escapes, seconds;
  double nplateaus; /* plateaus found (those stored: at most the max)    */
  double plateau[BN_LS_MAX_PLATEAUS][4]; /* start, end, objective, |grad| */
  double plane_a, plane_b, plane_res;    /* slice coordinates; NaN: none */
  double global, cluster;                /* set on rank 0                */
} bn_ls_rec_t;
#define BN_LS_REC_LEN (sizeof(bn_ls_rec_t) / sizeof(double))

/* A group of starts with the same end point (bn_ls_cluster). */
typedef struct bn_ls_cluster {
  int first;   /* record of its first start (the representative) */
  int count;   /* starts */
  int globals; /* of which reached a global minimizer */
} bn_ls_cluster_t;

/* The slice plane {a d1 + b d2}: d1 = the truth x*, d2 orthogonal to it
 * with |d2| = |x*| (towards the copy, or random). Full vectors (every
 * process holds the whole instance). */
typedef struct bn_ls_plane {
  double *d1, *d2;
  double norm2;          /* |d1|^2 = |d2|^2 */
  double copy_a, copy_b; /* the symmetric copy's coordinates; NaN: none */
  const char *copy_kind; /* "rotation", "sign" or NULL (random slice)   */
} bn_ls_plane_t;

typedef struct bn_ls {
  bn_ctx_t *ctx;  /* the job (MPI_COMM_WORLD)          */
  bn_ctx_t *self; /* this process alone (MPI_COMM_SELF) */
  bn_opts_t *opts;
  const bn_problem_ops_t *ops;
  void *data; /* the instance, on self */
  bn_objective_t obj;
  const char *output, *png, *slice;
  int64_t starts, grid, max_dim;
  uint64_t seed; /* start k uses seed + k */
  double global_tol, extent, near_plane;
  bool json;
  double t0;
  char *optstr; /* the options as given (before per-start seeds) */
  /* The census (rank 0: all records, in start order). */
  bn_ls_rec_t *recs;
  bn_ls_cluster_t *clusters;
  int nclusters;
  int64_t nglobal;
  bool by_distance;  /* global = distance <= global_tol (else objective) */
  double fmin, ftol; /* lowest objective found; "as low" within ftol */
  /* The slice (with --png). */
  bool have_plane;
  bn_ls_plane_t plane;
  bn_dist_t *gdist;              /* grid rows over the job's processes */
  bn_dmat_t *gloc;               /* this process's rows of the grid     */
  double *gall;                  /* rank 0: the whole grid, grid x grid */
  double gmin_a, gmin_b, gmin_f; /* rank 0: the grid's minimum */
} bn_ls_t;

/* A failure on `self` (same on every process or not) agreed on the job
 * with its message. Collective on the job. (Here, not in cmd_landscape.c,
 * so the census and slice files do not call back into the command.) */
static inline bn_status_t bn_ls_lift(bn_ls_t *ls, bn_status_t st) {
  if (st != BN_OK && bn_error_code(ls->ctx) == BN_OK)
    bn_error_set(ls->ctx, st, __FILE__, __LINE__, "%s",
                 bn_error_message(ls->self));
  return bn_agree(ls->ctx, st);
}

/* landscape_census.c. Collective: run this process's starts, gather the
 * records to rank 0, decide global minimizers and clusters there. */
bn_status_t bn_ls_census(bn_ls_t *ls);

/* landscape_slice.c. Collective: the plane through the truth (fails,
 * agreed, without one); coordinates of a point; the grid. */
bn_status_t bn_ls_plane_build(bn_ls_t *ls);
void bn_ls_plane_coords(const bn_ls_t *ls, const double *x, double *a,
                        double *b, double *res);
bn_status_t bn_ls_slice_eval(bn_ls_t *ls);
void bn_ls_plane_free(bn_ls_t *ls);

/* landscape_png.c. Rank 0 alone: draw the grid with the markers. */
bn_status_t bn_ls_png_write(bn_ls_t *ls, const char *path);

/* landscape_report.c. Rank 0 prints the table (and JSON); collective
 * writing of the HDF5 output. */
void bn_ls_report(bn_ls_t *ls);
bn_status_t bn_ls_write(bn_ls_t *ls);

#endif
