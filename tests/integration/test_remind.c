/* Reminders after a login: pam_sspr in the account and session groups
 * (service "sspr-remind", see harness.c: the module must return PAM_IGNORE
 * there, or the stack fails). */
#include <check.h>
#include <libpamtest.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/proto.h"
#include "tests/integration/harness.h"
#include "tests/integration/suites.h"

#define REMIND_SERVICE "sspr-remind"
#define HUNG_SERVICE   "sspr-remind-hung"
#define NOT_REGISTERED "I:You have not registered for password reset: run `sspr register`.\n"
#define RECONFIRM      "I:Please confirm your password-reset information: run `sspr register`.\n"
#define RESET_NOTICE   "I:Your password was reset on "
#define UNLOCK_NOTICE  "I:Your account was unlocked on "

enum { ACCOUNT = 1, SESSION = 2 };

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static int count(const char *haystack, const char *needle)
{
	int n = 0;
	for (const char *p = strstr(haystack, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* Reminders never ask: a prompt fails the conversation and the test. */
static int remind_conv(int n, const struct pam_message **msg, struct pam_response **resp, void *ud)
{
	char *t = ud;
	size_t len = strlen(t);
	for (int i = 0; i < n; i++) {
		const char *tag = msg[i]->msg_style == PAM_TEXT_INFO   ? "I:"
				  : msg[i]->msg_style == PAM_ERROR_MSG ? "E:"
								       : "P:";
		len += (size_t)snprintf(t + len, 4096 - len, "%s%s\n", tag, msg[i]->msg);
		if (len >= 4096 || tag[0] == 'P')
			return PAM_CONV_ERR;
	}
	*resp = calloc((size_t)n, sizeof(**resp));
	return *resp ? PAM_SUCCESS : PAM_BUF_ERR;
}

/* One PAM transaction: pam_acct_mgmt and/or pam_open_session plus
 * pam_close_session, each expected to succeed (the module ignored).
 * The messages shown go to out[4096]. */
static void remind_service(const char *service, const char *user, unsigned stages, int flags,
			   char *out)
{
	struct pam_testcase tests[3];
	size_t n = 0;
	out[0] = '\0';
	if (stages & ACCOUNT)
		tests[n++] =
		    (struct pam_testcase)pam_test_flags(PAMTEST_ACCOUNT, PAM_SUCCESS, flags);
	if (stages & SESSION) {
		tests[n++] =
		    (struct pam_testcase)pam_test_flags(PAMTEST_OPEN_SESSION, PAM_SUCCESS, flags);
		tests[n++] =
		    (struct pam_testcase)pam_test_flags(PAMTEST_CLOSE_SESSION, PAM_SUCCESS, flags);
	}
	enum pamtest_err e = _pamtest_conv(service, user, remind_conv, out, tests, n, NULL);
	const struct pam_testcase *bad = e == PAMTEST_ERR_CASE ? pamtest_failed_case(tests) : NULL;
	ck_assert_msg(e == PAMTEST_ERR_OK, "%s for %s: %s (op %d returned %d)\n%s", service, user,
		      pamtest_strerror(e), bad ? (int)bad->pam_operation : -1, bad ? bad->op_rv : 0,
		      out);
}

static void remind(const char *user, unsigned stages, char *out)
{
	remind_service(REMIND_SERVICE, user, stages, 0, out);
}

static void assert_silent(const char *user, unsigned stages)
{
	char out[4096];
	remind(user, stages, out);
	ck_assert_msg(out[0] == '\0', "%s was told:\n%s", user, out);
}

static void reset_password(const char *user)
{
	struct convo c = {.answers = {"", "y", "1", "@CODE", NEW_PASSWORD, NEW_PASSWORD, ""}};
	ck_assert_int_eq(pam_run(REMIND_SERVICE, user, &c), PAM_AUTH_ERR);
	assert_has(&c, "P:Your password has been reset.");
	assert_password(user, NEW_PASSWORD, true);
}

static void start_default(void)
{
	world_start(NULL);
}

START_TEST(unregistered_user_is_reminded)
{
	char out[4096];
	/* dave is enabled and has nothing registered. */
	remind("dave", ACCOUNT, out);
	ck_assert_msg(count(out, NOT_REGISTERED) == 1 && !strstr(out, "E:"), "%s", out);
	remind("dave", SESSION, out);
	ck_assert_msg(count(out, NOT_REGISTERED) == 1 && !strstr(out, "E:"), "%s", out);
	/* Every login, until he registers. */
	remind("dave", SESSION, out);
	ck_assert_msg(count(out, NOT_REGISTERED) == 1, "%s", out);
	/* Both groups in one login: told once. */
	remind("dave", ACCOUNT | SESSION, out);
	ck_assert_msg(count(out, NOT_REGISTERED) == 1, "%s", out);
}
END_TEST

START_TEST(registered_user_hears_nothing)
{
	assert_silent("carol", ACCOUNT);
	assert_silent("carol", SESSION);
}
END_TEST

/* Put '!' before user's hash in the run shadow file, as usermod -L does. */
static void lock_account(const char *user)
{
	char text[8192], key[64];
	snprintf(text, sizeof(text), "%s", slurp(run_path("shadow")));
	int n = snprintf(key, sizeof(key), "\n%s:", user);
	char *p = strstr(text, key);
	ck_assert_ptr_nonnull(p);
	p += n;
	memmove(p + 1, p, strlen(p) + 1);
	*p = '!';
	FILE *f = fopen(run_path("shadow"), "we");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

START_TEST(accounts_without_self_service_hear_nothing)
{
	char out[4096];
	remind("dave", SESSION, out);
	ck_assert_msg(count(out, NOT_REGISTERED) == 1, "%s", out);
	/* Locked by an administrator: a reset would refuse him too. */
	lock_account("dave");
	assert_silent("dave", ACCOUNT | SESSION);
	/* System account and root (uid below min_uid). */
	assert_silent("sysuser", ACCOUNT | SESSION);
	assert_silent("root", ACCOUNT | SESSION);
	/* Not known at all: the daemon refuses; the login goes on. */
	assert_silent("nobody-here", ACCOUNT | SESSION);
}
END_TEST

START_TEST(reset_notice_shown_once)
{
	setenv("PAM_RHOST", "203.0.113.7", 1);
	reset_password("carol");
	unsetenv("PAM_RHOST");
	char out[4096], day[32];
	time_t now = time(NULL);
	strftime(day, sizeof(day), "%Y-%m-%d", gmtime(&now));
	remind("carol", SESSION, out);
	ck_assert_msg(count(out, RESET_NOTICE) == 1, "%s", out);
	ck_assert_msg(strstr(out, day) &&
			  strstr(out, " UTC from 203.0.113.7 (service " REMIND_SERVICE ").\n"),
		      "%s", out);
	ck_assert_msg(!strstr(out, NOT_REGISTERED) && !strstr(out, "E:"), "%s", out);
	assert_silent("carol", ACCOUNT | SESSION);
}
END_TEST

START_TEST(reset_notice_without_remote_host)
{
	reset_password("carol");
	char out[4096];
	remind("carol", ACCOUNT | SESSION, out);
	ck_assert_msg(count(out, RESET_NOTICE) == 1, "%s", out);
	ck_assert_msg(strstr(out, " UTC from this machine (service " REMIND_SERVICE ").\n"), "%s",
		      out);
	assert_silent("carol", ACCOUNT);
}
END_TEST

START_TEST(silent_login_keeps_the_notice)
{
	reset_password("carol");
	char out[4096];
	remind_service(REMIND_SERVICE, "carol", ACCOUNT | SESSION, PAM_SILENT, out);
	ck_assert_msg(out[0] == '\0', "%s", out);
	remind("carol", SESSION, out);
	ck_assert_msg(count(out, RESET_NOTICE) == 1, "%s", out);
}
END_TEST

static void start_faillock(void)
{
	struct world_opts o = {.extra_conf = "[backend]\nfaillock_dir = @RUN/faillock\n"};
	world_start(&o);
}

START_TEST(unlock_notice)
{
	faillock_fail_logins("carol", 3);
	struct convo c = {.answers = {"", "y", "1", "@CODE", "2", ""}};
	ck_assert_int_eq(pam_run(FAILLOCK_SERVICE, "carol", &c), PAM_AUTH_ERR);
	assert_has(&c, "P:Your account has been unlocked.");
	char out[4096];
	remind("carol", ACCOUNT, out);
	ck_assert_msg(count(out, UNLOCK_NOTICE) == 1 && !strstr(out, RESET_NOTICE), "%s", out);
	ck_assert_msg(strstr(out, "(service " FAILLOCK_SERVICE ").\n"), "%s", out);
	assert_silent("carol", SESSION);
}
END_TEST

START_TEST(parallel_logins_see_the_notice_once)
{
	reset_password("carol");
	pid_t pids[4];
	for (int i = 0; i < 4; i++) {
		pids[i] = fork();
		ck_assert_int_ge(pids[i], 0);
		if (pids[i] == 0) {
			char out[4096] = "";
			struct pam_testcase t[] = {pam_test(PAMTEST_OPEN_SESSION, PAM_SUCCESS)};
			if (_pamtest_conv(REMIND_SERVICE, "carol", remind_conv, out, t, 1, NULL) !=
			    PAMTEST_ERR_OK)
				_exit(100);
			_exit(count(out, RESET_NOTICE));
		}
	}
	int shown = 0;
	for (int i = 0; i < 4; i++) {
		int st;
		ck_assert_int_eq(waitpid(pids[i], &st, 0), pids[i]);
		ck_assert(WIFEXITED(st) && WEXITSTATUS(st) <= 1);
		shown += WEXITSTATUS(st);
	}
	ck_assert_int_eq(shown, 1);
}
END_TEST

START_TEST(ordinary_user_may_not_ask)
{
	reset_password("carol");
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(10);
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);
		struct sockaddr_un sa = {.sun_family = AF_UNIX};
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", run_path("ssprd.sock"));
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			_exit(11);
		struct proto_msg m;
		const char *f[] = {"carol", "login", "", ""};
		if (proto_msg_build(&m, PROTO_REMIND, 4, f) < 0 || proto_write(fd, &m, 2000) < 0)
			_exit(12);
		proto_msg_clear(&m);
		enum proto_status status;
		/* The first message must be the end: no notice leaks. */
		if (proto_read(fd, &m, 5000) < 0 || proto_end_status(&m, &status) < 0)
			_exit(13);
		_exit(status == PROTO_STATUS_DENIED ? 0 : 14);
	}
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_int_eq(WEXITSTATUS(st), 0);
	/* The refused request did not use up the notice. */
	char out[4096];
	remind("carol", SESSION, out);
	ck_assert_msg(count(out, RESET_NOTICE) == 1, "%s", out);
}
END_TEST

static void start_remind_off(void)
{
	struct world_opts o = {.extra_conf = "[registration]\nremind = no\n"};
	world_start(&o);
}

START_TEST(remind_off_says_nothing)
{
	assert_silent("dave", ACCOUNT | SESSION);
	reset_password("carol");
	assert_silent("carol", ACCOUNT | SESSION);
}
END_TEST

static void start_reconfirm(void)
{
	struct world_opts o = {.extra_conf = "[registration]\nreconfirm_days = 1\n"};
	world_start(&o);
}

START_TEST(reconfirm_due)
{
	char out[4096];
	/* ssprctl enrolled carol: she never confirmed her data herself. */
	remind("carol", ACCOUNT, out);
	ck_assert_msg(count(out, RECONFIRM) == 1 && !strstr(out, NOT_REGISTERED), "%s", out);
	/* Nothing registered: the reminder to register, not to confirm. */
	remind("dave", SESSION, out);
	ck_assert_msg(count(out, NOT_REGISTERED) == 1 && !strstr(out, RECONFIRM), "%s", out);
}
END_TEST

static void start_enabled_groups(void)
{
	/* Only members of group carol (carol herself) may use sspr. */
	struct world_opts o = {.extra_conf = "[general]\nenabled_groups = carol\n"};
	world_start(&o);
}

START_TEST(users_not_enabled_are_not_reminded)
{
	assert_silent("dave", ACCOUNT | SESSION);
}
END_TEST

static void start_without_daemon(void)
{
	struct world_opts o = {.no_daemon = true};
	world_start(&o);
}

START_TEST(daemon_down_does_not_block)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_silent("dave", ACCOUNT | SESSION);
	ck_assert_msg(seconds_since(&t0) < 1.0, "took %.1f s", seconds_since(&t0));
}
END_TEST

START_TEST(hung_daemon_costs_two_seconds)
{
	/* Accepts connections but never answers; the service says
	 * timeout=10, a reminder waits 2 s at most. */
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", run_path("hung.sock"));
	unlink(sa.sun_path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(fd, 4), 0);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	char out[4096];
	remind_service(HUNG_SERVICE, "dave", SESSION, 0, out);
	double took = seconds_since(&t0);
	ck_assert_msg(out[0] == '\0', "%s", out);
	ck_assert_msg(took >= 1.9 && took < 3.5, "took %.1f s", took);
	close(fd);
	unlink(sa.sun_path);
}
END_TEST

Suite *remind_suite(void)
{
	Suite *s = suite_create("remind");
	TCase *tc = world_tcase("remind", start_default);
	tcase_add_test(tc, unregistered_user_is_reminded);
	tcase_add_test(tc, registered_user_hears_nothing);
	tcase_add_test(tc, accounts_without_self_service_hear_nothing);
	tcase_add_test(tc, reset_notice_shown_once);
	tcase_add_test(tc, reset_notice_without_remote_host);
	tcase_add_test(tc, silent_login_keeps_the_notice);
	tcase_add_test(tc, parallel_logins_see_the_notice_once);
	if (geteuid() == 0)
		tcase_add_test(tc, ordinary_user_may_not_ask);
	else
		fprintf(stderr, "note: ordinary_user_may_not_ask needs root to switch users and "
				"was not run\n");
	suite_add_tcase(s, tc);
	tc = world_tcase("unlock", start_faillock);
	tcase_add_test(tc, unlock_notice);
	suite_add_tcase(s, tc);
	tc = world_tcase("remind off", start_remind_off);
	tcase_add_test(tc, remind_off_says_nothing);
	suite_add_tcase(s, tc);
	tc = world_tcase("reconfirm", start_reconfirm);
	tcase_add_test(tc, reconfirm_due);
	suite_add_tcase(s, tc);
	tc = world_tcase("enabled groups", start_enabled_groups);
	tcase_add_test(tc, users_not_enabled_are_not_reminded);
	suite_add_tcase(s, tc);
	tc = world_tcase("no daemon", start_without_daemon);
	tcase_add_test(tc, daemon_down_does_not_block);
	tcase_add_test(tc, hung_daemon_costs_two_seconds);
	suite_add_tcase(s, tc);
	return s;
}
