/* How long a decoy waits where a real dialogue delivers a code or writes
 * an audit row: learnt from the real ones, per kind, in memory. */
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ssprd/decoy.h"

/* Recent enough to follow a relay that got slower, enough for a stable
 * median. */
#define WINDOW 31
/* How long a failed real delivery makes decoys fail too, unless a real
 * one succeeds first. */
#define FAILING_FOR_US (600 * (int64_t)1000000)

/* Before the first real one (after a start): typical round trips to a
 * mail relay, an SMS/voice API, and one synchronous sqlite commit. */
static const int64_t prior_us[DECOY_KIND_COUNT] = {
    [DECOY_MAIL] = 250000,
    [DECOY_SMS] = 600000,
    [DECOY_CALL] = 600000,
    [DECOY_STORE_WRITE] = 2000,
};

static struct {
	pthread_mutex_t lock;
	int64_t samples[DECOY_KIND_COUNT][WINDOW];
	size_t count[DECOY_KIND_COUNT], next[DECOY_KIND_COUNT];
	int64_t ok_at[DECOY_KIND_COUNT], failed_at[DECOY_KIND_COUNT], failed_us[DECOY_KIND_COUNT];
} timing = {.lock = PTHREAD_MUTEX_INITIALIZER};

int64_t decoy_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void decoy_timing_record(enum decoy_kind kind, int64_t us)
{
	if ((unsigned)kind >= DECOY_KIND_COUNT || us < 0)
		return;
	pthread_mutex_lock(&timing.lock);
	timing.samples[kind][timing.next[kind]] = us;
	timing.next[kind] = (timing.next[kind] + 1) % WINDOW;
	if (timing.count[kind] < WINDOW)
		timing.count[kind]++;
	timing.ok_at[kind] = decoy_now_us();
	pthread_mutex_unlock(&timing.lock);
}

void decoy_timing_failed(enum decoy_kind kind, int64_t us)
{
	if ((unsigned)kind >= DECOY_KIND_COUNT || us < 0)
		return;
	pthread_mutex_lock(&timing.lock);
	timing.failed_at[kind] = decoy_now_us();
	timing.failed_us[kind] = us;
	pthread_mutex_unlock(&timing.lock);
}

bool decoy_timing_failing(enum decoy_kind kind, int64_t *us)
{
	if ((unsigned)kind >= DECOY_KIND_COUNT)
		return false;
	int64_t now = decoy_now_us();
	pthread_mutex_lock(&timing.lock);
	bool failing = timing.failed_at[kind] > timing.ok_at[kind] &&
		       now - timing.failed_at[kind] < FAILING_FOR_US;
	*us = timing.failed_us[kind];
	pthread_mutex_unlock(&timing.lock);
	return failing;
}

void decoy_timing_reset(void)
{
	pthread_mutex_lock(&timing.lock);
	memset(timing.count, 0, sizeof(timing.count));
	memset(timing.next, 0, sizeof(timing.next));
	memset(timing.ok_at, 0, sizeof(timing.ok_at));
	memset(timing.failed_at, 0, sizeof(timing.failed_at));
	pthread_mutex_unlock(&timing.lock);
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static int64_t median(int64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp64);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int64_t decoy_timing_delay(enum decoy_kind kind)
{
	int64_t v[WINDOW];
	if ((unsigned)kind >= DECOY_KIND_COUNT)
		return 0;
	pthread_mutex_lock(&timing.lock);
	size_t n = timing.count[kind];
	memcpy(v, timing.samples[kind], n * sizeof(v[0]));
	pthread_mutex_unlock(&timing.lock);
	int64_t mid, spread;
	if (n == 0) {
		mid = prior_us[kind];
		spread = mid / 10;
	} else {
		mid = median(v, n);
		for (size_t i = 0; i < n; i++)
			v[i] = v[i] > mid ? v[i] - mid : mid - v[i];
		spread = median(v, n);
		/* Two or three samples say little about the spread. */
		if (n < 3 && spread < mid / 10)
			spread = mid / 10;
	}
	if (spread <= 0)
		return mid;
	/* Uniform in [mid - spread, mid + spread]: the median stays put. */
	uint32_t range = spread > INT32_MAX / 2 ? (uint32_t)INT32_MAX : (uint32_t)(2 * spread + 1);
	int64_t d = mid - spread + (int64_t)randombytes_uniform(range);
	return d > 0 ? d : 0;
}

void decoy_sleep_us(int64_t us)
{
	if (us <= 0)
		return;
	struct timespec ts = {.tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

void decoy_wait(enum decoy_kind kind)
{
	decoy_sleep_us(decoy_timing_delay(kind));
}
