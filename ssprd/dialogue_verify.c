/* The verification half of the dialogue: the menu and each method's steps.
 * Which methods a user can use is in dialogue_options.c. */
#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/i18n.h"
#include "common/log.h"
#include "common/util.h"
#include "ssprd/audit.h"
#include "ssprd/code.h"
#include "ssprd/dialogue_limits.h"
#include "ssprd/gateway.h"
#include "ssprd/language.h"
#include "ssprd/notify.h"
#include "ssprd/recovery.h"
#include "ssprd/totp.h"

#define MAX_MENU_ERRORS	  3
#define MAX_SEND_FAILURES 3

int dlg_show_methods(struct dialogue *d)
{
	char text[PROTO_MAX_TEXT];
	int n = snprintf(text, sizeof(text), "%s\n",
			 d->passed == 0 ? _("How should we verify it's you?")
					: _("Now verify it's you a second way."));
	d->nmenu = 0;
	for (unsigned i = 0; i < d->noptions; i++) {
		bool usable = !d->options[i].passed;
		for (unsigned j = 0; j < d->noptions && usable; j++)
			usable = !(d->options[j].passed &&
				   dlg_same_factor(&d->options[i], &d->options[j]));
		if (!usable)
			continue;
		d->menu[d->nmenu++] = i;
		n += snprintf(text + n, sizeof(text) - (size_t)n, "  %u) %s\n", d->nmenu,
			      d->options[i].label);
	}
	if (d->nmenu == 0)
		return dlg_finish_helpdesk(d, PROTO_STATUS_FAILED,
					   _("No other way to verify your identity is available."));
	snprintf(text + n, sizeof(text) - (size_t)n, "  0) %s\n%s", _("Cancel"), _("Choose [1]: "));
	d->state = DLG_METHOD;
	d->current = -1;
	return dlg_say(d, PROTO_PROMPT_ECHO_ON, "%s", text);
}

static int code_prompt(struct dialogue *d)
{
	return dlg_say(d, PROTO_PROMPT_ECHO_ON, "%s",
		       d->nmenu > 1 ? _("Enter the code (Enter alone: other methods): ")
				    : _("Enter the code: "));
}

/* A delivery failed: the user may pick another method. (The budget for
 * texts and calls running out looks the same: it is not about them.) */
static int send_failed(struct dialogue *d, const char *what)
{
	log_error("reset for %s: could not %s", d->user, what);
	dlg_event(d, AUDIT_SEND_FAILED);
	if (++d->send_failures >= MAX_SEND_FAILURES || d->nmenu <= 1)
		return dlg_finish_helpdesk(d, PROTO_STATUS_UNAVAILABLE,
					   _("We could not send the code right now."));
	int r = dlg_say(d, PROTO_ERROR, "%s",
			_("We could not reach you that way. Try another method."));
	return r < 0 ? r : dlg_show_methods(d);
}

static int send_code(struct dialogue *d, struct dlg_option *o)
{
	const struct sspr_conf *c = &d->ctx->conf;
	char ttl[64], masked[64];
	int r = 0, lim = dlg_limits_send(d, o->method != METHOD_EMAIL, &r);
	if (lim == -EBUSY)
		return r;
	if (lim < 0)
		return send_failed(d, "send the code: [limits] budget of texts and calls used up");
	/* code_issue and the delivery (a decoy's: none), dialogue_decoy.c */
	r = dlg_deliver_code(d, o);
	lang_duration(c->code_ttl, ttl, sizeof(ttl));
	if (r < 0) {
		store_code_delete(d->ctx->store, d->user, method_name(o->method));
		return send_failed(d, o->method == METHOD_EMAIL
					  ? "send the code by email"
					  : "send the code through the gateway");
	}
	dlg_event(d, AUDIT_CODE_SENT);
	log_info("reset for %s: code sent by %s", d->user, method_name(o->method));
	d->state = DLG_CODE;
	if (o->method == METHOD_EMAIL) {
		r = dlg_say(d, PROTO_INFO, _("We sent a %d-digit code to %s. It expires in %s."),
			    CODE_DIGITS, o->masked, ttl);
	} else if (o->method == METHOD_SMS) {
		phone_mask(o->dest, masked, sizeof(masked));
		r = dlg_say(d, PROTO_INFO,
			    _("We sent a %d-digit code by text message to %s. It expires in %s."),
			    CODE_DIGITS, masked, ttl);
	} else {
		r = dlg_say(d, PROTO_INFO,
			    _("We are calling you. Answer, press any key, and listen for your "
			      "%d-digit code."),
			    CODE_DIGITS);
	}
	return r < 0 ? r : code_prompt(d);
}

