/* The password backend of [backend] type = ldap: the privileged
 * operations of priv.h done against the directory of [ldap], where root
 * is (privsep_ops.c dispatches here). Every call opens its own connection
 * as bind_dn (dir_conn.h), so each is bounded by the [ldap] timeouts and
 * none needs the engine or its store.
 *
 * What the entry says (flavor openldap, the ppolicy overlay):
 *   pwdAccountLockedTime 000001010000Z  an administrator's lock: LOCKED,
 *                                       never reset or unlocked by sspr
 *   pwdAccountLockedTime, other value   locked after failed binds: the
 *                                       "failed-login records" of priv.h
 *   pwdFailureTime values               the failed binds so far
 *   shadowExpire (days), pwdEndTime     passed: EXPIRED
 *   uidNumber (else the NSS uid)        0 or below min_uid: SYSTEM
 * Flavor ad: userAccountControl ACCOUNTDISABLE is LOCKED, accountExpires
 * passed is EXPIRED, lockoutTime (or badPwdCount) the failure records. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "common/conf.h"
#include "ssprd/priv.h"

int dir_account_state(const struct sspr_conf *conf, const char *user, enum account_state *out);
/* A bind as the user's entry: 0, -EACCES (wrong), -EPERM unless the state
 * is ACCOUNT_OK, or the connection's errno. */
int dir_verify_password(const struct sspr_conf *conf, const char *user, const char *password);
/* Re-checks the state (-EPERM unless ACCOUNT_OK), then sets password:
 * openldap with the Password Modify extended operation (RFC 3062, the new
 * password always given, so the directory hashes it), then removes
 * pwdReset; ad by replacing unicodePwd. shadowLastChange too when
 * [ldap] shadow_last_change is set. */
int dir_set_password(const struct sspr_conf *conf, const char *user, const char *password);
int dir_failure_records(const struct sspr_conf *conf, const char *user, unsigned *records);
/* Re-checks the state (-EPERM unless ACCOUNT_OK: the administrative lock
 * stays), then removes the lock and the failure times (openldap, with the
 * Relax control) or sets lockoutTime to 0 (ad). */
int dir_unlock(const struct sspr_conf *conf, const char *user);

/* Internals, for the unit tests. */

/* A GeneralizedTime "YYYYMMDDHHMMSS[.f]Z" as seconds since 1970: 0 or
 * -EINVAL. */
int dir_parse_gentime(const char *s, int64_t *out);
/* "\"" password "\"" as UTF-16LE (what AD's unicodePwd takes) into out:
 * the length in bytes, -EINVAL for invalid UTF-8, -ENAMETOOLONG. */
int dir_ad_password(const char *password, unsigned char *out, size_t outsz);
