/*
 * bench_reset: the load client of `make bench` sections 2-4, run by
 * tests/bench/run-bench.sh against the real build/ssprd.
 *
 *   bench_reset setup DIR USERS
 *       write DIR/passwd, DIR/group (nss_wrapper) and DIR/shadow for
 *       bench000.. with uids from 20000, and sspr (990), the engine's user
 *   bench_reset throughput|isolation|footprint OPTIONS
 *       --socket PATH --inbox PATH --users N --daemon-pid PID --smtp-pid PID
 *       throughput: --conf PATH --seconds S --clients 1,8,64,32/1000,1
 *                   (N/T: N clients that think T ms before every answer)
 *                   [--crypt-event PERF_EVENT counting crypt_ra in ssprd]
 *       isolation:  --base S --stall S
 *       footprint:  --open N
 *   bench_reset rss PID LABEL
 *       one line with the VmRSS of ssprd (PID) and its engine, if split
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/util.h"
#include "ssprd/pwhash.h"
#include "tests/bench/bench_reset.h"

#define FIRST_UID    20000
#define ENGINE_UID   990
#define OLD_PASSWORD "Old-bench-pass-1"
#define LOGIN_DEFS   "/etc/login.defs"
#define MAX_THINK_MS 10000
#define MAX_SECONDS  600

static int write_files(const char *dir, unsigned n, const char *hash)
{
	char path[4096];
	static const char *const names[] = {"passwd", "group", "shadow"};
	long today = (long)(time(NULL) / 86400);
	for (unsigned k = 0; k < 3; k++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[k]);
		FILE *f = fopen(path, "we");
		if (!f)
			return -errno;
		/* sspr: the engine's user when ssprd splits. */
		if (k == 0)
			fprintf(f,
				"root:x:0:0:root:/root:/bin/sh\n"
				"sspr:x:%u:%u:sspr engine:/nonexistent:/usr/sbin/nologin\n",
				ENGINE_UID, ENGINE_UID);
		else if (k == 1)
			fprintf(f, "root:x:0:\nsspr:x:%u:\n", ENGINE_UID);
		else
			fprintf(f, "root:*:%ld:0:99999:7:::\n", today);
		for (unsigned i = 0; i < n; i++) {
			char user[32];
			bench_user(i, user, sizeof(user));
			if (k == 0)
				fprintf(f, "%s:x:%u:%u::/nonexistent:/bin/sh\n", user,
					FIRST_UID + i, FIRST_UID + i);
			else if (k == 1)
				fprintf(f, "%s:x:%u:\n", user, FIRST_UID + i);
			else
				fprintf(f, "%s:%s:%ld:0:99999:7:::\n", user, hash, today);
		}
		if (fclose(f) != 0 || chmod(path, k == 2 ? 0640 : 0644) < 0)
			return -errno;
	}
	return 0;
}

/* The initial hashes have the cost ssprd gives new ones (its default method,
 * costs from login.defs), so every hash verification in the flow (the
 * password history) costs what a new hash costs. The GECOS field stays
 * empty: the policy refuses passwords with words of the real name. */
static int write_users(const char *dir, unsigned n)
{
	char *hash = NULL;
	int r = pwhash_make(HASH_YESCRYPT, LOGIN_DEFS, OLD_PASSWORD, &hash);
	if (r < 0)
		return r;
	r = write_files(dir, n, hash);
	secret_free(hash);
	return r;
}

/* "1,8,64,32/1000,1": client counts, each optionally with a think time in ms. */
static int parse_levels(const char *s, struct level *out, unsigned *n)
{
	*n = 0;
	while (*s && *n < MAX_LEVELS) {
		char *end;
		unsigned long v = strtoul(s, &end, 10), t = 0;
		if (end == s || v < 1 || v > BENCH_MAX_USERS)
			return -EINVAL;
		if (*end == '/') {
			s = end + 1;
			t = strtoul(s, &end, 10);
			if (end == s || t > MAX_THINK_MS)
				return -EINVAL;
		}
		out[*n] = (struct level){(unsigned)v, (unsigned)t};
		(*n)++;
		if (*end && *end != ',')
			return -EINVAL;
		s = *end == ',' ? end + 1 : end;
	}
	return *n > 0 && !*s ? 0 : -EINVAL;
}

static unsigned bounded(const char *s, unsigned lo, unsigned hi)
{
	unsigned long v = strtoul(s, NULL, 10);
	return v < lo ? lo : v > hi ? hi : (unsigned)v;
}

