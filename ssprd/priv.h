/*
 * Everything that needs root, behind one narrow interface: reading an
 * account's state and current hash from the password backend and writing a
 * new password, and clearing failed-login records.
 * Today it runs in-process; it is the seam where a privileged helper process
 * will sit (see the hardening work), so callers must not assume more than
 * these functions.
 */
#pragma once

#include "common/conf.h"

enum account_state {
	ACCOUNT_OK,
	ACCOUNT_NOT_FOUND, /* no passwd or shadow entry */
	ACCOUNT_SYSTEM,	   /* root or uid below min_uid */
	ACCOUNT_LOCKED,	   /* hash starts with '!' or '*' */
	ACCOUNT_EXPIRED,   /* shadow account expiry date passed */
};

const char *account_state_name(enum account_state s);

int priv_account_state(const struct sspr_conf *conf, const char *user, enum account_state *out);

/* The user's hash as the backend holds it now, lock marks included (a
 * secret: free with secret_free); -ENOENT when the user has no entry. The
 * password history reads it before and after every change. */
int priv_current_hash(const struct sspr_conf *conf, const char *user, char **out);

/* Check password against the user's current hash (sspr register asks for
 * it): 0 when it matches, -EACCES when not, -EPERM unless the account
 * state is ACCOUNT_OK. */
int priv_verify_password(const struct sspr_conf *conf, const char *user, const char *password);

/* Hash and write password for user; re-checks the account state first and
 * returns -EPERM unless it is ACCOUNT_OK. */
int priv_set_password(const struct sspr_conf *conf, const char *user, const char *password);

/* Failed-login records pam_faillock holds for user (0 when none). */
int priv_faillock_records(const struct sspr_conf *conf, const char *user, unsigned *records);

/* Clear user's failed-login records; re-checks the account state first and
 * returns -EPERM unless it is ACCOUNT_OK (an administrator's lock stays). */
int priv_unlock(const struct sspr_conf *conf, const char *user);
