#!/usr/bin/python3
"""Real inputs for `benign sasd` from the data shipped by Debian's
python3-scipy (apt-get install python3-scipy python3-h5py):

  scripts/sasd_data.py ecg OUT.h5 [SECONDS]   the MIT-BIH ECG record of
      scipy.misc.electrocardiogram() (360 Hz, mV; heartbeats = a repeated
      motif): the baseline wander removed (minus a centred 1-second moving
      average), the first SECONDS seconds (default: all 300) as /y, a 1-D
      signal; attributes sampling_rate and source.
  scripts/sasd_data.py ascent OUT.pgm          the 512 x 512 8-bit gray
      image of scipy.misc.ascent() as a binary PGM (benign sasd reads it
      directly, subtracting its mean).

Run with Debian's /usr/bin/python3 (the packages are not on pip here)."""
import sys

import warnings

import numpy as np

warnings.filterwarnings("ignore", category=DeprecationWarning)


def ecg(out, seconds):
    import h5py
    from scipy import misc
    y = np.asarray(misc.electrocardiogram(), dtype=np.float64)
    fs = 360
    if seconds:
        y = y[: int(seconds * fs)]
    base = np.convolve(y, np.ones(fs) / fs, mode="same")
    y = y - base
    with h5py.File(out, "w") as f:
        f.create_dataset("/y", data=y)
        f.attrs["sampling_rate"] = fs
        f.attrs["source"] = "scipy.misc.electrocardiogram (MIT-BIH record 208)"
    print(f"wrote {out}: {y.size} samples at {fs} Hz")


def ascent(out):
    from scipy import misc
    img = np.asarray(misc.ascent(), dtype=np.uint8)
    h, w = img.shape
    with open(out, "wb") as f:
        f.write(b"P5\n%d %d\n255\n" % (w, h))
        f.write(img.tobytes())
    print(f"wrote {out}: {h} x {w}")


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in ("ecg", "ascent"):
        sys.exit(__doc__)
    if sys.argv[1] == "ecg":
        ecg(sys.argv[2], float(sys.argv[3]) if len(sys.argv) > 3 else 0)
    else:
        ascent(sys.argv[2])
