/* The password policy through the real module and daemon: the reset
 * dialogue and `passwd` (pam_chauthtok with pam_sspr + pam_testpw standing
 * in for pam_unix + pam_sspr record) apply the same rules, the history
 * spans both, and a change without ssprd fails closed. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/proto.h"
#include "ssprd/sha1.h"
#include "tests/integration/harness.h"
#include "tests/integration/suites.h"

#define BREACHED     "Breached-Password-9"
#define DICTIONARY   "international"
#define FRESH	     "Fresh-passphrase-77x"
#define PASSWD_NEW   "Changed-by-passwd-7"
#define REFUSED_TEXT "E:The password is on a list of passwords exposed in data breaches"

static char extra[1024];

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A small breached list in the public format: uppercase SHA-1, sorted. */
static void write_breached_list(void)
{
	static const char *const pw[] = {BREACHED, "password", "Summer2024!Summer2024!"};
	char lines[3][64], *sorted[3];
	for (size_t i = 0; i < 3; i++) {
		uint8_t d[SHA1_DIGEST_SIZE];
		ck_assert_int_eq(sha1(pw[i], strlen(pw[i]), d), 0);
		for (size_t j = 0; j < SHA1_DIGEST_SIZE; j++)
			snprintf(lines[i] + 2 * j, 3, "%02X", d[j]);
		strcat(lines[i], ":42\n");
		sorted[i] = lines[i];
	}
	qsort(sorted, 3, sizeof(sorted[0]), cmp_line);
	FILE *f = fopen(run_path("pwned.txt"), "we");
	ck_assert_ptr_nonnull(f);
	for (size_t i = 0; i < 3; i++)
		fputs(sorted[i], f);
	ck_assert_int_eq(fclose(f), 0);
}

static void start_with_list(void)
{
	write_breached_list();
	snprintf(extra, sizeof(extra), "breached_list = %s\n", run_path("pwned.txt"));
	struct world_opts o = {.extra_conf = extra};
	world_start(&o);
}

static void start_min_age(void)
{
	struct world_opts o = {.extra_conf = "min_age_hours = 24\n"};
	world_start(&o);
}

/* One reset of carol: the answers after the code, then Enter at the end. */
static int reset(struct convo *c, const char *const *passwords, size_t n)
{
	size_t k = 0;
	c->answers[k++] = "";
	c->answers[k++] = "y";
	c->answers[k++] = "1";
	c->answers[k++] = "@CODE";
	for (size_t i = 0; i < n; i++)
		c->answers[k++] = passwords[i];
	c->answers[k++] = "";
	return pam_run(SERVICE, "carol", c);
}

START_TEST(reset_names_every_refused_rule)
{
	/* One verification, then each refusal asks again. */
	static const char *const pw[] = {BREACHED, DICTIONARY, "my-example-pass-1", FRESH, FRESH};
	struct convo c = {0};
	ck_assert_int_eq(reset(&c, pw, 5), PAM_AUTH_ERR);
	assert_has(&c, REFUSED_TEXT);
	assert_has(&c, "E:The password fails the dictionary check - it is based on a dictionary "
		       "word.");
	/* "Example" is in carol's GECOS (Carol Example). */
	assert_has(&c, "E:The password must not contain your name.");
	assert_has(&c, "P:Your password has been reset.");
	assert_password("carol", FRESH, true);
	ck_assert_int_eq(mail_count("Your password reset code", 1, 0), 1);
}
END_TEST

START_TEST(reset_refuses_current_and_recent_passwords)
{
	static const char *const first[] = {OLD_PASSWORD, NEW_PASSWORD, NEW_PASSWORD};
	struct convo c = {0};
	ck_assert_int_eq(reset(&c, first, 3), PAM_AUTH_ERR);
	assert_has(&c, "E:The password is the same as the current one.");
	assert_password("carol", NEW_PASSWORD, true);

	static const char *const second[] = {NEW_PASSWORD, OLD_PASSWORD, FRESH, FRESH};
	struct convo d = {0};
	ck_assert_int_eq(reset(&d, second, 4), PAM_AUTH_ERR);
	assert_has(&d, "E:The password is the same as the current one.");
	assert_has(&d, "E:You used this password recently; choose one you have not used before.");
	assert_password("carol", FRESH, true);
}
END_TEST

