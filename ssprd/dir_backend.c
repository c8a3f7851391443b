#include "ssprd/dir_backend.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/log.h"
#include "common/util.h"
#include "common/validate.h"
#include "ssprd/dir_conn.h"

#define ADMIN_LOCK  "000001010000Z"
#define AD_DISABLED 0x2
/* AD's FILETIME: 100 ns steps since 1601; this many seconds before 1970. */
#define AD_EPOCH_OFFSET	   11644473600LL
#define AD_NEVER	   0x7fffffffffffffffLL
#define PASSWORD_BYTES_MAX 1024
/* A lock value changed under us: read again, at most this often. */
#define UNLOCK_TRIES 3

struct dir_account {
	char *dn;
	enum account_state state;
	unsigned failures;
	char lock[64];	   /* pwdAccountLockedTime, "" when none */
	bool has_failures; /* pwdFailureTime present */
};

static char *attrs_openldap[] = {"uidNumber",	 "pwdAccountLockedTime", "pwdFailureTime",
				 "shadowExpire", "pwdEndTime",		 NULL};
static char *attrs_ad[] = {"uidNumber",	  "userAccountControl", "accountExpires",
			   "lockoutTime", "badPwdCount",	NULL};

int dir_parse_gentime(const char *s, int64_t *out)
{
	struct tm tm = {0};
	char tail[32] = "";
	*out = 0;
	if (!s || strlen(s) < 15 ||
	    sscanf(s, "%4d%2d%2d%2d%2d%2d%31s", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
		   &tm.tm_min, &tm.tm_sec, tail) != 7)
		return -EINVAL;
	/* Only UTC: a fraction may come before the Z. */
	size_t tl = strlen(tail);
	if (tail[tl - 1] != 'Z' || (tl > 1 && tail[0] != '.'))
		return -EINVAL;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	time_t t = timegm(&tm);
	if (t == (time_t)-1 && tm.tm_year != 69)
		return -EINVAL;
	*out = (int64_t)t;
	return 0;
}

/* The first value of attr as a C string into out ("" when none). */
static bool first_value(LDAP *ld, LDAPMessage *e, const char *attr, char *out, size_t outsz)
{
	struct berval **v = ldap_get_values_len(ld, e, attr);
	bool ok = v && v[0] && v[0]->bv_len < outsz;
	out[0] = '\0';
	if (ok) {
		memcpy(out, v[0]->bv_val, v[0]->bv_len);
		out[v[0]->bv_len] = '\0';
	}
	ldap_value_free_len(v);
	return ok;
}

static bool number_value(LDAP *ld, LDAPMessage *e, const char *attr, long long *out)
{
	char buf[32], *end = NULL;
	if (!first_value(ld, e, attr, buf, sizeof(buf)) || !buf[0])
		return false;
	errno = 0;
	*out = strtoll(buf, &end, 10);
	return errno == 0 && end && *end == '\0';
}

/* uidNumber, else the uid NSS knows (AD often has no uidNumber). */
static bool account_uid(LDAP *ld, LDAPMessage *e, const char *user, long long *uid)
{
	if (number_value(ld, e, "uidNumber", uid))
		return true;
	struct passwd pw, *res = NULL;
	char buf[4096];
	if (getpwnam_r(user, &pw, buf, sizeof(buf), &res) != 0 || !res)
		return false;
	*uid = (long long)pw.pw_uid;
	return true;
}

static void read_openldap(LDAP *ld, LDAPMessage *e, struct dir_account *a)
{
	char buf[64];
	long long days;
	int64_t t, now = (int64_t)time(NULL);
	first_value(ld, e, "pwdAccountLockedTime", a->lock, sizeof(a->lock));
	struct berval **f = ldap_get_values_len(ld, e, "pwdFailureTime");
	a->failures = f ? (unsigned)ldap_count_values_len(f) : 0;
	a->has_failures = a->failures > 0;
	ldap_value_free_len(f);
	if (strcmp(a->lock, ADMIN_LOCK) == 0) {
		a->state = ACCOUNT_LOCKED;
		return;
	}
	if (a->lock[0] && a->failures == 0)
		a->failures = 1;
	if ((number_value(ld, e, "shadowExpire", &days) && days >= 0 && days <= now / 86400) ||
	    (first_value(ld, e, "pwdEndTime", buf, sizeof(buf)) &&
	     dir_parse_gentime(buf, &t) == 0 && t <= now))
		a->state = ACCOUNT_EXPIRED;
}

