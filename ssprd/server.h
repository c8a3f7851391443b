/* Accepting clients: one thread per connection, at most max_connections,
 * so a slow client or a slow SMTP server only holds up its own dialogue. */
#pragma once

#include "ssprd/daemon.h"

/* Serve listen_fd until a signal arrives on sig_fd (a signalfd), then stop
 * accepting, close every client and wait (bounded) for the threads. */
int server_run(struct daemon_ctx *ctx, int listen_fd, int sig_fd);
