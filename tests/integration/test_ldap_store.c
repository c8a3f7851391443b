/* [daemon] store = ldap end to end: what a user registers on one host
 * ("host A", the harness's ssprd) lives in their directory entry, so a
 * second ssprd ("host B": its own state_dir, socket and configuration,
 * the same slapd and site key) resets with it; one-time secrets used on
 * one host are refused on the other. Both use [backend] type = ldap.
 *
 * Host B listens on run_path("hung.sock"), which the harness's
 * "sspr-hung" PAM service points pam_sspr at (pam_wrapper reads the
 * service files once, at start, so a test cannot add its own). */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "tests/integration/harness.h"
#include "tests/integration/harness_internal.h"
#include "tests/integration/ldap_fixture.h"
#include "tests/integration/suites.h"

#define CODE_SUBJECT "Your password reset code"
#define HOST_B	     "sspr-hung"

static pid_t hostb_pid = -1;

static void start_store(void)
{
	ldap_start();
	struct world_opts o = {.extra_conf = ldap_extra_conf(
				   true, true, "[methods]\nenabled = email totp recovery_code\n")};
	world_start(&o);
}

static void stop_store(void)
{
	stop(&hostb_pid);
	world_stop();
	ldap_stop();
}

static bool sock_ready(const char *path)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	bool ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

/* text with the line starting with key replaced by key value. */
static void replace_line(char *text, size_t size, const char *key, const char *value)
{
	char *p = strstr(text, key);
	ck_assert_msg(p && (p == text || p[-1] == '\n'), "no %s in the configuration", key);
	char *end = strchr(p, '\n');
	ck_assert_ptr_nonnull(end);
	char rest[16384];
	snprintf(rest, sizeof(rest), "%s", end);
	snprintf(p, size - (size_t)(p - text), "%s%s%s", key, value, rest);
}

/* Host B: host A's configuration with its own socket and state. */
static void start_host_b(void)
{
	char conf[16384], out[256];
	snprintf(conf, sizeof(conf), "%s", slurp(run_path("sspr.conf")));
	replace_line(conf, sizeof(conf), "socket = ", run_path("hung.sock"));
	replace_line(conf, sizeof(conf), "state_dir = ", run_path("state-b"));
	write_file(run_path("sspr-b.conf"), 0644, "%s", conf);
	run_cmd(out, sizeof(out), "rm -rf %s %s %s", run_path("state-b"), run_path("hung.sock"),
		run_path("ssprd-b.log"));
	char prog[600];
	snprintf(prog, sizeof(prog), "%s/ssprd", build_path());
	char *argv[] = {prog, "--config", (char *)run_path("sspr-b.conf"), NULL};
	hostb_pid = spawn(run_path("ssprd-b.log"), argv);
	for (int i = 0; i < 100 && !sock_ready(run_path("hung.sock")); i++)
		usleep(50000);
	ck_assert_msg(sock_ready(run_path("hung.sock")), "host B did not start: %s",
		      slurp(run_path("ssprd-b.log")));
}

/* The number of the menu entry that contains text, from a dialogue that
 * stops at the menu. */
static const char *menu_number(const char *service, const char *user, const char *text)
{
	static char num[4];
	struct convo c = {.answers = {"", "y", "0"}};
	pam_run(service, user, &c);
	const char *p = strstr(c.transcript, text);
	ck_assert_msg(p != NULL, "no \"%s\" in: %s", text, c.transcript);
	while (p > c.transcript && p[-1] != '\n')
		p--;
	p += strspn(p, " ");
	snprintf(num, sizeof(num), "%.*s", (int)strspn(p, "0123456789"), p);
	ck_assert_msg(num[0] >= '1' && num[0] <= '9' && p[strlen(num)] == ')', "menu: %s",
		      c.transcript);
	return num;
}

static bool file_has(const char *path, const char *needle)
{
	char out[64];
	return run_cmd(out, sizeof(out), "grep -aqF '%s' %s* 2>/dev/null", needle, path) == 0;
}

