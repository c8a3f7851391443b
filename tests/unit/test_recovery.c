/* Recovery codes: issue, single use, typing variants, re-issue, on a real
 * store. */
#include <check.h>
#include <ctype.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "ssprd/recovery.h"
#include "tests/unit/fixture.h"
#include "tests/unit/suites.h"

#define NOW 1700000000

static struct store *st;
static uint8_t key[CODE_KEY_SIZE];
static char codes[RECOVERY_COUNT][RECOVERY_CODE_LEN + 1];

static void setup(void)
{
	fixture_store_setup();
	st = fx_store;
	memcpy(key, fx_key, sizeof(key));
}

static void teardown(void)
{
	fixture_store_teardown();
}

static unsigned left(const char *user)
{
	unsigned n;
	store_lock(st);
	ck_assert_int_eq(store_recovery_left(st, user, &n), 0);
	store_unlock(st);
	return n;
}

static int use(const char *user, const char *typed)
{
	return recovery_use(st, key, user, typed, NOW + 10);
}

START_TEST(issue_well_formed_distinct)
{
	ck_assert_int_eq(recovery_issue(st, key, "carol", codes, NOW), 0);
	for (size_t i = 0; i < RECOVERY_COUNT; i++) {
		const char *c = codes[i];
		ck_assert_uint_eq(strlen(c), RECOVERY_CODE_LEN);
		ck_assert_int_eq(c[5], '-');
		for (size_t j = 0; j < RECOVERY_CODE_LEN; j++)
			if (j != 5)
				ck_assert_ptr_nonnull(
				    strchr("0123456789abcdefghjkmnpqrstvwxyz", c[j]));
		for (size_t j = 0; j < i; j++)
			ck_assert_str_ne(codes[j], c);
	}
	ck_assert_uint_eq(left("carol"), RECOVERY_COUNT);
	/* Only hashes are stored: no code text in the database file. */
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", fx_dir, STORE_DB_NAME);
	store_close(st);
	char *db = NULL;
	size_t len = 0;
	ck_assert_int_eq(read_small_file(path, 1 << 24, &db, &len), 0);
	for (size_t i = 0; i < RECOVERY_COUNT; i++)
		ck_assert_ptr_null(memmem(db, len, codes[i], 5));
	free(db);
	ck_assert_int_eq(store_open(fx_dir, &st), 0);
	fx_store = st;
}
END_TEST

START_TEST(each_code_works_once)
{
	ck_assert_int_eq(recovery_issue(st, key, "carol", codes, NOW), 0);
	for (size_t i = 0; i < RECOVERY_COUNT; i++) {
		ck_assert_int_eq(use("carol", codes[i]), 0);
		ck_assert_int_eq(use("carol", codes[i]), -EACCES);
		ck_assert_uint_eq(left("carol"), RECOVERY_COUNT - 1 - i);
	}
}
END_TEST

START_TEST(typing_variants)
{
	char t[64];
	ck_assert_int_eq(recovery_issue(st, key, "carol", codes, NOW), 0);
	/* Upper case with a space: "ABCDE FGHJK". */
	snprintf(t, sizeof(t), "%s", codes[0]);
	for (char *p = t; *p; p++)
		*p = (char)(*p == '-' ? ' ' : toupper((unsigned char)*p));
	ck_assert_int_eq(use("carol", t), 0);
	/* Without the dash. */
	snprintf(t, sizeof(t), "%.5s%.5s", codes[1], codes[1] + 6);
	ck_assert_int_eq(use("carol", t), 0);
	/* Spaces around and inside, doubled dash. */
	snprintf(t, sizeof(t), "  %.2s %.3s--%.5s ", codes[2], codes[2] + 2, codes[2] + 6);
	ck_assert_int_eq(use("carol", t), 0);
	ck_assert_uint_eq(left("carol"), RECOVERY_COUNT - 3);
}
END_TEST

