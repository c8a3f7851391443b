#include "ssprd/server.h"

#include <errno.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/i18n.h"
#include "common/log.h"
#include "common/util.h"
#include "common/validate.h"
#include "ssprd/admin.h"
#include "ssprd/change.h"
#include "ssprd/conn.h"
#include "ssprd/dialogue.h"
#include "ssprd/language.h"
#include "ssprd/register.h"
#include "ssprd/remind.h"
#include "ssprd/workers.h"

/* A client must say what it wants promptly. */
#define FIRST_MESSAGE_TIMEOUT_MS 10000
#define SHUTDOWN_WAIT_S		 10

struct server {
	struct daemon_ctx *ctx;
	struct workers *workers; /* max_connections client threads */
};

struct conn {
	struct server *srv;
	int fd;
	unsigned slot;
	struct ucred peer;
	/* PROTO_LANGUAGE of sspr or ssprctl ("" none) */
	char language[PROTO_MAX_LANGUAGE + 1];
};

static int dialogue_send(void *userdata, enum proto_type type, const char *text)
{
	const struct conn *c = userdata;
	return conn_send_text(c->fd, type, text);
}

/* A dialogue the transport drives: the reset (dialogue.c) or the
 * registration (register.c). */
struct flow_ops {
	int (*start)(void *d);
	int (*input)(void *d, const char *answer);
	void (*cancel)(void *d);
	void (*abandoned)(void *d);
	bool (*done)(const void *d);
	enum proto_status (*status)(const void *d);
	void (*free)(void *d);
};

/* Typed wrappers: calling through a cast function pointer would be
 * undefined behaviour. */
#define FLOW_OPS(name, type, prefix)                                                               \
	static int name##_start(void *d)                                                           \
	{                                                                                          \
		return prefix##_start((type *)d);                                                  \
	}                                                                                          \
	static int name##_input(void *d, const char *a)                                            \
	{                                                                                          \
		return prefix##_input((type *)d, a);                                               \
	}                                                                                          \
	static void name##_cancel(void *d)                                                         \
	{                                                                                          \
		prefix##_cancel((type *)d);                                                        \
	}                                                                                          \
	static void name##_abandoned(void *d)                                                      \
	{                                                                                          \
		prefix##_abandoned((type *)d);                                                     \
	}                                                                                          \
	static bool name##_done(const void *d)                                                     \
	{                                                                                          \
		return prefix##_done((const type *)d);                                             \
	}                                                                                          \
	static enum proto_status name##_status(const void *d)                                      \
	{                                                                                          \
		return prefix##_status((const type *)d);                                           \
	}                                                                                          \
	static void name##_free(void *d)                                                           \
	{                                                                                          \
		prefix##_free((type *)d);                                                          \
	}                                                                                          \
	static const struct flow_ops name = {name##_start,     name##_input, name##_cancel,        \
					     name##_abandoned, name##_done,  name##_status,        \
					     name##_free}

FLOW_OPS(reset_flow, struct dialogue, dialogue);
FLOW_OPS(register_flow, struct reg_dialogue, reg_dialogue);

/* Relay answers into the dialogue until it is done, the client goes away
 * or the dialogue's time is up; then end it and free it. */
static void run_flow(struct conn *c, const struct flow_ops *ops, void *d, const char *user,
		     const char *timeout_text)
{
	struct daemon_ctx *ctx = c->srv->ctx;
	int64_t deadline = now_ms() + (int64_t)ctx->conf.dialogue_timeout * 1000;
	enum proto_status status = PROTO_STATUS_FAILED;
	int r = ops->start(d);
	while (r >= 0 && !ops->done(d)) {
		int64_t left = deadline - now_ms();
		int64_t wait = (int64_t)ctx->conf.answer_timeout * 1000;
		if (left <= 0) {
			log_info("dialogue for %s timed out", user);
			r = -ETIMEDOUT;
			break;
		}
		struct proto_msg m;
		r = proto_read(c->fd, &m, (int)(left < wait ? left : wait));
		if (r < 0)
			break;
		if (m.type == PROTO_ANSWER) {
			r = ops->input(d, m.field[0]);
		} else if (m.type == PROTO_CANCEL) {
			ops->cancel(d);
		} else {
			log_warning("client sent %s in a dialogue", proto_type_name(m.type));
			r = -EPROTO;
		}
		proto_msg_clear(&m);
	}
	if (ops->done(d))
		status = ops->status(d);
	else
		ops->abandoned(d);
	if (r == -ETIMEDOUT)
		conn_send_text(c->fd, PROTO_ERROR, timeout_text);
	if (r != -ECONNRESET && r != -EPIPE)
		conn_send_end(c->fd, status);
	ops->free(d);
}

static void run_reset(struct conn *c, const struct proto_msg *start)
{
	struct dialogue_request req = {start->field[0], start->field[1], start->field[2],
				       start->field[3]};
	struct dialogue *d = NULL;
	char shown[PROTO_MAX_USER + 1];
	if (dialogue_new(c->srv->ctx, &req, dialogue_send, c, &d) < 0) {
		conn_send_end(c->fd, PROTO_STATUS_UNAVAILABLE);
		return;
	}
	sanitize_for_log(req.user, shown, sizeof(shown));
	run_flow(c, &reset_flow, d, shown, _("Password recovery timed out."));
}

/* sspr register acts on the caller's own account only. */
static void run_register(struct conn *c, const struct proto_msg *start)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	if (getpwuid_r(c->peer.uid, &pw, buf, sizeof(buf), &res) != 0 || !res ||
	    !username_valid(pw.pw_name)) {
		conn_send_text(c->fd, PROTO_ERROR, _("Your account is not known here."));
		conn_send_end(c->fd, PROTO_STATUS_INVALID);
		return;
	}
	struct reg_dialogue *d = NULL;
	int r = reg_dialogue_new(c->srv->ctx, pw.pw_name, start->field[0], start->field[1],
				 dialogue_send, c, &d);
	if (r < 0) {
		if (r == -EINVAL)
			conn_send_text(c->fd, PROTO_ERROR, _("Invalid registration request."));
		conn_send_end(c->fd,
			      r == -EINVAL ? PROTO_STATUS_INVALID : PROTO_STATUS_UNAVAILABLE);
		return;
	}
	run_flow(c, &register_flow, d, pw.pw_name, _("Registration timed out."));
}