static void read_ad(LDAP *ld, LDAPMessage *e, struct dir_account *a)
{
	long long v;
	if (number_value(ld, e, "userAccountControl", &v) && (v & AD_DISABLED)) {
		a->state = ACCOUNT_LOCKED;
		return;
	}
	if (number_value(ld, e, "accountExpires", &v) && v > 0 && v != AD_NEVER &&
	    v / 10000000 - AD_EPOCH_OFFSET <= (long long)time(NULL))
		a->state = ACCOUNT_EXPIRED;
	if (number_value(ld, e, "badPwdCount", &v) && v > 0)
		a->failures = (unsigned)(v > 1000 ? 1000 : v);
	if (number_value(ld, e, "lockoutTime", &v) && v != 0) {
		snprintf(a->lock, sizeof(a->lock), "%lld", v);
		if (a->failures == 0)
			a->failures = 1;
	}
}

/* The entry of user and what it says. 0 also for an unknown user
 * (ACCOUNT_NOT_FOUND, dn NULL). */
static int lookup(struct dir_conn *c, const char *user, struct dir_account *a)
{
	const struct sspr_conf *conf = c->conf;
	memset(a, 0, sizeof(*a));
	a->state = ACCOUNT_NOT_FOUND;
	LDAPMessage *res = NULL;
	bool ad = conf->ldap_flavor == LDAP_FLAVOR_AD;
	int r = dir_find_user(c, user, ad ? attrs_ad : attrs_openldap, &a->dn, &res);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	LDAPMessage *e = ldap_first_entry(c->ld, res);
	long long uid = -1;
	a->state = ACCOUNT_OK;
	if (strcmp(user, "root") == 0)
		a->state = ACCOUNT_SYSTEM;
	else if (!account_uid(c->ld, e, user, &uid))
		a->state = ACCOUNT_NOT_FOUND; /* no uid anywhere: not an account of ours */
	else if (uid <= 0 || uid < (long long)conf->min_uid)
		a->state = ACCOUNT_SYSTEM;
	else if (ad)
		read_ad(c->ld, e, a);
	else
		read_openldap(c->ld, e, a);
	ldap_msgfree(res);
	return 0;
}

static void account_clear(struct dir_account *a)
{
	ldap_memfree(a->dn);
	a->dn = NULL;
}

int dir_account_state(const struct sspr_conf *conf, const char *user, enum account_state *out)
{
	struct dir_conn c = {0};
	struct dir_account a = {0};
	*out = ACCOUNT_NOT_FOUND;
	if (!username_valid(user))
		return 0;
	int r = dir_open(conf, &c);
	if (r == 0)
		r = lookup(&c, user, &a);
	if (r == 0)
		*out = a.state;
	account_clear(&a);
	dir_close(&c);
	return r;
}

/* Open, find user and require ACCOUNT_OK: every change re-checks, an
 * administrator may have locked the account since the dialogue began. */
static int open_ok(const struct sspr_conf *conf, const char *user, struct dir_conn *c,
		   struct dir_account *a)
{
	memset(a, 0, sizeof(*a));
	if (!username_valid(user))
		return -EINVAL;
	int r = dir_open(conf, c);
	if (r < 0)
		return r;
	r = lookup(c, user, a);
	if (r == 0 && a->state != ACCOUNT_OK)
		r = -EPERM;
	return r;
}

int dir_verify_password(const struct sspr_conf *conf, const char *user, const char *password)
{
	struct dir_conn c = {0};
	struct dir_account a;
	int r = open_ok(conf, user, &c, &a);
	dir_close(&c);
	if (r == 0)
		r = dir_check_password(conf, a.dn, password);
	account_clear(&a);
	return r;
}

