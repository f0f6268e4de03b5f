/* Signal flag for checkpoint-and-exit (see include/benign/signal.h). */
#include "benign/signal.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t bn_caught = 0;

static void bn_on_signal(int sig) {
  if (!bn_caught) bn_caught = sig;
}

void bn_signals_install(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = bn_on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART; /* MPI and I/O calls go on undisturbed */
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGUSR1, &sa, NULL);
  signal(SIGXFSZ, SIG_IGN);
}

void bn_signals_uninstall(void) {
  signal(SIGTERM, SIG_DFL);
  signal(SIGUSR1, SIG_DFL);
  signal(SIGXFSZ, SIG_DFL);
  bn_caught = 0;
}

int bn_signal_pending(void) { return bn_caught; }

const char *bn_signal_name(int sig) {
  switch (sig) {
    case SIGTERM:
      return "SIGTERM";
    case SIGUSR1:
      return "SIGUSR1";
    case SIGINT:
      return "SIGINT";
    default:
      return "a signal";
  }
}

static char bn_watch_msg[256];

static void bn_on_alarm(int sig) {
  (void)sig;
  ssize_t w = write(2, bn_watch_msg, strlen(bn_watch_msg));
  (void)w;
  _exit(1);
}

void bn_watchdog_arm(unsigned seconds, const char *msg) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = bn_on_alarm;
  sigemptyset(&sa.sa_mask);
  snprintf(bn_watch_msg, sizeof bn_watch_msg, "%s", msg);
  sigaction(SIGALRM, &sa, NULL);
  alarm(seconds);
}

void bn_watchdog_disarm(void) {
  alarm(0);
  signal(SIGALRM, SIG_DFL);
}
