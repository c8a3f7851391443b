/* Made-up registrations for accounts that cannot reset, and how long a
 * decoy waits where a real dialogue would deliver something. */
#include "ssprd/decoy.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/method.h"
#include "common/util.h"
#include "ssprd/questions.h"

/* crypto_kdf subkeys of the code key: 1 TOTP, 2 recovery codes. */
#define DECOY_KDF_ID	  3
#define DECOY_KDF_CONTEXT "ssprdcoy"

_Static_assert(crypto_kdf_KEYBYTES == CODE_KEY_SIZE, "code key is not a KDF key");

/* A deterministic stream of bytes: keyed BLAKE2b of (purpose, name,
 * block counter) under the decoy subkey. */
struct rng {
	uint8_t key[crypto_generichash_KEYBYTES];
	const char *purpose, *name;
	uint32_t counter;
	uint8_t block[64];
	size_t pos;
};

static void rng_init(struct rng *g, const uint8_t code_key[CODE_KEY_SIZE], const char *name,
		     const char *purpose)
{
	crypto_kdf_derive_from_key(g->key, sizeof(g->key), DECOY_KDF_ID, DECOY_KDF_CONTEXT,
				   code_key);
	g->purpose = purpose;
	g->name = name ? name : "";
	g->counter = 0;
	g->pos = sizeof(g->block);
}

static void rng_done(struct rng *g)
{
	sodium_memzero(g, sizeof(*g));
}

static uint8_t rng_byte(struct rng *g)
{
	if (g->pos == sizeof(g->block)) {
		crypto_generichash_state st;
		uint8_t ctr[4] = {(uint8_t)g->counter, (uint8_t)(g->counter >> 8),
				  (uint8_t)(g->counter >> 16), (uint8_t)(g->counter >> 24)};
		crypto_generichash_init(&st, g->key, sizeof(g->key), sizeof(g->block));
		crypto_generichash_update(&st, (const uint8_t *)g->purpose, strlen(g->purpose) + 1);
		crypto_generichash_update(&st, (const uint8_t *)g->name, strlen(g->name) + 1);
		crypto_generichash_update(&st, ctr, sizeof(ctr));
		crypto_generichash_final(&st, g->block, sizeof(g->block));
		sodium_memzero(&st, sizeof(st));
		g->counter++;
		g->pos = 0;
	}
	return g->block[g->pos++];
}

/* Uniform in [0, n), n >= 1 (rejection sampling: no modulo bias). */
static uint32_t rng_uniform(struct rng *g, uint32_t n)
{
	uint32_t limit = UINT32_MAX - UINT32_MAX % n;
	for (;;) {
		uint32_t v = 0;
		for (int i = 0; i < 4; i++)
			v = v << 8 | rng_byte(g);
		if (v < limit)
			return v % n;
	}
}

/* --- made-up addresses and numbers ----------------------------------- */

static const char *const providers[] = {"gmail.com",  "outlook.com", "yahoo.com", "hotmail.com",
					"icloud.com", "proton.me",   "gmx.net",	  "aol.com"};

/* The site's own mail domain (from [email] from), without a leading
 * "mail." or "noreply." that users' addresses would not have. */
static bool site_domain(const struct sspr_conf *c, char *out, size_t outsz)
{
	static const char *const hosts[] = {"mail.",   "smtp.",	  "mx.",    "noreply.",
					    "notify.", "mailer.", "bounce."};
	const char *at = c->mail_from ? strchr(c->mail_from, '@') : NULL;
	if (!at)
		return false;
	const char *dom = at + 1;
	for (size_t i = 0; i < ARRAY_SIZE(hosts); i++)
		if (strncmp(dom, hosts[i], strlen(hosts[i])) == 0 &&
		    strchr(dom + strlen(hosts[i]), '.'))
			dom += strlen(hosts[i]);
	char probe[EMAIL_MAX + 1];
	if (snprintf(probe, sizeof(probe), "x@%s", dom) >= (int)sizeof(probe) ||
	    !email_valid(probe))
		return false;
	return snprintf(out, outsz, "%s", dom) < (int)outsz;
}

