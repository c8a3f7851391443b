/* The abuse suite (test_abuse.c), part 5 of the hardening issue: hostile
 * user names, hosts and terminals through the real pam_sspr.so, and what
 * libpam cannot carry (NUL, raw bytes) written straight to the socket.
 * Whoever the name, the user sees what an unknown user sees, and ssprd's
 * log and store keep sanitized text only. */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/proto.h"
#include "common/util.h"
#include "tests/integration/abuse_util.h"
#include "tests/integration/harness.h"

/* --- 5: hostile names, hosts and terminals ------------------------------ */

/* What a login as user shows, abuse_reveal()ed into out; returns the PAM result.
 * Shallow: yes to recovery, then 0 (a refusal ends; a menu, real or decoy,
 * is cancelled and the next module asks for a password). Deep: the first
 * method, a wrong code, back to the menu, then 0; it counts a wrong try
 * against the name, so once per name. */
static int probe(const char *user, const char *rhost, const char *tty, bool deep, char *out,
		 size_t outsz)
{
	static const char *const shallow[] = {"", "y", "0", "not-the-password", "", NULL};
	static const char *const wrong_code[] = {
	    "", "y", "1", "000000", "", "0", "not-the-password", "", NULL};
	const char *const *says = deep ? wrong_code : shallow;
	struct talk t = {0};
	for (size_t i = 0; says[i]; i++)
		t.answers[i] = says[i];
	int r = pam_talk(user, rhost, tty, &t);
	ck_assert_msg(r >= 0, "no PAM handle for %s", abuse_shown(user));
	ck_assert_msg(strstr(t.transcript, FORGED) == NULL, "%s", t.transcript);
	abuse_reveal(t.transcript, out, outsz);
	return r;
}

static void assert_same(const char *what, int r, const char *got, int rbase, const char *base)
{
	ck_assert_msg(r == rbase && strcmp(got, base) == 0,
		      "%s: PAM result %d and what was shown differ from the unknown user's (%d):\n"
		      "%s\n--- unknown user:\n%s",
		      what, r, rbase, got, base);
}

START_TEST(hostile_names_look_unknown)
{
	/* Names that reach the daemon (valid text) but no account can have:
	 * the same dialogue as a user who does not exist. */
	char longest[PROTO_MAX_USER + 1];
	memset(longest, 'a', PROTO_MAX_USER);
	longest[PROTO_MAX_USER] = '\0';
	const char *const names[] = {"carol:0:0:root:/root:/bin/sh",
				     "../../../etc/shadow",
				     "carol/../root",
				     "%s%n%x%n%s",
				     "-carol",
				     "carol ",
				     "Carol",
				     "c\xc3\xa4rol-h\xc3\xb4te-\xe2\x80\xae",
				     longest,
				     NULL};
	char base[16384], got[16384];
	int rbase = probe("ghost", NULL, NULL, true, base, sizeof(base));
	for (size_t i = 0; names[i]; i++) {
		int r = probe(names[i], NULL, NULL, true, got, sizeof(got));
		assert_same(abuse_shown(names[i]), r, got, rbase, base);
		ck_assert_msg(strstr(got, names[i]) == NULL, "the name %s was shown back",
			      abuse_shown(names[i]));
	}
	/* Still serving, and still the same. */
	int r = probe("nobody", NULL, NULL, true, got, sizeof(got));
	assert_same("another unknown user", r, got, rbase, base);
	ck_assert_int_eq(mail_count(CODE_SUBJECT, 0, 0), 0);
	assert_log_clean();
	const char *const raw[] = {names[7], FORGED, NULL};
	assert_store_clean(raw);
}
END_TEST

START_TEST(unspeakable_names_refused_alike)
{
	/* Names that are not text the protocol can carry (newline, CR,
	 * escapes, DEL, invalid UTF-8, 300 characters): refused before the
	 * daemon, the same way for a real user's name and an unknown one. */
	char pad[301];
	memset(pad, 'x', 295);
	pad[295] = '\0';
	const char *const tails[] = {"\n" FORGED,
				     "\r\nBcc: x@example.org",
				     "\xff",
				     "\xc0\xaf",
				     "\xed\xa0\x80",
				     "\x1b[2J",
				     "\x7f",
				     "\t",
				     pad,
				     NULL};
	for (size_t i = 0; tails[i]; i++) {
		char real[512], unknown[512], a[16384], b[16384];
		snprintf(real, sizeof(real), "carol%s", tails[i]);
		snprintf(unknown, sizeof(unknown), "ghost%s", tails[i]);
		int ra = probe(real, NULL, NULL, true, a, sizeof(a));
		int rb = probe(unknown, NULL, NULL, true, b, sizeof(b));
		assert_same(abuse_shown(real), ra, a, rb, b);
	}
	ck_assert_int_eq(mail_count(CODE_SUBJECT, 0, 0), 0);
	assert_log_clean();
	const char *const raw[] = {FORGED, "Bcc: x@example.org", NULL};
	assert_store_clean(raw);
}
END_TEST

