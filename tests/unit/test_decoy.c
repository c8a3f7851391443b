/* Decoys: made-up registrations (deterministic, plausible, only what the
 * site offers, without the store), their question draw, their timing and
 * their code counting. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"
#include "common/method.h"
#include "common/phone.h"
#include "common/validate.h"
#include "ssprd/decoy.h"
#include "tests/unit/suites.h"

#define ALL_METHODS                                                                                \
	(METHOD_BIT(METHOD_EMAIL) | METHOD_BIT(METHOD_SMS) | METHOD_BIT(METHOD_VOICE_MOBILE) |     \
	 METHOD_BIT(METHOD_VOICE_OFFICE) | METHOD_BIT(METHOD_QUESTIONS) |                          \
	 METHOD_BIT(METHOD_TOTP) | METHOD_BIT(METHOD_RECOVERY_CODE))

static struct sspr_conf conf;
static uint8_t key[CODE_KEY_SIZE], key2[CODE_KEY_SIZE];

static void set(char **field, const char *value)
{
	free(*field);
	*field = value ? strdup(value) : NULL;
}

static void setup(void)
{
	ck_assert_int_eq(conf_init_defaults(&conf), 0);
	conf.methods = ALL_METHODS;
	conf.questions_alone = true;
	conf.questions_answer = 2;
	set(&conf.question_pool[0], "What was the name of your first pet?");
	set(&conf.question_pool[1], "In which city were you born?");
	set(&conf.question_pool[2], "What was your first car?");
	set(&conf.mail_from, "noreply@mail.example.org");
	for (size_t i = 0; i < sizeof(key); i++) {
		key[i] = (uint8_t)i;
		key2[i] = (uint8_t)(i * 7 + 1);
	}
	decoy_timing_reset();
	decoy_code_reset();
}

static void teardown(void)
{
	conf_free(&conf);
}

static void name_of(int i, char *out, size_t outsz)
{
	static const char *const first[] = {"alice", "bob",   "chen",  "dana",
					    "emil",  "fatma", "gopal", "hiro"};
	snprintf(out, outsz, "%s%d", first[i % 8], i);
}

START_TEST(same_name_same_decoy)
{
	struct decoy_profile a, b;
	decoy_profile(&conf, key, "ghost", &a);
	decoy_profile(&conf, key, "ghost", &b);
	ck_assert_int_eq(memcmp(&a, &b, sizeof(a)), 0);
	/* Another key (another site) makes other decoys. */
	int differ = 0;
	for (int i = 0; i < 20; i++) {
		char n[32];
		name_of(i, n, sizeof(n));
		decoy_profile(&conf, key, n, &a);
		decoy_profile(&conf, key2, n, &b);
		differ += memcmp(&a, &b, sizeof(a)) != 0;
	}
	ck_assert_int_ge(differ, 18);
}
END_TEST

START_TEST(different_names_differ)
{
	static struct decoy_profile p[60];
	int distinct = 0, menus[1 << 6] = {0}, shapes = 0;
	for (int i = 0; i < 60; i++) {
		char n[32];
		name_of(i, n, sizeof(n));
		decoy_profile(&conf, key, n, &p[i]);
		bool seen = false;
		for (int j = 0; j < i && !seen; j++)
			seen = memcmp(&p[i], &p[j], sizeof(p[i])) == 0;
		distinct += !seen;
		int shape = (p[i].email[0] != 0) | (p[i].mobile[0] != 0) << 1 |
			    (p[i].office[0] != 0) << 2 | p[i].questions << 3 | p[i].totp << 4 |
			    p[i].recovery << 5;
		shapes += menus[shape]++ == 0;
	}
	ck_assert_int_eq(distinct, 60);
	/* Not one menu for everyone: several combinations of methods. */
	ck_assert_int_ge(shapes, 4);
}
END_TEST

static bool masked_email_ok(const char *m)
{
	/* "c***@e***.org" */
	return strlen(m) >= 11 && m[1] == '*' && m[2] == '*' && m[3] == '*' && m[4] == '@' &&
	       strncmp(m + 6, "***.", 4) == 0 && strchr(m + 10, '.') == NULL;
}

