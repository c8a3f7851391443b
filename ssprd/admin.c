/* Requests from ssprctl and sspr status: who may ask (root, our own uid or
 * a member of [general] admin_group), dispatch, and the status text. */
#include "ssprd/admin.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/i18n.h"
#include "common/log.h"
#include "common/phone.h"
#include "common/textwidth.h"
#include "common/util.h"
#include "common/validate.h"
#include "ssprd/access.h"
#include "ssprd/admin_internal.h"
#include "ssprd/conn.h"

int admin_fail(int fd, enum proto_status status, const char *text)
{
	int r = conn_send_text(fd, PROTO_ERROR, text);
	return r < 0 ? r : conn_send_end(fd, status);
}

int admin_ok(int fd, const char *text)
{
	int r = conn_send_text(fd, PROTO_INFO, text);
	return r < 0 ? r : conn_send_end(fd, PROTO_STATUS_OK);
}

void admin_actor(const struct ucred *peer, char *out, size_t outsz)
{
	snprintf(out, outsz, "uid %u", (unsigned)peer->uid);
}

int admin_parse_number(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	if (!s[0] || strlen(s) > 20)
		return -EINVAL;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		unsigned d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	if (v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static bool in_admin_group(const struct sspr_conf *conf, uid_t uid)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	bool found = false;
	if (!conf->admin_groups[0])
		return false;
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) != 0 || !res)
		return false;
	return access_user_in_groups(pw.pw_name, pw.pw_gid, conf->admin_groups, &found) == 0 &&
	       found;
}

static bool peer_is_admin(const struct daemon_ctx *ctx, const struct ucred *peer)
{
	return peer->uid == 0 || peer->uid == ctx->uid || in_admin_group(&ctx->conf, peer->uid);
}

static bool user_exists(const char *user)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	return getpwnam_r(user, &pw, buf, sizeof(buf), &res) == 0 && res;
}

/* The status text: short enough for one INFO message by construction,
 * and cut (never overrun) if that ever stops being true. */
struct text {
	char buf[PROTO_MAX_TEXT + 1];
	size_t n;
};

static void __attribute__((format(printf, 2, 3))) text_add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	size_t room = sizeof(t->buf) - t->n;
	va_start(ap, fmt);
	int k = vsnprintf(t->buf + t->n, room, fmt, ap);
	va_end(ap);
	if (k > 0)
		t->n += (size_t)k < room ? (size_t)k : room - 1;
}

/* "\nlabel           ": labels may be translated (CJK text is two columns
 * a character), so they are padded by width, not bytes. */
static void text_label(struct text *t, const char *label)
{
	char padded[128];
	text_pad(padded, sizeof(padded), label, 15);
	text_add(t, "\n%s ", padded);
}

static void format_day(int64_t t, char *out, size_t outsz)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm) || strftime(out, outsz, "%Y-%m-%d", &tm) == 0)
		snprintf(out, outsz, "?");
}

static int show_contact(struct daemon_ctx *ctx, const char *user, const char *kind,
			const char *label, struct text *t)
{
	char masked[EMAIL_MAX + 8], day[32];
	struct store_contact c;
	int r = store_contact_get(ctx->store, user, kind, &c);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	bool valid = strcmp(kind, "email") == 0 ? email_mask(c.value, masked, sizeof(masked)) == 0
						: phone_mask(c.value, masked, sizeof(masked)) == 0;
	if (!valid)
		snprintf(masked, sizeof(masked), "%s", _("(invalid)"));
	format_day(c.created, day, sizeof(day));
	text_label(t, label);
	text_add(t, _("%s (set by %s on %s)"), masked,
		 strcmp(c.source, "admin") == 0 ? _("admin") : _("user"), day);
	store_contact_clear(&c);
	return 1;
}

static void show_requirement(struct daemon_ctx *ctx, const struct registration *reg, struct text *t)
{
	char day[32];
	unsigned need = ctx->conf.required;
	if (reg->meets)
		text_add(t, _("\nrequirement: met (%u of %u)"),
			 reg->factors < need ? reg->factors : need, need);
	else
		text_add(t,
			 P_("\nrequirement: not met: %u of %u method registered",
			    "\nrequirement: not met: %u of %u methods registered", need),
			 reg->factors, need);
	if (reg->confirmed) {
		format_day(reg->confirmed, day, sizeof(day));
		text_add(t, _("\nconfirmed: %s"), day);
	} else {
		text_add(t, "%s", _("\nnever confirmed"));
	}
	if (ctx->conf.reconfirm_days > 0 && reg->reconfirm_at) {
		format_day(reg->reconfirm_at, day, sizeof(day));
		text_add(t, _("\nreconfirm by: %s"), reg->reconfirm_due ? _("due now") : day);
	}
}

/* Addresses are shown masked even to admins: the output ends up in
 * tickets and terminals more often than anyone intends. */