START_TEST(hostile_hosts_and_terminals)
{
	/* PAM_RHOST and PAM_TTY as a hostile sshd client or getty might make
	 * them: the user sees nothing different, whoever they are. */
	char long_host[301], long_tty[101];
	memset(long_host, 'r', 300);
	long_host[300] = '\0';
	memset(long_tty, 't', 100);
	long_tty[100] = '\0';
	const char *const hosts[] = {"203.0.113.9\n" FORGED,
				     "../../../etc/passwd",
				     "[2001:db8::1]:22",
				     "%s%n%x%n",
				     "h\xc3\xb4te.example",
				     "\xff\xfe",
				     long_host,
				     "\x1b]0;owned\x07",
				     "host\r\nBcc: x@example.org",
				     NULL};
	const char *const ttys[] = {
	    "pts/1\n" FORGED, "../../dev/sda", "tty:1",	  "%n%n",      "t\xc3\xa9l",
	    "\xff",	      long_tty,	       "\x1b[2J", "pts/2\r\n", NULL};
	static const char *const users[] = {"ghost", "carol"};
	for (size_t u = 0; u < ARRAY_SIZE(users); u++) {
		char base[16384], got[16384];
		int rbase = probe(users[u], "203.0.113.7", "pts/4", false, base, sizeof(base));
		for (size_t i = 0; hosts[i]; i++) {
			char what[256];
			int r = probe(users[u], hosts[i], ttys[i], false, got, sizeof(got));
			snprintf(what, sizeof(what), "%s from %s on %s", users[u],
				 abuse_shown(hosts[i]), abuse_shown(ttys[i]));
			assert_same(what, r, got, rbase, base);
		}
	}
	/* A whole reset from such a place works; log and audit trail keep
	 * only sanitized text. */
	struct talk t = {.answers = {"", "y", "1", "@CODE", NEW_PASSWORD, NEW_PASSWORD, ""}};
	ck_assert_int_ge(pam_talk("carol", "%s%n../h\xc3\xb4te:22", "../pts/1:%n", &t), 0);
	ck_assert_msg(strstr(t.transcript, "has been reset"), "%s", t.transcript);
	assert_password("carol", NEW_PASSWORD, true);
	ck_assert_int_eq(mail_count(NOTICE_SUBJECT, 1, 10000), 1);
	assert_log_clean();
	const char *const raw[] = {FORGED, "Bcc: x@example.org", "h\xc3\xb4te", NULL};
	assert_store_clean(raw);
}
END_TEST

/* A reset dialogue spoken directly; a prompt past the answers is
 * cancelled. Every message is noted like a PAM transcript (abuse_reveal()ed into
 * out). Returns the END status, or -1. */
static int raw_dialogue(const char *const f[4], const char *const *answers, char *out, size_t outsz)
{
	struct talk t = {0};
	struct proto_msg m;
	int fd = raw_connect(), status = -1;
	size_t next = 0;
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(proto_msg_build(&m, PROTO_RESET_START, 4, f), 0);
	ck_assert_int_eq(proto_write(fd, &m, 2000), 0);
	proto_msg_clear(&m);
	for (int i = 0; i < 64 && proto_read(fd, &m, 10000) == 0; i++) {
		bool prompt = m.type == PROTO_PROMPT_ECHO_ON || m.type == PROTO_PROMPT_ECHO_OFF;
		enum proto_status st;
		if (m.type == PROTO_END) {
			if (proto_end_status(&m, &st) == 0)
				status = (int)st;
			proto_msg_clear(&m);
			break;
		}
		abuse_note(&t, prompt ? "P:" : m.type == PROTO_ERROR ? "E:" : "I:", m.field[0]);
		proto_msg_clear(&m);
		if (!prompt)
			continue;
		const char *a = answers[next] ? answers[next++] : NULL;
		int r = a ? proto_msg_text(&m, PROTO_ANSWER, a)
			  : proto_msg_build(&m, PROTO_CANCEL, 0, NULL);
		ck_assert_int_eq(r, 0);
		ck_assert_int_eq(proto_write(fd, &m, 2000), 0);
		proto_msg_clear(&m);
	}
	close(fd);
	abuse_reveal(t.transcript, out, outsz);
	return status;
}

