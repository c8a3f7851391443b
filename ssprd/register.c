/* The registration dialogue: who may register, the current password, and
 * the end. The menu is in register_menu.c, each kind of data in a file of
 * its own. Every change takes effect when its step ends, so a dialogue that
 * breaks off later keeps what was done. */
#include "ssprd/register.h"

#include <errno.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/i18n.h"
#include "common/log.h"
#include "common/util.h"
#include "ssprd/access.h"
#include "ssprd/audit.h"
#include "ssprd/notify.h"
#include "ssprd/priv.h"
#include "ssprd/qr_text.h"
#include "ssprd/register_internal.h"

#define REG_MAX_PASSWORD_FAILURES 3
/* Like pam_unix's delay after a wrong password: guessing through sspr
 * must be no faster than through su. */
#define REG_FAIL_DELAY_MS 2000

int reg_say(struct reg_dialogue *r, enum proto_type type, const char *fmt, ...)
{
	char buf[PROTO_MAX_TEXT + 1];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	int rc = r->send(r->userdata, type, buf);
	/* Lines may carry secrets shown once (codes, the authenticator key). */
	sodium_memzero(buf, sizeof(buf));
	return rc;
}

int reg_say_lines(struct reg_dialogue *r, enum proto_type type, const char *text)
{
	size_t starts[16], lens[16];
	int n = qr_text_split(text, PROTO_MAX_TEXT, starts, lens, ARRAY_SIZE(starts));
	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		int rc = reg_say(r, type, "%.*s", (int)lens[i], text + starts[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int reg_end(struct reg_dialogue *r, enum proto_status status)
{
	reg_contact_forget(r);
	reg_questions_forget(r);
	reg_totp_forget(r);
	r->status = status;
	r->state = REG_DONE;
	return 0;
}

int reg_step_done(struct reg_dialogue *r, enum proto_status status)
{
	r->input_errors = 0;
	if (r->mode != REG_MODE_MENU)
		return reg_end(r, status);
	return reg_show_menu(r);
}

void reg_audit(struct reg_dialogue *r, const char *event, const char *method, const char *detail,
	       bool failed)
{
	struct audit_event e = {
	    .event = event,
	    .user = r->user,
	    .method = method,
	    .service = "sspr",
	    .detail = detail,
	    .failed = failed,
	};
	audit_record(r->ctx, &e);
}

void reg_changed(struct reg_dialogue *r, const char *kind, const char *detail,
		 const char *old_value, const char *new_value)
{
	if (store_registration_confirm(r->ctx->store, r->user, (int64_t)time(NULL)) < 0)
		log_warning("register %s: could not record the confirmation time", r->user);
	reg_audit(r, AUDIT_REGISTER_CHANGED, kind, detail, false);
	log_info("register %s: %s: %s", r->user, kind, detail);
	notify_registration_change(r->ctx, r->user, kind, old_value, new_value);
}

void reg_organisation(const struct reg_dialogue *r, char *out, size_t outsz)
{
	const char *org = r->ctx->conf.organisation;
	int n = org ? (int)strcspn(org, ",") : 0;
	while (n > 0 && org[n - 1] == ' ')
		n--;
	if (n > 0)
		snprintf(out, outsz, "%.*s", n, org);
	else
		snprintf(out, outsz, "%s", r->ctx->hostname[0] ? r->ctx->hostname : "sspr");
}

bool reg_is_yes(const char *a)
{
	return strcasecmp(a, "y") == 0 || strcasecmp(a, "yes") == 0;
}

int reg_dialogue_new(struct daemon_ctx *ctx, const char *user, const char *kind, const char *value,
		     dialogue_send_fn send, void *userdata, struct reg_dialogue **out)
{
	enum reg_mode mode;
	enum reg_contact one = REG_EMAIL;
	if (!username_valid(user) || strlen(value) > PROTO_MAX_VALUE)
		return -EINVAL;
	if (!kind[0] && !value[0]) {
		mode = REG_MODE_MENU;
	} else if (strcmp(kind, "reconfirm") == 0 && !value[0]) {
		mode = REG_MODE_RECONFIRM;
	} else if (value[0] && (strcmp(kind, "email") == 0 || strcmp(kind, "mobile") == 0 ||
				strcmp(kind, "office") == 0)) {
		mode = REG_MODE_ONE;
		one = kind[0] == 'e' ? REG_EMAIL : kind[0] == 'm' ? REG_MOBILE : REG_OFFICE;
	} else {
		return -EINVAL;
	}
	struct reg_dialogue *r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->ctx = ctx;
	r->send = send;
	r->userdata = userdata;
	r->state = REG_PASSWORD;
	r->mode = mode;
	r->status = PROTO_STATUS_FAILED;
	r->one_kind = one;
	snprintf(r->one_value, sizeof(r->one_value), "%s", value);
	snprintf(r->user, sizeof(r->user), "%s", user);
	randombytes_buf(r->request, sizeof(r->request));
	*out = r;
	return 0;
}

void reg_dialogue_free(struct reg_dialogue *r)
{
	if (!r)
		return;
	reg_questions_forget(r);
	reg_totp_forget(r);
	sodium_memzero(r, sizeof(*r));
	free(r);
}

/* The reasons are logged; the user hears only that they may not. */
static const char *not_eligible(struct reg_dialogue *r)
{
	const struct sspr_conf *c = &r->ctx->conf;
	bool enabled = false;
	enum account_state st = ACCOUNT_NOT_FOUND;
	if (!c->enabled)
		return "self-service is disabled";
	if (access_user_enabled(c, r->user, &enabled) < 0 || !enabled)
		return "not in enabled_groups or unknown";
	if (priv_account_state(c, r->user, &st) < 0 || st != ACCOUNT_OK)
		return account_state_name(st);
	return NULL;
}

static int refuse(struct reg_dialogue *r, const char *why)
{
	log_info("register %s refused: %s", r->user, why);
	reg_audit(r, AUDIT_REFUSED, NULL, why, true);
	const char *help = r->ctx->conf.helpdesk;
	int rc = reg_say(r, PROTO_ERROR, "%s%s%s",
			 _("Self-service password reset is not enabled for your account."),
			 help && help[0] ? "\n" : "", help ? help : "");
	return rc < 0 ? rc : reg_end(r, PROTO_STATUS_DENIED);
}

int reg_dialogue_start(struct reg_dialogue *r)
{
	const char *what = r->mode == REG_MODE_MENU	   ? "menu"
			   : r->mode == REG_MODE_RECONFIRM ? "reconfirm"
							   : reg_contact_kind(r->one_kind);
	log_info("registration dialogue started for %s (%s)", r->user, what);
	reg_audit(r, AUDIT_REGISTER_STARTED, r->mode == REG_MODE_ONE ? what : NULL, what, false);
	const char *why = not_eligible(r);
	if (why)
		return refuse(r, why);
	if (r->mode == REG_MODE_ONE && !reg_contact_enabled(&r->ctx->conf, r->one_kind)) {
		int rc = reg_say(
		    r, PROTO_ERROR, "%s",
		    r->one_kind == REG_EMAIL ? _("This system does not use email addresses for "
						 "password reset.")
		    : r->one_kind == REG_MOBILE
			? _("This system does not use mobile phone numbers for password reset.")
			: _("This system does not use office phone numbers you enter for password "
			    "reset."));
		return rc < 0 ? rc : reg_end(r, PROTO_STATUS_INVALID);
	}
	int rc =
	    reg_say(r, PROTO_INFO, _("Registering %s for self-service password reset."), r->user);
	return rc < 0 ? rc : reg_say(r, PROTO_PROMPT_ECHO_OFF, "%s", _("Current password: "));
}

static void fail_delay(void)
{
	struct timespec ts = {REG_FAIL_DELAY_MS / 1000, (REG_FAIL_DELAY_MS % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int on_password(struct reg_dialogue *r, const char *a)
{
	int rc = priv_verify_password(&r->ctx->conf, r->user, a);
	if (rc == -EPERM)
		return refuse(r, "account state changed");
	if (rc == -EACCES) {
		r->password_failures++;
		log_info("register %s: wrong current password (%u)", r->user, r->password_failures);
		reg_audit(r, AUDIT_REGISTER_AUTH_FAIL, NULL, "wrong current password", true);
		fail_delay();
		rc = reg_say(r, PROTO_ERROR, "%s", _("That is not your current password."));
		if (rc < 0)
			return rc;
		if (r->password_failures >= REG_MAX_PASSWORD_FAILURES)
			return reg_end(r, PROTO_STATUS_FAILED);
		return reg_say(r, PROTO_PROMPT_ECHO_OFF, "%s", _("Current password: "));
	}
	if (rc < 0) {
		log_error("register %s: cannot check the password: %s", r->user, strerror(-rc));
		rc = reg_say(r, PROTO_ERROR, "%s",
			     _("Your password cannot be checked right now. Try again later."));
		return rc < 0 ? rc : reg_end(r, PROTO_STATUS_UNAVAILABLE);
	}
	log_info("register %s: current password accepted", r->user);
	switch (r->mode) {
	case REG_MODE_ONE:
		return reg_contact_given(r);
	case REG_MODE_RECONFIRM:
		return reg_confirm(r);
	case REG_MODE_MENU:
		break;
	}
	return reg_show_menu(r);
}

int reg_dialogue_input(struct reg_dialogue *r, const char *answer)
{
	switch (r->state) {
	case REG_PASSWORD:
		return on_password(r, answer);
	case REG_MENU:
		return reg_menu_input(r, answer);
	case REG_CONTACT_VALUE:
	case REG_CONTACT_CODE:
		return reg_contact_input(r, answer);
	case REG_Q_PICK:
	case REG_Q_CUSTOM:
	case REG_Q_ANSWER:
		return reg_questions_input(r, answer);
	case REG_TOTP_CODE:
		return reg_totp_input(r, answer);
	case REG_RECOVERY_REPLACE:
	case REG_RECOVERY_ACK:
		return reg_recovery_input(r, answer);
	case REG_LANGUAGE:
		return reg_language_input(r, answer);
	case REG_DONE:
		break;
	}
	return -EINVAL;
}

void reg_dialogue_cancel(struct reg_dialogue *r)
{
	if (r->state == REG_DONE)
		return;
	log_info("registration dialogue for %s cancelled by the user", r->user);
	reg_audit(r, AUDIT_CANCELLED, NULL, "registration", false);
	reg_end(r, PROTO_STATUS_CANCELLED);
}

void reg_dialogue_abandoned(struct reg_dialogue *r)
{
	log_info("registration dialogue for %s abandoned", r->user);
	reg_audit(r, AUDIT_ABANDONED, NULL, "registration", true);
	reg_contact_forget(r);
	reg_questions_forget(r);
	reg_totp_forget(r);
}

bool reg_dialogue_done(const struct reg_dialogue *r)
{
	return r->state == REG_DONE;
}

enum proto_status reg_dialogue_status(const struct reg_dialogue *r)
{
	return r->status;
}