START_TEST(passwd_applies_the_same_policy)
{
	struct convo c = {.answers = {"short", BREACHED, PASSWD_NEW, PASSWD_NEW}};
	ck_assert_int_eq(pam_run_chauthtok(PASSWD_SERVICE, "carol", &c), PAM_SUCCESS);
	ck_assert_uint_eq(c.next, 4);
	assert_has(&c, "P:New password: \nE:The password must have at least 12 characters.");
	assert_has(&c, REFUSED_TEXT);
	assert_has(&c, "P:Retype new password: ");
	assert_has(&c, "I:testpw: password changed");
	assert_password("carol", PASSWD_NEW, true);
	/* The daemon logs the rule, never the password. */
	const char *log = slurp(run_path("ssprd.log"));
	ck_assert_ptr_nonnull(strstr(log, "password change for carol"));
	ck_assert_ptr_null(strstr(log, PASSWD_NEW));
	ck_assert_ptr_null(strstr(log, BREACHED));
}
END_TEST

START_TEST(passwd_gives_up_after_three_refusals)
{
	struct convo c = {.answers = {DICTIONARY, "my-carol-pass-12", PASSWD_NEW,
				      "Typo-" PASSWD_NEW, "never asked"}};
	ck_assert_int_eq(pam_run_chauthtok(PASSWD_SERVICE, "carol", &c), PAM_AUTHTOK_ERR);
	ck_assert_uint_eq(c.next, 4);
	assert_has(&c, "E:The password must not contain your user name.");
	assert_has(&c, "E:The passwords do not match. Try again.");
	assert_has(&c, "E:Too many tries: the password was not changed.");
	assert_password("carol", OLD_PASSWORD, true);
	/* An empty answer gives up at once. */
	struct convo e = {.answers = {""}};
	ck_assert_int_eq(pam_run_chauthtok(PASSWD_SERVICE, "carol", &e), PAM_AUTHTOK_ERR);
	assert_has(&e, "E:No password has been supplied.");
}
END_TEST

START_TEST(passwd_as_ordinary_user_sends_old_password)
{
	/* As for a user running passwd: the current password is asked
	 * first, and libpwquality compares the new one with it. */
	struct convo c = {.answers = {OLD_PASSWORD, OLD_PASSWORD, PASSWD_NEW, PASSWD_NEW}};
	ck_assert_int_eq(pam_run_chauthtok(PASSWD_USER_SERVICE, "carol", &c), PAM_SUCCESS);
	assert_has(&c, "P:Current password: ");
	assert_has(&c, "E:The password is the same as the old one.");
	assert_password("carol", PASSWD_NEW, true);
}
END_TEST

