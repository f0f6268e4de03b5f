# Installs the library for users: libbenign.so and libbenign.a, the public
# headers (include/benign/), a CMake package (find_package(benign) gives
# benign::benign) and a pkg-config file (benign.pc). tests/cli_install.sh
# builds examples/ against the installed tree both ways.

include(CMakePackageConfigHelpers)

install(TARGETS benign_shared EXPORT benignTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS benign ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/benign
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.h")

set(BN_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/benign)
install(EXPORT benignTargets NAMESPACE benign:: DESTINATION ${BN_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/benignConfig.cmake.in
  ${PROJECT_BINARY_DIR}/benignConfig.cmake INSTALL_DESTINATION ${BN_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/benignConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/benignConfig.cmake
  ${PROJECT_BINARY_DIR}/benignConfigVersion.cmake DESTINATION ${BN_CMAKE_DIR})

# pkg-config: the shared library needs only MPI from its users; a static
# link (pkg-config --static) needs every dependency.
set(BN_PC_PRIVATE "")
foreach(lib ${BN_HDF5_LIB} ${BN_SCALAPACK_LIB} ${BN_FFTW_MPI_LIB} ${BN_FFTW_LIB}
    ${BN_LAPACK_LIB} ${BN_BLAS_LIB} ${BN_PNG_LIB} ${BN_JPEG_LIB} ${BN_ZLIB_LIB})
  string(APPEND BN_PC_PRIVATE " ${lib}")
endforeach()
string(APPEND BN_PC_PRIVATE " -lm")
# The prefix is found from the file's own place (relocatable, so
# `cmake --install --prefix` anywhere works).
file(RELATIVE_PATH BN_PC_UP "/p/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/p")
configure_file(${PROJECT_SOURCE_DIR}/cmake/benign.pc.in
  ${PROJECT_BINARY_DIR}/benign.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/benign.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
