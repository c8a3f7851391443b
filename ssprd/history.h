/*
 * Password history. The store keeps the crypt(5) strings a user's shadow
 * entry held, snapshotted before and after every change that goes through
 * sspr (a reset, or `passwd` with pam_sspr in the password stack): the
 * newest history + 1 of them. A new password is compared with the current
 * hash, those snapshots and, read-only, pam_pwhistory's opasswd file.
 */
#pragma once

#include "common/conf.h"
#include "ssprd/store.h"

enum history_match {
	HISTORY_NONE,
	HISTORY_CURRENT, /* the password the account has now */
	HISTORY_EARLIER, /* a password it had before */
};

/* Compare password with the user's current and earlier hashes. Nothing is
 * compared when [policy] history is 0. 0 and *out, or negative errno. */
int history_check(const struct sspr_conf *conf, struct store *store, const char *user,
		  const char *password, enum history_match *out);

/* Remember the user's current hash (idempotent); with history = 0, forget
 * the user's history instead. A user without a shadow entry is not an
 * error. */
int history_record_current(const struct sspr_conf *conf, struct store *store, const char *user);

/* For a backend that does not show its hashes (ldap): remember password
 * itself, hashed here as [backend] hash_method says, once it is the
 * user's. Nothing with history = 0. */
int history_record_password(const struct sspr_conf *conf, struct store *store, const char *user,
			    const char *password);
