"""The benign Python package: pip install ./python (offline; no build step).

Dependencies are Debian's python3-numpy, python3-h5py, python3-scipy and
python3-mpi4py; the solves run in libbenign.so (build and install benign
first: docs/python.md)."""
from setuptools import setup

setup(
    name="benign",
    version="0.1.0",
    description="Python front end of benign, the MPI-distributed recovery engine",
    packages=["benign"],
    python_requires=">=3.9",
    # h5py too, but Debian names its distribution h5py._debian_h5py_serial,
    # which pip would not count as h5py: python3-h5py is checked on import.
    install_requires=["numpy", "scipy", "mpi4py"],
)
