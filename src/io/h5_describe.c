/* bn_h5_describe: print the tree of any HDF5 file.
 *
 * Rank 0 alone opens the file with HDF5's default (serial) driver: this is
 * a small metadata walk, and it also has to work on files that benign did
 * not write. Every group and dataset is one line with its full path, so the
 * output can be searched with grep; attributes follow, indented, a
 * dataset's notes (description, rows_are, cols_are) first:
 *
 *   /omega  group
 *     @rows = 2000
 *   /omega/row  [300000]  int64
 *     @description = "One row index (0-based) per entry, ..."
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benign/paths.h"
#include "io/h5_internal.h"

typedef struct walk {
  bn_ctx_t *ctx;
  FILE *out;
} walk_t;

void bn_h5_type_name(hid_t type, char *buf, size_t size) {
  static const struct {
    H5T_class_t cls;
    const char *name;
  } other[] = {{H5T_COMPOUND, "compound"},
               {H5T_ENUM, "enum"},
               {H5T_ARRAY, "array"},
               {H5T_VLEN, "vlen"},
               {H5T_REFERENCE, "reference"}};
  size_t bits = 8 * H5Tget_size(type);
  H5T_class_t cls = H5Tget_class(type);
  if (cls == H5T_INTEGER) {
    const char *u = H5Tget_sign(type) == H5T_SGN_NONE ? "u" : "";
    snprintf(buf, size, "%sint%zu", u, bits);
  } else if (cls == H5T_FLOAT) {
    snprintf(buf, size, "float%zu", bits);
  } else if (cls == H5T_STRING && H5Tis_variable_str(type) > 0) {
    snprintf(buf, size, "string");
  } else if (cls == H5T_STRING) {
    snprintf(buf, size, "string[%zu]", bits / 8);
  } else {
    snprintf(buf, size, "other");
    for (size_t k = 0; k < sizeof other / sizeof *other; k++)
      if (other[k].cls == cls) snprintf(buf, size, "%s", other[k].name);
  }
}

void bn_h5_space_text(hid_t space, char *buf, size_t size) {
  hsize_t dims[H5S_MAX_RANK];
  H5S_class_t cls = H5Sget_simple_extent_type(space);
  if (cls == H5S_SCALAR) {
    snprintf(buf, size, "scalar");
    return;
  }
  int nd =
      cls == H5S_SIMPLE ? H5Sget_simple_extent_dims(space, dims, NULL) : -1;
  if (nd < 0) {
    snprintf(buf, size, "empty");
    return;
  }
  size_t used = (size_t)snprintf(buf, size, "[");
  for (int i = 0; i < nd && used < size; i++)
    used += (size_t)snprintf(buf + used, size - used, "%s%llu", i ? " x " : "",
                             (unsigned long long)dims[i]);
  if (used < size) snprintf(buf + used, size - used, "]");
}

/* Strings are quoted, with newlines and quotes escaped, so that a long
 * options dump stays on one line. */
static void print_quoted(FILE *out, const char *s) {
  fputc('"', out);
  for (; *s; s++) {
    if (*s == '\n')
      fputs("\\n", out);
    else if (*s == '"' || *s == '\\')
      fprintf(out, "\\%c", *s);
    else
      fputc(*s, out);
  }
  fputc('"', out);
}

/* Shortest of %.15g / %.17g that reads back exactly. */
static void print_double(FILE *out, double v) {
  char buf[40];
  snprintf(buf, sizeof buf, "%.15g", v);
  if (strtod(buf, NULL) != v) snprintf(buf, sizeof buf, "%.17g", v);
  fputs(buf, out);
}

/* One value is shown; anything larger by its shape and type. */
static void print_attr_value(walk_t *w, hid_t a, hid_t type, hid_t space) {
  char tname[32], shape[96];
  hssize_t n = H5Sget_simple_extent_npoints(space);
  H5S_class_t scls = H5Sget_simple_extent_type(space);
  H5T_class_t cls = H5Tget_class(type);
  bn_h5_type_name(type, tname, sizeof tname);
  if (n != 1 || scls == H5S_NULL) {
    bn_h5_space_text(space, shape, sizeof shape);
    fprintf(w->out, "%s %s", shape, tname);
  } else if (cls == H5T_INTEGER && H5Tget_sign(type) == H5T_SGN_NONE) {
    unsigned long long v = 0;
    if (H5Aread(a, H5T_NATIVE_ULLONG, &v) >= 0) fprintf(w->out, "%llu", v);
  } else if (cls == H5T_INTEGER) {
    long long v = 0;
    if (H5Aread(a, H5T_NATIVE_LLONG, &v) >= 0) fprintf(w->out, "%lld", v);
  } else if (cls == H5T_FLOAT) {
    double v = 0;
    if (H5Aread(a, H5T_NATIVE_DOUBLE, &v) >= 0) print_double(w->out, v);
  } else if (cls == H5T_STRING) {
    char *s = NULL;
    if (bn_h5_attr_string(w->ctx, a, &s) == BN_OK)
      print_quoted(w->out, s);
    else
      fputs("(unreadable string)", w->out);
    free(s);
  } else {
    fprintf(w->out, "(%s)", tname);
  }
}

