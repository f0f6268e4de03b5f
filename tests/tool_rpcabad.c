/* tool_rpcabad KIND OUT.h5 -- write a deliberately bad robust PCA input
 * for tests/cli_rpca.sh with the plain HDF5 API. Run with one process.
 *
 *   nan   a 12 x 9 /M with M[7][3] = NaN
 *   3d    a 4 x 3 x 2 /M (three dimensions) */
#include <hdf5.h>
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rc = 1;
  if (argc != 3 || (strcmp(argv[1], "nan") && strcmp(argv[1], "3d"))) {
    fprintf(stderr, "usage: tool_rpcabad nan|3d OUT.h5\n");
  } else {
    int three = !strcmp(argv[1], "3d");
    hsize_t dims[3] = {three ? 4 : 12, three ? 3 : 9, 2};
    double buf[12 * 9];
    for (int k = 0; k < 12 * 9; k++) buf[k] = sin(k + 1.0);
    if (!three) buf[7 * 9 + 3] = NAN;
    hid_t f = H5Fcreate(argv[2], H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t sp = H5Screate_simple(three ? 3 : 2, dims, NULL);
    hid_t d = H5Dcreate2(f, "/M", H5T_NATIVE_DOUBLE, sp, H5P_DEFAULT,
                         H5P_DEFAULT, H5P_DEFAULT);
    if (d >= 0 &&
        H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0)
      rc = 0;
    if (d >= 0) H5Dclose(d);
    H5Sclose(sp);
    H5Fclose(f);
  }
  MPI_Finalize();
  return rc;
}