START_TEST(history_spans_resets_and_passwd)
{
	static const char *const to_new[] = {NEW_PASSWORD, NEW_PASSWORD};
	struct convo r1 = {0};
	ck_assert_int_eq(reset(&r1, to_new, 2), PAM_AUTH_ERR);
	assert_password("carol", NEW_PASSWORD, true);

	/* passwd knows both the password before the reset and after it. */
	struct convo p1 = {
	    .answers = {OLD_PASSWORD, NEW_PASSWORD, PASSWD_NEW, PASSWD_NEW, "never asked"}};
	ck_assert_int_eq(pam_run_chauthtok(PASSWD_SERVICE, "carol", &p1), PAM_SUCCESS);
	assert_has(&p1, "E:You used this password recently");
	assert_has(&p1, "E:The password is the same as the current one.");
	assert_password("carol", PASSWD_NEW, true);

	/* The record line kept PASSWD_NEW: an administrator replacing it
	 * without sspr does not make it new again. */
	shadow_set_password("carol", "Set-by-the-admin-5");
	struct convo p2 = {.answers = {PASSWD_NEW, "Set-by-the-admin-5", "Another-passphrase-6",
				       "Another-passphrase-6"}};
	ck_assert_int_eq(pam_run_chauthtok(PASSWD_SERVICE, "carol", &p2), PAM_SUCCESS);
	assert_has(&p2, "E:You used this password recently");
	assert_has(&p2, "E:The password is the same as the current one.");

	/* And the reset knows what passwd set. */
	static const char *const again[] = {
	    "Another-passphrase-6", PASSWD_NEW, "Set-by-the-admin-5", OLD_PASSWORD, FRESH, FRESH};
	struct convo r2 = {0};
	ck_assert_int_eq(reset(&r2, again, 6), PAM_AUTH_ERR);
	assert_has(&r2, "E:The password is the same as the current one.");
	assert_has(&r2, "P:Your password has been reset.");
	assert_password("carol", FRESH, true);
	const char *t = r2.transcript;
	int recent = 0;
	for (const char *p = t; (p = strstr(p, "E:You used this password recently")); p++)
		recent++;
	ck_assert_int_eq(recent, 3);
}
END_TEST

START_TEST(passwd_fails_closed_without_daemon)
{
	char before[512];
	snprintf(before, sizeof(before), "%s", shadow_hash("carol"));
	struct convo c = {.answers = {PASSWD_NEW, PASSWD_NEW}};
	ck_assert_int_eq(pam_run_chauthtok(PASSWD_DOWN_SERVICE, "carol", &c), PAM_AUTHTOK_ERR);
	/* Refused before anyone types a password. */
	ck_assert_uint_eq(c.next, 0);
	assert_has(&c, "E:The password cannot be changed right now because the password policy "
		       "cannot be checked. Try again later.");
	ck_assert_str_eq(shadow_hash("carol"), before);
}
END_TEST

START_TEST(passwd_unknown_argument)
{
	struct convo c = {.answers = {PASSWD_NEW, PASSWD_NEW}};
	ck_assert_int_eq(pam_run_chauthtok("sspr-badarg", "carol", &c), PAM_SERVICE_ERR);
	ck_assert_uint_eq(c.next, 0);
}
END_TEST

START_TEST(min_age_between_resets)
{
	static const char *const pw[] = {NEW_PASSWORD, NEW_PASSWORD};
	struct convo r1 = {0};
	ck_assert_int_eq(reset(&r1, pw, 2), PAM_AUTH_ERR);
	assert_password("carol", NEW_PASSWORD, true);
	static const char *const again[] = {FRESH};
	struct convo r2 = {0};
	ck_assert_int_eq(reset(&r2, again, 1), PAM_AUTH_ERR);
	assert_has(&r2, "P:Your password was reset less than 24 hours ago. It can be reset again "
			"in 24 hours.\nCall the IT helpdesk at 555-0100.\nPress Enter");
	assert_password("carol", NEW_PASSWORD, true);
	/* passwd is not limited by it. */
	struct convo p = {.answers = {FRESH, FRESH}};
	ck_assert_int_eq(pam_run_chauthtok(PASSWD_SERVICE, "carol", &p), PAM_SUCCESS);
	assert_password("carol", FRESH, true);
}
END_TEST

