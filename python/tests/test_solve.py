"""In-process solves through libbenign: the answers are right, the same
at any number of processes, and errors come back as exceptions."""
import numpy as np
import pytest

import benign
from conftest import lowrank


def test_complete_recovers(comm):
    M, X, Y = lowrank(120, 90, 3, 0.4, 5)
    r = benign.complete(M, rank=3, solver="als", truth=(X, Y), comm=comm,
                        certificate="off", tol=1e-10, max_iter=200)
    assert r.U.shape == (120, 3) and r.V.shape == (90, 3)
    err = np.linalg.norm(r.U @ r.V.T - X @ Y.T) / np.linalg.norm(X @ Y.T)
    assert err < 1e-6
    assert r.history["rel_error"][-1] == pytest.approx(err, rel=1e-3, abs=1e-9)
    assert r.attrs["processes"] == comm.size
    # the model's own prediction equals U Vᵀ at observed entries
    assert np.allclose(r.predict(M.row, M.col), M.data, atol=1e-5)


def test_complete_with_bias(comm):
    M, X, Y = lowrank(80, 60, 2, 0.5, 6)
    M.data += 3.0  # an offset the biases should absorb
    r = benign.complete(M, rank=2, solver="als", bias=True, comm=comm,
                        certificate="off", max_iter=50, lambda_=1e-3)
    mu, b, c = r.bias
    assert mu == pytest.approx(M.data.mean(), rel=1e-12)
    assert b.shape == (80,) and c.shape == (60,)
    rmse = np.sqrt(np.mean((r.predict(M.row, M.col) - M.data) ** 2))
    assert rmse < 0.05


def test_same_answer_as_one_process(comm):
    """At P processes the factors equal a 1-process solve's (ALS is
    process-count independent), solved here on a sub-communicator."""
    M, X, Y = lowrank(60, 50, 2, 0.5, 7)
    kw = dict(rank=2, solver="als", certificate="off", max_iter=20, seed=4)
    all_ = benign.complete(M, comm=comm, **kw)
    one = comm.Split(0 if comm.rank == 0 else 1, comm.rank)
    if comm.rank == 0:
        alone = benign.complete(M, comm=one, **kw)
        assert np.allclose(alone.U @ alone.V.T, all_.U @ all_.V.T,
                           rtol=1e-10, atol=1e-10)
    else:
        benign.complete(M, comm=one, **kw)  # the other processes, apart
    one.Free()


def test_dictionary_finds_atoms(comm):
    rng = np.random.default_rng(8)
    m, p = 12, 6000
    A, _ = np.linalg.qr(rng.standard_normal((m, m)))
    X = rng.standard_normal((m, p)) * (rng.random((m, p)) < 0.3)
    r = benign.dict((A @ X).T, A_true=A, comm=comm, certificate="off")
    assert r.A.shape == (m, m)
    cos = np.abs(r.A.T @ A).max(axis=0)  # best match of each true atom
    assert cos.min() > 0.99
    codes = r.entries("X")  # sparse codes, atoms x samples
    assert codes.shape == (m, p)
    assert np.linalg.norm(r.A @ codes.toarray() - A @ X) < 0.1 * np.linalg.norm(A @ X)


def test_phase_recovers(comm):
    rng = np.random.default_rng(9)
    n, m = 32, 8 * 32
    A = (rng.standard_normal((m, n)) + 1j * rng.standard_normal((m, n))) / np.sqrt(2)
    x = rng.standard_normal(n) + 1j * rng.standard_normal(n)
    r = benign.phase(A, np.abs(A @ x) ** 2, x_true=x, comm=comm,
                     certificate="off", method="raf")
    z = benign.as_complex(r.x)
    ph = np.vdot(z, x) / abs(np.vdot(z, x))
    assert np.linalg.norm(z * ph - x) / np.linalg.norm(x) < 1e-5


def test_solve_errors_raise(comm):
    M, _, _ = lowrank(20, 20, 2, 0.5, 10)
    with pytest.raises(benign.BenignError) as e:
        benign.complete(M, rank=2, solver="nope", comm=comm)
    assert "nope" in str(e.value)
    with pytest.raises(TypeError):
        benign.complete(np.zeros((3, 3)), rank=1, comm=comm)
