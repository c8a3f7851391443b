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

static void status_or_zero(pid_t pid, long *rss, long *hwm, long *threads)
{
	if (proc_status(pid, rss, hwm, threads) < 0)
		*rss = *hwm = *threads = 0;
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
	long rss0, hwm0, thr0, rss1, hwm1, thr1, rss2, hwm2, thr2;
	status_or_zero(env->daemon_pid, &rss0, &hwm0, &thr0);

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
	status_or_zero(env->daemon_pid, &rss1, &hwm1, &thr1);

	for (unsigned i = 0; i < open_n; i++)
		dlg_close(&d[i]);
	free(d);
	/* The daemon's threads notice the hang-ups and exit. */
	int64_t gone = now_us() + GONE_WAIT_S * 1000000LL;
	do {
		usleep(100000);
		status_or_zero(env->daemon_pid, &rss2, &hwm2, &thr2);
	} while (thr2 > thr0 && now_us() < gone);

	char a[32], b[32];
	printf("4. Footprint: ssprd resident memory (VmRSS from /proc/%d/status)\n",
	       (int)env->daemon_pid);
	printf("   %-44s %8ld KiB  (threads %ld)\n", "idle, fresh daemon, users enrolled", rss0,
	       thr0);
	printf("   %-33s %10u %8ld KiB  (threads %ld, peak %ld KiB)\n",
	       "open dialogues at the first prompt", open_n, rss1, thr1, hwm1);
	printf("   %-44s %8.1f KiB\n", "added per open dialogue",
	       open_n ? (double)(rss1 - rss0) / open_n : 0.0);
	printf("   %-44s %8ld KiB  (threads %ld)\n", "all closed again", rss2, thr2);
	printf("   opening them took %.1f s; first prompt p50 %s ms, p99 %s ms; %u refused or "
	       "failed\n",
	       open_s, fmt_ms(samples_pct(&first, 50), a, sizeof(a)),
	       fmt_ms(samples_pct(&first, 99), b, sizeof(b)), failed);
	samples_free(&first);
	return 0;
}
