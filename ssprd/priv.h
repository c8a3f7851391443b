/*
 * Everything that needs root, behind one narrow interface: reading an
 * account's state and current hash from the password backend and writing a
 * new password, clearing failed-login records, pam_pwhistory's opasswd
 * file and the Linux audit log. When ssprd splits (privsep.h) each call is
 * a request to the privileged process; otherwise the same code runs
 * in-process (privsep_ops.c). Callers must not assume more than these
 * functions.
 */
#pragma once

#include <stdbool.h>

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

/* The engine reports that user passed verification in a reset dialogue.
 * The privileged side accepts priv_set_password only for a user so
 * reported within the last dialogue_timeout seconds by the same thread
 * (the one running the dialogue), and forgets the report once used.
 * (Clearing failed-login records, which an administrator may also ask
 * for, needs no report: it never lets anybody in.) */
int priv_mark_verified(const struct sspr_conf *conf, const char *user);

/* Hash and write password for user: -EACCES without a report from
 * priv_mark_verified (above); re-checks the account state first and
 * returns -EPERM unless it is ACCOUNT_OK. */
int priv_set_password(const struct sspr_conf *conf, const char *user, const char *password);

/* Failed-login records pam_faillock holds for user (0 when none). */
int priv_faillock_records(const struct sspr_conf *conf, const char *user, unsigned *records);

/* Clear user's failed-login records; re-checks the account state first and
 * returns -EPERM unless it is ACCOUNT_OK (an administrator's lock stays). */
int priv_unlock(const struct sspr_conf *conf, const char *user);

/* Whether password is one of user's in pam_pwhistory's opasswd file
 * (conf->opasswd; root's alone to read): 0 and *match (false when there is
 * no such file), or negative errno. */
int priv_opasswd_match(const struct sspr_conf *conf, const char *user, const char *password,
		       bool *match);

/* A USER_CHAUTHTOK record in the Linux audit log, as pam_unix writes one:
 * op is one of sspr's operations ("sspr-reset-password", "sspr-unlock",
 * "sspr-change-registration", "sspr-admin-enroll", "sspr-admin-clear",
 * "sspr-admin-unlock"; -EINVAL for others), ok the result. No audit
 * support is not an error. */
int priv_linux_audit(const char *op, const char *user, const char *rhost, const char *tty, bool ok);
