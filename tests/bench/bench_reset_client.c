/* The load client's protocol side: dialogues over common/proto.h and the
 * inbox that receives codes from the SMTP sink. */
#include "tests/bench/bench_reset.h"

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "common/client.h"
#include "common/util.h"

#define INBOX_POLL_MS  100
#define INBOX_MSG_MAX  128
#define MAX_MESSAGES   32 /* per step: a prompt comes after a few lines */
#define MAX_COMPLAINTS 5
#define USER_FMT       "bench%03u"

struct inbox_slot {
	unsigned gen;
	char code[7];
};

struct inbox {
	int fd;
	char path[108];
	unsigned nusers;
	struct inbox_slot *slot;
	unsigned long notices;
	atomic_bool stop;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t changed;
};

static atomic_uint complaints;

void bench_user(unsigned i, char *buf, size_t bufsz)
{
	snprintf(buf, bufsz, USER_FMT, i);
}

/* Uniform index below n from a random byte source; n is small. */
static unsigned pick(const uint8_t **p, const uint8_t *end, unsigned n)
{
	unsigned v = 0;
	while (*p < end) {
		v = *(*p)++;
		if (v < 256 - 256 % n)
			return v % n;
	}
	return v % n;
}

void bench_password(char out[BENCH_PASSWORD_SZ])
{
	static const char alnum[] = "ACEFHJKLMNPRTWXYabcdefghijkmnpqrstuvwxyz23456789";
	static const char digits[] = "23456789";
	uint8_t rnd[256];
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		memset(rnd, 0x5a, sizeof(rnd));
	const uint8_t *p = rnd, *end = rnd + sizeof(rnd);
	/* Every class, 20 random-looking characters, and never two
	 * neighbours whose codes differ by 0 or 1: cracklib (libpwquality's
	 * dictionary check) calls runs like "ab" or "98" systematic. It
	 * compares the lowercased password, so "Ab" and "aB" are runs too
	 * (one password in about 16,000 failed before case was ignored). */
	strcpy(out, "Bp-");
	size_t n = 3;
	while (n < BENCH_PASSWORD_LEN && p < end) {
		const char *set = n == 3 ? digits : alnum;
		char c = set[pick(&p, end, (unsigned)strlen(set))];
		int d = tolower((unsigned char)c) - tolower((unsigned char)out[n - 1]);
		if (d >= -1 && d <= 1)
			continue;
		out[n++] = c;
	}
	out[n] = '\0';
	secure_zero(rnd, sizeof(rnd));
}

static void inbox_deliver(struct inbox *ib, const char *msg)
{
	unsigned user;
	char what[16];
	if (sscanf(msg, USER_FMT " %15s", &user, what) != 2 || user >= ib->nusers)
		return;
	pthread_mutex_lock(&ib->lock);
	if (strcmp(what, "notice") == 0) {
		ib->notices++;
	} else if (strlen(what) == 6) {
		memcpy(ib->slot[user].code, what, 7);
		ib->slot[user].gen++;
		pthread_cond_broadcast(&ib->changed);
	}
	pthread_mutex_unlock(&ib->lock);
}

static void *inbox_thread(void *arg)
{
	struct inbox *ib = arg;
	char buf[INBOX_MSG_MAX + 1];
	while (!atomic_load(&ib->stop)) {
		struct pollfd p = {.fd = ib->fd, .events = POLLIN};
		if (poll(&p, 1, INBOX_POLL_MS) <= 0)
			continue;
		ssize_t n = recv(ib->fd, buf, INBOX_MSG_MAX, MSG_DONTWAIT);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		inbox_deliver(ib, buf);
	}
	return NULL;
}

int inbox_open(const char *path, unsigned nusers, struct inbox **out)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	struct inbox *ib = calloc(1, sizeof(*ib));
	if (!ib)
		return -ENOMEM;
	int r = -ENOMEM;
	ib->fd = -1;
	ib->slot = calloc(nusers, sizeof(*ib->slot));
	if (!ib->slot)
		goto fail;
	ib->nusers = nusers;
	strcpy(ib->path, path);
	strcpy(sa.sun_path, path);
	unlink(path);
	ib->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (ib->fd < 0 || bind(ib->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = -errno;
		goto fail;
	}
	pthread_mutex_init(&ib->lock, NULL);
	pthread_cond_init(&ib->changed, NULL);
	atomic_init(&ib->stop, false);
	int e = pthread_create(&ib->thread, NULL, inbox_thread, ib);
	if (e != 0) {
		r = -e;
		goto fail;
	}
	*out = ib;
	return 0;
fail:
	if (ib->fd >= 0)
		close(ib->fd);
	free(ib->slot);
	free(ib);
	return r;
}