/* Wait for msgid's result within [ldap] timeout; its result code. */
static int wait_result(struct dir_conn *c, int msgid, int rc)
{
	if (rc != LDAP_SUCCESS)
		return dir_errno(rc);
	struct timeval tv = {.tv_sec = c->conf->ldap_timeout};
	LDAPMessage *res = NULL;
	rc = ldap_result(c->ld, msgid, LDAP_MSG_ALL, &tv, &res);
	if (rc == 0) {
		ldap_abandon_ext(c->ld, msgid, NULL, NULL);
		return -ETIMEDOUT;
	}
	if (rc < 0) {
		ldap_get_option(c->ld, LDAP_OPT_RESULT_CODE, &rc);
		return dir_errno(rc);
	}
	int err = LDAP_OTHER;
	rc = ldap_parse_result(c->ld, res, &err, NULL, NULL, NULL, NULL, 1);
	return dir_errno(rc != LDAP_SUCCESS ? rc : err);
}

static int modify(struct dir_conn *c, const char *dn, LDAPMod **mods, bool relax)
{
	LDAPControl ctl = {.ldctl_oid = LDAP_CONTROL_RELAX, .ldctl_iscritical = 1};
	LDAPControl *ctls[] = {&ctl, NULL};
	int msgid = 0;
	int rc = ldap_modify_ext(c->ld, dn, mods, relax ? ctls : NULL, NULL, &msgid);
	return wait_result(c, msgid, rc);
}

static int set_openldap(struct dir_conn *c, const char *dn, const char *password)
{
	struct berval id = {.bv_val = (char *)dn, .bv_len = strlen(dn)};
	struct berval pw = {.bv_val = (char *)password, .bv_len = strlen(password)};
	int msgid = 0;
	int rc = ldap_passwd(c->ld, &id, NULL, &pw, NULL, NULL, &msgid);
	int r = wait_result(c, msgid, rc);
	if (r < 0)
		return r;
	/* Set by an administrator's change (pwdMustChange): this one was
	 * the user's own, who must not be made to change it again. */
	char *none[] = {NULL};
	LDAPMod del = {.mod_op = LDAP_MOD_DELETE, .mod_type = "pwdReset", .mod_values = none};
	LDAPMod *mods[] = {&del, NULL};
	r = modify(c, dn, mods, false);
	if (r < 0 && r != -ENODATA)
		log_error("ldap: password of %s set, but pwdReset could not be removed: %s", dn,
			  strerror(-r));
	return 0;
}

int dir_ad_password(const char *password, unsigned char *out, size_t outsz)
{
	size_t n = 0;
	const unsigned char *p = (const unsigned char *)password;
	size_t len = strlen(password);
	if (!utf8_text_valid(password, len, PASSWORD_BYTES_MAX, NULL))
		return -EINVAL;
	for (size_t i = 0; i <= len + 1; i++) {
		uint32_t cp;
		if (i == 0 || i == len + 1) {
			cp = '"';
		} else {
			size_t k = i - 1;
			unsigned b = p[k];
			int extra = b < 0x80 ? 0 : b >= 0xf0 ? 3 : b >= 0xe0 ? 2 : 1;
			cp = extra == 0 ? b : b & (0x3f >> extra);
			for (int j = 1; j <= extra; j++)
				cp = (cp << 6) | (p[k + (size_t)j] & 0x3f);
			i += (size_t)extra;
		}
		uint16_t units[2];
		int nu = 1;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			units[0] = (uint16_t)(0xd800 | (cp >> 10));
			units[1] = (uint16_t)(0xdc00 | (cp & 0x3ff));
			nu = 2;
		} else {
			units[0] = (uint16_t)cp;
		}
		for (int j = 0; j < nu; j++) {
			if (n + 2 > outsz) {
				secure_zero(out, outsz);
				return -ENAMETOOLONG;
			}
			out[n++] = (unsigned char)(units[j] & 0xff);
			out[n++] = (unsigned char)(units[j] >> 8);
		}
	}
	return (int)n;
}

/* AD takes no Password Modify: an administrator's reset is a replace of
 * unicodePwd, over TLS. Untested against a real AD (ssprd(8)). */
