/*
 * `make bench`, password policy: how long a policy check takes with a
 * breached-password list of 10^7 lines (about 460 MB), and how much memory
 * it needs. The list is generated here (deterministic, sorted, with the real
 * SHA-1 digests of a few passwords) and removed at the end.
 *
 * Reports, each over many lookups: the breached-list search alone with the
 * file in the page cache and with its pages evicted before every lookup
 * (posix_fadvise DONTNEED: real disk reads), the whole policy_check as
 * `passwd` runs it without and with a password history, and the process's
 * peak RSS.
 *
 * Environment: SSPR_BENCH_POLICY_LINES [10000000], SSPR_BENCH_POLICY_LOOKUPS
 * [20000], TMPDIR [/tmp].
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/conf.h"
#include "common/log.h"
#include "common/util.h"
#include "ssprd/breached.h"
#include "ssprd/history.h"
#include "ssprd/policy.h"
#include "ssprd/pwhash.h"
#include "ssprd/store.h"
#include "tests/unit/breached_gen.h"

#define COLD_LOOKUPS	200
#define POLICY_CHECKS	2000
#define HISTORY_CHECKS	20
#define SAMPLES		4096
#define LISTED_PASSWORD "Summer2024!Summer2024!"

static const char *const listed[] = {LISTED_PASSWORD, "password", "123456789012"};

static double now_ms_f(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static long maxrss_kb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

struct series {
	double *ms;
	size_t n;
	unsigned long probes, max_probes;
};

static void report(const char *what, struct series *s)
{
	qsort(s->ms, s->n, sizeof(double), cmp_double);
	printf("%-44s %8zu %9.3f %9.3f %9.3f", what, s->n, s->ms[s->n / 2], s->ms[s->n * 99 / 100],
	       s->ms[s->n - 1]);
	if (s->probes)
		printf("   %.2f / %lu", (double)s->probes / (double)s->n, s->max_probes);
	printf("\n");
}

static void random_digest(uint64_t *state, uint8_t d[SHA1_DIGEST_SIZE])
{
	for (int b = 0; b < SHA1_DIGEST_SIZE; b++) {
		*state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
		d[b] = (uint8_t)(*state >> 56);
	}
}

/* Half present lines, half absent digests; evict: drop the file's pages
 * from the page cache before every lookup. */
static int lookups(int fd, uint64_t size, uint8_t (*sample)[SHA1_DIGEST_SIZE], size_t n, bool evict,
		   struct series *s)
{
	uint64_t state = 42;
	for (size_t i = 0; i < n; i++) {
		uint8_t d[SHA1_DIGEST_SIZE];
		if (i % 2 == 0)
			memcpy(d, sample[(i * 7919) % SAMPLES], sizeof(d));
		else
			random_digest(&state, d);
		if (evict)
			posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		bool found = false;
		struct breached_stats st;
		double t0 = now_ms_f();
		int r = breached_search_fd(fd, size, d, &found, &st);
		s->ms[s->n++] = now_ms_f() - t0;
		if (r < 0 || found != (i % 2 == 0)) {
			fprintf(stderr, "bench_policy: lookup %zu: r=%d found=%d\n", i, r, found);
			return -EIO;
		}
		s->probes += st.probes;
		if (st.probes > s->max_probes)
			s->max_probes = st.probes;
	}
	return 0;
}

static int checks(struct sspr_conf *conf, struct store *store, size_t n, struct series *s)
{
	static const char *const pw[] = {"Kettle-umbrella-38-piano",
					 "Quietly the violet heron "
					 "fished beneath willows",
					 LISTED_PASSWORD, "Zq8#mW2!pL4x"};
	char reason[256];
	for (size_t i = 0; i < n; i++) {
		struct policy_request req = {
		    .user = "carol", .password = pw[i % 4], .path = POLICY_CHANGE};
		double t0 = now_ms_f();
		int r = policy_check(conf, store, &req, reason, sizeof(reason));
		s->ms[s->n++] = now_ms_f() - t0;
		bool want_refused = i % 4 == 2;
		if (want_refused ? r != -EINVAL : r != 0) {
			fprintf(stderr, "bench_policy: check %zu gave %d: %s\n", i, r, reason);
			return -EIO;
		}
	}
	return 0;
}

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");
	if (!f)
		return -errno;
	fputs(text, f);
	return fclose(f) == 0 ? 0 : -EIO;
}

/* carol's shadow entry, then history + 1 earlier hashes in the store. */
static int make_history(struct sspr_conf *conf, struct store *store, const char *shadow)
{
	char line[1024];
	for (unsigned i = 0; i <= conf->history + 1; i++) {
		char pw[64], *h = NULL;
		snprintf(pw, sizeof(pw), "Earlier-password-%u", i);
		int r = pwhash_make(conf->hash_method, "/etc/login.defs", pw, &h);
		if (r < 0)
			return r;
		snprintf(line, sizeof(line), "carol:%s:19000:0:99999:7:::\n", h);
		secret_free(h);
		if ((r = write_text(shadow, line)) < 0 ||
		    (r = history_record_current(conf, store, "carol")) < 0)
			return r;
	}
	return 0;
}