/* The notes of a dataset (h5_notes.c) come first, in this order. */
static const char *const notes[] = {"description", "rows_are", "cols_are"};

static herr_t attr_cb(hid_t obj, const char *name, const H5A_info_t *info,
                      void *data) {
  walk_t *w = data;
  for (size_t k = 0; info && k < sizeof notes / sizeof *notes; k++)
    if (!strcmp(name, notes[k])) return 0; /* printed already */
  hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
  hid_t type = a >= 0 ? H5Aget_type(a) : H5I_INVALID_HID;
  hid_t space = a >= 0 ? H5Aget_space(a) : H5I_INVALID_HID;
  fprintf(w->out, "  @%s = ", name);
  if (type >= 0 && space >= 0)
    print_attr_value(w, a, type, space);
  else
    fputs("(unreadable)", w->out);
  fputc('\n', w->out);
  if (space >= 0) H5Sclose(space);
  if (type >= 0) H5Tclose(type);
  if (a >= 0) H5Aclose(a);
  return 0; /* keep going: one odd attribute should not hide the rest */
}

/* One line for the object at `name` (relative to `loc`), then its
 * attributes. */
static void print_object(walk_t *w, hid_t loc, const char *name,
                         const char *full) {
  hid_t o = H5Oopen(loc, name, H5P_DEFAULT);
  if (o < 0) {
    fprintf(w->out, "%s  (unreadable)\n", full);
    return;
  }
  H5I_type_t kind = H5Iget_type(o);
  if (kind == H5I_GROUP) {
    fprintf(w->out, "%s  group\n", full);
  } else if (kind == H5I_DATASET) {
    char tname[32], shape[96];
    hid_t type = H5Dget_type(o), space = H5Dget_space(o);
    if (type >= 0) bn_h5_type_name(type, tname, sizeof tname);
    if (space >= 0) bn_h5_space_text(space, shape, sizeof shape);
    fprintf(w->out, "%s  %s  %s\n", full, space >= 0 ? shape : "?",
            type >= 0 ? tname : "?");
    if (space >= 0) H5Sclose(space);
    if (type >= 0) H5Tclose(type);
  } else {
    fprintf(w->out, "%s  datatype\n", full);
  }
  for (size_t k = 0; k < sizeof notes / sizeof *notes; k++)
    if (H5Aexists(o, notes[k]) > 0) attr_cb(o, notes[k], NULL, w);
  H5Aiterate2(o, H5_INDEX_NAME, H5_ITER_INC, NULL, attr_cb, w);
  H5Oclose(o);
}

static herr_t link_cb(hid_t group, const char *name, const H5L_info_t *info,
                      void *data) {
  walk_t *w = data;
  size_t len = strlen(name) + 2;
  char *full = malloc(len);
  if (!full) return -1;
  snprintf(full, len, "/%s", name);
  if (info->type == H5L_TYPE_HARD) {
    print_object(w, group, name, full);
  } else if (info->type == H5L_TYPE_SOFT) {
    char target[512] = "?";
    size_t n =
        info->u.val_size < sizeof target ? info->u.val_size : sizeof target;
    if (H5Lget_val(group, name, target, n, H5P_DEFAULT) < 0)
      strcpy(target, "?");
    target[sizeof target - 1] = '\0';
    fprintf(w->out, "%s  -> %s\n", full, target);
  } else {
    fprintf(w->out, "%s  (external link)\n", full);
  }
  free(full);
  return 0;
}

/* Rank 0 only; not agreed. */
static bn_status_t describe_file(bn_ctx_t *ctx, const char *path, FILE *out) {
  walk_t w = {ctx, out};
  BN_CALL(ctx, bn_path_readable(ctx, path));
  if (H5Fis_hdf5(path) <= 0)
    return BN_ERROR(ctx, BN_ERR_DATA, "'%s' is not an HDF5 file", path);
  hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0)
    return BN_ERROR(ctx, BN_ERR_IO, "cannot open '%s' with HDF5", path);
  bn_status_t st = BN_OK;
  fprintf(out, "%s\n", path);
  print_object(&w, file, "/", "/");
  if (H5Lvisit(file, H5_INDEX_NAME, H5_ITER_INC, link_cb, &w) < 0)
    st = BN_ERROR(ctx, BN_ERR_DATA, "%s: cannot walk the file's groups", path);
  fflush(out);
  H5Fclose(file);
  return st;
}

bn_status_t bn_h5_describe(bn_ctx_t *ctx, const char *path, FILE *stream) {
  bn_status_t st = BN_OK;
  if (!path) return BN_ERROR(ctx, BN_ERR_ARG, "bn_h5_describe: no path");
  if (bn_ctx_rank(ctx) == 0) {
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* one message: ours */
    st = stream ? describe_file(ctx, path, stream)
                : BN_ERROR(ctx, BN_ERR_ARG, "bn_h5_describe: no stream");
  }
  return bn_agree(ctx, st);
}
