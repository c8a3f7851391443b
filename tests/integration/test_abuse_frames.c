/* The abuse suite (test_abuse.c), part 6 of the hardening issue:
 * malformed, oversized and stalled frames and a flood of idle connections,
 * written straight to ssprd's socket. Each is dropped in time, and the
 * daemon goes on serving. */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/proto.h"
#include "common/util.h"
#include "tests/integration/abuse_util.h"
#include "tests/integration/harness.h"

/* --- 6: malformed, oversized and stalled frames; floods ----------------- */

/* Open a dialogue for carol and read up to its first prompt. */
static int open_dialogue(void)
{
	const char *f[] = {"carol", "login", "", ""};
	struct proto_msg m;
	int fd = raw_connect();
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(proto_msg_build(&m, PROTO_RESET_START, 4, f), 0);
	ck_assert_int_eq(proto_write(fd, &m, 2000), 0);
	proto_msg_clear(&m);
	for (enum proto_type t = 0; t != PROTO_PROMPT_ECHO_ON;) {
		ck_assert_int_eq(proto_read(fd, &m, 5000), 0);
		t = m.type;
		proto_msg_clear(&m);
	}
	return fd;
}

static void set_body_len(uint8_t *frame, uint32_t len)
{
	frame[4] = (uint8_t)(len >> 24);
	frame[5] = (uint8_t)(len >> 16);
	frame[6] = (uint8_t)(len >> 8);
	frame[7] = (uint8_t)len;
}

struct bad_frame {
	const char *what;
	const uint8_t *bytes;
	size_t len;
};

