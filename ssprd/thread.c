#include "ssprd/thread.h"

#include <pthread.h>

int thread_spawn_detached(void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	pthread_t t;
	int e = pthread_attr_init(&attr);
	if (e != 0)
		return e;
	e = pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (e == 0)
		e = pthread_create(&t, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	return e;
}
