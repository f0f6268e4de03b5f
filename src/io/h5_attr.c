/* HDF5 attributes: provenance on groups and datasets.
 *
 * Strings are stored as scalar variable-length UTF-8 strings, which h5py
 * reads as `str` and h5dump prints as text. Numbers are scalars of the
 * standard little-endian types. HDF5 metadata writes are collective, so
 * every rank writes the same value; reads happen on every rank. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/h5_internal.h"

/* A variable-length UTF-8 string type; H5I_INVALID_HID on failure. */
static hid_t vlen_utf8(void) {
  hid_t t = H5Tcopy(H5T_C_S1);
  if (t >= 0 &&
      (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0)) {
    H5Tclose(t);
    t = H5I_INVALID_HID;
  }
  return t;
}

/* Agreed: write (or replace) a scalar attribute. */
static bn_status_t attr_write(bn_h5_t *f, const char *obj, const char *name,
                              hid_t filetype, hid_t memtype,
                              const void *value) {
  if (!f) return BN_ERR_ARG;
  bn_ctx_t *ctx = f->ctx;
  hid_t o = H5I_INVALID_HID, space = H5I_INVALID_HID;
  hid_t a = H5I_INVALID_HID;
  bn_status_t st = bn_h5_check_state(f, 1);
  if (st != BN_OK) return st;
  BN_TRY(ctx, st, bn_agree(ctx, bn_h5_open_object(f, obj, &o)));
  /* Setting an attribute twice keeps the last value, like a dictionary. */
  herr_t rc = 0;
  htri_t had = H5Aexists(o, name);
  if (had > 0) rc = H5Adelete(o, name);
  space = H5Screate(H5S_SCALAR);
  if (had >= 0 && rc >= 0 && space >= 0)
    a = H5Acreate2(o, name, filetype, space, H5P_DEFAULT, H5P_DEFAULT);
  if (a < 0 || H5Awrite(a, memtype, value) < 0)
    st = BN_ERROR(ctx, BN_ERR_IO, "%s: cannot write attribute '%s' on '%s'",
                  f->path, name, obj);
  st = bn_agree(ctx, st);
cleanup:
  if (a >= 0) H5Aclose(a);
  if (space >= 0) H5Sclose(space);
  if (o >= 0) H5Oclose(o);
  return st;
}

bn_status_t bn_h5_attr_set_str(bn_h5_t *f, const char *obj, const char *name,
                               const char *value) {
  hid_t t = vlen_utf8();
  if (f && t < 0)
    return BN_ERROR(f->ctx, BN_ERR_LIB, "HDF5: cannot make a string type");
  bn_status_t st = attr_write(f, obj, name, t, t, &value);
  H5Tclose(t);
  return st;
}

bn_status_t bn_h5_attr_set_i64(bn_h5_t *f, const char *obj, const char *name,
                               int64_t value) {
  return attr_write(f, obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value);
}

