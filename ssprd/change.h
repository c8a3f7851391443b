/* Requests of the password-change path: pam_sspr.so in the password stack
 * asks whether a new password meets the policy, and has the current hash
 * remembered before and after pam_unix writes it. */
#pragma once

#include <sys/socket.h>

#include "common/proto.h"
#include "ssprd/daemon.h"

/* Answer one POLICY_CHECK or HISTORY_RECORD request on fd, ending with
 * PROTO_END. Only root (or our own uid) may ask: the answers would tell
 * anyone else which passwords another user had. */
int change_handle(struct daemon_ctx *ctx, int fd, const struct ucred *peer,
		  const struct proto_msg *req);
