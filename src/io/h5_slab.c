/* HDF5 slabs: items along the first dimension of a dataset of any rank up
 * to 4 (an image stack N x H x W is N items of H W values), each rank its
 * own block of items, read collectively as float64. */
#include "io/h5_internal.h"

/* Not agreed: the dataset must be numeric with 1 to 4 dimensions and
 * hold items [start, start + count); dims receives its extent. */
static bn_status_t check_slab(bn_h5_t *f, const char *name, hid_t dset,
                              bn_idx_t start, bn_idx_t count, int *nd,
                              hsize_t dims[4]) {
  hid_t space = H5Dget_space(dset), type = H5Dget_type(dset);
  H5T_class_t cls = type >= 0 ? H5Tget_class(type) : H5T_NO_CLASS;
  bn_status_t st = BN_OK;
  *nd = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
  if (*nd < 1 || *nd > 4)
    st = BN_ERROR(f->ctx, BN_ERR_DATA,
                  "%s: dataset '%s' has %d dimensions, expected 1 to 4",
                  f->path, name, *nd);
  else if (cls != H5T_INTEGER && cls != H5T_FLOAT)
    st = BN_ERROR(f->ctx, BN_ERR_DATA,
                  "%s: dataset '%s' is not numeric (integer or "
                  "floating-point)",
                  f->path, name);
  else if (H5Sget_simple_extent_dims(space, dims, NULL) < 0 || start < 0 ||
           count < 0 || (hsize_t)(start + count) > dims[0])
    st = BN_ERROR(f->ctx, BN_ERR_DATA,
                  "%s: dataset '%s' has %llu items; rank %d asked for [%lld, "
                  "%lld)",
                  f->path, name, (unsigned long long)dims[0],
                  bn_ctx_rank(f->ctx), (long long)start,
                  (long long)(start + count));
  if (type >= 0) H5Tclose(type);
  if (space >= 0) H5Sclose(space);
  return st;
}

/* Not agreed, collective transfer: every rank calls it, an empty block
 * with an empty selection. */
static bn_status_t read_slab(bn_h5_t *f, const char *name, hid_t dset, int nd,
                             const hsize_t dims[4], bn_idx_t start,
                             bn_idx_t count, double *buf) {
  hsize_t off[4] = {(hsize_t)start, 0, 0, 0}, cnt[4], n = (hsize_t)count;
  for (int k = 0; k < nd; k++) {
    cnt[k] = k == 0 ? (hsize_t)count : dims[k];
    if (k > 0) n *= dims[k];
  }
  hsize_t mdim = n ? n : 1;
  double dummy = 0.0;
  hid_t space = H5Dget_space(dset);
  hid_t mspace = H5Screate_simple(1, &mdim, NULL);
  herr_t rc = space >= 0 && mspace >= 0 ? 0 : -1;
  bn_status_t st = BN_OK;
  /* An empty dataset has no storage; every rank sees that alike. */
  if (rc >= 0 && H5Sget_simple_extent_npoints(space) == 0) goto done;
  if (rc >= 0 && n == 0)
    rc = H5Sselect_none(space) < 0 || H5Sselect_none(mspace) < 0 ? -1 : 0;
  else if (rc >= 0)
    rc = H5Sselect_hyperslab(space, H5S_SELECT_SET, off, NULL, cnt, NULL);
  if (rc >= 0)
    rc = H5Dread(dset, H5T_NATIVE_DOUBLE, mspace, space, f->dxpl,
                 n ? (void *)buf : (void *)&dummy);
  if (rc < 0)
    st = BN_ERROR(f->ctx, BN_ERR_IO, "%s: cannot read dataset '%s'", f->path,
                  name);
done:
  if (mspace >= 0) H5Sclose(mspace);
  if (space >= 0) H5Sclose(space);
  return st;
}

bn_status_t bn_h5_read_slab_f64(bn_h5_t *f, const char *name, bn_idx_t start,
                                bn_idx_t count, double *buf) {
  if (!f) return BN_ERR_ARG;
  bn_ctx_t *ctx = f->ctx;
  hid_t dset = H5I_INVALID_HID;
  hsize_t dims[4] = {0, 0, 0, 0};
  int nd = 0;
  bn_status_t st = bn_h5_check_state(f, 0);
  if (st != BN_OK) return st;
  BN_TRY(ctx, st, bn_agree(ctx, bn_h5_open_dataset(f, name, &dset)));
  BN_TRY(ctx, st,
         bn_agree(ctx, check_slab(f, name, dset, start, count, &nd, dims)));
  st = bn_agree(ctx, read_slab(f, name, dset, nd, dims, start, count, buf));
cleanup:
  if (dset >= 0) H5Dclose(dset);
  return st;
}