static int usage(void)
{
	fprintf(stderr, "usage: bench_reset setup DIR USERS | rss PID LABEL |\n"
			"       bench_reset throughput|isolation|footprint --socket PATH "
			"--inbox PATH --users N\n"
			"         --daemon-pid PID --smtp-pid PID [--conf PATH --seconds S "
			"--clients 1,8,64,32/1000,1]\n"
			"         [--crypt-event EVENT] [--base S --stall S] [--open N]\n");
	return 2;
}

static int rss_line(const char *pid, const char *label)
{
	struct bench_env env = {.daemon_pid = (pid_t)atoi(pid)};
	env.engine_pid = proc_same_child(env.daemon_pid);
	return footprint_now(&env, label) < 0;
}

/* A failed SMTP stall must not leave the sink stopped. */
static pid_t smtp_to_continue = -1;
static void continue_smtp(void)
{
	if (smtp_to_continue > 0)
		kill(smtp_to_continue, SIGCONT);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	const char *cmd = argv[1];
	if (strcmp(cmd, "setup") == 0) {
		if (argc != 4)
			return usage();
		int r = write_users(argv[2], bounded(argv[3], 1, BENCH_MAX_USERS));
		if (r < 0)
			fprintf(stderr, "bench_reset setup: %s\n", strerror(-r));
		return r < 0;
	}
	if (strcmp(cmd, "rss") == 0)
		return argc == 4 ? rss_line(argv[2], argv[3]) : usage();

	static const struct option opts[] = {
	    {"socket", required_argument, NULL, 's'},
	    {"inbox", required_argument, NULL, 'i'},
	    {"users", required_argument, NULL, 'u'},
	    {"daemon-pid", required_argument, NULL, 'd'},
	    {"smtp-pid", required_argument, NULL, 'm'},
	    {"conf", required_argument, NULL, 'c'},
	    {"seconds", required_argument, NULL, 't'},
	    {"clients", required_argument, NULL, 'n'},
	    {"base", required_argument, NULL, 'b'},
	    {"stall", required_argument, NULL, 'S'},
	    {"open", required_argument, NULL, 'o'},
	    {"crypt-event", required_argument, NULL, 'e'},
	    {NULL, 0, NULL, 0},
	};
	struct bench_env env = {.nusers = 200};
	const char *inbox = NULL, *conf = NULL;
	unsigned seconds = 10, base = 10, stall = 30, open_n = 1000, nlevels = 1;
	struct level levels[MAX_LEVELS] = {{1, 0}};
	int c;
	optind = 2;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			env.socket = optarg;
			break;
		case 'i':
			inbox = optarg;
			break;
		case 'u':
			env.nusers = bounded(optarg, 1, BENCH_MAX_USERS);
			break;
		case 'd':
			env.daemon_pid = (pid_t)atoi(optarg);
			break;
		case 'm':
			env.smtp_pid = (pid_t)atoi(optarg);
			break;
		case 'c':
			conf = optarg;
			break;
		case 't':
			seconds = bounded(optarg, 1, MAX_SECONDS);
			break;
		case 'n':
			if (parse_levels(optarg, levels, &nlevels) < 0)
				return usage();
			break;
		case 'b':
			base = bounded(optarg, 1, MAX_SECONDS);
			break;
		case 'S':
			stall = bounded(optarg, 1, MAX_SECONDS);
			break;
		case 'o':
			open_n = bounded(optarg, 1, 100000);
			break;
		case 'e':
			env.crypt_event = optarg;
			break;
		default:
			return usage();
		}
	}
	if (!env.socket || !inbox || env.daemon_pid <= 0 || env.smtp_pid <= 0)
		return usage();
	env.engine_pid = proc_same_child(env.daemon_pid);
	int r = inbox_open(inbox, env.nusers, &env.inbox);
	if (r < 0) {
		fprintf(stderr, "bench_reset: inbox %s: %s\n", inbox, strerror(-r));
		return 1;
	}
	if (strcmp(cmd, "throughput") == 0 && conf) {
		r = section_throughput(&env, conf, seconds, levels, nlevels);
	} else if (strcmp(cmd, "isolation") == 0) {
		smtp_to_continue = env.smtp_pid;
		atexit(continue_smtp);
		r = section_isolation(&env, base, stall);
	} else if (strcmp(cmd, "footprint") == 0) {
		r = section_footprint(&env, open_n);
	} else {
		r = usage();
	}
	fflush(stdout);
	inbox_close(env.inbox);
	return r < 0 ? 1 : r;
}
