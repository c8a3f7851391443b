#include "ssprd/admin.h"

#include <errno.h>
#include <sodium.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "common/validate.h"
#include "common/phone.h"
#include "ssprd/admin_internal.h"
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

int admin_fail(int fd, enum proto_status status, const char *text)
{
	int r = conn_send_text(fd, PROTO_ERROR, text);
	return r < 0 ? r : conn_send_end(fd, status);
}

static void format_day(int64_t t, char *out, size_t outsz)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, outsz, "%Y-%m-%d", &tm);
}

static int show_contact(struct daemon_ctx *ctx, const char *user, const char *kind, char *text,
			size_t size, int n)
{
	char masked[EMAIL_MAX + 8], day[32];
	struct store_contact c;
	int r = store_contact_get(ctx->store, user, kind, &c);
	if (r == -ENOENT)
		return n;
	if (r < 0)
		return r;
	bool valid = strcmp(kind, "email") == 0 ? email_mask(c.value, masked, sizeof(masked)) == 0
						: phone_mask(c.value, masked, sizeof(masked)) == 0;
	if (!valid)
		snprintf(masked, sizeof(masked), "(invalid)");
	format_day(c.created, day, sizeof(day));
	n += snprintf(text + n, size - (size_t)n, "\n%-15s %s (set by %s on %s)", kind, masked,
		      c.source, day);
	store_contact_clear(&c);
	return n;
}

/* Addresses are shown masked even to admins: the output ends up in
 * tickets and terminals more often than anyone intends. */
static int show(struct daemon_ctx *ctx, int fd, const char *user)
{
	char text[PROTO_MAX_TEXT], day[32];
	int64_t last = 0;
	int n = snprintf(text, sizeof(text), "user: %s", user);
	int before = n;
	static const char *const kinds[] = {"email", "mobile", "office"};
	for (size_t i = 0; i < 3 && n >= 0; i++)
		n = show_contact(ctx, user, kinds[i], text, sizeof(text), n);
	if (n < 0)
		return admin_fail(fd, PROTO_STATUS_FAILED, "Could not read the store.");
	struct store_question *q = NULL;
	size_t nq = 0;
	if (store_questions_list(ctx->store, user, &q, &nq) == 0 && nq > 0)
		n += snprintf(text + n, sizeof(text) - (size_t)n, "\n%-15s %zu registered",
			      "questions", nq);
	store_questions_free(q, nq);
	struct store_totp t;
	if (store_totp_get(ctx->store, user, &t) == 0) {
		format_day(t.created, day, sizeof(day));
		n += snprintf(text + n, sizeof(text) - (size_t)n, "\n%-15s registered on %s",
			      "authenticator", day);
	}
	sodium_memzero(&t, sizeof(t));
	unsigned left = 0;
	if (store_recovery_left(ctx->store, user, &left) == 0 && left > 0)
		n += snprintf(text + n, sizeof(text) - (size_t)n, "\n%-15s %u unused",
			      "recovery codes", left);
	if (n == before)
		n += snprintf(text + n, sizeof(text) - (size_t)n,
			      "\nnothing registered: password recovery is not possible");
	if (store_event_last(ctx->store, user, "reset", &last) == 0 && last > 0) {
		format_day(last, day, sizeof(day));
		n += snprintf(text + n, sizeof(text) - (size_t)n, "\nlast self-service reset: %s",
			      day);
	}
	if (store_event_last(ctx->store, user, "unlock", &last) == 0 && last > 0) {
		format_day(last, day, sizeof(day));
		snprintf(text + n, sizeof(text) - (size_t)n, "\nlast self-service unlock: %s", day);
	}
	int r = conn_send_text(fd, PROTO_INFO, text);
	return r < 0 ? r : conn_send_end(fd, PROTO_STATUS_OK);
}

int admin_handle(struct daemon_ctx *ctx, int fd, const struct ucred *peer,
		 const struct proto_msg *req)
{
	switch (req->type) {
	case PROTO_ADMIN_ENROLL:
	case PROTO_ADMIN_QUESTIONS:
	case PROTO_ADMIN_SHOW:
		if (!peer_is_admin(ctx, peer)) {
			log_warning("uid %u tried %s", (unsigned)peer->uid,
				    proto_type_name(req->type));
			return admin_fail(fd, PROTO_STATUS_DENIED,
					  "Permission denied: run as root.");
		}
		if (!username_valid(req->field[0]) || !user_exists(req->field[0]))
			return admin_fail(fd, PROTO_STATUS_INVALID, "No such user.");
		if (req->type == PROTO_ADMIN_ENROLL)
			return admin_enroll(ctx, fd, peer, req);
		if (req->type == PROTO_ADMIN_QUESTIONS)
			return admin_questions(ctx, fd, peer, req);
		return show(ctx, fd, req->field[0]);
	case PROTO_USER_STATUS: {
		struct passwd pw, *res = NULL;
		char buf[4096];
		if (getpwuid_r(peer->uid, &pw, buf, sizeof(buf), &res) != 0 || !res ||
		    !username_valid(pw.pw_name))
			return admin_fail(fd, PROTO_STATUS_INVALID,
					  "Your account is not known here.");
		return show(ctx, fd, pw.pw_name);
	}
	default:
		return -EPROTO;
	}
}
