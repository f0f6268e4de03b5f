/* Dictionary learning: the end of a run -- the dictionary, codes and
 * metrics (dict_codes.c) and the result file. */
#include <math.h>
#include <string.h>

#include "problems/dict.h"

bn_status_t bn_dict_finish(void *data, bn_dict_report_t *r) {
  bn_dict_t *d = data;
  if (d->method->finish) BN_CALL(d->ctx, d->method->finish(d));
  return bn_dict_codes(d, r);
}

static bn_status_t bn_dict_attr(bn_h5_t *f, const char *name, double v) {
  return isnan(v) ? BN_OK : bn_h5_attr_set_f64(f, "/", name, v);
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