/* The name of the peer, for its saved language; false when it has none. */
static bool peer_name(const struct conn *c, char *out, size_t outsz)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	if (getpwuid_r(c->peer.uid, &pw, buf, sizeof(buf), &res) != 0 || !res ||
	    !username_valid(pw.pw_name) || strlen(pw.pw_name) >= outsz)
		return false;
	snprintf(out, outsz, "%s", pw.pw_name);
	return true;
}

/* The language of this request (see lang_choose). Logins, their reminders
 * and password changes come from pam_sspr, which does not know what the
 * user reads: the daemon decides by the account named in the request.
 * sspr and ssprctl act for the peer, and say what their locale is. */
static void choose_language(struct conn *c, const struct proto_msg *m)
{
	char peer[PROTO_MAX_USER + 1];
	switch (m->type) {
	case PROTO_RESET_START:
	case PROTO_REMIND:
	case PROTO_POLICY_CHECK:
	case PROTO_HISTORY_RECORD:
		lang_choose(c->srv->ctx, NULL, m->field[0]);
		break;
	default:
		lang_choose(c->srv->ctx, c->language,
			    peer_name(c, peer, sizeof(peer)) ? peer : NULL);
		break;
	}
}

/* The first message, after an optional PROTO_LANGUAGE (kept in c). */
static int read_request(struct conn *c, struct proto_msg *m)
{
	int r = proto_read(c->fd, m, FIRST_MESSAGE_TIMEOUT_MS);
	if (r < 0 || m->type != PROTO_LANGUAGE)
		return r;
	if (m->field[0][0] && language_name_valid(m->field[0]))
		snprintf(c->language, sizeof(c->language), "%s", m->field[0]);
	else if (m->field[0][0])
		log_warning("client (uid %u) sent an invalid language: ignored",
			    (unsigned)c->peer.uid);
	proto_msg_clear(m);
	r = proto_read(c->fd, m, FIRST_MESSAGE_TIMEOUT_MS);
	if (r == 0 && m->type == PROTO_LANGUAGE) {
		log_warning("client (uid %u) sent LANGUAGE twice", (unsigned)c->peer.uid);
		proto_msg_clear(m);
		return -EPROTO;
	}
	return r;
}

