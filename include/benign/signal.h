/* benign -- the signals a batch scheduler sends before it kills a job.
 *
 * bn_signals_install() makes SIGTERM and SIGUSR1 set a flag instead of
 * ending the process; solvers read it at the next iteration boundary (one
 * allreduce they already make), write a checkpoint and stop, so the job
 * exits with status 75 and can be requeued. SIGXFSZ is ignored so that a
 * file-size limit makes writes fail with an error message (EFBIG) instead
 * of killing the process.
 *
 * The flag (and the watchdog's message) are the only process-wide state in
 * benign: a signal handler can reach nothing else. */
#ifndef BENIGN_SIGNAL_H
#define BENIGN_SIGNAL_H

/* Install the handlers (idempotent). */
void bn_signals_install(void);
/* Restore the default actions. */
void bn_signals_uninstall(void);
/* The number of the first signal caught since install (0 if none). Local:
 * the solver loop agrees on it across ranks. */
int bn_signal_pending(void);
/* "SIGTERM", "SIGUSR1", ... or "a signal". */
const char *bn_signal_name(int sig);

/* A one-shot watchdog for a call that may hang (SIGALRM): if not disarmed
 * within `seconds`, the process writes `msg` to stderr and exits with
 * status 1, which makes the MPI launcher end the job. */
void bn_watchdog_arm(unsigned seconds, const char *msg);
void bn_watchdog_disarm(void);

#endif
