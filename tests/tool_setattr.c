/* tool_setattr FILE OBJECT NAME VALUE: replace (or add) a string attribute
 * of an HDF5 file in place -- to make a checkpoint that claims another
 * problem or format for the restart tests. VALUE i64:N or u64:N writes a
 * signed or unsigned 64-bit integer instead (sizes past the int64 range,
 * tests/cli_sizes.sh). */
#include <hdf5.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int set_attr(const char *path, const char *obj, const char *name,
                    const char *value) {
  hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
  if (f < 0) return 1;
  hid_t o = H5Oopen(f, obj, H5P_DEFAULT);
  int rc = 1;
  if (o >= 0) {
    if (H5Aexists(o, name) > 0) H5Adelete(o, name);
    int num = !strncmp(value, "i64:", 4) || !strncmp(value, "u64:", 4);
    hid_t t = num ? H5Tcopy(value[0] == 'i' ? H5T_STD_I64LE : H5T_STD_U64LE)
                  : H5Tcopy(H5T_C_S1);
    hid_t sp = H5Screate(H5S_SCALAR);
    if (!num) H5Tset_size(t, strlen(value) + 1);
    hid_t a = H5Acreate2(o, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
    long long i = strtoll(value + 4, NULL, 10);
    unsigned long long u = strtoull(value + 4, NULL, 10);
    const void *buf = !num              ? (const void *)value
                      : value[0] == 'i' ? (const void *)&i
                                        : (const void *)&u;
    hid_t mt = !num              ? t
               : value[0] == 'i' ? H5T_NATIVE_LLONG
                                 : H5T_NATIVE_ULLONG;
    if (a >= 0 && H5Awrite(a, mt, buf) >= 0) rc = 0;
    if (a >= 0) H5Aclose(a);
    H5Sclose(sp);
    H5Tclose(t);
    H5Oclose(o);
  }
  H5Fclose(f);
  return rc;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rc = 2;
  if (argc != 5)
    fprintf(stderr, "usage: tool_setattr FILE OBJECT NAME VALUE\n");
  else
    rc = set_attr(argv[1], argv[2], argv[3], argv[4]);
  if (rc == 1) fprintf(stderr, "tool_setattr: cannot set %s\n", argv[3]);
  MPI_Finalize();
  return rc;
}
