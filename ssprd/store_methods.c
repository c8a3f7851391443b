/* Store records of the verification methods other than codes: security
 * questions, authenticator secrets and recovery codes. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "ssprd/store.h"
#include "ssprd/store_internal.h"

static int begin(struct store *s)
{
	return store_exec(s, "BEGIN IMMEDIATE;");
}

static int end(struct store *s, int r)
{
	if (r == 0)
		r = store_exec(s, "COMMIT;");
	if (r < 0)
		store_exec(s, "ROLLBACK;");
	return r;
}

static int delete_user_rows(struct store *s, const char *sql, const char *user)
{
	sqlite3_stmt *st;
	int r = store_prepare(s, sql, &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	return store_step_done(s, st, "deleting");
}

/* The marks of a pending challenge stay on this host (like the codes),
 * whichever store holds the questions. */
static int pending_list(struct store *s, const char *user, unsigned *out, size_t max, size_t *n)
{
	sqlite3_stmt *st;
	*n = 0;
	int r =
	    store_prepare(s, "SELECT idx FROM questions_pending WHERE user = ?1 ORDER BY idx", &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max)
		out[(*n)++] = (unsigned)sqlite3_column_int(st, 0);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		r = store_sql_err(s, "reading pending questions");
	sqlite3_finalize(st);
	return r;
}

static int pending_set(struct store *s, const char *user, const unsigned *idx, size_t n)
{
	int r = begin(s);
	if (r == 0)
		r = delete_user_rows(s, "DELETE FROM questions_pending WHERE user = ?1", user);
	for (size_t i = 0; r == 0 && i < n; i++) {
		sqlite3_stmt *st;
		r = store_prepare(
		    s, "INSERT OR IGNORE INTO questions_pending (user, idx) VALUES (?1, ?2)", &st);
		if (r < 0)
			break;
		sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, (int)idx[i]);
		r = store_step_done(s, st, "marking pending questions");
	}
	return end(s, r);
}

/* The directory's part, then what stays on this host. */
static int dir_contact_delete(struct store *s, const char *user, const char *kind)
{
	int r = store_dir_contact_delete(s, user, kind);
	if (r == 0 && !kind)
		r = delete_user_rows(s, "DELETE FROM codes WHERE user = ?1", user);
	if (r == 0 && !kind)
		r = delete_user_rows(s, "DELETE FROM questions_pending WHERE user = ?1", user);
	return r;
}

int store_questions_set(struct store *s, const char *user, const struct store_question *q, size_t n,
			int64_t now)
{
	if (s->dir_store) {
		int r = store_dir_questions_set(s, user, q, n, now);
		return r < 0 ? r : store_questions_clear_pending(s, user);
	}
	if (n > STORE_MAX_QUESTIONS)
		return -E2BIG;
	int r = begin(s);
	if (r < 0)
		return r;
	r = delete_user_rows(s, "DELETE FROM questions WHERE user = ?1", user);
	if (r == 0)
		r = delete_user_rows(s, "DELETE FROM questions_pending WHERE user = ?1", user);
	for (size_t i = 0; r == 0 && i < n; i++) {
		sqlite3_stmt *st;
		r = store_prepare(
		    s,
		    "INSERT INTO questions (user, idx, question, answer_hash, created) "
		    "VALUES (?1, ?2, ?3, ?4, ?5)",
		    &st);
		if (r < 0)
			break;
		sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, (int)q[i].idx);
		sqlite3_bind_text(st, 3, q[i].question, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, q[i].answer_hash, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, now);
		r = store_step_done(s, st, "saving a question");
	}
	return end(s, r);
}

void store_questions_free(struct store_question *q, size_t n)
{
	if (!q)
		return;
	for (size_t i = 0; i < n; i++) {
		free(q[i].question);
		secret_free(q[i].answer_hash);
	}
	free(q);
}

int store_questions_list(struct store *s, const char *user, struct store_question **out, size_t *n)
{
	if (s->dir_store)
		return store_dir_questions_list(s, user, out, n);
	sqlite3_stmt *st;
	*out = NULL;
	*n = 0;
	struct store_question *q = calloc(STORE_MAX_QUESTIONS, sizeof(*q));
	if (!q)
		return -ENOMEM;
	size_t count = 0;
	int r = store_prepare(s,
			      "SELECT idx, question, answer_hash FROM questions WHERE user = ?1 "
			      "ORDER BY idx LIMIT ?2",
			      &st);
	if (r < 0)
		goto fail;
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, STORE_MAX_QUESTIONS);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *qt = sqlite3_column_text(st, 1),
				    *h = sqlite3_column_text(st, 2);
		int idx = sqlite3_column_int(st, 0);
		if (idx < 0 || !qt || !h) {
			r = -EBADMSG;
			break;
		}
		q[count].idx = (unsigned)idx;
		q[count].question = strdup((const char *)qt);
		q[count].answer_hash = strdup((const char *)h);
		count++;
		if (!q[count - 1].question || !q[count - 1].answer_hash) {
			r = -ENOMEM;
			break;
		}
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = store_sql_err(s, "reading questions");
	sqlite3_finalize(st);
	if (r < 0)
		goto fail;
	*out = q;
	*n = count;
	return 0;
fail:
	store_questions_free(q, count);
	return r;
}

int store_questions_pending(struct store *s, const char *user, unsigned *out, size_t max, size_t *n)
{
	return pending_list(s, user, out, max, n);
}

int store_questions_set_pending(struct store *s, const char *user, const unsigned *idx, size_t n)
{
	return pending_set(s, user, idx, n);
}

