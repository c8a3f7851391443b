/* Email address, mobile and office numbers in the registration dialogue.
 * An address or mobile number counts only once the user typed the code
 * sent to it: a typo must not send reset codes to a stranger. Office
 * numbers take no code (a desk phone may not take texts) and say so. */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/i18n.h"
#include "common/log.h"
#include "common/method.h"
#include "common/util.h"
#include "ssprd/audit.h"
#include "ssprd/code.h"
#include "ssprd/gateway.h"
#include "ssprd/language.h"
#include "ssprd/limits.h"
#include "ssprd/notify.h"
#include "ssprd/register_internal.h"

/* Codes one dialogue may send to typed addresses and numbers. */
#define REG_MAX_CODES 5

static const char *const kind_name[] = {"email", "mobile", "office"};
static const char *const code_method[] = {"reg_email", "reg_mobile", NULL};
/* Whole sentences for each kind (translated where said): languages do
 * not build them from a noun alike. */
enum contact_text {
	CT_SAVE_FAILED,
	CT_NONE,
	CT_REMOVE_FAILED,
	CT_REMOVED,
	CT_SEND_FAILED,
	CT_COUNT,
};
static const char *const contact_texts[][CT_COUNT] = {
    [REG_EMAIL] =
	{
	    [CT_SAVE_FAILED] = N_("Your email address could not be saved. Try again later."),
	    [CT_NONE] = N_("You have no email address registered."),
	    [CT_REMOVE_FAILED] = N_("Your email address could not be removed. Try again later."),
	    [CT_REMOVED] = N_("Your email address was removed."),
	    [CT_SEND_FAILED] = N_("We could not send a code to that email address right now. "
				  "Nothing was changed."),
	},
    [REG_MOBILE] =
	{
	    [CT_SAVE_FAILED] = N_("Your mobile number could not be saved. Try again later."),
	    [CT_NONE] = N_("You have no mobile number registered."),
	    [CT_REMOVE_FAILED] = N_("Your mobile number could not be removed. Try again later."),
	    [CT_REMOVED] = N_("Your mobile number was removed."),
	    [CT_SEND_FAILED] = N_("We could not send a code to that mobile number right now. "
				  "Nothing was changed."),
	},
    [REG_OFFICE] =
	{
	    [CT_SAVE_FAILED] = N_("Your office number could not be saved. Try again later."),
	    [CT_NONE] = N_("You have no office number registered."),
	    [CT_REMOVE_FAILED] = N_("Your office number could not be removed. Try again later."),
	    [CT_REMOVED] = N_("Your office number was removed."),
	    [CT_SEND_FAILED] = N_("We could not send a code to that office number right now. "
				  "Nothing was changed."),
	},
};

static const char *contact_text(const struct reg_dialogue *r, enum contact_text t)
{
	return _(contact_texts[r->contact][t]);
}

bool reg_contact_enabled(const struct sspr_conf *c, enum reg_contact kind)
{
	switch (kind) {
	case REG_EMAIL:
		return c->methods & METHOD_BIT(METHOD_EMAIL);
	case REG_MOBILE:
		return c->methods & (METHOD_BIT(METHOD_SMS) | METHOD_BIT(METHOD_VOICE_MOBILE));
	case REG_OFFICE:
		/* GECOS numbers belong to the account's administrator. */
		return (c->methods & METHOD_BIT(METHOD_VOICE_OFFICE)) &&
		       c->office_source == OFFICE_FROM_STORE;
	}
	return false;
}

const char *reg_contact_kind(enum reg_contact kind)
{
	return kind_name[kind];
}

static int value_prompt(struct reg_dialogue *r)
{
	r->state = REG_CONTACT_VALUE;
	if (r->contact == REG_EMAIL)
		return reg_say(r, PROTO_PROMPT_ECHO_ON, "%s",
			       _("Email address (Enter to go back, - to remove): "));
	return reg_say(r, PROTO_PROMPT_ECHO_ON, "%s",
		       r->contact == REG_MOBILE
			   ? _("Mobile number in international form, like +15550100167\n"
			       "(Enter to go back, - to remove): ")
			   : _("Office number in international form, like +15550100167\n"
			       "(Enter to go back, - to remove): "));
}

