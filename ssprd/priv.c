/* priv.h: each call is a request to the privileged process when ssprd has
 * split (privsep.h), else the same work done in-process (privsep_ops.c). */
#include "ssprd/priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "common/validate.h"
#include "ssprd/privsep.h"
#include "ssprd/privsep_ops.h"

/* In-process, what the engine reported is kept per thread, as the
 * privileged process keeps it per request channel (one per thread). */
static __thread struct privsep_session inproc_session;

const char *account_state_name(enum account_state s)
{
	switch (s) {
	case ACCOUNT_OK:
		return "ok";
	case ACCOUNT_NOT_FOUND:
		return "not found";
	case ACCOUNT_SYSTEM:
		return "system account";
	case ACCOUNT_LOCKED:
		return "locked";
	case ACCOUNT_EXPIRED:
		return "expired";
	}
	return "unknown";
}

/* A request of up to two text fields; the reply in *rep (wiped by the
 * caller). Returns the exchange's errno, or the request's own. */
static int call(enum privsep_type type, const char *a, const char *b, enum privsep_type want,
		struct privsep_msg *rep)
{
	struct privsep_msg req;
	int r = privsep_msg_init(&req, type);
	if (r == 0)
		r = privsep_msg_add_text(&req, a);
	if (r == 0 && b)
		r = privsep_msg_add_text(&req, b);
	if (r == 0)
		r = privsep_request(&req, want, rep);
	privsep_msg_clear(&req);
	if (r < 0)
		return r;
	return rep->num[0] ? -(int)rep->num[0] : 0;
}

static int call_status(enum privsep_type type, const char *user, const char *password)
{
	struct privsep_msg rep;
	int r = call(type, user, password, PRIVSEP_R_STATUS, &rep);
	privsep_msg_clear(&rep);
	return r;
}

static int call_value(enum privsep_type type, const char *user, const char *password,
		      uint32_t *value)
{
	struct privsep_msg rep;
	int r = call(type, user, password, PRIVSEP_R_VALUE, &rep);
	*value = r == 0 ? rep.num[1] : 0;
	privsep_msg_clear(&rep);
	return r;
}

int priv_account_state(const struct sspr_conf *conf, const char *user, enum account_state *out)
{
	*out = ACCOUNT_NOT_FOUND;
	if (!username_valid(user))
		return 0;
	if (!privsep_engine_active())
		return privop_account_state(conf, user, out);
	uint32_t v = 0;
	int r = call_value(PRIVSEP_ACCOUNT_STATE, user, NULL, &v);
	if (r == 0 && v > ACCOUNT_EXPIRED)
		return -EPROTO;
	if (r == 0)
		*out = (enum account_state)v;
	return r;
}

int priv_current_hash(const struct sspr_conf *conf, const char *user, char **out)
{
	*out = NULL;
	if (!username_valid(user))
		return -ENOENT;
	if (!privsep_engine_active())
		return privop_current_hash(conf, user, out);
	struct privsep_msg rep;
	int r = call(PRIVSEP_CURRENT_HASH, user, NULL, PRIVSEP_R_HASH, &rep);
	if (r == 0) {
		*out = strdup(rep.text[1]);
		r = *out ? 0 : -ENOMEM;
	}
	privsep_msg_clear(&rep);
	return r;
}

int priv_verify_password(const struct sspr_conf *conf, const char *user, const char *password)
{
	if (!username_valid(user))
		return -EPERM;
	if (!privsep_engine_active())
		return privop_verify_password(conf, user, password);
	int r = call_status(PRIVSEP_VERIFY_PASSWORD, user, password);
	/* Only the privileged side's yes is a match. */
	return r == -EPERM || r == 0 ? r : -EACCES;
}

int priv_mark_verified(const struct sspr_conf *conf, const char *user)
{
	if (!username_valid(user))
		return -EINVAL;
	if (!privsep_engine_active())
		return privop_mark_verified(conf, &inproc_session, user);
	return call_status(PRIVSEP_MARK_VERIFIED, user, NULL);
}

int priv_set_password(const struct sspr_conf *conf, const char *user, const char *password)
{
	if (!username_valid(user))
		return -EPERM;
	if (!privsep_engine_active())
		return privop_set_password(conf, &inproc_session, user, password);
	return call_status(PRIVSEP_SET_PASSWORD, user, password);
}

int priv_faillock_records(const struct sspr_conf *conf, const char *user, unsigned *records)
{
	*records = 0;
	if (!username_valid(user))
		return -EINVAL;
	if (!privsep_engine_active())
		return privop_faillock_records(conf, user, records);
	uint32_t v = 0;
	int r = call_value(PRIVSEP_FAILLOCK_RECORDS, user, NULL, &v);
	*records = v;
	return r;
}

int priv_unlock(const struct sspr_conf *conf, const char *user)
{
	if (!username_valid(user))
		return -EPERM;
	if (!privsep_engine_active())
		return privop_unlock(conf, user);
	return call_status(PRIVSEP_UNLOCK, user, NULL);
}

int priv_opasswd_match(const struct sspr_conf *conf, const char *user, const char *password,
		       bool *match)
{
	*match = false;
	if (!username_valid(user))
		return -EINVAL;
	if (!privsep_engine_active())
		return privop_opasswd_match(conf, user, password, match);
	uint32_t v = 0;
	int r = call_value(PRIVSEP_OPASSWD_MATCH, user, password, &v);
	*match = r == 0 && v == 1;
	return r;
}

int priv_linux_audit(const char *op, const char *user, const char *rhost, const char *tty, bool ok)
{
	if (!privsep_engine_active())
		return privop_linux_audit(op, user, rhost, tty, ok);
	struct privsep_msg req, rep;
	int r = privsep_msg_init(&req, PRIVSEP_AUDIT_LOG);
	const char *f[] = {op, user ? user : "", rhost ? rhost : "", tty ? tty : ""};
	for (size_t i = 0; i < ARRAY_SIZE(f) && r == 0; i++)
		r = privsep_msg_add_text(&req, f[i]);
	if (r == 0)
		r = privsep_msg_add_num(&req, ok ? 1 : 0);
	if (r == 0)
		r = privsep_request(&req, PRIVSEP_R_STATUS, &rep);
	if (r == 0)
		r = rep.num[0] ? -(int)rep.num[0] : 0;
	privsep_msg_clear(&req);
	privsep_msg_clear(&rep);
	return r;
}
