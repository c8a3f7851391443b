/* [backend] type = ldap end to end: the real module and daemon against a
 * private slapd with the ppolicy overlay (ldap_fixture.h). Enrolments stay
 * in the daemon's sqlite store here (test_ldap_store.c covers store =
 * ldap). */
#include <check.h>
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/client.h"
#include "common/proto.h"
#include "tests/integration/harness.h"
#include "tests/integration/ldap_fixture.h"
#include "tests/integration/suites.h"

#define CODE_SUBJECT "Your password reset code"

static void start_with(const char *extra)
{
	ldap_start();
	struct world_opts o = {.extra_conf = ldap_extra_conf(true, false, extra)};
	world_start(&o);
}

static void start_ldap(void)
{
	start_with(NULL);
}

static void start_ldap_shadow_last_change(void)
{
	start_with("shadow_last_change = yes\n");
}

/* A site filter that matches dave too, whoever is asked for. */
static void start_ldap_ambiguous_filter(void)
{
	start_with("user_filter = (&(objectClass=posixAccount)(|(uid=%s)(uid=dave)))\n");
}

static void stop_ldap(void)
{
	world_stop();
	ldap_stop();
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Every entry of people, to compare before and after. */
static char *dump_people(void)
{
	static const char *const users[] = {"carol", "dave", "erin", "frank", "sysuser"};
	size_t cap = 5 * 32768, n = 0;
	char *out = malloc(cap);
	ck_assert_ptr_nonnull(out);
	out[0] = '\0';
	for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++)
		n += (size_t)snprintf(out + n, cap - n, "%s", ldap_entry_dump(users[i]));
	return out;
}

START_TEST(reset_sets_the_directory_password)
{
	char before_dave[32768];
	snprintf(before_dave, sizeof(before_dave), "%s", ldap_entry_dump("dave"));
	struct convo c = {.answers = {"", "y", "1", "@CODE", NEW_PASSWORD, NEW_PASSWORD, ""}};
	ck_assert_int_eq(pam_run(SERVICE, "carol", &c), PAM_AUTH_ERR);
	assert_has(&c, "1) Email a code to c***@e***.org");
	assert_has(&c, "P:Your password has been reset. Log in with your new password.");
	/* The directory's bind is the login: the new password, not the old. */
	ck_assert(ldap_bind_ok("carol", NEW_PASSWORD));
	ck_assert(!ldap_bind_ok("carol", OLD_PASSWORD));
	/* Password Modify made pwdReset (pwdMustChange) and sspr removed it;
	 * the directory hashed the password. */
	ck_assert_str_eq(ldap_attr("carol", "pwdReset"), "");
	ck_assert_str_eq(ldap_attr("carol", "shadowLastChange"), "");
	ck_assert_msg(strncmp(ldap_attr("carol", "userPassword"), "{SSHA}", 6) == 0, "%s",
		      ldap_attr("carol", "userPassword"));
	ck_assert_str_eq(ldap_entry_dump("dave"), before_dave);
	const char *log = slurp(run_path("ssprd.log"));
	ck_assert_ptr_null(strstr(log, NEW_PASSWORD));
	ck_assert_ptr_null(strstr(log, LDAP_SERVICE_PASSWORD));
}
END_TEST

/* The directory shows no hashes, so sspr's history keeps its own of the
 * passwords it set: a second reset may not go back to the first one. */
START_TEST(history_remembers_directory_passwords)
{
	struct convo c = {.answers = {"", "y", "1", "@CODE", NEW_PASSWORD, NEW_PASSWORD, ""}};
	ck_assert_int_eq(pam_run(SERVICE, "carol", &c), PAM_AUTH_ERR);
	assert_has(&c, "P:Your password has been reset.");
	struct convo again = {.answers = {"", "y", "1", "@CODE", NEW_PASSWORD, "Second-password-93",
					  "Second-password-93", ""}};
	ck_assert_int_eq(pam_run(SERVICE, "carol", &again), PAM_AUTH_ERR);
	assert_has(&again, "You used this password recently");
	assert_has(&again, "P:Your password has been reset.");
	ck_assert(ldap_bind_ok("carol", "Second-password-93"));
	ck_assert(!ldap_bind_ok("carol", NEW_PASSWORD));
	const char *log = slurp(run_path("ssprd.log"));
	ck_assert_ptr_null(strstr(log, "Second-password-93"));
}
END_TEST

