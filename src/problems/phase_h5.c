/* Phase retrieval: HDF5 datasets of more than two dimensions, by rows.
 *
 * The public bn_h5 layer moves 1-D arrays and 2-D row-partitioned
 * matrices; the complex measurement matrix is stored as /A, m x n x 2
 * (real and imaginary parts last, the layout h5py and PETSc write), so
 * this file reads and writes blocks of rows of an N-D dataset directly
 * (collective MPI-IO transfers on the file's transfer property list).
 * Transfers go in pieces of at most BN_PHASE_H5_PIECE bytes per rank
 * (MPI-IO counts are int), every rank taking part in every piece (an
 * empty selection when it has nothing left). Could move to src/io if
 * another problem needs N-D arrays. */
#include <hdf5.h>
#include <string.h>

#include "io/h5_internal.h"
#include "problems/phase.h"

#define BN_PHASE_H5_PIECE ((size_t)1 << 28) /* 256 MB */

/* Not agreed: transfer rows [first, first + count) of an open dataset
 * whose extent is dims[0..nd) (per = product of dims[1..]). */
static bn_status_t bn_phase_h5_move(bn_h5_t *f, const char *name, hid_t dset,
                                    int nd, const hsize_t *dims, int write,
                                    bn_idx_t first, bn_idx_t count, size_t per,
                                    double *buf) {
  bn_ctx_t *ctx = f->ctx;
  size_t rows = BN_PHASE_H5_PIECE / ((per ? per : 1) * sizeof(double));
  if (rows < 1) rows = 1;
  int64_t pieces = count > 0 ? (int64_t)((count + rows - 1) / rows) : 0;
  BN_MPI(ctx, MPI_Allreduce(MPI_IN_PLACE, &pieces, 1, MPI_INT64_T, MPI_MAX,
                            bn_ctx_comm(ctx)));
  bn_status_t st = BN_OK;
  hid_t fspace = H5Dget_space(dset);
  if (fspace < 0)
    return BN_ERROR(ctx, BN_ERR_IO, "%s: cannot read the shape of '%s'",
                    f->path, name);
  for (int64_t p = 0; p < pieces; p++) {
    bn_idx_t r0 = (bn_idx_t)(p * (int64_t)rows);
    bn_idx_t nr =
        r0 < count ? (count - r0 < (bn_idx_t)rows ? count - r0 : (bn_idx_t)rows)
                   : 0;
    hsize_t start[4] = {0, 0, 0, 0}, cnt[4];
    for (int d = 0; d < nd; d++) cnt[d] = dims[d];
    start[0] = (hsize_t)(first + r0);
    cnt[0] = (hsize_t)nr;
    hsize_t nel = (hsize_t)nr * per, mdim = nel ? nel : 1;
    double dummy = 0.0, *ptr = nel ? buf + (size_t)r0 * per : &dummy;
    hid_t mspace = H5Screate_simple(1, &mdim, NULL);
    herr_t rc = mspace >= 0 ? 0 : -1;
    if (rc >= 0 && nel == 0)
      rc = H5Sselect_none(fspace) < 0 || H5Sselect_none(mspace) < 0 ? -1 : 0;
    else if (rc >= 0)
      rc = H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, cnt, NULL);
    if (rc >= 0)
      rc = write
               ? H5Dwrite(dset, H5T_NATIVE_DOUBLE, mspace, fspace, f->dxpl, ptr)
               : H5Dread(dset, H5T_NATIVE_DOUBLE, mspace, fspace, f->dxpl, ptr);
    if (mspace >= 0) H5Sclose(mspace);
    if (rc < 0 && st == BN_OK)
      st = BN_ERROR(ctx, BN_ERR_IO, "%s: cannot %s dataset '%s'", f->path,
                    write ? "write" : "read", name);
  }
  H5Sclose(fspace);
  return st;
}

