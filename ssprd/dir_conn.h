/* Connections to the directory of [ldap] (libldap), shared by the password
 * backend (dir_backend.c, where root is) and the enrolment store
 * (store_dir*.c, in the engine). Every call is bounded by [ldap]
 * network_timeout and timeout: a hung directory fails the call with
 * -ETIMEDOUT, it never hangs a login or the daemon. A connection is opened
 * per operation (no pool): simple and never stale. */
#pragma once

#include <ldap.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/conf.h"

/* Read [ldap] bind_password_file once, as root, before ssprd splits; both
 * processes keep the copy (privsep_secret.h rules). 0 also when there is
 * no such key. */
int dir_secret_load(const struct sspr_conf *conf);
void dir_secret_free(void);

struct dir_conn {
	LDAP *ld;
	const struct sspr_conf *conf;
};

/* Connect to [ldap] uri with the timeouts, StartTLS for ldap:// unless the
 * host is a loopback address (failure to start TLS fails the call), verify
 * the server certificate (ca_file or the system store), and bind as
 * bind_dn. 0, or -ETIMEDOUT (no answer in time), -ECONNREFUSED (down),
 * -EACCES (bind refused), -EPROTO (TLS failed), -EINVAL (no [ldap] uri). */
int dir_open(const struct sspr_conf *conf, struct dir_conn *out);
/* NULL-safe; leaves c->ld NULL. */
void dir_close(struct dir_conn *c);

/* value escaped as an RFC 4515 filter value ('*', '(', ')', '\\', NUL
 * and non-ASCII as \XX) into out: 0 or -ENAMETOOLONG. */
int dir_filter_escape(const char *value, char *out, size_t outsz);

/* The entry of user below base_dn found with user_filter, with attrs (NULL
 * for none): 0 and *dn (free with ldap_memfree) and *entry (the search
 * result, free with ldap_msgfree; the entry is its first), -ENOENT when
 * none, -ENOTUNIQ when more than one (refused: an ambiguous filter), or
 * the call's errno. A user name that username_valid() refuses is -ENOENT
 * without a search. */
int dir_find_user(struct dir_conn *c, const char *user, char **attrs, char **dn,
		  LDAPMessage **entry);

/* An LDAP result code as negative errno: LDAP_TIMEOUT/LDAP_TIMELIMIT_EXCEEDED
 * -ETIMEDOUT, LDAP_SERVER_DOWN/LDAP_CONNECT_ERROR -ECONNREFUSED,
 * LDAP_INVALID_CREDENTIALS/LDAP_INSUFFICIENT_ACCESS -EACCES,
 * LDAP_NO_SUCH_OBJECT -ENOENT, LDAP_NO_SUCH_ATTRIBUTE -ENODATA, others
 * -EIO. */
int dir_errno(int ldap_rc);

/* Whether password is dn's: a simple bind as dn on a fresh connection.
 * 0, -EACCES for a wrong password, or the connection's errno. An empty
 * password is -EACCES without a bind (it would be an anonymous bind). */
int dir_check_password(const struct sspr_conf *conf, const char *dn, const char *password);

/* Internals, for the unit tests. */

/* [ldap] user_filter (or the default) with its "%s" replaced by user,
 * escaped (dir_filter_escape): 0, -ENAMETOOLONG, -EINVAL. */
int dir_user_filter(const struct sspr_conf *conf, const char *user, char *out, size_t outsz);
/* Whether uri (a list separated by spaces or commas) needs StartTLS: some
 * ldap:// URL whose host is not a loopback address. 0 and *out, or
 * -EINVAL for an unparsable list or a scheme other than ldap, ldaps and
 * ldapi. */
int dir_uri_needs_starttls(const char *uri, bool *out);
