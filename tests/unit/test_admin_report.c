/* Tests for the ssprctl report's counting (ssprd/admin_report.c), the
 * strict number parsing and the JSON row helpers of the admin requests. */
#include <errno.h>
#include <string.h>

#include "common/method.h"
#include "common/proto.h"
#include "ssprd/admin_internal.h"
#include "ssprd/admin_json.h"
#include "ssprd/audit.h"
#include "tests/unit/suites.h"

static int64_t get_int(json_object *o, const char *path0, const char *path1, const char *path2)
{
	json_object *v = o;
	const char *path[] = {path0, path1, path2};
	for (size_t i = 0; i < 3 && path[i]; i++) {
		json_object *next = NULL;
		ck_assert_msg(json_object_object_get_ex(v, path[i], &next), "no key %s", path[i]);
		v = next;
	}
	ck_assert(json_object_is_type(v, json_type_int));
	return json_object_get_int64(v);
}

START_TEST(test_users_counted_when_enabled)
{
	struct admin_report r = {0};
	struct registration full = {.registered = METHOD_BIT(METHOD_EMAIL) | METHOD_BIT(METHOD_SMS),
				    .meets = true};
	struct registration none = {.reconfirm_due = false};
	struct registration due = {
	    .registered = METHOD_BIT(METHOD_EMAIL), .meets = true, .reconfirm_due = true};
	admin_report_add_user(&r, true, &full);
	admin_report_add_user(&r, true, &none);
	admin_report_add_user(&r, true, &due);
	admin_report_add_user(&r, false, &full); /* not enabled: not counted */
	ck_assert_uint_eq(r.enabled, 3);
	ck_assert_uint_eq(r.registered, 2);
	ck_assert_uint_eq(r.unregistered, 1);
	ck_assert_uint_eq(r.reconfirm_due, 1);
	ck_assert_uint_eq(r.by_method[METHOD_EMAIL], 2);
	ck_assert_uint_eq(r.by_method[METHOD_SMS], 1);
	ck_assert_uint_eq(r.by_method[METHOD_TOTP], 0);
}
END_TEST

START_TEST(test_events_by_method)
{
	struct admin_report r = {0};
	admin_report_add_events(&r, AUDIT_RESET, "email+sms", 3);
	admin_report_add_events(&r, AUDIT_RESET, "totp", 1);
	admin_report_add_events(&r, AUDIT_UNLOCK, "questions+recovery_code", 2);
	admin_report_add_events(&r, AUDIT_VERIFY_PASSED, "email", 4);
	admin_report_add_events(&r, AUDIT_VERIFY_FAILED, "email", 1);
	admin_report_add_events(&r, AUDIT_CODE_WRONG, "email", 2);
	admin_report_add_events(&r, AUDIT_CODE_EXHAUSTED, "sms", 5);
	/* Unknown events and methods change nothing but are not errors. */
	admin_report_add_events(&r, "enrolled", "email", 7);
	admin_report_add_events(&r, AUDIT_RESET, "carrier_pigeon+", 9);
	admin_report_add_events(&r, AUDIT_RESET, "", 1);
	ck_assert_uint_eq(r.resets[METHOD_EMAIL], 3);
	ck_assert_uint_eq(r.resets[METHOD_SMS], 3);
	ck_assert_uint_eq(r.resets[METHOD_TOTP], 1);
	ck_assert_uint_eq(r.resets[METHOD_QUESTIONS], 0);
	ck_assert_uint_eq(r.unlocks[METHOD_QUESTIONS], 2);
	ck_assert_uint_eq(r.unlocks[METHOD_RECOVERY_CODE], 2);
	ck_assert_uint_eq(r.passed[METHOD_EMAIL], 4);
	ck_assert_uint_eq(r.failed[METHOD_EMAIL], 3);
	ck_assert_uint_eq(r.failed[METHOD_SMS], 5);
	for (size_t i = 0; i < ADMIN_EVENT_COUNT; i++)
		if (strcmp(admin_event_names[i], AUDIT_RESET) == 0)
			ck_assert_uint_eq(r.activity[i], 3 + 1 + 9 + 1);
}
END_TEST

