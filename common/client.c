#include "common/client.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/util.h"

/* A real dialogue has a handful of steps; a peer that streams messages
 * without end must not keep a login process busy forever. */
#define CLIENT_MAX_MESSAGES 1024
/* Rows of a listing come as DATA messages, bounded on their own. */
#define CLIENT_MAX_DATA (PROTO_MAX_AUDIT_ROWS + 16)
/* After we cancel, the daemon owes us only its END (perhaps after a line of
 * text); anything longer is a misbehaving peer. */
#define CLIENT_MAX_AFTER_CANCEL 8
/* Retry interval while the listen backlog is full (AF_UNIX reports EAGAIN
 * and does not complete the connect by itself). */
#define CLIENT_BACKLOG_RETRY_MS 20

static int ms_left(int64_t deadline)
{
	if (deadline < 0)
		return -1;
	int64_t left = deadline - now_ms();
	if (left <= 0)
		return 0;
	return left > 1000000 ? 1000000 : (int)left;
}

/* Wait for an in-progress connect and fetch its result. */
static int connect_finish(int fd, int64_t deadline)
{
	for (;;) {
		int left = ms_left(deadline);
		if (left == 0)
			return -ETIMEDOUT;
		struct pollfd p = {.fd = fd, .events = POLLOUT};
		int r = poll(&p, 1, left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r > 0)
			break;
	}
	int err = 0;
	socklen_t len = sizeof(err);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		return -errno;
	return err ? -err : 0;
}

static int connect_deadline(int fd, const struct sockaddr_un *sa, int64_t deadline)
{
	for (;;) {
		if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0)
			return 0;
		switch (errno) {
		case EINTR:
			continue;
		case EISCONN:
			return 0;
		case EINPROGRESS:
			return connect_finish(fd, deadline);
		case EAGAIN: {
			int left = ms_left(deadline);
			if (left == 0)
				return -ETIMEDOUT;
			if (left < 0 || left > CLIENT_BACKLOG_RETRY_MS)
				left = CLIENT_BACKLOG_RETRY_MS;
			poll(NULL, 0, left);
			continue;
		}
		default:
			return -errno;
		}
	}
}

static int check_peer(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -errno;
	if (len != sizeof(cred))
		return -EPROTO;
	/* Anyone able to bind the path could otherwise collect passwords. */
	if (cred.uid != 0 && cred.uid != geteuid())
		return -EPERM;
	return 0;
}

int client_connect(const char *socket_path, int timeout_ms)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (!socket_path || !socket_path[0])
		return -EINVAL;
	size_t plen = strlen(socket_path);
	if (plen >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, socket_path, plen + 1);

	int64_t deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	int r = connect_deadline(fd, &sa, deadline);
	if (r < 0)
		goto fail;
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
		r = -errno;
		goto fail;
	}
	r = check_peer(fd);
	if (r < 0)
		goto fail;
	return fd;
fail:
	close(fd);
	return r;
}

/* Send a message we built from local data, then wipe it (answers). */
static int send_msg(int fd, struct proto_msg *m, int timeout_ms)
{
	int r = proto_write(fd, m, timeout_ms);
	proto_msg_clear(m);
	return r;
}

static int send_cancel(int fd, int timeout_ms)
{
	struct proto_msg m;
	int r = proto_msg_build(&m, PROTO_CANCEL, 0, NULL);
	if (r < 0)
		return r;
	return send_msg(fd, &m, timeout_ms);
}

/* Ask the user and send the answer, or cancel when the user (or the local
 * side) cannot answer. Returns 1 when the dialogue was cancelled. */
static int answer_prompt(int fd, const struct proto_msg *in, const struct client_ops *ops,
			 void *userdata, int timeout_ms)
{
	char *answer = NULL;
	int r = ops->prompt(userdata, in->type == PROTO_PROMPT_ECHO_ON, in->field[0], &answer);
	if (r < 0 || !answer) {
		secret_free(answer);
		r = send_cancel(fd, timeout_ms);
		return r < 0 ? r : 1;
	}
	struct proto_msg out;
	r = proto_msg_text(&out, PROTO_ANSWER, answer);
	secret_free(answer);
	if (r < 0) {
		/* Too long or not text: the daemon would refuse it anyway. */
		r = send_cancel(fd, timeout_ms);
		return r < 0 ? r : 1;
	}
	return send_msg(fd, &out, timeout_ms);
}

int client_run(int fd, const struct proto_msg *request, const struct client_ops *ops,
	       void *userdata, int first_timeout_ms, int step_timeout_ms, enum proto_status *status)
{
	struct proto_msg m = {0};
	bool first = true, cancelled = false;
	unsigned after_cancel = 0, n = 0, ndata = 0;
	int r = proto_write(fd, request, first_timeout_ms);
	if (r < 0)
		return r;
	while (n < CLIENT_MAX_MESSAGES && ndata < CLIENT_MAX_DATA) {
		/* Once we cancelled, the daemon answers at once: do not wait
		 * a whole step for it. */
		int timeout = (first || cancelled) ? first_timeout_ms : step_timeout_ms;
		r = proto_read(fd, &m, timeout);
		if (r < 0)
			goto out;
		first = false;
		if (m.type != PROTO_DATA)
			n++;
		if (cancelled && ++after_cancel > CLIENT_MAX_AFTER_CANCEL) {
			r = -EPROTO;
			goto out;
		}
		switch (m.type) {
		case PROTO_PROMPT_ECHO_ON:
		case PROTO_PROMPT_ECHO_OFF:
			if (cancelled) {
				r = send_cancel(fd, first_timeout_ms);
			} else {
				r = answer_prompt(fd, &m, ops, userdata, first_timeout_ms);
				if (r == 1) {
					cancelled = true;
					r = 0;
				}
			}
			if (r < 0)
				goto out;
			break;
		case PROTO_INFO:
			ops->info(userdata, m.field[0]);
			break;
		case PROTO_ERROR:
			ops->error(userdata, m.field[0]);
			break;
		case PROTO_DATA:
			ndata++;
			if (!ops->data) {
				r = -EPROTO;
				goto out;
			}
			r = ops->data(userdata, m.field[0]);
			if (r < 0)
				goto out;
			break;
		case PROTO_END:
			r = proto_end_status(&m, status);
			goto out;
		default:
			r = -EPROTO;
			goto out;
		}
		proto_msg_clear(&m);
	}
	r = -EPROTO;
out:
	proto_msg_clear(&m);
	return r;
}
