/* Every verification method through the real module and daemon: SMS and
 * calls through a fake gateway speaking Twilio's and a generic HTTP API,
 * security questions, authenticator codes, recovery codes, two methods,
 * and unlocking a pam_faillock lock without a reset. */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "tests/integration/harness.h"
#include "tests/integration/suites.h"

#define MOBILE	      "+15550100167"
#define MOBILE_MASKED "+1 *** *** **67"

#define BASE_CONF                                                                                  \
	"[backend]\nfaillock_dir = @RUN/faillock\n"                                                \
	"[gateway]\nurl = http://@GW\naccount_sid = " GATEWAY_SID "\n"                             \
	"auth_file = @RUN/gateway-token\nfrom = +15550100000\ntimeout = 3\nretries = 1\n"          \
	"[voice]\ncallback_listen = @CB\ncallback_url = http://@CB/voice\n"                        \
	"echo_url = http://@GW/echo\nconfirm_timeout = 15\n"                                       \
	"[questions]\nregister = 3\nanswer = 2\n"                                                  \
	"pool = What was the name of your first pet? | In which city were you born?\n"

#define ALL_METHODS                                                                                \
	"[methods]\nenabled = email sms voice_mobile voice_office questions totp recovery_code\n"

static const char *const answers[][2] = {
    {"first pet", "Fluffy the Cat"},
    {"city were you born", "Taipei"},
    {"first teacher", "Mrs Chen"},
    {NULL, NULL},
};

static void enroll_mobile(const char *user)
{
	char out[512];
	int st = ssprctl_enroll(user, "--mobile " MOBILE, NULL, out, sizeof(out));
	ck_assert_msg(st == 0, "enroll --mobile: %d %s", st, out);
}

static void enroll_questions(const char *user)
{
	char out[1024];
	int st = ssprctl_enroll(user, "--questions",
				"What was the name of your first pet?\tFluffy the Cat\n"
				"In which city were you born?\tTaipei\n"
				"Who was your first teacher?\tMrs Chen\n",
				out, sizeof(out));
	ck_assert_msg(st == 0, "enroll --questions: %d %s", st, out);
	questions_answers(answers);
}

static void start_all(void)
{
	struct world_opts o = {.gateway = true,
			       .extra_conf = ALL_METHODS "questions_alone = yes\n" BASE_CONF};
	world_start(&o);
	enroll_mobile("carol");
}

static void start_press_pound(void)
{
	struct world_opts o = {
	    .gateway = true,
	    .extra_conf = "[methods]\nenabled = email voice_mobile voice_office\n" BASE_CONF
			  "[voice]\nmode = press_pound\noffice_phone_source = gecos\n"};
	world_start(&o);
}

static void start_two(void)
{
	struct world_opts o = {.gateway = true,
			       .extra_conf = "[methods]\nenabled = email sms voice_mobile totp\n"
					     "required = 2\n" BASE_CONF};
	world_start(&o);
}

static void start_http_provider(void)
{
	struct world_opts o = {
	    .gateway = true,
	    .extra_conf =
		"[methods]\nenabled = email sms\n[gateway]\nprovider = http\n"
		"auth_file = @RUN/gateway-token\nsms_url = http://@GW/http/sms\n"
		"body_format = json\nsms_body = {\"to\": \"{to}\", \"message\": \"{text}\"}\n"};
	world_start(&o);
	enroll_mobile("carol");
}

static void start_unlock(void)
{
	struct world_opts o = {.extra_conf = "[backend]\nfaillock_dir = @RUN/faillock\n"};
	world_start(&o);
}

static off_t tally_size(const char *user)
{
	char name[64];
	struct stat st;
	snprintf(name, sizeof(name), "faillock/%s", user);
	return stat(run_path(name), &st) == 0 ? st.st_size : -1;
}

static void assert_reset_done(const struct convo *c)
{
	assert_has(c, "P:Your password has been reset. Log in with your new password.");
	assert_password("carol", NEW_PASSWORD, true);
	assert_password("carol", OLD_PASSWORD, false);
}

