/* Section 3: while the SMTP server is stopped (SIGSTOP), do the dialogue
 * steps that need no mail keep their latency? Three kinds of clients run
 * before and during the stall, typists and mailers on users section 2 left
 * alone, arrivals on section 2's users in turn:
 *   typists   past the code step, typing new passwords that do not match
 *             (password -> retype prompt -> mismatch -> new-password prompt)
 *   arrivals  new connections: first prompt, "y" -> menu, "0" -> END
 *   mailers   ask for a code ("1"), then cancel: these are the ones stuck
 *             in SMTP during the stall, holding daemon threads */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "tests/bench/bench_reset.h"

#define TYPISTS	 4
#define ARRIVALS 2
#define MAILERS	 8
/* Think times before answers: typists check a password against its
 * history (a crypt verification) at every other step, so they pause longer
 * to leave the CPU to the steps measured. */
#define TYPIST_PACE_US	100000
#define ARRIVAL_PACE_US 20000
#define MAILER_PACE_US	100000
#define SAMPLE_CAP	100000
#define MAX_LOOPS	100000

enum period { BEFORE, DURING, AFTER };
enum kind { K_NEWPW, K_MISMATCH, K_FIRST, K_MENU, K_MAIL, NKINDS };

struct iso {
	const struct bench_env *env;
	atomic_int period;
	atomic_bool stop;
	struct samples s[2][NKINDS]; /* [BEFORE/DURING][kind] */
	atomic_uint errors, mail_errors;
};

struct iso_thread {
	struct iso *iso;
	unsigned user;
	/* Arrivals: the users they take turns on (see arrival()). */
	unsigned slot, pool;
	pthread_t thread;
};

/* Latency of a step that started in period p (AFTER is not reported). */
static void note(struct iso *iso, int p, enum kind k, int64_t t0)
{
	if (p != AFTER)
		samples_add(&iso->s[p][k], now_us() - t0);
}

static bool running(struct iso *iso)
{
	return !atomic_load(&iso->stop);
}

/* Bring a typist to its new-password prompt; needs the mail server. */
static int to_password_prompt(struct iso *iso, unsigned user, struct dlg *d)
{
	char name[32], code[7];
	bench_user(user, name, sizeof(name));
	int r = dlg_start(d, iso->env->socket, name, STEP_TIMEOUT_MS);
	if (r == 0)
		r = dlg_answer(d, "y", STEP_TIMEOUT_MS);
	unsigned gen = inbox_gen(iso->env->inbox, user);
	if (r == 0)
		r = dlg_answer(d, "1", MAIL_TIMEOUT_MS);
	if (r == 0)
		r = inbox_wait(iso->env->inbox, user, gen, MAIL_TIMEOUT_MS, code);
	if (r == 0)
		r = dlg_answer(d, code, STEP_TIMEOUT_MS);
	if (r == 0 && !dlg_expect(d, "New password"))
		r = -EPROTO;
	return r;
}

static void *typist(void *arg)
{
	struct iso_thread *t = arg;
	struct iso *iso = t->iso;
	struct dlg d;
	char a[BENCH_PASSWORD_SZ], b[BENCH_PASSWORD_SZ];
	int r = to_password_prompt(iso, t->user, &d);
	for (unsigned k = 0; r == 0 && running(iso) && k < MAX_LOOPS; k++) {
		usleep(TYPIST_PACE_US);
		bench_password(a);
		bench_password(b);
		int p = atomic_load(&iso->period);
		int64_t t0 = now_us();
		r = dlg_answer(&d, a, STEP_TIMEOUT_MS);
		if (r < 0 || !dlg_expect(&d, "Retype"))
			break;
		note(iso, p, K_NEWPW, t0);
		usleep(TYPIST_PACE_US);
		p = atomic_load(&iso->period);
		t0 = now_us();
		r = dlg_answer(&d, b, STEP_TIMEOUT_MS);
		if (r < 0 || !dlg_expect(&d, "New password"))
			break;
		note(iso, p, K_MISMATCH, t0);
	}
	secure_zero(a, sizeof(a));
	secure_zero(b, sizeof(b));
	if (running(iso))
		atomic_fetch_add(&iso->errors, 1);
	dlg_cancel(&d, STEP_TIMEOUT_MS);
	dlg_close(&d);
	return NULL;
}

