/* Dictionary learning: the end of a run -- the dictionary, codes and
 * metrics (dict_codes.c) and the result file. */
#include <math.h>
#include <string.h>

#include "benign/pictures.h"
#include "problems/dict/dict.h"

bn_status_t bn_dict_finish(void *data, bn_dict_report_t *r) {
  bn_dict_t *d = data;
  if (d->method->finish) BN_CALL(d->ctx, d->method->finish(d));
  return bn_dict_codes(d, r);
}

static bn_status_t bn_dict_attr(bn_h5_t *f, const char *name, double v) {
  return isnan(v) ? BN_OK : bn_h5_attr_set_f64(f, "/", name, v);
}

/* Collective: the input's patch shape (root attributes patch_h, patch_w
 * of benign import --patch=HxW) when it has one matching m, else 0 x 0. */
static void bn_dict_patch_shape(bn_dict_t *d, int64_t *ph, int64_t *pw) {
  bn_h5_t *f = NULL;
  *ph = *pw = 0;
  if (bn_h5_open(d->ctx, d->input, &f) == BN_OK &&
      (bn_h5_attr_get_i64(f, "/", "patch_h", ph) != BN_OK ||
       bn_h5_attr_get_i64(f, "/", "patch_w", pw) != BN_OK))
    *ph = *pw = 0;
  bn_h5_close(f);
  bn_error_clear(d->ctx); /* a missing attribute only means "no patch" */
  if (*ph < 1 || *pw < 1 || *ph * *pw != (int64_t)d->m) *ph = *pw = 0;
}

/* Collective: the atoms as a mosaic of image tiles (rank 0 writes). The
 * tile shape is the input's patch_h x patch_w (benign import), else the
 * square root of m when m is a square, else m x 1 strips. */
bn_status_t bn_dict_atoms_png(void *data, const char *path) {
  bn_dict_t *d = data;
  bn_ctx_t *ctx = d->ctx;
  if (!d->ahat || d->found < 1)
    return BN_ERROR_ALL(ctx, BN_ERR_STATE, "--atoms-png: no atoms to draw");
  int64_t ph = 0, pw = 0;
  int th = 0, tw = 0;
  bn_dict_patch_shape(d, &ph, &pw);
  bn_atoms_tile((int64_t)d->m, ph, pw, &th, &tw);
  return bn_dict_atoms_draw(d, path, th, tw);
}

bn_status_t bn_dict_write_result(void *data, const double *x,
                                 const bn_dict_report_t *r, bn_h5_t *f) {
  bn_dict_t *d = data;
  bn_ctx_t *ctx = d->ctx;
  if (d->found > 0 && d->ahat)
    BN_CALL(ctx, bn_dict_put(d, f, "/A", d->m, d->found, d->ahat));
  BN_CALL(ctx, d->method->save(d, x, f, "/"));
  BN_CALL(ctx, bn_dict_write_state(d, f, "/history/"));
  BN_CALL(ctx, bn_dict_write_codes(d, f));
  BN_CALL(ctx, bn_h5_attr_set_i64(f, "/", "dim", d->m));
  BN_CALL(ctx, bn_h5_attr_set_i64(f, "/", "samples", d->p));
  BN_CALL(ctx, bn_h5_attr_set_i64(f, "/", "atoms", d->n));
  BN_CALL(ctx, bn_h5_attr_set_str(f, "/", "method", d->method->name));
  BN_CALL(ctx, bn_h5_attr_set_str(f, "/", "loss", bn_dict_loss(d)));
  BN_CALL(ctx, bn_h5_attr_set_str(f, "/", "precondition",
                                  d->precond ? "yes" : "no"));
  BN_CALL(ctx, bn_h5_attr_set_str(f, "/", "codes",
                                  d->codes == 0   ? "none"
                                  : d->codes == 2 ? "dense"
                                                  : "sparse"));
  BN_CALL(ctx, bn_h5_attr_set_str(f, "/", "input", d->input));
  /* An atom (a column of /A) of image patches is a patch_h x patch_w
   * tile, row-major: the result says so, as its input did. */
  int64_t ph = 0, pw = 0;
  bn_dict_patch_shape(d, &ph, &pw);
  if (ph > 0) BN_CALL(ctx, bn_h5_attr_set_i64(f, "/", "patch_h", ph));
  if (pw > 0) BN_CALL(ctx, bn_h5_attr_set_i64(f, "/", "patch_w", pw));
  BN_CALL(ctx, bn_h5_attr_set_i64(f, "/", "code_nonzeros", r->nnz));
  BN_CALL(ctx, bn_dict_attr(f, "code_sparsity", r->sparsity));
  BN_CALL(ctx, bn_dict_attr(f, "rep_error", r->rep_error));
  BN_CALL(ctx, bn_dict_attr(f, "synthesis_objective", r->synthesis));
  BN_CALL(ctx, bn_dict_attr(f, "l4_error", r->l4_error));
  BN_CALL(ctx, bn_dict_attr(f, "matched_fraction", r->matched));
  BN_CALL(ctx, bn_dict_attr(f, "min_abs_cos", r->min_cos));
  BN_CALL(ctx, bn_dict_attr(f, "atom_abs_cos_min", r->atom_cos));
  return BN_OK;
}