START_TEST(test_json_has_every_name)
{
	struct admin_report r = {.days = 30, .since = 1800000000 - 30 * 86400, .until = 1800000000};
	admin_report_add_events(&r, AUDIT_RESET, "email+sms", 2);
	admin_report_add_events(&r, AUDIT_VERIFY_PASSED, "sms", 1);
	json_object *o = admin_report_json(&r);
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(get_int(o, "days", NULL, NULL), 30);
	json_object *until = NULL;
	ck_assert(json_object_object_get_ex(o, "until", &until));
	ck_assert_str_eq(json_object_get_string(until), "2027-01-15T08:00:00Z");
	for (size_t i = 0; i < ADMIN_EVENT_COUNT; i++)
		get_int(o, "activity", admin_event_names[i], NULL);
	ck_assert_int_eq(get_int(o, "activity", AUDIT_RESET, NULL), 2);
	ck_assert_int_eq(get_int(o, "activity", AUDIT_ADMIN_TEST, NULL), 0);
	for (unsigned m = 0; m < METHOD_COUNT; m++) {
		const char *name = method_name((enum method)m);
		get_int(o, "users", "by_method", name);
		get_int(o, "resets_by_method", name, NULL);
		get_int(o, "unlocks_by_method", name, NULL);
		get_int(o, "verifications_by_method", name, "passed");
		get_int(o, "verifications_by_method", name, "failed");
	}
	ck_assert_int_eq(get_int(o, "resets_by_method", "sms", NULL), 2);
	ck_assert_int_eq(get_int(o, "verifications_by_method", "sms", "passed"), 1);
	ck_assert_int_eq(get_int(o, "users", "enabled", NULL), 0);
	/* The whole report fits one DATA message. */
	char *text = NULL;
	ck_assert_int_eq(admin_json_text(o, &text), 0);
	ck_assert_uint_le(strlen(text), PROTO_MAX_TEXT);
	free(text);
	json_object_put(o);
}
END_TEST

START_TEST(test_parse_number_strict)
{
	uint64_t v = 0;
	ck_assert_int_eq(admin_parse_number("30", 3650, &v), 0);
	ck_assert_uint_eq(v, 30);
	ck_assert_int_eq(admin_parse_number("0", 10, &v), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(admin_parse_number("3651", 3650, &v), -EINVAL);
	static const char *const junk[] = {"",
					   " 1",
					   "1 ",
					   "+1",
					   "-1",
					   "1e3",
					   "0x10",
					   "1.0",
					   "abc",
					   "18446744073709551616",
					   "99999999999999999999"};
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
		ck_assert_msg(admin_parse_number(junk[i], UINT64_MAX, &v) == -EINVAL, "accepted %s",
			      junk[i]);
	ck_assert_int_eq(admin_parse_number("18446744073709551615", UINT64_MAX, &v), 0);
	ck_assert_uint_eq(v, UINT64_MAX);
}
END_TEST

START_TEST(test_json_rows)
{
	json_object *o = json_object_new_object();
	char *text = NULL;
	ck_assert_int_eq(admin_json_add_time(o, "never", 0), 0);
	ck_assert_int_eq(admin_json_add_time(o, "t", 86400), 0);
	/* DEL and invalid UTF-8 could not travel in a DATA message. */
	ck_assert_int_eq(admin_json_add_str(o, "d",
					    "a\x7f"
					    "b\xff/c"),
			 0);
	ck_assert_int_eq(admin_json_text(o, &text), 0);
	ck_assert_str_eq(text, "{\"never\":null,\"t\":\"1970-01-02T00:00:00Z\",\"d\":\"a?b?/c\"}");
	free(text);
	json_object_put(o);

	/* A row too long for one message is refused, never cut; one that
	 * just fits goes whole. */
	static char big[PROTO_MAX_TEXT + 1];
	const size_t frame = strlen("{\"d\":\"\"}");
	memset(big, 'x', PROTO_MAX_TEXT - frame);
	o = json_object_new_object();
	ck_assert_int_eq(admin_json_add_str(o, "d", big), 0);
	ck_assert_int_eq(admin_json_text(o, &text), 0);
	ck_assert_uint_eq(strlen(text), PROTO_MAX_TEXT);
	free(text);
	json_object_put(o);
	big[PROTO_MAX_TEXT - frame] = 'x';
	o = json_object_new_object();
	ck_assert_int_eq(admin_json_add_str(o, "d", big), 0);
	ck_assert_int_eq(admin_json_text(o, &text), -E2BIG);
	ck_assert_ptr_null(text);
	json_object_put(o);
}
END_TEST

Suite *admin_report_suite(void)
{
	Suite *s = suite_create("admin_report");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_users_counted_when_enabled);
	tcase_add_test(tc, test_events_by_method);
	tcase_add_test(tc, test_json_has_every_name);
	tcase_add_test(tc, test_parse_number_strict);
	tcase_add_test(tc, test_json_rows);
	suite_add_tcase(s, tc);
	return s;
}
