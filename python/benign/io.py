"""Reading every file benign writes, and writing its inputs from NumPy.

load(path) gives a File: its datasets as NumPy arrays by path, its
attributes, and the metadata a user asks for first (problem, options,
certificate, history). Writers are atomic (a temporary name, then a
rename), as benign's own.
"""
import os

import h5py
import numpy as np

_CERT_KEYS = ("certificate", "lambda_min", "cert_grad_norm", "cert_gtol",
              "cert_htol", "cert_hvps", "escapes", "escape_iterations")


def _plain(value):
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, np.generic):
        return value.item()
    return value


class File:
    """A benign file read into memory (datasets by path, e.g. f["U"],
    f["history/objective"]; f.U is f["U"] for a top-level dataset)."""

    def __init__(self, path):
        self.path = path
        self.datasets = {}
        self.attrs = {}
        self.dataset_attrs = {}
        with h5py.File(path, "r") as h5:
            self.attrs = {k: _plain(v) for k, v in h5.attrs.items()}

            def visit(name, obj):
                a = {k: _plain(v) for k, v in obj.attrs.items()}
                if isinstance(obj, h5py.Dataset):
                    self.datasets[name] = obj[()]
                self.dataset_attrs[name] = a

            h5.visititems(visit)

    # -- access -----------------------------------------------------------
    def __getitem__(self, name):
        return self.datasets[name.lstrip("/")]

    def __contains__(self, name):
        return name.lstrip("/") in self.datasets

    def __iter__(self):
        return iter(self.datasets)

    def keys(self):
        return self.datasets.keys()

    def __getattr__(self, name):
        data = self.__dict__.get("datasets", {})
        if name in data:
            return data[name]
        raise AttributeError(name)

    def attrs_of(self, name):
        """The attributes of a dataset or group ('' for the root)."""
        name = name.strip("/")
        return self.attrs if not name else self.dataset_attrs.get(name, {})

    def __repr__(self):
        return "<benign.File %s: %s, %d datasets>" % (
            self.path, self.kind, len(self.datasets))

    # -- metadata ---------------------------------------------------------
    @property
    def problem(self):
        return self.attrs.get("problem")

    @property
    def kind(self):
        """'checkpoint', 'result' (it has a history) or 'input'."""
        if self.attrs.get("kind") == "checkpoint":
            return "checkpoint"
        return "result" if "history/objective" in self.datasets else "input"

    @property
    def options(self):
        """The run's options as {key: value-as-typed} (results, checkpoints)."""
        out = {}
        for line in str(self.attrs.get("options", "")).splitlines():
            if "=" in line:
                k, v = line.split("=", 1)
                out[k] = v
        return out

    @property
    def certificate(self):
        """The end-of-solve certificate's fields present in the file."""
        return {k: self.attrs[k] for k in _CERT_KEYS if k in self.attrs}

    @property
    def history(self):
        """{'objective': array, 'grad_norm': ..., ...} (empty for inputs)."""
        return {k[len("history/"):]: v for k, v in self.datasets.items()
                if k.startswith("history/")}

    # -- completion --------------------------------------------------------
    def entries(self, group="omega"):
        """A (row, col, val) group as a scipy.sparse.coo_matrix: a
        completion input's 'omega' or 'test', a dict result's sparse codes
        'X' (atoms x samples); the shape from the group's rows/cols
        attributes (else /omega's)."""
        import scipy.sparse as sp

        a = self.attrs_of(group)
        if "rows" not in a:
            a = self.attrs_of("omega")
        shape = (int(a["rows"]), int(a["cols"]))
        return sp.coo_matrix((self[group + "/val"],
                              (self[group + "/row"], self[group + "/col"])),
                             shape=shape)

    @property
    def bias(self):
        """(mean, row biases, column biases) of a completion result with
        --bias=true, else None."""
        if "bias/row" not in self.datasets:
            return None
        return (float(self.attrs_of("bias").get("mean", 0.0)),
                self["bias/row"], self["bias/col"])

    def predict(self, rows, cols):
        """A completion result's model at (rows[k], cols[k]):
        mu + b_i + c_j + u_i . v_j (the biases when the model has them)."""
        rows, cols = np.asarray(rows), np.asarray(cols)
        out = np.einsum("ij,ij->i", self["U"][rows], self["V"][cols])
        if self.bias is not None:
            mu, b, c = self.bias
            out = out + mu + b[rows] + c[cols]
        return out


def load(path):
    """Read a result, checkpoint or input that benign wrote (or any HDF5
    file): local (each process that calls it reads the file)."""
    return File(path)


# -- writers ----------------------------------------------------------------
def _atomic(path):
    d = os.path.dirname(os.path.abspath(path))
    return os.path.join(d, ".%s.%d.tmp" % (os.path.basename(path), os.getpid()))


