/* The registration menu: what the user has registered (masked), whether
 * it is enough for a reset, when it is due for confirmation, and the
 * choices the site enabled, under numbers that never change. */
#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/i18n.h"
#include "common/log.h"
#include "common/method.h"
#include "common/textwidth.h"
#include "ssprd/audit.h"
#include "ssprd/register_internal.h"
#include "ssprd/registration.h"

/* Translated where shown. */
static const char *const choice_label[REG_CHOICE_COUNT] = {
    [REG_CHOICE_DONE] = N_("Done"),
    [REG_CHOICE_EMAIL] = N_("Email address"),
    [REG_CHOICE_MOBILE] = N_("Mobile phone"),
    [REG_CHOICE_OFFICE] = N_("Office phone"),
    [REG_CHOICE_QUESTIONS] = N_("Security questions"),
    [REG_CHOICE_TOTP] = N_("Authenticator app"),
    [REG_CHOICE_RECOVERY] = N_("Recovery codes"),
    [REG_CHOICE_CONFIRM] = N_("My information is correct"),
    [REG_CHOICE_LANGUAGE] = N_("Language"),
};

/* Summary labels line up in a column, whatever their width on screen
 * (CJK characters take two columns). */
#define LABEL_COLUMNS 20

static bool offered(const struct reg_dialogue *r, enum reg_choice ch,
		    const struct registration *reg)
{
	const struct sspr_conf *c = &r->ctx->conf;
	switch (ch) {
	case REG_CHOICE_EMAIL:
		return reg_contact_enabled(c, REG_EMAIL);
	case REG_CHOICE_MOBILE:
		return reg_contact_enabled(c, REG_MOBILE);
	case REG_CHOICE_OFFICE:
		return reg_contact_enabled(c, REG_OFFICE);
	case REG_CHOICE_QUESTIONS:
		return c->methods & METHOD_BIT(METHOD_QUESTIONS);
	case REG_CHOICE_TOTP:
		return c->methods & METHOD_BIT(METHOD_TOTP);
	case REG_CHOICE_RECOVERY:
		return c->methods & METHOD_BIT(METHOD_RECOVERY_CODE);
	case REG_CHOICE_CONFIRM:
		return reg->registered != 0;
	case REG_CHOICE_LANGUAGE:
		return reg_language_offered();
	case REG_CHOICE_DONE:
	case REG_CHOICE_COUNT:
		break;
	}
	return false;
}

static void get_registration(struct reg_dialogue *r, struct registration *reg)
{
	if (registration_get(r->ctx, r->user, (int64_t)time(NULL), reg) < 0) {
		log_warning("register %s: cannot read the registration summary", r->user);
		memset(reg, 0, sizeof(*reg));
	}
}

static void utc_date(int64_t t, char *out, size_t outsz)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm) || strftime(out, outsz, "%Y-%m-%d", &tm) == 0)
		snprintf(out, outsz, "?");
}

static void contact_value(struct reg_dialogue *r, enum reg_contact kind, char *out, size_t outsz)
{
	struct store_contact c = {0};
	char masked[EMAIL_MAX + 8];
	int rc = store_contact_get(r->ctx->store, r->user, reg_contact_kind(kind), &c);
	if (rc == -ENOENT) {
		snprintf(out, outsz, "%s", _("not set"));
	} else if (rc < 0) {
		snprintf(out, outsz, "%s", _("cannot be read now"));
	} else {
		rc = kind == REG_EMAIL ? email_mask(c.value, masked, sizeof(masked))
				       : phone_mask(c.value, masked, sizeof(masked));
		snprintf(out, outsz, "%s%s", rc == 0 ? masked : _("not valid: please change it"),
			 strcmp(c.source, "admin") == 0 ? _(" (entered by an administrator)") : "");
	}
	store_contact_clear(&c);
}