int reg_contact_start(struct reg_dialogue *r, enum reg_contact kind)
{
	r->contact = kind;
	r->input_errors = 0;
	return value_prompt(r);
}

static int code_prompt(struct reg_dialogue *r)
{
	r->state = REG_CONTACT_CODE;
	return reg_say(r, PROTO_PROMPT_ECHO_ON, "%s",
		       r->mode == REG_MODE_MENU ? _("Code (Enter to go back): ") : _("Code: "));
}

void reg_contact_forget(struct reg_dialogue *r)
{
	const char *m = code_method[r->contact];
	if (m && r->pending[0])
		store_code_delete(r->ctx->store, r->user, m);
	sodium_memzero(r->pending, sizeof(r->pending));
}

/* An invalid address or number: ask again, or end when it came from the
 * command line. */
static int bad_value(struct reg_dialogue *r, const char *msg)
{
	int rc = reg_say(r, PROTO_ERROR, "%s", msg);
	if (rc < 0)
		return rc;
	if (r->mode == REG_MODE_ONE)
		return reg_end(r, PROTO_STATUS_INVALID);
	if (++r->input_errors >= REG_MAX_INPUT_ERRORS)
		return reg_step_done(r, PROTO_STATUS_INVALID);
	return value_prompt(r);
}

static int save(struct reg_dialogue *r, const char *value, bool verified)
{
	struct store *s = r->ctx->store;
	const char *kind = kind_name[r->contact];
	struct store_contact old = {0};
	int64_t now = (int64_t)time(NULL);
	store_lock(s);
	bool had = store_contact_get(s, r->user, kind, &old) == 0;
	int rc = store_contact_set(s, r->user, kind, value, "user", now);
	if (rc == 0 && verified)
		rc = store_contact_set_verified(s, r->user, kind, now);
	store_unlock(s);
	if (rc < 0) {
		log_error("register %s: cannot save the %s: %s", r->user, kind, strerror(-rc));
		store_contact_clear(&old);
		rc = reg_say(r, PROTO_ERROR, "%s", contact_text(r, CT_SAVE_FAILED));
		return rc < 0 ? rc : reg_step_done(r, PROTO_STATUS_UNAVAILABLE);
	}
	reg_changed(r, kind, had ? "changed" : "added", had ? old.value : NULL, value);
	store_contact_clear(&old);
	if (r->contact == REG_OFFICE)
		rc = reg_say(r, PROTO_INFO,
			     _("Your office number %s is saved. It was not checked with a code: "
			       "make sure it is right."),
			     value);
	else
		rc = reg_say(r, PROTO_INFO,
			     r->contact == REG_EMAIL ? _("Your email address %s is registered.")
						     : _("Your mobile number %s is registered."),
			     value);
	return rc < 0 ? rc : reg_step_done(r, PROTO_STATUS_OK);
}

static int remove_contact(struct reg_dialogue *r)
{
	struct store *s = r->ctx->store;
	const char *kind = kind_name[r->contact];
	struct store_contact old = {0};
	store_lock(s);
	int rc = store_contact_get(s, r->user, kind, &old);
	if (rc == 0)
		rc = store_contact_delete(s, r->user, kind);
	store_unlock(s);
	if (rc == -ENOENT) {
		rc = reg_say(r, PROTO_INFO, "%s", contact_text(r, CT_NONE));
		return rc < 0 ? rc : reg_step_done(r, PROTO_STATUS_OK);
	}
	if (rc < 0) {
		store_contact_clear(&old);
		rc = reg_say(r, PROTO_ERROR, "%s", contact_text(r, CT_REMOVE_FAILED));
		return rc < 0 ? rc : reg_step_done(r, PROTO_STATUS_UNAVAILABLE);
	}
	reg_changed(r, kind, "removed", old.value, NULL);
	store_contact_clear(&old);
	rc = reg_say(r, PROTO_INFO, "%s", contact_text(r, CT_REMOVED));
	return rc < 0 ? rc : reg_step_done(r, PROTO_STATUS_OK);
}

