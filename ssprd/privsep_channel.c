/* The privileged side of one request channel: the requests themselves. */
#include "ssprd/privsep.h"

#include <errno.h>
#include <sodium.h>
#include <string.h>
#include <sys/socket.h>

#include "common/log.h"
#include "common/util.h"
#include "ssprd/privsep_ops.h"

static uint32_t err_of(int r)
{
	if (r >= 0)
		return 0;
	return -r <= PRIVSEP_MAX_ERRNO ? (uint32_t)-r : EIO;
}

static int reply_status(struct privsep_msg *rep, int r)
{
	int e = privsep_msg_init(rep, PRIVSEP_R_STATUS);
	return e < 0 ? e : privsep_msg_add_num(rep, err_of(r));
}

static int reply_value(struct privsep_msg *rep, int r, uint32_t value)
{
	int e = privsep_msg_init(rep, PRIVSEP_R_VALUE);
	if (e == 0)
		e = privsep_msg_add_num(rep, err_of(r));
	return e < 0 ? e : privsep_msg_add_num(rep, r < 0 ? 0 : value);
}

static int reply_hash(struct privsep_msg *rep, int r, const char *hash)
{
	int e = privsep_msg_init(rep, PRIVSEP_R_HASH);
	if (e == 0 && r == 0 && privsep_msg_add_num(rep, 0) == 0 &&
	    privsep_msg_add_text(rep, hash) == 0)
		return 0;
	/* A hash the field cannot carry is an error like any other. */
	e = privsep_msg_init(rep, PRIVSEP_R_HASH);
	if (e == 0)
		e = privsep_msg_add_num(rep, err_of(r < 0 ? r : -EINVAL));
	return e < 0 ? e : privsep_msg_add_text(rep, "");
}

/* One request: the decoder has checked the shape; every check of meaning
 * (user names, account state, the verification) is the ops' own. */
static int dispatch(const struct sspr_conf *conf, struct privsep_session *s,
		    const struct privsep_msg *q, struct privsep_msg *rep)
{
	const char *user = q->text[0];
	switch (q->type) {
	case PRIVSEP_ACCOUNT_STATE: {
		enum account_state st = ACCOUNT_NOT_FOUND;
		int r = privop_account_state(conf, user, &st);
		return reply_value(rep, r, (uint32_t)st);
	}
	case PRIVSEP_CURRENT_HASH: {
		char *hash = NULL;
		int r = privop_current_hash(conf, user, &hash);
		r = reply_hash(rep, r, hash);
		secret_free(hash);
		return r;
	}
	case PRIVSEP_VERIFY_PASSWORD:
		return reply_status(rep, privop_verify_password(conf, user, q->text[1]));
	case PRIVSEP_MARK_VERIFIED:
		return reply_status(rep, privop_mark_verified(conf, s, user));
	case PRIVSEP_SET_PASSWORD:
		return reply_status(rep, privop_set_password(conf, s, user, q->text[1]));
	case PRIVSEP_FAILLOCK_RECORDS: {
		unsigned n = 0;
		int r = privop_faillock_records(conf, user, &n);
		return reply_value(rep, r, n);
	}
	case PRIVSEP_UNLOCK:
		return reply_status(rep, privop_unlock(conf, user));
	case PRIVSEP_AUDIT_LOG:
		return reply_status(rep, privop_linux_audit(q->text[0], q->text[1], q->text[2],
							    q->text[3], q->num[4] == 1));
	case PRIVSEP_OPASSWD_MATCH: {
		bool match = false;
		int r = privop_opasswd_match(conf, user, q->text[1], &match);
		return reply_value(rep, r, match ? 1 : 0);
	}
	default:
		/* Main-channel messages and replies have no business here. */
		return -EPROTO;
	}
}

/* Out of core dumps and swap: requests carry passwords. */
struct work {
	uint8_t buf[PRIVSEP_MAX_MSG + 1];
	struct privsep_msg req, rep;
	struct privsep_session session;
};

int privsep_serve_channel(const struct sspr_conf *conf, int fd)
{
	if (sodium_init() < 0)
		return -EIO;
	struct work *w = sodium_malloc(sizeof(*w));
	if (!w)
		return -ENOMEM;
	memset(w, 0, sizeof(*w));
	int r = 0;
	for (;;) {
		ssize_t n = recv(fd, w->buf, sizeof(w->buf), MSG_TRUNC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n == 0 ? 0 : -errno;
			break;
		}
		if ((size_t)n > PRIVSEP_MAX_MSG ||
		    privsep_msg_decode(w->buf, (size_t)n, &w->req) < 0 ||
		    dispatch(conf, &w->session, &w->req, &w->rep) < 0) {
			log_error("privileged process: malformed %s request from the engine",
				  privsep_type_name(w->req.type));
			r = -EPROTO;
			break;
		}
		secure_zero(w->buf, sizeof(w->buf));
		privsep_msg_clear(&w->req);
		size_t len = 0;
		if (privsep_msg_encode(&w->rep, w->buf, sizeof(w->buf), &len) < 0) {
			r = -EPROTO;
			break;
		}
		privsep_msg_clear(&w->rep);
		do
			n = send(fd, w->buf, len, MSG_NOSIGNAL);
		while (n < 0 && errno == EINTR);
		if (n != (ssize_t)len)
			break; /* the engine went away */
	}
	sodium_free(w); /* wipes */
	return r;
}
