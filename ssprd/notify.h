/* The messages ssprd mails to users: codes and reset notices. */
#pragma once

#include <stdbool.h>

#include "ssprd/daemon.h"

int notify_send_code(struct daemon_ctx *ctx, const char *user, const char *to, const char *code);

/* After a reset (unlocked false) or an unlock: methods names the
 * verification methods passed. A failure is logged, not returned: the
 * change is already made. */
void notify_send_outcome(struct daemon_ctx *ctx, const char *user, const char *to, bool unlocked,
			 const char *methods, const char *service, const char *rhost,
			 const char *tty);
