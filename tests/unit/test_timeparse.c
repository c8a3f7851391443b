/* ssprctl audit --since: every accepted form, and the impossible dates,
 * malformed text and out-of-range values it must refuse. */
#include <check.h>
#include <errno.h>
#include <stdint.h>

#include "common/timeparse.h"
#include "tests/unit/suites.h"

/* 2026-11-24T10:00:00Z */
#define NOW INT64_C(1795514400)

START_TEST(test_absolute)
{
	int64_t t = -1;
	ck_assert_int_eq(timeparse_since("1970-01-01", NOW, &t), 0);
	ck_assert_int_eq(t, 0);
	ck_assert_int_eq(timeparse_since("2026-11-24", NOW, &t), 0);
	ck_assert_int_eq(t, NOW - 10 * 3600);
	ck_assert_int_eq(timeparse_since("2026-11-24T10:00:00Z", NOW, &t), 0);
	ck_assert_int_eq(t, NOW);
	ck_assert_int_eq(timeparse_since("2026-11-24t10:00:01z", NOW, &t), 0);
	ck_assert_int_eq(t, NOW + 1);
	/* Leap days: 2024 and 2000 have one, 2100 would not. */
	ck_assert_int_eq(timeparse_since("2024-02-29", NOW, &t), 0);
	ck_assert_int_eq(t, INT64_C(1709164800));
	ck_assert_int_eq(timeparse_since("2000-02-29T23:59:59Z", NOW, &t), 0);
	ck_assert_int_eq(t, INT64_C(951868799));
	ck_assert_int_eq(timeparse_since("9999-12-31T23:59:59Z", NOW, &t), 0);
	ck_assert_int_eq(t, TIMEPARSE_MAX);
}
END_TEST

START_TEST(test_unix_and_relative)
{
	int64_t t = -1;
	ck_assert_int_eq(timeparse_since("0", NOW, &t), 0);
	ck_assert_int_eq(t, 0);
	ck_assert_int_eq(timeparse_since("1764000000", NOW, &t), 0);
	ck_assert_int_eq(t, INT64_C(1764000000));
	ck_assert_int_eq(timeparse_since("7d", NOW, &t), 0);
	ck_assert_int_eq(t, NOW - 7 * 86400);
	ck_assert_int_eq(timeparse_since("24h", NOW, &t), 0);
	ck_assert_int_eq(t, NOW - 86400);
	ck_assert_int_eq(timeparse_since("2w", NOW, &t), 0);
	ck_assert_int_eq(t, NOW - 14 * 86400);
	ck_assert_int_eq(timeparse_since("0h", NOW, &t), 0);
	ck_assert_int_eq(t, NOW);
}
END_TEST

START_TEST(test_refused)
{
	static const char *const invalid[] = {
	    "",
	    "d",
	    "7 d",
	    "-7d",
	    "7m",
	    "7dd",
	    "+7d",
	    "2026-13-01",
	    "2026-00-10",
	    "2026-02-29",
	    "2100-02-29",
	    "2026-04-31",
	    "2026-11-24T24:00:00Z",
	    "2026-11-24T10:60:00Z",
	    "2026-11-24T10:00:60Z",
	    "2026-11-24T10:00:00",
	    "2026-11-24 10:00:00Z",
	    "2026-1-24",
	    "26-11-24",
	    "2026/11/24",
	    "x026-11-24",
	    "1e9",
	    "0x10",
	};
	int64_t t = 42;
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++)
		ck_assert_msg(timeparse_since(invalid[i], NOW, &t) == -EINVAL, "accepted \"%s\"",
			      invalid[i]);
	ck_assert_int_eq(timeparse_since(NULL, NOW, &t), -EINVAL);
	ck_assert_int_eq(timeparse_since("1969-12-31", NOW, &t), -ERANGE);
	ck_assert_int_eq(timeparse_since("253402300800", NOW, &t), -ERANGE);
	ck_assert_int_eq(timeparse_since("9999999999999", NOW, &t), -ERANGE);
	/* Further back than 1970, and far enough to overflow if multiplied. */
	ck_assert_int_eq(timeparse_since("30000d", NOW, &t), -ERANGE);
	ck_assert_int_eq(timeparse_since("99999999999999999999999h", NOW, &t), -ERANGE);
	ck_assert_int_eq(timeparse_since("9999999999999999999999x", NOW, &t), -EINVAL);
	ck_assert_int_eq(t, 42);
}
END_TEST

START_TEST(test_iso)
{
	char s[TIMEPARSE_ISO_SIZE];
	ck_assert_int_eq(timeparse_iso(NOW, s), 0);
	ck_assert_str_eq(s, "2026-11-24T10:00:00Z");
	ck_assert_int_eq(timeparse_iso(0, s), 0);
	ck_assert_str_eq(s, "1970-01-01T00:00:00Z");
	ck_assert_int_eq(timeparse_iso(TIMEPARSE_MAX, s), 0);
	ck_assert_str_eq(s, "9999-12-31T23:59:59Z");
	ck_assert_int_eq(timeparse_iso(-1, s), -ERANGE);
	ck_assert_int_eq(timeparse_iso(TIMEPARSE_MAX + 1, s), -ERANGE);
	/* What timeparse_iso writes, timeparse_since reads back. */
	int64_t t = 0;
	ck_assert_int_eq(timeparse_iso(INT64_C(1709251199), s), 0);
	ck_assert_int_eq(timeparse_since(s, NOW, &t), 0);
	ck_assert_int_eq(t, INT64_C(1709251199));
}
END_TEST

Suite *timeparse_suite(void)
{
	Suite *s = suite_create("timeparse");
	TCase *tc = tcase_create("since");
	tcase_add_test(tc, test_absolute);
	tcase_add_test(tc, test_unix_and_relative);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_iso);
	suite_add_tcase(s, tc);
	return s;
}