int main(void)
{
	const char *e = getenv("SSPR_BENCH_POLICY_LINES");
	uint64_t lines = e ? strtoull(e, NULL, 10) : 10000000ULL;
	e = getenv("SSPR_BENCH_POLICY_LOOKUPS");
	size_t nlook = e ? strtoul(e, NULL, 10) : 20000;
	const char *tmp = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	if (lines < 2 || nlook < 2) {
		fprintf(stderr, "bench_policy: bad SSPR_BENCH_POLICY_* values\n");
		return 2;
	}
	log_init("bench_policy", LOG_WARNING);

	char dir[512], list[600], shadow[600], pwq[600];
	snprintf(dir, sizeof(dir), "%s/sspr-bench-policy-XXXXXX", tmp);
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(list, sizeof(list), "%s/pwned.txt", dir);
	snprintf(shadow, sizeof(shadow), "%s/shadow", dir);
	snprintf(pwq, sizeof(pwq), "%s/pwquality.conf", dir);

	int status = 1, fd = -1;
	struct store *store = NULL;
	struct sspr_conf conf;
	static uint8_t sample[SAMPLES][SHA1_DIGEST_SIZE];
	struct series s = {.ms = calloc(nlook + POLICY_CHECKS + COLD_LOOKUPS, sizeof(double))};
	if (conf_init_defaults(&conf) < 0 || !s.ms)
		goto out;

	long rss0 = maxrss_kb();
	struct breached_gen g = {.lines = lines,
				 .seed = 20241124,
				 .passwords = listed,
				 .npasswords = 3,
				 .sample = sample,
				 .nsample = SAMPLES};
	uint64_t size = 0;
	double t0 = now_ms_f();
	int r = breached_gen_write(list, &g, &size);
	if (r < 0) {
		fprintf(stderr, "bench_policy: generating %s: %s\n", list, strerror(-r));
		goto out;
	}
	printf("\n== Password policy: breached list of %llu lines (%.0f MB), generated in %.1f s\n",
	       (unsigned long long)lines, (double)size / 1e6, (now_ms_f() - t0) / 1000.0);
	fd = open(list, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fdatasync(fd) < 0)
		goto out;
	printf("%-44s %8s %9s %9s %9s   %s\n", "(times in ms)", "n", "median", "p99", "max",
	       "reads mean / max");

	long rss1 = maxrss_kb();
	if (lookups(fd, size, sample, COLD_LOOKUPS, true, &s) < 0)
		goto out;
	report("breached lookup, page cache dropped", &s);
	s = (struct series){.ms = s.ms};
	if (lookups(fd, size, sample, nlook, false, &s) < 0)
		goto out;
	report("breached lookup, list in page cache", &s);
	long rss2 = maxrss_kb();

	/* policy_check as passwd runs it: text rules, the list, libpwquality
	 * with its defaults (cracklib dictionary included). */
	free(conf.breached_list);
	conf.breached_list = strdup(list);
	free(conf.pwquality_conf);
	conf.pwquality_conf = strdup(pwq);
	free(conf.shadow_file);
	conf.shadow_file = strdup(shadow);
	free(conf.opasswd);
	conf.opasswd = NULL;
	if (write_text(pwq, "dictcheck = 1\n") < 0 || store_open(dir, &store) < 0)
		goto out;
	s = (struct series){.ms = s.ms};
	if (checks(&conf, NULL, POLICY_CHECKS, &s) < 0)
		goto out;
	report("policy_check, no history", &s);
	if (make_history(&conf, store, shadow) < 0)
		goto out;
	s = (struct series){.ms = s.ms};
	if (checks(&conf, store, HISTORY_CHECKS, &s) < 0)
		goto out;
	char what[64];
	snprintf(what, sizeof(what), "policy_check, history = %u (yescrypt)", conf.history);
	report(what, &s);
	long rss3 = maxrss_kb();
	printf("peak RSS: %ld kB at start, %ld kB after generating, %ld kB after %zu lookups "
	       "(+%ld kB), %ld kB at the end\n",
	       rss0, rss1, rss2, nlook + COLD_LOOKUPS, rss2 - rss1, rss3);
	status = 0;
out:
	if (fd >= 0)
		close(fd);
	store_close(store);
	conf_free(&conf);
	free(s.ms);
	char cmd[700];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_policy: could not remove %s\n", dir);
	if (status)
		fprintf(stderr, "bench_policy: failed\n");
	return status;
}
