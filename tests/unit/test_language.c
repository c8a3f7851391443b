/* ssprd's languages (ssprd/language.c) and the texts that depend on them:
 * durations, the text messages with codes (one UCS-2 segment in Chinese)
 * and the policy's refusals, said in the user's language and logged in
 * English. Needs the zh_TW catalog (SSPR_LOCALEDIR, run-tests.sh). */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/conf.h"
#include "common/i18n.h"
#include "ssprd/language.h"
#include "ssprd/policy.h"
#include "tests/unit/suites.h"

static void setup(void)
{
	i18n_init();
	ck_assert_int_eq(i18n_set_language("en"), 0);
}

static void teardown(void)
{
	i18n_set_language("en");
}

static void need_zh(void)
{
	ck_assert_msg(i18n_available("zh_TW"),
		      "no zh_TW catalog: build it (make) and set SSPR_LOCALEDIR");
	ck_assert_int_eq(i18n_set_language("zh_TW"), 0);
}

START_TEST(durations_in_english)
{
	char out[64];
	lang_duration(600, out, sizeof(out));
	ck_assert_str_eq(out, "10 minutes");
	lang_duration(60, out, sizeof(out));
	ck_assert_str_eq(out, "1 minute");
	lang_duration(90, out, sizeof(out));
	ck_assert_str_eq(out, "90 seconds");
	lang_duration(1, out, sizeof(out));
	ck_assert_str_eq(out, "1 second");
}
END_TEST

START_TEST(durations_in_chinese)
{
	char out[64];
	need_zh();
	lang_duration(600, out, sizeof(out));
	ck_assert_str_eq(out, "10 分鐘");
	lang_duration(90, out, sizeof(out));
	ck_assert_str_eq(out, "90 秒");
}
END_TEST

START_TEST(languages_offered)
{
	const struct lang_entry *e = lang_offered(0);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->code, "en");
	ck_assert_str_eq(e->native, "English");
	need_zh();
	e = lang_offered(1);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->code, "zh_TW");
	ck_assert_str_eq(e->native, "繁體中文 (台灣)");
	ck_assert_ptr_null(lang_offered(2));
	ck_assert_str_eq(lang_native_name("zh_TW"), "繁體中文 (台灣)");
	ck_assert_str_eq(lang_native_name("fr"), "fr");
}
END_TEST

START_TEST(policy_refusal_translated_and_logged_in_english)
{
	struct sspr_conf conf;
	char reason[512], logged[256] = "";
	ck_assert_int_eq(conf_init_defaults(&conf), 0);
	need_zh();
	struct policy_request req = {.user = "carol",
				     .password = "short",
				     .path = POLICY_CHANGE,
				     .log_reason = logged,
				     .log_reason_size = sizeof(logged)};
	ck_assert_int_eq(policy_check(&conf, NULL, &req, reason, sizeof(reason)), -EINVAL);
	ck_assert_str_eq(reason, "密碼至少需要 12 個字元。");
	ck_assert_str_eq(logged, "The password must have at least 12 characters.");
	/* The thread keeps its language. */
	ck_assert_str_eq(i18n_language(), "zh_TW");
	req.password = "my-CAROL-password";
	ck_assert_int_eq(policy_check(&conf, NULL, &req, reason, sizeof(reason)), -EINVAL);
	ck_assert_str_eq(reason, "密碼不得包含您的使用者名稱。");
	ck_assert_str_eq(logged, "The password must not contain your user name.");
	conf_free(&conf);
}
END_TEST

Suite *language_suite(void)
{
	Suite *s = suite_create("language");
	TCase *tc = tcase_create("language");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, durations_in_english);
	tcase_add_test(tc, durations_in_chinese);
	tcase_add_test(tc, languages_offered);
	tcase_add_test(tc, policy_refusal_translated_and_logged_in_english);
	suite_add_tcase(s, tc);
	return s;
}
