/* Section 2: complete reset dialogues per second with 1, 8 and 64 clients,
 * against the crypto-bound limit measured in the same run. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/conf.h"
#include "common/util.h"
#include "ssprd/pwhash.h"
#include "tests/bench/bench_reset.h"

/* ssprd/priv.c hashes with the costs of this file. */
#define LOGIN_DEFS	 "/etc/login.defs"
#define HASH_SAMPLES	 21
#define PARALLEL_SECONDS 2
#define MAX_PER_WORKER	 100000
#define MAX_FAILURES	 20
#define FSYNC_SAMPLES	 21
#define SAMPLE_CAP	 200000
#define WARMUP_DIALOGUES 5
#define FSYNC_EVENTS	 "syscalls:sys_enter_fsync,syscalls:sys_enter_fdatasync"

struct worker {
	const struct bench_env *env;
	unsigned id, n, users, think_ms;
	int64_t deadline;
	struct reset_stats *st;
	unsigned ok, failed;
	pthread_t thread;
};

struct hasher {
	enum hash_method method;
	int64_t deadline;
	unsigned long done;
	pthread_t thread;
};

/* Hashes per second and peak memory with n threads hashing at once. */
struct hash_level {
	unsigned threads;
	double rate, cores_used; /* cores: CPU time the process got / wall time */
	long hwm_kb;
};

static int64_t hash_once_us(enum hash_method m)
{
	char *h = NULL;
	int64_t t0 = now_us();
	int r = pwhash_make(m, LOGIN_DEFS, "Bench-hash-input-1", &h);
	int64_t us = now_us() - t0;
	secret_free(h);
	return r < 0 ? -1 : us;
}

static void *hasher_main(void *arg)
{
	struct hasher *h = arg;
	while (now_us() < h->deadline && hash_once_us(h->method) >= 0)
		h->done++;
	return NULL;
}

static long ncores(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? n : 1;
}

static void hash_parallel(enum hash_method m, struct hash_level *lv)
{
	struct hasher *h = calloc(lv->threads, sizeof(*h));
	if (!h)
		return;
	int64_t t0 = now_us(), cpu0 = self_cpu_ms();
	unsigned long total = 0;
	unsigned started = 0;
	for (; started < lv->threads; started++) {
		h[started] =
		    (struct hasher){.method = m, .deadline = t0 + PARALLEL_SECONDS * 1000000LL};
		if (pthread_create(&h[started].thread, NULL, hasher_main, &h[started]) != 0)
			break;
	}
	for (unsigned i = 0; i < started; i++) {
		pthread_join(h[i].thread, NULL);
		total += h[i].done;
	}
	lv->threads = started;
	double wall_us = (double)(now_us() - t0);
	lv->rate = (double)total * 1e6 / wall_us;
	lv->cores_used = (double)(self_cpu_ms() - cpu0) * 1000.0 / wall_us;
	long rss, threads;
	proc_status(getpid(), &rss, &lv->hwm_kb, &threads);
	free(h);
}

/* Per-hash median on one thread, then the rate and peak memory with as many
 * threads as cores, and with 8 and 64 hashing at once, as a daemon that
 * hashes in every connection thread would when that many clients reach the
 * password steps together. Levels run in rising order, so the process's
 * peak RSS after each is that level's peak. */
static int measure_hash(enum hash_method m, int64_t *median_us, struct hash_level *lv, unsigned nlv)
{
	struct samples s;
	if (samples_init(&s, HASH_SAMPLES) < 0)
		return -ENOMEM;
	for (unsigned i = 0; i < HASH_SAMPLES; i++) {
		int64_t us = hash_once_us(m);
		if (us < 0) {
			samples_free(&s);
			return -EINVAL;
		}
		samples_add(&s, us);
	}
	*median_us = samples_pct(&s, 50);
	samples_free(&s);
	for (unsigned i = 0; i < nlv; i++)
		hash_parallel(m, &lv[i]);
	return 0;
}

