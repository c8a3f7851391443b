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

struct world_opts {
	unsigned code_ttl;	  /* 0: default 600 */
	unsigned code_attempts;	  /* 0: default 5 */
	bool no_daemon;		  /* do not start ssprd */
	unsigned max_connections; /* 0: default */
	const char *extra_conf;	  /* lines appended to [policy] of sspr.conf */
};

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
 * "@LATE" sleep 2.5 s then the code, "@PREV" the code of the mail before. Every message is appended
 * to transcript as "P:", "I:" or "E:" lines. */
struct convo {
	const char *answers[32];
	size_t next;
	char transcript[16384];
	char last_code[8];
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

/* The user's current hash in the run shadow file (static buffer). */
const char *shadow_hash(const char *user);
/* Set the user's password in the run shadow file, as an administrator
 * would without sspr. */
void shadow_set_password(const char *user, const char *password);
bool hash_matches(const char *password, const char *hash);

/* Test assertions: the transcript contains needle; user's shadow hash does
 * (expect) or does not match password. */
void assert_has(const struct convo *c, const char *needle);
void assert_password(const char *user, const char *password, bool expect);

/* Read a whole file (static buffer, truncated at 64 KiB). */
const char *slurp(const char *path);
/* Run a command line with /bin/sh; output in out; returns exit status. */
int run_cmd(char *out, size_t outsz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
