/* The abuse cases of the hardening issue, through the real pam_sspr.so and
 * ssprd: the attempt counter across a resend, codes typed in the wrong
 * dialogue, hostile user names, hosts and terminals, malformed, oversized
 * and stalled frames, a flood of idle connections and an unprivileged peer.
 * Each test states what the issue requires. The names, hosts and terminals
 * are tested in test_abuse_names.c, the frames and the flood in
 * test_abuse_frames.c; abuse_util.c has what they share. */
#include <check.h>
#include <grp.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/proto.h"
#include "common/util.h"
#include "tests/integration/abuse_util.h"
#include "tests/integration/harness.h"
#include "tests/integration/suites.h"

/* These worlds run many dialogues from one source: the limits have tests
 * of their own. */
#define ROOMY_LIMITS                                                                               \
	"[limits]\ndialogues_per_hour = 1000\nsource_dialogues_per_hour = 1000\n"                  \
	"source_failures_per_hour = 1000\nfailures = 1000\n"

/* --- held dialogues ----------------------------------------------------- */

/* A dialogue in a child process that waits at "@HOLD" until the test
 * hands it an answer. */
struct held {
	pid_t pid;
	int hold;	/* write end: the answers for "@HOLD" */
	char file[600]; /* the child's transcript */
};

static void held_start(struct held *h, const char *user, const char *name,
		       const char *const *answers)
{
	int p[2];
	ck_assert_int_eq(pipe(p), 0);
	snprintf(h->file, sizeof(h->file), "%s", run_path(name));
	unlink(h->file);
	h->pid = fork();
	ck_assert_int_ge(h->pid, 0);
	if (h->pid == 0) {
		close(p[1]);
		struct talk t = {.hold_fd = p[0]};
		for (size_t i = 0; i + 1 < ARRAY_SIZE(t.answers) && answers[i]; i++)
			t.answers[i] = answers[i];
		int r = pam_talk(user, NULL, NULL, &t);
		FILE *f = fopen(h->file, "we");
		if (f) {
			fputs(t.transcript, f);
			fclose(f);
		}
		_exit(r < 0 ? 255 : r);
	}
	close(p[0]);
	h->hold = p[1];
}

static void held_answer(struct held *h, const char *answer)
{
	char line[64];
	int n = snprintf(line, sizeof(line), "%s\n", answer);
	ck_assert_int_eq(write(h->hold, line, (size_t)n), n);
}

/* Wait (30 s at most) for the child; its transcript into out. */
static void held_end(struct held *h, char *out, size_t outsz)
{
	int st = 0;
	pid_t r = 0;
	for (int i = 0; i < 300 && (r = waitpid(h->pid, &st, WNOHANG)) == 0; i++)
		usleep(100000);
	if (r == 0) {
		kill(h->pid, SIGKILL);
		waitpid(h->pid, &st, 0);
	}
	close(h->hold);
	snprintf(out, outsz, "%s", slurp(h->file));
	ck_assert_msg(r == h->pid, "held dialogue did not end:\n%s", out);
}

/* --- 1, 2: the attempt counter ------------------------------------------ */

START_TEST(sixth_code_refused_even_when_right)
{
	/* code_attempts = 5 (the default): five wrong codes, then the right
	 * one, which must not help any more. */
	struct convo c = {.answers = {"", "y", "1", "@WRONG", "@WRONG", "@WRONG", "@WRONG",
				      "@WRONG", "@CODE", NEW_PASSWORD, NEW_PASSWORD, "", "", ""}};
	pam_run(SERVICE, "carol", &c);
	assert_has(&c, "E:That code is not correct. 1 try left.");
	ck_assert_msg(strstr(c.transcript, "Code accepted") == NULL,
		      "the right code was taken after five wrong ones:\n%s", c.transcript);
	ck_assert_ptr_null(strstr(c.transcript, "has been reset"));
	assert_password("carol", OLD_PASSWORD, true);
	ck_assert_int_eq(mail_count(NOTICE_SUBJECT, 0, 1000), 0);
}
END_TEST

/* The line after the first prompt that follows needle's nth occurrence. */
static const char *line_after_prompt(const char *transcript, const char *needle, int nth)
{
	const char *p = transcript;
	for (int i = 0; p && i < nth; i++)
		p = strstr(i ? p + 1 : p, needle);
	p = p ? strstr(p, "\nP:") : NULL;
	p = p ? strchr(p + 1, '\n') : NULL;
	return p ? p + 1 : NULL;
}