static void other_value(struct reg_dialogue *r, enum reg_choice ch, char *out, size_t outsz)
{
	struct store *s = r->ctx->store;
	snprintf(out, outsz, "%s", _("not set"));
	if (ch == REG_CHOICE_QUESTIONS) {
		struct store_question *q = NULL;
		size_t n = 0;
		if (store_questions_list(s, r->user, &q, &n) == 0 && n > 0)
			snprintf(out, outsz, _("%zu registered"), n);
		store_questions_free(q, n);
	} else if (ch == REG_CHOICE_TOTP) {
		struct store_totp t;
		if (store_totp_get(s, r->user, &t) == 0)
			snprintf(out, outsz, "%s", _("registered"));
		sodium_memzero(&t, sizeof(t));
	} else if (ch == REG_CHOICE_LANGUAGE) {
		reg_language_value(r, out, outsz);
	} else {
		unsigned left = 0;
		if (store_recovery_left(s, r->user, &left) == 0 && left > 0)
			snprintf(out, outsz, _("%u left"), left);
	}
}

/* The summary shown above the menu and at --reconfirm. */
static int show_summary(struct reg_dialogue *r, const struct registration *reg)
{
	const struct sspr_conf *c = &r->ctx->conf;
	char text[PROTO_MAX_TEXT], value[EMAIL_MAX + 64], date[32], label[128];
	int n = snprintf(text, sizeof(text), "%s", _("Your registration:"));
	for (enum reg_choice ch = REG_CHOICE_EMAIL; ch < REG_CHOICE_COUNT; ch++) {
		if (ch == REG_CHOICE_CONFIRM || !offered(r, ch, reg))
			continue;
		if (ch <= REG_CHOICE_OFFICE)
			contact_value(r, (enum reg_contact)(ch - REG_CHOICE_EMAIL), value,
				      sizeof(value));
		else
			other_value(r, ch, value, sizeof(value));
		const char *l = _(choice_label[ch]);
		size_t w = text_width(l) + 2;
		text_pad(label, sizeof(label), l, w > LABEL_COLUMNS ? w : LABEL_COLUMNS);
		n += snprintf(text + n, sizeof(text) - (size_t)n, "\n  %s%s", label, value);
	}
	n += snprintf(text + n, sizeof(text) - (size_t)n, "\n");
	if (reg->meets)
		n += snprintf(text + n, sizeof(text) - (size_t)n,
			      P_("That is enough to reset your password yourself (%u method "
				 "required).",
				 "That is enough to reset your password yourself (%u methods "
				 "required).",
				 c->required),
			      c->required);
	else
		n += snprintf(text + n, sizeof(text) - (size_t)n,
			      P_("You have %u of the %u method required to reset your password "
				 "yourself.",
				 "You have %u of the %u methods required to reset your password "
				 "yourself.",
				 c->required),
			      reg->factors, c->required);
	if (reg->reconfirm_at > 0 && reg->reconfirm_due) {
		n += snprintf(text + n, sizeof(text) - (size_t)n, "\n");
		snprintf(text + n, sizeof(text) - (size_t)n,
			 _("Please check that this is still right, and choose \"%s\" if it is."),
			 _(choice_label[REG_CHOICE_CONFIRM]));
	} else if (reg->reconfirm_at > 0) {
		utc_date(reg->reconfirm_at, date, sizeof(date));
		n += snprintf(text + n, sizeof(text) - (size_t)n, "\n");
		snprintf(text + n, sizeof(text) - (size_t)n, _("Please confirm it again by %s."),
			 date);
	}
	return reg_say(r, PROTO_INFO, "%s", text);
}

static int menu_prompt(struct reg_dialogue *r, const struct registration *reg)
{
	char text[PROTO_MAX_TEXT];
	int n = snprintf(text, sizeof(text), "%s", _("What would you like to do?"));
	for (enum reg_choice ch = REG_CHOICE_EMAIL; ch < REG_CHOICE_COUNT; ch++)
		if (offered(r, ch, reg))
			n += snprintf(text + n, sizeof(text) - (size_t)n, "\n  %d) %s", (int)ch,
				      _(choice_label[ch]));
	snprintf(text + n, sizeof(text) - (size_t)n, "\n  0) %s\n%s",
		 _(choice_label[REG_CHOICE_DONE]), _("Choose: "));
	r->state = REG_MENU;
	return reg_say(r, PROTO_PROMPT_ECHO_ON, "%s", text);
}

int reg_show_menu(struct reg_dialogue *r)
{
	struct registration reg;
	get_registration(r, &reg);
	r->input_errors = 0;
	int rc = show_summary(r, &reg);
	return rc < 0 ? rc : menu_prompt(r, &reg);
}

