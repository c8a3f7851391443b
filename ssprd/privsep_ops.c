#include "ssprd/privsep_ops.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libaudit.h>
#include <limits.h>
#include <pwd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "common/validate.h"
#include "ssprd/cpuslot.h"
#include "ssprd/dir_backend.h"
#include "ssprd/faillock.h"
#include "ssprd/pwhash.h"
#include "ssprd/pwmatch.h"
#include "ssprd/shadow.h"

/* pam_pwhistory keeps a line per user; a file larger than this is not one
 * we can read with a bounded buffer. */
#define OPASSWD_MAX (4 * 1024 * 1024)

static long today(void)
{
	return (long)(time(NULL) / 86400);
}

int privop_account_state(const struct sspr_conf *conf, const char *user, enum account_state *out)
{
	*out = ACCOUNT_NOT_FOUND;
	/* No passwd or shadow entry can have such a name. */
	if (!username_valid(user))
		return 0;
	if (conf->backend == BACKEND_LDAP)
		return dir_account_state(conf, user, out);
	struct passwd pw, *res = NULL;
	char buf[4096];
	int e = getpwnam_r(user, &pw, buf, sizeof(buf), &res);
	if (e != 0 && e != ENOENT && e != ESRCH)
		return -e;
	if (!res)
		return 0;
	if (pw.pw_uid == 0 || pw.pw_uid < conf->min_uid) {
		*out = ACCOUNT_SYSTEM;
		return 0;
	}
	struct shadow_entry sp = {0};
	int r = shadow_read_entry(conf->shadow_file, user, &sp);
	if (r == -ENOENT)
		return 0;
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

int privop_current_hash(const struct sspr_conf *conf, const char *user, char **out)
{
	struct shadow_entry sp = {0};
	*out = NULL;
	if (!username_valid(user))
		return -ENOENT;
	/* A directory does not hand out its hashes: the history relies on
	 * sspr's own store (history.c). */
	if (conf->backend == BACKEND_LDAP)
		return -EOPNOTSUPP;
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
	int r = privop_account_state(conf, user, &st);
	if (r < 0)
		return r;
	return st == ACCOUNT_OK ? 0 : -EPERM;
}

int privop_verify_password(const struct sspr_conf *conf, const char *user, const char *password)
{
	if (conf->backend == BACKEND_LDAP)
		return dir_verify_password(conf, user, password);
	int r = require_ok(conf, user);
	if (r < 0)
		return r;
	char *hash = NULL;
	r = privop_current_hash(conf, user, &hash);
	if (r < 0)
		return r;
	cpuslot_acquire();
	r = pwhash_verify(password, hash);
	cpuslot_release();
	secret_free(hash);
	/* A hash we cannot check is never a match. */
	return r == 0 ? 0 : -EACCES;
}

int privop_mark_verified(const struct sspr_conf *conf, struct privsep_session *s, const char *user)
{
	(void)conf;
	if (!username_valid(user))
		return -EINVAL;
	s->marked = true;
	s->marked_at_ms = now_ms();
	snprintf(s->user, sizeof(s->user), "%s", user);
	return 0;
}

/* Used up once it matched, whatever the write does next: one
 * verification, one password. */
static bool take_mark(const struct sspr_conf *conf, struct privsep_session *s, const char *user)
{
	if (!s->marked || strcmp(s->user, user) != 0)
		return false;
	bool fresh = now_ms() - s->marked_at_ms <= (int64_t)conf->dialogue_timeout * 1000;
	memset(s, 0, sizeof(*s));
	return fresh;
}

int privop_set_password(const struct sspr_conf *conf, struct privsep_session *s, const char *user,
			const char *password)
{
	if (!username_valid(user))
		return -EINVAL;
	if (!take_mark(conf, s, user)) {
		log_warning("password write for %s refused: no verification reported for it", user);
		return -EACCES;
	}
	if (conf->backend == BACKEND_LDAP)
		return dir_set_password(conf, user, password);
	int r = require_ok(conf, user);
	if (r < 0)
		return r;
	char *hash = NULL;
	cpuslot_acquire();
	r = pwhash_make(conf->hash_method, PWHASH_LOGIN_DEFS, password, &hash);
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

int privop_faillock_records(const struct sspr_conf *conf, const char *user, unsigned *records)
{
	char dir[PATH_MAX];
	*records = 0;
	if (!username_valid(user))
		return -EINVAL;
	if (conf->backend == BACKEND_LDAP)
		return dir_failure_records(conf, user, records);
	int r = tally_dir(conf, dir, sizeof(dir));
	return r < 0 ? r : faillock_count(dir, user, records);
}

int privop_unlock(const struct sspr_conf *conf, const char *user)
{
	char dir[PATH_MAX];
	if (conf->backend == BACKEND_LDAP)
		return dir_unlock(conf, user);
	int r = require_ok(conf, user);
	if (r < 0)
		return r;
	r = tally_dir(conf, dir, sizeof(dir));
	return r < 0 ? r : faillock_reset(dir, user);
}

static atomic_flag audit_log_noted = ATOMIC_FLAG_INIT;

/* The operations audit.c writes (the engine may ask for no others). */
static bool audit_op_known(const char *op)
{
	static const char *const ops[] = {
	    "sspr-reset-password", "sspr-unlock",      "sspr-change-registration",
	    "sspr-admin-enroll",   "sspr-admin-clear", "sspr-admin-unlock",
	};
	for (size_t i = 0; i < ARRAY_SIZE(ops); i++)
		if (strcmp(op, ops[i]) == 0)
			return true;
	return false;
}

/* Like pam_unix: a USER_CHAUTHTOK record. No audit support in the kernel,
 * or no right to write (a container), is normal: noted once at debug. */
int privop_linux_audit(const char *op, const char *user, const char *rhost, const char *tty,
		       bool ok)
{
	if (!op || !audit_op_known(op))
		return -EINVAL;
	int fd = audit_open();
	if (fd < 0) {
		int err = errno;
		if (!atomic_flag_test_and_set(&audit_log_noted))
			log_msg(err == EPROTONOSUPPORT || err == EINVAL || err == EAFNOSUPPORT ||
					err == EPERM
				    ? LOG_DEBUG
				    : LOG_WARNING,
				"audit: the Linux audit log is not available: %s", strerror(err));
		return 0;
	}
	/* A numeric rhost is the address; any other goes in as a name only,
	 * so libaudit does not resolve it (no DNS lookup on this path). */
	rhost = rhost && rhost[0] ? rhost : NULL;
	unsigned char addr[sizeof(struct in6_addr)];
	bool numeric = rhost && (inet_pton(AF_INET, rhost, addr) == 1 ||
				 inet_pton(AF_INET6, rhost, addr) == 1);
	if (audit_log_acct_message(fd, AUDIT_USER_CHAUTHTOK, NULL, op, user ? user : "",
				   (unsigned)-1, rhost, numeric ? rhost : (rhost ? "?" : NULL),
				   tty && tty[0] ? tty : NULL, ok ? 1 : 0) < 0 &&
	    !atomic_flag_test_and_set(&audit_log_noted))
		log_debug("audit: could not write to the Linux audit log: %m");
	audit_close(fd);
	return 0;
}

/* "user:uid:count:hash,hash,..." lines (pam_pwhistory's format). */
static bool in_opasswd(char *buf, const char *user, const char *password)
{
	size_t ulen = strlen(user);
	for (char *line = buf; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (strncmp(line, user, ulen) == 0 && line[ulen] == ':') {
			char *f = line + ulen + 1;
			/* skip uid and count */
			for (int i = 0; i < 2 && f; i++) {
				f = strchr(f, ':');
				f = f ? f + 1 : NULL;
			}
			char *save = NULL;
			for (char *h = f ? strtok_r(f, ",", &save) : NULL; h;
			     h = strtok_r(NULL, ",", &save))
				if (pwmatch(password, h))
					return true;
		}
		line = nl ? nl + 1 : NULL;
	}
	return false;
}

int privop_opasswd_match(const struct sspr_conf *conf, const char *user, const char *password,
			 bool *match)
{
	*match = false;
	if (!username_valid(user))
		return -EINVAL;
	/* pam_pwhistory's file is for local accounts only. */
	if (conf->backend == BACKEND_LDAP)
		return 0;
	if (!conf->opasswd)
		return 0;
	char *buf = NULL;
	size_t len = 0;
	int r = read_small_file(conf->opasswd, OPASSWD_MAX, &buf, &len);
	if (r == -ENOENT)
		return 0;
	if (r < 0) {
		/* The file is pam_pwhistory's: without it we still have ours. */
		log_warning("cannot read %s: %s", conf->opasswd, strerror(-r));
		return 0;
	}
	*match = in_opasswd(buf, user, password);
	secure_zero(buf, len);
	free(buf);
	return 0;
}
