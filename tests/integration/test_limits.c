/* Abuse limits ([limits]) through the real module and daemon: codes per
 * account, failures locking the reset flow (not the account) across
 * dialogues and a daemon restart, and the budget of texts and calls with
 * its notice to the administrators. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "tests/integration/harness.h"
#include "tests/integration/harness_internal.h"
#include "tests/integration/suites.h"

#define MOBILE	    "+15550100167"
#define ADMIN	    "admin@example.org"
#define CODE_MAIL   "Your password reset code"
#define TOO_MANY    "P:Too many codes were sent recently. Try again later."
#define LOCKED_TEXT "P:Too many failed attempts. Password recovery is locked for a while."

#define GATEWAY_CONF                                                                               \
	"[methods]\nenabled = email sms\n"                                                         \
	"[gateway]\nurl = http://@GW\naccount_sid = " GATEWAY_SID "\n"                             \
	"auth_file = @RUN/gateway-token\nfrom = +15550100000\ntimeout = 3\nretries = 1\n"

static void enroll_email(const char *user)
{
	char args[128], out[1024];
	snprintf(args, sizeof(args), "--email %s@example.org", user);
	int st = ssprctl_enroll(user, args, NULL, out, sizeof(out));
	ck_assert_msg(st == 0, "enroll %s: %d %s", user, st, out);
}

static void start_codes(void)
{
	struct world_opts o = {.extra_conf = "[limits]\ncodes_per_hour = 2\n"};
	world_start(&o);
	enroll_email("dave");
}

/* Cancel at the code prompt: Enter (back to the menu), then 0. */
static void code_then_cancel(const char *user, const char *method, struct convo *c)
{
	*c = (struct convo){.answers = {"", "y", method, "", "0"}};
	pam_run(SERVICE, user, c);
}

START_TEST(third_code_in_an_hour_is_refused)
{
	struct convo c;
	for (int i = 1; i <= 2; i++) {
		code_then_cancel("carol", "1", &c);
		assert_has(&c, "I:We sent a 6-digit code to");
		ck_assert_int_eq(mail_count(CODE_MAIL, i, 10000), i);
	}
	struct convo third = {.answers = {"", "y", "1", ""}};
	pam_run(SERVICE, "carol", &third);
	assert_has(&third, TOO_MANY "\nCall the IT helpdesk at 555-0100.");
	ck_assert_ptr_null(strstr(third.transcript, "We sent"));
	ck_assert_int_eq(mail_count(CODE_MAIL, 3, 1500), 2);
	/* Another account has its own count. */
	code_then_cancel("dave", "1", &c);
	ck_assert_int_eq(mail_count(CODE_MAIL, 3, 10000), 3);
	const char *log = slurp(run_path("ssprd.log"));
	ck_assert_ptr_nonnull(strstr(log, "reset for carol: no code sent: [limits]"));
}
END_TEST

/* --- failures, with a daemon of this file's own so it can restart ------- */

static pid_t own_daemon = -1;

