/* Section 4: ssprd's resident memory idle and with many open dialogues,
 * each a client that sent RESET_START and waits at the first prompt. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "tests/bench/bench_reset.h"

#define SPARE_FDS     64
#define SETTLE_US     300000
#define OPEN_BUDGET_S 60
#define GONE_WAIT_S   15

static int raise_nofile(unsigned want)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -errno;
	if (rl.rlim_cur >= want)
		return 0;
	if (rl.rlim_max < want)
		return -EMFILE;
	rl.rlim_cur = want;
	return setrlimit(RLIMIT_NOFILE, &rl) < 0 ? -errno : 0;
}

struct mem {
	long rss, hwm, threads; /* KiB, KiB, count */
};

static struct mem mem_of(pid_t pid)
{
	struct mem m = {0, 0, 0};
	if (pid <= 0 || proc_status(pid, &m.rss, &m.hwm, &m.threads) < 0)
		m = (struct mem){0, 0, 0};
	return m;
}

/* The engine holds the dialogues; after the split the privileged process
 * has a thread per request channel, so it is shown too. */
static void mem_row(const struct bench_env *env, const char *label, unsigned n, struct mem e,
		    struct mem p, bool peak)
{
	char num[16] = "";
	if (n)
		snprintf(num, sizeof(num), "%u", n);
	printf("   %-38s %5s %8ld KiB  threads %4ld", label, num, e.rss, e.threads);
	if (peak)
		printf(", peak %ld KiB", e.hwm);
	if (env->engine_pid > 0)
		printf("  | privileged %6ld KiB  threads %4ld", p.rss, p.threads);
	printf("\n");
}

int footprint_now(const struct bench_env *env, const char *label)
{
	pid_t epid = env->engine_pid > 0 ? env->engine_pid : env->daemon_pid;
	struct mem e = mem_of(epid), p = mem_of(env->engine_pid > 0 ? env->daemon_pid : 0);
	if (e.rss == 0)
		return -ESRCH;
	mem_row(env, label, 0, e, p, true);
	return 0;
}

int section_footprint(const struct bench_env *env, unsigned count)
{
	int r = raise_nofile(count + SPARE_FDS);
	if (r < 0) {
		fprintf(stderr, "bench_reset: cannot raise RLIMIT_NOFILE to %u: %s\n",
			count + SPARE_FDS, strerror(-r));
		return r;
	}
	struct dlg *d = calloc(count, sizeof(*d));
	if (!d)
		return -ENOMEM;
	/* e: the process that holds the dialogues; p: the privileged one. */
	pid_t epid = env->engine_pid > 0 ? env->engine_pid : env->daemon_pid;
	pid_t ppid = env->engine_pid > 0 ? env->daemon_pid : 0;
	struct mem e0 = mem_of(epid), p0 = mem_of(ppid);

	unsigned open_n = 0, failed = 0;
	int64_t t0 = now_us(), deadline = t0 + OPEN_BUDGET_S * 1000000LL;
	struct samples first;
	if (samples_init(&first, count) < 0) {
		free(d);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < count && now_us() < deadline; i++) {
		char user[32];
		bench_user(i % env->nusers, user, sizeof(user));
		int64_t s0 = now_us();
		r = dlg_start(&d[open_n], env->socket, user, STEP_TIMEOUT_MS);
		if (r == 0 && !d[open_n].ended) {
			samples_add(&first, now_us() - s0);
			open_n++;
		} else {
			dlg_close(&d[open_n]);
			if (++failed == 1)
				fprintf(stderr, "bench_reset: dialogue %u: %s\n", i,
					r < 0 ? strerror(-r) : "ended at once (connection limit?)");
		}
	}
	double open_s = (double)(now_us() - t0) / 1e6;
	usleep(SETTLE_US);
	struct mem e1 = mem_of(epid), p1 = mem_of(ppid), e2, p2;

	for (unsigned i = 0; i < open_n; i++)
		dlg_close(&d[i]);
	free(d);
	/* The daemon's threads notice the hang-ups and exit. */
	int64_t gone = now_us() + GONE_WAIT_S * 1000000LL;
	do {
		usleep(100000);
		e2 = mem_of(epid);
		p2 = mem_of(ppid);
	} while ((e2.threads > e0.threads || p2.threads > p0.threads) && now_us() < gone);

	char a[32], b[32];
	if (env->engine_pid > 0)
		printf("4. Footprint: ssprd resident memory (VmRSS): the engine, pid %d, which "
		       "holds the dialogues, and the privileged process, pid %d\n",
		       (int)env->engine_pid, (int)env->daemon_pid);
	else
		printf("4. Footprint: ssprd resident memory (VmRSS from /proc/%d/status)\n",
		       (int)env->daemon_pid);
	mem_row(env, "idle, fresh daemon, users enrolled", 0, e0, p0, false);
	mem_row(env, "open dialogues at the first prompt", open_n, e1, p1, true);
	printf("   %-44s %8.1f KiB", "added per open dialogue",
	       open_n ? (double)(e1.rss - e0.rss) / open_n : 0.0);
	if (env->engine_pid > 0)
		printf("  | privileged %6.1f KiB",
		       open_n ? (double)(p1.rss - p0.rss) / open_n : 0.0);
	printf("\n");
	mem_row(env, "all closed again", 0, e2, p2, false);
	printf("   opening them took %.1f s; first prompt p50 %s ms, p99 %s ms; %u refused or "
	       "failed\n",
	       open_s, fmt_ms(samples_pct(&first, 50), a, sizeof(a)),
	       fmt_ms(samples_pct(&first, 99), b, sizeof(b)), failed);
	samples_free(&first);
	return 0;
}
