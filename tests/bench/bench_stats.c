#include "tests/bench/bench_stats.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* How long perf may take to start counting, and to stop and write. */
#define PERF_ACK_MS  20000
#define PERF_STOP_MS 3000

int64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int samples_init(struct samples *s, size_t cap)
{
	memset(s, 0, sizeof(*s));
	s->us = calloc(cap, sizeof(*s->us));
	if (!s->us)
		return -ENOMEM;
	s->cap = cap;
	pthread_mutex_init(&s->lock, NULL);
	return 0;
}

void samples_free(struct samples *s)
{
	if (!s || !s->us)
		return;
	free(s->us);
	s->us = NULL;
	pthread_mutex_destroy(&s->lock);
}

void samples_add(struct samples *s, int64_t us)
{
	if (us < 0)
		us = 0;
	if (us > UINT32_MAX)
		us = UINT32_MAX;
	pthread_mutex_lock(&s->lock);
	if (s->n < s->cap)
		s->us[s->n++] = (uint32_t)us;
	else
		s->dropped++;
	pthread_mutex_unlock(&s->lock);
}

void samples_merge(struct samples *dst, struct samples *src)
{
	pthread_mutex_lock(&src->lock);
	for (size_t i = 0; i < src->n; i++)
		samples_add(dst, src->us[i]);
	pthread_mutex_unlock(&src->lock);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

int64_t samples_pct(struct samples *s, double p)
{
	pthread_mutex_lock(&s->lock);
	int64_t r = -1;
	if (s->n > 0) {
		qsort(s->us, s->n, sizeof(*s->us), cmp_u32);
		/* Nearest rank: the smallest sample with at least p% of all
		 * samples at or below it. */
		size_t rank = (size_t)((p / 100.0) * (double)s->n + 0.999999);
		if (rank < 1)
			rank = 1;
		if (rank > s->n)
			rank = s->n;
		r = s->us[rank - 1];
	}
	pthread_mutex_unlock(&s->lock);
	return r;
}

int64_t samples_max(struct samples *s)
{
	return samples_pct(s, 100.0);
}

int proc_status(pid_t pid, long *rss_kb, long *hwm_kb, long *threads)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return -errno;
	*rss_kb = *hwm_kb = *threads = -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "VmRSS: %ld", rss_kb) == 1)
			continue;
		if (sscanf(line, "VmHWM: %ld", hwm_kb) == 1)
			continue;
		sscanf(line, "Threads: %ld", threads);
	}
	fclose(f);
	return *rss_kb >= 0 ? 0 : -ENODATA;
}

/* /proc/PID/stat into buf; the fields after the command name start two
 * bytes after the returned ')' (the name may hold spaces and parentheses,
 * so the last one). NULL when unreadable. */
static char *proc_stat_read(pid_t pid, char *buf, size_t bufsz)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return NULL;
	size_t n = fread(buf, 1, bufsz - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strrchr(buf, ')');
}

int64_t proc_cpu_ms(pid_t pid)
{
	char buf[2048];
	char *p = proc_stat_read(pid, buf, sizeof(buf));
	if (!p)
		return -1;
	/* utime and stime are fields 14 and 15. */
	unsigned long long ut = 0, st = 0;
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return -1;
	long hz = sysconf(_SC_CLK_TCK);
	return (int64_t)((ut + st) * 1000ULL / (unsigned long long)(hz > 0 ? hz : 100));
}

/* The command name and parent of a process from /proc/PID/stat. */
static int proc_comm_ppid(pid_t pid, char *comm, size_t commsz, pid_t *ppid)
{
	char buf[512];
	char *close = proc_stat_read(pid, buf, sizeof(buf));
	if (!close)
		return -ESRCH;
	char *open = strchr(buf, '(');
	int parent = 0;
	if (!open || close < open || sscanf(close + 2, "%*c %d", &parent) != 1)
		return -EINVAL;
	snprintf(comm, commsz, "%.*s", (int)(close - open - 1), open + 1);
	*ppid = (pid_t)parent;
	return 0;
}