START_TEST(reset_updates_shadow_last_change)
{
	struct convo c = {.answers = {"", "y", "1", "@CODE", NEW_PASSWORD, NEW_PASSWORD, ""}};
	ck_assert_int_eq(pam_run(SERVICE, "carol", &c), PAM_AUTH_ERR);
	assert_has(&c, "P:Your password has been reset.");
	char today[32];
	snprintf(today, sizeof(today), "%ld", (long)(time(NULL) / 86400));
	ck_assert_str_eq(ldap_attr("carol", "shadowLastChange"), today);
	ck_assert(ldap_bind_ok("carol", NEW_PASSWORD));
}
END_TEST

START_TEST(unlock_of_a_ppolicy_locked_user)
{
	for (int i = 0; i < 3; i++)
		ck_assert(!ldap_bind_ok("carol", "not-her-password"));
	/* Locked: even the right password is refused now. */
	ck_assert(!ldap_bind_ok("carol", OLD_PASSWORD));
	ck_assert_str_ne(ldap_attr("carol", "pwdAccountLockedTime"), "");
	struct convo c = {.answers = {"", "y", "1", "@CODE", "2", ""}};
	ck_assert_int_eq(pam_run(SERVICE, "carol", &c), PAM_AUTH_ERR);
	assert_has(&c, "Your account is locked after failed logins.");
	assert_has(&c, "2) Unlock my account, keep my password");
	assert_has(&c, "P:Your account has been unlocked. Log in with your current password.");
	ck_assert_str_eq(ldap_attr("carol", "pwdAccountLockedTime"), "");
	ck_assert_str_eq(ldap_attr("carol", "pwdFailureTime"), "");
	ck_assert(ldap_bind_ok("carol", OLD_PASSWORD));
}
END_TEST

START_TEST(reset_of_a_locked_user_also_unlocks)
{
	for (int i = 0; i < 3; i++)
		ck_assert(!ldap_bind_ok("carol", "not-her-password"));
	struct convo c = {.answers = {"", "y", "1", "@CODE", "1", NEW_PASSWORD, NEW_PASSWORD, ""}};
	ck_assert_int_eq(pam_run(SERVICE, "carol", &c), PAM_AUTH_ERR);
	assert_has(&c, "P:Your password has been reset.");
	ck_assert_str_eq(ldap_attr("carol", "pwdAccountLockedTime"), "");
	ck_assert(ldap_bind_ok("carol", NEW_PASSWORD));
}
END_TEST

START_TEST(admin_lock_is_refused)
{
	/* erin carries 000001010000Z: a decoy dialogue (her own masked
	 * address, nothing sent, every code wrong), never an unlock. */
	ck_assert_str_eq(ldap_attr("erin", "pwdAccountLockedTime"), LDAP_ADMIN_LOCK);
	char *before = dump_people();
	struct convo c = {
	    .answers = {"", "y", "1", "000000", "000000", "000000", "000000", "000000", ""}};
	ck_assert_int_eq(pam_run(SERVICE, "erin", &c), PAM_AUTH_ERR);
	assert_has(&c, "1) Email a code to e***@e***.org");
	assert_has(&c, "P:Too many wrong codes.");
	ck_assert_ptr_null(strstr(c.transcript, "Unlock"));
	ck_assert_int_eq(mail_count(CODE_SUBJECT, 1, 500), 0);
	/* An administrator's unlock through sspr is refused too. */
	char out[1024];
	int st = run_cmd(out, sizeof(out), "%s/ssprctl --config %s unlock erin 2>&1",
			 getenv("SSPR_BUILD"), run_path("sspr.conf"));
	ck_assert_msg(st != 0, "%s", out);
	ck_assert_msg(strstr(out, "locked by an administrator") != NULL, "%s", out);
	char *after = dump_people();
	ck_assert_str_eq(after, before);
	free(before);
	free(after);
	ck_assert(!ldap_bind_ok("erin", OLD_PASSWORD));
}
END_TEST

START_TEST(expired_account_gets_a_decoy)
{
	struct convo c = {
	    .answers = {"", "y", "1", "000000", "000000", "000000", "000000", "000000", ""}};
	ck_assert_int_eq(pam_run(SERVICE, "frank", &c), PAM_AUTH_ERR);
	assert_has(&c, "P:Too many wrong codes.");
	ck_assert_int_eq(mail_count(CODE_SUBJECT, 1, 500), 0);
	ck_assert(ldap_bind_ok("frank", OLD_PASSWORD));
}
END_TEST

