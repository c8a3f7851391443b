#include "ssprd/workers.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct workers {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	unsigned active, max;
	int fds[]; /* max slots, -1 when free */
};

int workers_new(unsigned max, struct workers **out)
{
	struct workers *w = calloc(1, sizeof(*w) + sizeof(int) * max);
	if (!w)
		return -ENOMEM;
	w->max = max;
	for (unsigned i = 0; i < max; i++)
		w->fds[i] = -1;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->changed, NULL);
	*out = w;
	return 0;
}

bool workers_free_if_idle(struct workers *w)
{
	if (!w)
		return true;
	if (workers_active(w) > 0)
		return false;
	pthread_cond_destroy(&w->changed);
	pthread_mutex_destroy(&w->lock);
	free(w);
	return true;
}

static void release(struct workers *w, unsigned slot, bool close_fd)
{
	pthread_mutex_lock(&w->lock);
	if (close_fd)
		close(w->fds[slot]);
	w->fds[slot] = -1;
	w->active--;
	pthread_cond_broadcast(&w->changed);
	pthread_mutex_unlock(&w->lock);
}

int workers_start(struct workers *w, int fd, void *(*fn)(void *), void *arg, unsigned *slot)
{
	pthread_mutex_lock(&w->lock);
	if (w->active >= w->max) {
		pthread_mutex_unlock(&w->lock);
		return -EBUSY;
	}
	unsigned s = 0;
	while (w->fds[s] >= 0)
		s++;
	w->fds[s] = fd;
	w->active++;
	*slot = s;
	pthread_mutex_unlock(&w->lock);

	pthread_attr_t attr;
	pthread_t t;
	int e = pthread_attr_init(&attr);
	if (e == 0) {
		e = pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		if (e == 0)
			e = pthread_create(&t, &attr, fn, arg);
		pthread_attr_destroy(&attr);
	}
	if (e != 0) {
		release(w, s, false);
		return -e;
	}
	return 0;
}

void workers_done(struct workers *w, unsigned slot)
{
	release(w, slot, true);
}

unsigned workers_active(struct workers *w)
{
	pthread_mutex_lock(&w->lock);
	unsigned n = w->active;
	pthread_mutex_unlock(&w->lock);
	return n;
}

bool workers_stop(struct workers *w, unsigned wait_s)
{
	pthread_mutex_lock(&w->lock);
	for (unsigned i = 0; i < w->max; i++)
		if (w->fds[i] >= 0)
			shutdown(w->fds[i], SHUT_RDWR);
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += wait_s;
	while (w->active > 0)
		if (pthread_cond_timedwait(&w->changed, &w->lock, &until) == ETIMEDOUT)
			break;
	bool idle = w->active == 0;
	pthread_mutex_unlock(&w->lock);
	return idle;
}