static int call_for_pound(struct dialogue *d, struct dlg_option *o)
{
	const struct sspr_conf *c = &d->ctx->conf;
	char url[512];
	int r = 0, lim = dlg_limits_send(d, true, &r);
	if (lim == -EBUSY)
		return r;
	if (lim < 0)
		return send_failed(d, "place the call: [limits] budget of texts and calls used up");
	if (!d->ctx->voicecb ||
	    voicecb_expect(d->ctx->voicecb, d->voice_token, url, sizeof(url)) < 0)
		return send_failed(d, "wait for a call confirmation");
	struct gateway_call call = {.to = o->dest,
				    .mode = VOICE_PRESS_POUND,
				    .callback = url,
				    .organisation = c->organisation};
	if (dlg_place_call(d, &call) < 0) {
		voicecb_forget(d->ctx->voicecb, d->voice_token);
		d->voice_token[0] = '\0';
		return send_failed(d, "place the call");
	}
	dlg_event(d, AUDIT_CALL_PLACED);
	log_info("reset for %s: %s call placed", d->user, method_name(o->method));
	d->voice_deadline_ms = now_ms() + (int64_t)c->voice_confirm_timeout * 1000;
	d->state = DLG_VOICE_WAIT;
	/* b stays b in every language (dlg_on_verify_answer). */
	return dlg_say(d, PROTO_PROMPT_ECHO_ON,
		       P_("We are calling you now. Answer it and press # within %u second,\n"
			  "then press Enter here (type b for other methods): ",
			  "We are calling you now. Answer it and press # within %u seconds,\n"
			  "then press Enter here (type b for other methods): ",
			  c->voice_confirm_timeout),
		       c->voice_confirm_timeout);
}

static int start_method(struct dialogue *d, unsigned option)
{
	struct dlg_option *o = &d->options[option];
	d->current = (int)option;
	int r;
	/* Another dialogue may have locked the reset flow meanwhile. */
	if (dlg_limits_locked(d, &r))
		return r;
	switch (o->method) {
	case METHOD_EMAIL:
	case METHOD_SMS:
		return send_code(d, o);
	case METHOD_VOICE_MOBILE:
	case METHOD_VOICE_OFFICE:
		if (d->ctx->conf.voice_mode == VOICE_PRESS_POUND)
			return call_for_pound(d, o);
		return send_code(d, o);
	case METHOD_QUESTIONS:
		return dlg_begin_questions(d);
	case METHOD_TOTP:
		d->state = DLG_TOTP;
		return dlg_say(d, PROTO_PROMPT_ECHO_ON, "%s",
			       _("Enter the 6-digit code from your authenticator app: "));
	case METHOD_RECOVERY_CODE:
		d->state = DLG_RECOVERY;
		return dlg_say(d, PROTO_PROMPT_ECHO_ON, "%s",
			       _("Enter one of your recovery codes: "));
	case METHOD_COUNT:
		break;
	}
	return -EINVAL;
}

int dlg_on_method(struct dialogue *d, const char *a)
{
	char *end = NULL;
	unsigned long n = a[0] == '\0' ? 1 : strtoul(a, &end, 10);
	if (a[0] != '\0' && (a[0] < '0' || a[0] > '9' || *end != '\0'))
		n = ULONG_MAX;
	if (n == 0)
		return dlg_cancel(d);
	if (n <= d->nmenu) {
		d->current = (int)d->menu[n - 1];
		dlg_event(d, AUDIT_METHOD_CHOSEN);
		return start_method(d, d->menu[n - 1]);
	}
	if (++d->menu_errors >= MAX_MENU_ERRORS)
		return dlg_cancel(d);
	int r = d->nmenu == 1
		    ? dlg_say(d, PROTO_ERROR, "%s", _("Please type 1 or 0."))
		    : dlg_say(d, PROTO_ERROR, _("Please type a number from 0 to %u."), d->nmenu);
	return r < 0 ? r : dlg_show_methods(d);
}

