/* The protocol-level load client of `make bench` sections 2-4: reset
 * dialogues against the real build/ssprd, speaking common/proto.h, with
 * codes handed over by the SMTP sink (bench_smtp.py). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/proto.h"
#include "tests/bench/bench_stats.h"

#define BENCH_MAX_USERS	   1000
#define BENCH_SERVICE	   "bench"
#define BENCH_PASSWORD_LEN 20
#define BENCH_PASSWORD_SZ  (BENCH_PASSWORD_LEN + 1)
/* The last users are kept for section 3 (isolation), whose typists must
 * not carry the password history section 2 builds up. */
#define ISO_USERS 14
/* Steps that wait for a mail (code or notice) may sit in an SMTP transaction
 * for up to the daemon's [email] timeout; everything else is quick. */
#define STEP_TIMEOUT_MS 30000
#define MAIL_TIMEOUT_MS 90000

/* What every section needs to know about the running world. */
struct bench_env {
	const char *socket;  /* ssprd's socket */
	unsigned nusers;     /* bench000 .. bench<nusers-1> */
	pid_t daemon_pid;    /* for /proc and perf */
	pid_t engine_pid;    /* its engine when ssprd split (user = ...), else 0 */
	pid_t smtp_pid;	     /* for /proc and SIGSTOP */
	struct inbox *inbox; /* codes from the SMTP sink */
	/* A perf event counting crypt_ra() calls in ssprd (a uprobe that
	 * run-bench.sh adds), or NULL. */
	const char *crypt_event;
};

/* Codes by user, received on a datagram socket from bench_smtp.py, which
 * sends "benchNNN CODE" for a code mail and "benchNNN notice" for a reset
 * notice. */
struct inbox;
int inbox_open(const char *path, unsigned nusers, struct inbox **out);
void inbox_close(struct inbox *ib);
/* How many codes arrived for user so far. */
unsigned inbox_gen(struct inbox *ib, unsigned user);
/* Wait until more than after codes arrived for user; the newest in code. */
int inbox_wait(struct inbox *ib, unsigned user, unsigned after, int timeout_ms, char code[7]);
unsigned long inbox_notices(struct inbox *ib);

/* One dialogue as its client sees it. */
struct dlg {
	int fd;
	bool ended;			 /* END received */
	enum proto_status status;	 /* when ended */
	enum proto_type last;		 /* the last prompt's type */
	char prompt[PROTO_MAX_TEXT + 1]; /* the last prompt */
	char said[1024];		 /* info and error text since the last answer */
};

/* Connect, send RESET_START and wait for the first prompt (or END). */
int dlg_start(struct dlg *d, const char *socket, const char *user, int timeout_ms);
/* Answer the last prompt and wait for the next prompt or END. */
int dlg_answer(struct dlg *d, const char *answer, int timeout_ms);
/* Send CANCEL and wait for END. */
int dlg_cancel(struct dlg *d, int timeout_ms);
void dlg_close(struct dlg *d);
/* The prompt contains needle; else report it (rate-limited) and false. */
bool dlg_expect(const struct dlg *d, const char *needle);

/* The steps of a complete reset, each from an answer to the next prompt. */
enum step {
	STEP_FIRST,   /* connect + RESET_START -> "Continue ...?" */
	STEP_CONFIRM, /* "y" -> method menu */
	STEP_METHOD,  /* "1" -> "Enter the code" (sends the code mail) */
	STEP_CODE,    /* code -> "New password" */
	STEP_NEWPW,   /* password -> "Retype" */
	STEP_RETYPE,  /* password -> final prompt (hash, shadow write) */
	STEP_FINAL,   /* Enter -> END (notice mail) */
	NSTEPS,
};
const char *step_name(enum step s);

struct reset_stats {
	struct samples step[NSTEPS];
	struct samples all;	 /* every step pooled */
	struct samples codewait; /* code prompt -> code in hand (excluded) */
	struct samples total;	 /* whole dialogue, connect to END */
};
int reset_stats_init(struct reset_stats *st, size_t cap);
void reset_stats_free(struct reset_stats *st);

void bench_user(unsigned i, char *buf, size_t bufsz);
/* A fresh random password that every policy we have accepts. */
void bench_password(char out[BENCH_PASSWORD_SZ]);

/* Sleep a random think time with mean mean_ms (0: none). */
void bench_think(unsigned mean_ms);

/* One complete reset for user i, pausing think_ms before every answer (a
 * user reading and typing; not part of any latency); 0 when the password
 * was reset. */
int reset_once(const struct bench_env *env, unsigned i, unsigned think_ms, struct reset_stats *st);

/* A load level of section 2: clients, and their think time per step. */
struct level {
	unsigned clients, think_ms;
};
#define MAX_LEVELS 8

/* Sections; each prints its part of the table. */
int section_throughput(const struct bench_env *env, const char *conf_path, unsigned seconds,
		       const struct level *levels, unsigned nlevels);
int section_isolation(const struct bench_env *env, unsigned base_s, unsigned stall_s);
int section_footprint(const struct bench_env *env, unsigned count);
/* One footprint row for ssprd as it is now (VmRSS, threads, peak). */
int footprint_now(const struct bench_env *env, const char *label);
