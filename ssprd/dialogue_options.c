/* Which verification methods a user can use, as the menu will offer them.
 * Methods that reach the same destination (a text and a call to one mobile
 * number) count as one factor when two are required. */
#include <errno.h>
#include <pwd.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "ssprd/dialogue_internal.h"

static bool phone_method(enum method m)
{
	return m == METHOD_SMS || m == METHOD_VOICE_MOBILE || m == METHOD_VOICE_OFFICE;
}

bool dlg_same_factor(const struct dlg_option *a, const struct dlg_option *b)
{
	if (phone_method(a->method) && phone_method(b->method))
		return strcmp(a->dest, b->dest) == 0;
	return a->method == b->method;
}

static struct dlg_option *add_option(struct dialogue *d, enum method m, const char *dest)
{
	struct dlg_option *o = &d->options[d->noptions++];
	o->method = m;
	snprintf(o->dest, sizeof(o->dest), "%s", dest ? dest : "");
	return o;
}

static int contact_phone(struct dialogue *d, const char *kind, char out[PHONE_MAX + 1])
{
	struct store_contact c = {0};
	int r = store_contact_get(d->ctx->store, d->user, kind, &c);
	if (r == 0)
		r = phone_valid(c.value) ? 0 : -EINVAL;
	if (r == 0)
		snprintf(out, PHONE_MAX + 1, "%s", c.value);
	store_contact_clear(&c);
	return r;
}

/* GECOS is "name,room,work phone,home phone,other". */
static int gecos_office_phone(const char *user, char out[PHONE_MAX + 1])
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	if (getpwnam_r(user, &pw, buf, sizeof(buf), &res) != 0 || !res || !pw.pw_gecos)
		return -ENOENT;
	const char *f = pw.pw_gecos;
	for (int i = 0; i < 2 && f; i++) {
		f = strchr(f, ',');
		f = f ? f + 1 : NULL;
	}
	if (!f)
		return -ENOENT;
	char field[64];
	size_t n = strcspn(f, ",");
	if (n >= sizeof(field))
		return -EINVAL;
	memcpy(field, f, n);
	field[n] = '\0';
	return phone_normalize(field, out);
}

static void collect_phones(struct dialogue *d)
{
	const struct sspr_conf *c = &d->ctx->conf;
	char mobile[PHONE_MAX + 1], office[PHONE_MAX + 1], masked[64];
	bool sms = c->methods & METHOD_BIT(METHOD_SMS);
	bool call_mobile = c->methods & METHOD_BIT(METHOD_VOICE_MOBILE);
	if ((sms || call_mobile) && contact_phone(d, "mobile", mobile) == 0 &&
	    phone_prefix_allowed(mobile, c->gw_allowed_prefixes) &&
	    phone_mask(mobile, masked, sizeof(masked)) == 0) {
		if (sms)
			snprintf(add_option(d, METHOD_SMS, mobile)->label, sizeof(masked) + 40,
				 "Text a code to my mobile phone %s", masked);
		if (call_mobile)
			snprintf(add_option(d, METHOD_VOICE_MOBILE, mobile)->label,
				 sizeof(masked) + 40, "Call my mobile phone %s", masked);
	}
	if (!(c->methods & METHOD_BIT(METHOD_VOICE_OFFICE)))
		return;
	int r = c->office_source == OFFICE_FROM_GECOS ? gecos_office_phone(d->user, office)
						      : contact_phone(d, "office", office);
	if (r == 0 && phone_prefix_allowed(office, c->gw_allowed_prefixes))
		snprintf(add_option(d, METHOD_VOICE_OFFICE, office)->label, 64,
			 "Call my office phone");
}

static void collect_others(struct dialogue *d)
{
	const struct sspr_conf *c = &d->ctx->conf;
	struct store *s = d->ctx->store;
	if ((c->methods & METHOD_BIT(METHOD_QUESTIONS)) &&
	    (c->questions_alone || c->required > 1)) {
		struct store_question *q = NULL;
		size_t n = 0;
		if (store_questions_list(s, d->user, &q, &n) == 0 && n >= c->questions_answer)
			snprintf(add_option(d, METHOD_QUESTIONS, NULL)->label, 64,
				 "Answer my security questions");
		store_questions_free(q, n);
	}
	struct store_totp t;
	if ((c->methods & METHOD_BIT(METHOD_TOTP)) && store_totp_get(s, d->user, &t) == 0)
		snprintf(add_option(d, METHOD_TOTP, NULL)->label, 64,
			 "Enter a code from my authenticator app");
	sodium_memzero(&t, sizeof(t));
	unsigned left = 0;
	if ((c->methods & METHOD_BIT(METHOD_RECOVERY_CODE)) &&
	    store_recovery_left(s, d->user, &left) == 0 && left > 0)
		snprintf(add_option(d, METHOD_RECOVERY_CODE, NULL)->label, 64,
			 "Enter one of my recovery codes");
}

int dlg_collect_options(struct dialogue *d)
{
	const struct sspr_conf *c = &d->ctx->conf;
	struct store_contact email = {0};
	char masked[EMAIL_MAX + 8];
	d->noptions = 0;
	if ((c->methods & METHOD_BIT(METHOD_EMAIL)) &&
	    store_contact_get(d->ctx->store, d->user, "email", &email) == 0 &&
	    email_valid(email.value) && email_mask(email.value, masked, sizeof(masked)) == 0)
		snprintf(add_option(d, METHOD_EMAIL, email.value)->label, sizeof(masked) + 32,
			 "Email a code to %s", masked);
	store_contact_clear(&email);
	collect_phones(d);
	collect_others(d);
	/* Distinct factors: the first option of each. */
	unsigned factors = 0;
	for (unsigned i = 0; i < d->noptions; i++) {
		bool seen = false;
		for (unsigned j = 0; j < i; j++)
			seen = seen || dlg_same_factor(&d->options[i], &d->options[j]);
		factors += !seen;
	}
	if (factors < c->required) {
		log_info("reset for %s refused: %u usable method(s), %u required", d->user, factors,
			 c->required);
		return -EPERM;
	}
	return 0;
}
