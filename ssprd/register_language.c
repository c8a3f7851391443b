/* The language choice in the registration dialogue: the language of the
 * user's reset dialogues, login reminders and of the mail and texts sent to
 * them (a CLI's own locale still decides for that CLI). Saved at once, like
 * every step; not a verification method, so nobody is notified. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/i18n.h"
#include "common/log.h"
#include "ssprd/audit.h"
#include "ssprd/language.h"
#include "ssprd/register_internal.h"

bool reg_language_offered(void)
{
	return lang_offered(1) != NULL;
}

/* The site default's native name. */
static const char *site_default(const struct reg_dialogue *r)
{
	const char *lang = r->ctx->conf.language;
	if (!lang || !lang[0] || !i18n_available(lang))
		lang = "en";
	return lang_native_name(lang);
}

void reg_language_value(struct reg_dialogue *r, char *out, size_t outsz)
{
	char saved[16] = "";
	if (store_language_get(r->ctx->store, r->user, saved) == 0 && saved[0] &&
	    i18n_available(saved))
		snprintf(out, outsz, "%s", lang_native_name(saved));
	else
		snprintf(out, outsz, _("%s (the system's default)"), site_default(r));
}

static int language_prompt(struct reg_dialogue *r)
{
	char text[PROTO_MAX_TEXT];
	const struct lang_entry *e;
	int n = snprintf(text, sizeof(text), "%s",
			 _("Choose the language of password recovery and of the messages sent "
			   "to you:"));
	for (size_t i = 0; (e = lang_offered(i)) && (size_t)n < sizeof(text); i++)
		n += snprintf(text + n, sizeof(text) - (size_t)n, "\n  %zu) %s", i + 1, e->native);
	if ((size_t)n < sizeof(text)) {
		n += snprintf(text + n, sizeof(text) - (size_t)n, "\n  0) ");
		n += snprintf(text + n, sizeof(text) - (size_t)n, _("The system's default (%s)"),
			      site_default(r));
	}
	if ((size_t)n < sizeof(text))
		snprintf(text + n, sizeof(text) - (size_t)n, "\n%s",
			 _("Choose (Enter to go back): "));
	r->state = REG_LANGUAGE;
	return reg_say(r, PROTO_PROMPT_ECHO_ON, "%s", text);
}

int reg_language_start(struct reg_dialogue *r)
{
	r->input_errors = 0;
	return language_prompt(r);
}

static int save(struct reg_dialogue *r, const char *lang)
{
	store_lock(r->ctx->store);
	int rc = store_language_set(r->ctx->store, r->user, lang, (int64_t)time(NULL));
	store_unlock(r->ctx->store);
	if (rc < 0) {
		log_error("register %s: cannot save the language: %s", r->user, strerror(-rc));
		rc = reg_say(r, PROTO_ERROR, "%s",
			     _("Your language could not be saved. Try again later."));
		return rc < 0 ? rc : reg_step_done(r, PROTO_STATUS_UNAVAILABLE);
	}
	char detail[64];
	snprintf(detail, sizeof(detail), "language %s", lang[0] ? lang : "(site default)");
	reg_audit(r, AUDIT_REGISTER_CHANGED, "language", detail, false);
	log_info("register %s: %s", r->user, detail);
	/* The rest of this dialogue speaks it already. */
	lang_preference_changed(r->ctx, r->user);
	if (lang[0])
		rc = reg_say(r, PROTO_INFO, _("Your language is now %s."), lang_native_name(lang));
	else
		rc = reg_say(r, PROTO_INFO, _("You now get the system's default language (%s)."),
			     site_default(r));
	return rc < 0 ? rc : reg_step_done(r, PROTO_STATUS_OK);
}

int reg_language_input(struct reg_dialogue *r, const char *a)
{
	if (!a[0])
		return reg_step_done(r, PROTO_STATUS_CANCELLED);
	char *end = NULL;
	unsigned long n = a[0] >= '0' && a[0] <= '9' ? strtoul(a, &end, 10) : ULONG_MAX;
	if (n != ULONG_MAX && *end != '\0')
		n = ULONG_MAX;
	if (n == 0)
		return save(r, "");
	const struct lang_entry *e = n != ULONG_MAX ? lang_offered(n - 1) : NULL;
	if (e)
		return save(r, e->code);
	int rc = reg_say(r, PROTO_ERROR, "%s", _("Please type one of the numbers shown."));
	if (rc < 0)
		return rc;
	if (++r->input_errors >= REG_MAX_INPUT_ERRORS)
		return reg_step_done(r, PROTO_STATUS_INVALID);
	return language_prompt(r);
}