int store_questions_clear_pending(struct store *s, const char *user)
{
	return delete_user_rows(s, "DELETE FROM questions_pending WHERE user = ?1", user);
}

int store_totp_set(struct store *s, const char *user, const uint8_t *sealed, size_t len,
		   int64_t now)
{
	if (s->dir_store)
		return store_dir_totp_set(s, user, sealed, len, now);
	sqlite3_stmt *st;
	if (len > STORE_TOTP_SEALED_MAX)
		return -E2BIG;
	int r = store_prepare(s,
			      "INSERT OR REPLACE INTO totp (user, sealed, last_step, created) "
			      "VALUES (?1, ?2, 0, ?3)",
			      &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, sealed, (int)len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	return store_step_done(s, st, "saving an authenticator");
}

int store_totp_get(struct store *s, const char *user, struct store_totp *out)
{
	if (s->dir_store)
		return store_dir_totp_get(s, user, out);
	sqlite3_stmt *st;
	memset(out, 0, sizeof(*out));
	int r =
	    store_prepare(s, "SELECT sealed, last_step, created FROM totp WHERE user = ?1", &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		int len = sqlite3_column_bytes(st, 0);
		if (len <= 0 || len > STORE_TOTP_SEALED_MAX) {
			r = -EBADMSG;
		} else {
			memcpy(out->sealed, sqlite3_column_blob(st, 0), (size_t)len);
			out->sealed_len = (size_t)len;
			out->last_step = sqlite3_column_int64(st, 1);
			out->created = sqlite3_column_int64(st, 2);
		}
	} else if (rc == SQLITE_DONE) {
		r = -ENOENT;
	} else {
		r = store_sql_err(s, "reading an authenticator");
	}
	sqlite3_finalize(st);
	return r;
}

int store_totp_use_step(struct store *s, const char *user, int64_t step)
{
	if (s->dir_store)
		return store_dir_totp_use_step(s, user, step);
	sqlite3_stmt *st;
	/* One statement: two dialogues cannot both accept the same step. */
	int r = store_prepare(
	    s, "UPDATE totp SET last_step = ?2 WHERE user = ?1 AND last_step < ?2", &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, step);
	r = store_step_done(s, st, "recording an authenticator step");
	if (r < 0)
		return r;
	return sqlite3_changes(s->db) == 1 ? 0 : -EALREADY;
}

int store_totp_delete(struct store *s, const char *user)
{
	if (s->dir_store)
		return store_dir_totp_delete(s, user);
	return delete_user_rows(s, "DELETE FROM totp WHERE user = ?1", user);
}

int store_recovery_set(struct store *s, const char *user, const uint8_t (*hashes)[STORE_HASH_SIZE],
		       size_t n, int64_t now)
{
	if (s->dir_store)
		return store_dir_recovery_set(s, user, hashes, n, now);
	int r = begin(s);
	if (r < 0)
		return r;
	r = delete_user_rows(s, "DELETE FROM recovery_codes WHERE user = ?1", user);
	for (size_t i = 0; r == 0 && i < n; i++) {
		sqlite3_stmt *st;
		r = store_prepare(
		    s, "INSERT INTO recovery_codes (user, hash, created) VALUES (?1, ?2, ?3)", &st);
		if (r < 0)
			break;
		sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
		sqlite3_bind_blob(st, 2, hashes[i], STORE_HASH_SIZE, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, now);
		r = store_step_done(s, st, "saving recovery codes");
	}
	return end(s, r);
}

int store_recovery_use(struct store *s, const char *user, const uint8_t hash[STORE_HASH_SIZE],
		       int64_t now)
{
	if (s->dir_store)
		return store_dir_recovery_use(s, user, hash, now);
	sqlite3_stmt *st;
	int r = store_prepare(s,
			      "UPDATE recovery_codes SET used = ?3 "
			      "WHERE user = ?1 AND hash = ?2 AND used = 0",
			      &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, hash, STORE_HASH_SIZE, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now > 0 ? now : 1);
	r = store_step_done(s, st, "using a recovery code");
	if (r < 0)
		return r;
	return sqlite3_changes(s->db) == 1 ? 0 : -ENOENT;
}

int store_recovery_left(struct store *s, const char *user, unsigned *left)
{
	if (s->dir_store)
		return store_dir_recovery_left(s, user, left);
	sqlite3_stmt *st;
	*left = 0;
	int r = store_prepare(s, "SELECT count(*) FROM recovery_codes WHERE user = ?1 AND used = 0",
			      &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		*left = (unsigned)sqlite3_column_int(st, 0);
	else
		r = store_sql_err(s, "counting recovery codes");
	sqlite3_finalize(st);
	return r;
}

int store_contact_delete(struct store *s, const char *user, const char *kind)
{
	if (s->dir_store)
		return dir_contact_delete(s, user, kind);
	sqlite3_stmt *st;
	if (kind) {
		int r = store_prepare(s, "DELETE FROM contacts WHERE user = ?1 AND kind = ?2", &st);
		if (r < 0)
			return r;
		sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
		return store_step_done(s, st, "deleting a contact");
	}
	static const char *const all[] = {"DELETE FROM contacts WHERE user = ?1",
					  "DELETE FROM questions WHERE user = ?1",
					  "DELETE FROM questions_pending WHERE user = ?1",
					  "DELETE FROM totp WHERE user = ?1",
					  "DELETE FROM recovery_codes WHERE user = ?1",
					  "DELETE FROM codes WHERE user = ?1"};
	int r = begin(s);
	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(all); i++)
		r = delete_user_rows(s, all[i], user);
	return end(s, r);
}