/* The closing prompt of a transcript (its last "P:" line). */
static const char *last_prompt(const struct convo *c, char *out, size_t outsz)
{
	const char *p = NULL;
	for (const char *q = strstr(c->transcript, "P:"); q; q = strstr(q + 1, "\nP:"))
		p = q[0] == '\n' ? q + 1 : q;
	snprintf(out, outsz, "%.*s", p ? (int)strcspn(p, "\n") : 0, p ? p : "");
	return out;
}

START_TEST(filter_injection_names_are_harmless)
{
	static const char *const names[] = {"*)(uid=*",	      "*",	  "carol)(uid=*", "carol*",
					    "(|(uid=carol))", "carol\\2a"};
	char *before = dump_people();
	/* Cancelled at the menu: wrong codes would trip the abuse limits
	 * after a few names. */
	struct convo unknown = {.answers = {"", "y", "0", ""}};
	int rc_unknown = pam_run(SERVICE, "nosuchuser", &unknown);
	char want[512], got[512];
	last_prompt(&unknown, want, sizeof(want));
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct convo c = {.answers = {"", "y", "0", ""}};
		ck_assert_int_eq(pam_run(SERVICE, names[i], &c), rc_unknown);
		ck_assert_msg(strcmp(last_prompt(&c, got, sizeof(got)), want) == 0,
			      "%s: \"%s\" instead of \"%s\":\n%s", names[i], got, want,
			      c.transcript);
	}
	ck_assert_int_eq(mail_count(CODE_SUBJECT, 1, 500), 0);
	char *after = dump_people();
	ck_assert_str_eq(after, before);
	free(before);
	free(after);
	ck_assert(ldap_bind_ok("carol", OLD_PASSWORD));
}
END_TEST

START_TEST(hung_directory_times_out)
{
	ldap_pause(true);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct convo c = {.answers = {"", "y", "0", ""}};
	int rc = pam_run(SERVICE, "carol", &c);
	double took = seconds_since(&t0);
	/* [ldap] timeout = 2: every directory call gives up; the user sees
	 * the neutral dialogue, never a reset, never a hang. */
	ck_assert_int_ne(rc, PAM_SUCCESS);
	ck_assert_ptr_null(strstr(c.transcript, "has been reset"));
	ck_assert_msg(took < 15.0, "took %.1f s:\n%s", took, c.transcript);
	assert_has(&c, "P:How should we verify it's you?");
	ck_assert_int_eq(mail_count(CODE_SUBJECT, 1, 200), 0);
	/* The daemon still serves: another user, still during the hang. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct convo d = {.answers = {"", "n", ""}};
	pam_run(SERVICE, "dave", &d);
	ck_assert_msg(seconds_since(&t0) < 15.0, "took %.1f s:\n%s", seconds_since(&t0),
		      d.transcript);
	assert_has(&d, "I:Can't access your account?");
	ldap_pause(false);
	const char *log = slurp(run_path("ssprd.log"));
	ck_assert_msg(strstr(log, "Connection timed out") || strstr(log, "timed out"), "%s", log);
	/* Once the directory answers again, so does the reset. */
	struct convo ok = {.answers = {"", "y", "1", "@CODE", NEW_PASSWORD, NEW_PASSWORD, ""}};
	ck_assert_int_eq(pam_run(SERVICE, "carol", &ok), PAM_AUTH_ERR);
	assert_has(&ok, "P:Your password has been reset.");
	ck_assert(ldap_bind_ok("carol", NEW_PASSWORD));
}
END_TEST

START_TEST(ambiguous_filter_is_refused)
{
	char *before = dump_people();
	struct convo c = {.answers = {"", "y", "1", "000000", ""}};
	pam_run(SERVICE, "carol", &c);
	assert_has(&c, "P:How should we verify it's you?");
	ck_assert_int_eq(mail_count(CODE_SUBJECT, 1, 500), 0);
	char *after = dump_people();
	ck_assert_str_eq(after, before);
	free(before);
	free(after);
	ck_assert_ptr_nonnull(strstr(slurp(run_path("ssprd.log")), "more than one entry"));
}
END_TEST

/* sspr register as the user (uid), the way build/sspr runs it: answers
 * for the prompts in order, then the dialogue is cancelled. The transcript
 * ("P:", "I:", "E:" lines) goes to out. */