START_TEST(resend_keeps_count_and_drops_old_code)
{
	/* Three wrong codes, then Enter alone (back to the menu) and the same
	 * method again: a second code is sent. The first code must not work
	 * any more; it and one more wrong code are the 4th and 5th wrong
	 * tries, so the right new code comes too late. */
	struct convo c = {.answers = {"", "y", "1", "@WRONG", "@WRONG", "@WRONG", "", "1", "@PREV",
				      "@WRONG", "@CODE", NEW_PASSWORD, NEW_PASSWORD, "", "", ""}};
	pam_run(SERVICE, "carol", &c);
	ck_assert_int_eq(mail_count(CODE_SUBJECT, 2, 5000), 2);
	char first[7], second[7];
	ck_assert_int_eq(mail_code(1, first), 0);
	ck_assert_int_eq(mail_code(0, second), 0);
	const char *old = line_after_prompt(c.transcript, "I:We sent a 6-digit code", 2);
	ck_assert_msg(old != NULL, "no second code was sent:\n%s", c.transcript);
	if (strcmp(first, second) != 0) /* one in a million: the same digits */
		ck_assert_msg(strncmp(old, "E:", 2) == 0,
			      "the first code still worked after the resend:\n%s", c.transcript);
	ck_assert_msg(strstr(c.transcript, "Code accepted") == NULL,
		      "the resend reset the attempt counter: the new code was taken after five "
		      "wrong tries:\n%s",
		      c.transcript);
	assert_password("carol", OLD_PASSWORD, true);
	ck_assert_int_eq(mail_count(NOTICE_SUBJECT, 0, 1000), 0);
}
END_TEST

/* --- 3: codes bound to the user and the dialogue ------------------------ */

START_TEST(code_of_another_user_refused)
{
	/* erin's account is locked in this world: an administrator gives her
	 * a password, so that her dialogue reaches the code prompt as well. */
	shadow_set_password("erin", OLD_PASSWORD);
	static const char *const carol_says[] = {"",	       "y",	     "1", "@HOLD",
						 NEW_PASSWORD, NEW_PASSWORD, "",  NULL};
	struct held carol;
	held_start(&carol, "carol", "carol.talk", carol_says);
	ck_assert_int_eq(mail_count(CODE_SUBJECT, 1, 10000), 1);
	char carols[7], erins[7];
	ck_assert_int_eq(mail_code(0, carols), 0);

	/* carol's live code, typed in erin's dialogue */
	struct talk e = {.answers = {"", "y", "1", carols, "", "0", "not-her-password", ""}};
	ck_assert_int_ge(pam_talk("erin", NULL, NULL, &e), 0);
	ck_assert_int_eq(mail_count(CODE_SUBJECT, 2, 10000), 2);
	ck_assert_int_eq(mail_code(0, erins), 0);
	assert_password("erin", OLD_PASSWORD, true);
	if (strcmp(carols, erins) != 0)
		ck_assert_msg(strstr(e.transcript, "Code accepted") == NULL,
			      "carol's code was taken in erin's dialogue:\n%s", e.transcript);

	/* ...did not use carol's code up: it still works in her dialogue. */
	char t[16384];
	held_answer(&carol, carols);
	held_end(&carol, t, sizeof(t));
	ck_assert_msg(strstr(t, "I:Code accepted.") && strstr(t, "has been reset"),
		      "carol's own code failed after erin typed it:\n%s", t);
	assert_password("carol", NEW_PASSWORD, true);
	assert_password("erin", OLD_PASSWORD, true);
}
END_TEST

START_TEST(code_of_another_dialogue_refused)
{
	/* Two dialogues for carol at once (someone else starts one while she
	 * is in hers): each code is bound to the request of the dialogue that
	 * sent it. B's code replaces A's; typed in A, it is refused, and it
	 * still works in B afterwards. */
	static const char *const a_says[] = {"", "y", "1", "@HOLD", "", "0", "not-her-password",
					     "", NULL};
	static const char *const b_says[] = {"",	   "y",		 "1", "@HOLD",
					     NEW_PASSWORD, NEW_PASSWORD, "",  NULL};
	struct held a, b;
	char ta[16384], tb[16384], codeb[7];
	held_start(&a, "carol", "a.talk", a_says);
	ck_assert_int_eq(mail_count(CODE_SUBJECT, 1, 10000), 1);
	held_start(&b, "carol", "b.talk", b_says);
	ck_assert_int_eq(mail_count(CODE_SUBJECT, 2, 10000), 2);
	ck_assert_int_eq(mail_code(0, codeb), 0);

	held_answer(&a, codeb);
	held_end(&a, ta, sizeof(ta));
	ck_assert_msg(strstr(ta, "P:Enter the code") != NULL, "A never asked for a code:\n%s", ta);
	ck_assert_msg(strstr(ta, "Code accepted") == NULL && strstr(ta, "has been reset") == NULL,
		      "B's code was taken in A:\n%s", ta);
	assert_password("carol", OLD_PASSWORD, true);

	held_answer(&b, codeb);
	held_end(&b, tb, sizeof(tb));
	ck_assert_msg(strstr(tb, "I:Code accepted.") != NULL,
		      "B's own code failed after A typed it:\n%s", tb);
	assert_password("carol", NEW_PASSWORD, true);
}
END_TEST