static int show(struct daemon_ctx *ctx, int fd, const char *user)
{
	struct text t = {.n = 0};
	char day[32];
	int64_t last = 0, now = (int64_t)time(NULL);
	int any = 0, r = 0;
	struct registration reg;
	static const char *const kinds[][2] = {
	    {"email", N_("email")}, {"mobile", N_("mobile")}, {"office", N_("office")}};
	text_add(&t, _("user: %s"), user);
	for (size_t i = 0; i < ARRAY_SIZE(kinds) && r >= 0; i++) {
		r = show_contact(ctx, user, kinds[i][0], _(kinds[i][1]), &t);
		any |= r > 0;
	}
	if (r < 0 || registration_get(ctx, user, now, &reg) < 0)
		return admin_fail(fd, PROTO_STATUS_FAILED, _("Could not read the store."));
	struct store_question *q = NULL;
	size_t nq = 0;
	if (store_questions_list(ctx->store, user, &q, &nq) == 0 && nq > 0) {
		text_label(&t, _("questions"));
		text_add(&t, _("%zu registered"), nq);
		any = 1;
	}
	store_questions_free(q, nq);
	struct store_totp totp;
	if (store_totp_get(ctx->store, user, &totp) == 0) {
		format_day(totp.created, day, sizeof(day));
		text_label(&t, _("authenticator"));
		text_add(&t, _("registered on %s"), day);
		any = 1;
	}
	sodium_memzero(&totp, sizeof(totp));
	unsigned left = 0;
	if (store_recovery_left(ctx->store, user, &left) == 0 && left > 0) {
		text_label(&t, _("recovery codes"));
		text_add(&t, _("%u unused"), left);
		any = 1;
	}
	if (!any)
		text_add(&t, "%s",
			 _("\nnothing registered: self-service password reset is not possible"));
	show_requirement(ctx, &reg, &t);
	if (store_event_last(ctx->store, user, "reset", &last) == 0 && last > 0) {
		format_day(last, day, sizeof(day));
		text_add(&t, _("\nlast self-service reset: %s"), day);
	}
	if (store_event_last(ctx->store, user, "unlock", &last) == 0 && last > 0) {
		format_day(last, day, sizeof(day));
		text_add(&t, _("\nlast self-service unlock: %s"), day);
	}
	return admin_ok(fd, t.buf);
}

static int user_status(struct daemon_ctx *ctx, int fd, const struct ucred *peer)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	if (getpwuid_r(peer->uid, &pw, buf, sizeof(buf), &res) != 0 || !res ||
	    !username_valid(pw.pw_name))
		return admin_fail(fd, PROTO_STATUS_INVALID, _("Your account is not known here."));
	return show(ctx, fd, pw.pw_name);
}

/* The requests that name an existing account. */
static int for_user(struct daemon_ctx *ctx, int fd, const struct ucred *peer,
		    const struct proto_msg *req)
{
	if (!username_valid(req->field[0]) || !user_exists(req->field[0]))
		return admin_fail(fd, PROTO_STATUS_INVALID, _("No such user."));
	switch (req->type) {
	case PROTO_ADMIN_ENROLL:
		return admin_enroll(ctx, fd, peer, req);
	case PROTO_ADMIN_QUESTIONS:
		return admin_questions(ctx, fd, peer, req);
	case PROTO_ADMIN_CLEAR:
		return admin_clear(ctx, fd, peer, req);
	case PROTO_ADMIN_UNLOCK:
		return admin_unlock(ctx, fd, peer, req);
	default:
		return show(ctx, fd, req->field[0]);
	}
}

int admin_handle(struct daemon_ctx *ctx, int fd, const struct ucred *peer,
		 const struct proto_msg *req)
{
	switch (req->type) {
	case PROTO_USER_STATUS:
		return user_status(ctx, fd, peer);
	case PROTO_ADMIN_ENROLL:
	case PROTO_ADMIN_QUESTIONS:
	case PROTO_ADMIN_SHOW:
	case PROTO_ADMIN_CLEAR:
	case PROTO_ADMIN_UNLOCK:
	case PROTO_ADMIN_LIST:
	case PROTO_ADMIN_AUDIT:
	case PROTO_ADMIN_REPORT:
	case PROTO_ADMIN_TEST:
		break;
	default:
		return -EPROTO;
	}
	if (!peer_is_admin(ctx, peer)) {
		log_warning("uid %u is not an administrator: refused %s", (unsigned)peer->uid,
			    proto_type_name(req->type));
		return admin_fail(fd, PROTO_STATUS_DENIED,
				  _("Permission denied: run as root or as a member of the admin "
				    "group."));
	}
	switch (req->type) {
	case PROTO_ADMIN_LIST:
		return admin_list(ctx, fd, req);
	case PROTO_ADMIN_AUDIT:
		return admin_audit(ctx, fd, req);
	case PROTO_ADMIN_REPORT:
		return admin_report(ctx, fd, req);
	case PROTO_ADMIN_TEST:
		return admin_test(ctx, fd, peer, req);
	default:
		return for_user(ctx, fd, peer, req);
	}
}
