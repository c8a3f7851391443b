/* The reset dialogue: confirmation, eligibility, the action after
 * verification (reset or only unlock) and the new password. The
 * verification methods live in dialogue_verify.c. */
#include "ssprd/dialogue.h"

#include <errno.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "common/log.h"
#include "common/util.h"
#include "ssprd/audit.h"
#include "ssprd/decoy.h"
#include "ssprd/dialogue_internal.h"
#include "ssprd/history.h"
#include "ssprd/notify.h"
#include "ssprd/policy.h"
#include "ssprd/priv.h"

#define MAX_MENU_ERRORS	    3
#define MAX_POLICY_REFUSALS 5

int dlg_say(struct dialogue *d, enum proto_type type, const char *fmt, ...)
{
	char buf[PROTO_MAX_TEXT + 1];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return d->send(d->userdata, type, buf);
}

int dlg_finish(struct dialogue *d, enum proto_status status, const char *text)
{
	d->final_status = status;
	d->state = DLG_FINAL;
	return dlg_say(d, PROTO_PROMPT_ECHO_ON, _("%s\nPress Enter to continue. "), text);
}

int dlg_finish_helpdesk(struct dialogue *d, enum proto_status status, const char *first)
{
	char text[PROTO_MAX_TEXT];
	snprintf(text, sizeof(text), "%s\n%s", first, d->ctx->conf.helpdesk);
	return dlg_finish(d, status, text);
}

int dlg_cancel(struct dialogue *d)
{
	d->status = PROTO_STATUS_CANCELLED;
	d->state = DLG_DONE;
	dlg_event(d, AUDIT_CANCELLED);
	log_info("reset dialogue for %s cancelled by the user", d->user);
	return dlg_say(d, PROTO_INFO, "%s", _("Password recovery cancelled."));
}

void dlg_audit(struct dialogue *d, const char *event, const char *method, const char *detail,
	       bool failed)
{
	struct audit_event e = {.event = event,
				.user = d->user,
				.method = method,
				.service = d->service,
				.rhost = d->rhost,
				.tty = d->tty,
				.detail = detail,
				.failed = failed};
	audit_record(d->ctx, &e);
}

/* The method of a step is the one being tried; an outcome names every
 * method passed ("email+sms"). */
static const char *step_method(const struct dialogue *d, const char *event)
{
	if (strcmp(event, AUDIT_VERIFIED) == 0 || strcmp(event, AUDIT_RESET) == 0 ||
	    strcmp(event, AUDIT_UNLOCK) == 0 || strcmp(event, AUDIT_RESET_FAILED) == 0 ||
	    strcmp(event, AUDIT_RATE_LIMITED) == 0)
		return d->methods_used;
	return d->current >= 0 ? method_name(d->options[d->current].method) : "";
}

/* A decoy dialogue audits its refusal (with the real reason) and how it
 * ended, not its made-up steps: no code went anywhere, and reports must
 * not count them. Where a real dialogue would write a step, the decoy
 * writes its pending refusal, or waits as long as a write takes. True when
 * what is not to be recorded. */
static bool decoy_quiet(struct dialogue *d, const char *what)
{
	if (!d->decoy)
		return false;
	bool kept = strcmp(what, AUDIT_CANCELLED) == 0 || strcmp(what, AUDIT_ABANDONED) == 0 ||
		    strcmp(what, AUDIT_RATE_LIMITED) == 0;
	if (d->decoy_refusal_pending) {
		d->decoy_refusal_pending = false;
		dlg_audit(d, AUDIT_REFUSED, "", d->decoy_why, false);
	} else if (!kept) {
		decoy_wait(DECOY_STORE_WRITE);
	}
	return !kept;
}

void dlg_event(struct dialogue *d, const char *what)
{
	if (decoy_quiet(d, what))
		return;
	int64_t t0 = decoy_now_us();
	dlg_audit(d, what, step_method(d, what), NULL, false);
	if (!d->decoy)
		decoy_timing_record(DECOY_STORE_WRITE, decoy_now_us() - t0);
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
	d->current = -1;
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
	if (d->decoy_refusal_pending)
		decoy_quiet(d, AUDIT_CANCELLED);
	dlg_verify_cleanup(d);
	secret_free(d->new_password);
	sodium_memzero(d, sizeof(*d));
	free(d);
}

void dialogue_cancel(struct dialogue *d)
{
	if (d->state != DLG_FINAL && d->state != DLG_DONE)
		dlg_event(d, AUDIT_CANCELLED);
	d->status = d->state == DLG_FINAL ? d->final_status : PROTO_STATUS_CANCELLED;
	d->state = DLG_DONE;
}

