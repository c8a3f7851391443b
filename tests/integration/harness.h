/* Integration-test world: users from nss_wrapper, a temp shadow file, a real
 * SMTP server (aiosmtpd) and the real build/ssprd, driven through the real
 * build/pam_sspr.so by libpamtest under pam_wrapper. */
#pragma once

#include <check.h>
#include <security/pam_appl.h>
#include <stdbool.h>
#include <stddef.h>

#define OLD_PASSWORD "Old-password-1"
#define NEW_PASSWORD "New-password-42"
#define SERVICE	     "sspr-test"
/* Password stacks: pam_sspr (check), pam_testpw writing the run shadow,
 * pam_sspr record. _USER: pam_testpw first asks for the current password,
 * as pam_unix does for an ordinary user. _DOWN: no daemon on the socket. */
#define PASSWD_SERVICE	    "sspr-passwd"
#define PASSWD_USER_SERVICE "sspr-passwd-user"
#define PASSWD_DOWN_SERVICE "sspr-passwd-down"
/* pam_faillock (dir <run>/faillock, deny=3) around pam_sspr and pam_testpw. */
#define FAILLOCK_SERVICE "sspr-faillock"

struct world_opts {
	unsigned code_ttl;	  /* 0: default 600 */
	unsigned code_attempts;	  /* 0: default 5 */
	bool no_daemon;		  /* do not start ssprd */
	unsigned max_connections; /* 0: default */
	/* Lines appended after [policy] of sspr.conf (may open sections); @GW
	 * becomes the fake gateway's host:port, @CB a free host:port for the
	 * voice callback server, @RUN the run directory. */
	const char *extra_conf;
	bool gateway; /* start tests/integration/fake_gateway.py */
};

/* The PAM library directory (pkg-config). */
const char *pam_libdir(void);

/* Paths inside the run directory, valid after harness_init. */
const char *run_path(const char *name);

/* Once, first thing in main: write passwd, group and the PAM service files,
 * then re-exec the program under pam_wrapper and nss_wrapper. */
void harness_init(char **argv);

/* Per test: fresh shadow, state, Maildir; start SMTP sink and ssprd; enroll
 * carol, erin, frank, sysuser by email through build/ssprctl. */
void world_start(const struct world_opts *o);
void world_stop(void);
/* A test case whose tests each run in a fresh world made by setup. */
TCase *world_tcase(const char *name, void (*setup)(void));
/* Stop (SIGSTOP) or resume (SIGCONT) the SMTP server, to stall deliveries. */
void smtp_pause(bool stop);

/* Scripted conversation. Answers are used in order for prompts; tokens:
 * "@CODE" the code from the newest code mail, "@WRONG" a wrong code,
 * "@LATE" sleep 2.5 s then the code, "@PREV" the code of the mail before,
 * "@MAIL" and "@MAILWRONG" the same from the newest mail in any language
 * (mail_code_decoded). Every message is appended to transcript as "P:",
 * "I:" or "E:" lines. */
struct convo {
	const char *answers[32];
	size_t next;
	char transcript[16384];
	char last_code[8];
	/* Optional: called with every message as it is appended. */
	void (*observe)(struct convo *c, const char *tag, const char *text);
	void *observer_data;
};

int pam_run(const char *service, const char *user, struct convo *c);
/* pam_chauthtok through service (as passwd(1) does); returns its result. */
int pam_run_chauthtok(const char *service, const char *user, struct convo *c);

/* Mail: count messages whose Subject is subject; wait up to ms for at
 * least min of them. Returns the count. */
int mail_count(const char *subject, int min, int wait_ms);
/* The code from the newest code mail (skip = 0) or an older one (skip = 1
 * for the one before), into out[7]; -1 when none. */
int mail_code(int skip, char out[7]);
/* The first 6-digit number in the newest mail's text, decoded by Python's
 * email parser (quoted-printable, any language), waiting up to 5 s. */
void mail_code_decoded(char out[7]);

/* The user's current hash in the run shadow file (static buffer). */
const char *shadow_hash(const char *user);
/* Set the user's password in the run shadow file, as an administrator
 * would without sspr. */
void shadow_set_password(const char *user, const char *password);
bool hash_matches(const char *password, const char *hash);

/* Test assertions: the transcript contains needle; user's shadow hash does
 * (expect) or does not match password. */
void assert_has(const struct convo *c, const char *needle);
void assert_lacks(const struct convo *c, const char *needle);
void assert_password(const char *user, const char *password, bool expect);

/* Read a whole file (static buffer, truncated at 64 KiB). */
const char *slurp(const char *path);
/* Run a command line with /bin/sh; output in out; returns exit status. */
int run_cmd(char *out, size_t outsz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* --- other verification methods (harness_methods.c) --- */
#define GATEWAY_SID   "ACtest0123"
#define GATEWAY_TOKEN "gateway-secret-token"

/* Replace the fake gateway's control file with json (e.g. "{\"status\": 503}"). */
void gateway_control(const char *json);
/* Records of the gateway log whose "kind" is kind ("sms", "call", "callback"). */
int gateway_count(const char *kind);
/* The gateway log (static buffer). */
const char *gateway_log(void);
/* The code in the newest SMS or call record into out[7]; -1 when none. */
int gateway_code(const char *kind, char out[7]);

/* ssprctl enroll USER ARGS... (stdin from input when not NULL); output in
 * out; returns the exit status. */
int ssprctl_enroll(const char *user, const char *args, const char *input, char *out, size_t outsz);
/* Enroll an authenticator / recovery codes for user and remember the
 * secret / codes for @TOTP and @RC1..@RC10. */
void enroll_totp(const char *user);
void enroll_recovery_codes(const char *user);
/* The TOTP code for the remembered secret at unix time t. */
void totp_at(long t, char out[7]);
/* Answers for @ANSWER (and @BADANSWER: a wrong one): pairs of a part of
 * the question and its answer, ending with {NULL, NULL}. */
void questions_answers(const char *const (*pairs)[2]);
/* Write n pam_faillock records for user, as failed logins would. */
void faillock_fail_logins(const char *user, int n);
