/* Requests from ssprctl (admins) and sspr (users about themselves). */
#pragma once

#include <sys/socket.h>

#include "common/proto.h"
#include "ssprd/daemon.h"

/* Answer one ADMIN_* or USER_STATUS request on fd, ending with PROTO_END. */
int admin_handle(struct daemon_ctx *ctx, int fd, const struct ucred *peer,
		 const struct proto_msg *req);