START_TEST(real_passwd_as_root)
{
	/* shadow-utils' passwd through the same stack (service "passwd"
	 * under pam_wrapper), driven on a terminal. */
	FILE *f = fopen(run_path("drive-passwd.py"), "we");
	ck_assert_ptr_nonnull(f);
	/* make check-asan: the modules passwd loads need the ASan runtime
	 * first (SSPR_TEST_PRELOAD); passwd's own leaks are not ours. */
	fputs("import os, pexpect, sys\n"
	      "env = dict(os.environ)\n"
	      "if env.get('SSPR_TEST_PRELOAD'):\n"
	      "    env['LD_PRELOAD'] = env['SSPR_TEST_PRELOAD'] + ' ' + env.get('LD_PRELOAD', '')\n"
	      "    env['ASAN_OPTIONS'] = env.get('ASAN_OPTIONS', '') + ':detect_leaks=0'\n"
	      "c = pexpect.spawn('/usr/bin/passwd', ['carol'], env=env, encoding='utf-8',\n"
	      "                  timeout=20)\n"
	      "c.logfile_read = sys.stdout\n"
	      "for a in sys.argv[1:]:\n"
	      "    c.expect(['New password: ', 'Retype new password: '])\n"
	      "    c.sendline(a)\n"
	      "c.expect(pexpect.EOF)\n"
	      "c.close()\n"
	      "sys.exit(c.exitstatus)\n",
	      f);
	ck_assert_int_eq(fclose(f), 0);
	char out[8192];
	int st =
	    run_cmd(out, sizeof(out), "/usr/bin/python3 %s '%s' '%s' '%s' '%s' 2>&1",
		    run_path("drive-passwd.py"), DICTIONARY, OLD_PASSWORD, PASSWD_NEW, PASSWD_NEW);
	ck_assert_msg(st == 0, "passwd: %d\n%s", st, out);
	ck_assert_msg(strstr(out, "The password fails the dictionary check") &&
			  strstr(out, "The password is the same as the current one.") &&
			  strstr(out, "password updated successfully"),
		      "%s", out);
	assert_password("carol", PASSWD_NEW, true);
}
END_TEST

/* As uid 65534: a POLICY_CHECK or HISTORY_RECORD is denied. */
static int request_as_nobody(enum proto_type type)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(10);
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		struct sockaddr_un sa = {.sun_family = AF_UNIX};
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", run_path("ssprd.sock"));
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			_exit(11);
		const char *f[] = {"carol", OLD_PASSWORD, ""};
		struct proto_msg m;
		if (proto_msg_build(&m, type, (unsigned)proto_field_count(type), f) < 0 ||
		    proto_write(fd, &m, 2000) < 0)
			_exit(12);
		proto_msg_clear(&m);
		enum proto_status status;
		if (proto_read(fd, &m, 5000) < 0 || proto_end_status(&m, &status) < 0)
			_exit(13);
		_exit(status == PROTO_STATUS_DENIED ? 0 : 14);
	}
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

START_TEST(only_root_may_ask)
{
	/* Otherwise any user could test guesses against another user's
	 * history. */
	ck_assert_int_eq(request_as_nobody(PROTO_POLICY_CHECK), 0);
	ck_assert_int_eq(request_as_nobody(PROTO_HISTORY_RECORD), 0);
}
END_TEST

Suite *policy_suite(void)
{
	Suite *s = suite_create("policy");
	TCase *tc = world_tcase("policy", start_with_list);
	tcase_add_test(tc, reset_names_every_refused_rule);
	tcase_add_test(tc, reset_refuses_current_and_recent_passwords);
	tcase_add_test(tc, passwd_applies_the_same_policy);
	tcase_add_test(tc, passwd_gives_up_after_three_refusals);
	tcase_add_test(tc, passwd_as_ordinary_user_sends_old_password);
	tcase_add_test(tc, history_spans_resets_and_passwd);
	tcase_add_test(tc, passwd_fails_closed_without_daemon);
	tcase_add_test(tc, passwd_unknown_argument);
	if (geteuid() == 0) {
		tcase_add_test(tc, only_root_may_ask);
		tcase_add_test(tc, real_passwd_as_root);
	} else {
		fprintf(stderr, "note: only_root_may_ask and real_passwd_as_root need root (to "
				"switch users; set-user-ID passwd ignores pam_wrapper otherwise) "
				"and were not run\n");
	}
	suite_add_tcase(s, tc);
	tc = world_tcase("min_age", start_min_age);
	tcase_add_test(tc, min_age_between_resets);
	suite_add_tcase(s, tc);
	return s;
}
