/* The thin-terminal side of the protocol, shared by pam_sspr.so and the CLIs:
 * connect, send one request, then relay prompts, info and error lines until
 * the daemon ends the dialogue. */
#pragma once

#include <stdbool.h>

#include "common/proto.h"

struct client_ops {
	/* Ask the user; on success *answer is malloc'd (a secret: the caller
	 * of client_run wipes it). Negative errno cancels the dialogue. */
	int (*prompt)(void *userdata, bool echo, const char *text, char **answer);
	void (*info)(void *userdata, const char *text);
	void (*error)(void *userdata, const char *text);
	/* A PROTO_DATA message (JSON text). NULL: such a message is a
	 * protocol error. Negative errno ends the dialogue. */
	int (*data)(void *userdata, const char *json);
};

/* Connect to a stream socket within timeout_ms and check with SO_PEERCRED
 * that the daemon runs as root or as our own euid (-EPERM otherwise).
 * The fd is CLOEXEC. Returns the fd or negative errno. */
int client_connect(const char *socket_path, int timeout_ms);

/* Send request, then relay the dialogue. first_timeout_ms bounds the wait
 * for the daemon's first message, step_timeout_ms every later wait.
 * Returns 0 and *status, or negative errno (transport or protocol error). */
int client_run(int fd, const struct proto_msg *request, const struct client_ops *ops,
	       void *userdata, int first_timeout_ms, int step_timeout_ms,
	       enum proto_status *status);
