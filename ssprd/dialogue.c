#include "ssprd/dialogue.h"

#include <errno.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/log.h"
#include "common/method.h"
#include "common/util.h"
#include "common/validate.h"
#include "ssprd/access.h"
#include "ssprd/code.h"
#include "ssprd/history.h"
#include "ssprd/mail.h"
#include "ssprd/notify.h"
#include "ssprd/policy.h"
#include "ssprd/priv.h"

#define MAX_MENU_ERRORS	    3
#define MAX_POLICY_REFUSALS 5

enum dlg_state {
	DLG_CONFIRM,
	DLG_METHOD,
	DLG_CODE,
	DLG_NEW_PASSWORD,
	DLG_CONFIRM_PASSWORD,
	DLG_FINAL,
	DLG_DONE,
};

struct dialogue {
	struct daemon_ctx *ctx;
	dialogue_send_fn send;
	void *userdata;
	enum dlg_state state;
	enum proto_status status;	/* outcome once DLG_DONE */
	enum proto_status final_status; /* outcome shown in the final prompt */
	char user[PROTO_MAX_USER + 1];	/* sanitized when not a valid name */
	bool user_invalid;
	char service[PROTO_MAX_SERVICE + 1]; /* sanitized: safe for logs and mail */
	char rhost[PROTO_MAX_RHOST + 1];
	char tty[PROTO_MAX_TTY + 1];
	char *email;
	char email_masked[EMAIL_MAX + 8];
	uint8_t request[STORE_REQUEST_SIZE];
	unsigned menu_errors;
	unsigned policy_refusals;
	char *new_password; /* between the two password prompts */
};