bn_status_t bn_h5_attr_set_f64(bn_h5_t *f, const char *obj, const char *name,
                               double value) {
  return attr_write(f, obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}

/* Not agreed: open attribute NAME of object OBJ, checking that its type
 * class is one of `cls1`/`cls2` and that it holds one value. */
static bn_status_t attr_open(bn_h5_t *f, const char *obj, const char *name,
                             H5T_class_t cls1, H5T_class_t cls2, hid_t *o,
                             hid_t *a) {
  bn_status_t st = bn_h5_open_object(f, obj, o);
  *a = H5I_INVALID_HID;
  if (st != BN_OK) return st;
  if (H5Aexists(*o, name) <= 0)
    return BN_ERROR(f->ctx, BN_ERR_DATA, "%s: '%s' has no attribute '%s'",
                    f->path, obj, name);
  *a = H5Aopen(*o, name, H5P_DEFAULT);
  hid_t type = *a >= 0 ? H5Aget_type(*a) : H5I_INVALID_HID;
  hid_t space = *a >= 0 ? H5Aget_space(*a) : H5I_INVALID_HID;
  H5T_class_t cls = type >= 0 ? H5Tget_class(type) : H5T_NO_CLASS;
  hssize_t n = space >= 0 ? H5Sget_simple_extent_npoints(space) : -1;
  if (*a < 0)
    st = BN_ERROR(f->ctx, BN_ERR_DATA,
                  "%s: cannot open attribute '%s' of "
                  "'%s'",
                  f->path, name, obj);
  else if ((cls != cls1 && cls != cls2) || n != 1)
    st = BN_ERROR(f->ctx, BN_ERR_DATA,
                  "%s: attribute '%s' of '%s' is not "
                  "a single %s",
                  f->path, name, obj,
                  cls1 == H5T_STRING    ? "string"
                  : cls2 == H5T_INTEGER ? "integer"
                                        : "number");
  if (space >= 0) H5Sclose(space);
  if (type >= 0) H5Tclose(type);
  return st;
}

/* Agreed: read a one-value numeric attribute converted to memtype. */
static bn_status_t attr_read_num(bn_h5_t *f, const char *obj, const char *name,
                                 H5T_class_t cls2, hid_t memtype, void *value) {
  if (!f) return BN_ERR_ARG;
  hid_t o = H5I_INVALID_HID, a = H5I_INVALID_HID;
  bn_status_t st = bn_h5_check_state(f, 0);
  if (st != BN_OK) return st;
  st = attr_open(f, obj, name, H5T_INTEGER, cls2, &o, &a);
  /* An unsigned integer past INT64_MAX would be clamped by the conversion
   * (and quoted wrong): read it as stored and refuse it. */
  hid_t ft = st == BN_OK ? H5Aget_type(a) : H5I_INVALID_HID;
  if (st == BN_OK && memtype == H5T_NATIVE_INT64 && ft >= 0 &&
      H5Tget_class(ft) == H5T_INTEGER && H5Tget_sign(ft) == H5T_SGN_NONE &&
      H5Tget_size(ft) >= 8) {
    uint64_t u = 0;
    if (H5Aread(a, H5T_NATIVE_UINT64, &u) >= 0 && u > (uint64_t)INT64_MAX)
      st = BN_ERROR(f->ctx, BN_ERR_DATA,
                    "%s: attribute '%s' of '%s' is %llu, beyond the largest "
                    "size benign handles (2^63 - 1)",
                    f->path, name, obj, (unsigned long long)u);
  }
  if (ft >= 0) H5Tclose(ft);
  if (st == BN_OK && H5Aread(a, memtype, value) < 0)
    st = BN_ERROR(f->ctx, BN_ERR_DATA,
                  "%s: cannot read attribute '%s' of "
                  "'%s'",
                  f->path, name, obj);
  if (a >= 0) H5Aclose(a);
  if (o >= 0) H5Oclose(o);
  return bn_agree(f->ctx, st);
}

bn_status_t bn_h5_attr_get_i64(bn_h5_t *f, const char *obj, const char *name,
                               int64_t *value) {
  /* Integers only: a float attribute read as an integer would truncate. */
  return attr_read_num(f, obj, name, H5T_INTEGER, H5T_NATIVE_INT64, value);
}

bn_status_t bn_h5_attr_get_f64(bn_h5_t *f, const char *obj, const char *name,
                               double *value) {
  return attr_read_num(f, obj, name, H5T_FLOAT, H5T_NATIVE_DOUBLE, value);
}

/* Shared with bn_h5_describe, which reads attributes of foreign files. */
bn_status_t bn_h5_attr_string(bn_ctx_t *ctx, hid_t a, char **value) {
  bn_status_t st = BN_OK;
  hid_t ftype = H5Aget_type(a), mtype = H5Tcopy(H5T_C_S1);
  htri_t vlen = ftype >= 0 ? H5Tis_variable_str(ftype) : -1;
  size_t size = ftype >= 0 ? H5Tget_size(ftype) : 0;
  herr_t rc = ftype >= 0 && mtype >= 0 && vlen >= 0 ? 0 : -1;
  if (rc >= 0) rc = H5Tset_cset(mtype, H5Tget_cset(ftype));
  if (rc >= 0 && vlen > 0) {
    char *s = NULL;
    rc = H5Tset_size(mtype, H5T_VARIABLE);
    if (rc >= 0) rc = H5Aread(a, mtype, &s);
    if (rc >= 0) st = bn_malloc(ctx, strlen(s ? s : "") + 1, value);
    if (rc >= 0 && st == BN_OK) strcpy(*value, s ? s : "");
    if (s) H5free_memory(s);
  } else if (rc >= 0) {
    /* One more byte than stored, so a space- or null-padded value of the
     * full width still gets its terminator. */
    rc = H5Tset_size(mtype, size + 1);
    if (rc >= 0) rc = H5Tset_strpad(mtype, H5T_STR_NULLTERM);
    if (rc >= 0) st = bn_calloc(ctx, size + 1, 1, value);
    if (rc >= 0 && st == BN_OK) rc = H5Aread(a, mtype, *value);
  }
  if (rc < 0 && st == BN_OK) st = BN_ERR_DATA;
  if (mtype >= 0) H5Tclose(mtype);
  if (ftype >= 0) H5Tclose(ftype);
  return st;
}

bn_status_t bn_h5_attr_get_str(bn_h5_t *f, const char *obj, const char *name,
                               char **value) {
  if (!f) return BN_ERR_ARG;
  hid_t o = H5I_INVALID_HID, a = H5I_INVALID_HID;
  bn_status_t st = bn_h5_check_state(f, 0);
  *value = NULL;
  if (st != BN_OK) return st;
  st = attr_open(f, obj, name, H5T_STRING, H5T_STRING, &o, &a);
  if (st == BN_OK && bn_h5_attr_string(f->ctx, a, value) != BN_OK)
    st = BN_ERROR(f->ctx, BN_ERR_DATA,
                  "%s: cannot read attribute '%s' of "
                  "'%s'",
                  f->path, name, obj);
  if (a >= 0) H5Aclose(a);
  if (o >= 0) H5Oclose(o);
  st = bn_agree(f->ctx, st);
  if (st != BN_OK) {
    free(*value);
    *value = NULL;
  }
  return st;
}

bn_status_t bn_h5_attr_exists(bn_h5_t *f, const char *obj, const char *name,
                              int *exists) {
  if (!f) return BN_ERR_ARG;
  *exists = 0;
  bn_status_t st = bn_h5_check_state(f, 0);
  if (st != BN_OK) return st;
  int has = 0;
  st = bn_h5_name_exists(f, obj, &has);
  if (st == BN_OK && has) {
    hid_t o = H5Oopen(f->file, obj, H5P_DEFAULT);
    *exists = o >= 0 && H5Aexists(o, name) > 0;
    if (o >= 0) H5Oclose(o);
  }
  return bn_agree(f->ctx, st);
}
