"""benign.load and the writers: what Python writes, benign reads and
answers about; what benign writes, Python reads."""
import os

import numpy as np
import pytest

import benign
from conftest import lowrank


def test_completion_roundtrip(comm, shared_tmp):
    M, X, Y = lowrank(40, 30, 2, 0.5, 1)
    test, _, _ = lowrank(40, 30, 2, 0.1, 2)
    path = os.path.join(shared_tmp, "in.h5")
    if comm.rank == 0:
        benign.save_completion(path, M, test=test, truth=(X, Y))
    comm.Barrier()
    f = benign.load(path)
    assert f.kind == "input" and f.problem == "complete"
    got = f.entries().toarray()
    assert np.array_equal(got, M.toarray())
    assert np.array_equal(f.entries("test").toarray(), test.toarray())
    assert np.array_equal(f["truth/U"], X)
    # benign's own reader accepts it: `benign info` runs, collectively.
    benign.run("info", path, comm=comm)


def test_generate_then_load(comm, shared_tmp):
    path = os.path.join(shared_tmp, "g.h5")
    benign.run("generate", "complete", output=path, rows=50, cols=40, rank=3,
               sample_rate=0.3, test_fraction=0.1, seed=3, comm=comm)
    f = benign.load(path)
    assert f.attrs["creator"].startswith("benign")
    assert f.entries().shape == (50, 40)
    assert f.entries().nnz == len(f["omega/val"]) > 0
    assert f["truth/U"].shape == (50, 3)


def test_bad_input_raises_with_benigns_message(comm, shared_tmp):
    path = os.path.join(shared_tmp, "nope.h5")
    with pytest.raises(benign.BenignError) as e:
        benign.run("complete", input=path, rank=2, comm=comm)
    assert "nope.h5" in str(e.value)
    assert e.value.status != 0
    with pytest.raises(benign.BenignError) as e:
        benign.run("complete", input=path, rank=2, no_such_key=1, comm=comm)
    assert "no-such-key" in str(e.value)
    with pytest.raises(benign.BenignError):
        benign.run("no-such-command", comm=comm)


def test_writers_refuse_bad_shapes(shared_tmp):
    with pytest.raises(ValueError):
        benign.save_dict(os.path.join(shared_tmp, "x.h5"), np.zeros(5))
    with pytest.raises(ValueError):
        benign.save_phase(os.path.join(shared_tmp, "x.h5"), np.zeros((4, 2)),
                          np.zeros(3))
    with pytest.raises(ValueError):
        benign.save_completion(os.path.join(shared_tmp, "x.h5"),
                               ([0], [1], [1.0]))
    assert not os.path.exists(os.path.join(shared_tmp, "x.h5"))


def test_csv_helpers(comm, shared_tmp):
    path = os.path.join(shared_tmp, "r.csv")
    if comm.rank == 0:
        benign.write_ratings_csv(path, ["u1", "u2"], ["i9", "i8"], [4.5, 3.0])
    comm.Barrier()
    c = benign.read_csv(path)
    assert list(c["user"]) == ["u1", "u2"]
    assert np.allclose(c["rating"], [4.5, 3.0])
