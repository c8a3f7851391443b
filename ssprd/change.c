#include "ssprd/change.h"

#include <errno.h>
#include <string.h>

#include "common/log.h"
#include "common/validate.h"
#include "ssprd/conn.h"
#include "ssprd/history.h"
#include "ssprd/policy.h"

static int end_with(int fd, enum proto_status status, const char *text)
{
	int r = conn_send_text(fd, PROTO_ERROR, text);
	return r < 0 ? r : conn_send_end(fd, status);
}

static int check(struct daemon_ctx *ctx, int fd, const struct proto_msg *req)
{
	char reason[512], logged[256] = "";
	const char *user = req->field[0];
	struct policy_request pr = {
	    .user = user,
	    .password = req->field[1],
	    .old_password = req->len[2] ? req->field[2] : NULL,
	    .path = POLICY_CHANGE,
	    .log_reason = logged,
	    .log_reason_size = sizeof(logged),
	};
	int r = policy_check(&ctx->conf, ctx->store, &pr, reason, sizeof(reason));
	if (r == 0) {
		log_info("password change for %s: new password meets the policy", user);
		return conn_send_end(fd, PROTO_STATUS_OK);
	}
	log_info("password change for %s: new password refused: %s", user, logged);
	return end_with(fd, r == -EINVAL ? PROTO_STATUS_FAILED : PROTO_STATUS_UNAVAILABLE, reason);
}

static int record(struct daemon_ctx *ctx, int fd, const char *user)
{
	int r = history_record_current(&ctx->conf, ctx->store, user);
	if (r < 0) {
		log_error("password history of %s: cannot record: %s", user, strerror(-r));
		return conn_send_end(fd, PROTO_STATUS_UNAVAILABLE);
	}
	return conn_send_end(fd, PROTO_STATUS_OK);
}

int change_handle(struct daemon_ctx *ctx, int fd, const struct ucred *peer,
		  const struct proto_msg *req)
{
	if (peer->uid != 0 && peer->uid != ctx->uid) {
		log_warning("uid %u may not send %s", (unsigned)peer->uid,
			    proto_type_name(req->type));
		return conn_send_end(fd, PROTO_STATUS_DENIED);
	}
	if (!username_valid(req->field[0])) {
		log_warning("%s for an invalid user name", proto_type_name(req->type));
		return conn_send_end(fd, PROTO_STATUS_INVALID);
	}
	switch (req->type) {
	case PROTO_POLICY_CHECK:
		return check(ctx, fd, req);
	case PROTO_HISTORY_RECORD:
		return record(ctx, fd, req->field[0]);
	default:
		return -EPROTO;
	}
}
