#include "ssprd/cpuslot.h"

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <unistd.h>

#define SLOTS_MAX 64

static pthread_once_t once = PTHREAD_ONCE_INIT;
static sem_t slots;

static void slots_init(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	sem_init(&slots, 0, (unsigned)(n < 1 ? 1 : n > SLOTS_MAX ? SLOTS_MAX : n));
}

void cpuslot_acquire(void)
{
	pthread_once(&once, slots_init);
	while (sem_wait(&slots) < 0 && errno == EINTR)
		;
}

void cpuslot_release(void)
{
	sem_post(&slots);
}
