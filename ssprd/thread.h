/* Threads that nobody joins: one per client connection, one per request
 * channel of the privileged process. */
#pragma once

/* Start fn(arg) in a detached thread. 0, or a positive error number as
 * pthread_create returns it (the caller still owns arg then). */
int thread_spawn_detached(void *(*fn)(void *), void *arg);
