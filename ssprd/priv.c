#include "ssprd/priv.h"

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "ssprd/cpuslot.h"
#include "ssprd/faillock.h"
#include "ssprd/pwhash.h"
#include "ssprd/shadow.h"

#define LOGIN_DEFS "/etc/login.defs"

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

static long today(void)
{
	return (long)(time(NULL) / 86400);
}

int priv_account_state(const struct sspr_conf *conf, const char *user, enum account_state *out)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	int e = getpwnam_r(user, &pw, buf, sizeof(buf), &res);
	if (e != 0 && e != ENOENT && e != ESRCH)
		return -e;
	if (!res) {
		*out = ACCOUNT_NOT_FOUND;
		return 0;
	}
	if (pw.pw_uid == 0 || pw.pw_uid < conf->min_uid) {
		*out = ACCOUNT_SYSTEM;
		return 0;
	}
	struct shadow_entry sp = {0};
	int r = shadow_read_entry(conf->shadow_file, user, &sp);
	if (r == -ENOENT) {
		*out = ACCOUNT_NOT_FOUND;
		return 0;
	}
	if (r < 0)
		return r;
	if (sp.hash[0] == '!' || sp.hash[0] == '*')
		*out = ACCOUNT_LOCKED;
	else if (sp.expire >= 0 && sp.expire <= today())
		*out = ACCOUNT_EXPIRED;
	else
		*out = ACCOUNT_OK;
	shadow_entry_clear(&sp);
	return 0;
}

int priv_current_hash(const struct sspr_conf *conf, const char *user, char **out)
{
	struct shadow_entry sp = {0};
	*out = NULL;
	int r = shadow_read_entry(conf->shadow_file, user, &sp);
	if (r < 0)
		return r;
	*out = sp.hash;
	sp.hash = NULL;
	shadow_entry_clear(&sp);
	return 0;
}

/* Every change re-checks the account: an administrator may have locked it
 * since the dialogue began. */
static int require_ok(const struct sspr_conf *conf, const char *user)
{
	enum account_state st;
	int r = priv_account_state(conf, user, &st);
	if (r < 0)
		return r;
	return st == ACCOUNT_OK ? 0 : -EPERM;
}

int priv_verify_password(const struct sspr_conf *conf, const char *user, const char *password)
{
	int r = require_ok(conf, user);
	if (r < 0)
		return r;
	char *hash = NULL;
	r = priv_current_hash(conf, user, &hash);
	if (r < 0)
		return r;
	cpuslot_acquire();
	r = pwhash_verify(password, hash);
	cpuslot_release();
	secret_free(hash);
	/* A hash we cannot check is never a match. */
	return r == 0 ? 0 : -EACCES;
}

int priv_set_password(const struct sspr_conf *conf, const char *user, const char *password)
{
	int r = require_ok(conf, user);
	if (r < 0)
		return r;
	char *hash = NULL;
	cpuslot_acquire();
	r = pwhash_make(conf->hash_method, LOGIN_DEFS, password, &hash);
	cpuslot_release();
	if (r < 0) {
		log_error("hashing the new password for %s failed: %s", user, strerror(-r));
		return r;
	}
	r = shadow_replace_hash(conf->shadow_file, user, hash, today());
	secret_free(hash);
	if (r < 0)
		log_error("writing %s for %s failed: %s", conf->shadow_file, user, strerror(-r));
	return r;
}

static int tally_dir(const struct sspr_conf *conf, char *out, size_t outsz)
{
	return faillock_dir(conf->faillock_dir, FAILLOCK_CONF, out, outsz);
}

int priv_faillock_records(const struct sspr_conf *conf, const char *user, unsigned *records)
{
	char dir[PATH_MAX];
	*records = 0;
	int r = tally_dir(conf, dir, sizeof(dir));
	return r < 0 ? r : faillock_count(dir, user, records);
}

int priv_unlock(const struct sspr_conf *conf, const char *user)
{
	char dir[PATH_MAX];
	int r = require_ok(conf, user);
	if (r < 0)
		return r;
	r = tally_dir(conf, dir, sizeof(dir));
	return r < 0 ? r : faillock_reset(dir, user);
}
