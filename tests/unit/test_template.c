/* Message templates: the built-in texts, site overrides and their errors. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/template.h"
#include "common/util.h"
#include "tests/unit/fixture.h"
#include "tests/unit/suites.h"

static char dir[64];
static char subject[512], body[8192], msg[512];

static const struct template_var all_vars[] = {
    {"user", "carol"},
    {"host", "ws1.example.org"},
    {"time", "2026-11-24 10:00:00 UTC"},
    {"organisation", "Example Corp"},
    {"helpdesk", "Call the IT helpdesk at 555-0100."},
    {"code", "493817"},
    {"minutes", "10 minutes"},
    {"service", "sshd"},
    {"from", "remote host 203.0.113.7"},
    {"methods", "a code by email"},
    {"kind", "email address"},
    {"old", "c***@e***.org"},
    {"new", "n***@e***.org"},
    {"event", "code_exhausted"},
};
#define NVARS (sizeof(all_vars) / sizeof(all_vars[0]))

static void setup(void)
{
	fixture_tmpdir_make(dir, "template");
}

static void teardown(void)
{
	fixture_tmpdir_remove(dir);
}

static void put_file(const char *name, const char *text)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static int render(const char *d, const char *name)
{
	return template_render(d, name, all_vars, NVARS, subject, sizeof(subject), body,
			       sizeof(body), msg, sizeof(msg));
}

START_TEST(every_builtin_renders)
{
	size_t n = 0;
	for (const char *const *name = template_names; *name; name++, n++) {
		ck_assert_msg(render(NULL, *name) == 0, "%s: %s", *name, msg);
		bool sms = strncmp(*name, "sms_", 4) == 0;
		ck_assert_msg(sms ? subject[0] == '\0' : subject[0] != '\0', "%s subject", *name);
		ck_assert_msg(strlen(body) > 20, "%s body", *name);
		ck_assert_msg(!strchr(body, '{') && !strchr(subject, '{'), "%s: %s", *name, body);
		/* Only the code messages carry the code. */
		bool code = strcmp(*name, "code") == 0 || strcmp(*name, "confirm") == 0 ||
			    strcmp(*name, "sms_code") == 0 || strcmp(*name, "sms_confirm") == 0;
		ck_assert_msg((strstr(body, "493817") != NULL) == code, "%s", *name);
		/* An empty directory changes nothing. */
		char first[sizeof(body)];
		memcpy(first, body, sizeof(body));
		ck_assert_int_eq(render(dir, *name), 0);
		ck_assert_str_eq(body, first);
	}
	ck_assert_uint_eq(n, 15);
}
END_TEST

START_TEST(builtin_texts_say_what_happened)
{
	ck_assert_int_eq(render(NULL, "code"), 0);
	ck_assert_str_eq(subject, "Your password reset code");
	ck_assert_ptr_nonnull(strstr(body, "Your password reset code is: 493817\n"));
	ck_assert_ptr_nonnull(strstr(body, "10 minutes"));
	ck_assert_int_eq(render(NULL, "reset"), 0);
	ck_assert_str_eq(subject, "Your password was reset");
	ck_assert_ptr_nonnull(strstr(body, "Hello carol,"));
	ck_assert_ptr_nonnull(strstr(body, "sshd, from remote host 203.0.113.7"));
	ck_assert_ptr_nonnull(strstr(body, "2026-11-24 10:00:00 UTC"));
	ck_assert_ptr_nonnull(strstr(body, "verified by a code by email"));
	ck_assert_ptr_nonnull(strstr(body, "Call the IT helpdesk at 555-0100."));
	ck_assert_ptr_nonnull(strstr(body, "If this was not you"));
	ck_assert_int_eq(render(NULL, "unlock"), 0);
	ck_assert_str_eq(subject, "Your account was unlocked");
	ck_assert_int_eq(render(NULL, "registration_changed"), 0);
	ck_assert_str_eq(subject, "Your password recovery email address changed");
	ck_assert_ptr_nonnull(strstr(body, "c***@e***.org"));
	ck_assert_ptr_nonnull(strstr(body, "n***@e***.org"));
	ck_assert_int_eq(render(NULL, "sms_reset"), 0);
	ck_assert_ptr_nonnull(strstr(body, "Example Corp: the password of carol"));
	/* A text message has no trailing line break. */
	ck_assert_int_ne(body[strlen(body) - 1], '\n');
	ck_assert_int_eq(render(NULL, "admin_lockout"), 0);
	ck_assert_ptr_nonnull(strstr(subject, "carol"));
	ck_assert_ptr_nonnull(strstr(body, "code_exhausted"));
}
END_TEST

