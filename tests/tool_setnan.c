/* tool_setnan FILE DATASET INDEX [VALUE]: set element INDEX (row-major,
 * any rank) of a float64 dataset to NaN (or VALUE: a number, "inf") in
 * place -- to make inputs with a NaN measurement for the bad-input tests
 * (tests/cli_sense.sh) and damaged checkpoints (tests/cli_ckpt_damage.sh). */
#include <hdf5.h>
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int set_nan(const char *path, const char *name, long long index,
                   double v) {
  hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
  if (f < 0) return 1;
  int rc = 1;
  hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
  if (d >= 0) {
    hid_t fs = H5Dget_space(d);
    /* INDEX counts elements in row-major order, any rank of dataset. */
    int nd = H5Sget_simple_extent_ndims(fs);
    hsize_t dims[8] = {0}, at[8] = {0}, one[1] = {1};
    if (nd < 1 || nd > 8) nd = 1;
    H5Sget_simple_extent_dims(fs, dims, NULL);
    for (int k = nd - 1; k >= 0; k--) {
      hsize_t dk = dims[k] ? dims[k] : 1;
      at[k] = (hsize_t)index % dk;
      index /= (long long)dk;
    }
    hid_t ms = H5Screate_simple(1, one, NULL);
    if (H5Sselect_elements(fs, H5S_SELECT_SET, 1, at) >= 0 &&
        H5Dwrite(d, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, &v) >= 0)
      rc = 0;
    H5Sclose(ms);
    H5Sclose(fs);
    H5Dclose(d);
  }
  H5Fclose(f);
  return rc;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rc = 2;
  if (argc != 4 && argc != 5)
    fprintf(stderr, "usage: tool_setnan FILE DATASET INDEX [VALUE]\n");
  else
    rc = set_nan(argv[1], argv[2], atoll(argv[3]),
                 argc == 5 ? strtod(argv[4], NULL) : NAN);
  if (rc == 1) fprintf(stderr, "tool_setnan: cannot write %s\n", argv[2]);
  MPI_Finalize();
  return rc;
}
