/* The audit trail in the events table: one row per audited step. */
#include "ssprd/store.h"
#include "ssprd/store_internal.h"

#include <errno.h>

#define EVENT_COLUMNS "id, time, user, event, method, service, rhost, actor, detail, tty"

static void bind_text(sqlite3_stmt *st, int col, const char *s)
{
	sqlite3_bind_text(st, col, s ? s : "", -1, SQLITE_STATIC);
}

static const char *column_text(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	return t ? (const char *)t : "";
}

int store_event_insert(struct store *s, const struct store_event *e, int64_t *id_out)
{
	sqlite3_stmt *st;
	int r = store_prepare(s,
			      "INSERT INTO events (time, user, event, method, service, rhost, "
			      "actor, detail, tty) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
			      &st);
	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, e->time);
	bind_text(st, 2, e->user);
	bind_text(st, 3, e->event);
	bind_text(st, 4, e->method);
	bind_text(st, 5, e->service);
	bind_text(st, 6, e->rhost);
	bind_text(st, 7, e->actor);
	bind_text(st, 8, e->detail);
	bind_text(st, 9, e->tty);
	/* Threads share the connection: hold its mutex so the rowid read is
	 * this insert's, not another thread's. */
	sqlite3_mutex *m = sqlite3_db_mutex(s->db);
	sqlite3_mutex_enter(m);
	int rc = sqlite3_step(st);
	int64_t id = sqlite3_last_insert_rowid(s->db);
	r = rc == SQLITE_DONE ? 0 : store_sql_err(s, "logging event");
	sqlite3_mutex_leave(m);
	sqlite3_finalize(st);
	if (r == 0 && id_out)
		*id_out = id;
	return r;
}

int store_event_add(struct store *s, const char *user, const char *event, const char *detail,
		    int64_t now)
{
	struct store_event e = {.time = now, .user = user, .event = event, .detail = detail};
	return store_event_insert(s, &e, NULL);
}

int store_event_last(struct store *s, const char *user, const char *event, int64_t *when)
{
	sqlite3_stmt *st;
	*when = 0;
	int r =
	    store_prepare(s, "SELECT max(time) FROM events WHERE user = ?1 AND event = ?2", &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, event, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		*when = sqlite3_column_int64(st, 0);
	else
		r = store_sql_err(s, "reading events");
	sqlite3_finalize(st);
	return r;
}

/* Hand every row of st to fn; fn's nonzero return stops and is returned. */
static int walk(struct store *s, sqlite3_stmt *st, store_event_fn fn, void *userdata)
{
	int rc, r = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_event e = {
		    .id = sqlite3_column_int64(st, 0),
		    .time = sqlite3_column_int64(st, 1),
		    .user = column_text(st, 2),
		    .event = column_text(st, 3),
		    .method = column_text(st, 4),
		    .service = column_text(st, 5),
		    .rhost = column_text(st, 6),
		    .actor = column_text(st, 7),
		    .detail = column_text(st, 8),
		    .tty = column_text(st, 9),
		};
		r = fn(userdata, &e);
		if (r != 0)
			break;
	}
	if (r == 0 && rc != SQLITE_ROW && rc != SQLITE_DONE)
		r = store_sql_err(s, "reading events");
	sqlite3_finalize(st);
	return r;
}

int store_events_query(struct store *s, const char *user, int64_t since, unsigned limit,
		       store_event_fn fn, void *userdata)
{
	sqlite3_stmt *st;
	int r = store_prepare(s,
			      "SELECT " EVENT_COLUMNS " FROM events "
			      "WHERE (?1 IS NULL OR user = ?1) AND time >= ?2 "
			      "ORDER BY time DESC, id DESC LIMIT ?3",
			      &st);
	if (r < 0)
		return r;
	if (user)
		sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 1);
	sqlite3_bind_int64(st, 2, since);
	/* 0: no limit (SQLite reads a negative LIMIT so). */
	sqlite3_bind_int64(st, 3, limit ? (int64_t)limit : -1);
	return walk(s, st, fn, userdata);
}

int store_event_newest(struct store *s, const char *user, const char *event, store_event_fn fn,
		       void *userdata)
{
	sqlite3_stmt *st;
	int r = store_prepare(s,
			      "SELECT " EVENT_COLUMNS " FROM events WHERE user = ?1 AND event = ?2 "
			      "ORDER BY time DESC, id DESC LIMIT 1",
			      &st);
	if (r < 0)
		return r;
	bind_text(st, 1, user);
	bind_text(st, 2, event);
	return walk(s, st, fn, userdata);
}

int store_events_prune(struct store *s, int64_t before, unsigned *deleted)
{
	sqlite3_stmt *st;
	int r = store_prepare(s, "DELETE FROM events WHERE time < ?1", &st);
	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, before);
	sqlite3_mutex *m = sqlite3_db_mutex(s->db);
	sqlite3_mutex_enter(m);
	int rc = sqlite3_step(st);
	int n = sqlite3_changes(s->db);
	r = rc == SQLITE_DONE ? 0 : store_sql_err(s, "pruning events");
	sqlite3_mutex_leave(m);
	sqlite3_finalize(st);
	if (r == 0 && deleted)
		*deleted = n > 0 ? (unsigned)n : 0;
	return r;
}

int store_events_count(struct store *s, int64_t since, store_count_fn fn, void *userdata)
{
	sqlite3_stmt *st;
	int r = store_prepare(s,
			      "SELECT event, method, count(*) FROM events WHERE time >= ?1 "
			      "GROUP BY event, method ORDER BY event, method",
			      &st);
	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, since);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		r = fn(userdata, column_text(st, 0), column_text(st, 1),
		       (unsigned)sqlite3_column_int64(st, 2));
		if (r != 0)
			break;
	}
	if (r == 0 && rc != SQLITE_ROW && rc != SQLITE_DONE)
		r = store_sql_err(s, "counting events");
	sqlite3_finalize(st);
	return r;
}
