/* Abuse limits in the store: a hit per counted event, so a sliding window is
 * a count of recent rows and a restart keeps every count; locks with their
 * end. Callers hold store_lock around a count and its hit. */
#include "ssprd/store.h"
#include "ssprd/store_internal.h"

#include <errno.h>
#include <string.h>

static int check_key(const char *key)
{
	if (!key || !key[0])
		return -EINVAL;
	return strnlen(key, STORE_LIMIT_KEY_MAX + 1) > STORE_LIMIT_KEY_MAX ? -ENAMETOOLONG : 0;
}

int store_limit_count(struct store *s, const char *key, int64_t window, int64_t now,
		      unsigned *count)
{
	sqlite3_stmt *st;
	*count = 0;
	int r = check_key(key);
	if (r == 0)
		r = store_prepare(s, "SELECT count(*) FROM limit_hits WHERE key = ?1 AND time > ?2",
				  &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now - window);
	if (sqlite3_step(st) == SQLITE_ROW) {
		int64_t n = sqlite3_column_int64(st, 0);
		*count = n < 0 ? 0 : n > (int64_t)UINT32_MAX ? UINT32_MAX : (unsigned)n;
	} else {
		r = store_sql_err(s, "counting limit hits");
	}
	sqlite3_finalize(st);
	return r;
}

/* sql takes the key as ?1 and, when it has one, the time as ?2. */
static int key_and_time(struct store *s, const char *sql, const char *key, int64_t t,
			const char *what)
{
	sqlite3_stmt *st;
	int r = check_key(key);
	if (r == 0)
		r = store_prepare(s, sql, &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_bind_parameter_count(st) >= 2)
		sqlite3_bind_int64(st, 2, t);
	return store_step_done(s, st, what);
}

int store_limit_hit(struct store *s, const char *key, int64_t now)
{
	return key_and_time(s, "INSERT INTO limit_hits (key, time) VALUES (?1, ?2)", key, now,
			    "counting a limit hit");
}

int store_limit_forget(struct store *s, const char *key)
{
	return key_and_time(s, "DELETE FROM limit_hits WHERE key = ?1", key, 0,
			    "forgetting limit hits");
}

int store_limit_lock(struct store *s, const char *key, int64_t until)
{
	return key_and_time(s,
			    "INSERT INTO limit_locks (key, until) VALUES (?1, ?2) "
			    "ON CONFLICT (key) DO UPDATE SET until = max(until, excluded.until)",
			    key, until, "saving a lock");
}

int store_limit_locked(struct store *s, const char *key, int64_t now, int64_t *until)
{
	sqlite3_stmt *st;
	*until = 0;
	int r = check_key(key);
	if (r == 0)
		r = store_prepare(s, "SELECT until FROM limit_locks WHERE key = ?1 AND until > ?2",
				  &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*until = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE)
		r = store_sql_err(s, "reading a lock");
	sqlite3_finalize(st);
	return r;
}

int store_limits_prune(struct store *s, int64_t now)
{
	sqlite3_stmt *st;
	int r = store_prepare(s, "DELETE FROM limit_hits WHERE time <= ?1", &st);
	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, now - STORE_LIMIT_KEEP);
	r = store_step_done(s, st, "pruning limit hits");
	if (r < 0)
		return r;
	r = store_prepare(s, "DELETE FROM limit_locks WHERE until <= ?1", &st);
	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, now);
	return store_step_done(s, st, "pruning locks");
}
