# Finds every external dependency and wraps them in one interface target,
# benign_deps. A missing dependency stops configuration with the Debian
# package that provides it.

function(bn_require found what package)
  if(NOT ${found})
    message(FATAL_ERROR
      "benign: ${what} not found. On Debian 12 install it with:\n"
      "    sudo apt-get install ${package}\n"
      "or run scripts/setup.sh, which installs every dependency.")
  endif()
endfunction()

find_package(MPI COMPONENTS C QUIET)
bn_require(MPI_C_FOUND "MPI (Open MPI)" "libopenmpi-dev openmpi-bin")

# Parallel HDF5: Debian installs the Open MPI flavour beside the serial one.
set(HDF5_PREFER_PARALLEL TRUE)
find_path(BN_HDF5_INCLUDE hdf5.h
  PATHS /usr/include/hdf5/openmpi NO_DEFAULT_PATH)
find_library(BN_HDF5_LIB NAMES hdf5_openmpi
  PATHS /usr/lib/x86_64-linux-gnu/hdf5/openmpi /usr/lib/x86_64-linux-gnu)
if(NOT BN_HDF5_INCLUDE OR NOT BN_HDF5_LIB)
  find_package(HDF5 COMPONENTS C QUIET)
  if(HDF5_FOUND AND HDF5_IS_PARALLEL)
    set(BN_HDF5_INCLUDE ${HDF5_INCLUDE_DIRS})
    set(BN_HDF5_LIB ${HDF5_C_LIBRARIES})
  endif()
endif()
if(BN_HDF5_INCLUDE AND BN_HDF5_LIB)
  set(BN_HDF5_FOUND TRUE)
endif()
bn_require(BN_HDF5_FOUND "parallel HDF5" "libhdf5-openmpi-dev")

find_library(BN_SCALAPACK_LIB NAMES scalapack-openmpi scalapack)
bn_require(BN_SCALAPACK_LIB "ScaLAPACK" "libscalapack-openmpi-dev")

find_path(BN_FFTW_INCLUDE fftw3-mpi.h)
find_library(BN_FFTW_LIB NAMES fftw3)
find_library(BN_FFTW_MPI_LIB NAMES fftw3_mpi)
if(BN_FFTW_INCLUDE AND BN_FFTW_LIB AND BN_FFTW_MPI_LIB)
  set(BN_FFTW_FOUND TRUE)
endif()
bn_require(BN_FFTW_FOUND "FFTW with FFTW-MPI" "libfftw3-dev libfftw3-mpi-dev")

find_path(BN_CBLAS_INCLUDE cblas.h PATH_SUFFIXES x86_64-linux-gnu openblas)
find_library(BN_BLAS_LIB NAMES openblas blas)
find_library(BN_LAPACK_LIB NAMES lapack)
if(BN_CBLAS_INCLUDE AND BN_BLAS_LIB AND BN_LAPACK_LIB)
  set(BN_BLAS_FOUND TRUE)
endif()
bn_require(BN_BLAS_FOUND "BLAS/LAPACK with cblas.h" "libopenblas-dev")

find_path(BN_R123_INCLUDE Random123/philox.h)
bn_require(BN_R123_INCLUDE "Random123 (counter-based random numbers)"
  "librandom123-dev")

# libpng: the pictures (landscape heat maps, atom mosaics, kernels).
find_path(BN_PNG_INCLUDE png.h)
find_library(BN_PNG_LIB NAMES png16 png)
if(BN_PNG_INCLUDE AND BN_PNG_LIB)
  set(BN_PNG_FOUND TRUE)
endif()
bn_require(BN_PNG_FOUND "libpng" "libpng-dev")

# libjpeg and zlib: image imports (JPEG files, gzip'd IDX files).
find_path(BN_JPEG_INCLUDE jpeglib.h)
find_library(BN_JPEG_LIB NAMES jpeg)
if(BN_JPEG_INCLUDE AND BN_JPEG_LIB)
  set(BN_JPEG_FOUND TRUE)
endif()
bn_require(BN_JPEG_FOUND "libjpeg" "libjpeg-dev")
find_path(BN_ZLIB_INCLUDE zlib.h)
find_library(BN_ZLIB_LIB NAMES z)
if(BN_ZLIB_INCLUDE AND BN_ZLIB_LIB)
  set(BN_ZLIB_FOUND TRUE)
endif()
bn_require(BN_ZLIB_FOUND "zlib" "zlib1g-dev")

add_library(benign_deps INTERFACE)
target_include_directories(benign_deps SYSTEM INTERFACE
  ${BN_HDF5_INCLUDE} ${BN_FFTW_INCLUDE} ${BN_CBLAS_INCLUDE} ${BN_R123_INCLUDE}
  ${BN_PNG_INCLUDE} ${BN_JPEG_INCLUDE} ${BN_ZLIB_INCLUDE})
target_link_libraries(benign_deps INTERFACE
  ${BN_HDF5_LIB} ${BN_SCALAPACK_LIB} ${BN_FFTW_MPI_LIB} ${BN_FFTW_LIB}
  ${BN_LAPACK_LIB} ${BN_BLAS_LIB} ${BN_PNG_LIB} ${BN_JPEG_LIB} ${BN_ZLIB_LIB}
  MPI::MPI_C m)
