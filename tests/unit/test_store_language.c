/* The language preference in the sqlite store (schema version 6). */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ssprd/store.h"
#include "tests/unit/suites.h"

static char dir[64];
static struct store *s;

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/sspr-lang-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(store_open(dir, &s), 0);
}

static void teardown(void)
{
	store_close(s);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(set_get_forget)
{
	char lang[16] = "junk";
	ck_assert_int_ge(store_schema_version(s), 6);
	ck_assert_int_eq(store_language_get(s, "carol", lang), 0);
	ck_assert_str_eq(lang, "");
	ck_assert_int_eq(store_language_set(s, "carol", "zh_TW", 10), 0);
	ck_assert_int_eq(store_language_set(s, "dave", "sr@latin", 10), 0);
	ck_assert_int_eq(store_language_get(s, "carol", lang), 0);
	ck_assert_str_eq(lang, "zh_TW");
	ck_assert_int_eq(store_language_get(s, "dave", lang), 0);
	ck_assert_str_eq(lang, "sr@latin");
	/* The language lives with the registration dates: neither clobbers
	 * the other. */
	ck_assert_int_eq(store_registration_confirm(s, "carol", 77), 0);
	int64_t when = 0;
	ck_assert_int_eq(store_registration_confirmed(s, "carol", &when), 0);
	ck_assert_int_eq(when, 77);
	ck_assert_int_eq(store_language_get(s, "carol", lang), 0);
	ck_assert_str_eq(lang, "zh_TW");
	ck_assert_int_eq(store_language_set(s, "carol", "", 11), 0);
	ck_assert_int_eq(store_language_get(s, "carol", lang), 0);
	ck_assert_str_eq(lang, "");
	ck_assert_int_eq(store_registration_confirmed(s, "carol", &when), 0);
	ck_assert_int_eq(when, 77);
}
END_TEST

START_TEST(refuses_non_catalog_names)
{
	static const char *const bad[] = {"../../etc", "zh_TW.UTF-8",	   "C", "english", "zh_tw",
					  "en@",       "aaaaaaaaaaaaaaaaa"};
	char lang[16];
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_int_eq(store_language_set(s, "carol", bad[i], 1), -EINVAL);
	ck_assert_int_eq(store_language_set(s, "carol", NULL, 1), -EINVAL);
	ck_assert_int_eq(store_language_get(s, "carol", lang), 0);
	ck_assert_str_eq(lang, "");
}
END_TEST

START_TEST(survives_reopen)
{
	char lang[16];
	ck_assert_int_eq(store_language_set(s, "carol", "de", 1), 0);
	store_close(s);
	ck_assert_int_eq(store_open(dir, &s), 0);
	ck_assert_int_eq(store_language_get(s, "carol", lang), 0);
	ck_assert_str_eq(lang, "de");
}
END_TEST

Suite *store_language_suite(void)
{
	Suite *su = suite_create("store_language");
	TCase *tc = tcase_create("sqlite");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, set_get_forget);
	tcase_add_test(tc, refuses_non_catalog_names);
	tcase_add_test(tc, survives_reopen);
	suite_add_tcase(su, tc);
	return su;
}