static void make_email(struct rng *g, const struct sspr_conf *c, const char *name,
		       char out[EMAIL_MAX + 1])
{
	char local[8], dom[EMAIL_MAX - 16];
	/* Most addresses start like the login name (carol -> c...). */
	bool from_name = rng_uniform(g, 4) != 0 && isalnum((unsigned char)name[0]);
	local[0] =
	    from_name ? (char)tolower((unsigned char)name[0]) : (char)('a' + rng_uniform(g, 26));
	for (size_t i = 1; i < sizeof(local) - 1; i++)
		local[i] = (char)('a' + rng_uniform(g, 26));
	local[sizeof(local) - 1] = '\0';
	bool own = rng_uniform(g, 4) != 0 && site_domain(c, dom, sizeof(dom));
	if (!own)
		snprintf(dom, sizeof(dom), "%s", providers[rng_uniform(g, ARRAY_SIZE(providers))]);
	snprintf(out, EMAIL_MAX + 1, "%s@%s", local, dom);
}

/* Digits after the country code of mobile numbers in common countries. */
static const struct {
	const char *cc;
	unsigned national;
} plans[] = {
    {"1", 10},	{"44", 10}, {"49", 11}, {"33", 9},  {"61", 9},	{"91", 10}, {"81", 10},
    {"86", 11}, {"886", 9}, {"31", 9},	{"34", 9},  {"39", 10}, {"41", 9},  {"46", 9},
    {"47", 8},	{"45", 8},  {"32", 9},	{"43", 10}, {"48", 9},	{"353", 9}, {"64", 9},
    {"65", 8},	{"852", 8}, {"27", 9},	{"55", 11}, {"52", 10}, {"358", 9}, {"351", 9},
};
/* Where no prefix says otherwise: the first few, most often. */
#define COMMON_PLANS 8

static unsigned national_len(const char *cc)
{
	for (size_t i = 0; i < ARRAY_SIZE(plans); i++)
		if (strcmp(plans[i].cc, cc) == 0)
			return plans[i].national;
	return 9;
}

static void make_phone(struct rng *g, const struct sspr_conf *c, char out[PHONE_MAX + 1])
{
	char digits[PHONE_MAX + 8] = "";
	size_t nprefixes = 0;
	while (nprefixes < CONF_MAX_PREFIXES && c->gw_allowed_prefixes[nprefixes])
		nprefixes++;
	bool own = rng_uniform(g, 4) != 0 && c->gw_from && phone_valid(c->gw_from);
	const char *common = plans[rng_uniform(g, COMMON_PLANS)].cc;
	if (nprefixes > 0)
		snprintf(digits, sizeof(digits), "%s",
			 c->gw_allowed_prefixes[rng_uniform(g, (uint32_t)nprefixes)] + 1);
	else if (own)
		snprintf(digits, sizeof(digits), "%.*s",
			 (int)phone_country_code_len(c->gw_from + 1), c->gw_from + 1);
	else
		snprintf(digits, sizeof(digits), "%s", common);
	size_t fixed = strlen(digits);
	if (fixed > PHONE_MAX - 3)
		fixed = PHONE_MAX - 3;
	/* A prefix shorter than its country code ("+4") gets completed by
	 * the random digits; the length comes from the code they make. */
	char probe[PHONE_MAX + 8];
	memcpy(probe, digits, fixed);
	for (size_t i = fixed; i < fixed + 3; i++)
		probe[i] = (char)('1' + rng_uniform(g, 9));
	probe[fixed + 3] = '\0';
	char cc[4] = "";
	size_t cclen = phone_country_code_len(probe);
	memcpy(cc, probe, cclen);
	cc[cclen] = '\0';
	size_t total = cclen + national_len(cc);
	if (total < fixed + 2)
		total = fixed + 2;
	if (total < 8)
		total = 8;
	if (total > PHONE_MAX - 1)
		total = PHONE_MAX - 1;
	out[0] = '+';
	memcpy(out + 1, probe, fixed + 3 < total ? fixed + 3 : total);
	for (size_t i = fixed + 3; i < total; i++)
		out[1 + i] = (char)('0' + rng_uniform(g, 10));
	out[1 + total] = '\0';
	if (out[1] == '0' || !phone_valid(out))
		snprintf(out, PHONE_MAX + 1, "+1555%07u", (unsigned)rng_uniform(g, 10000000));
}

/* --- the profile ------------------------------------------------------ */

static bool enabled(const struct sspr_conf *c, enum method m)
{
	return c->methods & METHOD_BIT(m);
}

