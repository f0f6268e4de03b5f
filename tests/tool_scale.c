/* tool_scale FILE DATASET FACTOR: multiply every element of a float64
 * dataset by FACTOR in place -- e.g. factor 0 turns a result's /U into the
 * origin, a saddle of the low-rank problems (tests/cli_certificate.sh). */
#include <hdf5.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int scale(const char *path, const char *name, double c) {
  hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
  if (f < 0) return 1;
  int rc = 1;
  hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
  if (d >= 0) {
    hid_t fs = H5Dget_space(d);
    hssize_t n = H5Sget_simple_extent_npoints(fs);
    double *v = n > 0 ? malloc((size_t)n * sizeof(double)) : NULL;
    if (v &&
        H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0) {
      for (hssize_t k = 0; k < n; k++) v[k] *= c;
      if (H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0)
        rc = 0;
    }
    free(v);
    H5Sclose(fs);
    H5Dclose(d);
  }
  H5Fclose(f);
  return rc;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rc = 2;
  if (argc == 4)
    rc = scale(argv[1], argv[2], atof(argv[3]));
  else
    fprintf(stderr, "usage: tool_scale FILE DATASET FACTOR\n");
  if (rc == 1)
    fprintf(stderr, "tool_scale: cannot scale %s in %s\n", argv[2], argv[1]);
  MPI_Finalize();
  return rc;
}
