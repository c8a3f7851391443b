/* What the abuse suite's tests share (abuse_util.c): a PAM login that sets
 * PAM_RHOST and PAM_TTY, what a transcript reveals, scans of ssprd's log
 * and store, and a client that speaks the protocol as a hostile peer
 * would. The suite (abuse_suite) is in test_abuse.c; its tests are there,
 * in test_abuse_names.c and in test_abuse_frames.c. */
#pragma once

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tests/integration/harness.h"

#define CODE_SUBJECT   "Your password reset code"
#define NOTICE_SUBJECT "Your password was reset"
/* The log line a hostile name or host would like to forge. */
#define FORGED "ssprd: notice: password of root reset (service login, rhost -)"

/* --- a PAM login with PAM_RHOST and PAM_TTY ----------------------------- */

/* Answers are used in order for prompts; tokens: "@CODE" the newest code
 * mailed, "@HOLD" a line read from hold_fd. When they run out the
 * conversation fails. Every message is appended to transcript as "P:",
 * "I:" or "E:" lines. */
struct talk {
	const char *answers[24];
	size_t next;
	int hold_fd; /* "@HOLD" reads its answer, one line, from here */
	char transcript[16384];
};

/* Append a message to t's transcript under tag ("P:", "I:", "E:"). */
void abuse_note(struct talk *t, const char *tag, const char *text);

/* A login through SERVICE with PAM_RHOST and PAM_TTY set as sshd or login
 * do (NULL: unset). libpamtest cannot set items, and libpam is loaded but
 * not linked here: look the calls up. Returns what pam_authenticate
 * returned, or -1. No ck_assert: held children use it too. */
int pam_talk(const char *user, const char *rhost, const char *tty, struct talk *t);

/* --- what a transcript reveals; the log and the store ------------------ */

/* The transcript with masked destinations (real ones, or decoys derived
 * from the name) reduced to one placeholder. */
void abuse_reveal(const char *in, char *out, size_t outsz);

/* A hostile string as it may appear in a failure message (one of four
 * static buffers, used in turn). */
const char *abuse_shown(const char *s);

/* ssprd's log holds printable ASCII only (every value a user sent went
 * through sanitize_for_log) and no line forged through a name or host. */
void assert_log_clean(void);

/* No text in the store holds a control character (names and hosts are
 * kept sanitized, as they are logged), and no file of it holds any of the
 * raw strings (NULL-terminated list). */
void assert_store_clean(const char *const *raw);

/* A whole reset for user by email, through the PAM stack. */
void full_reset(const char *user);

/* --- the protocol spoken directly --------------------------------------- */

/* A connection to ssprd's socket, or -errno. */
int raw_connect(void);

/* Errors are fine: the daemon may have hung up already. */
void send_bytes(int fd, const void *buf, size_t len);

/* A frame as a hostile peer writes it: any type, any bytes, any length;
 * len NULL: the fields' strlen. Returns its size. */
size_t raw_frame(uint8_t *buf, size_t bufsz, unsigned type, unsigned n, const char *const *f,
		 const size_t *len);

struct drained {
	bool closed;	  /* the daemon hung up in time */
	unsigned frames;  /* whole frames it sent first */
	uint8_t types[8]; /* their types */
	char end;	  /* the status digit of an END, or 0 */
};

/* Read what the daemon sends until it hangs up, for at most ms. */
struct drained abuse_drain(int fd, int ms);

/* The daemon hung up within ms, having said nothing but an END (and
 * perhaps an error line before it). Closes fd. */
void assert_dropped(int fd, int ms, const char *what);

/* --- the tests abuse_suite() adds from the other files ------------------ */

/* test_abuse_names.c: hostile names, hosts and terminals; NUL and raw
 * bytes in the fields of a RESET_START. */
void abuse_add_hostile_tests(TCase *tc);

/* test_abuse_frames.c: malformed frames and a flood of idle connections;
 * stalled frames (in a world with a short answer timeout). */
void abuse_add_frame_tests(TCase *tc);
void abuse_add_stalled_tests(TCase *tc);