/* Crockford's base32: a typed o is 0, i and l are 1. */
START_TEST(look_alikes_read_as_digits)
{
	int found = -1;
	for (int round = 0; round < 50 && found < 0; round++) {
		ck_assert_int_eq(recovery_issue(st, key, "carol", codes, NOW), 0);
		for (int i = 0; i < RECOVERY_COUNT && found < 0; i++)
			if (strpbrk(codes[i], "01"))
				found = i;
	}
	ck_assert_int_ge(found, 0);
	char t[RECOVERY_CODE_LEN + 1];
	memcpy(t, codes[found], sizeof(t));
	for (char *p = t; *p; p++)
		if (*p == '0')
			*p = 'O';
		else if (*p == '1')
			*p = (p - t) % 2 ? 'l' : 'I';
	ck_assert_int_eq(use("carol", t), 0);
	ck_assert_int_eq(use("carol", codes[found]), -EACCES);
}
END_TEST

START_TEST(wrong_codes)
{
	char t[RECOVERY_CODE_LEN + 1];
	ck_assert_int_eq(use("carol", codes[0]), -EACCES); /* none issued */
	ck_assert_int_eq(recovery_issue(st, key, "carol", codes, NOW), 0);
	memcpy(t, codes[0], sizeof(t));
	t[0] = t[0] == 'a' ? 'b' : 'a';
	ck_assert_int_eq(use("carol", t), -EACCES);
	const char *bad[] = {"",
			     "-----",
			     "abcd",
			     "abcde-fghj",
			     "abcde-fghjkm",
			     "abcde-fghju",
			     "abcde_fghjk",
			     "abcde\tfghjk"};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		ck_assert_int_eq(use("carol", bad[i]), -EACCES);
	/* A right code with too much padding is refused unhashed. */
	char padded[128];
	snprintf(padded, sizeof(padded), "%70s", codes[0]);
	ck_assert_int_eq(use("carol", padded), -EACCES);
	/* Another user, another code key. */
	ck_assert_int_eq(use("dave", codes[0]), -EACCES);
	uint8_t other[CODE_KEY_SIZE];
	randombytes_buf(other, sizeof(other));
	ck_assert_int_eq(recovery_use(st, other, "carol", codes[0], NOW), -EACCES);
	/* None of that spent a code. */
	ck_assert_uint_eq(left("carol"), RECOVERY_COUNT);
	ck_assert_int_eq(use("carol", codes[0]), 0);
}
END_TEST

START_TEST(reissue_invalidates_old_codes)
{
	char old[RECOVERY_COUNT][RECOVERY_CODE_LEN + 1];
	ck_assert_int_eq(recovery_issue(st, key, "carol", old, NOW), 0);
	ck_assert_int_eq(use("carol", old[0]), 0);
	ck_assert_int_eq(recovery_issue(st, key, "carol", codes, NOW + 60), 0);
	ck_assert_uint_eq(left("carol"), RECOVERY_COUNT);
	for (size_t i = 0; i < RECOVERY_COUNT; i++)
		ck_assert_int_eq(use("carol", old[i]), -EACCES);
	ck_assert_int_eq(use("carol", codes[9]), 0);
	/* dave's set is his own. */
	ck_assert_int_eq(recovery_issue(st, key, "dave", old, NOW), 0);
	ck_assert_uint_eq(left("carol"), RECOVERY_COUNT - 1);
	ck_assert_int_eq(use("dave", old[3]), 0);
}
END_TEST

Suite *recovery_suite(void)
{
	Suite *s = suite_create("recovery");
	TCase *tc = tcase_create("recovery");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, issue_well_formed_distinct);
	tcase_add_test(tc, each_code_works_once);
	tcase_add_test(tc, typing_variants);
	tcase_add_test(tc, look_alikes_read_as_digits);
	tcase_add_test(tc, wrong_codes);
	tcase_add_test(tc, reissue_invalidates_old_codes);
	suite_add_tcase(s, tc);
	return s;
}
