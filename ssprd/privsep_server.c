/* The privileged side of the privilege separation: the main channel and
 * one thread per request channel (privsep_channel.c serves each). */
#include "ssprd/privsep.h"

#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "ssprd/workers.h"

/* After SIGTERM the engine has its own shutdown wait (10 s) to finish. */
#define STOP_GRACE_MS	     20000
#define THREADS_DRAIN_WAIT_S 20

struct psrv {
	const struct sspr_conf *conf;
	pid_t engine;
	uid_t engine_uid;
	int wake_fd; /* eventfd: a channel thread saw a malformed request */
	atomic_bool violated;
	struct workers *workers; /* request channel threads */
};

struct chan {
	struct psrv *srv;
	int fd;
	unsigned slot;
};

static void *chan_thread(void *arg)
{
	struct chan *c = arg;
	struct psrv *srv = c->srv;
	if (privsep_serve_channel(srv->conf, c->fd) == -EPROTO) {
		atomic_store(&srv->violated, true);
		uint64_t one = 1;
		if (write(srv->wake_fd, &one, sizeof(one)) < 0)
			log_error("privileged process: eventfd: %m");
	}
	workers_done(srv->workers, c->slot);
	free(c);
	return NULL;
}

/* A channel must be a SEQPACKET socket the engine itself made. */
static bool channel_ok(const struct psrv *srv, int fd)
{
	int type = 0, domain = 0;
	struct ucred cred;
	socklen_t l1 = sizeof(type), l2 = sizeof(domain), l3 = sizeof(cred);
	return getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &l1) == 0 && type == SOCK_SEQPACKET &&
	       getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &l2) == 0 && domain == AF_UNIX &&
	       getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &l3) == 0 &&
	       cred.pid == srv->engine && cred.uid == srv->engine_uid;
}

static void refuse_busy(int fd)
{
	uint8_t buf[PRIVSEP_HEADER_SIZE];
	struct privsep_msg m;
	size_t len = 0;
	if (privsep_msg_init(&m, PRIVSEP_R_BUSY) == 0 &&
	    privsep_msg_encode(&m, buf, sizeof(buf), &len) == 0)
		(void)!send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	close(fd);
}

static int start_channel(struct psrv *srv, int fd)
{
	if (!channel_ok(srv, fd)) {
		log_error("privileged process: the engine passed a descriptor that is not "
			  "a request channel of its own");
		close(fd);
		return -EPROTO;
	}
	struct chan *c = calloc(1, sizeof(*c));
	int r = -ENOMEM;
	if (c) {
		c->srv = srv;
		c->fd = fd;
		r = workers_start(srv->workers, fd, chan_thread, c, &c->slot);
	}
	if (r == -EBUSY)
		log_warning("privileged process: %u request channels open: refusing another",
			    workers_active(srv->workers));
	else if (r < 0)
		log_error("privileged process: cannot start a channel thread: %s", strerror(-r));
	if (r < 0) {
		free(c);
		refuse_busy(fd);
	}
	return 0;
}

/* One message of the main channel: CHANNEL with exactly one descriptor,
 * or READY (once) with none. 1 when the engine closed it. */
static int on_main(struct psrv *srv, int main_fd, bool *ready)
{
	uint8_t buf[PRIVSEP_MAX_MSG + 1];
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = ctl.buf,
			    .msg_controllen = sizeof(ctl.buf)};
	ssize_t n = recvmsg(main_fd, &mh, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -errno;
	if (n == 0)
		return 1;
	int fd = -1, nfds = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) {
			nfds = -1;
			continue;
		}
		size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k; i++) {
			int x;
			memcpy(&x, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (fd < 0)
				fd = x;
			else
				close(x);
			nfds = nfds < 0 ? nfds : nfds + 1;
		}
	}
	struct privsep_msg m;
	bool ok = !(mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) &&
		  privsep_msg_decode(buf, (size_t)n, &m) == 0;
	if (ok && m.type == PRIVSEP_CHANNEL && nfds == 1)
		return start_channel(srv, fd);
	if (fd >= 0)
		close(fd);
	if (ok && m.type == PRIVSEP_READY && nfds == 0 && !*ready) {
		*ready = true;
		sd_notify(0, "READY=1");
		return 0;
	}
	log_error("privileged process: malformed message on the main channel");
	return -EPROTO;
}

static void send_stop(int main_fd)
{
	uint8_t buf[PRIVSEP_HEADER_SIZE];
	struct privsep_msg m;
	size_t len = 0;
	if (privsep_msg_init(&m, PRIVSEP_STOP) == 0 &&
	    privsep_msg_encode(&m, buf, sizeof(buf), &len) == 0)
		(void)!send(main_fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
}

static int main_loop(struct psrv *srv, int main_fd, int sig_fd)
{
	bool ready = false;
	int64_t deadline = -1;
	for (;;) {
		struct pollfd p[3] = {{.fd = main_fd, .events = POLLIN},
				      {.fd = srv->wake_fd, .events = POLLIN},
				      {.fd = sig_fd, .events = POLLIN}};
		int timeout = deadline < 0 ? -1 : (int)(deadline - now_ms());
		if (deadline >= 0 && timeout <= 0) {
			log_error("privileged process: the engine did not stop in time");
			return -ETIMEDOUT;
		}
		int r = poll(p, sig_fd >= 0 ? 3 : 2, timeout);
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r <= 0)
			continue;
		if ((p[1].revents & POLLIN) || atomic_load(&srv->violated))
			return -EPROTO;
		if (sig_fd >= 0 && (p[2].revents & POLLIN)) {
			struct signalfd_siginfo si;
			if (read(sig_fd, &si, sizeof(si)) == sizeof(si) && deadline < 0) {
				log_info("received signal %u: stopping", si.ssi_signo);
				sd_notify(0, "STOPPING=1");
				send_stop(main_fd);
				deadline = now_ms() + STOP_GRACE_MS;
			}
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			r = on_main(srv, main_fd, &ready);
			if (r != 0)
				return r > 0 ? 0 : r;
		}
	}
}

int privsep_serve_main(const struct sspr_conf *conf, int main_fd, pid_t engine, uid_t engine_uid,
		       int sig_fd)
{
	/* On the heap: threads still busy after the drain keep using it
	 * until the process exits. */
	struct psrv *srv = calloc(1, sizeof(*srv));
	if (!srv)
		return -ENOMEM;
	srv->conf = conf;
	srv->engine = engine;
	srv->engine_uid = engine_uid;
	srv->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (srv->wake_fd < 0 ||
	    workers_new(conf->max_connections + PRIVSEP_SPARE_CHANNELS, &srv->workers) < 0) {
		if (srv->wake_fd >= 0)
			close(srv->wake_fd);
		free(srv);
		return -ENOMEM;
	}
	atomic_init(&srv->violated, false);
	int r = main_loop(srv, main_fd, sig_fd);
	/* Wake every channel thread (the engine's end may still be open) and
	 * wait for those in the middle of a request, such as a shadow write. */
	if (!workers_stop(srv->workers, THREADS_DRAIN_WAIT_S) ||
	    !workers_free_if_idle(srv->workers)) {
		log_warning("privileged process: request threads still busy at exit");
		return r;
	}
	close(srv->wake_fd);
	free(srv);
	return r;
}
