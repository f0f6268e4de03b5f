/* Multichannel sparse blind deconvolution: writing an N-dimensional
 * dataset by blocks along its first dimension (deconv.h). */
#include <hdf5.h>

#include "io/h5_internal.h"
#include "problems/deconv.h"

bn_status_t bn_dc_h5_write(bn_h5_t *f, const char *name, int ndims,
                           const int64_t *dims, int64_t c0, int64_t cnt,
                           const double *buf) {
  bn_ctx_t *ctx = f->ctx;
  hsize_t hd[4], start[4] = {0, 0, 0, 0}, count[4];
  hsize_t item = 1;
  for (int k = 0; k < ndims; k++) {
    hd[k] = (hsize_t)dims[k];
    count[k] = hd[k];
    if (k > 0) item *= hd[k];
  }
  start[0] = (hsize_t)c0;
  count[0] = (hsize_t)cnt;
  hid_t lcpl = H5I_INVALID_HID, space = H5I_INVALID_HID;
  hid_t dset = H5I_INVALID_HID, mspace = H5I_INVALID_HID;
  bn_status_t st = bn_h5_check_state(f, 1);
  if (st == BN_OK) {
    lcpl = H5Pcreate(H5P_LINK_CREATE);
    space = H5Screate_simple(ndims, hd, NULL);
    if (lcpl >= 0 && space >= 0 &&
        H5Pset_create_intermediate_group(lcpl, 1) >= 0)
      dset = H5Dcreate2(f->file, name, H5T_IEEE_F64LE, space, lcpl, H5P_DEFAULT,
                        H5P_DEFAULT);
    if (dset < 0)
      st = BN_ERROR(ctx, BN_ERR_IO, "%s: cannot create dataset '%s'", f->path,
                    name);
  }
  st = bn_agree(ctx, st);
  if (st == BN_OK) {
    hsize_t m = (hsize_t)cnt * item;
    double dummy = 0;
    mspace = H5Screate_simple(1, m ? &m : (hsize_t[]){1}, NULL);
    herr_t rc = mspace >= 0 ? 0 : -1;
    if (rc >= 0 && m == 0)
      rc = H5Sselect_none(space) < 0 || H5Sselect_none(mspace) < 0 ? -1 : 0;
    else if (rc >= 0)
      rc = H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, count, NULL);
    if (rc >= 0)
      rc = H5Dwrite(dset, H5T_NATIVE_DOUBLE, mspace, space, f->dxpl,
                    m ? buf : &dummy);
    if (rc < 0)
      st = BN_ERROR(ctx, BN_ERR_IO, "%s: cannot write dataset '%s'", f->path,
                    name);
    st = bn_agree(ctx, st);
  }
  if (mspace >= 0) H5Sclose(mspace);
  if (dset >= 0) H5Dclose(dset);
  if (space >= 0) H5Sclose(space);
  if (lcpl >= 0) H5Pclose(lcpl);
  return st;
}
