#include "ssprd/store.h"
#include "ssprd/store_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/log.h"
#include "common/util.h"

/* Migration N brings the schema from version N to N+1. Never edit a shipped
 * entry: append a new one. */
static const char *const migrations[] = {
    "CREATE TABLE contacts ("
    "  user TEXT NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  value TEXT NOT NULL,"
    "  source TEXT NOT NULL,"
    "  created INTEGER NOT NULL,"
    "  verified INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (user, kind));"
    "CREATE TABLE codes ("
    "  user TEXT NOT NULL,"
    "  method TEXT NOT NULL,"
    "  request BLOB NOT NULL,"
    "  hash BLOB NOT NULL,"
    "  expires INTEGER NOT NULL,"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (user, method));"
    "CREATE TABLE events ("
    "  id INTEGER PRIMARY KEY,"
    "  time INTEGER NOT NULL,"
    "  user TEXT NOT NULL,"
    "  event TEXT NOT NULL,"
    "  detail TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX events_user ON events (user, event, time);",
    /* 2: password history, the crypt(5) strings of earlier passwords as
     * the shadow file held them. */
    "CREATE TABLE history ("
    "  id INTEGER PRIMARY KEY,"
    "  user TEXT NOT NULL,"
    "  hash TEXT NOT NULL,"
    "  time INTEGER NOT NULL,"
    "  UNIQUE (user, hash));",
    /* 3: the other verification methods. A question set is replaced
     * whole; pending marks the questions of an unfinished challenge. */
    "CREATE TABLE questions ("
    "  user TEXT NOT NULL,"
    "  idx INTEGER NOT NULL,"
    "  question TEXT NOT NULL,"
    "  answer_hash TEXT NOT NULL,"
    "  created INTEGER NOT NULL,"
    "  pending INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (user, idx));"
    "CREATE TABLE totp ("
    "  user TEXT PRIMARY KEY,"
    "  sealed BLOB NOT NULL,"
    "  last_step INTEGER NOT NULL DEFAULT 0,"
    "  created INTEGER NOT NULL);"
    "CREATE TABLE recovery_codes ("
    "  user TEXT NOT NULL,"
    "  hash BLOB NOT NULL,"
    "  created INTEGER NOT NULL,"
    "  used INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (user, hash));",
    /* 4: the audit trail gets its own columns (was all in detail), and
     * each user's registration: when they last confirmed it, and the
     * newest reset event already shown to them at login. */
    "ALTER TABLE events ADD COLUMN method TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE events ADD COLUMN service TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE events ADD COLUMN rhost TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE events ADD COLUMN tty TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE events ADD COLUMN actor TEXT NOT NULL DEFAULT '';"
    "CREATE INDEX events_time ON events (time);"
    "CREATE TABLE registrations ("
    "  user TEXT PRIMARY KEY,"
    "  confirmed INTEGER NOT NULL DEFAULT 0,"
    "  notice_shown INTEGER NOT NULL DEFAULT 0);",
    /* 5: abuse limits ([limits]): one row per counted event (a sliding
     * window is a count of recent rows), and the reset flows locked. */
    "CREATE TABLE limit_hits ("
    "  key TEXT NOT NULL,"
    "  time INTEGER NOT NULL);"
    "CREATE INDEX limit_hits_key ON limit_hits (key, time);"
    "CREATE INDEX limit_hits_time ON limit_hits (time);"
    "CREATE TABLE limit_locks ("
    "  key TEXT PRIMARY KEY,"
    "  until INTEGER NOT NULL);",
    /* 6: the language the user chose in sspr register ('' for none), and
     * the questions of a pending challenge in a table of their own, so
     * the marks stay on this host also when the questions live in the
     * directory ([daemon] store = ldap); questions.pending is no longer
     * read. */
    "ALTER TABLE registrations ADD COLUMN language TEXT NOT NULL DEFAULT '';"
    "CREATE TABLE questions_pending ("
    "  user TEXT NOT NULL,"
    "  idx INTEGER NOT NULL,"
    "  PRIMARY KEY (user, idx));"
    "INSERT INTO questions_pending (user, idx) SELECT user, idx FROM questions WHERE pending = 1;",
};

int store_sql_err(struct store *s, const char *what)
{
	log_error("store: %s: %s", what, sqlite3_errmsg(s->db));
	return -EIO;
}

int store_exec(struct store *s, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_error("store: %s", msg ? msg : "exec failed");
		sqlite3_free(msg);
		return -EIO;
	}
	return 0;
}

