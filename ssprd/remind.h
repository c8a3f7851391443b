/* PROTO_REMIND: what pam_sspr shows after a login (account or session
 * stack): "not registered", "please reconfirm", and once "your password
 * was reset on <date> from <host>". Only root (the PAM module) may ask. */
#pragma once

#include <sys/socket.h>

#include "common/proto.h"
#include "ssprd/daemon.h"

int remind_handle(struct daemon_ctx *ctx, int fd, const struct ucred *peer,
		  const struct proto_msg *req);
