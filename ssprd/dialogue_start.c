/* From "Continue with password recovery?" to the menu: the CAPTCHA, the
 * dialogue limits, who may reset, and for everyone else (with
 * reveal_unregistered = no) a decoy dialogue. Up to the point where a code
 * would be typed, every name gets the same steps, words and timing, so the
 * dialogue does not tell anyone which accounts exist or can reset. */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/i18n.h"
#include "common/log.h"
#include "ssprd/access.h"
#include "ssprd/audit.h"
#include "ssprd/captcha.h"
#include "ssprd/dialogue_internal.h"
#include "ssprd/limits.h"
#include "ssprd/priv.h"

#define CAPTCHA_TRIES	   3
#define SOURCE_MAX	   (PROTO_MAX_RHOST + 16)
#define TEXT_NOT_AVAILABLE N_("Password recovery is not available for this account.")
#define TEXT_TOO_MANY	   N_("Too many password recovery attempts. Try again later.")

_Static_assert(DLG_CAPTCHA_SIZE >= CAPTCHA_LEN + 1, "no room for the CAPTCHA");

static void dialogue_source(const struct dialogue *d, char out[SOURCE_MAX])
{
	limits_source(d->rhost, d->tty, out, SOURCE_MAX);
}

static int refuse_limited(struct dialogue *d, const char *why)
{
	log_info("reset for %s refused: %s", d->user, why);
	dlg_audit(d, AUDIT_RATE_LIMITED, "", why, true);
	return dlg_finish_helpdesk(d, PROTO_STATUS_FAILED, _(TEXT_TOO_MANY));
}

/* Why the account may not reset; NULL when it may (with its options
 * collected). Every check runs whatever the first one found, so that an
 * unknown name takes as long as a real one. */
static const char *ineligible(struct dialogue *d)
{
	const struct sspr_conf *c = &d->ctx->conf;
	bool enabled = false;
	enum account_state st = ACCOUNT_NOT_FOUND;
	/* An impossible name never reaches the account backend. */
	if (d->user_invalid)
		return "invalid user name";
	int ra = access_user_enabled(c, d->user, &enabled);
	int rs = priv_account_state(c, d->user, &st);
	int ro = dlg_collect_options(d);
	if (ra < 0 || !enabled)
		return "not in enabled_groups or unknown";
	if (rs < 0 || st != ACCOUNT_OK)
		return account_state_name(st);
	if (ro < 0)
		return "too few usable methods registered";
	return NULL;
}

static int refuse(struct dialogue *d, const char *why)
{
	dlg_audit(d, AUDIT_REFUSED, "", why, false);
	return dlg_finish_helpdesk(d, PROTO_STATUS_FAILED, _(TEXT_NOT_AVAILABLE));
}

/* After the yes (and the CAPTCHA): limits, then the real or decoy menu. */
static int begin(struct dialogue *d)
{
	char source[SOURCE_MAX];
	int64_t until = 0;
	dialogue_source(d, source);
	/* Any name counts, existing or not: the limits reveal nothing. */
	int r = limits_dialogue_start(d->ctx, d->user, source, &until);
	if (r < 0)
		return refuse_limited(d, r != -EBUSY ? "the dialogue could not be counted"
					 : until > 0
					     ? "reset flow locked"
					     : "too many dialogues for the account or source");
	const char *why = ineligible(d);
	if (!why)
		return dlg_show_methods(d);
	log_info("reset for %s refused: %s", d->user, why);
	if (d->ctx->conf.reveal_unregistered)
		return refuse(d, why);
	d->decoy = true;
	if (dlg_collect_decoy_options(d) < 0) {
		/* The site's settings let nobody reset: everyone sees this. */
		d->decoy = false;
		return refuse(d, why);
	}
	/* Written in place of the first step the decoy does not audit, so
	 * the decoy makes as many audit writes as a real dialogue. */
	snprintf(d->decoy_why, sizeof(d->decoy_why), "%s (decoy dialogue shown)", why);
	d->decoy_refusal_pending = true;
	log_info("reset for %s: decoy dialogue, nothing will be sent", d->user);
	return dlg_show_methods(d);
}

static int show_captcha(struct dialogue *d)
{
	char art[CAPTCHA_ART_SIZE];
	captcha_new(d->captcha);
	int r = captcha_render(d->captcha, art, sizeof(art));
	if (r == 0)
		r = dlg_say(d, PROTO_INFO, "%s", art);
	sodium_memzero(art, sizeof(art));
	if (r < 0)
		return r;
	d->state = DLG_CAPTCHA;
	return dlg_say(d, PROTO_PROMPT_ECHO_ON, "%s", _("Type the characters shown above: "));
}

int dlg_on_captcha(struct dialogue *d, const char *answer)
{
	bool ok = captcha_check(d->captcha, answer);
	sodium_memzero(d->captcha, sizeof(d->captcha));
	if (ok) {
		log_info("reset for %s: CAPTCHA solved", d->user);
		return begin(d);
	}
	d->captcha_failures++;
	log_info("reset for %s: wrong CAPTCHA answer (%u of %u)", d->user, d->captcha_failures,
		 CAPTCHA_TRIES);
	/* Counts for the source only: the name typed may be anyone's. */
	char source[SOURCE_MAX];
	dialogue_source(d, source);
	int r = limits_failure(d->ctx, NULL, source);
	if (r < 0)
		return refuse_limited(d, r == -EBUSY ? "too many failures from this source"
						     : "the CAPTCHA failure could not be counted");
	if (d->captcha_failures >= CAPTCHA_TRIES) {
		dlg_audit(d, AUDIT_REFUSED, "", "CAPTCHA not solved", false);
		return dlg_finish(
		    d, PROTO_STATUS_FAILED,
		    _("The characters did not match. Start password recovery again."));
	}
	r = dlg_say(d, PROTO_ERROR, "%s", _("The characters did not match. Try again."));
	return r < 0 ? r : show_captcha(d);
}

static bool is_yes(const char *a)
{
	return strcasecmp(a, "y") == 0 || strcasecmp(a, "yes") == 0;
}

int dlg_on_confirm(struct dialogue *d, const char *answer)
{
	if (!is_yes(answer))
		return dlg_cancel(d);
	/* Said to every name alike: it tells nothing about accounts. */
	if (!d->ctx->conf.enabled) {
		log_info("reset for %s refused: self-service is disabled", d->user);
		return refuse(d, "self-service is disabled");
	}
	if (d->ctx->conf.captcha)
		return show_captcha(d);
	return begin(d);
}