/* Median time of a 4 KiB write + fsync next to the shadow file. */
static int64_t fsync_probe(const char *shadow)
{
	char path[4200], buf[4096];
	snprintf(path, sizeof(path), "%s.bench-fsync", shadow);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	memset(buf, 'x', sizeof(buf));
	struct samples s;
	int64_t r = -1;
	if (samples_init(&s, FSYNC_SAMPLES) == 0) {
		for (unsigned i = 0; i < FSYNC_SAMPLES; i++) {
			int64_t t0 = now_us();
			if (pwrite(fd, buf, sizeof(buf), 0) != (ssize_t)sizeof(buf) ||
			    fsync(fd) < 0)
				break;
			samples_add(&s, now_us() - t0);
		}
		r = samples_pct(&s, 50);
		samples_free(&s);
	}
	close(fd);
	unlink(path);
	return r;
}

/* perf stat counting the daemon's fsync and fdatasync calls and, with a
 * crypt event, its crypt_ra calls, if perf is there; CSV into out. */
static int perf_start(const struct bench_env *env, const char *out, struct perf_count *pc)
{
	char events[512];
	snprintf(events, sizeof(events), "%s%s%s", FSYNC_EVENTS, env->crypt_event ? "," : "",
		 env->crypt_event ? env->crypt_event : "");
	char pids[64];
	if (env->engine_pid > 0)
		snprintf(pids, sizeof(pids), "%d,%d", (int)env->daemon_pid, (int)env->engine_pid);
	else
		snprintf(pids, sizeof(pids), "%d", (int)env->daemon_pid);
	int64_t t0 = now_us();
	int r = perf_count_start(pc, pids, events, out);
	if (r < 0)
		fprintf(stderr, "bench_reset: perf stat did not start counting: %s\n",
			strerror(-r));
	else
		fprintf(stderr, "bench_reset: perf stat counting after %.1f ms\n",
			(double)(now_us() - t0) / 1000.0);
	return r;
}

/* Stop perf; *fsyncs and *crypts get the counts, -1 when unknown. */
static void perf_stop(struct perf_count *pc, int started, const char *out, const char *crypt_event,
		      long *fsyncs, long *crypts)
{
	*fsyncs = *crypts = -1;
	perf_count_stop(pc);
	if (started < 0)
		return;
	FILE *f = fopen(out, "re");
	if (!f)
		return;
	char line[512];
	while (fgets(line, sizeof(line), f)) {
		/* "count,unit,event,..."; "<not counted>" lines are skipped. */
		if (line[0] < '0' || line[0] > '9')
			continue;
		long v = strtol(line, NULL, 10);
		if (strstr(line, "sys_enter_f"))
			*fsyncs = (*fsyncs < 0 ? 0 : *fsyncs) + v;
		else if (crypt_event && strstr(line, crypt_event))
			*crypts = v;
	}
	fclose(f);
	unlink(out);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	/* Disjoint users per worker: a new code replaces a user's older
	 * one, so two dialogues for one user would spoil each other. */
	unsigned mine = (w->users - w->id + w->n - 1) / w->n;
	/* Thinking clients start spread over about one dialogue's length. */
	for (unsigned i = 0; i < NSTEPS / 2; i++)
		bench_think(w->think_ms);
	for (unsigned k = 0; k < MAX_PER_WORKER && now_us() < w->deadline; k++) {
		if (reset_once(w->env, w->id + (k % mine) * w->n, w->think_ms, w->st) == 0) {
			w->ok++;
		} else if (++w->failed >= MAX_FAILURES) {
			break;
		}
	}
	return NULL;
}

struct phase {
	unsigned clients, users, think_ms, ok, failed;
	double seconds;
	/* ms of CPU; priv_cpu is the privileged process's part of daemon_cpu
	 * when ssprd split, else -1 */
	int64_t daemon_cpu, priv_cpu, smtp_cpu, self_cpu, busy;
	long fsyncs, crypts;
	struct reset_stats st;
};

