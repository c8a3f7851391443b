/* A bounded set of connections, each served by a detached thread: the
 * client connections of the engine and the request channels of the
 * privileged process. */
#pragma once

#include <stdbool.h>

struct workers;

int workers_new(unsigned max, struct workers **out);
/* Free w if no worker runs any more; false (nothing freed) otherwise, as
 * the threads still use it. */
bool workers_free_if_idle(struct workers *w);

/* Serve fd with fn(arg) in a thread of its own. *slot is set before the
 * thread starts (the worker passes it to workers_done). -EBUSY when all
 * slots are taken, or -errno when no thread could start; the caller keeps
 * fd and arg then. */
int workers_start(struct workers *w, int fd, void *(*fn)(void *), void *arg, unsigned *slot);

/* The worker in slot is done: its fd is closed under the lock, so that
 * workers_stop never shuts down a descriptor number already reused. */
void workers_done(struct workers *w, unsigned slot);

unsigned workers_active(struct workers *w);

/* Shut every worker's fd down to wake it, then wait up to wait_s seconds
 * for all to finish; true when none is left. */
bool workers_stop(struct workers *w, unsigned wait_s);
