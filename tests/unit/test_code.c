/* The code lifecycle: issue, verify once, attempts, expiry, replacement. */
#include <check.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "ssprd/code.h"
#include "tests/unit/fixture.h"
#include "tests/unit/suites.h"

static struct store *st;
static uint8_t key[CODE_KEY_SIZE], req[STORE_REQUEST_SIZE];

static void setup(void)
{
	fixture_store_setup();
	st = fx_store;
	memcpy(key, fx_key, sizeof(key));
	randombytes_buf(req, sizeof(req));
}

static void teardown(void)
{
	fixture_store_teardown();
}

static enum code_result check(const char *typed, int64_t now, unsigned *left)
{
	enum code_result res;
	unsigned l;
	ck_assert_int_eq(code_check(st, key, "carol", "email", req, typed, 3, now, &res, &l), 0);
	if (left)
		*left = l;
	return res;
}

static void wrong_of(const char *code, char out[7])
{
	memcpy(out, code, 7);
	out[0] = out[0] == '9' ? '0' : (char)(out[0] + 1);
}

START_TEST(issue_and_verify_once)
{
	char code[7];
	ck_assert_int_eq(code_issue(st, key, "carol", "email", req, 600, 1000, code), 0);
	ck_assert_uint_eq(strlen(code), 6);
	for (int i = 0; i < 6; i++)
		ck_assert(code[i] >= '0' && code[i] <= '9');
	/* Stored as a keyed hash: the digits are nowhere in the record. */
	struct store_code rec;
	ck_assert_int_eq(store_code_get(st, "carol", "email", &rec), 0);
	ck_assert_ptr_null(memmem(rec.hash, sizeof(rec.hash), code, 6));
	ck_assert_int_eq(check(code, 1001, NULL), CODE_OK);
	ck_assert_int_eq(check(code, 1002, NULL), CODE_MISSING); /* single use */
}
END_TEST

START_TEST(spaces_are_ignored)
{
	char code[7], typed[16];
	ck_assert_int_eq(code_issue(st, key, "carol", "email", req, 600, 1000, code), 0);
	snprintf(typed, sizeof(typed), "%.3s %.3s", code, code + 3);
	ck_assert_int_eq(check(typed, 1001, NULL), CODE_OK);
}
END_TEST

START_TEST(attempts_are_limited)
{
	char code[7], wrong[7];
	unsigned left;
	ck_assert_int_eq(code_issue(st, key, "carol", "email", req, 600, 1000, code), 0);
	wrong_of(code, wrong);
	ck_assert_int_eq(check(wrong, 1001, &left), CODE_WRONG);
	ck_assert_uint_eq(left, 2);
	ck_assert_int_eq(check("abcdef", 1001, &left), CODE_WRONG); /* junk counts too */
	ck_assert_uint_eq(left, 1);
	ck_assert_int_eq(check(wrong, 1001, &left), CODE_EXHAUSTED);
	/* The right code no longer helps. */
	ck_assert_int_eq(check(code, 1002, NULL), CODE_MISSING);
}
END_TEST

START_TEST(codes_expire)
{
	char code[7];
	ck_assert_int_eq(code_issue(st, key, "carol", "email", req, 600, 1000, code), 0);
	ck_assert_int_eq(check(code, 1600, NULL), CODE_EXPIRED);
	ck_assert_int_eq(check(code, 1000, NULL), CODE_MISSING);
}
END_TEST

START_TEST(bound_to_user_and_request)
{
	char code[7], newer[7];
	enum code_result res;
	unsigned left;
	uint8_t other_req[STORE_REQUEST_SIZE];
	randombytes_buf(other_req, sizeof(other_req));
	ck_assert_int_eq(code_issue(st, key, "carol", "email", req, 600, 1000, code), 0);
	/* Another dialogue (request) for carol cannot use carol's code. */
	ck_assert_int_eq(
	    code_check(st, key, "carol", "email", other_req, code, 3, 1001, &res, &left), 0);
	ck_assert_int_eq(res, CODE_MISSING);
	/* Nor can bob. */
	ck_assert_int_eq(code_check(st, key, "bob", "email", req, code, 3, 1001, &res, &left), 0);
	ck_assert_int_eq(res, CODE_MISSING);
	/* A newer code replaces the old one. */
	ck_assert_int_eq(code_issue(st, key, "carol", "email", req, 600, 1002, newer), 0);
	if (strcmp(code, newer) != 0)
		ck_assert_int_eq(check(code, 1003, NULL), CODE_WRONG);
	ck_assert_int_eq(check(newer, 1003, NULL), CODE_OK);
}
END_TEST

struct racer {
	const char *code;
	enum code_result res;
};

static void *race(void *arg)
{
	struct racer *r = arg;
	unsigned left;
	if (code_check(st, key, "carol", "email", req, r->code, 50, 1001, &r->res, &left) < 0)
		r->res = CODE_MISSING;
	return NULL;
}

START_TEST(concurrent_checks_one_winner)
{
	char code[7];
	ck_assert_int_eq(code_issue(st, key, "carol", "email", req, 600, 1000, code), 0);
	pthread_t t[20];
	struct racer r[20];
	for (int i = 0; i < 20; i++) {
		r[i].code = code;
		ck_assert_int_eq(pthread_create(&t[i], NULL, race, &r[i]), 0);
	}
	int wins = 0;
	for (int i = 0; i < 20; i++) {
		pthread_join(t[i], NULL);
		wins += r[i].res == CODE_OK;
	}
	ck_assert_int_eq(wins, 1);
}
END_TEST

Suite *code_suite(void)
{
	Suite *s = suite_create("code");
	TCase *tc = tcase_create("code");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, issue_and_verify_once);
	tcase_add_test(tc, spaces_are_ignored);
	tcase_add_test(tc, attempts_are_limited);
	tcase_add_test(tc, codes_expire);
	tcase_add_test(tc, bound_to_user_and_request);
	tcase_add_test(tc, concurrent_checks_one_winner);
	suite_add_tcase(s, tc);
	return s;
}
