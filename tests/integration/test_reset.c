/* Reset dialogues end to end: real module, real daemon, real SMTP. */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/integration/harness.h"
#include "tests/integration/suites.h"

#define CODE_SUBJECT   "Your password reset code"
#define NOTICE_SUBJECT "Your password was reset"

static void start_default(void)
{
	world_start(NULL);
}

START_TEST(full_reset_by_email)
{
	char before_dave[512];
	snprintf(before_dave, sizeof(before_dave), "%s", shadow_hash("dave"));
	struct convo c = {.answers = {"", "y", "1", "@CODE", NEW_PASSWORD, NEW_PASSWORD, ""}};
	ck_assert_int_eq(pam_run(SERVICE, "carol", &c), PAM_AUTH_ERR);
	assert_has(&c, "P:Password (");
	assert_has(&c, "I:Can't access your account?");
	assert_has(&c, "1) Email a code to c***@e***.org");
	assert_has(&c, "I:We sent a 6-digit code to c***@e***.org. It expires in 10 minutes.");
	assert_has(&c, "P:Your password has been reset. Log in with your new password.");
	assert_password("carol", NEW_PASSWORD, true);
	assert_password("carol", OLD_PASSWORD, false);
	ck_assert_str_eq(shadow_hash("dave"), before_dave);
	ck_assert_msg(strncmp(shadow_hash("carol"), "$y$", 3) == 0, "not yescrypt: %s",
		      shadow_hash("carol"));
	struct stat st;
	ck_assert_int_eq(stat(run_path("shadow"), &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0640);
	ck_assert_int_eq(mail_count(NOTICE_SUBJECT, 1, 10000), 1);
	ck_assert_int_eq(mail_count(CODE_SUBJECT, 1, 0), 1);

	/* The daemon's log names the user but never the code or password. */
	const char *log = slurp(run_path("ssprd.log"));
	ck_assert_ptr_nonnull(strstr(log, "carol"));
	ck_assert_ptr_null(strstr(log, c.last_code));
	ck_assert_ptr_null(strstr(log, NEW_PASSWORD));

	/* Log in with the new password through the same stack; the old
	 * one is refused. */
	struct convo ok = {.answers = {NEW_PASSWORD}};
	ck_assert_int_eq(pam_run(SERVICE, "carol", &ok), PAM_SUCCESS);
	struct convo old = {.answers = {OLD_PASSWORD}};
	ck_assert_int_eq(pam_run(SERVICE, "carol", &old), PAM_AUTH_ERR);
}
END_TEST

START_TEST(wrong_code_then_right)
{
	struct convo c = {
	    .answers = {"", "y", "1", "@WRONG", "@CODE", NEW_PASSWORD, NEW_PASSWORD, ""}};
	ck_assert_int_eq(pam_run(SERVICE, "carol", &c), PAM_AUTH_ERR);
	assert_has(&c, "E:That code is not correct. 4 tries left.");
	assert_has(&c, "P:Your password has been reset.");
	assert_password("carol", NEW_PASSWORD, true);
}
END_TEST

START_TEST(expired_code)
{
	struct convo c = {.answers = {"", "y", "1", "@LATE", ""}};
	ck_assert_int_eq(pam_run(SERVICE, "carol", &c), PAM_AUTH_ERR);
	assert_has(&c, "P:The code has expired.");
	assert_password("carol", OLD_PASSWORD, true);
	ck_assert_int_eq(mail_count(NOTICE_SUBJECT, 0, 0), 0);
}
END_TEST

START_TEST(attempt_limit)
{
	/* The third wrong code ends the dialogue; the right code is never
	 * asked for again. */
	struct convo c = {.answers = {"", "y", "1", "@WRONG", "@WRONG", "@WRONG", "", "@CODE"}};
	ck_assert_int_eq(pam_run(SERVICE, "carol", &c), PAM_AUTH_ERR);
	assert_has(&c, "E:That code is not correct. 1 try left.");
	assert_has(&c, "P:Too many wrong codes.");
	ck_assert_uint_eq(c.next, 7);
	assert_password("carol", OLD_PASSWORD, true);
}
END_TEST

START_TEST(mismatched_confirmation)
{
	struct convo c = {.answers = {"", "y", "1", "@CODE", NEW_PASSWORD, "Other-password-43",
				      NEW_PASSWORD, NEW_PASSWORD, ""}};
	ck_assert_int_eq(pam_run(SERVICE, "carol", &c), PAM_AUTH_ERR);
	assert_has(&c, "E:The passwords do not match. Try again.");
	assert_password("carol", NEW_PASSWORD, true);
	assert_password("carol", "Other-password-43", false);
}
END_TEST

START_TEST(policy_refusal)
{
	struct convo c = {.answers = {"", "y", "1", "@CODE", "short", "my-carol-password",
				      NEW_PASSWORD, NEW_PASSWORD, ""}};
	ck_assert_int_eq(pam_run(SERVICE, "carol", &c), PAM_AUTH_ERR);
	assert_has(&c, "E:The password must have at least 12 characters.");
	assert_has(&c, "E:The password must not contain your user name.");
	assert_password("carol", NEW_PASSWORD, true);
}
END_TEST

/* What a refused user sees, with their name taken out. */
static void refused_transcript(const char *user, char *out, size_t outsz)
{
	struct convo c = {.answers = {"", "y", ""}};
	ck_assert_int_eq(pam_run(SERVICE, user, &c), PAM_AUTH_ERR);
	assert_has(&c, "P:Password recovery is not available for this account.\n"
		       "Call the IT helpdesk at 555-0100.\nPress Enter to continue.");
	ck_assert_ptr_null(strstr(c.transcript, user));
	snprintf(out, outsz, "%s", c.transcript);
}

START_TEST(refused_accounts_look_alike)
{
	/* dave: not enrolled; erin: locked; frank: expired; sysuser: uid
	 * below min_uid; root; ghost: no such user; a name no account can have. */
	static const char *const users[] = {"dave", "erin",  "frank",		"sysuser",
					    "root", "ghost", "../../etc/passwd"};
	char first[16384], other[16384];
	refused_transcript(users[0], first, sizeof(first));
	for (size_t i = 1; i < sizeof(users) / sizeof(users[0]); i++) {
		refused_transcript(users[i], other, sizeof(other));
		ck_assert_str_eq(other, first);
	}
	ck_assert_int_eq(mail_count(CODE_SUBJECT, 0, 0), 0);
	assert_password("erin", OLD_PASSWORD, false); /* still locked: "!" kept */
	ck_assert_ptr_nonnull(strstr(shadow_hash("erin"), "!"));
}
END_TEST

START_TEST(cancel_returns_to_normal_login)
{
	struct convo c = {.answers = {"", "n", OLD_PASSWORD}};
	ck_assert_int_eq(pam_run(SERVICE, "carol", &c), PAM_SUCCESS);
	assert_has(&c, "I:Password recovery cancelled.");
	assert_has(&c, "I:testpw: password accepted");
}
END_TEST

START_TEST(password_is_handed_to_next_module)
{
	struct convo c = {.answers = {OLD_PASSWORD}};
	ck_assert_int_eq(pam_run(SERVICE, "carol", &c), PAM_SUCCESS);
	/* One prompt only: the next module reused PAM_AUTHTOK. */
	ck_assert_uint_eq(c.next, 1);
	struct convo bad = {.answers = {"not-my-password"}};
	ck_assert_int_eq(pam_run(SERVICE, "carol", &bad), PAM_AUTH_ERR);
}
END_TEST

START_TEST(new_code_replaces_old)
{
	/* The first dialogue is abandoned at the code prompt: its code stays
	 * live until a second dialogue issues a new one, which must make the
	 * old code useless. */
	struct convo first = {.answers = {"", "y", "1"}};
	ck_assert_int_ne(pam_run(SERVICE, "carol", &first), PAM_SUCCESS);
	ck_assert_int_eq(mail_count(CODE_SUBJECT, 1, 0), 1);
	struct convo second = {
	    .answers = {"", "y", "1", "@PREV", "@CODE", NEW_PASSWORD, NEW_PASSWORD, ""}};
	ck_assert_int_eq(pam_run(SERVICE, "carol", &second), PAM_AUTH_ERR);
	ck_assert_int_eq(mail_count(CODE_SUBJECT, 2, 0), 2);
	assert_has(&second, "E:That code is not correct. 4 tries left.");
	assert_password("carol", NEW_PASSWORD, true);
}
END_TEST

static void start_reveal(void)
{
	/* reveal_unregistered = yes: refused accounts get the helpdesk text at
	 * once (the default's decoys: test_enumeration.c). */
	struct world_opts o = {.extra_conf = "[general]\nreveal_unregistered = yes\n"};
	world_start(&o);
}

static void start_short_ttl(void)
{
	struct world_opts o = {.code_ttl = 1};
	world_start(&o);
}

static void start_three_attempts(void)
{
	struct world_opts o = {.code_attempts = 3};
	world_start(&o);
}

Suite *reset_suite(void)
{
	Suite *s = suite_create("reset");
	TCase *tc = world_tcase("dialogue", start_default);
	tcase_add_test(tc, full_reset_by_email);
	tcase_add_test(tc, wrong_code_then_right);
	tcase_add_test(tc, mismatched_confirmation);
	tcase_add_test(tc, policy_refusal);
	tcase_add_test(tc, cancel_returns_to_normal_login);
	tcase_add_test(tc, password_is_handed_to_next_module);
	tcase_add_test(tc, new_code_replaces_old);
	suite_add_tcase(s, tc);
	tc = world_tcase("refused", start_reveal);
	tcase_add_test(tc, refused_accounts_look_alike);
	suite_add_tcase(s, tc);
	tc = world_tcase("expiry", start_short_ttl);
	tcase_add_test(tc, expired_code);
	suite_add_tcase(s, tc);
	tc = world_tcase("attempts", start_three_attempts);
	tcase_add_test(tc, attempt_limit);
	suite_add_tcase(s, tc);
	return s;
}
