/* Sending daemon messages on a client connection. */
#pragma once

#include "common/proto.h"

/* How long a client may take to read one message before we give up on it. */
#define CONN_SEND_TIMEOUT_MS 10000

int conn_send_text(int fd, enum proto_type type, const char *text);
int conn_send_end(int fd, enum proto_status status);