static void *arrival(void *arg)
{
	struct iso_thread *t = arg;
	struct iso *iso = t->iso;
	char name[32];
	for (unsigned k = 0; running(iso) && k < MAX_LOOPS; k++) {
		struct dlg d;
		/* About 25 dialogues a second: on one account they would reach
		 * [limits] dialogues_per_hour (1000 at most) within the run, so
		 * arrivals take turns on section 2's users, which sit idle now
		 * and never meet a typist or mailer. */
		bench_user(t->pool ? (t->slot + k * ARRIVALS) % t->pool : t->user, name,
			   sizeof(name));
		usleep(ARRIVAL_PACE_US);
		int p = atomic_load(&iso->period);
		int64_t t0 = now_us();
		int r = dlg_start(&d, iso->env->socket, name, STEP_TIMEOUT_MS);
		if (r == 0 && dlg_expect(&d, "Continue")) {
			note(iso, p, K_FIRST, t0);
			usleep(ARRIVAL_PACE_US);
			p = atomic_load(&iso->period);
			t0 = now_us();
			r = dlg_answer(&d, "y", STEP_TIMEOUT_MS);
			if (r == 0 && dlg_expect(&d, "How should we verify")) {
				note(iso, p, K_MENU, t0);
				r = dlg_answer(&d, "0", STEP_TIMEOUT_MS);
			} else {
				r = -EPROTO;
			}
		} else {
			r = r < 0 ? r : -EPROTO;
		}
		dlg_close(&d);
		if (r < 0) {
			atomic_fetch_add(&iso->errors, 1);
			break;
		}
	}
	return NULL;
}

static void *mailer(void *arg)
{
	struct iso_thread *t = arg;
	struct iso *iso = t->iso;
	char name[32];
	bench_user(t->user, name, sizeof(name));
	for (unsigned k = 0; running(iso) && k < MAX_LOOPS; k++) {
		struct dlg d;
		usleep(MAILER_PACE_US);
		int r = dlg_start(&d, iso->env->socket, name, STEP_TIMEOUT_MS);
		if (r == 0)
			r = dlg_answer(&d, "y", STEP_TIMEOUT_MS);
		int p = atomic_load(&iso->period);
		int64_t t0 = now_us();
		if (r == 0)
			r = dlg_answer(&d, "1", MAIL_TIMEOUT_MS);
		/* A code request that ends in "could not send" is still a
		 * step whose latency counts. */
		if (r == 0)
			note(iso, p, K_MAIL, t0);
		if (r < 0 || !strstr(d.prompt, "Enter the code"))
			atomic_fetch_add(&iso->mail_errors, 1);
		dlg_cancel(&d, STEP_TIMEOUT_MS);
		dlg_close(&d);
	}
	return NULL;
}

static void row(const char *what, struct samples *b, struct samples *d)
{
	char a[5][32];
	int64_t pb = samples_pct(b, 99), pd = samples_pct(d, 99);
	char ratio[32] = "-";
	if (pb > 0 && pd >= 0)
		snprintf(ratio, sizeof(ratio), "%.2f", (double)pd / (double)pb);
	printf("   %-40s %6zu %7s %7s %6zu %7s %7s %8s %6s\n", what, b->n,
	       fmt_ms(samples_pct(b, 50), a[0], 32), fmt_ms(pb, a[1], 32), d->n,
	       fmt_ms(samples_pct(d, 50), a[2], 32), fmt_ms(pd, a[3], 32),
	       fmt_ms(samples_max(d), a[4], 32), ratio);
}