bn_status_t bn_phase_h5_read_rows(bn_h5_t *f, const char *name, bn_idx_t first,
                                  bn_idx_t count, size_t per, double *buf) {
  bn_ctx_t *ctx = f->ctx;
  hid_t dset = H5I_INVALID_HID, space = H5I_INVALID_HID;
  hsize_t dims[4] = {0, 0, 0, 0};
  bn_status_t st = bn_agree(ctx, bn_h5_open_dataset(f, name, &dset));
  if (st != BN_OK) return st;
  space = H5Dget_space(dset);
  int nd = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
  size_t have = 1;
  if (nd >= 1 && nd <= 4) {
    H5Sget_simple_extent_dims(space, dims, NULL);
    for (int d = 1; d < nd; d++) have *= (size_t)dims[d];
  }
  if (nd < 1 || nd > 4 || have != per || (hsize_t)(first + count) > dims[0] ||
      first < 0 || count < 0)
    st = BN_ERROR(ctx, BN_ERR_DATA,
                  "%s: dataset '%s' does not have the expected shape", f->path,
                  name);
  if (space >= 0) H5Sclose(space);
  st = bn_agree(ctx, st);
  if (st == BN_OK)
    st = bn_agree(ctx, bn_phase_h5_move(f, name, dset, nd, dims, 0, first,
                                        count, per, buf));
  H5Dclose(dset);
  return st;
}

bn_status_t bn_phase_h5_write_rows(bn_h5_t *f, const char *name, int nd,
                                   const bn_idx_t *dims, bn_idx_t first,
                                   bn_idx_t count, const double *buf) {
  bn_ctx_t *ctx = f->ctx;
  hid_t lcpl = H5I_INVALID_HID, dcpl = H5I_INVALID_HID;
  hid_t space = H5I_INVALID_HID, dset = H5I_INVALID_HID;
  hsize_t hd[4];
  size_t per = 1;
  if (nd < 1 || nd > 4)
    return BN_ERROR_ALL(ctx, BN_ERR_ARG, "%s: bad rank %d for '%s'", f->path,
                        nd, name);
  for (int d = 0; d < nd; d++) {
    hd[d] = (hsize_t)dims[d];
    if (d > 0) per *= (size_t)dims[d];
  }
  bn_status_t st = bn_h5_check_state(f, 1);
  if (st == BN_OK) {
    lcpl = H5Pcreate(H5P_LINK_CREATE);
    dcpl = H5Pcreate(H5P_DATASET_CREATE);
    space = H5Screate_simple(nd, hd, NULL);
    /* Every element is about to be written: no fill pass. */
    if (lcpl >= 0 && dcpl >= 0 && space >= 0 &&
        H5Pset_create_intermediate_group(lcpl, 1) >= 0 &&
        H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER) >= 0)
      dset = H5Dcreate2(f->file, name, H5T_IEEE_F64LE, space, lcpl, dcpl,
                        H5P_DEFAULT);
    if (dset < 0)
      st = BN_ERROR(ctx, BN_ERR_IO, "%s: cannot create dataset '%s'", f->path,
                    name);
  }
  st = bn_agree(ctx, st);
  if (st == BN_OK)
    st = bn_agree(ctx, bn_phase_h5_move(f, name, dset, nd, hd, 1, first, count,
                                        per, (double *)buf));
  if (dset >= 0) H5Dclose(dset);
  if (space >= 0) H5Sclose(space);
  if (dcpl >= 0) H5Pclose(dcpl);
  if (lcpl >= 0) H5Pclose(lcpl);
  return st;
}

bn_status_t bn_phase_h5_has_attr(bn_h5_t *f, const char *obj, const char *attr,
                                 int *exists) {
  hid_t o = H5I_INVALID_HID;
  *exists = 0;
  bn_status_t st = bn_agree(f->ctx, bn_h5_open_object(f, obj, &o));
  if (st != BN_OK) return st;
  htri_t rc = H5Aexists(o, attr);
  H5Oclose(o);
  if (rc < 0)
    st = BN_ERROR(f->ctx, BN_ERR_IO, "%s: cannot query attribute '%s' of '%s'",
                  f->path, attr, obj);
  *exists = rc > 0;
  return bn_agree(f->ctx, st);
}
