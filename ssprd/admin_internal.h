/* Shared by admin.c (dispatch, show) and admin_enroll.c. */
#pragma once

#include "ssprd/admin.h"

/* Send an ERROR line and END with status. */
int admin_fail(int fd, enum proto_status status, const char *text);
int admin_enroll(struct daemon_ctx *ctx, int fd, const struct ucred *peer,
		 const struct proto_msg *req);
int admin_questions(struct daemon_ctx *ctx, int fd, const struct ucred *peer,
		    const struct proto_msg *req);
