#include "ssprd/admin.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "common/validate.h"
#include "ssprd/conn.h"

static bool peer_is_admin(const struct daemon_ctx *ctx, const struct ucred *peer)
{
	return peer->uid == 0 || peer->uid == ctx->uid;
}

static bool user_exists(const char *user)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	return getpwnam_r(user, &pw, buf, sizeof(buf), &res) == 0 && res;
}

static int fail(int fd, enum proto_status status, const char *text)
{
	int r = conn_send_text(fd, PROTO_ERROR, text);
	return r < 0 ? r : conn_send_end(fd, status);
}

static int enroll(struct daemon_ctx *ctx, int fd, const struct ucred *peer,
		  const struct proto_msg *req)
{
	const char *user = req->field[0], *kind = req->field[1], *value = req->field[2];
	if (!username_valid(user) || !user_exists(user))
		return fail(fd, PROTO_STATUS_INVALID, "No such user.");
	if (strcmp(kind, "email") != 0)
		return fail(fd, PROTO_STATUS_INVALID, "Only email addresses can be enrolled.");
	if (!email_valid(value))
		return fail(fd, PROTO_STATUS_INVALID, "That is not a valid email address.");
	if (store_contact_set(ctx->store, user, kind, value, "admin", (int64_t)time(NULL)) < 0)
		return fail(fd, PROTO_STATUS_FAILED, "Could not save the address.");
	char detail[64];
	snprintf(detail, sizeof(detail), "kind=email by uid %u", (unsigned)peer->uid);
	store_event_add(ctx->store, user, "enrolled", detail, (int64_t)time(NULL));
	log_info("uid %u enrolled an email address for %s", (unsigned)peer->uid, user);
	char text[PROTO_MAX_TEXT];
	snprintf(text, sizeof(text), "Enrolled %s for %s.", value, user);
	int r = conn_send_text(fd, PROTO_INFO, text);
	return r < 0 ? r : conn_send_end(fd, PROTO_STATUS_OK);
}

static void format_day(int64_t t, char *out, size_t outsz)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, outsz, "%Y-%m-%d", &tm);
}

/* Addresses are shown masked even to admins: the output ends up in
 * tickets and terminals more often than anyone intends. */
static int show(struct daemon_ctx *ctx, int fd, const char *user)
{
	char text[PROTO_MAX_TEXT], masked[EMAIL_MAX + 8], day[32];
	struct store_contact c;
	int64_t last = 0;
	int r = store_contact_get(ctx->store, user, "email", &c);
	if (r < 0 && r != -ENOENT)
		return fail(fd, PROTO_STATUS_FAILED, "Could not read the store.");
	int n = snprintf(text, sizeof(text), "user: %s\n", user);
	if (r == 0) {
		if (email_mask(c.value, masked, sizeof(masked)) < 0)
			snprintf(masked, sizeof(masked), "(invalid address)");
		format_day(c.created, day, sizeof(day));
		n += snprintf(text + n, sizeof(text) - (size_t)n, "email: %s (set by %s on %s)",
			      masked, c.source, day);
		store_contact_clear(&c);
	} else {
		n += snprintf(text + n, sizeof(text) - (size_t)n,
			      "email: not registered: password recovery is not possible");
	}
	if (store_event_last(ctx->store, user, "reset", &last) == 0 && last > 0) {
		format_day(last, day, sizeof(day));
		snprintf(text + n, sizeof(text) - (size_t)n, "\nlast self-service reset: %s", day);
	}
	r = conn_send_text(fd, PROTO_INFO, text);
	return r < 0 ? r : conn_send_end(fd, PROTO_STATUS_OK);
}

int admin_handle(struct daemon_ctx *ctx, int fd, const struct ucred *peer,
		 const struct proto_msg *req)
{
	switch (req->type) {
	case PROTO_ADMIN_ENROLL:
	case PROTO_ADMIN_SHOW:
		if (!peer_is_admin(ctx, peer)) {
			log_warning("uid %u tried %s", (unsigned)peer->uid,
				    proto_type_name(req->type));
			return fail(fd, PROTO_STATUS_DENIED, "Permission denied: run as root.");
		}
		if (req->type == PROTO_ADMIN_ENROLL)
			return enroll(ctx, fd, peer, req);
		if (!username_valid(req->field[0]) || !user_exists(req->field[0]))
			return fail(fd, PROTO_STATUS_INVALID, "No such user.");
		return show(ctx, fd, req->field[0]);
	case PROTO_USER_STATUS: {
		struct passwd pw, *res = NULL;
		char buf[4096];
		if (getpwuid_r(peer->uid, &pw, buf, sizeof(buf), &res) != 0 || !res ||
		    !username_valid(pw.pw_name))
			return fail(fd, PROTO_STATUS_INVALID, "Your account is not known here.");
		return show(ctx, fd, pw.pw_name);
	}
	default:
		return -EPROTO;
	}
}