START_TEST(plausible_addresses_and_numbers)
{
	int own_domain = 0, from_name = 0, emails = 0, mobiles = 0;
	set(&conf.gw_allowed_prefixes[0], "+44");
	set(&conf.gw_allowed_prefixes[1], "+3531");
	for (int i = 0; i < 400; i++) {
		char n[32], masked[EMAIL_MAX + 8];
		struct decoy_profile p;
		name_of(i, n, sizeof(n));
		decoy_profile(&conf, key, n, &p);
		if (p.email[0]) {
			emails++;
			ck_assert_msg(email_valid(p.email), "%s", p.email);
			ck_assert_int_eq(email_mask(p.email, masked, sizeof(masked)), 0);
			ck_assert_msg(masked_email_ok(masked), "%s", masked);
			own_domain += strstr(p.email, "@example.org") != NULL;
			from_name += p.email[0] == n[0];
			ck_assert_ptr_null(strstr(p.email, "@mail."));
		}
		const char *numbers[] = {p.mobile, p.office};
		for (int k = 0; k < 2; k++) {
			if (!numbers[k][0])
				continue;
			mobiles += k == 0;
			ck_assert_msg(phone_valid(numbers[k]), "%s", numbers[k]);
			ck_assert_msg(phone_prefix_allowed(numbers[k], conf.gw_allowed_prefixes),
				      "%s", numbers[k]);
			ck_assert_int_eq(phone_mask(numbers[k], masked, sizeof(masked)), 0);
			ck_assert_msg(strncmp(masked, "+44 ", 4) == 0 ||
					  strncmp(masked, "+353 ", 5) == 0,
				      "%s", masked);
		}
		if (p.mobile[0] && p.office[0])
			ck_assert_str_ne(p.mobile, p.office);
	}
	ck_assert_int_gt(emails, 300);
	ck_assert_int_gt(mobiles, 100);
	/* Mostly the site's own domain, mostly the name's first letter. */
	ck_assert_int_gt(own_domain, emails / 2);
	ck_assert_int_lt(own_domain, emails);
	ck_assert_int_gt(from_name, emails / 2);
}
END_TEST

START_TEST(numbers_follow_the_gateway_country)
{
	set(&conf.gw_from, "+15550100000");
	int us = 0, n = 0;
	for (int i = 0; i < 200; i++) {
		char name[32], masked[64];
		struct decoy_profile p;
		name_of(i, name, sizeof(name));
		decoy_profile(&conf, key, name, &p);
		if (!p.mobile[0])
			continue;
		n++;
		ck_assert(phone_valid(p.mobile));
		ck_assert_int_eq(phone_mask(p.mobile, masked, sizeof(masked)), 0);
		if (strncmp(p.mobile, "+1", 2) == 0) {
			us++;
			ck_assert_uint_eq(strlen(p.mobile), 12); /* +1 and 10 digits */
		}
	}
	ck_assert_int_gt(n, 50);
	ck_assert_int_gt(us, n / 2);
}
END_TEST

static unsigned factors(const struct decoy_profile *p)
{
	return (p->email[0] != 0) + (p->mobile[0] != 0) + (p->office[0] != 0) + p->questions +
	       p->totp + p->recovery;
}