int store_schema_version(struct store *s)
{
	sqlite3_stmt *st = NULL;
	int v = -EIO;
	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int migrate(struct store *s)
{
	int v = store_schema_version(s);
	if (v < 0)
		return store_sql_err(s, "reading schema version");
	if ((size_t)v > ARRAY_SIZE(migrations)) {
		log_error("store: schema version %d is newer than this ssprd knows (%zu)", v,
			  ARRAY_SIZE(migrations));
		return -EPROTO;
	}
	for (size_t i = (size_t)v; i < ARRAY_SIZE(migrations); i++) {
		char bump[64];
		snprintf(bump, sizeof(bump), "PRAGMA user_version = %zu;", i + 1);
		int r = store_exec(s, "BEGIN IMMEDIATE;");
		if (r == 0)
			r = store_exec(s, migrations[i]);
		if (r == 0)
			r = store_exec(s, bump);
		if (r == 0)
			r = store_exec(s, "COMMIT;");
		if (r < 0) {
			store_exec(s, "ROLLBACK;");
			return r;
		}
		log_info("store: schema migrated to version %zu", i + 1);
	}
	return 0;
}

int store_open(const char *state_dir, struct store **out)
{
	char path[PATH_MAX];
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", state_dir, STORE_DB_NAME) >= sizeof(path))
		return -ENAMETOOLONG;
	struct store *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	pthread_mutex_init(&s->lock, NULL);
	int r;
	/* The database holds contact data and code hashes: owner only, and
	 * the -wal/-shm files inherit this through the umask. */
	mode_t old = umask(077);
	int rc = sqlite3_open_v2(path, &s->db,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				     SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_NOFOLLOW,
				 NULL);
	umask(old);
	if (rc != SQLITE_OK) {
		log_error("store: cannot open %s: %s", path,
			  s->db ? sqlite3_errmsg(s->db) : "out of memory");
		r = -EIO;
		goto fail;
	}
	if (chmod(path, 0600) < 0) {
		r = -errno;
		log_error("store: chmod %s: %m", path);
		goto fail;
	}
	sqlite3_busy_timeout(s->db, 5000);
	/* secure_delete: deleted code hashes are overwritten, not left in
	 * free pages.
	 * synchronous = FULL, not NORMAL: NORMAL would keep the database
	 * consistent but let a power failure or kernel crash undo the last
	 * commits, and in every table that is a hole: a used code, recovery
	 * code or TOTP step valid again (replay), audit events gone for a
	 * password change that shadow kept (it is fsynced), history entries
	 * gone (reuse), limit hits and locks gone (more guesses), a removed
	 * contact back. The cost is small: `make bench` counted 14 fsyncs a
	 * reset at 0.1 ms each, and NORMAL (2 a reset) changed neither the
	 * rate nor ssprd's CPU per reset measurably (tests/bench/README.md). */
	r = store_exec(s, "PRAGMA journal_mode = WAL;"
			  "PRAGMA synchronous = FULL;"
			  "PRAGMA secure_delete = ON;"
			  "PRAGMA foreign_keys = ON;");
	if (r < 0)
		goto fail;
	r = migrate(s);
	if (r < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	store_close(s);
	return r;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	sqlite3_close_v2(s->db);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

void store_lock(struct store *s)
{
	pthread_mutex_lock(&s->lock);
}

void store_unlock(struct store *s)
{
	pthread_mutex_unlock(&s->lock);
}

/* Errors are logged once here so callers only pass the code on. */
int store_prepare(struct store *s, const char *sql, sqlite3_stmt **st)
{
	if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK)
		return store_sql_err(s, "prepare");
	return 0;
}

int store_step_done(struct store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);
	int r = (rc == SQLITE_DONE) ? 0 : store_sql_err(s, what);
	sqlite3_finalize(st);
	return r;
}

void store_contact_clear(struct store_contact *c)
{
	if (!c)
		return;
	free(c->value);
	memset(c, 0, sizeof(*c));
}

int store_contact_set(struct store *s, const char *user, const char *kind, const char *value,
		      const char *source, int64_t now)
{
	if (s->dir_store)
		return store_dir_contact_set(s, user, kind, value, source, now);
	sqlite3_stmt *st;
	int r = store_prepare(s,
			      "INSERT INTO contacts (user, kind, value, source, created) "
			      "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (user, kind) DO UPDATE SET "
			      "value = excluded.value, source = excluded.source, "
			      "created = excluded.created, verified = 0",
			      &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, value, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, source, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, now);
	return store_step_done(s, st, "saving contact");
}

static void copy_text(char *dst, size_t dstsz, const unsigned char *src)
{
	snprintf(dst, dstsz, "%s", src ? (const char *)src : "");
}

int store_contact_get(struct store *s, const char *user, const char *kind,
		      struct store_contact *out)
{
	if (s->dir_store)
		return store_dir_contact_get(s, user, kind, out);
	sqlite3_stmt *st;
	memset(out, 0, sizeof(*out));
	int r = store_prepare(s,
			      "SELECT value, source, created, verified FROM contacts "
			      "WHERE user = ?1 AND kind = ?2",
			      &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *v = sqlite3_column_text(st, 0);
		out->value = strdup(v ? (const char *)v : "");
		copy_text(out->kind, sizeof(out->kind), (const unsigned char *)kind);
		copy_text(out->source, sizeof(out->source), sqlite3_column_text(st, 1));
		out->created = sqlite3_column_int64(st, 2);
		out->verified = sqlite3_column_int64(st, 3);
		r = out->value ? 0 : -ENOMEM;
	} else if (rc == SQLITE_DONE) {
		r = -ENOENT;
	} else {
		r = store_sql_err(s, "reading contact");
	}
	sqlite3_finalize(st);
	/* Nothing registered of this kind: what the directory lists. */
	if (r == -ENOENT && s->dir_contacts)
		r = store_dir_contact_attr(s, user, kind, out);
	return r;
}

int store_code_put(struct store *s, const char *user, const char *method,
		   const struct store_code *c)
{
	sqlite3_stmt *st;
	int r = store_prepare(s,
			      "INSERT OR REPLACE INTO codes (user, method, request, hash, expires, "
			      "attempts) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
			      &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, method, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, c->request, STORE_REQUEST_SIZE, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, c->hash, STORE_HASH_SIZE, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, c->expires);
	sqlite3_bind_int(st, 6, (int)c->attempts);
	return store_step_done(s, st, "saving code");
}

int store_code_get(struct store *s, const char *user, const char *method, struct store_code *out)
{
	sqlite3_stmt *st;
	memset(out, 0, sizeof(*out));
	int r = store_prepare(s,
			      "SELECT request, hash, expires, attempts FROM codes "
			      "WHERE user = ?1 AND method = ?2",
			      &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, method, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		/* A row of the wrong shape is corruption: fail closed. */
		if (sqlite3_column_bytes(st, 0) != STORE_REQUEST_SIZE ||
		    sqlite3_column_bytes(st, 1) != STORE_HASH_SIZE) {
			r = -EBADMSG;
		} else {
			memcpy(out->request, sqlite3_column_blob(st, 0), STORE_REQUEST_SIZE);
			memcpy(out->hash, sqlite3_column_blob(st, 1), STORE_HASH_SIZE);
			out->expires = sqlite3_column_int64(st, 2);
			int a = sqlite3_column_int(st, 3);
			out->attempts = a < 0 ? UINT_MAX : (unsigned)a;
			r = 0;
		}
	} else if (rc == SQLITE_DONE) {
		r = -ENOENT;
	} else {
		r = store_sql_err(s, "reading code");
	}
	sqlite3_finalize(st);
	return r;
}

int store_code_set_attempts(struct store *s, const char *user, const char *method,
			    unsigned attempts)
{
	sqlite3_stmt *st;
	int r =
	    store_prepare(s, "UPDATE codes SET attempts = ?3 WHERE user = ?1 AND method = ?2", &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, method, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, (int)attempts);
	return store_step_done(s, st, "counting a code attempt");
}

int store_code_delete(struct store *s, const char *user, const char *method)
{
	sqlite3_stmt *st;
	int r = store_prepare(s, "DELETE FROM codes WHERE user = ?1 AND method = ?2", &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, method, -1, SQLITE_STATIC);
	return store_step_done(s, st, "deleting code");
}

int store_history_add(struct store *s, const char *user, const char *hash, int64_t now,
		      unsigned keep)
{
	sqlite3_stmt *st;
	int r;
	/* The same hash string is the same snapshot of the shadow file (a
	 * new password always gets a new salt): keep the first. */
	if (keep > 0) {
		r = store_prepare(
		    s, "INSERT OR IGNORE INTO history (user, hash, time) VALUES (?1, ?2, ?3)", &st);
		if (r < 0)
			return r;
		sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, now);
		r = store_step_done(s, st, "saving password history");
		if (r < 0)
			return r;
	}
	r = store_prepare(s,
			  "DELETE FROM history WHERE user = ?1 AND id NOT IN "
			  "(SELECT id FROM history WHERE user = ?1 ORDER BY id DESC LIMIT ?2)",
			  &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, (int)keep);
	return store_step_done(s, st, "trimming password history");
}

void store_history_free(char **hashes, size_t n)
{
	if (!hashes)
		return;
	for (size_t i = 0; i < n; i++)
		secret_free(hashes[i]);
	free(hashes);
}

int store_history_list(struct store *s, const char *user, unsigned max, char ***out, size_t *n)
{
	sqlite3_stmt *st;
	*out = NULL;
	*n = 0;
	char **list = calloc(max ? max : 1, sizeof(*list));
	if (!list)
		return -ENOMEM;
	size_t count = 0;
	int r = store_prepare(
	    s, "SELECT hash FROM history WHERE user = ?1 ORDER BY id DESC LIMIT ?2", &st);
	if (r < 0)
		goto fail;
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, (int)max);
	int rc = SQLITE_DONE;
	while (count < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *h = sqlite3_column_text(st, 0);
		r = strdup_bounded(h ? (const char *)h : "", STORE_HASH_TEXT_MAX, &list[count]);
		if (r < 0)
			break;
		count++;
	}
	if (r == 0 && count < max && rc != SQLITE_DONE)
		r = store_sql_err(s, "reading password history");
	sqlite3_finalize(st);
	if (r < 0)
		goto fail;
	*out = list;
	*n = count;
	return 0;
fail:
	store_history_free(list, count);
	return r;
}