START_TEST(sms_reset_through_twilio)
{
	struct convo c = {.answers = {"", "y", "2", "@SMS", NEW_PASSWORD, NEW_PASSWORD, ""}};
	ck_assert_int_eq(pam_run(SERVICE, "carol", &c), PAM_AUTH_ERR);
	assert_has(&c, "2) Text a code to my mobile phone " MOBILE_MASKED);
	assert_has(&c, "I:We sent a 6-digit code by text message to " MOBILE_MASKED);
	assert_reset_done(&c);
	const char *log = gateway_log();
	ck_assert_ptr_nonnull(strstr(log, "\"to\": \"" MOBILE "\""));
	ck_assert_ptr_nonnull(strstr(log, "\"from\": \"+15550100000\""));
	ck_assert_int_eq(gateway_count("sms"), 1);
	char code[7];
	ck_assert_int_eq(gateway_code("sms", code), 0);
	ck_assert_ptr_null(strstr(slurp(run_path("ssprd.log")), code));
	/* The notice goes to the registered address and names the method. */
	ck_assert_int_eq(mail_count("Your password was reset", 1, 10000), 1);
}
END_TEST

START_TEST(call_speaks_code_after_a_keypress)
{
	struct convo c = {.answers = {"", "y", "3", "@CALL", NEW_PASSWORD, NEW_PASSWORD, ""}};
	ck_assert_int_eq(pam_run(SERVICE, "carol", &c), PAM_AUTH_ERR);
	assert_has(&c, "3) Call my mobile phone " MOBILE_MASKED);
	assert_reset_done(&c);
	/* The code is only behind the Gather step (inside its action URL,
	 * percent-encoded), never spoken before a key is pressed. */
	const char *log = gateway_log();
	const char *gather = strstr(log, "<Gather");
	ck_assert_ptr_nonnull(gather);
	ck_assert_ptr_null(strstr(log, "code is"));
	ck_assert_ptr_nonnull(strstr(gather, "action="));
}
END_TEST

START_TEST(gateway_failure_offers_another_method)
{
	gateway_control("{\"status\": 500}");
	struct convo c = {.answers = {"", "y", "2", "1", "@CODE", NEW_PASSWORD, NEW_PASSWORD, ""}};
	ck_assert_int_eq(pam_run(SERVICE, "carol", &c), PAM_AUTH_ERR);
	assert_has(&c, "E:We could not reach you that way. Try another method.");
	assert_reset_done(&c);
	/* One retry, then the neutral message; the daemon keeps serving. */
	ck_assert_int_eq(gateway_count("sms"), 2);
	gateway_control("{}");
	struct convo again = {.answers = {"", "y", "2", "@SMS", "", "0"}};
	pam_run(SERVICE, "carol", &again);
	assert_has(&again, "I:We sent a 6-digit code by text message");
}
END_TEST

START_TEST(back_from_a_code_to_the_menu)
{
	struct convo c = {
	    .answers = {"", "y", "2", "", "1", "@CODE", NEW_PASSWORD, NEW_PASSWORD, ""}};
	ck_assert_int_eq(pam_run(SERVICE, "carol", &c), PAM_AUTH_ERR);
	assert_has(&c, "P:Enter the code (Enter alone: other methods): \nP:How should we verify");
	assert_reset_done(&c);
}
END_TEST

START_TEST(security_questions)
{
	enroll_questions("carol");
	struct convo c = {.answers = {"", "y", "4", "@ANSWER", "@BADANSWER", "@ANSWER", "@ANSWER",
				      NEW_PASSWORD, NEW_PASSWORD, ""}};
	ck_assert_int_eq(pam_run(SERVICE, "carol", &c), PAM_AUTH_ERR);
	assert_has(&c, "4) Answer my security questions");
	assert_has(&c, "E:The answers did not match. Try again.");
	assert_reset_done(&c);
	/* The same two questions both times: a failure draws no new ones. */
	const char *q1 = strstr(c.transcript, "P:Question 1 of 2: ");
	const char *q1again = strstr(q1 + 1, "P:Question 1 of 2: ");
	ck_assert_ptr_nonnull(q1again);
	ck_assert_int_eq(strcspn(q1, "\n"), strcspn(q1again, "\n"));
	ck_assert_int_eq(strncmp(q1, q1again, strcspn(q1, "\n")), 0);
	/* Answers are compared normalised, and never logged. */
	const char *log = slurp(run_path("ssprd.log"));
	ck_assert_ptr_null(strstr(log, "Fluffy"));
	ck_assert_ptr_null(strstr(log, "Taipei"));
	ck_assert_ptr_null(strstr(log, "Mrs Chen"));
}
END_TEST

