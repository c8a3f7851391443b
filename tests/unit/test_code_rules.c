/* The code rules the abuse limits rely on, with code_attempts = 5: the
 * sixth try is refused even when right, a resend neither resets the count
 * nor revives the old code, and of twenty concurrent checks one wins. */
#include <check.h>
#include <pthread.h>
#include <sodium.h>
#include <string.h>

#include "ssprd/code.h"
#include "tests/unit/fixture.h"
#include "tests/unit/suites.h"

#define T0 1000000000LL

static uint8_t req[STORE_REQUEST_SIZE];

static enum code_result check5(const char *typed, unsigned *left)
{
	enum code_result res;
	unsigned l = 0;
	ck_assert_int_eq(
	    code_check(fx_store, fx_key, "carol", "email", req, typed, 5, T0 + 1, &res, &l), 0);
	if (left)
		*left = l;
	return res;
}

static void wrong_of(const char *code, char out[7])
{
	memcpy(out, code, 7);
	out[5] = out[5] == '9' ? '0' : (char)(out[5] + 1);
}

START_TEST(sixth_code_refused_even_when_right)
{
	char code[7], wrong[7];
	randombytes_buf(req, sizeof(req));
	ck_assert_int_eq(code_issue(fx_store, fx_key, "carol", "email", req, 600, T0, code), 0);
	wrong_of(code, wrong);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(check5(wrong, NULL), CODE_WRONG);
	ck_assert_int_eq(check5(wrong, NULL), CODE_EXHAUSTED);
	ck_assert_int_ne(check5(code, NULL), CODE_OK);
}
END_TEST

START_TEST(resend_keeps_the_count_and_kills_the_old_code)
{
	char code[7], wrong[7], newer[7];
	unsigned left = 0;
	randombytes_buf(req, sizeof(req));
	ck_assert_int_eq(code_issue(fx_store, fx_key, "carol", "email", req, 600, T0, code), 0);
	wrong_of(code, wrong);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(check5(wrong, NULL), CODE_WRONG);
	/* A resend, even from another dialogue, keeps the three. */
	uint8_t other[STORE_REQUEST_SIZE];
	randombytes_buf(other, sizeof(other));
	ck_assert_int_eq(code_issue(fx_store, fx_key, "carol", "email", other, 600, T0, newer), 0);
	struct store_code rec;
	ck_assert_int_eq(store_code_get(fx_store, "carol", "email", &rec), 0);
	ck_assert_uint_eq(rec.attempts, 3);
	memcpy(req, other, sizeof(req));
	/* The old code does not come back: typed now it is one more wrong
	 * try (unless the draw gave the same digits). */
	if (strcmp(code, newer) != 0) {
		ck_assert_int_eq(check5(code, &left), CODE_WRONG);
		ck_assert_uint_eq(left, 1);
		wrong_of(newer, wrong);
		ck_assert_int_eq(check5(wrong, NULL), CODE_EXHAUSTED);
		ck_assert_int_ne(check5(newer, NULL), CODE_OK);
	}
}
END_TEST

START_TEST(an_expired_code_passes_nothing_on)
{
	char code[7], newer[7];
	randombytes_buf(req, sizeof(req));
	ck_assert_int_eq(code_issue(fx_store, fx_key, "carol", "email", req, 600, T0 - 1000, code),
			 0);
	struct store_code rec;
	ck_assert_int_eq(store_code_set_attempts(fx_store, "carol", "email", 4), 0);
	ck_assert_int_eq(code_issue(fx_store, fx_key, "carol", "email", req, 600, T0, newer), 0);
	ck_assert_int_eq(store_code_get(fx_store, "carol", "email", &rec), 0);
	ck_assert_uint_eq(rec.attempts, 0);
	ck_assert_int_eq(check5(newer, NULL), CODE_OK);
}
END_TEST

struct code_racer {
	const char *typed;
	enum code_result res;
};

static void *code_race(void *arg)
{
	struct code_racer *r = arg;
	unsigned left;
	if (code_check(fx_store, fx_key, "carol", "email", req, r->typed, 5, T0 + 1, &r->res,
		       &left) < 0)
		r->res = CODE_MISSING;
	return NULL;
}

START_TEST(twenty_concurrent_checks_one_winner)
{
	char code[7], wrong[7];
	randombytes_buf(req, sizeof(req));
	ck_assert_int_eq(code_issue(fx_store, fx_key, "carol", "email", req, 600, T0, code), 0);
	wrong_of(code, wrong);
	/* With code_attempts = 5: twenty right ones, exactly one wins. */
	pthread_t t[20];
	struct code_racer r[20];
	for (int i = 0; i < 20; i++) {
		r[i] = (struct code_racer){.typed = code};
		ck_assert_int_eq(pthread_create(&t[i], NULL, code_race, &r[i]), 0);
	}
	int ok = 0;
	for (int i = 0; i < 20; i++) {
		pthread_join(t[i], NULL);
		ok += r[i].res == CODE_OK;
	}
	ck_assert_int_eq(ok, 1);
	/* Ten wrong and ten right at once: at most one wins, and never
	 * after the fifth wrong one. */
	ck_assert_int_eq(code_issue(fx_store, fx_key, "carol", "email", req, 600, T0, code), 0);
	wrong_of(code, wrong);
	for (int i = 0; i < 20; i++) {
		r[i] = (struct code_racer){.typed = i % 2 ? code : wrong};
		ck_assert_int_eq(pthread_create(&t[i], NULL, code_race, &r[i]), 0);
	}
	int wins = 0, wrongs = 0, exhausted = 0;
	for (int i = 0; i < 20; i++) {
		pthread_join(t[i], NULL);
		wins += r[i].res == CODE_OK;
		wrongs += r[i].res == CODE_WRONG;
		exhausted += r[i].res == CODE_EXHAUSTED;
	}
	ck_assert_int_le(wins, 1);
	ck_assert_int_le(wrongs, 4);
	ck_assert_int_le(exhausted, 1);
	ck_assert_int_eq(wins + exhausted, 1);
}
END_TEST

Suite *code_rules_suite(void)
{
	Suite *s = suite_create("code_rules");
	TCase *tc = tcase_create("code_rules");
	tcase_add_checked_fixture(tc, fixture_store_setup, fixture_store_teardown);
	tcase_add_test(tc, sixth_code_refused_even_when_right);
	tcase_add_test(tc, resend_keeps_the_count_and_kills_the_old_code);
	tcase_add_test(tc, an_expired_code_passes_nothing_on);
	tcase_add_test(tc, twenty_concurrent_checks_one_winner);
	suite_add_tcase(s, tc);
	return s;
}