static const char *state_text(enum dlg_state st)
{
	static const char *const text[] = {
	    [DLG_CONFIRM] = "at the first question",
	    [DLG_CAPTCHA] = "at the CAPTCHA",
	    [DLG_METHOD] = "at the method menu",
	    [DLG_CODE] = "waiting for a code",
	    [DLG_QUESTION] = "at the security questions",
	    [DLG_TOTP] = "waiting for an authenticator code",
	    [DLG_RECOVERY] = "waiting for a recovery code",
	    [DLG_VOICE_WAIT] = "waiting for the call confirmation",
	    [DLG_ACTION] = "at the reset or unlock choice",
	    [DLG_NEW_PASSWORD] = "at the new password",
	    [DLG_CONFIRM_PASSWORD] = "at the new password",
	    [DLG_FINAL] = "at the end",
	    [DLG_DONE] = "at the end",
	};
	return (size_t)st < ARRAY_SIZE(text) && text[st] ? text[st] : "";
}

void dialogue_abandoned(struct dialogue *d)
{
	if (d->state == DLG_DONE)
		return;
	/* At the last prompt the outcome is reached and already audited. */
	if (d->state == DLG_FINAL) {
		d->status = d->final_status;
	} else {
		decoy_quiet(d, AUDIT_ABANDONED);
		dlg_audit(d, AUDIT_ABANDONED, step_method(d, AUDIT_ABANDONED), state_text(d->state),
			  false);
		d->status = PROTO_STATUS_FAILED;
	}
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
	dlg_event(d, AUDIT_DIALOGUE_STARTED);
	int r = dlg_say(d, PROTO_INFO, "%s",
			_("Can't access your account?\n"
			  "You can reset your password after proving who you are."));
	if (r < 0)
		return r;
	/* The answer stays y or yes in every language (dialogue_start.c). */
	return dlg_say(d, PROTO_PROMPT_ECHO_ON, "%s", _("Continue with password recovery? [y/N] "));
}

static int ask_new_password(struct dialogue *d)
{
	d->state = DLG_NEW_PASSWORD;
	return dlg_say(d, PROTO_PROMPT_ECHO_OFF, "%s", _("New password: "));
}

static int start_password(struct dialogue *d)
{
	unsigned n = d->ctx->conf.min_length;
	int r = dlg_say(d, PROTO_INFO,
			P_("Choose a new password (at least %u character).",
			   "Choose a new password (at least %u characters).", n),
			n);
	return r < 0 ? r : ask_new_password(d);
}

int dlg_verified(struct dialogue *d)
{
	/* Unreachable (a decoy's answers are all wrong); fail closed. */
	if (d->decoy) {
		log_error("reset for %s: a decoy dialogue got verified; refused", d->user);
		return dlg_finish(d, PROTO_STATUS_FAILED,
				  _("Password recovery failed because of an internal error."));
	}
	/* Once: a wrong answer to the action menu comes back here. */
	if (d->state != DLG_ACTION)
		dlg_event(d, AUDIT_VERIFIED);
	log_info("reset for %s: identity verified (%s)", d->user, d->methods_used);
	if (priv_mark_verified(&d->ctx->conf, d->user) < 0)
		log_warning("reset for %s: the privileged side did not take the verification",
			    d->user);
	unsigned records = 0;
	if (priv_faillock_records(&d->ctx->conf, d->user, &records) < 0 || records == 0)
		return start_password(d);
	d->state = DLG_ACTION;
	return dlg_say(d, PROTO_PROMPT_ECHO_ON, "%s",
		       _("Your account is locked after failed logins. What would you like to do?\n"
			 "  1) Reset my password (and unlock)\n"
			 "  2) Unlock my account, keep my password\n"
			 "  0) Cancel\n"
			 "Choose [1]: "));
}

static void send_notice(struct dialogue *d, bool unlocked)
{
	struct notify_origin o = {
	    .service = d->service, .rhost = d->rhost, .tty = d->tty, .methods = d->methods_used};
	notify_outcome(d->ctx, d->user, unlocked, &o);
}

static int unlock_only(struct dialogue *d)
{
	int r = priv_unlock(&d->ctx->conf, d->user);
	if (r < 0) {
		log_error("unlock of %s failed: %s", d->user, strerror(-r));
		dlg_audit(d, AUDIT_RESET_FAILED, d->methods_used, "the unlock failed", true);
		return dlg_finish_helpdesk(d, PROTO_STATUS_FAILED,
					   _("Your account could not be unlocked."));
	}
	dlg_event(d, AUDIT_UNLOCK);
	log_msg(LOG_NOTICE, "account %s unlocked (service %s, rhost %s)", d->user, d->service,
		d->rhost[0] ? d->rhost : "-");
	r = dlg_finish(d, PROTO_STATUS_UNLOCKED,
		       _("Your account has been unlocked. Log in with your current password."));
	send_notice(d, true);
	return r;
}