void inbox_close(struct inbox *ib)
{
	if (!ib)
		return;
	atomic_store(&ib->stop, true);
	pthread_join(ib->thread, NULL);
	close(ib->fd);
	unlink(ib->path);
	secure_zero(ib->slot, sizeof(*ib->slot) * ib->nusers);
	free(ib->slot);
	free(ib);
}

unsigned inbox_gen(struct inbox *ib, unsigned user)
{
	pthread_mutex_lock(&ib->lock);
	unsigned g = ib->slot[user].gen;
	pthread_mutex_unlock(&ib->lock);
	return g;
}

unsigned long inbox_notices(struct inbox *ib)
{
	pthread_mutex_lock(&ib->lock);
	unsigned long n = ib->notices;
	pthread_mutex_unlock(&ib->lock);
	return n;
}

int inbox_wait(struct inbox *ib, unsigned user, unsigned after, int timeout_ms, char code[7])
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	int r = 0;
	pthread_mutex_lock(&ib->lock);
	while (ib->slot[user].gen <= after && r == 0)
		if (pthread_cond_timedwait(&ib->changed, &ib->lock, &until) == ETIMEDOUT)
			r = -ETIMEDOUT;
	if (ib->slot[user].gen > after) {
		memcpy(code, ib->slot[user].code, 7);
		r = 0;
	}
	pthread_mutex_unlock(&ib->lock);
	return r;
}

/* Read until a prompt or END, collecting info and error text. */
static int dlg_wait(struct dlg *d, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;
	d->said[0] = '\0';
	for (unsigned n = 0; n < MAX_MESSAGES; n++) {
		int64_t left = deadline - now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		struct proto_msg m;
		int r = proto_read(d->fd, &m, (int)left);
		if (r < 0)
			return r;
		switch (m.type) {
		case PROTO_PROMPT_ECHO_ON:
		case PROTO_PROMPT_ECHO_OFF:
			d->last = m.type;
			snprintf(d->prompt, sizeof(d->prompt), "%s", m.field[0]);
			proto_msg_clear(&m);
			return 0;
		case PROTO_INFO:
		case PROTO_ERROR: {
			size_t k = strlen(d->said);
			snprintf(d->said + k, sizeof(d->said) - k, "%s\n", m.field[0]);
			break;
		}
		case PROTO_END:
			r = proto_end_status(&m, &d->status);
			d->ended = r == 0;
			d->prompt[0] = '\0';
			proto_msg_clear(&m);
			return r;
		default:
			proto_msg_clear(&m);
			return -EPROTO;
		}
		proto_msg_clear(&m);
	}
	return -EPROTO;
}

static int dlg_send(struct dlg *d, enum proto_type type, unsigned nfields,
		    const char *const *fields, int timeout_ms)
{
	struct proto_msg m;
	int r = proto_msg_build(&m, type, nfields, fields);
	if (r == 0)
		r = proto_write(d->fd, &m, timeout_ms);
	proto_msg_clear(&m);
	return r;
}

int dlg_start(struct dlg *d, const char *socket, const char *user, int timeout_ms)
{
	memset(d, 0, sizeof(*d));
	d->fd = client_connect(socket, timeout_ms);
	if (d->fd < 0)
		return d->fd;
	const char *fields[] = {user, BENCH_SERVICE, "", ""};
	int r = dlg_send(d, PROTO_RESET_START, ARRAY_SIZE(fields), fields, timeout_ms);
	return r < 0 ? r : dlg_wait(d, timeout_ms);
}

int dlg_answer(struct dlg *d, const char *answer, int timeout_ms)
{
	if (d->fd < 0)
		return -EBADF;
	if (d->ended)
		return -EPROTO;
	int r = dlg_send(d, PROTO_ANSWER, 1, &answer, timeout_ms);
	return r < 0 ? r : dlg_wait(d, timeout_ms);
}

int dlg_cancel(struct dlg *d, int timeout_ms)
{
	if (d->fd < 0)
		return -EBADF;
	if (d->ended)
		return 0;
	int r = dlg_send(d, PROTO_CANCEL, 0, NULL, timeout_ms);
	return r < 0 ? r : dlg_wait(d, timeout_ms);
}

