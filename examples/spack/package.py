# Spack recipe for benign: copy this directory into a Spack repository
# (spack repo create myrepo; cp -r examples/spack myrepo/packages/benign)
# and `spack install benign`. Checked for syntax by tests/check_recipes.sh.
from spack.package import *


class Benign(CMakePackage):
    """MPI-distributed recovery engine for nonconvex problems with benign
    landscapes: matrix completion, sensing, robust PCA, dictionary
    learning, blind deconvolution, phase retrieval, with recommender
    commands (import, split, tune, predict, recommend)."""

    homepage = "https://example.org/benign"
    git = "https://example.org/benign.git"

    maintainers("benign-developers")

    version("main", branch="main")

    variant("native", default=False,
            description="Optimize for the build machine (-march=native)")
    variant("werror", default=False, description="Warnings are errors")
    variant("sanitize", default=False,
            description="AddressSanitizer and UBSan build (debugging)")

    depends_on("c", type="build")
    depends_on("cmake@3.18:", type="build")
    depends_on("pkgconfig", type="build")
    depends_on("mpi")
    depends_on("hdf5+mpi")
    depends_on("fftw+mpi")
    depends_on("netlib-scalapack")
    depends_on("openblas")
    depends_on("lapack")
    depends_on("random123")
    depends_on("libpng")
    depends_on("libjpeg")
    depends_on("zlib-api")

    def cmake_args(self):
        return [
            self.define_from_variant("BN_NATIVE", "native"),
            self.define_from_variant("BN_WERROR", "werror"),
            self.define_from_variant("BN_SANITIZE", "sanitize"),
        ]

    def setup_run_environment(self, env):
        # one BLAS thread per MPI process
        env.set("OPENBLAS_NUM_THREADS", "1")