START_TEST(questions_normalised_answers)
{
	static const char *const messy[][2] = {
	    {"first pet", "  FLUFFY   the cat "},
	    {"city were you born", "taipei"},
	    {"first teacher", "MRS  CHEN"},
	    {NULL, NULL},
	};
	enroll_questions("carol");
	questions_answers(messy);
	struct convo c = {
	    .answers = {"", "y", "4", "@ANSWER", "@ANSWER", NEW_PASSWORD, NEW_PASSWORD, ""}};
	ck_assert_int_eq(pam_run(SERVICE, "carol", &c), PAM_AUTH_ERR);
	assert_reset_done(&c);
}
END_TEST

START_TEST(authenticator_code_and_replay)
{
	enroll_totp("carol");
	struct convo c = {.answers = {"", "y", "4", "@TOTP", NEW_PASSWORD, NEW_PASSWORD, ""}};
	ck_assert_int_eq(pam_run(SERVICE, "carol", &c), PAM_AUTH_ERR);
	assert_has(&c, "4) Enter a code from my authenticator app");
	assert_reset_done(&c);
	struct convo replay = {.answers = {"", "y", "4", "@TOTPLAST", "", "0"}};
	ck_assert_int_eq(pam_run(SERVICE, "carol", &replay), PAM_AUTH_ERR);
	assert_has(&replay, "E:That code is not correct or was used already.");
}
END_TEST

START_TEST(recovery_code_once)
{
	enroll_recovery_codes("carol");
	struct convo c = {.answers = {"", "y", "4", "@RC3", NEW_PASSWORD, NEW_PASSWORD, ""}};
	ck_assert_int_eq(pam_run(SERVICE, "carol", &c), PAM_AUTH_ERR);
	assert_has(&c, "I:Recovery code accepted. You have 9 left.");
	assert_reset_done(&c);
	struct convo again = {.answers = {"", "y", "4", "@RC3", "", "0"}};
	ck_assert_int_eq(pam_run(SERVICE, "carol", &again), PAM_AUTH_ERR);
	assert_has(&again, "E:That recovery code is not valid.");
}
END_TEST

START_TEST(questions_never_alone_by_default)
{
	world_stop();
	struct world_opts o = {.gateway = true,
			       .extra_conf = "[methods]\nenabled = email questions\n" BASE_CONF};
	world_start(&o);
	enroll_questions("carol");
	struct convo c = {.answers = {"", "y", "0"}};
	pam_run(SERVICE, "carol", &c);
	assert_has(&c, "1) Email a code to");
	ck_assert_ptr_null(strstr(c.transcript, "security questions"));
}
END_TEST

START_TEST(press_pound_on_the_office_phone)
{
	/* dave's office number comes from GECOS; he has nothing else. */
	gateway_control("{\"press\": \"valid\"}");
	struct convo c = {.answers = {"", "y", "1", "", NEW_PASSWORD, NEW_PASSWORD, ""}};
	ck_assert_int_eq(pam_run(SERVICE, "dave", &c), PAM_AUTH_ERR);
	assert_has(&c, "1) Call my office phone");
	assert_has(&c, "press # within 15 seconds");
	assert_has(&c, "I:Call confirmed.");
	assert_password("dave", NEW_PASSWORD, true);
	ck_assert_ptr_nonnull(strstr(gateway_log(), "\"to\": \"+442071838750\""));
	ck_assert_ptr_nonnull(strstr(gateway_log(), "\"status\": 200"));
}
END_TEST