int section_isolation(const struct bench_env *env, unsigned base_s, unsigned stall_s)
{
	struct iso iso = {.env = env};
	atomic_init(&iso.period, BEFORE);
	atomic_init(&iso.stop, false);
	atomic_init(&iso.errors, 0);
	atomic_init(&iso.mail_errors, 0);
	for (int p = 0; p < 2; p++)
		for (int k = 0; k < NKINDS; k++)
			if (samples_init(&iso.s[p][k], SAMPLE_CAP) < 0)
				return -ENOMEM;
	struct iso_thread t[TYPISTS + ARRIVALS + MAILERS];
	unsigned n = 0;
	/* The last users: section 2 leaves them alone (ISO_USERS). */
	unsigned first = env->nusers > ARRAY_SIZE(t) ? env->nusers - (unsigned)ARRAY_SIZE(t) : 0;
	for (unsigned i = 0; i < ARRAY_SIZE(t) && first + i < env->nusers; i++, n++) {
		t[i] = (struct iso_thread){.iso = &iso, .user = first + i};
		if (i >= TYPISTS && i < TYPISTS + ARRIVALS && first >= ISO_USERS) {
			t[i].slot = i - TYPISTS;
			t[i].pool = first;
		}
		void *(*fn)(void *) = i < TYPISTS	       ? typist
				      : i < TYPISTS + ARRIVALS ? arrival
							       : mailer;
		pthread_create(&t[i].thread, NULL, fn, &t[i]);
	}
	int64_t base_start = now_us(), busy0 = system_busy_ms();
	sleep(base_s);
	int64_t stall_start = now_us(), busy1 = system_busy_ms();
	if (kill(env->smtp_pid, SIGSTOP) < 0) {
		fprintf(stderr, "bench_reset: SIGSTOP %d: %s\n", (int)env->smtp_pid,
			strerror(errno));
	} else {
		atomic_store(&iso.period, DURING);
		sleep(stall_s);
	}
	atomic_store(&iso.period, AFTER);
	int64_t busy2 = system_busy_ms();
	kill(env->smtp_pid, SIGCONT);
	double stalled = (double)(now_us() - stall_start) / 1e6;
	atomic_store(&iso.stop, true);
	fprintf(stderr, "bench_reset: SMTP resumed after %.1f s; waiting for clients\n", stalled);
	/* Every client step has its own timeout, MAIL_TIMEOUT_MS at most. */
	for (unsigned i = 0; i < n; i++)
		pthread_join(t[i].thread, NULL);

	printf("3. Isolation: SMTP server stopped (SIGSTOP) for %.1f s after %u s of normal "
	       "running; %d typing, %d arriving, %d code-asking clients\n",
	       stalled, base_s, TYPISTS, ARRIVALS, MAILERS);
	printf("   (think time %d ms for typists, %d ms for arrivals, %d ms for code requests; "
	       "typists and code requests on users section 2 did not use)\n",
	       TYPIST_PACE_US / 1000, ARRIVAL_PACE_US / 1000, MAILER_PACE_US / 1000);
	printf("   %-40s %6s %7s %7s %6s %7s %7s %8s %6s\n", "", "before", "", "", "stall", "", "",
	       "", "p99");
	printf("   %-40s %6s %7s %7s %6s %7s %7s %8s %6s\n", "step (latency in ms)", "n", "p50",
	       "p99", "n", "p50", "p99", "max", "ratio");
	row("new password -> retype (policy check)", &iso.s[BEFORE][K_NEWPW],
	    &iso.s[DURING][K_NEWPW]);
	row("mismatched retype -> new-password prompt", &iso.s[BEFORE][K_MISMATCH],
	    &iso.s[DURING][K_MISMATCH]);
	row("new connection -> first prompt", &iso.s[BEFORE][K_FIRST], &iso.s[DURING][K_FIRST]);
	row("\"y\" -> method menu", &iso.s[BEFORE][K_MENU], &iso.s[DURING][K_MENU]);
	struct samples all[2];
	for (int p = 0; p < 2; p++) {
		if (samples_init(&all[p], SAMPLE_CAP * 4) < 0)
			return -ENOMEM;
		for (int k = K_NEWPW; k <= K_MENU; k++)
			samples_merge(&all[p], &iso.s[p][k]);
	}
	row("all mail-free steps", &all[BEFORE], &all[DURING]);
	row("\"1\" -> code prompt (needs SMTP)", &iso.s[BEFORE][K_MAIL], &iso.s[DURING][K_MAIL]);
	printf("   machine: %.2f cores busy before, %.2f during the stall (all processes)\n",
	       (double)(busy1 - busy0) / ((double)(stall_start - base_start) / 1000.0),
	       (double)(busy2 - busy1) / (stalled * 1000.0));
	printf("   failed steps: %u mail-free; %u code requests (during the stall ssprd answers "
	       "\"could not send\")\n",
	       atomic_load(&iso.errors), atomic_load(&iso.mail_errors));
	for (int p = 0; p < 2; p++) {
		samples_free(&all[p]);
		for (int k = 0; k < NKINDS; k++)
			samples_free(&iso.s[p][k]);
	}
	return 0;
}