static int run_phase(const struct bench_env *env, struct phase *ph, unsigned seconds,
		     const char *perf_out)
{
	struct worker *w = calloc(ph->clients, sizeof(*w));
	if (!w)
		return -ENOMEM;
	int64_t d0 = proc_cpu_ms(env->daemon_pid), m0 = proc_cpu_ms(env->smtp_pid);
	int64_t e0 = env->engine_pid > 0 ? proc_cpu_ms(env->engine_pid) : 0;
	int64_t s0 = self_cpu_ms(), b0 = system_busy_ms();
	/* Counting starts before the first dialogue does and stops after the
	 * last one ended: the counts are per dialogue. */
	struct perf_count pc;
	int counting = perf_start(env, perf_out, &pc);
	int64_t t0 = now_us();
	for (unsigned i = 0; i < ph->clients; i++) {
		w[i] = (struct worker){.env = env,
				       .id = i,
				       .n = ph->clients,
				       .users = ph->users,
				       .think_ms = ph->think_ms,
				       .deadline = t0 + seconds * 1000000LL,
				       .st = &ph->st};
		pthread_create(&w[i].thread, NULL, worker_main, &w[i]);
	}
	for (unsigned i = 0; i < ph->clients; i++) {
		pthread_join(w[i].thread, NULL);
		ph->ok += w[i].ok;
		ph->failed += w[i].failed;
	}
	ph->seconds = (double)(now_us() - t0) / 1e6;
	perf_stop(&pc, counting, perf_out, env->crypt_event, &ph->fsyncs, &ph->crypts);
	ph->priv_cpu = env->engine_pid > 0 ? proc_cpu_ms(env->daemon_pid) - d0 : -1;
	ph->daemon_cpu = proc_cpu_ms(env->daemon_pid) - d0 +
			 (env->engine_pid > 0 ? proc_cpu_ms(env->engine_pid) - e0 : 0);
	ph->smtp_cpu = proc_cpu_ms(env->smtp_pid) - m0;
	ph->self_cpu = self_cpu_ms() - s0;
	ph->busy = system_busy_ms() - b0;
	free(w);
	return 0;
}

/* "8", "64/500ms"; "1 again" when an earlier phase ran the same level (the
 * users then have a longer password history). */
static const char *level_name(const struct phase *ph, unsigned i, char *buf, size_t bufsz)
{
	bool again = false;
	for (unsigned j = 0; j < i; j++)
		again |= ph[j].clients == ph[i].clients && ph[j].think_ms == ph[i].think_ms;
	int n = ph[i].think_ms ? snprintf(buf, bufsz, "%u/%ums", ph[i].clients, ph[i].think_ms)
			       : snprintf(buf, bufsz, "%u", ph[i].clients);
	if (again && n > 0 && (size_t)n < bufsz)
		snprintf(buf + n, bufsz - (size_t)n, " again");
	return buf;
}

/* The crypto-bound limit of a phase: all cores doing nothing but the
 * crypt(3) calls its dialogues needed, each costing what one hash costs. */
static double phase_limit(const struct phase *ph, int64_t hash_us, long cores)
{
	double per = ph->crypts > 0 && ph->ok ? (double)ph->crypts / ph->ok : 1.0;
	return (double)cores * 1e6 / (per * (double)hash_us);
}

static void print_rates(struct phase *ph, unsigned n, int64_t hash_us, long cores)
{
	char a[32], b[32];
	printf("   %9s %5s %4s %6s %6s %7s %6s %6s %7s %7s\n", "clients", "done", "fail", "per s",
	       "crypt", "limit", "of", "of 1-", "step", "step");
	printf("   %9s %5s %4s %6s %6s %7s %6s %6s %7s %7s\n", "", "", "", "", "/dlg", "per s",
	       "limit", "hash", "p50 ms", "p99 ms");
	for (unsigned i = 0; i < n; i++) {
		double rate = ph[i].ok / ph[i].seconds, k = ph[i].ok ? ph[i].ok : 1;
		double limit = phase_limit(&ph[i], hash_us, cores);
		char c[32] = "-", name[32];
		if (ph[i].crypts >= 0)
			snprintf(c, sizeof(c), "%.2f", (double)ph[i].crypts / k);
		printf("   %9s %5u %4u %6.1f %6s %7.1f %5.0f%% %5.0f%% %7s %7s\n",
		       level_name(ph, i, name, sizeof(name)), ph[i].ok, ph[i].failed, rate, c,
		       limit, 100.0 * rate / limit, 100.0 * rate * (double)hash_us / 1e6 / cores,
		       fmt_ms(samples_pct(&ph[i].st.all, 50), a, sizeof(a)),
		       fmt_ms(samples_pct(&ph[i].st.all, 99), b, sizeof(b)));
	}
}