/* Whether a code mail went to exactly addr. */
static bool code_mail_to(const char *addr)
{
	char out[64];
	return run_cmd(out, sizeof(out),
		       "grep -alx 'Subject: " CODE_SUBJECT "' %s/new/* | "
		       "xargs -r grep -aqx 'X-RcptTo: %s'",
		       run_path("Maildir"), addr) == 0;
}

START_TEST(enrolment_lives_in_the_directory)
{
	/* world_start enrolled carol by email through host A. */
	const char *doc = ldap_attr("carol", "ssprEnrolment");
	ck_assert_msg(strstr(doc, "\"carol@example.org\"") != NULL, "document: %s", doc);
	ck_assert_msg(strstr(doc, "\"user\":\"carol\"") != NULL, "document: %s", doc);
	ck_assert_ptr_nonnull(strstr(ldap_attr("carol", "objectClass"), "ssprUser"));
	/* Not in host A's database. */
	ck_assert(!file_has(run_path("state/sspr.db"), "carol@example.org"));
	/* Nothing for a user who registered nothing. */
	ck_assert_str_eq(ldap_attr("dave", "ssprEnrolment"), "");
	/* Recovery codes and an authenticator: hashes and a sealed secret
	 * only, never the codes or the secret in clear. */
	enroll_totp("carol");
	enroll_recovery_codes("carol");
	doc = ldap_attr("carol", "ssprEnrolment");
	ck_assert_ptr_nonnull(strstr(doc, "\"totp\":{\"sealed\":"));
	ck_assert_ptr_nonnull(strstr(doc, "\"recovery\":[{\"hash\":"));
	struct convo c = {
	    .answers = {"", "y", menu_number(SERVICE, "carol", "recovery code"), "@RC1", "", "0"}};
	pam_run(SERVICE, "carol", &c);
	assert_has(&c, "I:Recovery code accepted. You have 9 left.");
	char code[64];
	ck_assert(methods_answer("@RC1", "", code, sizeof(code)));
	ck_assert_ptr_null(strstr(ldap_attr("carol", "ssprEnrolment"), code));
	/* The registration as administrators see it: carol's from her
	 * document, dave's only from his directory attributes. */
	char out[4096];
	int st = run_cmd(out, sizeof(out), "%s/ssprctl --config %s list 2>&1", build_path(),
			 run_path("sspr.conf"));
	ck_assert_msg(st == 0, "list: %s", out);
	const char *cl = strstr(out, "\ncarol "), *dl = strstr(out, "\ndave ");
	ck_assert_msg(cl && dl, "list: %s", out);
	const char *ct = strstr(cl, "totp,recovery_code");
	ck_assert_msg(ct && ct < dl, "list: %s", out);
	char dave[256];
	snprintf(dave, sizeof(dave), "%.*s", (int)strcspn(dl + 1, "\n"), dl + 1);
	ck_assert_msg(strstr(dave, " email,") && !strstr(dave, "totp"), "list: %s", out);
}
END_TEST

START_TEST(reset_on_host_b_with_enrolment_from_host_a)
{
	start_host_b();
	/* Host B has never seen carol: its own database is empty. */
	struct convo c = {.answers = {"", "y", "1", "@CODE", NEW_PASSWORD, NEW_PASSWORD, ""}};
	ck_assert_int_eq(pam_run(HOST_B, "carol", &c), PAM_AUTH_ERR);
	assert_has(&c, "1) Email a code to c***@e***.org");
	assert_has(&c, "P:Your password has been reset. Log in with your new password.");
	ck_assert(ldap_bind_ok("carol", NEW_PASSWORD));
	ck_assert(!ldap_bind_ok("carol", OLD_PASSWORD));
	ck_assert_str_eq(ldap_attr("carol", "pwdReset"), "");
	/* The code went to the address registered on A, not to the
	 * directory's mail attribute (carol.dir@example.org). */
	ck_assert(code_mail_to("carol@example.org"));
	ck_assert(!code_mail_to("carol.dir@example.org"));
	/* B did it: its log has the reset, A's log has no dialogue for it. */
	const char *blog = slurp(run_path("ssprd-b.log"));
	ck_assert_ptr_nonnull(strstr(blog, "carol"));
	ck_assert_ptr_null(strstr(blog, NEW_PASSWORD));
	ck_assert_ptr_null(strstr(blog, c.last_code));
	ck_assert(!file_has(run_path("state-b/sspr.db"), "carol@example.org"));
}
END_TEST

