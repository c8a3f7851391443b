/* No user enumeration: accounts that cannot reset get decoy dialogues whose
 * transcripts, outcome and timing match a real user's up to the code, and
 * nothing is sent for them; reveal_unregistered = yes refuses at once; the
 * dialogue limits at the start apply to every name alike. Through the real
 * module, daemon and SMTP server. More cases: test_enumeration_methods.c
 * (text messages, questions) and test_captcha_flow.c (the CAPTCHA). */
#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/integration/enum_talk.h"
#include "tests/integration/harness.h"
#include "tests/integration/suites.h"

#define CODE_SUBJECT "Your password reset code"
#define HELPDESK     "Call the IT helpdesk at 555-0100."
#define WRONG5	     "@BAD", "@BAD", "@BAD", "@BAD", "@BAD"

static void start_enum(void)
{
	struct world_opts o = {.extra_conf = ENUM_LIMITS};
	world_start(&o);
}

/* Rows of the audit trail for user: "event|detail" lines (static). */
static const char *audit_rows(const char *user)
{
	static char out[8192];
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	size_t n = 0;
	out[0] = '\0';
	ck_assert_int_eq(
	    sqlite3_open_v2(run_path("state/sspr.db"), &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	ck_assert_int_eq(sqlite3_prepare_v2(db,
					    "SELECT event, detail FROM events WHERE user = ?1 "
					    "ORDER BY id",
					    -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW && n < sizeof(out))
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s|%s\n",
				      sqlite3_column_text(st, 0), sqlite3_column_text(st, 1));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return out;
}

static void normalized(const struct talk *t, char *out, size_t outsz)
{
	talk_normalize(t->transcript, out, outsz);
}

START_TEST(decoys_look_like_a_real_user)
{
	/* carol: registered, types wrong codes. ghost: no such user. dave:
	 * exists, not registered. erin: locked ('!'), registered. frank:
	 * expired. sysuser: uid below min_uid. root. An impossible name. */
	static const char *const users[] = {
	    "ghost", "dave", "erin", "frank", "sysuser", "root", "../../etc/passwd"};
	static char want[32768], got[32768];
	struct talk real = {.answers = {"", "y", "1", WRONG5, ""}};
	ck_assert_int_eq(talk_run("carol", NULL, &real), PAM_AUTH_ERR);
	ck_assert_ptr_nonnull(strstr(real.transcript, "E:That code is not correct. 4 tries left."));
	ck_assert_ptr_nonnull(strstr(real.transcript, "P:Too many wrong codes."));
	ck_assert_int_eq(mail_count(CODE_SUBJECT, 1, 5000), 1);
	normalized(&real, want, sizeof(want));
	ck_assert_ptr_nonnull(strstr(want, "  1) Email a code to <EMAIL>\n  0) Cancel\n"));
	ck_assert_ptr_nonnull(strstr(want, "I:We sent a 6-digit code to <EMAIL>. It expires"));
	for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
		struct talk t = {.answers = {"", "y", "1", WRONG5, ""}};
		ck_assert_int_eq(talk_run(users[i], NULL, &t), PAM_AUTH_ERR);
		normalized(&t, got, sizeof(got));
		ck_assert_msg(strcmp(got, want) == 0, "%s:\n%s\n--- carol:\n%s", users[i], got,
			      want);
	}
	/* Nothing went to any of them. */
	ck_assert_int_eq(mail_count(CODE_SUBJECT, 2, 1000), 1);
	/* erin's own masked address is shown (whoever knows it learns
	 * nothing), though nothing is sent to it. */
	struct talk erin = {.answers = {"", "y"}};
	ck_assert_int_ne(talk_run("erin", NULL, &erin), PAM_SUCCESS);
	ck_assert_ptr_nonnull(strstr(erin.transcript, "1) Email a code to e***@e***.org"));
	/* The audit trail has the real reason, not the made-up steps. */
	const char *rows = audit_rows("ghost");
	ck_assert_msg(strstr(rows, "refused|not in enabled_groups or unknown (decoy") != NULL, "%s",
		      rows);
	ck_assert_msg(strstr(rows, "code_sent") == NULL && strstr(rows, "code_wrong") == NULL, "%s",
		      rows);
	ck_assert_ptr_nonnull(strstr(audit_rows("erin"), "refused|locked"));
	ck_assert_ptr_nonnull(strstr(audit_rows("carol"), "code_sent|"));
	const char *log = slurp(run_path("ssprd.log"));
	ck_assert_ptr_nonnull(strstr(log, "reset for dave: decoy dialogue, no code sent"));
}
END_TEST

START_TEST(same_decoy_each_time)
{
	struct talk a = {.answers = {"", "y"}}, b = {.answers = {"", "y"}};
	ck_assert_int_ne(talk_run("ghost", NULL, &a), PAM_SUCCESS);
	ck_assert_int_ne(talk_run("ghost", "198.51.100.4", &b), PAM_SUCCESS);
	ck_assert_str_ne(talk_menu(a.transcript), "");
	ck_assert_str_eq(talk_menu(a.transcript), talk_menu(b.transcript));
}
END_TEST

START_TEST(tries_carry_over_like_a_real_code)
{
	/* A new dialogue's code keeps the wrong tries of the live one: the
	 * decoy must count the same way. */
	static char want[32768], got[32768];
	const char *users[] = {"carol", "ghost"};
	for (int i = 0; i < 2; i++) {
		struct talk first = {.answers = {"", "y", "1", "@BAD", "@BAD"}};
		ck_assert_int_ne(talk_run(users[i], NULL, &first), PAM_SUCCESS);
		struct talk t = {.answers = {"", "y", "1", "@BAD"}};
		ck_assert_int_eq(talk_run(users[i], NULL, &t), PAM_CONV_ERR);
		ck_assert_msg(strstr(t.transcript, "E:That code is not correct. 2 tries left.") !=
				  NULL,
			      "%s: %s", users[i], t.transcript);
		normalized(&t, i == 0 ? want : got, sizeof(want));
	}
	ck_assert_str_eq(got, want);
}
END_TEST

START_TEST(decoy_timing_matches)
{
	int64_t k, u;
	int64_t margin = talk_median_times("ghost", "1", &k, &u);
	ck_assert_msg((k > u ? k - u : u - k) < margin, "carol %lld ms, ghost %lld ms",
		      (long long)k, (long long)u);
	ck_assert_int_eq(mail_count(CODE_SUBJECT, TALK_RUNS + 2, 5000), TALK_RUNS + 2);
}
END_TEST

static void start_reveal(void)
{
	struct world_opts o = {.extra_conf = ENUM_LIMITS "[general]\nreveal_unregistered = yes\n"};
	world_start(&o);
}

START_TEST(reveal_unregistered_refuses_at_once)
{
	const char *users[] = {"ghost", "dave", "erin"};
	for (int i = 0; i < 3; i++) {
		struct talk t = {.answers = {"", "y", ""}};
		ck_assert_int_eq(talk_run(users[i], NULL, &t), PAM_AUTH_ERR);
		ck_assert_msg(strstr(t.transcript,
				     "P:Password recovery is not available for this "
				     "account.\n" HELPDESK "\nPress Enter to continue.") != NULL,
			      "%s", t.transcript);
		ck_assert_ptr_null(strstr(t.transcript, "How should we verify"));
	}
	struct talk c = {.answers = {"", "y"}};
	ck_assert_int_ne(talk_run("carol", NULL, &c), PAM_SUCCESS);
	ck_assert_ptr_nonnull(strstr(c.transcript, "1) Email a code to c***@e***.org"));
}
END_TEST

static void start_dialogue_limit(void)
{
	struct world_opts o = {.extra_conf = "[limits]\ndialogues_per_hour = 2\n"};
	world_start(&o);
}

START_TEST(dialogue_limit_is_the_same_for_everyone)
{
	static char want[32768], got[32768];
	const char *users[] = {"carol", "ghost"};
	for (int i = 0; i < 2; i++) {
		for (int k = 0; k < 2; k++) {
			struct talk t = {.answers = {"", "y"}};
			ck_assert_int_ne(talk_run(users[i], NULL, &t), PAM_SUCCESS);
			ck_assert_str_ne(talk_menu(t.transcript), "");
		}
		struct talk t = {.answers = {"", "y", ""}};
		ck_assert_int_eq(talk_run(users[i], NULL, &t), PAM_AUTH_ERR);
		ck_assert_msg(strstr(t.transcript,
				     "P:Too many password recovery attempts. Try again "
				     "later.\n" HELPDESK) != NULL,
			      "%s", t.transcript);
		snprintf(i == 0 ? want : got, sizeof(want), "%s", t.transcript);
		ck_assert_ptr_nonnull(strstr(audit_rows(users[i]), "rate_limited|"));
	}
	ck_assert_str_eq(got, want);
}
END_TEST

Suite *enumeration_suite(void)
{
	Suite *s = suite_create("enumeration");
	TCase *tc = world_tcase("decoys", start_enum);
	tcase_add_test(tc, decoys_look_like_a_real_user);
	tcase_add_test(tc, same_decoy_each_time);
	tcase_add_test(tc, tries_carry_over_like_a_real_code);
	tcase_add_test(tc, decoy_timing_matches);
	suite_add_tcase(s, tc);
	tc = world_tcase("reveal", start_reveal);
	tcase_add_test(tc, reveal_unregistered_refuses_at_once);
	suite_add_tcase(s, tc);
	tc = world_tcase("dialogue_limit", start_dialogue_limit);
	tcase_add_test(tc, dialogue_limit_is_the_same_for_everyone);
	suite_add_tcase(s, tc);
	enum_method_tcases(s);
	captcha_tcases(s);
	return s;
}