void dlg_verify_cleanup(struct dialogue *d)
{
	dlg_forget_questions(d);
	if (d->voice_token[0] && d->ctx->voicecb)
		voicecb_forget(d->ctx->voicecb, d->voice_token);
	d->voice_token[0] = '\0';
}

int dlg_passed(struct dialogue *d, const char *msg)
{
	int r;
	/* Another dialogue may have locked the reset flow meanwhile. */
	if (dlg_limits_locked(d, &r))
		return r;
	struct dlg_option *o = &d->options[d->current];
	o->passed = true;
	d->passed++;
	size_t n = strlen(d->methods_used);
	snprintf(d->methods_used + n, sizeof(d->methods_used) - n, "%s%s", n ? "+" : "",
		 method_name(o->method));
	dlg_event(d, AUDIT_VERIFY_PASSED);
	dlg_verify_cleanup(d);
	d->current = -1;
	r = dlg_say(d, PROTO_INFO, "%s", msg);
	if (r < 0)
		return r;
	if (d->passed >= d->ctx->conf.required)
		return dlg_verified(d);
	r = dlg_say(d, PROTO_INFO, "%s", _("One more verification is needed."));
	return r < 0 ? r : dlg_show_methods(d);
}

/* [notify] admins hear of lockouts, and of every failure with
 * admin_failures (notify.c decides). Called once the user has the next
 * prompt, so a slow mail server does not hold the dialogue up. */
static void tell_admins(struct dialogue *d, const char *event, const char *method)
{
	struct notify_origin o = {
	    .service = d->service, .rhost = d->rhost, .tty = d->tty, .methods = method};
	notify_admins_event(d->ctx, event, d->user, &o);
}

static int after_failure(struct dialogue *d, const char *msg, bool back_to_menu, bool locked)
{
	if (locked)
		return dlg_finish(
		    d, PROTO_STATUS_FAILED,
		    _("Too many failed attempts. Start password recovery again later."));
	int r = dlg_say(d, PROTO_ERROR, "%s", msg);
	if (r < 0)
		return r;
	if (back_to_menu) {
		dlg_verify_cleanup(d);
		return dlg_show_methods(d);
	}
	if (d->state == DLG_QUESTION) {
		/* The same questions again: a failure never draws easier ones. */
		d->next_question = 0;
		return dlg_ask_question(d);
	}
	return start_method(d, (unsigned)d->current);
}

/* A wrong answer of a method without its own attempt counter. */
int dlg_failed(struct dialogue *d, const char *msg, bool back_to_menu)
{
	/* The last allowed failure ends the dialogue: a lockout, like a code
	 * whose attempts are used up. */
	bool locked = ++d->failures >= d->ctx->conf.code_attempts;
	const char *event = locked ? AUDIT_CODE_EXHAUSTED : AUDIT_VERIFY_FAILED;
	const char *method = method_name(d->options[d->current].method);
	int r;
	dlg_event(d, event);
	log_info("reset for %s: %s verification failed", d->user, method);
	/* Every failure also counts toward [limits], across dialogues. */
	bool stopped = dlg_limits_failure(d, &r);
	if (!stopped)
		r = after_failure(d, msg, back_to_menu, locked);
	tell_admins(d, stopped ? AUDIT_CODE_EXHAUSTED : event, method);
	return r;
}

