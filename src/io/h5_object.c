/* HDF5: named objects in an open file -- the handle's accessors and state
 * check, name look-up that tolerates missing groups, opening objects and
 * datasets, shapes, and creating a dataset. The bottom of the h5 layer:
 * the file life cycle (h5.c), block transfers and verification
 * (h5_block.c) and the typed datasets (h5_data.c) build on it. */
#include <stdlib.h>
#include <string.h>

#include "io/h5_internal.h"

const char *bn_h5_path(const bn_h5_t *f) { return f ? f->path : NULL; }
bn_ctx_t *bn_h5_ctx(const bn_h5_t *f) { return f ? f->ctx : NULL; }

bn_status_t bn_h5_check_state(bn_h5_t *f, int write) {
  if (f->file < 0)
    return BN_ERROR(f->ctx, BN_ERR_STATE, "%s: file is already closed",
                    f->path);
  if (write && !f->tmp)
    return BN_ERROR(f->ctx, BN_ERR_STATE, "%s: file is open read-only",
                    f->path);
  return BN_OK;
}

bn_status_t bn_h5_name_exists(bn_h5_t *f, const char *name, int *exists) {
  size_t len = strlen(name);
  char *buf = NULL;
  bn_status_t st = bn_malloc(f->ctx, len + 1, &buf);
  if (st != BN_OK) return st;
  strcpy(buf, name);
  *exists = 1;
  /* H5Lexists fails (rather than answering "no") when an intermediate
   * group is missing, so test the path one component at a time. */
  for (size_t i = 1; i <= len && *exists; i++) {
    if (i < len && buf[i] != '/') continue;
    char saved = buf[i];
    buf[i] = '\0';
    if (strcmp(buf, "/") != 0 && buf[0] != '\0') {
      htri_t e = H5Lexists(f->file, buf, H5P_DEFAULT);
      if (e < 0) {
        st = BN_ERROR(f->ctx, BN_ERR_DATA, "%s: cannot look up '%s'", f->path,
                      buf);
        *exists = 0;
      } else {
        *exists = e > 0;
      }
    }
    buf[i] = saved;
  }
  /* A dangling soft link exists as a link but names no object. */
  if (st == BN_OK && *exists && strcmp(name, "/") != 0) {
    htri_t e = H5Oexists_by_name(f->file, name, H5P_DEFAULT);
    *exists = e > 0;
  }
  free(buf);
  return st;
}

bn_status_t bn_h5_open_object(bn_h5_t *f, const char *name, hid_t *obj) {
  int exists = 0;
  *obj = H5I_INVALID_HID;
  bn_status_t st = bn_h5_name_exists(f, name, &exists);
  if (st != BN_OK) return st;
  if (!exists)
    return BN_ERROR(f->ctx, BN_ERR_DATA, "%s: no object '%s'", f->path, name);
  *obj = H5Oopen(f->file, name, H5P_DEFAULT);
  if (*obj < 0)
    return BN_ERROR(f->ctx, BN_ERR_DATA, "%s: cannot open '%s'", f->path, name);
  return BN_OK;
}

bn_status_t bn_h5_open_dataset(bn_h5_t *f, const char *name, hid_t *dset) {
  int exists = 0;
  *dset = H5I_INVALID_HID;
  bn_status_t st = bn_h5_name_exists(f, name, &exists);
  if (st != BN_OK) return st;
  if (exists) *dset = H5Oopen(f->file, name, H5P_DEFAULT);
  if (*dset >= 0 && H5Iget_type(*dset) != H5I_DATASET) {
    H5Oclose(*dset);
    *dset = H5I_INVALID_HID;
  }
  if (*dset < 0)
    return BN_ERROR(f->ctx, BN_ERR_DATA, "%s: no dataset '%s'", f->path, name);
  return BN_OK;
}

bn_status_t bn_h5_exists(bn_h5_t *f, const char *name, int *exists) {
  if (!f) return BN_ERR_ARG;
  bn_status_t st = bn_h5_check_state(f, 0);
  if (st != BN_OK) return st;
  *exists = 0;
  st = bn_h5_name_exists(f, name, exists);
  return bn_agree(f->ctx, st);
}

bn_status_t bn_h5_shape(bn_h5_t *f, const char *name, int *ndims,
                        bn_idx_t dims[4]) {
  if (!f) return BN_ERR_ARG;
  bn_status_t st = bn_h5_check_state(f, 0);
  if (st != BN_OK) return st;
  hid_t dset = H5I_INVALID_HID, space = H5I_INVALID_HID;
  hsize_t d[H5S_MAX_RANK];
  *ndims = 0;
  BN_TRY(f->ctx, st, bn_h5_open_dataset(f, name, &dset));
  space = H5Dget_space(dset);
  int nd = space >= 0 ? H5Sget_simple_extent_dims(space, d, NULL) : -1;
  if (nd < 0 || nd > 4) {
    st = BN_ERROR(f->ctx, BN_ERR_DATA,
                  "%s: dataset '%s' is not an array of at most 4 dimensions",
                  f->path, name);
    goto cleanup;
  }
  *ndims = nd;
  for (int i = 0; i < nd; i++) dims[i] = (bn_idx_t)d[i];
cleanup:
  if (space >= 0) H5Sclose(space);
  if (dset >= 0) H5Dclose(dset);
  return bn_agree(f->ctx, st);
}

/* Agreed: create dataset NAME (which must not exist yet), making the
 * groups above it. Fill values are never written: every element is about
 * to be written anyway, and a fill pass would double the I/O. */
bn_status_t bn_h5_create_dataset(bn_h5_t *f, const char *name, hid_t filetype,
                                 int nd, const hsize_t *dims, hid_t *dset) {
  int exists = 0;
  hid_t lcpl = H5I_INVALID_HID, dcpl = H5I_INVALID_HID;
  hid_t space = H5I_INVALID_HID;
  bn_status_t st = bn_h5_name_exists(f, name, &exists);
  *dset = H5I_INVALID_HID;
  if (st == BN_OK && exists)
    st = BN_ERROR(f->ctx, BN_ERR_ARG, "%s: '%s' already exists", f->path, name);
  BN_TRY(f->ctx, st, bn_agree(f->ctx, st));
  lcpl = H5Pcreate(H5P_LINK_CREATE);
  dcpl = H5Pcreate(H5P_DATASET_CREATE);
  space = H5Screate_simple(nd, dims, NULL);
  if (lcpl >= 0 && dcpl >= 0 && space >= 0 &&
      H5Pset_create_intermediate_group(lcpl, 1) >= 0 &&
      H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER) >= 0)
    *dset = H5Dcreate2(f->file, name, filetype, space, lcpl, dcpl, H5P_DEFAULT);
  if (*dset < 0)
    st = BN_ERROR(f->ctx, BN_ERR_IO, "%s: cannot create dataset '%s'", f->path,
                  name);
  st = bn_agree(f->ctx, st);
cleanup:
  if (space >= 0) H5Sclose(space);
  if (dcpl >= 0) H5Pclose(dcpl);
  if (lcpl >= 0) H5Pclose(lcpl);
  return st;
}