START_TEST(override_is_used)
{
	put_file("reset.txt", "Subject: Reset of {user} at {organisation}\n"
			      "\n"
			      "{{literal} {service} {from}\n"
			      "Ask {helpdesk}\n");
	ck_assert_msg(render(dir, "reset") == 0, "%s", msg);
	ck_assert_str_eq(subject, "Reset of carol at Example Corp");
	ck_assert_str_eq(body, "{literal} sshd remote host 203.0.113.7\n"
			       "Ask Call the IT helpdesk at 555-0100.\n");
	/* Other names still use the built-in text. */
	ck_assert_int_eq(render(dir, "unlock"), 0);
	ck_assert_str_eq(subject, "Your account was unlocked");
	/* CRLF line ends and a byte-order mark are fine; tabs in the subject
	 * become spaces. */
	put_file("unlock.txt", "\xef\xbb\xbfsubject:\tUnlocked\t{user}\r\n\r\nline\r\n");
	ck_assert_msg(render(dir, "unlock") == 0, "%s", msg);
	ck_assert_str_eq(subject, "Unlocked carol");
	ck_assert_str_eq(body, "line\n");
	/* A subject line alone is a message with an empty body. */
	put_file("test.txt", "Subject: only");
	ck_assert_int_eq(render(dir, "test"), 0);
	ck_assert_str_eq(subject, "only");
	ck_assert_str_eq(body, "");
}
END_TEST

START_TEST(sms_override_has_no_subject)
{
	put_file("sms_reset.txt", "{organisation}: {user} reset from {from}.\n\n");
	ck_assert_msg(render(dir, "sms_reset") == 0, "%s", msg);
	ck_assert_str_eq(subject, "");
	ck_assert_str_eq(body, "Example Corp: carol reset from remote host 203.0.113.7.");
	put_file("sms_unlock.txt", "Subject: no\n\ntext\n");
	ck_assert_int_eq(render(dir, "sms_unlock"), -EINVAL);
	ck_assert_ptr_nonnull(strstr(msg, "sms_unlock.txt:1: "));
}
END_TEST

static void assert_broken(const char *name, const char *text, const char *where_why)
{
	char file[64];
	snprintf(file, sizeof(file), "%s.txt", name);
	put_file(file, text);
	ck_assert_int_eq(render(dir, name), -EINVAL);
	ck_assert_msg(strstr(msg, where_why) != NULL, "\"%s\" not in \"%s\"", where_why, msg);
	ck_assert_msg(strncmp(msg, dir, strlen(dir)) == 0, "no path in %s", msg);
	ck_assert_str_eq(body, "");
	ck_assert_int_eq(template_check_dir(dir, msg, sizeof(msg)), -EINVAL);
	ck_assert_msg(strstr(msg, where_why) != NULL, "check: \"%s\" not in \"%s\"", where_why,
		      msg);
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	ck_assert_int_eq(unlink(path), 0);
}