/* Where the CPU went: per dialogue for our three processes, and in cores
 * for everything else on the machine (other people's work skews a run). */
static void print_cpu(struct phase *ph, unsigned n)
{
	printf("   %9s %10s %10s %10s %10s %13s %9s\n", "clients", "ssprd CPU", "of which",
	       "SMTP CPU", "load CPU", "other procs", "fsyncs");
	printf("   %9s %10s %10s %10s %10s %13s %9s\n", "", "ms/dlg", "privileged", "ms/dlg",
	       "ms/dlg", "cores busy", "/dlg");
	for (unsigned i = 0; i < n; i++) {
		double k = ph[i].ok ? ph[i].ok : 1;
		char f[32] = "-", o[32] = "-", p[32] = "-", name[32];
		if (ph[i].priv_cpu >= 0)
			snprintf(p, sizeof(p), "%.1f", (double)ph[i].priv_cpu / k);
		if (ph[i].fsyncs >= 0)
			snprintf(f, sizeof(f), "%.1f", (double)ph[i].fsyncs / k);
		int64_t other = ph[i].busy - ph[i].daemon_cpu - ph[i].smtp_cpu - ph[i].self_cpu;
		if (ph[i].busy >= 0)
			snprintf(o, sizeof(o), "%.2f",
				 (double)(other > 0 ? other : 0) / 1000.0 / ph[i].seconds);
		printf("   %9s %10.1f %10s %10.1f %10.1f %13s %9s\n",
		       level_name(ph, i, name, sizeof(name)), (double)ph[i].daemon_cpu / k, p,
		       (double)ph[i].smtp_cpu / k, (double)ph[i].self_cpu / k, o, f);
	}
}

static void print_steps(struct phase *ph, unsigned n)
{
	char a[32], b[32];
	printf("   step latency p50 / p99 in ms (think time excluded)\n");
	printf("   %-36s", "clients");
	for (unsigned i = 0; i < n; i++) {
		char name[32];
		printf(" %15s", level_name(ph, i, name, sizeof(name)));
	}
	printf("\n");
	for (int s = 0; s <= NSTEPS + 2; s++) {
		static const char *const extra[] = {"all steps pooled",
						    "code wait (mail to client, excluded)",
						    "whole dialogue, connect to END"};
		printf("   %-36s", s < NSTEPS ? step_name((enum step)s) : extra[s - NSTEPS]);
		for (unsigned i = 0; i < n; i++) {
			struct reset_stats *st = &ph[i].st;
			struct samples *x = s < NSTEPS	      ? &st->step[s]
					    : s == NSTEPS     ? &st->all
					    : s == NSTEPS + 1 ? &st->codewait
							      : &st->total;
			char cell[48];
			snprintf(cell, sizeof(cell), "%s / %s", fmt_ms(samples_pct(x, 50), a, 32),
				 fmt_ms(samples_pct(x, 99), b, 32));
			printf(" %15s", cell);
		}
		printf("\n");
	}
}

