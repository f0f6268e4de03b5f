/* benign -- the LAPACK routines benign calls, by their Fortran names.
 * LAPACK is column-major; callers transpose row-major data as needed.
 * CHARACTER arguments carry a hidden length (gfortran ABI: size_t, after
 * all other arguments); passing it is harmless for C implementations. */
#ifndef BENIGN_LINALG_LAPACK_DECL_H
#define BENIGN_LINALG_LAPACK_DECL_H

#include <stddef.h>

void dpotrf_(const char *uplo, const int *n, double *a, const int *lda,
             int *info, size_t uplo_len);
void dpotri_(const char *uplo, const int *n, double *a, const int *lda,
             int *info, size_t uplo_len);
void dpotrs_(const char *uplo, const int *n, const int *nrhs, const double *a,
             const int *lda, double *b, const int *ldb, int *info,
             size_t uplo_len);
void dgesvd_(const char *jobu, const char *jobvt, const int *m, const int *n,
             double *a, const int *lda, double *s, double *u, const int *ldu,
             double *vt, const int *ldvt, double *work, const int *lwork,
             int *info, size_t jobu_len, size_t jobvt_len);
void dsyev_(const char *jobz, const char *uplo, const int *n, double *a,
            const int *lda, double *w, double *work, const int *lwork,
            int *info, size_t jobz_len, size_t uplo_len);
void dstev_(const char *jobz, const int *n, double *d, double *e, double *z,
            const int *ldz, double *work, int *info, size_t jobz_len);

#endif