static void serve(struct conn *c)
{
	struct proto_msg m;
	/* The thread served someone else before: start from the default. */
	i18n_set_language("en");
	int r = read_request(c, &m);
	if (r < 0) {
		if (r != -ECONNRESET)
			log_warning("client (uid %u): %s", (unsigned)c->peer.uid, strerror(-r));
		return;
	}
	choose_language(c, &m);
	switch (m.type) {
	case PROTO_RESET_START:
		/* Only the PAM module, running as root in login, sshd or su,
		 * may start a reset: users are not given a way to drive
		 * dialogues for other accounts. */
		if (c->peer.uid != 0 && c->peer.uid != c->srv->ctx->uid) {
			log_warning("uid %u may not start a reset dialogue", (unsigned)c->peer.uid);
			conn_send_end(c->fd, PROTO_STATUS_DENIED);
			break;
		}
		run_reset(c, &m);
		break;
	case PROTO_REGISTER_START:
		run_register(c, &m);
		break;
	case PROTO_REMIND:
		remind_handle(c->srv->ctx, c->fd, &c->peer, &m);
		break;
	case PROTO_ADMIN_ENROLL:
	case PROTO_ADMIN_SHOW:
	case PROTO_ADMIN_QUESTIONS:
	case PROTO_ADMIN_CLEAR:
	case PROTO_ADMIN_UNLOCK:
	case PROTO_ADMIN_LIST:
	case PROTO_ADMIN_AUDIT:
	case PROTO_ADMIN_REPORT:
	case PROTO_ADMIN_TEST:
	case PROTO_USER_STATUS:
		admin_handle(c->srv->ctx, c->fd, &c->peer, &m);
		break;
	case PROTO_POLICY_CHECK:
	case PROTO_HISTORY_RECORD:
		change_handle(c->srv->ctx, c->fd, &c->peer, &m);
		break;
	default:
		log_warning("client (uid %u) opened with %s", (unsigned)c->peer.uid,
			    proto_type_name(m.type));
		break;
	}
	proto_msg_clear(&m);
}

static void *conn_thread(void *arg)
{
	struct conn *c = arg;
	serve(c);
	workers_done(c->srv->workers, c->slot);
	free(c);
	return NULL;
}

static void accept_one(struct server *srv, int listen_fd)
{
	int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
			log_error("accept: %m");
		return;
	}
	struct conn *c = calloc(1, sizeof(*c));
	socklen_t len = sizeof(struct ucred);
	if (!c || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &c->peer, &len) < 0) {
		free(c);
		close(fd);
		return;
	}
	c->srv = srv;
	c->fd = fd;
	int r = workers_start(srv->workers, fd, conn_thread, c, &c->slot);
	if (r == -EBUSY) {
		log_warning("connection limit (%u) reached: refusing a client",
			    srv->ctx->conf.max_connections);
		conn_send_end(fd, PROTO_STATUS_UNAVAILABLE);
	} else if (r < 0) {
		log_error("cannot start a client thread: %s", strerror(-r));
	}
	if (r < 0) {
		close(fd);
		free(c);
	}
}

int server_run(struct daemon_ctx *ctx, int listen_fd, int sig_fd)
{
	/* On the heap: threads still busy after the shutdown wait keep
	 * using it while the process exits. */
	struct server *srv = calloc(1, sizeof(*srv));
	if (!srv)
		return -ENOMEM;
	srv->ctx = ctx;
	/* Before the first client thread: catalogs are found from here on. */
	i18n_init();
	if (workers_new(ctx->conf.max_connections, &srv->workers) < 0) {
		free(srv);
		return -ENOMEM;
	}

	for (;;) {
		struct pollfd p[2] = {{.fd = listen_fd, .events = POLLIN},
				      {.fd = sig_fd, .events = POLLIN}};
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_error("poll: %m");
			break;
		}
		if (p[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sig_fd, &si, sizeof(si)) == sizeof(si))
				log_info("received signal %u: stopping", si.ssi_signo);
			break;
		}
		if (p[0].revents & POLLIN)
			accept_one(srv, listen_fd);
	}
	/* Wake every thread blocked on its client, then wait for them. */
	if (!workers_stop(srv->workers, SHUTDOWN_WAIT_S))
		log_warning("%u client(s) still busy at shutdown", workers_active(srv->workers));
	if (!workers_free_if_idle(srv->workers))
		return -EBUSY;
	free(srv);
	return 0;
}