START_TEST(malformed_frames_are_dropped)
{
	static uint8_t big[PROTO_HEADER_SIZE + PROTO_MAX_BODY + 64];
	uint8_t buf[1024];
	char field[PROTO_MAX_USER + 2];
	memset(field, 'a', sizeof(field) - 1);
	field[sizeof(field) - 1] = '\0';
	const char *ok[] = {"ghost", "login", "", ""};
	const char *long_user[] = {field, "login", "", ""};
	const char *long_service[] = {"ghost", field, "", ""};
	const char *end[] = {"0"};
	struct bad_frame cases[16];
	size_t n = 0, len;

	/* A header announcing PROTO_MAX_BODY + 1 bytes, and the bytes. */
	len = raw_frame(big, sizeof(big), PROTO_RESET_START, 0, NULL, NULL);
	set_body_len(big, PROTO_MAX_BODY + 1);
	memset(big + len, 'a', PROTO_MAX_BODY + 1);
	cases[n++] = (struct bad_frame){"body over the maximum", big, len + PROTO_MAX_BODY + 1};
	static uint8_t huge[PROTO_HEADER_SIZE] = {'S',	'P',  PROTO_VERSION, PROTO_RESET_START,
						  0xff, 0xff, 0xff,	     0xff};
	cases[n++] = (struct bad_frame){"body of 4 GiB", huge, sizeof(huge)};
	static uint8_t frames[10][1024];
	size_t fl[10];
	for (int i = 0; i < 10; i++)
		fl[i] = raw_frame(frames[i], sizeof(frames[i]), PROTO_RESET_START, 4, ok, NULL);
	frames[0][0] = 'X';
	cases[n++] = (struct bad_frame){"wrong magic", frames[0], fl[0]};
	frames[1][2] = PROTO_VERSION + 1;
	cases[n++] = (struct bad_frame){"wrong version", frames[1], fl[1]};
	frames[2][3] = 0;
	cases[n++] = (struct bad_frame){"type 0", frames[2], fl[2]};
	frames[3][3] = 200;
	cases[n++] = (struct bad_frame){"unknown type", frames[3], fl[3]};
	/* The field count announced by the body: one too few, trailing bytes. */
	fl[4] = raw_frame(frames[4], sizeof(frames[4]), PROTO_RESET_START, 3, ok, NULL);
	cases[n++] = (struct bad_frame){"three fields", frames[4], fl[4]};
	frames[5][fl[5]] = 'x';
	frames[5][7]++;
	cases[n++] = (struct bad_frame){"trailing byte", frames[5], fl[5] + 1};
	/* A field length past the end of the body. */
	frames[6][PROTO_HEADER_SIZE + 1] = 200;
	cases[n++] = (struct bad_frame){"field past the body", frames[6], fl[6]};
	fl[7] = raw_frame(frames[7], sizeof(frames[7]), PROTO_RESET_START, 4, long_user, NULL);
	cases[n++] = (struct bad_frame){"user over its maximum", frames[7], fl[7]};
	fl[8] = raw_frame(frames[8], sizeof(frames[8]), PROTO_RESET_START, 4, long_service, NULL);
	cases[n++] = (struct bad_frame){"service over its maximum", frames[8], fl[8]};
	fl[9] = raw_frame(frames[9], sizeof(frames[9]), PROTO_END, 1, end, NULL);
	cases[n++] = (struct bad_frame){"a daemon's message first", frames[9], fl[9]};
	for (size_t i = 0; i < n; i++) {
		int fd = raw_connect();
		ck_assert_int_ge(fd, 0);
		send_bytes(fd, cases[i].bytes, cases[i].len);
		assert_dropped(fd, 3000, cases[i].what);
	}

	/* Inside a dialogue: an oversized answer, one with trailing bytes,
	 * one with a NUL, and a second RESET_START. */
	const char *answer[] = {"y"};
	const size_t nul_len[] = {3};
	const char *nul[] = {"y\0y"};
	for (int k = 0; k < 4; k++) {
		int fd = open_dialogue();
		size_t l = 0;
		if (k == 0) {
			l = raw_frame(buf, sizeof(buf), PROTO_ANSWER, 1, answer, NULL);
			set_body_len(buf, 1 << 16);
		} else if (k == 1) {
			l = raw_frame(buf, sizeof(buf), PROTO_ANSWER, 1, answer, NULL);
			buf[l++] = 'x';
			buf[7]++;
		} else if (k == 2) {
			l = raw_frame(buf, sizeof(buf), PROTO_ANSWER, 1, nul, nul_len);
		} else {
			l = raw_frame(buf, sizeof(buf), PROTO_RESET_START, 4, ok, NULL);
		}
		send_bytes(fd, buf, l);
		char what[64];
		snprintf(what, sizeof(what), "malformed message #%d inside a dialogue", k);
		assert_dropped(fd, 3000, what);
	}
	assert_log_clean();
	/* The daemon kept serving: a whole reset works. */
	full_reset("carol");
}
END_TEST

