/* bn_patch_select: the `want` smallest (key, id) pairs over all processes,
 * by a radix selection on the 64-bit keys.
 *
 * Each round looks at the next 12 bits of the keys that are still in
 * play (those whose higher bits equal the prefix chosen so far): one local
 * histogram, one allreduce of 4096 counts, and the bin holding the want-th
 * key becomes the new prefix; keys in lower bins are chosen, keys in higher
 * bins are not. When few keys are left in play (or all 64 bits are fixed,
 * i.e. equal keys) they are gathered everywhere and sorted by (key, id),
 * which breaks ties by the global id. Nothing depends on the split over
 * processes, so the choice is the same on any number of them. */
#include <stdlib.h>
#include <string.h>

#include "benign/ctx.h"
#include "benign/error.h"
#include "benign/patches.h"

#define BN_SEL_BITS 12
#define BN_SEL_GATHER 4096

typedef struct sel_pair {
  uint64_t key;
  int64_t id;
} sel_pair_t;

static int cmp_pair(const void *pa, const void *pb) {
  const sel_pair_t *a = pa, *b = pb;
  if (a->key != b->key) return a->key < b->key ? -1 : 1;
  if (a->id != b->id) return a->id < b->id ? -1 : 1;
  return 0;
}

/* Is key still in play: its bits above `shift` equal prefix? */
static int in_play(uint64_t key, int shift, uint64_t prefix) {
  return shift >= 64 || (key >> shift) == prefix;
}

/* Top bits of key compared with prefix: -1 below, 0 equal, 1 above. */
static int vs_prefix(uint64_t key, int shift, uint64_t prefix) {
  if (shift >= 64) return 0;
  uint64_t t = key >> shift;
  return t < prefix ? -1 : t > prefix;
}

/* Collective: gather the (key, id) pairs still in play everywhere, sort
 * them, and return the need-th smallest in *last. */
static bn_status_t gather_last(bn_ctx_t *ctx, int64_t n, const uint64_t *keys,
                               int64_t g0, int shift, uint64_t prefix,
                               int64_t need, sel_pair_t *last) {
  int np = bn_ctx_size(ctx), mine = 0;
  MPI_Comm comm = bn_ctx_comm(ctx);
  int *counts = NULL, *displs = NULL;
  sel_pair_t *loc = NULL, *all = NULL;
  bn_status_t st = BN_OK;
  for (int64_t k = 0; k < n; k++)
    if (keys[k] != UINT64_MAX && in_play(keys[k], shift, prefix)) mine++;
  st = bn_calloc(ctx, (size_t)np, sizeof *counts, &counts);
  if (st == BN_OK) st = bn_calloc(ctx, (size_t)np, sizeof *displs, &displs);
  if (st == BN_OK) st = bn_mallocn(ctx, (size_t)mine, sizeof *loc, &loc);
  BN_TRY(ctx, st, bn_agree(ctx, st));
  for (int64_t k = 0, j = 0; k < n; k++)
    if (keys[k] != UINT64_MAX && in_play(keys[k], shift, prefix))
      loc[j++] = (sel_pair_t){keys[k], g0 + k};
  int two = 2 * mine;
  BN_MPI(ctx, MPI_Allgather(&two, 1, MPI_INT, counts, 1, MPI_INT, comm));
  int64_t total = 0;
  for (int r = 0; r < np; r++) {
    displs[r] = (int)total;
    total += counts[r];
  }
  BN_TRY(ctx, st,
         bn_agree(ctx, bn_mallocn(ctx, (size_t)total, sizeof(int64_t), &all)));
  /* A pair is two 64-bit words; moved as int64 (the bits, unchanged). */
  BN_MPI(ctx, MPI_Allgatherv(loc, two, MPI_INT64_T, all, counts, displs,
                             MPI_INT64_T, comm));
  qsort(all, (size_t)total / 2, sizeof *all, cmp_pair);
  *last = all[need - 1];
cleanup:
  free(all);
  free(loc);
  free(displs);
  free(counts);
  return st;
}

bn_status_t bn_patch_select(bn_ctx_t *ctx, int64_t n, const uint64_t *keys,
                            int64_t g0, int64_t want, unsigned char *sel) {
  MPI_Comm comm = bn_ctx_comm(ctx);
  int64_t eligible = 0, play;
  for (int64_t k = 0; k < n; k++) eligible += keys[k] != UINT64_MAX;
  BN_MPI(ctx, MPI_Allreduce(&eligible, &play, 1, MPI_INT64_T, MPI_SUM, comm));
  for (int64_t k = 0; k < n; k++) sel[k] = keys[k] != UINT64_MAX;
  if (want >= play) return BN_OK;
  if (want <= 0) {
    memset(sel, 0, (size_t)n);
    return BN_OK;
  }
  int64_t need = want, hist[1 << BN_SEL_BITS], sum[1 << BN_SEL_BITS];
  int shift = 64;
  uint64_t prefix = 0;
  while (play > BN_SEL_GATHER && shift > 0 && need < play) {
    int d = shift >= BN_SEL_BITS ? BN_SEL_BITS : shift, ns = shift - d;
    uint64_t mask = (UINT64_C(1) << d) - 1;
    memset(hist, 0, sizeof(int64_t) << d);
    for (int64_t k = 0; k < n; k++)
      if (keys[k] != UINT64_MAX && in_play(keys[k], shift, prefix))
        hist[(keys[k] >> ns) & mask]++;
    BN_MPI(ctx, MPI_Allreduce(hist, sum, 1 << d, MPI_INT64_T, MPI_SUM, comm));
    int64_t below = 0;
    uint64_t b = 0;
    while (below + sum[b] < need) below += sum[b++];
    need -= below;
    play = sum[b];
    prefix = shift >= 64 ? b : (prefix << d) | b;
    shift = ns;
  }
  int take_all = need == play;
  sel_pair_t last = {0, 0};
  if (!take_all)
    BN_CALL(ctx, gather_last(ctx, n, keys, g0, shift, prefix, need, &last));
  for (int64_t k = 0; k < n; k++) {
    if (keys[k] == UINT64_MAX) continue;
    int v = vs_prefix(keys[k], shift, prefix);
    sel_pair_t me = {keys[k], g0 + k};
    sel[k] = v < 0 || (v == 0 && (take_all || cmp_pair(&me, &last) <= 0));
  }
  return BN_OK;
}