static int say(struct dialogue *d, enum proto_type type, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int say(struct dialogue *d, enum proto_type type, const char *fmt, ...)
{
	char buf[PROTO_MAX_TEXT + 1];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return d->send(d->userdata, type, buf);
}

/* Show text inside a last prompt and end with status once it is answered. */
static int finish(struct dialogue *d, enum proto_status status, const char *text)
{
	d->final_status = status;
	d->state = DLG_FINAL;
	return say(d, PROTO_PROMPT_ECHO_ON, "%s\nPress Enter to continue. ", text);
}

static int finish_refused(struct dialogue *d)
{
	char text[PROTO_MAX_TEXT];
	snprintf(text, sizeof(text), "Password recovery is not available for this account.\n%s",
		 d->ctx->conf.helpdesk);
	return finish(d, PROTO_STATUS_FAILED, text);
}

static int cancel(struct dialogue *d)
{
	d->status = PROTO_STATUS_CANCELLED;
	d->state = DLG_DONE;
	log_info("reset dialogue for %s cancelled by the user", d->user);
	return say(d, PROTO_INFO, "Password recovery cancelled.");
}

static void event(struct dialogue *d, const char *what)
{
	char detail[512];
	snprintf(detail, sizeof(detail), "service=%s rhost=%s tty=%s", d->service, d->rhost,
		 d->tty);
	store_event_add(d->ctx->store, d->user, what, detail, (int64_t)time(NULL));
}

int dialogue_new(struct daemon_ctx *ctx, const struct dialogue_request *req, dialogue_send_fn send,
		 void *userdata, struct dialogue **out)
{
	struct dialogue *d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->ctx = ctx;
	d->send = send;
	d->userdata = userdata;
	d->state = DLG_CONFIRM;
	d->status = PROTO_STATUS_FAILED;
	/* An impossible name gets the same dialogue as any refused account,
	 * without reaching the backend; only a sanitized copy is kept. */
	d->user_invalid = !username_valid(req->user);
	sanitize_for_log(req->user, d->user, sizeof(d->user));
	sanitize_for_log(req->service, d->service, sizeof(d->service));
	sanitize_for_log(req->rhost, d->rhost, sizeof(d->rhost));
	sanitize_for_log(req->tty, d->tty, sizeof(d->tty));
	randombytes_buf(d->request, sizeof(d->request));
	*out = d;
	return 0;
}

void dialogue_free(struct dialogue *d)
{
	if (!d)
		return;
	free(d->email);
	secret_free(d->new_password);
	sodium_memzero(d, sizeof(*d));
	free(d);
}

void dialogue_cancel(struct dialogue *d)
{
	d->status = d->state == DLG_FINAL ? d->final_status : PROTO_STATUS_CANCELLED;
	d->state = DLG_DONE;
}

bool dialogue_done(const struct dialogue *d)
{
	return d->state == DLG_DONE;
}

enum proto_status dialogue_status(const struct dialogue *d)
{
	return d->status;
}

int dialogue_start(struct dialogue *d)
{
	log_info("reset dialogue started for %s (service %s, rhost %s, tty %s)", d->user,
		 d->service, d->rhost[0] ? d->rhost : "-", d->tty[0] ? d->tty : "-");
	int r = say(d, PROTO_INFO,
		    "Can't access your account?\n"
		    "You can reset your password after proving who you are.");
	if (r < 0)
		return r;
	return say(d, PROTO_PROMPT_ECHO_ON, "Continue with password recovery? [y/N] ");
}

static bool is_yes(const char *a)
{
	return strcasecmp(a, "y") == 0 || strcasecmp(a, "yes") == 0;
}

/* Every refusal reason is logged, but the user sees one neutral message:
 * the dialogue must not tell an attacker which accounts exist. */
static int check_eligible(struct dialogue *d)
{
	const struct sspr_conf *c = &d->ctx->conf;
	const char *why = NULL;
	bool enabled = false;
	enum account_state st = ACCOUNT_NOT_FOUND;
	struct store_contact email = {0};

	if (!c->enabled)
		why = "self-service is disabled";
	else if (d->user_invalid)
		why = "invalid user name";
	else if (access_user_enabled(c, d->user, &enabled) < 0 || !enabled)
		why = "not in enabled_groups or unknown";
	else if (priv_account_state(c, d->user, &st) < 0 || st != ACCOUNT_OK)
		why = account_state_name(st);
	else if (!(c->methods & METHOD_BIT(METHOD_EMAIL)) || store_contact_get(d->ctx->store, d->user, "email", &email) < 0)
		why = "no registered method";
	else if (!email_valid(email.value) ||
		 email_mask(email.value, d->email_masked, sizeof(d->email_masked)) < 0)
		why = "registered address is invalid";
	if (why) {
		log_info("reset for %s refused: %s", d->user, why);
		store_contact_clear(&email);
		return -EPERM;
	}
	d->email = email.value;
	email.value = NULL;
	return 0;
}

static int show_methods(struct dialogue *d)
{
	d->state = DLG_METHOD;
	return say(d, PROTO_PROMPT_ECHO_ON,
		   "How should we verify it's you?\n"
		   "  1) Email a code to %s\n"
		   "  0) Cancel\n"
		   "Choose [1]: ",
		   d->email_masked);
}

static int send_code(struct dialogue *d)
{
	const struct sspr_conf *c = &d->ctx->conf;
	char code[CODE_DIGITS + 1];
	int r = code_issue(d->ctx->store, d->ctx->code_key, d->user, method_name(METHOD_EMAIL), d->request,
			   c->code_ttl, (int64_t)time(NULL), code);
	if (r == 0) {
		r = notify_send_code(d->ctx, d->user, d->email, code);
		sodium_memzero(code, sizeof(code));
	}
	if (r < 0) {
		log_error("reset for %s: could not send the code by email", d->user);
		char text[PROTO_MAX_TEXT];
		snprintf(text, sizeof(text), "We could not send the code right now.\n%s",
			 c->helpdesk);
		return finish(d, PROTO_STATUS_UNAVAILABLE, text);
	}
	event(d, "code_sent");
	log_info("reset for %s: code sent by email", d->user);
	d->state = DLG_CODE;
	char ttl[64];
	if (c->code_ttl % 60 == 0)
		snprintf(ttl, sizeof(ttl), "%u minute%s", c->code_ttl / 60,
			 c->code_ttl == 60 ? "" : "s");
	else
		snprintf(ttl, sizeof(ttl), "%u seconds", c->code_ttl);
	r = say(d, PROTO_INFO, "We sent a %d-digit code to %s. It expires in %s.", CODE_DIGITS,
		d->email_masked, ttl);
	if (r < 0)
		return r;
	return say(d, PROTO_PROMPT_ECHO_ON, "Enter the code: ");
}

static int ask_new_password(struct dialogue *d)
{
	d->state = DLG_NEW_PASSWORD;
	return say(d, PROTO_PROMPT_ECHO_OFF, "New password: ");
}

static int on_method(struct dialogue *d, const char *a)
{
	if (a[0] == '\0' || strcmp(a, "1") == 0)
		return send_code(d);
	if (strcmp(a, "0") == 0)
		return cancel(d);
	if (++d->menu_errors >= MAX_MENU_ERRORS)
		return cancel(d);
	int r = say(d, PROTO_ERROR, "Please type 1 or 0.");
	return r < 0 ? r : show_methods(d);
}

static int on_code(struct dialogue *d, const char *a)
{
	const struct sspr_conf *c = &d->ctx->conf;
	enum code_result res;
	unsigned left = 0;
	int r = code_check(d->ctx->store, d->ctx->code_key, d->user, method_name(METHOD_EMAIL), d->request, a,
			   c->code_attempts, (int64_t)time(NULL), &res, &left);
	if (r < 0)
		return finish(d, PROTO_STATUS_UNAVAILABLE,
			      "Password recovery failed because of an internal error.");
	switch (res) {
	case CODE_OK:
		event(d, "verified");
		log_info("reset for %s: email code verified", d->user);
		r = say(d, PROTO_INFO,
			"Code accepted. Choose a new password (at least %u characters).",
			c->min_length);
		return r < 0 ? r : ask_new_password(d);
	case CODE_WRONG:
		event(d, "code_wrong");
		r = say(d, PROTO_ERROR, "That code is not correct. %u %s left.", left,
			left == 1 ? "try" : "tries");
		return r < 0 ? r : say(d, PROTO_PROMPT_ECHO_ON, "Enter the code: ");
	case CODE_EXPIRED:
		log_info("reset for %s: code expired", d->user);
		return finish(
		    d, PROTO_STATUS_FAILED,
		    "The code has expired. Start password recovery again to get a new one.");
	case CODE_EXHAUSTED:
		event(d, "code_exhausted");
		log_info("reset for %s: too many wrong codes", d->user);
		return finish(d, PROTO_STATUS_FAILED,
			      "Too many wrong codes. Start password recovery again later.");
	case CODE_MISSING:
		break;
	}
	log_info("reset for %s: code replaced by a newer request", d->user);
	return finish(d, PROTO_STATUS_FAILED,
		      "This code is no longer valid. Start password recovery again.");
}

static int on_new_password(struct dialogue *d, const char *a)
{
	char reason[256];
	struct policy_request req = {.user = d->user, .password = a, .path = POLICY_RESET};
	int r = policy_check(&d->ctx->conf, d->ctx->store, &req, reason, sizeof(reason));
	if (r == -EINVAL) {
		log_info("reset for %s: new password refused: %s", d->user, reason);
		if (++d->policy_refusals >= MAX_POLICY_REFUSALS)
			return finish(d, PROTO_STATUS_FAILED,
				      "Too many refused passwords. Start password recovery again.");
		r = say(d, PROTO_ERROR, "%s", reason);
		return r < 0 ? r : ask_new_password(d);
	}
	if (r < 0) {
		/* Another password would not fare better (min_age_hours, or
		 * the check itself failed): end here. */
		log_info("reset for %s: %s", d->user, reason);
		char text[PROTO_MAX_TEXT];
		snprintf(text, sizeof(text), "%s\n%s", reason, d->ctx->conf.helpdesk);
		return finish(d, PROTO_STATUS_FAILED, text);
	}
	secret_free(d->new_password);
	d->new_password = strdup(a);
	if (!d->new_password)
		return -ENOMEM;
	d->state = DLG_CONFIRM_PASSWORD;
	return say(d, PROTO_PROMPT_ECHO_OFF, "Retype new password: ");
}

static int on_confirm_password(struct dialogue *d, const char *a)
{
	const struct sspr_conf *c = &d->ctx->conf;
	bool same = strlen(a) == strlen(d->new_password) &&
		    sodium_memcmp(a, d->new_password, strlen(a)) == 0;
	if (!same) {
		secret_free(d->new_password);
		d->new_password = NULL;
		int r = say(d, PROTO_ERROR, "The passwords do not match. Try again.");
		return r < 0 ? r : ask_new_password(d);
	}
	/* The password being replaced joins the history before the write,
	 * the new one after it (so a later change made without sspr still
	 * leaves both on record). */
	if (history_record_current(c, d->ctx->store, d->user) < 0)
		log_warning("reset for %s: could not record the old password hash", d->user);
	int r = priv_set_password(c, d->user, d->new_password);
	secret_free(d->new_password);
	d->new_password = NULL;
	if (r == 0 && history_record_current(c, d->ctx->store, d->user) < 0)
		log_warning("reset for %s: could not record the new password hash", d->user);
	if (r < 0) {
		char text[PROTO_MAX_TEXT];
		snprintf(text, sizeof(text), "Your password could not be changed.\n%s",
			 c->helpdesk);
		return finish(d, PROTO_STATUS_FAILED, text);
	}
	event(d, "reset");
	log_msg(LOG_NOTICE, "password of %s reset (service %s, rhost %s)", d->user, d->service,
		d->rhost[0] ? d->rhost : "-");
	/* The user reads the final prompt while the notice goes out. */
	r = finish(d, PROTO_STATUS_RESET,
		   "Your password has been reset. Log in with your new password.");
	if (c->notify_on_reset)
		notify_send_reset(d->ctx, d->user, d->email, d->service, d->rhost, d->tty);
	return r;
}

int dialogue_input(struct dialogue *d, const char *answer)
{
	switch (d->state) {
	case DLG_CONFIRM:
		if (!is_yes(answer))
			return cancel(d);
		if (check_eligible(d) < 0)
			return finish_refused(d);
		return show_methods(d);
	case DLG_METHOD:
		return on_method(d, answer);
	case DLG_CODE:
		return on_code(d, answer);
	case DLG_NEW_PASSWORD:
		return on_new_password(d, answer);
	case DLG_CONFIRM_PASSWORD:
		return on_confirm_password(d, answer);
	case DLG_FINAL:
		d->status = d->final_status;
		d->state = DLG_DONE;
		return 0;
	case DLG_DONE:
		break;
	}
	return -EINVAL;
}
