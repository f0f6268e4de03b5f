"""benign from Python: read and write benign's files, and run its solvers
in this process (distributed with mpi4py under mpirun). docs/python.md."""
from ._lib import BenignError, library, run
from .io import (File, as_complex, load, read_csv, save_completion,
                 save_dict, save_phase, write_ratings_csv)
from .solve import complete, dictionary, phase

dict = dictionary  # benign.dict(Y, ...), as the command is named

__version__ = "0.1.0"
__all__ = ["BenignError", "File", "as_complex", "complete", "dict",
           "dictionary", "library", "load", "phase", "read_csv", "run",
           "save_completion", "save_dict", "save_phase", "write_ratings_csv"]
