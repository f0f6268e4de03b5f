/* benign -- command-line entry point.
 *
 *   benign <command> [deck.ini] [--key=value ...]
 *
 * The commands are in the library (drivers/command.c, benign/command.h):
 * this is MPI's start and end around bn_command_run. */
#include "benign/command.h"

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rc = bn_command_run(MPI_COMM_WORLD, argc, argv, NULL, 0);
  MPI_Finalize();
  return rc;
}
