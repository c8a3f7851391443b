/* Secrets the daemon makes for the user: an authenticator app's key (kept
 * only in memory until the app's first code proves it was added, then
 * sealed in the store with that code's step spent) and recovery codes
 * (hashed at once, shown once). */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/i18n.h"
#include "common/log.h"
#include "common/util.h"
#include "ssprd/qr_text.h"
#include "ssprd/recovery.h"
#include "ssprd/register_internal.h"

#define URI_MAX 512
#define B32_MAX 64

void reg_totp_forget(struct reg_dialogue *r)
{
	sodium_memzero(r->totp_secret, sizeof(r->totp_secret));
	r->totp_pending = false;
	r->totp_failures = 0;
}

static int totp_prompt(struct reg_dialogue *r)
{
	r->state = REG_TOTP_CODE;
	return reg_say(r, PROTO_PROMPT_ECHO_ON, "%s",
		       _("Type the 6-digit code your app shows (Enter to go back): "));
}

/* "ABCD EFGH ...": easier to type into an app by hand. */
static void group_key(const char *b32, char *out, size_t outsz)
{
	size_t o = 0;
	for (size_t i = 0; b32[i] && o + 2 < outsz; i++) {
		if (i > 0 && i % 4 == 0)
			out[o++] = ' ';
		out[o++] = b32[i];
	}
	out[o] = '\0';
}

static int show_key(struct reg_dialogue *r, const char *b32, const char *uri)
{
	char grouped[B32_MAX * 2];
	struct store_totp t;
	bool replacing = store_totp_get(r->ctx->store, r->user, &t) == 0;
	sodium_memzero(&t, sizeof(t));
	group_key(b32, grouped, sizeof(grouped));
	/* The key and the URI are data: copied as they are, in any language. */
	int rc = reg_say(
	    r, PROTO_INFO, "%s%s%s\n  %s %s\n  %s %s",
	    _("Add this account to your authenticator app: scan the QR code below, or enter the "
	      "key by hand."),
	    replacing ? "\n" : "",
	    replacing ? _("It replaces your current authenticator once confirmed.") : "", _("Key:"),
	    grouped, _("URI:"), uri);
	sodium_memzero(grouped, sizeof(grouped));
	if (rc < 0)
		return rc;
	char *qr = NULL;
	int qrc = qr_text_render(uri, &qr);
	if (qrc == 0)
		rc = reg_say_lines(r, PROTO_INFO, qr);
	else
		log_warning("register %s: cannot draw the QR code: %s", r->user, strerror(-qrc));
	secret_free(qr);
	return rc;
}

int reg_totp_start(struct reg_dialogue *r)
{
	char org[128], b32[B32_MAX], uri[URI_MAX];
	reg_totp_forget(r);
	reg_organisation(r, org, sizeof(org));
	int rc = totp_prepare(org, r->user, r->totp_secret, b32, sizeof(b32), uri, sizeof(uri));
	if (rc < 0) {
		log_error("register %s: cannot make an authenticator key: %s", r->user,
			  strerror(-rc));
		rc =
		    reg_say(r, PROTO_ERROR, "%s", _("An authenticator cannot be added right now."));
		return rc < 0 ? rc : reg_step_done(r, PROTO_STATUS_UNAVAILABLE);
	}
	r->totp_pending = true;
	rc = show_key(r, b32, uri);
	sodium_memzero(b32, sizeof(b32));
	sodium_memzero(uri, sizeof(uri));
	return rc < 0 ? rc : totp_prompt(r);
}

static int totp_leave(struct reg_dialogue *r, enum proto_type type, const char *msg,
		      enum proto_status status)
{
	reg_totp_forget(r);
	int rc = reg_say(r, type, "%s", msg);
	return rc < 0 ? rc : reg_step_done(r, status);
}