START_TEST(only_what_the_site_offers)
{
	struct decoy_profile p;
	char n[32];
	/* Email only: always an address, nothing else. */
	conf.methods = METHOD_BIT(METHOD_EMAIL);
	for (int i = 0; i < 100; i++) {
		name_of(i, n, sizeof(n));
		decoy_profile(&conf, key, n, &p);
		ck_assert(p.email[0]);
		ck_assert_uint_eq(factors(&p), 1);
	}
	/* Two required of email, SMS and authenticator apps. */
	conf.methods = METHOD_BIT(METHOD_EMAIL) | METHOD_BIT(METHOD_SMS) | METHOD_BIT(METHOD_TOTP);
	conf.required = 2;
	for (int i = 0; i < 100; i++) {
		name_of(i, n, sizeof(n));
		decoy_profile(&conf, key, n, &p);
		ck_assert_uint_ge(factors(&p), 2);
		ck_assert(!p.office[0] && !p.questions && !p.recovery);
	}
	/* Questions alone are offered only with questions_alone, and only
	 * with a pool to draw from. */
	conf.methods = METHOD_BIT(METHOD_EMAIL) | METHOD_BIT(METHOD_QUESTIONS);
	conf.required = 1;
	conf.questions_alone = false;
	for (int i = 0; i < 100; i++) {
		name_of(i, n, sizeof(n));
		decoy_profile(&conf, key, n, &p);
		ck_assert(!p.questions);
	}
	conf.questions_alone = true;
	conf.questions_answer = 4; /* more than the pool holds */
	for (int i = 0; i < 100; i++) {
		name_of(i, n, sizeof(n));
		decoy_profile(&conf, key, n, &p);
		ck_assert(!p.questions);
	}
	/* Settings no one can meet: no crash, what there is. */
	conf.methods = METHOD_BIT(METHOD_EMAIL);
	conf.required = 2;
	decoy_profile(&conf, key, "ghost", &p);
	ck_assert_uint_eq(factors(&p), 1);
}
END_TEST

START_TEST(odd_names)
{
	static const char *const names[] = {"", "../../etc/passwd", "a:b\nc", "\xff\xfe", "-x"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct decoy_profile p, q;
		decoy_profile(&conf, key, names[i], &p);
		decoy_profile(&conf, key, names[i], &q);
		ck_assert_int_eq(memcmp(&p, &q, sizeof(p)), 0);
		ck_assert_uint_ge(factors(&p), 1);
		if (p.email[0])
			ck_assert(email_valid(p.email));
	}
	struct decoy_profile p;
	decoy_profile(&conf, key, NULL, &p);
	ck_assert_uint_ge(factors(&p), 1);
}
END_TEST

START_TEST(question_pick)
{
	unsigned a[3], b[3];
	decoy_pick(key, "ghost", 5, 3, a);
	decoy_pick(key, "ghost", 5, 3, b);
	ck_assert_int_eq(memcmp(a, b, sizeof(a)), 0);
	for (int i = 0; i < 3; i++) {
		ck_assert_uint_lt(a[i], 5);
		for (int j = 0; j < i; j++)
			ck_assert_uint_ne(a[i], a[j]);
	}
	int differ = 0;
	for (int i = 0; i < 20; i++) {
		char n[32];
		name_of(i, n, sizeof(n));
		decoy_pick(key, n, 5, 3, b);
		differ += memcmp(a, b, sizeof(a)) != 0;
	}
	ck_assert_int_ge(differ, 10);
	ck_assert_uint_eq(decoy_pool_size(&conf), 3);
}
END_TEST

START_TEST(timing_follows_real_sends)
{
	/* Before any real send: the fixed estimate, within 10 %. */
	int64_t d = decoy_timing_delay(DECOY_MAIL);
	ck_assert_int_ge(d, 225000);
	ck_assert_int_le(d, 275000);
	/* Real sends of 85..115 ms (median 100, MAD 8): decoys wait
	 * 92..108 ms, around 100. */
	for (int i = 0; i <= 30; i++)
		decoy_timing_record(DECOY_MAIL, 85000 + i * 1000);
	int64_t sum = 0;
	for (int i = 0; i < 400; i++) {
		d = decoy_timing_delay(DECOY_MAIL);
		ck_assert_int_ge(d, 85000);
		ck_assert_int_le(d, 115000);
		sum += d;
	}
	ck_assert_int_ge(sum / 400, 97000);
	ck_assert_int_le(sum / 400, 103000);
	/* One stalled relay does not move the median. */
	decoy_timing_record(DECOY_MAIL, 30000000);
	ck_assert_int_le(decoy_timing_delay(DECOY_MAIL), 120000);
	/* Kinds are separate. */
	d = decoy_timing_delay(DECOY_SMS);
	ck_assert_int_ge(d, 540000);
	/* A failed real delivery makes decoys of that kind fail, until a
	 * real one gets through again. */
	int64_t us = 0;
	ck_assert(!decoy_timing_failing(DECOY_MAIL, &us));
	decoy_timing_failed(DECOY_MAIL, 30000000);
	ck_assert(decoy_timing_failing(DECOY_MAIL, &us));
	ck_assert_int_eq(us, 30000000);
	ck_assert(!decoy_timing_failing(DECOY_SMS, &us));
	decoy_timing_record(DECOY_MAIL, 100000);
	ck_assert(!decoy_timing_failing(DECOY_MAIL, &us));
	int64_t t0 = decoy_now_us();
	decoy_timing_record(DECOY_STORE_WRITE, 20000);
	decoy_wait(DECOY_STORE_WRITE);
	ck_assert_int_ge(decoy_now_us() - t0, 17000);
}
END_TEST

