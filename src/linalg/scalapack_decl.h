/* benign -- the BLACS and ScaLAPACK entry points benign uses. ScaLAPACK
 * ships no C header: these are the Fortran (trailing underscore, every
 * argument by pointer, 32-bit INTEGER) and C BLACS interfaces. Routines
 * with CHARACTER arguments (the eigen- and singular-value drivers) take the
 * hidden string lengths last, as size_t (gfortran >= 8). */
#ifndef BENIGN_LINALG_SCALAPACK_DECL_H
#define BENIGN_LINALG_SCALAPACK_DECL_H

#include <mpi.h>
#include <stddef.h>

/* BLACS (C interface). */
int Csys2blacs_handle(MPI_Comm comm);
void Cfree_blacs_system_handle(int handle);
void Cblacs_get(int ictxt, int what, int *val);
void Cblacs_gridinit(int *ictxt, const char *order, int nprow, int npcol);
void Cblacs_gridinfo(int ictxt, int *nprow, int *npcol, int *myrow, int *mycol);
void Cblacs_gridexit(int ictxt);

/* Tools. */
int numroc_(const int *n, const int *nb, const int *iproc, const int *isrcproc,
            const int *nprocs);
void descinit_(int *desc, const int *m, const int *n, const int *mb,
               const int *nb, const int *irsrc, const int *icsrc,
               const int *ictxt, const int *lld, int *info);

/* Redistribution between any two block-cyclic layouts; ictxt must contain
 * every process of both grids. */
void pdgemr2d_(const int *m, const int *n, const double *a, const int *ia,
               const int *ja, const int *desca, double *b, const int *ib,
               const int *jb, const int *descb, const int *ictxt);

/* QR factorisation and explicit Q. */
void pdgeqrf_(const int *m, const int *n, double *a, const int *ia,
              const int *ja, const int *desca, double *tau, double *work,
              const int *lwork, int *info);
void pdorgqr_(const int *m, const int *n, const int *k, double *a,
              const int *ia, const int *ja, const int *desca, const double *tau,
              double *work, const int *lwork, int *info);

/* Symmetric eigendecomposition (divide and conquer): eigenvalues w
 * ascending, eigenvectors in z; mb = nb, same context for a and z. */
void pdsyevd_(const char *jobz, const char *uplo, const int *n, double *a,
              const int *ia, const int *ja, const int *desca, double *w,
              double *z, const int *iz, const int *jz, const int *descz,
              double *work, const int *lwork, int *iwork, const int *liwork,
              int *info, size_t jobz_len, size_t uplo_len);
/* Singular value decomposition A = U diag(s) VT, s descending. */
void pdgesvd_(const char *jobu, const char *jobvt, const int *m, const int *n,
              double *a, const int *ia, const int *ja, const int *desca,
              double *s, double *u, const int *iu, const int *ju,
              const int *descu, double *vt, const int *ivt, const int *jvt,
              const int *descvt, double *work, const int *lwork, int *info,
              size_t jobu_len, size_t jobvt_len);

/* Descriptor fields (0-based positions in the 9-integer array). */
enum {
  BN_DESC_DTYPE = 0,
  BN_DESC_CTXT = 1,
  BN_DESC_M = 2,
  BN_DESC_N = 3,
  BN_DESC_MB = 4,
  BN_DESC_NB = 5,
  BN_DESC_RSRC = 6,
  BN_DESC_CSRC = 7,
  BN_DESC_LLD = 8
};

#endif