START_TEST(stalled_frames_are_dropped_in_time)
{
	/* The first message must come whole within 10 s of connecting
	 * (FIRST_MESSAGE_TIMEOUT_MS), an answer within answer_timeout (10 s
	 * in this world), however slowly it trickles in. */
	enum { CUT, HEADER, TRICKLE, ANSWER, N };
	int fd[N];
	int64_t t0 = now_ms(), closed_at[N] = {0};
	uint8_t buf[1024], trickle[1024];
	char rhost[201];
	memset(rhost, 'r', 200);
	rhost[200] = '\0';
	const char *ok[] = {"ghost", "login", "", ""}, *slow[] = {"ghost", "login", rhost, ""};
	for (int i = 0; i < N; i++) {
		fd[i] = i == ANSWER ? open_dialogue() : raw_connect();
		ck_assert_int_ge(fd[i], 0);
	}
	size_t len = raw_frame(buf, sizeof(buf), PROTO_RESET_START, 4, ok, NULL);
	send_bytes(fd[CUT], buf, len - 3); /* three bytes short */
	send_bytes(fd[HEADER], buf, 3);
	size_t tlen = raw_frame(trickle, sizeof(trickle), PROTO_RESET_START, 4, slow, NULL),
	       sent = 0;
	const char *y[] = {"y"};
	len = raw_frame(buf, sizeof(buf), PROTO_ANSWER, 1, y, NULL);
	send_bytes(fd[ANSWER], buf, len - 1);
	int64_t answer_cut = now_ms();

	/* Meanwhile, others are served. */
	struct convo c = {.answers = {"", "n", OLD_PASSWORD}};
	ck_assert_int_eq(pam_run(SERVICE, "carol", &c), PAM_SUCCESS);
	assert_has(&c, "I:Password recovery cancelled.");

	bool trickle_answered = false;
	int open = N;
	while (open > 0 && now_ms() - t0 < 25000) {
		if (sent < tlen && closed_at[TRICKLE] == 0)
			send_bytes(fd[TRICKLE], trickle + sent++, 1);
		for (int i = 0; i < N; i++) {
			uint8_t junk[256];
			if (closed_at[i])
				continue;
			ssize_t k = recv(fd[i], junk, sizeof(junk), MSG_DONTWAIT);
			if (k > 0 && i == TRICKLE)
				trickle_answered = true;
			if (k == 0 || (k < 0 && errno != EAGAIN && errno != EINTR)) {
				closed_at[i] = now_ms();
				open--;
			}
		}
		usleep(100000);
	}
	static const char *const names[] = {"frame cut short", "three bytes of a header",
					    "frame trickled a byte per 100 ms",
					    "answer cut short in a dialogue"};
	for (int i = 0; i < N; i++) {
		int64_t since = i == ANSWER ? answer_cut : t0;
		ck_assert_msg(closed_at[i] && closed_at[i] - since < 13000,
			      "%s: not dropped within its timeout (%lld ms)", names[i],
			      (long long)((closed_at[i] ? closed_at[i] : now_ms()) - since));
		close(fd[i]);
	}
	ck_assert_msg(!trickle_answered && sent < tlen,
		      "the trickled frame was read whole (%zu of %zu bytes sent)", sent, tlen);
	ck_assert_ptr_null(
	    strstr(slurp(run_path("ssprd.log")), "reset dialogue started for ghost"));
	assert_log_clean();
	full_reset("carol");
}
END_TEST

START_TEST(idle_connection_flood)
{
	/* 200 connections that say nothing: beyond max_connections (64) each
	 * is told at once that the daemon is unavailable; the held ones do not
	 * stop it from serving again once they go. */
	enum { FLOOD = 200, MAX = 64 };
	int fd[FLOOD], held = 0, refused = 0;
	for (int i = 0; i < FLOOD; i++) {
		fd[i] = raw_connect();
		ck_assert_msg(fd[i] >= 0, "connection %d: %s", i, strerror(-fd[i]));
	}
	usleep(500000);
	for (int i = 0; i < FLOOD; i++) {
		struct pollfd p = {.fd = fd[i], .events = POLLIN};
		if (poll(&p, 1, 0) == 0) {
			held++;
			continue;
		}
		struct drained d = abuse_drain(fd[i], 1000);
		ck_assert_msg(d.closed && d.frames == 1 && d.types[0] == PROTO_END &&
				  d.end == '0' + PROTO_STATUS_UNAVAILABLE,
			      "connection %d: not refused as unavailable", i);
		refused++;
		close(fd[i]);
		fd[i] = -1;
	}
	ck_assert_int_eq(held, MAX);
	ck_assert_int_eq(refused, FLOOD - MAX);
	ck_assert_ptr_nonnull(
	    strstr(slurp(run_path("ssprd.log")), "connection limit (64) reached"));
	/* While they are held, a login goes on as if the daemon were away. */
	struct convo c = {.answers = {"", OLD_PASSWORD}};
	ck_assert_int_eq(pam_run(SERVICE, "carol", &c), PAM_SUCCESS);
	assert_has(&c, "E:Password reset is not available right now.");
	for (int i = 0; i < FLOOD; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	usleep(300000);
	full_reset("carol");
}
END_TEST

void abuse_add_frame_tests(TCase *tc)
{
	tcase_add_test(tc, malformed_frames_are_dropped);
	tcase_add_test(tc, idle_connection_flood);
}

void abuse_add_stalled_tests(TCase *tc)
{
	tcase_add_test(tc, stalled_frames_are_dropped_in_time);
}
