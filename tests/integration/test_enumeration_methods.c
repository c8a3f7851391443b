/* Decoys of the other methods, against a real user's dialogue: a text
 * message (transcript, timing with a slow gateway, an outage) and security
 * questions. Part of the enumeration suite (test_enumeration.c). */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "tests/integration/enum_talk.h"
#include "tests/integration/harness.h"

#define CODE_SUBJECT "Your password reset code"

static void normalized(const struct talk *t, char *out, size_t outsz)
{
	talk_normalize(t->transcript, out, outsz);
}

#define GATEWAY_CONF                                                                               \
	"[gateway]\nurl = http://@GW\naccount_sid = " GATEWAY_SID "\n"                             \
	"auth_file = @RUN/gateway-token\nfrom = +15550100000\ntimeout = 3\nretries = 1\n"

static void start_sms(void)
{
	struct world_opts o = {.gateway = true,
			       .extra_conf =
				   "[methods]\nenabled = email sms\n" GATEWAY_CONF ENUM_LIMITS};
	world_start(&o);
	char out[512];
	ck_assert_int_eq(ssprctl_enroll("carol", "--mobile +15550100167", NULL, out, sizeof(out)),
			 0);
}

START_TEST(text_message_decoy)
{
	static char want[32768], got[32768];
	char name[32];
	talk_decoy_like_carol(name, sizeof(name));
	struct talk real = {
	    .answers = {"", "y", "2", "@BADSMS", "@BADSMS", "@BADSMS", "@BADSMS", "@BADSMS", ""}};
	ck_assert_int_eq(talk_run("carol", NULL, &real), PAM_AUTH_ERR);
	ck_assert_ptr_nonnull(strstr(real.transcript, "I:We sent a 6-digit code by text message to "
						      "+1 *** *** **67."));
	ck_assert_ptr_nonnull(strstr(real.transcript, "P:Too many wrong codes."));
	ck_assert_int_eq(gateway_count("sms"), 1);
	struct talk t = {
	    .answers = {"", "y", "2", "@BADSMS", "@BADSMS", "@BADSMS", "@BADSMS", "@BADSMS", ""}};
	ck_assert_int_eq(talk_run(name, NULL, &t), PAM_AUTH_ERR);
	normalized(&real, want, sizeof(want));
	normalized(&t, got, sizeof(got));
	ck_assert_msg(strcmp(got, want) == 0, "%s:\n%s\n--- carol:\n%s", name, got, want);
	ck_assert_int_eq(gateway_count("sms"), 1);
	ck_assert_int_eq(mail_count(CODE_SUBJECT, 1, 500), 0);
}
END_TEST

START_TEST(text_message_timing_matches)
{
	/* A gateway that takes 0.4 s to answer: a decoy that did not wait
	 * like a real send would be 0.4 s early. */
	char name[32];
	int64_t k, u;
	talk_decoy_like_carol(name, sizeof(name));
	gateway_control("{\"stall\": 0.4}");
	int64_t margin = talk_median_times(name, "2", &k, &u);
	ck_assert_int_ge(k, 400);
	ck_assert_msg((k > u ? k - u : u - k) < margin, "carol %lld ms, %s %lld ms", (long long)k,
		      name, (long long)u);
	ck_assert_int_eq(gateway_count("sms"), TALK_RUNS + 2);
}
END_TEST

START_TEST(text_message_outage_looks_the_same)
{
	/* While the gateway fails real sends, decoys fail the same way. */
	static char want[32768], got[32768];
	char name[32];
	talk_decoy_like_carol(name, sizeof(name));
	gateway_control("{\"status\": 503}");
	struct talk real = {.answers = {"", "y", "2"}};
	ck_assert_int_eq(talk_run("carol", NULL, &real), PAM_CONV_ERR);
	ck_assert_ptr_nonnull(
	    strstr(real.transcript, "E:We could not reach you that way. Try another method."));
	struct talk t = {.answers = {"", "y", "2"}};
	ck_assert_int_eq(talk_run(name, NULL, &t), PAM_CONV_ERR);
	normalized(&real, want, sizeof(want));
	normalized(&t, got, sizeof(got));
	ck_assert_msg(strcmp(got, want) == 0, "%s:\n%s\n--- carol:\n%s", name, got, want);
}
END_TEST

static void start_questions(void)
{
	struct world_opts o = {
	    .code_attempts = 2,
	    .extra_conf = "[methods]\nenabled = email questions\nquestions_alone = yes\n"
			  "[questions]\nregister = 3\nanswer = 2\n"
			  "pool = What was the name of your first pet? | In which city were you "
			  "born? | Who was your first teacher?\n" ENUM_LIMITS};
	world_start(&o);
	char out[1024];
	int st = ssprctl_enroll("carol", "--questions",
				"What was the name of your first pet?\tFluffy the Cat\n"
				"In which city were you born?\tTaipei\n"
				"Who was your first teacher?\tMrs Chen\n",
				out, sizeof(out));
	ck_assert_msg(st == 0, "enroll --questions: %d %s", st, out);
}

START_TEST(questions_decoy)
{
	static char want[32768], got[32768];
	char name[32];
	talk_decoy_like_carol(name, sizeof(name));
	struct talk real = {.answers = {"", "y", "2", "no", "idea", "still", "wrong", ""}};
	int64_t t0 = talk_now_ms();
	ck_assert_int_eq(talk_run("carol", NULL, &real), PAM_AUTH_ERR);
	int64_t real_ms = talk_now_ms() - t0;
	ck_assert_ptr_nonnull(strstr(real.transcript, "E:The answers did not match. Try again."));
	struct talk t = {.answers = {"", "y", "2", "no", "idea", "still", "wrong", ""}};
	t0 = talk_now_ms();
	ck_assert_int_eq(talk_run(name, NULL, &t), PAM_AUTH_ERR);
	/* Four answers checked with argon2, as for real (never instant). */
	ck_assert_int_ge(2 * (talk_now_ms() - t0), real_ms);
	normalized(&real, want, sizeof(want));
	normalized(&t, got, sizeof(got));
	ck_assert_msg(strcmp(got, want) == 0, "%s:\n%s\n--- carol:\n%s", name, got, want);
	/* The decoy's questions come from the pool, the same each time. */
	ck_assert_ptr_nonnull(strstr(t.transcript, "P:Question 1 of 2: "));
}
END_TEST

void enum_method_tcases(Suite *s)
{
	TCase *tc = world_tcase("sms", start_sms);
	tcase_add_test(tc, text_message_decoy);
	tcase_add_test(tc, text_message_timing_matches);
	tcase_add_test(tc, text_message_outage_looks_the_same);
	suite_add_tcase(s, tc);
	tc = world_tcase("questions", start_questions);
	tcase_add_test(tc, questions_decoy);
	suite_add_tcase(s, tc);
}
