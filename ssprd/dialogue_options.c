/* Which verification methods a user can use, as the menu will offer them.
 * Methods that reach the same destination (a text and a call to one mobile
 * number) count as one factor when two are required. The menu is built
 * from a profile (decoy.h): the registration in the store or, for a decoy
 * dialogue, a made-up one, so that both read the same. */
#include <errno.h>
#include <pwd.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "common/i18n.h"
#include "common/log.h"
#include "ssprd/decoy.h"
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

static struct dlg_option *add_option(struct dialogue *d, enum method m, const char *dest,
				     const char *masked)
{
	struct dlg_option *o = &d->options[d->noptions++];
	o->method = m;
	o->passed = false;
	snprintf(o->dest, sizeof(o->dest), "%s", dest ? dest : "");
	snprintf(o->masked, sizeof(o->masked), "%s", masked ? masked : "");
	return o;
}

static bool on(const struct sspr_conf *c, enum method m)
{
	return c->methods & METHOD_BIT(m);
}

/* Questions are offered alone only with questions_alone. */
static bool questions_offered(const struct sspr_conf *c)
{
	return on(c, METHOD_QUESTIONS) && (c->questions_alone || c->required > 1);
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

/* What the store holds for the user, as far as the site offers it. */
static void profile_from_store(struct dialogue *d, struct decoy_profile *p)
{
	const struct sspr_conf *c = &d->ctx->conf;
	struct store *s = d->ctx->store;
	struct store_contact email = {0};
	memset(p, 0, sizeof(*p));
	if (on(c, METHOD_EMAIL) && store_contact_get(s, d->user, "email", &email) == 0 &&
	    email_valid(email.value))
		snprintf(p->email, sizeof(p->email), "%s", email.value);
	store_contact_clear(&email);
	if ((on(c, METHOD_SMS) || on(c, METHOD_VOICE_MOBILE)) &&
	    contact_phone(d, "mobile", p->mobile) < 0)
		p->mobile[0] = '\0';
	if (on(c, METHOD_VOICE_OFFICE) &&
	    (c->office_source == OFFICE_FROM_GECOS ? gecos_office_phone(d->user, p->office)
						   : contact_phone(d, "office", p->office)) < 0)
		p->office[0] = '\0';
	if (questions_offered(c)) {
		struct store_question *q = NULL;
		size_t n = 0;
		p->questions =
		    store_questions_list(s, d->user, &q, &n) == 0 && n >= c->questions_answer;
		store_questions_free(q, n);
	}
	struct store_totp t;
	p->totp = on(c, METHOD_TOTP) && store_totp_get(s, d->user, &t) == 0;
	sodium_memzero(&t, sizeof(t));
	unsigned left = 0;
	p->recovery =
	    on(c, METHOD_RECOVERY_CODE) && store_recovery_left(s, d->user, &left) == 0 && left > 0;
}

static void options_from_profile(struct dialogue *d, const struct decoy_profile *p)
{
	const struct sspr_conf *c = &d->ctx->conf;
	char masked[EMAIL_MAX + 8];
	struct dlg_option *o;
	d->noptions = 0;
	if (on(c, METHOD_EMAIL) && p->email[0] &&
	    email_mask(p->email, masked, sizeof(masked)) == 0) {
		o = add_option(d, METHOD_EMAIL, p->email, masked);
		snprintf(o->label, sizeof(o->label), _("Email a code to %s"), masked);
	}
	if (p->mobile[0] && phone_prefix_allowed(p->mobile, c->gw_allowed_prefixes) &&
	    phone_mask(p->mobile, masked, sizeof(masked)) == 0) {
		if (on(c, METHOD_SMS)) {
			o = add_option(d, METHOD_SMS, p->mobile, masked);
			snprintf(o->label, sizeof(o->label), _("Text a code to my mobile phone %s"),
				 masked);
		}
		if (on(c, METHOD_VOICE_MOBILE)) {
			o = add_option(d, METHOD_VOICE_MOBILE, p->mobile, masked);
			snprintf(o->label, sizeof(o->label), _("Call my mobile phone %s"), masked);
		}
	}
	if (on(c, METHOD_VOICE_OFFICE) && p->office[0] &&
	    phone_prefix_allowed(p->office, c->gw_allowed_prefixes)) {
		o = add_option(d, METHOD_VOICE_OFFICE, p->office, NULL);
		snprintf(o->label, sizeof(o->label), "%s", _("Call my office phone"));
	}
	if (questions_offered(c) && p->questions) {
		o = add_option(d, METHOD_QUESTIONS, NULL, NULL);
		snprintf(o->label, sizeof(o->label), "%s", _("Answer my security questions"));
	}
	if (on(c, METHOD_TOTP) && p->totp) {
		o = add_option(d, METHOD_TOTP, NULL, NULL);
		snprintf(o->label, sizeof(o->label), "%s",
			 _("Enter a code from my authenticator app"));
	}
	if (on(c, METHOD_RECOVERY_CODE) && p->recovery) {
		o = add_option(d, METHOD_RECOVERY_CODE, NULL, NULL);
		snprintf(o->label, sizeof(o->label), "%s", _("Enter one of my recovery codes"));
	}
}

/* Distinct factors: the first option of each. */
static unsigned count_factors(const struct dialogue *d)
{
	unsigned factors = 0;
	for (unsigned i = 0; i < d->noptions; i++) {
		bool seen = false;
		for (unsigned j = 0; j < i; j++)
			seen = seen || dlg_same_factor(&d->options[i], &d->options[j]);
		factors += !seen;
	}
	return factors;
}

int dlg_collect_options(struct dialogue *d)
{
	const struct sspr_conf *c = &d->ctx->conf;
	struct decoy_profile p;
	profile_from_store(d, &p);
	options_from_profile(d, &p);
	sodium_memzero(&p, sizeof(p));
	unsigned factors = count_factors(d);
	if (factors < c->required) {
		log_info("reset for %s: %u usable method(s) registered, %u required", d->user,
			 factors, c->required);
		return -EPERM;
	}
	return 0;
}

/* Take the made-up kinds the account lacks, one at a time, until it has
 * enough; the decoy then looks like a partly registered real user. */
static void fill_from(struct dialogue *d, struct decoy_profile *p, const struct decoy_profile *fake)
{
	const struct sspr_conf *c = &d->ctx->conf;
	for (int k = 0; k < 6 && count_factors(d) < c->required; k++) {
		bool taken = true;
		if (k == 0 && !p->email[0] && fake->email[0])
			memcpy(p->email, fake->email, sizeof(p->email));
		else if (k == 1 && !p->mobile[0] && fake->mobile[0])
			memcpy(p->mobile, fake->mobile, sizeof(p->mobile));
		else if (k == 2 && !p->office[0] && fake->office[0])
			memcpy(p->office, fake->office, sizeof(p->office));
		else if (k == 3 && !p->questions && fake->questions)
			p->questions = true;
		else if (k == 4 && !p->totp && fake->totp)
			p->totp = true;
		else if (k == 5 && !p->recovery && fake->recovery)
			p->recovery = true;
		else
			taken = false;
		if (taken)
			options_from_profile(d, p);
	}
}

int dlg_collect_decoy_options(struct dialogue *d)
{
	const struct sspr_conf *c = &d->ctx->conf;
	struct decoy_profile p, fake;
	memset(&p, 0, sizeof(p));
	/* Its own registration first: whoever knows the account's masked
	 * address sees it, as for an account that can reset. */
	if (!d->user_invalid)
		profile_from_store(d, &p);
	options_from_profile(d, &p);
	d->decoy_real_questions = p.questions;
	if (count_factors(d) < c->required) {
		decoy_profile(c, d->ctx->code_key, d->user, &fake);
		if (d->noptions == 0) {
			p = fake;
			d->decoy_real_questions = false;
			options_from_profile(d, &p);
		} else {
			fill_from(d, &p, &fake);
		}
		sodium_memzero(&fake, sizeof(fake));
	}
	sodium_memzero(&p, sizeof(p));
	return count_factors(d) >= c->required ? 0 : -EPERM;
}
