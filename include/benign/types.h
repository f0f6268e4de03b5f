/* benign -- basic types shared by every layer. */
#ifndef BENIGN_TYPES_H
#define BENIGN_TYPES_H

#include <mpi.h>
#include <stdint.h>

/* Global indices (rows, columns, entries) are 64-bit. The MPI datatype is
 * declared beside the C type so the two never drift apart. */
typedef int64_t bn_idx_t;
#define BN_IDX_MPI MPI_INT64_T

/* Status codes returned by every library function that can fail. */
typedef enum bn_status {
  BN_OK = 0,
  BN_ERR_ARG = 1,    /* bad argument or option value                 */
  BN_ERR_IO = 2,     /* file missing, unreadable or unwritable        */
  BN_ERR_DATA = 3,   /* input data malformed or inconsistent          */
  BN_ERR_MEM = 4,    /* out of memory                                 */
  BN_ERR_MPI = 5,    /* MPI failure                                   */
  BN_ERR_LIB = 6,    /* failure inside LAPACK, ScaLAPACK, HDF5, FFTW  */
  BN_ERR_STATE = 7,  /* object used in the wrong state                */
  BN_ERR_NUM = 8,    /* numerical breakdown (NaN, singular system)    */
  BN_INTERRUPTED = 9 /* stopped by SIGTERM/SIGUSR1 (exit status 75)  */
} bn_status_t;

typedef struct bn_ctx bn_ctx_t;

#endif
