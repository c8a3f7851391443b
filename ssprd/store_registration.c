/* Registration bookkeeping: confirmation times, the login notice already
 * shown, verified contacts and the list of registered users. With store =
 * ldap all but the notice (per host) come from the directory. */
#include "ssprd/store.h"
#include "ssprd/store_internal.h"

#include <errno.h>

static int read_int64(struct store *s, const char *sql, const char *user, int64_t *out)
{
	sqlite3_stmt *st;
	*out = 0;
	int r = store_prepare(s, sql, &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE)
		r = store_sql_err(s, "reading registration");
	sqlite3_finalize(st);
	return r;
}

static int write_int64(struct store *s, const char *sql, const char *user, int64_t v)
{
	sqlite3_stmt *st;
	int r = store_prepare(s, sql, &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, v);
	return store_step_done(s, st, "saving registration");
}

int store_registration_confirmed(struct store *s, const char *user, int64_t *when)
{
	if (s->dir_store)
		return store_dir_registration_confirmed(s, user, when);
	return read_int64(s, "SELECT confirmed FROM registrations WHERE user = ?1", user, when);
}

int store_registration_confirm(struct store *s, const char *user, int64_t now)
{
	if (s->dir_store)
		return store_dir_registration_confirm(s, user, now);
	return write_int64(s,
			   "INSERT INTO registrations (user, confirmed) VALUES (?1, ?2) "
			   "ON CONFLICT (user) DO UPDATE SET confirmed = excluded.confirmed",
			   user, now);
}

int store_notice_shown(struct store *s, const char *user, int64_t *event_id)
{
	return read_int64(s, "SELECT notice_shown FROM registrations WHERE user = ?1", user,
			  event_id);
}

int store_notice_set_shown(struct store *s, const char *user, int64_t event_id)
{
	return write_int64(s,
			   "INSERT INTO registrations (user, notice_shown) VALUES (?1, ?2) "
			   "ON CONFLICT (user) DO UPDATE SET notice_shown = excluded.notice_shown",
			   user, event_id);
}

int store_contact_set_verified(struct store *s, const char *user, const char *kind, int64_t now)
{
	if (s->dir_store)
		return store_dir_contact_set_verified(s, user, kind, now);
	sqlite3_stmt *st;
	int r = store_prepare(s, "UPDATE contacts SET verified = ?3 WHERE user = ?1 AND kind = ?2",
			      &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	r = store_step_done(s, st, "marking a contact verified");
	if (r == 0 && sqlite3_changes(s->db) == 0)
		r = -ENOENT;
	return r;
}

int store_registered_users(struct store *s, store_user_fn fn, void *userdata)
{
	if (s->dir_store)
		return store_dir_registered_users(s, fn, userdata);
	sqlite3_stmt *st;
	int r = store_prepare(s,
			      "SELECT user FROM contacts UNION SELECT user FROM questions "
			      "UNION SELECT user FROM totp "
			      "UNION SELECT user FROM recovery_codes WHERE used = 0 ORDER BY 1",
			      &st);
	if (r < 0)
		return r;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *u = sqlite3_column_text(st, 0);
		r = fn(userdata, u ? (const char *)u : "");
		if (r != 0)
			break;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = store_sql_err(s, "listing registered users");
	sqlite3_finalize(st);
	return r;
}
