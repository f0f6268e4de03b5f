"""Fixtures that work at any number of processes: the tests run under
`pytest` (1 process) and `mpirun -n 2 python3 -m pytest` (tests/CMakeLists.txt)."""
import shutil
import tempfile

import numpy as np
import pytest
import scipy.sparse as sp
from mpi4py import MPI


@pytest.fixture
def comm():
    return MPI.COMM_WORLD


@pytest.fixture
def shared_tmp(comm):
    """One temporary directory, the same on every process."""
    path = tempfile.mkdtemp(prefix="bnpy-") if comm.rank == 0 else None
    path = comm.bcast(path, root=0)
    yield path
    comm.Barrier()
    if comm.rank == 0:
        shutil.rmtree(path, ignore_errors=True)


def lowrank(m, n, r, rate, seed):
    """A rank-r matrix X Yᵀ observed on a random share `rate` of entries."""
    rng = np.random.default_rng(seed)
    X, Y = rng.standard_normal((m, r)), rng.standard_normal((n, r))
    rows, cols = np.nonzero(rng.random((m, n)) < rate)
    M = sp.coo_matrix(((X @ Y.T)[rows, cols], (rows, cols)), shape=(m, n))
    return M, X, Y
