/* Shared helpers of the `make bench` programs: a monotonic microsecond clock,
 * latency samples with percentiles, and what /proc says about a process. */
#pragma once

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Monotonic clock in microseconds. */
int64_t now_us(void);

/* A bounded, thread-safe set of latencies in microseconds. Samples beyond
 * the capacity are counted but not kept. */
struct samples {
	pthread_mutex_t lock;
	uint32_t *us;
	size_t n, cap, dropped;
};

int samples_init(struct samples *s, size_t cap);
void samples_free(struct samples *s);
void samples_add(struct samples *s, int64_t us);
/* Append every sample of src to dst. */
void samples_merge(struct samples *dst, struct samples *src);
/* The p-th percentile (0..100) in microseconds, nearest rank; -1 when empty. */
int64_t samples_pct(struct samples *s, double p);
int64_t samples_max(struct samples *s);

/* VmRSS, VmHWM (kB) and Threads of a process; -errno when unreadable. */
int proc_status(pid_t pid, long *rss_kb, long *hwm_kb, long *threads);
/* User + system CPU time of a whole process, in milliseconds; -1 on error. */
int64_t proc_cpu_ms(pid_t pid);
/* A child process of parent with the same command name (ssprd's engine
 * after the privilege split), or 0 when there is none. */
pid_t proc_same_child(pid_t parent);
/* Same, for this process (all threads). */
int64_t self_cpu_ms(void);
/* CPU time all processes on the machine used (not idle), in milliseconds
 * summed over the cores; -1 on error. */
int64_t system_busy_ms(void);

/* Milliseconds with one decimal, or "-" for a negative value, into buf. */
const char *fmt_ms(int64_t us, char *buf, size_t bufsz);

/* `perf stat` counting events of another process, started and stopped
 * through perf's control descriptors, so that a count covers exactly the
 * time between perf_count_start's return and perf_count_stop: perf needs
 * from a few ms to seconds (a busy machine, a uprobe) before it counts. */
struct perf_count {
	pid_t pid;
	int fd; /* our end of perf's --control socket */
};
/* 0 once perf counts events of the processes in targets ("PID" or
 * "PID,PID", summed; CSV into out); -errno when it cannot. */
int perf_count_start(struct perf_count *pc, const char *targets, const char *events,
		     const char *out);
/* Stop counting, let perf write out, reap it. NULL-safe, idempotent. */
void perf_count_stop(struct perf_count *pc);
