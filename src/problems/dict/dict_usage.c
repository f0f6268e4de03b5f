/* Dictionary learning: the atoms' picture (--atoms-png) ordered by usage
 * -- the fraction of samples whose code for the atom is nonzero, counted
 * on each process's samples and summed -- with the DC atom last
 * (include/benign/pictures.h). /A keeps the order the run found. */
#include <stdlib.h>
#include <string.h>

#include "benign/pictures.h"
#include "problems/dict/dict.h"

bn_status_t bn_dict_atoms_draw(bn_dict_t *d, const char *path, int ph, int pw) {
  bn_ctx_t *ctx = d->ctx;
  const int J = d->found;
  const bool codes = d->codes != 0 && d->xc;
  double *usage = NULL;
  BN_CALL(ctx, bn_agree(ctx, bn_mallocn(ctx, (size_t)J,
                                        sizeof(double) + sizeof(int), &usage)));
  int *order = (int *)(usage + J);
  memset(usage, 0, (size_t)J * sizeof(double));
  for (bn_idx_t j = 0; codes && j < d->pl; j++)
    for (int k = 0; k < J; k++) usage[k] += d->xc[(size_t)j * J + k] != 0.0;
  bn_status_t st = codes ? bn_allreduce_sum(ctx, usage, (size_t)J) : BN_OK;
  for (int k = 0; k < J; k++) usage[k] /= d->p > 0 ? (double)d->p : 1.0;
  int dc =
      bn_atoms_order(d->ahat, (int)d->m, J, J, codes ? usage : NULL, order);
  char text[512];
  bn_atoms_order_text(text, sizeof text, order, codes ? usage : NULL, J, dc);
  if (st == BN_OK && codes)
    bn_log(ctx, BN_LOG_INFO,
           "atoms ordered by usage (%% of samples, DC atom last): %s\n", text);
  else if (st == BN_OK)
    bn_log(ctx, BN_LOG_INFO,
           "atoms in stored order (--codes=none: no usage to order by)\n");
  if (st == BN_OK && bn_ctx_rank(ctx) == 0)
    st = bn_atoms_png(ctx, path, d->ahat, (int)d->m, J, J, ph, pw, order);
  free(usage);
  return bn_agree(ctx, st);
}