def _write(path, fill, attrs):
    tmp = _atomic(path)
    try:
        with h5py.File(tmp, "w") as f:
            fill(f)
            f.attrs["creator"] = "benign python"
            for k, v in attrs.items():
                f.attrs[k] = v
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _coo(M, shape=None):
    import scipy.sparse as sp

    if isinstance(M, tuple) and len(M) == 3:
        r, c, v = (np.asarray(x) for x in M)
        if shape is None:
            raise ValueError("(rows, cols, values) needs shape=(m, n)")
        return sp.coo_matrix((v, (r, c)), shape=shape)
    if sp.issparse(M):
        return M.tocoo()
    raise TypeError("expected a scipy.sparse matrix or (rows, cols, values)")


def _entries(f, group, m):
    g = f.create_group(group)
    g.create_dataset("row", data=m.row.astype(np.int64))
    g.create_dataset("col", data=m.col.astype(np.int64))
    g.create_dataset("val", data=m.data.astype(np.float64))
    g.attrs["rows"] = np.int64(m.shape[0])
    g.attrs["cols"] = np.int64(m.shape[1])


def save_completion(path, M, test=None, truth=None, shape=None):
    """Write a completion input: M's stored entries are the observations
    (a scipy.sparse matrix, or (rows, cols, values) with shape=); test the
    held-out entries (same kinds); truth an optional (U, V) with M = U Vᵀ."""
    m = _coo(M, shape)
    t = None if test is None else _coo(test, m.shape)
    if t is not None and t.shape != m.shape:
        raise ValueError("test is %s, the matrix %s" % (t.shape, m.shape))

    def fill(f):
        _entries(f, "omega", m)
        if t is not None:
            _entries(f, "test", t)
        if truth is not None:
            f.create_dataset("truth/U", data=np.asarray(truth[0], float))
            f.create_dataset("truth/V", data=np.asarray(truth[1], float))

    _write(path, fill, {"problem": "complete"})


def save_dict(path, Y, A_true=None):
    """Write a dictionary-learning input: Y is p x m, one sample per row."""
    Y = np.ascontiguousarray(Y, dtype=np.float64)
    if Y.ndim != 2:
        raise ValueError("Y must be 2-D (samples x dimension)")

    def fill(f):
        f.create_dataset("Y", data=Y)
        if A_true is not None:
            f.create_dataset("A_true", data=np.asarray(A_true, float))

    _write(path, fill, {"problem": "dict"})


def _complex_pairs(z):
    z = np.asarray(z)
    if np.iscomplexobj(z):
        return np.stack([z.real, z.imag], axis=-1).astype(np.float64)
    return z.astype(np.float64)


def save_phase(path, A, y, x_true=None, data="intensity"):
    """Write a phase-retrieval input: y_i = |(A x)_i|^2 (data='intensity')
    or |(A x)_i| ('amplitude'); A is m x n, complex or real."""
    A = np.asarray(A)
    y = np.asarray(y, dtype=np.float64)
    if A.ndim != 2 or y.shape != (A.shape[0],):
        raise ValueError("A must be m x n and y of length m")

    def fill(f):
        f.create_dataset("A", data=_complex_pairs(A))
        d = f.create_dataset("y", data=y)
        d.attrs["model"] = "gaussian"
        d.attrs["field"] = "complex" if np.iscomplexobj(A) else "real"
        d.attrs["data"] = data
        if x_true is not None:
            f.create_dataset("x_true", data=_complex_pairs(x_true))

    _write(path, fill, {"problem": "phase"})


def as_complex(x):
    """benign's n x 2 (real, imaginary) layout as a complex vector."""
    x = np.asarray(x)
    return x[..., 0] + 1j * x[..., 1] if x.ndim == 2 and x.shape[1] == 2 else x


# -- text ratings -------------------------------------------------------------
def write_ratings_csv(path, rows, cols, values, header=True):
    """user,item,rating lines (what benign import reads), atomically."""
    tmp = _atomic(path)
    try:
        with open(tmp, "w") as f:
            if header:
                f.write("user,item,rating\n")
            for r, c, v in zip(rows, cols, values):
                f.write("%s,%s,%r\n" % (r, c, float(v)))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def read_csv(path):
    """A CSV with a header line (benign predict/recommend output, or a
    ratings file) as {column name: array}; numeric columns as floats."""
    with open(path) as f:
        names = f.readline().strip().split(",")
        cols = [[] for _ in names]
        for line in f:
            parts = line.rstrip("\n").split(",")
            if len(parts) != len(names):
                continue
            for k, p in enumerate(parts):
                cols[k].append(p)
    out = {}
    for name, c in zip(names, cols):
        try:
            out[name] = np.array(c, dtype=np.float64)
        except ValueError:
            out[name] = np.array(c)
    return out
