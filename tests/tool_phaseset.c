/* tool_phaseset FILE DATASET INDEX VALUE: set element INDEX of a 1-D
 * float64 dataset to VALUE in place -- to make phase retrieval inputs with
 * a negative intensity for the bad-input tests (tests/cli_phase.sh). */
#include <hdf5.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int set_value(const char *path, const char *name, long long index,
                     double v) {
  hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
  if (f < 0) return 1;
  int rc = 1;
  hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
  if (d >= 0) {
    hid_t fs = H5Dget_space(d);
    hsize_t at[1] = {(hsize_t)index}, one[1] = {1};
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
  if (argc == 5)
    rc = set_value(argv[1], argv[2], atoll(argv[3]), atof(argv[4]));
  else
    fprintf(stderr, "usage: tool_phaseset FILE DATASET INDEX VALUE\n");
  if (rc == 1) fprintf(stderr, "tool_phaseset: cannot write %s\n", argv[1]);
  MPI_Finalize();
  return rc;
}
