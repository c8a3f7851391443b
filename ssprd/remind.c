/*
 * PROTO_REMIND: the lines pam_sspr shows after a login. Two kinds:
 * the notice of the newest self-service reset or unlock, shown once (the
 * registrations.notice_shown marker), and the registration reminder, shown
 * at every login until the user acts on it. The answer must come fast,
 * since a login waits for it: store reads only, no hashing, no network.
 */
#include "ssprd/remind.h"

#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/i18n.h"
#include "common/log.h"
#include "common/validate.h"
#include "ssprd/access.h"
#include "ssprd/audit.h"
#include "ssprd/conn.h"
#include "ssprd/priv.h"
#include "ssprd/registration.h"

#define REMIND_MAX_LINES 3
#define REMIND_LINE_MAX	 1024

#define TEXT_NOT_REGISTERED N_("You have not registered for password reset: run `sspr register`.")
#define TEXT_INCOMPLETE                                                                            \
	N_("Your password-reset information is not enough to reset your password: run `sspr "      \
	   "register`.")
#define TEXT_RECONFIRM N_("Please confirm your password-reset information: run `sspr register`.")

struct remind_lines {
	char text[REMIND_MAX_LINES][REMIND_LINE_MAX];
	unsigned n;
};

/* What a notice needs of an event row, copied out of the store's
 * callback. */
struct notice {
	int64_t id;
	int64_t time;
	char service[PROTO_MAX_SERVICE + 1];
	char rhost[PROTO_MAX_RHOST + 1];
	char tty[PROTO_MAX_TTY + 1];
};

static void add_line(struct remind_lines *l, const char *text)
{
	if (l->n < REMIND_MAX_LINES)
		snprintf(l->text[l->n++], REMIND_LINE_MAX, "%s", text);
}

static bool user_exists(const char *user)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	return getpwnam_r(user, &pw, buf, sizeof(buf), &res) == 0 && res;
}

/* "key=value" from the space-separated detail of rows written before the
 * events table had columns for them. */
static void detail_value(const char *detail, const char *key, char *out, size_t outsz)
{
	size_t klen = strlen(key);
	out[0] = '\0';
	for (const char *p = detail; p && *p;) {
		if (strncmp(p, key, klen) == 0 && p[klen] == '=') {
			const char *v = p + klen + 1;
			snprintf(out, outsz, "%.*s", (int)strcspn(v, " "), v);
			return;
		}
		p = strchr(p, ' ');
		if (p)
			p++;
	}
}

/* Stored text goes to a terminal: printable ASCII only. */
static void field_copy(const char *column, const char *detail, const char *key, char *out,
		       size_t outsz)
{
	char raw[PROTO_MAX_RHOST + 1];
	if (column && *column)
		snprintf(raw, sizeof(raw), "%s", column);
	else
		detail_value(detail, key, raw, sizeof(raw));
	sanitize_for_log(raw, out, outsz);
}

static int copy_event(void *userdata, const struct store_event *e)
{
	struct notice *n = userdata;
	n->id = e->id;
	n->time = e->time;
	field_copy(e->service, e->detail, "service", n->service, sizeof(n->service));
	field_copy(e->rhost, e->detail, "rhost", n->rhost, sizeof(n->rhost));
	field_copy(e->tty, e->detail, "tty", n->tty, sizeof(n->tty));
	return 0;
}

static void format_notice(const struct notice *n, bool unlock, char *out, size_t outsz)
{
	char when[64], from[PROTO_MAX_RHOST + 64];
	time_t t = (time_t)n->time;
	struct tm tm;
	if (!gmtime_r(&t, &tm) || strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm) == 0)
		snprintf(when, sizeof(when), "%s", _("an unknown date"));
	snprintf(from, sizeof(from), "%s",
		 n->rhost[0] ? n->rhost
		 : n->tty[0] ? n->tty
			     : _("this machine"));
	/* Whole sentences: word order differs between languages. */
	if (n->service[0])
		snprintf(out, outsz,
			 unlock ? _("Your account was unlocked on %s from %s (service %s).")
				: _("Your password was reset on %s from %s (service %s)."),
			 when, from, n->service);
	else
		snprintf(out, outsz,
			 unlock ? _("Your account was unlocked on %s from %s.")
				: _("Your password was reset on %s from %s."),
			 when, from);
}

