"""Finding libbenign.so and running a benign command in this process.

Every solve goes through one C function, bn_command_run_f (benign/command.h):
the same code path as the `benign` program, on the caller's communicator.
"""
import ctypes
import ctypes.util
import os
import shutil

_MSG_SIZE = 4096
_cache = {}


class BenignError(RuntimeError):
    """A benign command failed; str(e) is benign's own message.

    status: the program's exit status (1 error, 2 usage, 75 interrupted and
    checkpointed)."""

    def __init__(self, message, status=1):
        super().__init__(message)
        self.status = status


def _candidates():
    env = os.environ.get("BENIGN_LIBRARY")
    if env:
        yield env
        return
    found = ctypes.util.find_library("benign")
    if found:
        yield found
    prog = shutil.which("benign")
    if prog:
        prefix = os.path.dirname(os.path.dirname(os.path.realpath(prog)))
        for sub in ("lib", "lib64", "lib/x86_64-linux-gnu"):
            yield os.path.join(prefix, sub, "libbenign.so")
        # a build tree: build/benign next to build/libbenign.so
        yield os.path.join(os.path.dirname(os.path.realpath(prog)), "libbenign.so")
    for prefix in ("/usr/local", "/usr"):
        yield os.path.join(prefix, "lib", "libbenign.so")


def library():
    """The loaded libbenign (ctypes.CDLL). Set BENIGN_LIBRARY to its path
    to choose one; else the one the dynamic linker finds, else the one next
    to the `benign` program on PATH, else /usr/local/lib."""
    if "lib" in _cache:
        return _cache["lib"]
    # mpi4py first: it loads libmpi the way Open MPI's plugins need.
    from mpi4py import MPI  # noqa: F401

    tried = []
    for path in _candidates():
        if os.path.sep in path and not os.path.exists(path):
            tried.append(path)
            continue
        try:
            lib = ctypes.CDLL(path)
        except OSError as e:
            tried.append("%s (%s)" % (path, e))
            continue
        fn = lib.bn_command_run_f
        fn.argtypes = [ctypes.c_int, ctypes.c_int,
                       ctypes.POINTER(ctypes.c_char_p), ctypes.c_char_p,
                       ctypes.c_size_t]
        fn.restype = ctypes.c_int
        _cache["lib"] = lib
        return lib
    raise BenignError("cannot find libbenign.so (tried: %s); install benign "
                      "(cmake --install) or set BENIGN_LIBRARY to its path"
                      % ", ".join(tried or ["nothing"]))


def _comm(comm):
    from mpi4py import MPI

    return MPI.COMM_WORLD if comm is None else comm


def option_args(options):
    """{'max_iter': 50, 'json': False, 'lambda_': 0.1} ->
    ['--max-iter=50', '--json=false', '--lambda=0.1'] (a trailing _ is
    dropped: lambda is a Python keyword)."""
    out = []
    for key, value in options.items():
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, (list, tuple)):
            value = ",".join(str(v) for v in value)
        key = key[:-1] if key.endswith("_") else key
        out.append("--%s=%s" % (key.replace("_", "-"), value))
    return out


def run(command, *words, comm=None, **options):
    """Run `benign COMMAND WORDS... --key=value...` in this process, on every
    process of comm (default MPI.COMM_WORLD): collective. Keyword options
    use `_` for `-` (max_iter=50 is --max-iter=50). Raises BenignError with
    benign's message on failure (on every process)."""
    lib = library()
    comm = _comm(comm)
    argv = ["benign", command] + [str(w) for w in words] + option_args(options)
    raw = [a.encode() for a in argv]
    arr = (ctypes.c_char_p * (len(raw) + 1))(*raw, None)
    msg = ctypes.create_string_buffer(_MSG_SIZE)
    rc = lib.bn_command_run_f(comm.py2f(), len(raw), arr, msg, _MSG_SIZE)
    if rc != 0:
        raise BenignError(msg.value.decode("utf-8", "replace"), rc)
    return rc