static bool socket_ready(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", run_path("ssprd.sock"));
	bool ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

static void daemon_start(void)
{
	char prog[600];
	snprintf(prog, sizeof(prog), "%s/ssprd", build_path());
	char *argv[] = {prog, "--config", (char *)run_path("sspr.conf"), NULL};
	own_daemon = spawn(run_path("ssprd.log"), argv);
	for (int i = 0; i < 100 && !socket_ready(); i++)
		usleep(50000);
	ck_assert_msg(socket_ready(), "ssprd did not start: %s", slurp(run_path("ssprd.log")));
}

static void start_failures(void)
{
	/* The world without its daemon (which could not be restarted
	 * keeping the state); the same configuration, started here. */
	struct world_opts o = {.no_daemon = true,
			       .extra_conf = "[limits]\nfailures = 3\nlockout_minutes = 60\n"};
	world_start(&o);
	daemon_start();
	enroll_email("carol");
	enroll_email("dave");
}

static void stop_failures(void)
{
	stop(&own_daemon);
	world_stop();
}

/* A dialogue of carol's after the lock: refused before any code goes out,
 * wherever the refusal comes (at the start or at the method). */
static void assert_refused(int codes_before)
{
	struct convo c = {.answers = {"", "y", "1", "", ""}};
	pam_run(SERVICE, "carol", &c);
	ck_assert_msg(strstr(c.transcript, "Enter the code") == NULL, "%s", c.transcript);
	ck_assert_msg(strstr(c.transcript, "We sent") == NULL, "%s", c.transcript);
	ck_assert_int_eq(mail_count(CODE_MAIL, codes_before + 1, 1500), codes_before);
}

START_TEST(failures_lock_the_reset_flow_not_the_account)
{
	/* Two wrong codes, then away; a third in a new dialogue. */
	struct convo one = {.answers = {"", "y", "1", "@WRONG", "@WRONG", "", "0"}};
	pam_run(SERVICE, "carol", &one);
	assert_has(&one, "E:That code is not correct.");
	assert_has(&one, "I:Password recovery cancelled.");
	struct convo two = {.answers = {"", "y", "1", "@WRONG", ""}};
	ck_assert_int_eq(pam_run(SERVICE, "carol", &two), PAM_AUTH_ERR);
	assert_has(&two, LOCKED_TEXT "\nCall the IT helpdesk at 555-0100.");
	ck_assert_int_eq(mail_count(CODE_MAIL, 2, 10000), 2);
	assert_refused(2);
	/* The account itself: its password still logs in. */
	struct convo login = {.answers = {OLD_PASSWORD}};
	ck_assert_int_eq(pam_run(SERVICE, "carol", &login), PAM_SUCCESS);
	assert_password("carol", OLD_PASSWORD, true);
	/* Only carol's reset flow. */
	struct convo dave;
	code_then_cancel("dave", "1", &dave);
	assert_has(&dave, "I:We sent a 6-digit code to");
	ck_assert_int_eq(mail_count(CODE_MAIL, 3, 10000), 3);
	/* The lock lives in the store: a restart keeps it. */
	stop(&own_daemon);
	daemon_start();
	assert_refused(3);
	const char *log = slurp(run_path("ssprd.log"));
	ck_assert_ptr_nonnull(strstr(log, "reset flow locked"));
}
END_TEST

/* --- the budget of texts and calls --------------------------------------- */

static void start_budget(void)
{
	struct world_opts o = {.gateway = true,
			       .extra_conf =
				   GATEWAY_CONF "[limits]\nsends_per_hour = 1\nsends_per_day = 5\n"
						"[notify]\nadmins = " ADMIN "\n"};
	world_start(&o);
	char out[512];
	int st = ssprctl_enroll("carol", "--mobile " MOBILE, NULL, out, sizeof(out));
	ck_assert_msg(st == 0, "enroll --mobile: %d %s", st, out);
}

START_TEST(second_text_is_refused_and_admins_told)
{
	char host[256] = "", subject[400];
	ck_assert_int_eq(gethostname(host, sizeof(host) - 1), 0);
	snprintf(subject, sizeof(subject), "sspr: text message and call budget used up on %s",
		 host);
	struct convo one;
	code_then_cancel("carol", "2", &one);
	assert_has(&one, "I:We sent a 6-digit code by text message to");
	ck_assert_int_eq(gateway_count("sms"), 1);
	/* The second text: refused like a failed delivery, email still
	 * offered and working. */
	struct convo two = {
	    .answers = {"", "y", "2", "1", "@CODE", NEW_PASSWORD, NEW_PASSWORD, ""}};
	ck_assert_int_eq(pam_run(SERVICE, "carol", &two), PAM_AUTH_ERR);
	assert_has(&two, "E:We could not reach you that way. Try another method.");
	assert_has(&two, "P:Your password has been reset.");
	ck_assert_int_eq(gateway_count("sms"), 1);
	ck_assert_int_eq(mail_count(subject, 1, 10000), 1);
	/* A third refusal in the window tells nobody again; a test text from
	 * ssprctl is refused as well. */
	struct convo three;
	code_then_cancel("carol", "2", &three);
	assert_has(&three, "E:We could not reach you that way.");
	char out[1024];
	int st = run_cmd(out, sizeof(out), "%s/ssprctl --config %s test-sms " MOBILE " 2>&1",
			 build_path(), run_path("sspr.conf"));
	ck_assert_msg(st != 0, "%s", out);
	ck_assert_int_eq(gateway_count("sms"), 1);
	ck_assert_int_eq(mail_count(subject, 2, 1500), 1);
	const char *log = slurp(run_path("ssprd.log"));
	ck_assert_ptr_nonnull(strstr(log, "sends_per_hour = 1 reached"));
}
END_TEST

Suite *limits_suite(void)
{
	Suite *s = suite_create("limits");
	TCase *codes = world_tcase("codes", start_codes);
	tcase_add_test(codes, third_code_in_an_hour_is_refused);
	suite_add_tcase(s, codes);
	TCase *fail = tcase_create("failures");
	tcase_add_checked_fixture(fail, start_failures, stop_failures);
	tcase_set_timeout(fail, 60);
	tcase_add_test(fail, failures_lock_the_reset_flow_not_the_account);
	suite_add_tcase(s, fail);
	TCase *budget = world_tcase("budget", start_budget);
	tcase_add_test(budget, second_text_is_refused_and_admins_told);
	suite_add_tcase(s, budget);
	return s;
}
