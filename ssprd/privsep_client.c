/* The engine's side of the privilege separation: one request channel per
 * thread, made on the thread's first request and closed when it ends. */
#include "ssprd/privsep.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"

/* Hashing waits for a CPU slot and the shadow lock waits up to 15 s: a
 * privileged side that says nothing for this long is stuck. */
#define REPLY_TIMEOUT_MS 120000

static int main_fd = -1;
static pthread_key_t chan_key;
static pthread_once_t chan_once = PTHREAD_ONCE_INIT;

/* Keys hold fd + 1: NULL means no channel yet. */
static void chan_close(void *p)
{
	close((int)(intptr_t)p - 1);
}

static void chan_key_make(void)
{
	if (pthread_key_create(&chan_key, chan_close) != 0)
		abort();
}

bool privsep_engine_active(void)
{
	return main_fd >= 0;
}

void privsep_client_attach(int fd)
{
	pthread_once(&chan_once, chan_key_make);
	main_fd = fd;
}

/* Nothing the engine could still do would be trusted: end it here, without
 * running exit handlers under other threads' feet. */
static _Noreturn void fatal(const char *what)
{
	log_error("privilege separation: %s; the engine stops", what);
	_exit(EXIT_FAILURE);
}

static int send_channel(int fd)
{
	uint8_t buf[PRIVSEP_HEADER_SIZE];
	struct privsep_msg m;
	size_t len = 0;
	if (privsep_msg_init(&m, PRIVSEP_CHANNEL) < 0 ||
	    privsep_msg_encode(&m, buf, sizeof(buf), &len) < 0)
		return -EINVAL;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	memset(&ctl, 0, sizeof(ctl));
	struct iovec iov = {.iov_base = buf, .iov_len = len};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = ctl.buf,
			    .msg_controllen = sizeof(ctl.buf)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	ssize_t n;
	do
		n = sendmsg(main_fd, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)len ? 0 : -errno;
}

static int channel(void)
{
	void *p = pthread_getspecific(chan_key);
	if (p)
		return (int)(intptr_t)p - 1;
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	int r = send_channel(sv[1]);
	close(sv[1]);
	if (r < 0) {
		close(sv[0]);
		fatal("the main channel to the privileged process is gone");
	}
	if (pthread_setspecific(chan_key, (void *)(intptr_t)(sv[0] + 1)) != 0) {
		close(sv[0]);
		return -ENOMEM;
	}
	return sv[0];
}

static void channel_drop(int fd)
{
	pthread_setspecific(chan_key, NULL);
	close(fd);
}

static void wait_reply(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	int64_t deadline = now_ms() + REPLY_TIMEOUT_MS;
	for (;;) {
		int64_t left = deadline - now_ms();
		if (left <= 0)
			fatal("no reply from the privileged process");
		int r = poll(&p, 1, (int)left);
		if (r > 0)
			return;
		if (r < 0 && errno != EINTR)
			fatal("poll on a request channel failed");
	}
}

int privsep_request(const struct privsep_msg *req, enum privsep_type want,
		    struct privsep_msg *reply)
{
	uint8_t buf[PRIVSEP_MAX_MSG + 1];
	size_t len = 0;
	int r = privsep_msg_encode(req, buf, sizeof(buf), &len);
	if (r < 0)
		return r;
	int fd = channel();
	if (fd < 0) {
		secure_zero(buf, len);
		return fd;
	}
	ssize_t n;
	do
		n = send(fd, buf, len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	secure_zero(buf, len);
	if (n != (ssize_t)len)
		fatal("a request channel to the privileged process ended");
	wait_reply(fd);
	do
		n = recv(fd, buf, sizeof(buf), MSG_TRUNC);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		fatal("the privileged process closed a request channel");
	r = (size_t)n > PRIVSEP_MAX_MSG ? -EPROTO : privsep_msg_decode(buf, (size_t)n, reply);
	secure_zero(buf, sizeof(buf));
	if (r < 0)
		fatal("malformed reply from the privileged process");
	if (reply->type == PRIVSEP_R_BUSY) {
		log_warning("privilege separation: the privileged process is busy");
		channel_drop(fd);
		return -EAGAIN;
	}
	if (reply->type != want)
		fatal("unexpected reply from the privileged process");
	return 0;
}

static void *watch_main(void *arg)
{
	(void)arg;
	uint8_t buf[PRIVSEP_MAX_MSG + 1];
	struct privsep_msg m;
	ssize_t n;
	do
		n = recv(main_fd, buf, sizeof(buf), MSG_TRUNC);
	while (n < 0 && errno == EINTR);
	if (n > 0 && (size_t)n <= PRIVSEP_MAX_MSG && privsep_msg_decode(buf, (size_t)n, &m) == 0 &&
	    m.type == PRIVSEP_STOP)
		log_info("the privileged process asks the engine to stop");
	else if (n > 0)
		fatal("malformed message on the main channel");
	else
		log_error("privilege separation: the privileged process went away");
	/* Process-directed and blocked in every thread: the server loop's
	 * signalfd takes it and stops as on SIGTERM from outside. */
	kill(getpid(), SIGTERM);
	return NULL;
}

int privsep_engine_ready(void)
{
	uint8_t buf[PRIVSEP_HEADER_SIZE];
	struct privsep_msg m;
	size_t len = 0;
	if (main_fd < 0)
		return -EBADF;
	int r = privsep_msg_init(&m, PRIVSEP_READY);
	if (r == 0)
		r = privsep_msg_encode(&m, buf, sizeof(buf), &len);
	if (r < 0)
		return r;
	if (send(main_fd, buf, len, MSG_NOSIGNAL) != (ssize_t)len)
		return -errno;
	pthread_attr_t attr;
	pthread_t t;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	int e = pthread_create(&t, &attr, watch_main, NULL);
	pthread_attr_destroy(&attr);
	return -e;
}
