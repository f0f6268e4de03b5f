"""In-process solves: NumPy/SciPy data in, a loaded result out.

Each call is collective over comm (default MPI.COMM_WORLD): under
`mpirun -n P python3 script.py` every process calls it with the same
arguments and the solve runs distributed over the P processes, inside
libbenign, exactly as the `benign` program would. The data reaches the
library through an input file written by rank 0 in a scratch directory
that every process sees; the result is read back on every process.
"""
import os
import shutil
import tempfile

from . import io
from ._lib import BenignError, _comm, run


class _Scratch:
    """A directory every process of comm sees: under workdir if given,
    else $BENIGN_TMPDIR, else the system's temporary directory when every
    process sees it (one node), else the current directory."""

    def __init__(self, comm, workdir=None, keep=False):
        self.comm, self.keep = comm, keep
        bases = [workdir] if workdir else (
            [os.environ["BENIGN_TMPDIR"]] if os.environ.get("BENIGN_TMPDIR")
            else [tempfile.gettempdir(), os.getcwd()])
        self.path = None
        for base in bases:
            path = None
            if comm.rank == 0:
                try:
                    path = tempfile.mkdtemp(prefix="benign-", dir=base)
                except OSError:
                    path = ""
            path = comm.bcast(path, root=0)
            seen = bool(path) and os.path.isdir(path)
            if comm.allreduce(0 if seen else 1) == 0:
                self.path = path
                break
            comm.Barrier()
            if comm.rank == 0 and path:
                shutil.rmtree(path, ignore_errors=True)
        if self.path is None:
            raise BenignError("no scratch directory that every process sees "
                              "(tried %s); pass workdir= or set BENIGN_TMPDIR"
                              % ", ".join(map(str, bases)))

    def file(self, name):
        return os.path.join(self.path, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.comm.Barrier()
        if self.comm.rank == 0 and not self.keep:
            shutil.rmtree(self.path, ignore_errors=True)


def _solve(command, write, comm, workdir, keep, verbose, options):
    comm = _comm(comm)
    with _Scratch(comm, workdir, keep) as s:
        inp, out = s.file("input.h5"), s.file("result.h5")
        err = None
        if comm.rank == 0:
            try:
                write(inp)
            except (TypeError, ValueError, OSError) as e:
                err = (type(e).__name__, str(e))
        err = comm.bcast(err, root=0)
        if err:  # every process raises what rank 0 met writing the input
            kind = {"TypeError": TypeError, "ValueError": ValueError}
            raise kind.get(err[0], BenignError)(err[1])
        if not verbose:
            options.setdefault("log_level", "quiet")
        run(command, comm=comm, input=inp, output=out, **options)
        return io.load(out)


def complete(M, rank, test=None, truth=None, shape=None, comm=None,
             workdir=None, keep=False, verbose=False, **options):
    """Matrix completion (benign complete): M's stored entries are the
    observations (scipy.sparse, or (rows, cols, values) with shape=).
    Returns the loaded result: .U, .V, .bias (with bias=True), .history,
    .certificate, .predict(rows, cols). Options as the command's, with `_`
    for `-`: solver="als", lambda_=..., bias=True, max_iter=..."""
    return _solve("complete",
                  lambda p: io.save_completion(p, M, test, truth, shape),
                  comm, workdir, keep, verbose, dict(options, rank=rank))


def dictionary(Y, A_true=None, comm=None, workdir=None, keep=False,
               verbose=False, **options):
    """Dictionary learning (benign dict) from Y, p x m (one sample per
    row). Returns the loaded result: .A (m x n, atoms as columns), the codes
    as f.codes() ... see benign dict --help for options (method=...)."""
    return _solve("dict", lambda p: io.save_dict(p, Y, A_true), comm,
                  workdir, keep, verbose, options)


def phase(A, y, x_true=None, data="intensity", comm=None, workdir=None,
          keep=False, verbose=False, **options):
    """Phase retrieval (benign phase) from y = |A x|^2 (or |A x| with
    data='amplitude'). Returns the loaded result; io.as_complex(r.x) is the
    estimate (up to a global phase)."""
    return _solve("phase", lambda p: io.save_phase(p, A, y, x_true, data),
                  comm, workdir, keep, verbose, options)
