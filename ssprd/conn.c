#include "ssprd/conn.h"

int conn_send_text(int fd, enum proto_type type, const char *text)
{
	struct proto_msg m;
	int r = proto_msg_text(&m, type, text);
	if (r == 0)
		r = proto_write(fd, &m, CONN_SEND_TIMEOUT_MS);
	proto_msg_clear(&m);
	return r;
}

int conn_send_end(int fd, enum proto_status status)
{
	struct proto_msg m;
	int r = proto_msg_end(&m, status);
	if (r == 0)
		r = proto_write(fd, &m, CONN_SEND_TIMEOUT_MS);
	proto_msg_clear(&m);
	return r;
}
