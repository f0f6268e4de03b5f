/* benign -- the program's commands, callable in any MPI process.
 *
 * `benign complete in.h5 --rank=20` on P processes is the same as every
 * process of a communicator calling
 *
 *   char *argv[] = {"benign", "complete", "in.h5", "--rank=20", NULL};
 *   int rc = bn_command_run(comm, 4, argv, msg, sizeof msg);
 *
 * inside a program that initialized MPI itself (bn_command_run neither
 * initializes nor finalizes MPI). The Python package (python/) calls it
 * through ctypes. Output is the program's: the log on rank 0's stdout,
 * errors once on rank 0's stderr, result files atomically. */
#ifndef BENIGN_COMMAND_H
#define BENIGN_COMMAND_H

#include <stddef.h>

#include <mpi.h>

/* Collective on comm: every process passes the same argv (argv[0] is the
 * program's name, as in main; argv[argc] need not be NULL). Returns the
 * program's exit status: 0 done, 1 error, 2 usage, 75 interrupted and
 * checkpointed. When msg is not NULL, every process gets the error message
 * there (empty on success; at most size - 1 characters). An error that one
 * process hit alone aborts the job (MPI_Abort), as the program does. */
int bn_command_run(MPI_Comm comm, int argc, char **argv, char *msg,
                   size_t size);
/* Collective: bn_command_run on the communicator whose Fortran handle is
 * comm (MPI_Comm_c2f; mpi4py's Comm.py2f()), for foreign-function callers. */
int bn_command_run_f(MPI_Fint comm, int argc, char **argv, char *msg,
                     size_t size);

#endif