/* Deliver code to r->pending: by mail, else by text, else by a call that
 * reads it out (a site may use only calls to mobile phones). */
static int deliver(struct reg_dialogue *r, const char *code)
{
	const struct sspr_conf *c = &r->ctx->conf;
	char org[128];
	if (r->contact == REG_EMAIL)
		return notify_send_confirm_code(r->ctx, r->user, r->pending, code);
	reg_organisation(r, org, sizeof(org));
	if (c->methods & METHOD_BIT(METHOD_SMS))
		return notify_sms_confirm_code(r->ctx, r->user, r->pending, code);
	struct gateway_call call = {
	    .to = r->pending, .mode = VOICE_SPEAK_CODE, .code = code, .organisation = org};
	return gateway_place_call(c, &call);
}

static int send_code(struct reg_dialogue *r, const char *value)
{
	const struct sspr_conf *c = &r->ctx->conf;
	const char *m = code_method[r->contact];
	char code[CODE_DIGITS + 1], ttl[64], masked[EMAIL_MAX + 8];
	if (r->codes_sent >= REG_MAX_CODES) {
		log_info("register %s: code limit reached", r->user);
		int rc = reg_say(r, PROTO_ERROR, "%s",
				 _("Too many codes were sent in this session. Try again later."));
		return rc < 0 ? rc : reg_step_done(r, PROTO_STATUS_FAILED);
	}
	/* Registration codes count toward the account's [limits] like reset
	 * codes, and texts and calls toward the global budget. */
	int rc = limits_code_send(r->ctx, r->user);
	if (rc < 0) {
		log_info("register %s: no code sent: [limits] codes per account", r->user);
		reg_audit(r, AUDIT_RATE_LIMITED, kind_name[r->contact],
			  "codes_per_hour or codes_per_day reached", true);
		rc = reg_say(r, PROTO_ERROR, "%s",
			     _("Too many codes were sent recently. Try again later."));
		return rc < 0 ? rc : reg_step_done(r, PROTO_STATUS_FAILED);
	}
	if (r->contact != REG_EMAIL && limits_gateway_send(r->ctx) < 0) {
		log_error("register %s: no code sent: [limits] budget of texts and calls used up",
			  r->user);
		reg_audit(r, AUDIT_RATE_LIMITED, kind_name[r->contact],
			  "text message and call budget used up", true);
		rc = reg_say(r, PROTO_ERROR, "%s", contact_text(r, CT_SEND_FAILED));
		return rc < 0 ? rc : reg_step_done(r, PROTO_STATUS_UNAVAILABLE);
	}
	snprintf(r->pending, sizeof(r->pending), "%s", value);
	lang_duration(c->code_ttl, ttl, sizeof(ttl));
	rc = code_issue(r->ctx->store, r->ctx->code_key, r->user, m, r->request, c->code_ttl,
			(int64_t)time(NULL), code);
	if (rc == 0) {
		r->codes_sent++;
		rc = deliver(r, code);
	}
	sodium_memzero(code, sizeof(code));
	if (rc < 0) {
		log_error("register %s: could not send a code to the new %s: %s", r->user,
			  kind_name[r->contact], strerror(-rc));
		reg_contact_forget(r);
		rc = reg_say(r, PROTO_ERROR, "%s", contact_text(r, CT_SEND_FAILED));
		return rc < 0 ? rc : reg_step_done(r, PROTO_STATUS_UNAVAILABLE);
	}
	log_info("register %s: confirmation code sent to the new %s", r->user,
		 kind_name[r->contact]);
	if (r->contact == REG_EMAIL)
		email_mask(value, masked, sizeof(masked));
	else
		phone_mask(value, masked, sizeof(masked));
	if (r->contact == REG_MOBILE && !(c->methods & METHOD_BIT(METHOD_SMS)))
		rc = reg_say(r, PROTO_INFO,
			     _("We are calling %s. Answer it and listen for your %d-digit code. "
			       "It expires in %s."),
			     masked, CODE_DIGITS, ttl);
	else
		rc = reg_say(r, PROTO_INFO, _("We sent a %d-digit code to %s. It expires in %s."),
			     CODE_DIGITS, masked, ttl);
	return rc < 0 ? rc : code_prompt(r);
}

