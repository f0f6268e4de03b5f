/* tool_scale FILE DATASET FACTOR [OFFSET]: multiply every element of a
 * float64 dataset by FACTOR (then add OFFSET) in place -- e.g. factor 0
 * turns a result's /U into the origin, a saddle of the low-rank problems
 * (tests/cli_certificate.sh); factor 0.01 offset 1 a kernel into a
 * near-constant one (tests/cli_plot_pictures.sh). */
#include <hdf5.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int scale(const char *path, const char *name, double c, double o) {
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
      for (hssize_t k = 0; k < n; k++) v[k] = v[k] * c + o;
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
  if (argc == 4 || argc == 5)
    rc = scale(argv[1], argv[2], atof(argv[3]), argc == 5 ? atof(argv[4]) : 0);
  else
    fprintf(stderr, "usage: tool_scale FILE DATASET FACTOR [OFFSET]\n");
  if (rc == 1)
    fprintf(stderr, "tool_scale: cannot scale %s in %s\n", argv[2], argv[1]);
  MPI_Finalize();
  return rc;
}