/* The newest reset and unlock not yet announced, oldest first. The marker
 * is read and moved under the store lock, so that two logins at once
 * announce an event once between them. */
static int collect_notices(struct daemon_ctx *ctx, const char *user, struct remind_lines *l)
{
	struct store *s = ctx->store;
	struct notice n[2] = {{0}, {0}}; /* reset, unlock */
	int64_t shown = 0, newest = 0;
	store_lock(s);
	int r = store_notice_shown(s, user, &shown);
	if (r == 0)
		r = store_event_newest(s, user, AUDIT_RESET, copy_event, &n[0]);
	if (r == 0)
		r = store_event_newest(s, user, AUDIT_UNLOCK, copy_event, &n[1]);
	for (size_t i = 0; r == 0 && i < 2; i++)
		if (n[i].id > newest)
			newest = n[i].id;
	/* Shown anyway if the marker cannot be moved: a notice repeated is
	 * better than a reset nobody hears of. */
	if (r == 0 && newest > shown && store_notice_set_shown(s, user, newest) < 0)
		log_error("could not mark the login notice for %s as shown", user);
	store_unlock(s);
	if (r < 0)
		return r;
	bool unlock_first = n[1].id < n[0].id;
	for (size_t k = 0; k < 2; k++) {
		size_t i = unlock_first ? 1 - k : k;
		if (n[i].id <= shown)
			continue;
		char text[REMIND_LINE_MAX];
		format_notice(&n[i], i == 1, text, sizeof(text));
		add_line(l, text);
		log_info("login notice for %s: %s event %lld", user, i == 1 ? "unlock" : "reset",
			 (long long)n[i].id);
	}
	return 0;
}

/* The reminder to register goes to accounts that could use self-service
 * today, the same ones a reset dialogue would accept. */
static void collect_registration(struct daemon_ctx *ctx, const char *user, struct remind_lines *l)
{
	bool enabled = false;
	enum account_state st;
	struct registration reg;
	if (access_user_enabled(&ctx->conf, user, &enabled) < 0 || !enabled)
		return;
	if (priv_account_state(&ctx->conf, user, &st) < 0 || st != ACCOUNT_OK)
		return;
	if (registration_get(ctx, user, (int64_t)time(NULL), &reg) < 0)
		return;
	if (!reg.meets)
		add_line(l, reg.registered ? _(TEXT_INCOMPLETE) : _(TEXT_NOT_REGISTERED));
	else if (reg.reconfirm_due)
		add_line(l, _(TEXT_RECONFIRM));
}

int remind_handle(struct daemon_ctx *ctx, int fd, const struct ucred *peer,
		  const struct proto_msg *req)
{
	/* Only the PAM module (root) asks: an answer tells whether and from
	 * where an account's password was reset. */
	if (peer->uid != 0 && peer->uid != ctx->uid) {
		log_warning("uid %u may not ask for login reminders", (unsigned)peer->uid);
		return conn_send_end(fd, PROTO_STATUS_DENIED);
	}
	const char *user = req->field[0];
	if (!username_valid(user) || !user_exists(user))
		return conn_send_end(fd, PROTO_STATUS_INVALID);
	if (!ctx->conf.remind || !ctx->conf.enabled)
		return conn_send_end(fd, PROTO_STATUS_OK);
	struct remind_lines l = {.n = 0};
	if (collect_notices(ctx, user, &l) < 0)
		log_warning("login notice for %s: could not read the store", user);
	collect_registration(ctx, user, &l);
	for (unsigned i = 0; i < l.n; i++) {
		int r = conn_send_text(fd, PROTO_INFO, l.text[i]);
		if (r < 0)
			return r;
	}
	return conn_send_end(fd, PROTO_STATUS_OK);
}