static int set_ad(struct dir_conn *c, const char *dn, const char *password)
{
	unsigned char buf[2 * (PASSWORD_BYTES_MAX + 2) * 2];
	int n = dir_ad_password(password, buf, sizeof(buf));
	if (n < 0)
		return n;
	struct berval v = {.bv_val = (char *)buf, .bv_len = (ber_len_t)n};
	struct berval *vals[] = {&v, NULL};
	LDAPMod mod = {.mod_op = LDAP_MOD_REPLACE | LDAP_MOD_BVALUES,
		       .mod_type = "unicodePwd",
		       .mod_bvalues = vals};
	LDAPMod *mods[] = {&mod, NULL};
	int r = modify(c, dn, mods, false);
	secure_zero(buf, sizeof(buf));
	return r;
}

int dir_set_password(const struct sspr_conf *conf, const char *user, const char *password)
{
	struct dir_conn c = {0};
	struct dir_account a;
	if (!password || !password[0])
		return -EINVAL;
	int r = open_ok(conf, user, &c, &a);
	if (r == 0)
		r = conf->ldap_flavor == LDAP_FLAVOR_AD ? set_ad(&c, a.dn, password)
							: set_openldap(&c, a.dn, password);
	if (r == 0 && conf->ldap_shadow_last_change) {
		char day[24];
		snprintf(day, sizeof(day), "%ld", (long)(time(NULL) / 86400));
		char *vals[] = {day, NULL};
		LDAPMod mod = {
		    .mod_op = LDAP_MOD_REPLACE, .mod_type = "shadowLastChange", .mod_values = vals};
		LDAPMod *mods[] = {&mod, NULL};
		int rs = modify(&c, a.dn, mods, false);
		if (rs < 0)
			log_warning("ldap: shadowLastChange of %s not updated: %s", a.dn,
				    strerror(-rs));
	}
	if (r < 0 && r != -EPERM)
		log_error("ldap: password of %s not set: %s", user, strerror(-r));
	account_clear(&a);
	dir_close(&c);
	return r;
}

int dir_failure_records(const struct sspr_conf *conf, const char *user, unsigned *records)
{
	struct dir_conn c = {0};
	struct dir_account a = {0};
	*records = 0;
	if (!username_valid(user))
		return -EINVAL;
	int r = dir_open(conf, &c);
	if (r == 0)
		r = lookup(&c, user, &a);
	if (r == 0)
		*records = a.failures;
	account_clear(&a);
	dir_close(&c);
	return r;
}

/* One try: the lock value read is the one deleted, so an administrator's
 * lock set in between makes the modify fail instead of vanishing. */
static int unlock_openldap(struct dir_conn *c, struct dir_account *a)
{
	char *lock_vals[] = {a->lock, NULL}, *all[] = {NULL};
	LDAPMod lock = {
	    .mod_op = LDAP_MOD_DELETE, .mod_type = "pwdAccountLockedTime", .mod_values = lock_vals};
	LDAPMod fail = {.mod_op = LDAP_MOD_DELETE, .mod_type = "pwdFailureTime", .mod_values = all};
	LDAPMod *mods[3] = {NULL};
	size_t n = 0;
	if (a->lock[0])
		mods[n++] = &lock;
	if (a->has_failures)
		mods[n++] = &fail;
	return n ? modify(c, a->dn, mods, true) : 0;
}

static int unlock_ad(struct dir_conn *c, struct dir_account *a)
{
	char *zero[] = {"0", NULL};
	LDAPMod mod = {.mod_op = LDAP_MOD_REPLACE, .mod_type = "lockoutTime", .mod_values = zero};
	LDAPMod *mods[] = {&mod, NULL};
	return a->lock[0] ? modify(c, a->dn, mods, false) : 0;
}

int dir_unlock(const struct sspr_conf *conf, const char *user)
{
	struct dir_conn c = {0};
	struct dir_account a = {0};
	int r = -ENODATA;
	for (int i = 0; i < UNLOCK_TRIES && r == -ENODATA; i++) {
		account_clear(&a);
		dir_close(&c);
		r = open_ok(conf, user, &c, &a);
		if (r == 0)
			r = conf->ldap_flavor == LDAP_FLAVOR_AD ? unlock_ad(&c, &a)
								: unlock_openldap(&c, &a);
	}
	if (r < 0 && r != -EPERM)
		log_error("ldap: unlock of %s failed: %s", user, strerror(-r));
	account_clear(&a);
	dir_close(&c);
	return r;
}