size_t decoy_pool_size(const struct sspr_conf *conf)
{
	char **pool = NULL;
	size_t n = 0;
	if (questions_load_pool(conf, &pool, &n) < 0)
		return 0;
	questions_free_pool(pool, n);
	return n;
}

enum kind { K_EMAIL, K_MOBILE, K_OFFICE, K_QUESTIONS, K_TOTP, K_RECOVERY, K_COUNT };

void decoy_profile(const struct sspr_conf *c, const uint8_t key[CODE_KEY_SIZE], const char *name,
		   struct decoy_profile *out)
{
	struct rng g;
	struct decoy_profile all;
	rng_init(&g, key, name, "profile");
	memset(out, 0, sizeof(*out));
	memset(&all, 0, sizeof(all));
	bool usable[K_COUNT] = {
	    [K_EMAIL] = enabled(c, METHOD_EMAIL),
	    [K_MOBILE] = enabled(c, METHOD_SMS) || enabled(c, METHOD_VOICE_MOBILE),
	    [K_OFFICE] = enabled(c, METHOD_VOICE_OFFICE),
	    [K_QUESTIONS] = enabled(c, METHOD_QUESTIONS) &&
			    (c->questions_alone || c->required > 1) && c->questions_answer > 0 &&
			    decoy_pool_size(c) >= c->questions_answer,
	    [K_TOTP] = enabled(c, METHOD_TOTP),
	    [K_RECOVERY] = enabled(c, METHOD_RECOVERY_CODE),
	};
	/* How often each appears: most people register an address, about
	 * half a mobile number, fewer the rest. */
	static const uint32_t one_in[K_COUNT] = {
	    [K_EMAIL] = 0,     [K_MOBILE] = 2, [K_OFFICE] = 4,
	    [K_QUESTIONS] = 4, [K_TOTP] = 4,   [K_RECOVERY] = 8,
	};
	bool want[K_COUNT];
	for (int k = 0; k < K_COUNT; k++)
		want[k] = k == K_EMAIL ? rng_uniform(&g, 16) != 0 : rng_uniform(&g, one_in[k]) == 0;
	make_email(&g, c, name ? name : "", all.email);
	make_phone(&g, c, all.mobile);
	make_phone(&g, c, all.office);
	if (strcmp(all.office, all.mobile) == 0)
		all.office[strlen(all.office) - 1] =
		    all.office[strlen(all.office) - 1] == '9' ? '8' : '9';
	all.questions = all.totp = all.recovery = true;
	/* Then enough for the required count, in the order people tend to
	 * register. */
	static const enum kind fill[] = {K_EMAIL,     K_MOBILE, K_TOTP,
					 K_QUESTIONS, K_OFFICE, K_RECOVERY};
	unsigned factors = 0;
	for (int k = 0; k < K_COUNT; k++)
		factors += want[k] = want[k] && usable[k];
	for (size_t i = 0; i < ARRAY_SIZE(fill) && factors < c->required; i++)
		if (usable[fill[i]] && !want[fill[i]]) {
			want[fill[i]] = true;
			factors++;
		}
	if (want[K_EMAIL])
		memcpy(out->email, all.email, sizeof(out->email));
	if (want[K_MOBILE])
		memcpy(out->mobile, all.mobile, sizeof(out->mobile));
	if (want[K_OFFICE])
		memcpy(out->office, all.office, sizeof(out->office));
	out->questions = want[K_QUESTIONS];
	out->totp = want[K_TOTP];
	out->recovery = want[K_RECOVERY];
	rng_done(&g);
}

void decoy_pick(const uint8_t key[CODE_KEY_SIZE], const char *name, size_t total, size_t want,
		unsigned *idx)
{
	unsigned order[64];
	struct rng g;
	if (total > ARRAY_SIZE(order))
		total = ARRAY_SIZE(order);
	if (want > total)
		want = total;
	for (size_t i = 0; i < total; i++)
		order[i] = (unsigned)i;
	rng_init(&g, key, name, "questions");
	/* The first want steps of a Fisher-Yates shuffle. */
	for (size_t i = 0; i < want; i++) {
		size_t j = i + rng_uniform(&g, (uint32_t)(total - i));
		unsigned t = order[i];
		order[i] = order[j];
		order[j] = t;
		idx[i] = order[i];
	}
	rng_done(&g);
}