START_TEST(press_pound_forged_callback_rejected)
{
	gateway_control("{\"press\": \"forged\"}");
	struct convo c = {.answers = {"", "y", "1", "", "0"}};
	ck_assert_int_eq(pam_run(SERVICE, "dave", &c), PAM_AUTH_ERR);
	assert_has(&c, "E:We did not receive the confirmation in time.");
	ck_assert_ptr_nonnull(strstr(gateway_log(), "\"status\": 403"));
	assert_password("dave", OLD_PASSWORD, true);
}
END_TEST

START_TEST(press_pound_other_key_declines)
{
	gateway_control("{\"press\": \"star\"}");
	struct convo c = {.answers = {"", "y", "1", "", "0"}};
	ck_assert_int_eq(pam_run(SERVICE, "dave", &c), PAM_AUTH_ERR);
	assert_has(&c, "E:The call was not confirmed.");
	assert_password("dave", OLD_PASSWORD, true);
}
END_TEST

START_TEST(two_methods_on_different_factors)
{
	enroll_mobile("carol");
	struct convo c = {
	    .answers = {"", "y", "2", "@SMS", "1", "@CODE", NEW_PASSWORD, NEW_PASSWORD, ""}};
	ck_assert_int_eq(pam_run(SERVICE, "carol", &c), PAM_AUTH_ERR);
	assert_has(&c, "I:One more verification is needed.\n"
		       "P:Now verify it's you a second way.\n"
		       "  1) Email a code to c***@e***.org\n"
		       "  0) Cancel\n");
	assert_reset_done(&c);
}
END_TEST

START_TEST(two_methods_needs_two_registered)
{
	/* carol has only an email address: one method, two required. With
	 * reveal_unregistered = no (the default) she gets a decoy: her own
	 * address and a made-up second method; nothing is sent and every code
	 * is wrong (test_enumeration.c compares decoys with real dialogues). */
	struct convo c = {
	    .answers = {"", "y", "1", "000000", "000000", "000000", "000000", "000000", ""}};
	ck_assert_int_eq(pam_run(SERVICE, "carol", &c), PAM_AUTH_ERR);
	assert_has(&c, "  1) Email a code to c***@e***.org\n  2) ");
	assert_has(&c, "P:Too many wrong codes.");
	ck_assert_int_eq(mail_count("Your password reset code", 1, 500), 0);
	ck_assert_int_eq(gateway_count("sms") + gateway_count("call"), 0);
}
END_TEST

START_TEST(http_provider_json_body)
{
	struct convo c = {.answers = {"", "y", "2", "@SMS", NEW_PASSWORD, NEW_PASSWORD, ""}};
	ck_assert_int_eq(pam_run(SERVICE, "carol", &c), PAM_AUTH_ERR);
	assert_reset_done(&c);
	const char *log = gateway_log();
	ck_assert_ptr_nonnull(strstr(log, "\"api\": \"http\""));
	ck_assert_ptr_nonnull(strstr(log, "application/json"));
	ck_assert_ptr_nonnull(strstr(log, GATEWAY_TOKEN));
}
END_TEST

START_TEST(unlock_keeps_the_password)
{
	faillock_fail_logins("carol", 3);
	ck_assert_int_eq(tally_size("carol"), 3 * 64);
	/* Locked: even the right password is refused now. */
	struct convo locked = {.answers = {OLD_PASSWORD}};
	ck_assert_int_ne(pam_run(FAILLOCK_SERVICE, "carol", &locked), PAM_SUCCESS);
	char before[512];
	snprintf(before, sizeof(before), "%s", shadow_hash("carol"));
	struct convo c = {.answers = {"", "y", "1", "@CODE", "2", ""}};
	ck_assert_int_eq(pam_run(FAILLOCK_SERVICE, "carol", &c), PAM_AUTH_ERR);
	assert_has(&c, "2) Unlock my account, keep my password");
	assert_has(&c, "P:Your account has been unlocked. Log in with your current password.");
	ck_assert_int_eq(tally_size("carol"), 0);
	ck_assert_str_eq(shadow_hash("carol"), before);
	ck_assert_int_eq(mail_count("Your account was unlocked", 1, 10000), 1);
	struct convo ok = {.answers = {OLD_PASSWORD}};
	ck_assert_int_eq(pam_run(FAILLOCK_SERVICE, "carol", &ok), PAM_SUCCESS);
}
END_TEST