START_TEST(broken_overrides_are_errors)
{
	assert_broken("test", "Subject: a test from {organisation}\n\nline two\n{nope}\n",
		      "test.txt:4: unknown placeholder {nope}");
	/* {code} exists, but not in a reset notice. */
	assert_broken("reset", "Subject: x\n\nyour code {code}\n",
		      "reset.txt:3: unknown placeholder {code}");
	assert_broken("reset", "Subject: x\n\nfine\nbroken {user\n", "reset.txt:4: unterminated");
	assert_broken("reset", "Subject: x {user\n\n", "reset.txt:1: unterminated");
	assert_broken("reset", "Hello {user}\n\nbody\n", "reset.txt:1: ");
	assert_broken("reset", "Subject:   \n\nbody\n", "reset.txt:1: ");
	assert_broken("reset", "Subject: x\nbody\n", "reset.txt:2: ");
	assert_broken("reset", "Subject: x\n\nok\nbad \xff byte\n", "reset.txt:4: not UTF-8");
	assert_broken("reset", "Subject: x\n\nbell \a\n", "reset.txt:3: ");
	assert_broken("reset", "Subject: x\n\n{\xc3\xa9t\xc3\xa9}\n", "reset.txt:3: unknown");
	char big[TEMPLATE_MAX_SIZE + 64];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "Subject: x\n\n", 12);
	assert_broken("reset", big, "larger than 8192 bytes");
	/* A broken override is not replaced by the built-in text here: the
	 * caller decides (ssprd sends the built-in one and logs). */
	ck_assert_int_eq(template_check_dir(dir, msg, sizeof(msg)), 0);
}
END_TEST

START_TEST(values_cannot_add_headers)
{
	static const struct template_var evil[] = {
	    {"user", "carol\r\nBcc: all@example.org"},
	    {"helpdesk", "line one\nline two\t\x01"
			 "end \xff"},
	    {"organisation", NULL},
	};
	put_file("test.txt", "Subject: Hi {user} of {organisation}.\n\n{helpdesk}\n");
	ck_assert_int_eq(template_render(dir, "test", evil, 3, subject, sizeof(subject), body,
					 sizeof(body), msg, sizeof(msg)),
			 0);
	ck_assert_str_eq(subject, "Hi carol  Bcc: all@example.org of .");
	ck_assert_str_eq(body, "line one\nline two\t end ?\n");
	ck_assert_ptr_null(strchr(subject, '\n'));
	ck_assert(utf8_text_valid(body, strlen(body), sizeof(body), "\t\n"));
}
END_TEST

START_TEST(bad_names_and_small_buffers)
{
	ck_assert_int_eq(render(dir, "../etc/passwd"), -ENOENT);
	ck_assert_int_eq(render(dir, "nosuch"), -ENOENT);
	ck_assert_int_eq(render(dir, NULL), -ENOENT);
	char small[40];
	ck_assert_int_eq(template_render(NULL, "code", all_vars, NVARS, subject, sizeof(subject),
					 small, sizeof(small), msg, sizeof(msg)),
			 -E2BIG);
	/* Nothing of a half-rendered code message stays behind. */
	for (size_t i = 0; i < sizeof(small); i++)
		ck_assert_int_eq(small[i], 0);
	char tiny[8];
	ck_assert_int_eq(template_render(NULL, "reset", all_vars, NVARS, tiny, sizeof(tiny), body,
					 sizeof(body), msg, sizeof(msg)),
			 -E2BIG);
}
END_TEST

START_TEST(check_dir)
{
	ck_assert_int_eq(template_check_dir("/nonexistent/sspr-templates", msg, sizeof(msg)), 0);
	ck_assert_int_eq(template_check_dir(dir, msg, sizeof(msg)), 0);
	put_file("reset.txt", "Subject: fine {user}\n\n{methods}\n");
	put_file("sms_unlock.txt", "{user} unlocked\n");
	put_file("README", "not a template, not .txt\n");
	ck_assert_msg(template_check_dir(dir, msg, sizeof(msg)) == 0, "%s", msg);
	/* A misspelt name would never be used: say so. */
	put_file("rest.txt", "Subject: x\n\ny\n");
	ck_assert_int_eq(template_check_dir(dir, msg, sizeof(msg)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(msg, "rest.txt"));
}
END_TEST

Suite *template_suite(void)
{
	Suite *s = suite_create("template");
	TCase *tc = tcase_create("template");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, every_builtin_renders);
	tcase_add_test(tc, builtin_texts_say_what_happened);
	tcase_add_test(tc, override_is_used);
	tcase_add_test(tc, sms_override_has_no_subject);
	tcase_add_test(tc, broken_overrides_are_errors);
	tcase_add_test(tc, values_cannot_add_headers);
	tcase_add_test(tc, bad_names_and_small_buffers);
	tcase_add_test(tc, check_dir);
	suite_add_tcase(s, tc);
	return s;
}
