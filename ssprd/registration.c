/* A user's registration against the site's rules. The factor count follows
 * the reset dialogue's menu (dialogue_verify.c): a text and a call to the
 * same mobile number are one factor, and security questions count only
 * where they may be used. */
#include "ssprd/registration.h"

#include <errno.h>
#include <sodium.h>
#include <string.h>

#include "common/method.h"
#include "common/phone.h"
#include "common/validate.h"

#define DAY_S 86400

static bool contact_ok(struct store *s, const char *user, const char *kind)
{
	struct store_contact c = {0};
	bool ok = store_contact_get(s, user, kind, &c) == 0 &&
		  (strcmp(kind, "email") == 0 ? email_valid(c.value) : phone_valid(c.value));
	store_contact_clear(&c);
	return ok;
}

static unsigned registered_methods(struct daemon_ctx *ctx, const char *user)
{
	struct store *s = ctx->store;
	unsigned bits = 0;
	if (contact_ok(s, user, "email"))
		bits |= METHOD_BIT(METHOD_EMAIL);
	if (contact_ok(s, user, "mobile"))
		bits |= METHOD_BIT(METHOD_SMS) | METHOD_BIT(METHOD_VOICE_MOBILE);
	if (contact_ok(s, user, "office"))
		bits |= METHOD_BIT(METHOD_VOICE_OFFICE);
	struct store_question *q = NULL;
	size_t nq = 0;
	if (store_questions_list(s, user, &q, &nq) == 0 && nq >= ctx->conf.questions_answer)
		bits |= METHOD_BIT(METHOD_QUESTIONS);
	store_questions_free(q, nq);
	struct store_totp t;
	if (store_totp_get(s, user, &t) == 0)
		bits |= METHOD_BIT(METHOD_TOTP);
	sodium_memzero(&t, sizeof(t));
	unsigned left = 0;
	if (store_recovery_left(s, user, &left) == 0 && left > 0)
		bits |= METHOD_BIT(METHOD_RECOVERY_CODE);
	return bits;
}

static unsigned count_factors(const struct sspr_conf *c, unsigned usable)
{
	unsigned n = 0;
	if (usable & METHOD_BIT(METHOD_EMAIL))
		n++;
	if (usable & (METHOD_BIT(METHOD_SMS) | METHOD_BIT(METHOD_VOICE_MOBILE)))
		n++;
	if (usable & METHOD_BIT(METHOD_VOICE_OFFICE))
		n++;
	if ((usable & METHOD_BIT(METHOD_QUESTIONS)) && (c->questions_alone || c->required > 1))
		n++;
	if (usable & METHOD_BIT(METHOD_TOTP))
		n++;
	if (usable & METHOD_BIT(METHOD_RECOVERY_CODE))
		n++;
	return n;
}

int registration_get(struct daemon_ctx *ctx, const char *user, int64_t now,
		     struct registration *out)
{
	const struct sspr_conf *c = &ctx->conf;
	memset(out, 0, sizeof(*out));
	out->registered = registered_methods(ctx, user);
	out->usable = out->registered & c->methods;
	out->factors = count_factors(c, out->usable);
	out->meets = out->factors >= c->required;
	int r = store_registration_confirmed(ctx->store, user, &out->confirmed);
	if (r < 0)
		return r;
	/* Data an administrator entered counts as never confirmed by the
	 * user: they are asked to look at it once. */
	if (c->reconfirm_days > 0 && out->registered) {
		out->reconfirm_at =
		    out->confirmed ? out->confirmed + (int64_t)c->reconfirm_days * DAY_S : now;
		out->reconfirm_due = now >= out->reconfirm_at;
	}
	return 0;
}