START_TEST(decoy_codes_count_like_real_ones)
{
	uint8_t req1[STORE_REQUEST_SIZE] = {1}, req2[STORE_REQUEST_SIZE] = {2};
	enum code_result res;
	unsigned left;
	decoy_code_check("ghost", "email", req1, 5, 1000, &res, &left);
	ck_assert_int_eq(res, CODE_MISSING);
	decoy_code_issue("ghost", "email", req1, 600, 1000);
	decoy_code_check("ghost", "email", req1, 5, 1001, &res, &left);
	ck_assert_int_eq(res, CODE_WRONG);
	ck_assert_uint_eq(left, 4);
	decoy_code_check("ghost", "email", req1, 5, 1002, &res, &left);
	ck_assert_uint_eq(left, 3);
	/* A resend, in this dialogue or the next, keeps the count. */
	decoy_code_issue("ghost", "email", req2, 600, 1003);
	decoy_code_check("ghost", "email", req1, 5, 1004, &res, &left);
	ck_assert_int_eq(res, CODE_MISSING); /* the older request's code is void */
	decoy_code_check("ghost", "email", req2, 5, 1004, &res, &left);
	ck_assert_int_eq(res, CODE_WRONG);
	ck_assert_uint_eq(left, 2);
	/* Other names and methods are separate. */
	decoy_code_issue("ghost", "sms", req2, 600, 1004);
	decoy_code_check("ghost", "sms", req2, 5, 1005, &res, &left);
	ck_assert_uint_eq(left, 4);
	decoy_code_check("ghost", "email", req2, 5, 1005, &res, &left);
	ck_assert_uint_eq(left, 1);
	decoy_code_check("ghost", "email", req2, 5, 1006, &res, &left);
	ck_assert_int_eq(res, CODE_EXHAUSTED);
	decoy_code_check("ghost", "email", req2, 5, 1007, &res, &left);
	ck_assert_int_eq(res, CODE_MISSING);
	/* Expiry; an expired code's count is not carried over. */
	decoy_code_issue("ghost", "sms", req2, 600, 2000);
	decoy_code_check("ghost", "sms", req2, 5, 2600, &res, &left);
	ck_assert_int_eq(res, CODE_EXPIRED);
	decoy_code_issue("ghost", "sms", req1, 600, 3000);
	decoy_code_check("ghost", "sms", req1, 5, 3001, &res, &left);
	ck_assert_uint_eq(left, 4);
	/* A full table makes room. */
	for (int i = 0; i < 5000; i++) {
		char n[32];
		snprintf(n, sizeof(n), "flood%d", i);
		decoy_code_issue(n, "email", req1, 600, 4000);
	}
	decoy_code_check("flood4999", "email", req1, 5, 4001, &res, &left);
	ck_assert_int_eq(res, CODE_WRONG);
}
END_TEST

Suite *decoy_suite(void)
{
	Suite *s = suite_create("decoy");
	TCase *tc = tcase_create("decoy");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, same_name_same_decoy);
	tcase_add_test(tc, different_names_differ);
	tcase_add_test(tc, plausible_addresses_and_numbers);
	tcase_add_test(tc, numbers_follow_the_gateway_country);
	tcase_add_test(tc, only_what_the_site_offers);
	tcase_add_test(tc, odd_names);
	tcase_add_test(tc, question_pick);
	tcase_add_test(tc, timing_follows_real_sends);
	tcase_add_test(tc, decoy_codes_count_like_real_ones);
	suite_add_tcase(s, tc);
	return s;
}