START_TEST(reset_also_unlocks)
{
	faillock_fail_logins("carol", 3);
	struct convo c = {.answers = {"", "y", "1", "@CODE", "1", NEW_PASSWORD, NEW_PASSWORD, ""}};
	ck_assert_int_eq(pam_run(FAILLOCK_SERVICE, "carol", &c), PAM_AUTH_ERR);
	assert_reset_done(&c);
	ck_assert_int_eq(tally_size("carol"), 0);
	struct convo ok = {.answers = {NEW_PASSWORD}};
	ck_assert_int_eq(pam_run(FAILLOCK_SERVICE, "carol", &ok), PAM_SUCCESS);
}
END_TEST

START_TEST(admin_lock_is_never_unlocked)
{
	/* erin's shadow hash starts with '!': an administrator locked her.
	 * She gets a decoy dialogue (reveal_unregistered = no): her own
	 * masked address, nothing sent, every code wrong, never an unlock. */
	faillock_fail_logins("erin", 3);
	struct convo c = {
	    .answers = {"", "y", "1", "000000", "000000", "000000", "000000", "000000", ""}};
	ck_assert_int_eq(pam_run(FAILLOCK_SERVICE, "erin", &c), PAM_AUTH_ERR);
	assert_has(&c, "1) Email a code to e***@e***.org");
	assert_has(&c, "P:Too many wrong codes.");
	ck_assert_int_eq(mail_count("Your password reset code", 1, 500), 0);
	ck_assert_int_eq(tally_size("erin"), 3 * 64);
	ck_assert_ptr_eq(strstr(c.transcript, "Unlock"), NULL);
}
END_TEST

START_TEST(show_lists_masked_registrations)
{
	enroll_questions("carol");
	enroll_recovery_codes("carol");
	char out[2048];
	int st = run_cmd(out, sizeof(out), "$SSPR_BUILD/ssprctl --config %s show carol 2>&1",
			 run_path("sspr.conf"));
	ck_assert_msg(st == 0, "%s", out);
	ck_assert_msg(strstr(out, MOBILE_MASKED) != NULL, "%s", out);
	ck_assert_msg(strstr(out, "3 registered") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "10 unused") != NULL, "%s", out);
	ck_assert_msg(strstr(out, MOBILE) == NULL, "%s", out);
}
END_TEST

Suite *methods_suite(void)
{
	Suite *s = suite_create("methods");
	TCase *tc = world_tcase("all", start_all);
	tcase_add_test(tc, sms_reset_through_twilio);
	tcase_add_test(tc, call_speaks_code_after_a_keypress);
	tcase_add_test(tc, gateway_failure_offers_another_method);
	tcase_add_test(tc, back_from_a_code_to_the_menu);
	tcase_add_test(tc, security_questions);
	tcase_add_test(tc, questions_normalised_answers);
	tcase_add_test(tc, authenticator_code_and_replay);
	tcase_add_test(tc, recovery_code_once);
	tcase_add_test(tc, questions_never_alone_by_default);
	tcase_add_test(tc, show_lists_masked_registrations);
	suite_add_tcase(s, tc);
	tc = world_tcase("press_pound", start_press_pound);
	tcase_add_test(tc, press_pound_on_the_office_phone);
	tcase_add_test(tc, press_pound_forged_callback_rejected);
	tcase_add_test(tc, press_pound_other_key_declines);
	suite_add_tcase(s, tc);
	tc = world_tcase("two", start_two);
	tcase_add_test(tc, two_methods_on_different_factors);
	tcase_add_test(tc, two_methods_needs_two_registered);
	suite_add_tcase(s, tc);
	tc = world_tcase("http", start_http_provider);
	tcase_add_test(tc, http_provider_json_body);
	suite_add_tcase(s, tc);
	tc = world_tcase("unlock", start_unlock);
	tcase_add_test(tc, unlock_keeps_the_password);
	tcase_add_test(tc, reset_also_unlocks);
	tcase_add_test(tc, admin_lock_is_never_unlocked);
	suite_add_tcase(s, tc);
	return s;
}