/* --- 7: an unprivileged peer --------------------------------------------- */

/* In a child running as another uid: a RESET_START for target (with the answers
 * of a whole dialogue behind it when pipelined) must get END DENIED as
 * its first and only message. Exit status 0 when it did. */
static int try_reset(const char *target, bool pipelined)
{
	int fd = raw_connect();
	if (fd < 0)
		return 11;
	const char *f[] = {target, "login", "", ""};
	const char *y[] = {"y"}, *one[] = {"1"};
	uint8_t buf[2048];
	size_t len = raw_frame(buf, sizeof(buf), PROTO_RESET_START, 4, f, NULL);
	if (pipelined) {
		len += raw_frame(buf + len, sizeof(buf) - len, PROTO_ANSWER, 1, y, NULL);
		len += raw_frame(buf + len, sizeof(buf) - len, PROTO_ANSWER, 1, one, NULL);
	}
	send_bytes(fd, buf, len);
	struct drained d = abuse_drain(fd, 5000);
	close(fd);
	if (d.frames < 1 || d.types[0] != PROTO_END)
		return 12;
	if (d.end != '0' + PROTO_STATUS_DENIED)
		return 13;
	if (d.frames != 1 || !d.closed)
		return 14;
	return 0;
}

static int count_events(const char *event)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	ck_assert_int_eq(
	    sqlite3_open_v2(run_path("state/sspr.db"), &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	ck_assert_int_eq(
	    sqlite3_prepare_v2(db, "SELECT count(*) FROM events WHERE event = ?1", -1, &st, NULL),
	    SQLITE_OK);
	sqlite3_bind_text(st, 1, event, -1, SQLITE_STATIC);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	int n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

START_TEST(unprivileged_peer_cannot_start_reset)
{
	/* carol (uid 1001), speaking the module's protocol herself, for her
	 * own account and for root's. */
	static const struct {
		const char *target;
		bool pipelined;
	} tries[] = {{"carol", false}, {"root", false}, {"carol", true}, {"erin", true}};
	for (size_t i = 0; i < ARRAY_SIZE(tries); i++) {
		pid_t pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			if (setgroups(0, NULL) < 0 || setgid(1001) < 0 || setuid(1001) < 0)
				_exit(10);
			_exit(try_reset(tries[i].target, tries[i].pipelined));
		}
		int st;
		ck_assert_int_eq(waitpid(pid, &st, 0), pid);
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
			      "uid 1001, RESET_START for %s%s: status %d", tries[i].target,
			      tries[i].pipelined ? " with answers" : "", WEXITSTATUS(st));
	}
	const char *log = slurp(run_path("ssprd.log"));
	ck_assert_ptr_nonnull(strstr(log, "uid 1001 may not start a reset dialogue"));
	ck_assert_msg(strstr(log, "reset dialogue started") == NULL, "%s", log);
	ck_assert_int_eq(count_events("dialogue_started"), 0);
	ck_assert_int_eq(count_events("method_chosen"), 0);
	ck_assert_int_eq(count_events("code_sent"), 0);
	ck_assert_int_eq(mail_count(CODE_SUBJECT, 0, 1000), 0);
	/* root, as in login or sshd, still can. */
	full_reset("carol");
}
END_TEST

/* --- worlds --------------------------------------------------------------- */

static void start_default(void)
{
	world_start(NULL);
}

static void start_roomy(void)
{
	struct world_opts o = {.extra_conf = ROOMY_LIMITS};
	world_start(&o);
}

static void start_quick_answers(void)
{
	struct world_opts o = {.extra_conf = "[daemon]\nanswer_timeout = 10\n"};
	world_start(&o);
}

Suite *abuse_suite(void)
{
	Suite *s = suite_create("abuse");
	TCase *tc = world_tcase("codes", start_default);
	tcase_add_test(tc, sixth_code_refused_even_when_right);
	tcase_add_test(tc, resend_keeps_count_and_drops_old_code);
	tcase_add_test(tc, code_of_another_user_refused);
	tcase_add_test(tc, code_of_another_dialogue_refused);
	suite_add_tcase(s, tc);
	tc = world_tcase("hostile", start_roomy);
	abuse_add_hostile_tests(tc);
	suite_add_tcase(s, tc);
	tc = world_tcase("frames", start_default);
	abuse_add_frame_tests(tc);
	suite_add_tcase(s, tc);
	tc = world_tcase("stalled", start_quick_answers);
	abuse_add_stalled_tests(tc);
	suite_add_tcase(s, tc);
	tc = world_tcase("peer", start_default);
	if (geteuid() == 0)
		tcase_add_test(tc, unprivileged_peer_cannot_start_reset);
	else
		fprintf(stderr, "note: unprivileged_peer_cannot_start_reset needs root to switch "
				"users and was not run\n");
	suite_add_tcase(s, tc);
	return s;
}