static int on_code(struct dialogue *d, const char *a)
{
	const char *m = method_name(d->options[d->current].method);
	enum code_result res;
	unsigned left = 0;
	int r = dlg_check_code(d, a, &res, &left);
	if (r < 0)
		return dlg_finish(d, PROTO_STATUS_UNAVAILABLE,
				  _("Password recovery failed because of an internal error."));
	switch (res) {
	case CODE_OK:
		log_info("reset for %s: %s code verified", d->user, m);
		return dlg_passed(d, _("Code accepted."));
	case CODE_WRONG:
		dlg_event(d, AUDIT_CODE_WRONG);
		if (dlg_limits_failure(d, &r)) {
			tell_admins(d, AUDIT_CODE_EXHAUSTED, m);
			return r;
		}
		r = dlg_say(d, PROTO_ERROR,
			    P_("That code is not correct. %u try left.",
			       "That code is not correct. %u tries left.", left),
			    left);
		if (r >= 0)
			r = code_prompt(d);
		tell_admins(d, AUDIT_CODE_WRONG, m);
		return r;
	case CODE_EXPIRED:
		log_info("reset for %s: code expired", d->user);
		return dlg_finish(
		    d, PROTO_STATUS_FAILED,
		    _("The code has expired. Start password recovery again to get a new one."));
	case CODE_EXHAUSTED:
		dlg_event(d, AUDIT_CODE_EXHAUSTED);
		log_info("reset for %s: too many wrong codes", d->user);
		if (!dlg_limits_failure(d, &r))
			r = dlg_finish(
			    d, PROTO_STATUS_FAILED,
			    _("Too many wrong codes. Start password recovery again later."));
		tell_admins(d, AUDIT_CODE_EXHAUSTED, m);
		return r;
	case CODE_MISSING:
		break;
	}
	log_info("reset for %s: code replaced by a newer request", d->user);
	return dlg_finish(d, PROTO_STATUS_FAILED,
			  _("This code is no longer valid. Start password recovery again."));
}

static int on_totp(struct dialogue *d, const char *a)
{
	enum totp_result res;
	if (dlg_check_totp(d, a, &res) < 0)
		return dlg_finish(d, PROTO_STATUS_UNAVAILABLE,
				  _("Password recovery failed because of an internal error."));
	if (res == TOTP_OK)
		return dlg_passed(d, _("Code accepted."));
	if (res == TOTP_REPLAY)
		log_info("reset for %s: authenticator code replayed", d->user);
	return dlg_failed(d, _("That code is not correct or was used already."), false);
}

static int on_recovery(struct dialogue *d, const char *a)
{
	int r = dlg_use_recovery(d, a);
	if (r == -EACCES)
		return dlg_failed(d, _("That recovery code is not valid."), false);
	if (r < 0)
		return dlg_finish(d, PROTO_STATUS_UNAVAILABLE,
				  _("Password recovery failed because of an internal error."));
	unsigned left = 0;
	store_recovery_left(d->ctx->store, d->user, &left);
	char msg[256];
	snprintf(msg, sizeof(msg), _("Recovery code accepted. You have %u left."), left);
	return dlg_passed(d, msg);
}

static int on_voice(struct dialogue *d)
{
	int r = voicecb_wait(d->ctx->voicecb, d->voice_token, d->voice_deadline_ms);
	if (r == 0)
		return dlg_passed(d, _("Call confirmed."));
	if (r == -EACCES)
		return dlg_failed(d, _("The call was not confirmed."), true);
	return dlg_failed(d, _("We did not receive the confirmation in time."), true);
}

int dlg_on_verify_answer(struct dialogue *d, const char *a)
{
	if (d->current < 0)
		return -EINVAL;
	bool back = d->state == DLG_VOICE_WAIT ? strcmp(a, "b") == 0 : a[0] == '\0';
	if (back) {
		dlg_verify_cleanup(d);
		return dlg_show_methods(d);
	}
	switch (d->state) {
	case DLG_CODE:
		return on_code(d, a);
	case DLG_QUESTION:
		return dlg_on_question_answer(d, a);
	case DLG_TOTP:
		return on_totp(d, a);
	case DLG_RECOVERY:
		return on_recovery(d, a);
	case DLG_VOICE_WAIT:
		return on_voice(d);
	default:
		return -EINVAL;
	}
}