int reg_totp_input(struct reg_dialogue *r, const char *a)
{
	int64_t now = (int64_t)time(NULL), step = 0;
	if (!r->totp_pending)
		return -EINVAL;
	if (!a[0])
		return totp_leave(r, PROTO_INFO, _("Your authenticator was not changed."),
				  PROTO_STATUS_CANCELLED);
	int rc = totp_check_secret(r->totp_secret, sizeof(r->totp_secret), a, now, &step);
	if (rc == -EACCES) {
		log_info("register %s: wrong first authenticator code", r->user);
		if (++r->totp_failures >= r->ctx->conf.code_attempts)
			return totp_leave(r, PROTO_ERROR,
					  _("That code is not correct. Your authenticator was not "
					    "changed."),
					  PROTO_STATUS_FAILED);
		rc = reg_say(r, PROTO_ERROR, "%s",
			     _("That code is not correct. Check that the time on your phone is "
			       "right, and type the code the app shows now."));
		return rc < 0 ? rc : totp_prompt(r);
	}
	if (rc == 0)
		rc = totp_save(r->ctx->store, r->ctx->code_key, r->user, r->totp_secret,
			       sizeof(r->totp_secret), step, now);
	if (rc < 0) {
		log_error("register %s: cannot save the authenticator: %s", r->user, strerror(-rc));
		return totp_leave(r, PROTO_ERROR,
				  _("Your authenticator could not be saved. Try again later."),
				  PROTO_STATUS_UNAVAILABLE);
	}
	reg_totp_forget(r);
	reg_changed(r, "totp", "authenticator app registered", NULL, NULL);
	rc = reg_say(r, PROTO_INFO, "%s", _("Your authenticator app is registered."));
	return rc < 0 ? rc : reg_step_done(r, PROTO_STATUS_OK);
}

static int issue_codes(struct reg_dialogue *r)
{
	char codes[RECOVERY_COUNT][RECOVERY_CODE_LEN + 1], text[PROTO_MAX_TEXT];
	int rc =
	    recovery_issue(r->ctx->store, r->ctx->code_key, r->user, codes, (int64_t)time(NULL));
	if (rc < 0) {
		log_error("register %s: cannot issue recovery codes: %s", r->user, strerror(-rc));
		rc = reg_say(r, PROTO_ERROR, "%s", _("Recovery codes cannot be issued right now."));
		return rc < 0 ? rc : reg_step_done(r, PROTO_STATUS_UNAVAILABLE);
	}
	int n = snprintf(text, sizeof(text), "%s",
			 _("Your new recovery codes. They are shown only now, and each works "
			   "once:"));
	for (unsigned i = 0; i < RECOVERY_COUNT; i++)
		n += snprintf(text + n, sizeof(text) - (size_t)n, "\n  %s", codes[i]);
	snprintf(text + n, sizeof(text) - (size_t)n, "\n%s",
		 _("Write them down or print them, and keep them somewhere safe."));
	sodium_memzero(codes, sizeof(codes));
	rc = reg_say(r, PROTO_INFO, "%s", text);
	sodium_memzero(text, sizeof(text));
	if (rc < 0)
		return rc;
	/* The mail goes out while the user copies the codes. */
	reg_changed(r, "recovery_codes", "new recovery codes issued", NULL, NULL);
	r->state = REG_RECOVERY_ACK;
	r->recovery_asked = 0;
	/* yes stays yes in every language (reg_is_yes). */
	return reg_say(r, PROTO_PROMPT_ECHO_ON, "%s", _("Type yes when you have saved them: "));
}

int reg_recovery_start(struct reg_dialogue *r)
{
	unsigned left = 0;
	if (store_recovery_left(r->ctx->store, r->user, &left) == 0 && left > 0) {
		r->state = REG_RECOVERY_REPLACE;
		return reg_say(r, PROTO_PROMPT_ECHO_ON,
			       P_("You have %u recovery code left. New codes replace it.\n"
				  "Continue? [y/N] ",
				  "You have %u recovery codes left. New codes replace them.\n"
				  "Continue? [y/N] ",
				  left),
			       left);
	}
	return issue_codes(r);
}

int reg_recovery_input(struct reg_dialogue *r, const char *a)
{
	if (r->state == REG_RECOVERY_REPLACE) {
		if (reg_is_yes(a))
			return issue_codes(r);
		int rc = reg_say(r, PROTO_INFO, "%s", _("Your recovery codes were not changed."));
		return rc < 0 ? rc : reg_step_done(r, PROTO_STATUS_CANCELLED);
	}
	if (!reg_is_yes(a) && r->recovery_asked++ == 0)
		return reg_say(r, PROTO_PROMPT_ECHO_ON, "%s",
			       _("The codes are saved already and will not be shown again.\n"
				 "Type yes when you have written them down: "));
	return reg_step_done(r, PROTO_STATUS_OK);
}