pid_t proc_same_child(pid_t parent)
{
	char want[64], comm[64];
	pid_t pp;
	if (proc_comm_ppid(parent, want, sizeof(want), &pp) < 0)
		return 0;
	DIR *d = opendir("/proc");
	if (!d)
		return 0;
	pid_t found = 0;
	for (struct dirent *de; !found && (de = readdir(d));) {
		pid_t pid = (pid_t)atoi(de->d_name);
		if (pid > 0 && proc_comm_ppid(pid, comm, sizeof(comm), &pp) == 0 && pp == parent &&
		    strcmp(comm, want) == 0)
			found = pid;
	}
	closedir(d);
	return found;
}

int64_t self_cpu_ms(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return -1;
	return (int64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
}

int64_t system_busy_ms(void)
{
	FILE *f = fopen("/proc/stat", "re");
	if (!f)
		return -1;
	unsigned long long v[8] = {0};
	int n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
		       &v[4], &v[5], &v[6], &v[7]);
	fclose(f);
	if (n != 8)
		return -1;
	/* user nice system idle iowait irq softirq steal: all but idle and
	 * iowait is work. */
	unsigned long long busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
	long hz = sysconf(_SC_CLK_TCK);
	return (int64_t)(busy * 1000ULL / (unsigned long long)(hz > 0 ? hz : 100));
}

const char *fmt_ms(int64_t us, char *buf, size_t bufsz)
{
	if (us < 0)
		snprintf(buf, bufsz, "-");
	else
		snprintf(buf, bufsz, "%.1f", (double)us / 1000.0);
	return buf;
}

/* Send a control command and wait for perf's "ack". */
static int perf_command(struct perf_count *pc, const char *cmd, int timeout_ms)
{
	/* A socket, not a pipe: a perf that is gone must not SIGPIPE us. */
	if (send(pc->fd, cmd, strlen(cmd), MSG_NOSIGNAL) != (ssize_t)strlen(cmd))
		return -EIO;
	struct pollfd p = {.fd = pc->fd, .events = POLLIN};
	char buf[16];
	if (poll(&p, 1, timeout_ms) != 1)
		return -ETIMEDOUT;
	ssize_t n = recv(pc->fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	return strstr(buf, "ack") ? 0 : -EPROTO;
}

static void perf_reap(struct perf_count *pc)
{
	int st;
	kill(pc->pid, SIGINT);
	for (int i = 0; i < PERF_STOP_MS / 10 && waitpid(pc->pid, &st, WNOHANG) == 0; i++)
		usleep(10000);
	if (waitpid(pc->pid, &st, WNOHANG) == 0) {
		kill(pc->pid, SIGKILL);
		waitpid(pc->pid, &st, 0);
	}
	pc->pid = 0;
}

int perf_count_start(struct perf_count *pc, const char *targets, const char *events,
		     const char *out)
{
	int sv[2];
	*pc = (struct perf_count){.fd = -1};
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	pid_t pid = fork();
	if (pid == 0) {
		char control[64];
		/* perf's end stays open across exec (dup drops CLOEXEC); it
		 * reads commands from it and writes its acks to it. */
		int c = dup(sv[1]);
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null >= 0) {
			dup2(null, 1);
			dup2(null, 2);
		}
		snprintf(control, sizeof(control), "fd:%d,%d", c, c);
		execlp("perf", "perf", "stat", "-x", ",", "-o", out, "--delay=-1", "--control",
		       control, "-e", events, "-p", targets, (char *)NULL);
		_exit(127);
	}
	int r = pid < 0 ? -errno : 0;
	close(sv[1]);
	pc->fd = sv[0];
	pc->pid = pid > 0 ? pid : 0;
	/* No perf, or one that cannot attach, never acks. */
	if (r == 0)
		r = perf_command(pc, "enable\n", PERF_ACK_MS);
	if (r < 0)
		perf_count_stop(pc);
	return r;
}

void perf_count_stop(struct perf_count *pc)
{
	if (!pc)
		return;
	if (pc->pid > 0) {
		/* Disabled first: reaping and writing out count nothing. */
		perf_command(pc, "disable\n", PERF_STOP_MS);
		perf_reap(pc);
	}
	if (pc->fd >= 0)
		close(pc->fd);
	pc->fd = -1;
}
