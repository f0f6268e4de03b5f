/* tool_phasesaddle -- saddle-escape instances for real phase retrieval
 * (tests/cli_phase_escape.sh). Serial HDF5, one process.
 *
 *   tool_phasesaddle mirror INPUT.h5
 *     Make the instance symmetric about the hyperplane x_1 = 0: x_true
 *     becomes |x_true| e_1, the second half of the rows of /A become the
 *     first half with the first coordinate negated, and /y = (A x_true)^2.
 *     Then the gradient of the intensity loss keeps x_1 = 0 exactly: for
 *     z with z_1 = 0 a row and its mirror give the same a^T z and the same
 *     y, and their contributions to the first gradient entry cancel in
 *     pairs, so x_1 = 0 is invariant under gradient descent.
 *
 *   tool_phasesaddle start RESULT.h5 RADIUS
 *     Replace /x of a result by its part orthogonal to e_1 scaled to
 *     length RADIUS: x = 0 plus a tiny perturbation orthogonal to x_true. */
#include <hdf5.h>
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double *read_all(hid_t f, const char *name, hsize_t *dims, int *nd) {
  hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
  if (d < 0) return NULL;
  hid_t s = H5Dget_space(d);
  *nd = H5Sget_simple_extent_dims(s, dims, NULL);
  hssize_t n = H5Sget_simple_extent_npoints(s);
  double *v = malloc((size_t)(n > 0 ? n : 1) * sizeof(double));
  if (v &&
      H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0) {
    free(v);
    v = NULL;
  }
  H5Sclose(s);
  H5Dclose(d);
  return v;
}

static int write_all(hid_t f, const char *name, const double *v) {
  hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
  if (d < 0) return 1;
  int rc = H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0;
  H5Dclose(d);
  return rc;
}

static int mirror(hid_t f) {
  hsize_t da[4], dx[4], dy[4];
  int na, nx, ny;
  double *a = read_all(f, "/A", da, &na), *x = read_all(f, "/x_true", dx, &nx),
         *y = read_all(f, "/y", dy, &ny);
  int rc = 1;
  if (a && x && y && na == 2 && nx == 1 && dx[0] == da[1] && dy[0] == da[0] &&
      da[0] % 2 == 0) {
    size_t m = da[0], n = da[1], h = m / 2;
    double nrm = 0;
    for (size_t j = 0; j < n; j++) nrm += x[j] * x[j];
    memset(x, 0, n * sizeof(double));
    x[0] = sqrt(nrm);
    for (size_t i = 0; i < h; i++) {
      memcpy(a + (h + i) * n, a + i * n, n * sizeof(double));
      a[(h + i) * n] = -a[i * n];
    }
    for (size_t i = 0; i < m; i++) y[i] = a[i * n] * x[0] * a[i * n] * x[0];
    rc = write_all(f, "/A", a) || write_all(f, "/x_true", x) ||
         write_all(f, "/y", y);
  }
  free(a);
  free(x);
  free(y);
  return rc;
}

static int start(hid_t f, double radius) {
  hsize_t dx[4];
  int nx;
  double *x = read_all(f, "/x", dx, &nx);
  int rc = 1;
  if (x && nx == 1 && dx[0] > 1) {
    double nrm = 0;
    x[0] = 0;
    for (hsize_t j = 1; j < dx[0]; j++) nrm += x[j] * x[j];
    for (hsize_t j = 1; j < dx[0]; j++) x[j] *= radius / sqrt(nrm);
    rc = write_all(f, "/x", x);
  }
  free(x);
  return rc;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rc = 2;
  if (argc >= 3 && (!strcmp(argv[1], "mirror") || !strcmp(argv[1], "start"))) {
    hid_t f = H5Fopen(argv[2], H5F_ACC_RDWR, H5P_DEFAULT);
    rc = f < 0                        ? 1
         : !strcmp(argv[1], "mirror") ? mirror(f)
         : argc == 4                  ? start(f, atof(argv[3]))
                                      : 2;
    if (f >= 0) H5Fclose(f);
  }
  if (rc == 2)
    fprintf(stderr,
            "usage: tool_phasesaddle mirror IN.h5 | start RESULT.h5 RADIUS\n");
  else if (rc)
    fprintf(stderr, "tool_phasesaddle: cannot rewrite %s\n", argv[2]);
  MPI_Finalize();
  return rc;
}
