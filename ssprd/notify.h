/* The messages ssprd mails to users: codes and reset notices. */
#pragma once

#include "ssprd/daemon.h"

int notify_send_code(struct daemon_ctx *ctx, const char *user, const char *to, const char *code);

/* A failure is logged, not returned: the password is already changed. */
void notify_send_reset(struct daemon_ctx *ctx, const char *user, const char *to,
		       const char *service, const char *rhost, const char *tty);