struct reg_script {
	const char *const *answers;
	size_t next;
	FILE *log;
};

static int reg_prompt(void *ud, bool echo, const char *text, char **answer)
{
	struct reg_script *s = ud;
	(void)echo;
	fprintf(s->log, "P:%s\n", text);
	if (!s->answers[s->next])
		return -ECANCELED;
	*answer = strdup(s->answers[s->next++]);
	return *answer ? 0 : -ENOMEM;
}

static void reg_info(void *ud, const char *text)
{
	fprintf(((struct reg_script *)ud)->log, "I:%s\n", text);
}

static void reg_error(void *ud, const char *text)
{
	fprintf(((struct reg_script *)ud)->log, "E:%s\n", text);
}

static const char *register_as(uid_t uid, const char *const *answers)
{
	const char *path = run_path("register.out");
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct reg_script s = {.answers = answers, .log = fopen(path, "we")};
		gid_t gid = (gid_t)uid;
		if (!s.log || setgroups(1, &gid) < 0 || setgid(gid) < 0 || setuid(uid) < 0)
			_exit(3);
		static const struct client_ops ops = {
		    .prompt = reg_prompt, .info = reg_info, .error = reg_error};
		const char *fields[] = {"", ""};
		struct proto_msg req = {0};
		enum proto_status st;
		int fd = client_connect(run_path("ssprd.sock"), 3000);
		if (fd < 0 || proto_msg_build(&req, PROTO_REGISTER_START, 2, fields) < 0)
			_exit(4);
		int r = client_run(fd, &req, &ops, &s, 10000, 30000, &st);
		fprintf(s.log, "X:%d\n", r);
		fclose(s.log);
		_exit(0);
	}
	int status = 0;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "register child: %d", status);
	return slurp(path);
}

START_TEST(register_checks_the_password_by_bind)
{
	static const char *const answers[] = {"not-her-password", OLD_PASSWORD, NULL};
	char t[8192];
	snprintf(t, sizeof(t), "%s", register_as(1001, answers));
	ck_assert_msg(strstr(t, "E:That is not your current password.") != NULL, "%s", t);
	/* The right one is taken: the dialogue goes on to its menu. */
	const char *log = slurp(run_path("ssprd.log"));
	ck_assert_msg(strstr(log, "register carol: current password accepted") != NULL, "%s", log);
	ck_assert_ptr_null(strstr(log, OLD_PASSWORD));
	ck_assert_msg(strstr(t, "P:What would you like to do?") != NULL, "%s", t);
	/* A successful bind clears ppolicy's count of the wrong one. */
	ck_assert_str_eq(ldap_attr("carol", "pwdFailureTime"), "");
}
END_TEST

static TCase *ldap_tcase(const char *name, void (*setup)(void))
{
	TCase *tc = tcase_create(name);
	tcase_add_checked_fixture(tc, setup, stop_ldap);
	tcase_set_timeout(tc, 120);
	return tc;
}

Suite *ldap_backend_suite(void)
{
	Suite *s = suite_create("ldap_backend");
	/* Only a machine without slapd skips (make deps installs it). */
	if (!ldap_available())
		return s;
	TCase *tc = ldap_tcase("ldap_backend", start_ldap);
	tcase_add_test(tc, reset_sets_the_directory_password);
	tcase_add_test(tc, history_remembers_directory_passwords);
	tcase_add_test(tc, unlock_of_a_ppolicy_locked_user);
	tcase_add_test(tc, reset_of_a_locked_user_also_unlocks);
	tcase_add_test(tc, admin_lock_is_refused);
	tcase_add_test(tc, expired_account_gets_a_decoy);
	tcase_add_test(tc, filter_injection_names_are_harmless);
	tcase_add_test(tc, hung_directory_times_out);
	tcase_add_test(tc, register_checks_the_password_by_bind);
	suite_add_tcase(s, tc);
	TCase *slc = ldap_tcase("ldap_shadow_last_change", start_ldap_shadow_last_change);
	tcase_add_test(slc, reset_updates_shadow_last_change);
	suite_add_tcase(s, slc);
	TCase *amb = ldap_tcase("ldap_ambiguous_filter", start_ldap_ambiguous_filter);
	tcase_add_test(amb, ambiguous_filter_is_refused);
	suite_add_tcase(s, amb);
	return s;
}