static int on_action(struct dialogue *d, const char *a)
{
	if (a[0] == '\0' || strcmp(a, "1") == 0)
		return start_password(d);
	if (strcmp(a, "2") == 0)
		return unlock_only(d);
	if (strcmp(a, "0") == 0 || ++d->menu_errors >= MAX_MENU_ERRORS)
		return dlg_cancel(d);
	int r = dlg_say(d, PROTO_ERROR, "%s", _("Please type 1, 2 or 0."));
	return r < 0 ? r : dlg_verified(d);
}

static int on_new_password(struct dialogue *d, const char *a)
{
	char reason[512], logged[256] = "";
	struct policy_request req = {.user = d->user,
				     .password = a,
				     .path = POLICY_RESET,
				     .log_reason = logged,
				     .log_reason_size = sizeof(logged)};
	int r = policy_check(&d->ctx->conf, d->ctx->store, &req, reason, sizeof(reason));
	if (r == -EINVAL) {
		log_info("reset for %s: new password refused: %s", d->user, logged);
		if (++d->policy_refusals >= MAX_POLICY_REFUSALS)
			return dlg_finish(
			    d, PROTO_STATUS_FAILED,
			    _("Too many refused passwords. Start password recovery again."));
		r = dlg_say(d, PROTO_ERROR, "%s", reason);
		return r < 0 ? r : ask_new_password(d);
	}
	if (r < 0) {
		/* Another password would not fare better (min_age_hours, or
		 * the check itself failed): end here. */
		log_info("reset for %s: %s", d->user, logged);
		if (r == -EAGAIN)
			dlg_audit(d, AUDIT_RATE_LIMITED, d->methods_used, logged, false);
		return dlg_finish_helpdesk(d, PROTO_STATUS_FAILED, reason);
	}
	secret_free(d->new_password);
	d->new_password = strdup(a);
	if (!d->new_password)
		return -ENOMEM;
	d->state = DLG_CONFIRM_PASSWORD;
	return dlg_say(d, PROTO_PROMPT_ECHO_OFF, "%s", _("Retype new password: "));
}

static int on_confirm_password(struct dialogue *d, const char *a)
{
	const struct sspr_conf *c = &d->ctx->conf;
	bool same = strlen(a) == strlen(d->new_password) &&
		    sodium_memcmp(a, d->new_password, strlen(a)) == 0;
	if (!same) {
		secret_free(d->new_password);
		d->new_password = NULL;
		int r = dlg_say(d, PROTO_ERROR, "%s", _("The passwords do not match. Try again."));
		return r < 0 ? r : ask_new_password(d);
	}
	/* The password being replaced joins the history before the write,
	 * the new one after it (so a later change made without sspr still
	 * leaves both on record). */
	if (history_record_current(c, d->ctx->store, d->user) < 0)
		log_warning("reset for %s: could not record the old password hash", d->user);
	int r = priv_set_password(c, d->user, d->new_password);
	/* A directory does not show its hashes: the history keeps its own. */
	if (r == 0 && c->backend == BACKEND_LDAP &&
	    history_record_password(c, d->ctx->store, d->user, d->new_password) < 0)
		log_warning("reset for %s: could not record the new password hash", d->user);
	secret_free(d->new_password);
	d->new_password = NULL;
	if (r < 0) {
		dlg_audit(d, AUDIT_RESET_FAILED, d->methods_used, strerror(-r), true);
		return dlg_finish_helpdesk(d, PROTO_STATUS_FAILED,
					   _("Your password could not be changed."));
	}
	if (history_record_current(c, d->ctx->store, d->user) < 0)
		log_warning("reset for %s: could not record the new password hash", d->user);
	/* "Reset my password (and unlock)": failed logins of the forgotten
	 * password must not lock out the new one. */
	if (priv_unlock(c, d->user) < 0)
		log_warning("reset for %s: could not clear the failed-login records", d->user);
	dlg_event(d, AUDIT_RESET);
	log_msg(LOG_NOTICE, "password of %s reset (service %s, rhost %s)", d->user, d->service,
		d->rhost[0] ? d->rhost : "-");
	/* The user reads the final prompt while the notice goes out. */
	r = dlg_finish(d, PROTO_STATUS_RESET,
		       _("Your password has been reset. Log in with your new password."));
	send_notice(d, false);
	return r;
}

int dialogue_input(struct dialogue *d, const char *answer)
{
	switch (d->state) {
	case DLG_CONFIRM:
		return dlg_on_confirm(d, answer);
	case DLG_CAPTCHA:
		return dlg_on_captcha(d, answer);
	case DLG_METHOD:
		return dlg_on_method(d, answer);
	case DLG_CODE:
	case DLG_QUESTION:
	case DLG_TOTP:
	case DLG_RECOVERY:
	case DLG_VOICE_WAIT:
		return dlg_on_verify_answer(d, answer);
	case DLG_ACTION:
		return on_action(d, answer);
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