void dlg_close(struct dlg *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

bool dlg_expect(const struct dlg *d, const char *needle)
{
	if (!d->ended && strstr(d->prompt, needle))
		return true;
	if (atomic_fetch_add(&complaints, 1) < MAX_COMPLAINTS)
		fprintf(stderr, "bench_reset: expected \"%s\", got %s \"%s\" after \"%s\"\n",
			needle, d->ended ? "END" : "prompt", d->prompt, d->said);
	return false;
}

const char *step_name(enum step s)
{
	static const char *const names[NSTEPS] = {
	    "connect -> first prompt",	   "\"y\" -> method menu",
	    "\"1\" -> code prompt (mail)", "code -> new-password prompt",
	    "password -> retype prompt",   "retype -> final (hash+shadow)",
	    "Enter -> END (notice mail)",
	};
	return (unsigned)s < NSTEPS ? names[s] : "?";
}

int reset_stats_init(struct reset_stats *st, size_t cap)
{
	memset(st, 0, sizeof(*st));
	int r = 0;
	for (unsigned i = 0; i < NSTEPS && r == 0; i++)
		r = samples_init(&st->step[i], cap);
	if (r == 0)
		r = samples_init(&st->all, cap * NSTEPS);
	if (r == 0)
		r = samples_init(&st->codewait, cap);
	if (r == 0)
		r = samples_init(&st->total, cap);
	return r;
}

void reset_stats_free(struct reset_stats *st)
{
	for (unsigned i = 0; i < NSTEPS; i++)
		samples_free(&st->step[i]);
	samples_free(&st->all);
	samples_free(&st->codewait);
	samples_free(&st->total);
}

static void record(struct reset_stats *st, enum step s, int64_t t0)
{
	int64_t us = now_us() - t0;
	samples_add(&st->step[s], us);
	samples_add(&st->all, us);
}

void bench_think(unsigned mean_ms)
{
	if (!mean_ms)
		return;
	/* Uniform in [0, 2 x mean]: clients with one fixed pause would move
	 * in lockstep and hit the same step all at once. */
	uint32_t r = 0;
	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		r = UINT32_MAX / 2;
	usleep((useconds_t)((uint64_t)r * 2 * mean_ms * 1000 / UINT32_MAX));
}

/* Each step: think, answer, then check that the next prompt is the expected
 * one. */
#define STEP(s, answer, timeout, needle)                                                           \
	do {                                                                                       \
		bench_think(think_ms);                                                             \
		t0 = now_us();                                                                     \
		r = dlg_answer(&d, answer, timeout);                                               \
		if (r < 0)                                                                         \
			goto out;                                                                  \
		record(st, s, t0);                                                                 \
		if (!dlg_expect(&d, needle)) {                                                     \
			r = -EPROTO;                                                               \
			goto out;                                                                  \
		}                                                                                  \
	} while (0)

int reset_once(const struct bench_env *env, unsigned i, unsigned think_ms, struct reset_stats *st)
{
	char user[32], pw[BENCH_PASSWORD_SZ], code[7];
	bench_user(i, user, sizeof(user));
	bench_password(pw);
	struct dlg d;
	int64_t start = now_us(), t0 = start;
	int r = dlg_start(&d, env->socket, user, STEP_TIMEOUT_MS);
	if (r < 0)
		goto out;
	record(st, STEP_FIRST, t0);
	if (!dlg_expect(&d, "Continue with password recovery")) {
		r = -EPROTO;
		goto out;
	}
	STEP(STEP_CONFIRM, "y", STEP_TIMEOUT_MS, "How should we verify");
	unsigned gen = inbox_gen(env->inbox, i);
	STEP(STEP_METHOD, "1", MAIL_TIMEOUT_MS, "Enter the code");
	t0 = now_us();
	r = inbox_wait(env->inbox, i, gen, MAIL_TIMEOUT_MS, code);
	if (r < 0)
		goto out;
	samples_add(&st->codewait, now_us() - t0);
	STEP(STEP_CODE, code, STEP_TIMEOUT_MS, "New password");
	STEP(STEP_NEWPW, pw, STEP_TIMEOUT_MS, "Retype new password");
	STEP(STEP_RETYPE, pw, STEP_TIMEOUT_MS, "Your password has been reset");
	bench_think(think_ms);
	t0 = now_us();
	r = dlg_answer(&d, "", MAIL_TIMEOUT_MS);
	if (r < 0)
		goto out;
	record(st, STEP_FINAL, t0);
	if (!d.ended || d.status != PROTO_STATUS_RESET) {
		r = -EPROTO;
		goto out;
	}
	samples_add(&st->total, now_us() - start);
out:
	secure_zero(pw, sizeof(pw));
	secure_zero(code, sizeof(code));
	dlg_close(&d);
	return r;
}