START_TEST(nul_and_raw_bytes_on_the_wire)
{
	/* What libpam cannot carry (a NUL inside a field) and what pam_sspr
	 * would not send (control bytes, broken UTF-8), written straight to
	 * the socket: the daemon hangs up without starting anything. */
	static const struct {
		const char *f[4];
		size_t len[4];
	} starts[] = {
	    {{"car\0ol", "login", "", ""}, {6, 5, 0, 0}},
	    {{"ghost", "login", "203.0.113.7\0evil", ""}, {5, 5, 16, 0}},
	    {{"ghost", "login", "", "pts/1\0x"}, {5, 5, 0, 7}},
	    {{"ghost", "log\0in", "", ""}, {5, 6, 0, 0}},
	    {{"ghost\n" FORGED, "login", "", ""}, {6 + sizeof(FORGED) - 1, 5, 0, 0}},
	    {{"ghost", "login", "x\n" FORGED, ""}, {5, 5, 2 + sizeof(FORGED) - 1, 0}},
	    {{"ghost", "login", "", "pts/1\r\n" FORGED}, {5, 5, 0, 7 + sizeof(FORGED) - 1}},
	    {{"caro\xffl", "login", "", ""}, {6, 5, 0, 0}},
	    {{"ghost", "login", "\xc0\xaf", ""}, {5, 5, 2, 0}},
	};
	for (size_t i = 0; i < ARRAY_SIZE(starts); i++) {
		uint8_t buf[1024];
		int fd = raw_connect();
		ck_assert_int_ge(fd, 0);
		send_bytes(
		    fd, buf,
		    raw_frame(buf, sizeof(buf), PROTO_RESET_START, 4, starts[i].f, starts[i].len));
		char what[64];
		snprintf(what, sizeof(what), "hostile RESET_START #%zu", i);
		assert_dropped(fd, 3000, what);
	}
	ck_assert_ptr_null(strstr(slurp(run_path("ssprd.log")), "reset dialogue started"));

	/* Valid text at every field's maximum reaches the dialogue, and looks
	 * like any unknown user. */
	char user[PROTO_MAX_USER + 1], service[PROTO_MAX_SERVICE + 1], rhost[PROTO_MAX_RHOST + 1],
	    tty[PROTO_MAX_TTY + 1];
	memset(user, 'u', sizeof(user) - 1);
	user[sizeof(user) - 1] = '\0';
	memset(service, 's', sizeof(service) - 1);
	service[sizeof(service) - 1] = '\0';
	memset(rhost, 'r', sizeof(rhost) - 1);
	rhost[sizeof(rhost) - 1] = '\0';
	memset(tty, 't', sizeof(tty) - 1);
	tty[sizeof(tty) - 1] = '\0';
	static const char *const says[] = {"y", "0", NULL};
	const char *const ghost[] = {"ghost", "login", "203.0.113.7", "pts/4"};
	const char *const longest[] = {user, service, rhost, tty};
	const char *const odd[] = {"%n%s../x:0:0", "../../login", "a:b:c%n", "\xe2\x80\xae/dev"};
	char base[16384], got[16384];
	int sbase = raw_dialogue(ghost, says, base, sizeof(base));
	ck_assert_int_ge(sbase, 0);
	int s = raw_dialogue(longest, says, got, sizeof(got));
	assert_same("every field at its maximum", s, got, sbase, base);
	s = raw_dialogue(odd, says, got, sizeof(got));
	assert_same("odd but valid text in every field", s, got, sbase, base);
	assert_log_clean();
	const char *const raw[] = {FORGED, "\xe2\x80\xae/dev", NULL};
	assert_store_clean(raw);
}
END_TEST

void abuse_add_hostile_tests(TCase *tc)
{
	tcase_add_test(tc, hostile_names_look_unknown);
	tcase_add_test(tc, unspeakable_names_refused_alike);
	tcase_add_test(tc, hostile_hosts_and_terminals);
	tcase_add_test(tc, nul_and_raw_bytes_on_the_wire);
}