static int finish(struct reg_dialogue *r)
{
	struct registration reg;
	get_registration(r, &reg);
	log_info("registration dialogue for %s done", r->user);
	unsigned required = r->ctx->conf.required;
	int rc = reg.meets ? reg_say(r, PROTO_INFO, "%s", _("Your registration is saved."))
			   : reg_say(r, PROTO_ERROR,
				     P_("Password reset will not work for you yet: you have %u of "
					"the %u method required.",
					"Password reset will not work for you yet: you have %u of "
					"the %u methods required.",
					required),
				     reg.factors, required);
	return rc < 0 ? rc : reg_end(r, PROTO_STATUS_OK);
}

int reg_confirm(struct reg_dialogue *r)
{
	const struct sspr_conf *c = &r->ctx->conf;
	struct registration reg;
	int64_t now = (int64_t)time(NULL);
	char date[32];
	get_registration(r, &reg);
	if (!reg.registered) {
		int rc = reg_say(r, PROTO_ERROR, "%s",
				 _("You have nothing registered to confirm. Run \"sspr register\" "
				   "to add something."));
		return rc < 0 ? rc : reg_step_done(r, PROTO_STATUS_FAILED);
	}
	if (r->mode == REG_MODE_RECONFIRM) {
		int rc = show_summary(r, &reg);
		if (rc < 0)
			return rc;
	}
	if (store_registration_confirm(r->ctx->store, r->user, now) < 0) {
		int rc = reg_say(r, PROTO_ERROR, "%s",
				 _("Your confirmation could not be saved. Try again later."));
		return rc < 0 ? rc : reg_step_done(r, PROTO_STATUS_UNAVAILABLE);
	}
	reg_audit(r, AUDIT_REGISTER_CONFIRMED, NULL, "information confirmed", false);
	log_info("register %s: information confirmed", r->user);
	int rc;
	if (c->reconfirm_days > 0) {
		utc_date(now + (int64_t)c->reconfirm_days * 86400, date, sizeof(date));
		rc = reg_say(r, PROTO_INFO,
			     _("Thank you. You will be asked to confirm it again by %s."), date);
	} else {
		rc = reg_say(r, PROTO_INFO, "%s", _("Thank you for confirming your information."));
	}
	if (rc < 0)
		return rc;
	if (r->mode == REG_MODE_RECONFIRM)
		return reg.meets ? reg_end(r, PROTO_STATUS_OK) : finish(r);
	return reg_show_menu(r);
}

static int dispatch(struct reg_dialogue *r, enum reg_choice ch)
{
	switch (ch) {
	case REG_CHOICE_EMAIL:
		return reg_contact_start(r, REG_EMAIL);
	case REG_CHOICE_MOBILE:
		return reg_contact_start(r, REG_MOBILE);
	case REG_CHOICE_OFFICE:
		return reg_contact_start(r, REG_OFFICE);
	case REG_CHOICE_QUESTIONS:
		return reg_questions_start(r);
	case REG_CHOICE_TOTP:
		return reg_totp_start(r);
	case REG_CHOICE_RECOVERY:
		return reg_recovery_start(r);
	case REG_CHOICE_CONFIRM:
		return reg_confirm(r);
	case REG_CHOICE_LANGUAGE:
		return reg_language_start(r);
	case REG_CHOICE_DONE:
	case REG_CHOICE_COUNT:
		break;
	}
	return finish(r);
}

int reg_menu_input(struct reg_dialogue *r, const char *a)
{
	struct registration reg;
	char *end = NULL;
	long n = -1;
	if (a[0] >= '0' && a[0] <= '9') {
		n = strtol(a, &end, 10);
		if (*end != '\0' || n >= REG_CHOICE_COUNT)
			n = -1;
	}
	get_registration(r, &reg);
	if (n == REG_CHOICE_DONE)
		return finish(r);
	if (n > 0 && offered(r, (enum reg_choice)n, &reg)) {
		r->input_errors = 0;
		return dispatch(r, (enum reg_choice)n);
	}
	int rc = reg_say(r, PROTO_ERROR, "%s", _("Please type one of the numbers shown."));
	if (rc < 0)
		return rc;
	if (++r->input_errors >= REG_MAX_INPUT_ERRORS)
		return reg_end(r, PROTO_STATUS_FAILED);
	return menu_prompt(r, &reg);
}
