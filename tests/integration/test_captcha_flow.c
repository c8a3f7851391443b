/* The CAPTCHA ([general] captcha = yes) through the real module and daemon:
 * shown to every name alike before anything is sent, readable (the test
 * reads the art with the daemon's own font table), three tries, wrong
 * answers counted for the source, the challenge never logged. Part of the
 * enumeration suite (test_enumeration.c). */
#include <check.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "tests/integration/enum_talk.h"
#include "tests/integration/harness.h"

#define CODE_SUBJECT "Your password reset code"
#define HELPDESK     "Call the IT helpdesk at 555-0100."
#define PROMPT	     "P:Type the characters shown above: "
#define BAD3	     "@BADCAPTCHA", "@BADCAPTCHA", "@BADCAPTCHA"

static void start_captcha(void)
{
	struct world_opts o = {
	    .extra_conf = "[limits]\nfailures = 1000\ndialogues_per_hour = 1000\n"
			  "source_dialogues_per_hour = 100000\nsource_failures_per_hour = 100000\n"
			  "[general]\ncaptcha = yes\n"};
	world_start(&o);
}

/* The challenges read never appear in the daemon's log (those with at
 * least two letters: four digits could be part of a time stamp). */
static void assert_not_logged(const struct talk *t)
{
	const char *log = slurp(run_path("ssprd.log"));
	for (size_t i = 0; i < t->nchallenges; i++) {
		int letters = 0;
		for (const char *p = t->challenges[i]; *p; p++)
			letters += isalpha((unsigned char)*p) != 0;
		if (letters >= 2)
			ck_assert_msg(strstr(log, t->challenges[i]) == NULL, "%s in the log",
				      t->challenges[i]);
	}
}

static int count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

START_TEST(captcha_then_reset)
{
	struct talk t = {
	    .answers = {"", "y", "@CAPTCHA", "1", "@CODE", NEW_PASSWORD, NEW_PASSWORD, ""}};
	ck_assert_int_eq(talk_run("carol", NULL, &t), PAM_AUTH_ERR);
	ck_assert_ptr_nonnull(strstr(t.transcript, PROMPT));
	ck_assert_ptr_nonnull(strstr(t.transcript, "P:Your password has been reset."));
	ck_assert_uint_eq(t.nchallenges, 1);
	assert_password("carol", NEW_PASSWORD, true);
	assert_not_logged(&t);
}
END_TEST

START_TEST(captcha_looks_the_same_for_everyone)
{
	static char want[32768], got[32768];
	const char *users[] = {"carol", "ghost", "dave", "erin"};
	for (int i = 0; i < 4; i++) {
		struct talk t = {.answers = {"", "y", "@BADCAPTCHA", "@CAPTCHA", "1", "@BAD",
					     "@BAD", "@BAD", "@BAD", "@BAD", ""}};
		ck_assert_int_eq(talk_run(users[i], NULL, &t), PAM_AUTH_ERR);
		ck_assert_ptr_nonnull(
		    strstr(t.transcript, "E:The characters did not match. Try again.\n"));
		talk_normalize(t.transcript, i == 0 ? want : got, sizeof(want));
		ck_assert_int_eq(count(i == 0 ? want : got, "I:<ART>\n<ART>\n"), 2);
		if (i > 0)
			ck_assert_msg(strcmp(got, want) == 0, "%s:\n%s\n--- carol:\n%s", users[i],
				      got, want);
		assert_not_logged(&t);
	}
	ck_assert_ptr_nonnull(strstr(want, "P:Too many wrong codes."));
	ck_assert_int_eq(mail_count(CODE_SUBJECT, 2, 1000), 1);
}
END_TEST

START_TEST(three_wrong_answers_end_the_dialogue)
{
	static char want[8192], got[8192];
	const char *users[] = {"carol", "ghost"};
	for (int i = 0; i < 2; i++) {
		struct talk t = {.answers = {"", "y", BAD3, ""}};
		ck_assert_int_eq(talk_run(users[i], NULL, &t), PAM_AUTH_ERR);
		ck_assert_msg(strstr(t.transcript,
				     "P:The characters did not match. Start password "
				     "recovery again.\nPress Enter to continue.") != NULL,
			      "%s", t.transcript);
		ck_assert_int_eq(count(t.transcript, PROMPT), 3);
		ck_assert_ptr_null(strstr(t.transcript, "How should we verify"));
		talk_normalize(t.transcript, i == 0 ? want : got, sizeof(want));
	}
	ck_assert_str_eq(got, want);
	ck_assert_int_eq(mail_count(CODE_SUBJECT, 1, 500), 0);
}
END_TEST

static void start_captcha_source(void)
{
	struct world_opts o = {
	    .extra_conf = "[limits]\nsource_failures_per_hour = 2\n[general]\ncaptcha = yes\n"};
	world_start(&o);
}

START_TEST(wrong_answers_count_for_the_source)
{
	struct talk t = {.answers = {"", "y", "@BADCAPTCHA", "@BADCAPTCHA", ""}};
	ck_assert_int_eq(talk_run("ghost", NULL, &t), PAM_AUTH_ERR);
	ck_assert_msg(strstr(t.transcript, "P:Too many password recovery attempts. Try again "
					   "later.\n" HELPDESK) != NULL,
		      "%s", t.transcript);
	/* The source has used up its failures: not even a solved CAPTCHA
	 * starts a dialogue, for any name. */
	struct talk again = {.answers = {"", "y", "@CAPTCHA", ""}};
	ck_assert_int_eq(talk_run("carol", NULL, &again), PAM_AUTH_ERR);
	ck_assert_ptr_nonnull(strstr(again.transcript, "P:Too many password recovery attempts."));
	/* Another source is not affected. */
	struct talk other = {.answers = {"", "y", "@CAPTCHA"}};
	ck_assert_int_ne(talk_run("carol", "198.51.100.9", &other), PAM_SUCCESS);
	ck_assert_ptr_nonnull(strstr(other.transcript, "1) Email a code to c***@e***.org"));
}
END_TEST

void captcha_tcases(Suite *s)
{
	TCase *tc = world_tcase("captcha", start_captcha);
	tcase_add_test(tc, captcha_then_reset);
	tcase_add_test(tc, captcha_looks_the_same_for_everyone);
	tcase_add_test(tc, three_wrong_answers_end_the_dialogue);
	suite_add_tcase(s, tc);
	tc = world_tcase("captcha_source", start_captcha_source);
	tcase_add_test(tc, wrong_answers_count_for_the_source);
	suite_add_tcase(s, tc);
}
