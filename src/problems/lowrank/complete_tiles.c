/* Matrix completion: column tiles of the pass over the entries.
 *
 * The pass reads the ghost row v_j of every entry and adds into its
 * gradient row: random access to 2 x nghost x w reals. On the 20 M-entry
 * bench instance that is 26 MB (float) to 51 MB (double) per process, more
 * than a process's share of the last-level cache, and the pass waits on
 * memory. With tiles the pass runs over the ghost indices in n ranges,
 * each row's entries of one range at a time (entries are sorted by column
 * within a row, and ghost indices increase with the column), so the rows
 * it touches stay in cache; a row's sum of squares and gradient are
 * carried from one range to the next in per-row work space, in the same
 * order of operations as one pass, so f and the gradient are bitwise those
 * of the untiled pass whatever the tile count. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "problems/lowrank/complete_state.h"

#define BN_TILES_MAX 64
/* last-level cache when the system does not say */
#define BN_TILES_L3_DEFAULT (16.0 * 1024 * 1024)

/* "auto", a size in bytes with an optional K, M or G (powers of 1024), or
 * 0; -1 when the text is none of these. */
static double bn_tiles_parse(const char *v) {
  if (!v || !strcmp(v, "auto")) return -2;
  char *end = NULL;
  double b = strtod(v, &end);
  if (end == v || !(b >= 0) || b > 1e15) return -1;
  double unit = 1;
  if (*end == 'K' || *end == 'k')
    unit = 1024.0, end++;
  else if (*end == 'M' || *end == 'm')
    unit = 1024.0 * 1024, end++;
  else if (*end == 'G' || *end == 'g')
    unit = 1024.0 * 1024 * 1024, end++;
  if (*end == 'B' || *end == 'b') end++;
  return *end ? -1 : b * unit;
}

/* Tiles for a pass over elements of `elem` bytes (with the gradient:
 * twice the rows): enough that each tile's rows fit in --tile-cache. */
static int bn_tiles_count(const bn_complete_t *c, size_t elem, bool grad) {
  if (!(c->tile_cache > 0)) return 1;
  double bytes = (double)c->obs->nghost * c->w * (double)elem * (grad ? 2 : 1);
  double n = bytes / c->tile_cache;
  int t = n >= BN_TILES_MAX ? BN_TILES_MAX : (int)n + (n > (int)n);
  if (t > c->obs->nghost) t = (int)c->obs->nghost;
  return t < 1 ? 1 : t;
}

bn_status_t bn_complete_tiles_options(bn_complete_t *c, const bn_opts_t *opts) {
  bn_ctx_t *ctx = c->ctx;
  const char *v = bn_opts_string(opts, "tile-cache");
  double b = bn_tiles_parse(v);
  if (b == -1)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG,
                        "--tile-cache=%s: expected auto, 0 or a size in bytes "
                        "(such as 8M)",
                        v);
  if (b == -2) { /* half the last-level cache over this node's processes */
    MPI_Comm node;
    int np = 1;
    if (MPI_Comm_split_type(bn_ctx_comm(ctx), MPI_COMM_TYPE_SHARED, 0,
                            MPI_INFO_NULL, &node) == MPI_SUCCESS) {
      MPI_Comm_size(node, &np);
      MPI_Comm_free(&node);
    }
    long l3 = sysconf(_SC_LEVEL3_CACHE_SIZE);
    b = 0.5 * (l3 > 0 ? (double)l3 : BN_TILES_L3_DEFAULT) / np;
  }
  c->tile_cache = b;
  return BN_OK;
}

bn_status_t bn_complete_tiles_alloc(bn_complete_t *c) {
  bn_complete_tiles_free(c);
  bn_idx_t nloc = bn_dist_local(c->obs->rdist);
  bn_status_t st = BN_OK;
  /* only where the largest pass (double, with the gradient) is tiled */
  if (bn_tiles_count(c, sizeof(double), true) > 1) {
    st = bn_mallocn(c->ctx, (size_t)nloc + 1, sizeof(bn_idx_t), &c->tiles.cur);
    if (st == BN_OK)
      st = bn_mallocn(c->ctx, (size_t)nloc + 1, sizeof(double),
                      &c->tiles.rowsum);
    if (st == BN_OK)
      st = bn_mallocn(c->ctx,
                      bn_size_add(bn_size_mul((size_t)nloc, (size_t)c->w), 1),
                      sizeof(double), &c->tiles.gi);
  }
  return bn_agree(c->ctx, st);
}

void bn_complete_tiles_free(bn_complete_t *c) {
  free(c->tiles.cur);
  free(c->tiles.rowsum);
  free(c->tiles.gi);
  c->tiles = (bn_pass_tiles_t){.n = 1};
}

int bn_complete_tiles(const bn_complete_t *c, size_t elem, bool grad) {
  return c->tiles.gi ? bn_tiles_count(c, elem, grad) : 1;
}