int section_throughput(const struct bench_env *env, const char *conf_path, unsigned seconds,
		       const struct level *levels, unsigned nlevels)
{
	struct sspr_conf conf;
	char err[512] = "";
	conf_init_defaults(&conf);
	if (conf_load(&conf, conf_path, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench_reset: %s\n", err);
		conf_free(&conf);
		return -EINVAL;
	}
	long cores = ncores();
	int64_t hash_us = 0;
	struct hash_level hl[] = {{.threads = (unsigned)cores}, {.threads = 8}, {.threads = 64}};
	int r = measure_hash(conf.hash_method, &hash_us, hl, ARRAY_SIZE(hl));
	int64_t fsync_us = fsync_probe(conf.shadow_file);
	const char *method = conf.hash_method == HASH_YESCRYPT ? "yescrypt" : "sha512crypt";
	conf_free(&conf);
	if (r < 0) {
		fprintf(stderr, "bench_reset: pwhash_make failed\n");
		return r;
	}

	/* Section 3's users stay out of the way. */
	unsigned users = env->nusers > 2 * ISO_USERS ? env->nusers - ISO_USERS : env->nusers;
	/* Warm-up, not counted: page cache, sqlite, first SMTP connects. */
	struct reset_stats warm;
	if (reset_stats_init(&warm, 64) < 0)
		return -ENOMEM;
	for (unsigned i = 0; i < WARMUP_DIALOGUES; i++)
		reset_once(env, i % users, 0, &warm);
	reset_stats_free(&warm);

	struct phase ph[MAX_LEVELS];
	char perf_out[4200];
	snprintf(perf_out, sizeof(perf_out), "%s.perf", env->socket);
	unsigned long notices0 = inbox_notices(env->inbox);
	unsigned n = 0, total_ok = 0;
	for (; n < nlevels && n < MAX_LEVELS; n++) {
		memset(&ph[n], 0, sizeof(ph[n]));
		ph[n].users = users;
		ph[n].clients = levels[n].clients < users ? levels[n].clients : users;
		ph[n].think_ms = levels[n].think_ms;
		if (reset_stats_init(&ph[n].st, SAMPLE_CAP) < 0 ||
		    run_phase(env, &ph[n], seconds, perf_out) < 0)
			return -ENOMEM;
		total_ok += ph[n].ok;
		fprintf(stderr, "bench_reset: %u clients (think %u ms): %u dialogues in %.1f s\n",
			ph[n].clients, ph[n].think_ms, ph[n].ok, ph[n].seconds);
	}
	/* A notice is sent before END; give the inbox a moment for the last. */
	for (int i = 0; i < 50 && inbox_notices(env->inbox) - notices0 < total_ok; i++)
		usleep(100000);

	char a[32];
	printf("2. Reset throughput: complete dialogues through build/ssprd (%s); protocol-level "
	       "load client, aiosmtpd on loopback, %u users\n",
	       env->engine_pid > 0 ? "privilege split, as installed" : "no privilege split", users);
	printf("   one %s hash (pwhash_make, costs of %s): %s ms; x %ld cores: %.1f hashes/s "
	       "= the limit at one hash per dialogue\n",
	       method, LOGIN_DEFS, fmt_ms(hash_us, a, sizeof(a)), cores,
	       (double)cores * 1e6 / (double)hash_us);
	printf("   crypto in the flow: the new shadow hash plus the password-history checks "
	       "(crypt verifications of the current\n"
	       "   and remembered hashes, no argon2; codes are keyed BLAKE2b). %s\n",
	       env->crypt_event
		   ? "crypt/dlg counts crypt_ra() calls in ssprd (perf uprobe); "
		     "limit = cores / (crypt/dlg x hash time)"
		   : "crypt_ra() calls not counted (no perf uprobe): limit assumes one "
		     "hash per dialogue");
	printf("   N threads of one process hashing at once:");
	for (unsigned i = 0; i < ARRAY_SIZE(hl); i++)
		printf("%s N=%u %.1f/s on %.1f cores, peak RSS %ld MiB", i ? ";" : "",
		       hl[i].threads, hl[i].rate, hl[i].cores_used, hl[i].hwm_kb / 1024);
	printf("\n   fsync of a 4 KiB write next to the shadow file: %s ms (median); reset "
	       "notices received: %lu of %u resets\n",
	       fmt_ms(fsync_us, a, sizeof(a)), inbox_notices(env->inbox) - notices0, total_ok);
	print_rates(ph, n, hash_us, cores);
	print_cpu(ph, n);
	print_steps(ph, n);
	for (unsigned i = 0; i < n; i++)
		reset_stats_free(&ph[i].st);
	return 0;
}