START_TEST(one_time_secrets_are_spent_everywhere)
{
	enroll_totp("carol");
	enroll_recovery_codes("carol");
	start_host_b();
	const char *rc_a = menu_number(SERVICE, "carol", "recovery code");
	const char *rc_b = menu_number(HOST_B, "carol", "recovery code");
	ck_assert_str_eq(rc_a, rc_b);
	/* A recovery code used on A is spent on B; the next one works on B
	 * and the count is shared. */
	struct convo a = {.answers = {"", "y", rc_a, "@RC3", NEW_PASSWORD, NEW_PASSWORD, ""}};
	ck_assert_int_eq(pam_run(SERVICE, "carol", &a), PAM_AUTH_ERR);
	assert_has(&a, "I:Recovery code accepted. You have 9 left.");
	struct convo b = {.answers = {"", "y", rc_b, "@RC3", "", "0"}};
	pam_run(HOST_B, "carol", &b);
	assert_has(&b, "E:That recovery code is not valid.");
	struct convo b2 = {.answers = {"", "y", rc_b, "@RC4", "", "0"}};
	pam_run(HOST_B, "carol", &b2);
	assert_has(&b2, "I:Recovery code accepted. You have 8 left.");
	/* Host B opens the authenticator secret host A sealed (the same site
	 * key) and accepts its code; the same code is then a replay on A. */
	const char *totp = menu_number(HOST_B, "carol", "authenticator app");
	struct convo t = {.answers = {"", "y", totp, "@TOTP", "", "0"}};
	pam_run(HOST_B, "carol", &t);
	assert_has(&t, "P:New password");
	ck_assert_ptr_null(strstr(t.transcript, "E:That code is not correct"));
	struct convo replay = {.answers = {"", "y", totp, "@TOTPLAST", "", "0"}};
	pam_run(SERVICE, "carol", &replay);
	assert_has(&replay, "E:That code is not correct or was used already.");
}
END_TEST

START_TEST(contacts_from_directory_attributes)
{
	/* dave registered nothing: his mail attribute is offered, as an
	 * administrator's entry, and the code goes there. */
	struct convo c = {.answers = {"", "y", "1", "@CODE", NEW_PASSWORD, NEW_PASSWORD, ""}};
	ck_assert_int_eq(pam_run(SERVICE, "dave", &c), PAM_AUTH_ERR);
	assert_has(&c, "1) Email a code to d***@e***.org");
	assert_has(&c, "P:Your password has been reset. Log in with your new password.");
	ck_assert(ldap_bind_ok("dave", NEW_PASSWORD));
	ck_assert(mail_count(CODE_SUBJECT, 1, 5000) >= 1);
	ck_assert(code_mail_to("dave@example.org"));
	/* Reading the directory wrote nothing to dave's entry. */
	ck_assert_str_eq(ldap_attr("dave", "ssprEnrolment"), "");
	/* What carol registered wins over her directory address. */
	struct convo k = {.answers = {"", "y", "0"}};
	pam_run(SERVICE, "carol", &k);
	assert_has(&k, "Email a code to c***@e***.org");
	ck_assert_str_eq(ldap_attr("carol", "mail"), "carol.dir@example.org");
	ck_assert_ptr_nonnull(strstr(ldap_attr("carol", "ssprEnrolment"), "carol@example.org"));
}
END_TEST