static int on_value(struct reg_dialogue *r, const char *a)
{
	const struct sspr_conf *c = &r->ctx->conf;
	char number[PHONE_MAX + 1];
	if (!a[0])
		return reg_step_done(r, PROTO_STATUS_CANCELLED);
	if (strcmp(a, "-") == 0)
		return remove_contact(r);
	if (r->contact == REG_EMAIL) {
		if (strlen(a) > EMAIL_MAX || !email_valid(a))
			return bad_value(r, _("That is not a valid email address."));
		return send_code(r, a);
	}
	if (phone_normalize(a, number) < 0 || !phone_valid(number))
		return bad_value(r, _("That is not a phone number in international form: start "
				      "with + and the country code."));
	if (!phone_prefix_allowed(number, c->gw_allowed_prefixes))
		return bad_value(r, _("Numbers in that country or network cannot be used here."));
	if (r->contact == REG_OFFICE)
		return save(r, number, false);
	return send_code(r, number);
}

static int on_code(struct reg_dialogue *r, const char *a)
{
	const struct sspr_conf *c = &r->ctx->conf;
	enum code_result res = CODE_MISSING;
	unsigned left = 0;
	const char *msg = NULL;
	if (!a[0]) {
		reg_contact_forget(r);
		int rc = reg_say(r, PROTO_INFO, "%s", _("Nothing was changed."));
		return rc < 0 ? rc : reg_step_done(r, PROTO_STATUS_CANCELLED);
	}
	int rc = code_check(r->ctx->store, r->ctx->code_key, r->user, code_method[r->contact],
			    r->request, a, c->code_attempts, (int64_t)time(NULL), &res, &left);
	if (rc < 0) {
		reg_contact_forget(r);
		rc = reg_say(r, PROTO_ERROR, "%s",
			     _("The code could not be checked. Try again later."));
		return rc < 0 ? rc : reg_step_done(r, PROTO_STATUS_UNAVAILABLE);
	}
	switch (res) {
	case CODE_OK: {
		char value[EMAIL_MAX + 1];
		snprintf(value, sizeof(value), "%s", r->pending);
		sodium_memzero(r->pending, sizeof(r->pending));
		return save(r, value, true);
	}
	case CODE_WRONG:
		log_info("register %s: wrong confirmation code", r->user);
		rc = reg_say(r, PROTO_ERROR,
			     P_("That code is not correct. %u try left.",
				"That code is not correct. %u tries left.", left),
			     left);
		return rc < 0 ? rc : code_prompt(r);
	case CODE_EXPIRED:
		msg = _("The code has expired. Nothing was changed.");
		break;
	case CODE_EXHAUSTED:
		log_info("register %s: too many wrong confirmation codes", r->user);
		msg = _("Too many wrong codes. Nothing was changed.");
		break;
	case CODE_MISSING:
		msg = _("That code is no longer valid. Nothing was changed.");
		break;
	}
	sodium_memzero(r->pending, sizeof(r->pending));
	rc = reg_say(r, PROTO_ERROR, "%s", msg);
	return rc < 0 ? rc : reg_step_done(r, PROTO_STATUS_FAILED);
}

int reg_contact_given(struct reg_dialogue *r)
{
	r->contact = r->one_kind;
	return on_value(r, r->one_value);
}

int reg_contact_input(struct reg_dialogue *r, const char *a)
{
	if (r->state == REG_CONTACT_CODE)
		return on_code(r, a);
	return on_value(r, a);
}
