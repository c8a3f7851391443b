/* The listening socket: from systemd when socket-activated, else bound here. */
#pragma once

#include <stdbool.h>

/* Returns the listening fd (CLOEXEC, non-blocking) or negative errno;
 * *activated tells whether systemd passed it (then we must not unlink it). */
int listen_socket_open(const char *path, bool *activated);
void listen_socket_close(int fd, const char *path, bool activated);
