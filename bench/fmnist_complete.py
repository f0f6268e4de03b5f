#!/usr/bin/python3
"""Fashion-MNIST pixels as a completion problem (bench/complete_fmnist.sh).

All 70,000 images (Debian's dataset-fashion-mnist) as the rows of a
70000 x 784 matrix, pixel values / 255. Each entry is observed with
probability RATE (default 0.3, seed 1); of the observed entries a fraction
TEST (default 0.05) is held out. Writes OUT.h5 (/omega, /test as
`benign complete` reads them) and, for LIBMF, OUT-train.txt and
OUT-test.txt ("row col value" lines, 0-based).

  python3 bench/fmnist_complete.py OUT [RATE] [TEST]
"""
import gzip
import sys

import h5py
import numpy as np

DIR = "/usr/share/datasets/fashion-mnist"


def images(name):
    with gzip.open(f"{DIR}/{name}-images-idx3-ubyte.gz", "rb") as f:
        raw = f.read()
    n = int.from_bytes(raw[4:8], "big")
    return np.frombuffer(raw, np.uint8, offset=16).reshape(n, 784)


def main():
    out = sys.argv[1]
    rate = float(sys.argv[2]) if len(sys.argv) > 2 else 0.3
    test = float(sys.argv[3]) if len(sys.argv) > 3 else 0.05
    m = np.vstack([images("train"), images("t10k")]).astype(np.float64) / 255
    rng = np.random.default_rng(1)
    obs = rng.random(m.shape) < rate
    row, col = np.nonzero(obs)  # sorted by (row, col)
    held = rng.random(row.size) < test
    n1, n2 = m.shape
    with h5py.File(out + ".h5", "w") as f:
        for name, sel in (("omega", ~held), ("test", held)):
            g = f.create_group(name)
            g.attrs["rows"] = np.int64(n1)
            g.attrs["cols"] = np.int64(n2)
            g["row"] = row[sel].astype(np.int32)
            g["col"] = col[sel].astype(np.int32)
            g["val"] = m[row[sel], col[sel]]
    for name, sel in (("train", ~held), ("test", held)):
        with open(f"{out}-{name}.txt", "w") as f:
            v = m[row[sel], col[sel]]
            np.savetxt(f, np.column_stack([row[sel], col[sel], v]),
                       fmt=["%d", "%d", "%.17g"])
    print(f"{out}.h5: {n1} x {n2}, {int((~held).sum())} training and "
          f"{int(held.sum())} test entries")


if __name__ == "__main__":
    main()
