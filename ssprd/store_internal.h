/* Shared by the store's source files only: the handle and the statement
 * helpers, which log errors once so callers only pass the code on. */
#pragma once

#include <pthread.h>
#include <sqlite3.h>

#include "ssprd/store.h"

struct store {
	sqlite3 *db;
	pthread_mutex_t lock;
};

int store_sql_err(struct store *s, const char *what);
int store_prepare(struct store *s, const char *sql, sqlite3_stmt **st);
/* Step a statement expected to finish without rows, then finalize it. */
int store_step_done(struct store *s, sqlite3_stmt *st, const char *what);
int store_exec(struct store *s, const char *sql);