START_TEST(damaged_document_fails_closed)
{
	/* A document this ssprd cannot fully read is not half used: carol
	 * is not offered a reset by email and nothing is sent. */
	ck_assert_int_eq(ldap_modify("dn: uid=carol," LDAP_TEST_PEOPLE "\nchangetype: modify\n"
				     "replace: ssprEnrolment\nssprEnrolment: {\"v\":99}\n"),
			 0);
	int before = mail_count(CODE_SUBJECT, 0, 0);
	struct convo c = {.answers = {"", "y", "1", "123456", "", "0"}};
	pam_run(SERVICE, "carol", &c);
	ck_assert_ptr_null(strstr(c.transcript, "P:Your password has been reset"));
	ck_assert_int_eq(mail_count(CODE_SUBJECT, 0, 1000), before);
	ck_assert(ldap_bind_ok("carol", OLD_PASSWORD));
	ck_assert_ptr_nonnull(strstr(slurp(run_path("ssprd.log")), "store: directory"));
}
END_TEST

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

START_TEST(hung_directory_fails_closed_in_time)
{
	ldap_pause(true);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct convo c = {.answers = {"", "y", "1", "123456", "", "0", ""}};
	int rc = pam_run(SERVICE, "carol", &c);
	double took = seconds_since(&t0);
	/* The enrolment cannot be read: no reset, no code sent, and the
	 * dialogue ends in bounded time ([ldap] timeout = 2). */
	ck_assert_int_ne(rc, PAM_SUCCESS);
	ck_assert_ptr_null(strstr(c.transcript, "has been reset"));
	ck_assert_msg(took < 15.0, "took %.1f s:\n%s", took, c.transcript);
	fprintf(stderr, "hung directory: carol's dialogue took %.1f s\n", took);
	ck_assert_int_eq(mail_count(CODE_SUBJECT, 1, 200), 0);
	/* The daemon still answers others during the hang. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct convo d = {.answers = {"", "n", ""}};
	pam_run(SERVICE, "dave", &d);
	ck_assert_msg(seconds_since(&t0) < 15.0, "took %.1f s:\n%s", seconds_since(&t0),
		      d.transcript);
	assert_has(&d, "I:Can't access your account?");
	ldap_pause(false);
	ck_assert_ptr_nonnull(strstr(slurp(run_path("ssprd.log")), "store: directory"));
	/* Back again (sspr tries the directory again 5 s after it failed):
	 * the registration is whole and works. */
	sleep(6);
	struct convo ok = {.answers = {"", "y", "1", "@CODE", NEW_PASSWORD, NEW_PASSWORD, ""}};
	ck_assert_int_eq(pam_run(SERVICE, "carol", &ok), PAM_AUTH_ERR);
	assert_has(&ok, "P:Your password has been reset.");
	ck_assert(ldap_bind_ok("carol", NEW_PASSWORD));
	ck_assert_ptr_nonnull(strstr(ldap_attr("carol", "ssprEnrolment"), "carol@example.org"));
}
END_TEST

Suite *ldap_store_suite(void)
{
	Suite *s = suite_create("ldap_store");
	/* Only a machine without slapd skips (make deps installs it). */
	if (!ldap_available())
		return s;
	TCase *tc = tcase_create("ldap_store");
	tcase_add_checked_fixture(tc, start_store, stop_store);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, enrolment_lives_in_the_directory);
	tcase_add_test(tc, reset_on_host_b_with_enrolment_from_host_a);
	tcase_add_test(tc, one_time_secrets_are_spent_everywhere);
	tcase_add_test(tc, contacts_from_directory_attributes);
	tcase_add_test(tc, damaged_document_fails_closed);
	tcase_add_test(tc, hung_directory_fails_closed_in_time);
	suite_add_tcase(s, tc);
	return s;
}
