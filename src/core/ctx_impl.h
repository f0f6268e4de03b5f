/* Private layout of the context, shared by the src/core files only. */
#ifndef BN_CORE_CTX_IMPL_H
#define BN_CORE_CTX_IMPL_H

#include "benign/ctx.h"

#define BN_MSG_LEN 1024
#define BN_WHERE_LEN 512
#define BN_TIMER_NAME 32
#define BN_COMMAND_LEN 128

typedef struct bn_timer {
  char name[BN_TIMER_NAME];
  double total;
  double started; /* < 0 when stopped */
  long count;
} bn_timer_t;

struct bn_ctx {
  MPI_Comm comm;
  int rank, size;
  bn_log_level_t level;
  FILE *log;
  /* error state */
  bn_status_t err_code;
  int err_agreed;
  char err_msg[BN_MSG_LEN];
  char err_where[BN_WHERE_LEN];
  /* timers */
  bn_timer_t *timers;
  int ntimers, cap_timers;
  /* test-only fault injection: calls of the named point so far */
  int fault_hits;
  /* the command that runs ("generate dict"), for files' `creator` */
  char command[BN_COMMAND_LEN];
};

#endif
