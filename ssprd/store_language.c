/* The language a user chose in sspr register, for the texts of their
 * dialogues and of what is sent to them. */
#include "ssprd/store.h"
#include "ssprd/store_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/validate.h"

int store_language_get(struct store *s, const char *user, char out[16])
{
	out[0] = '\0';
	if (s->dir_store)
		return store_dir_language_get(s, user, out);
	sqlite3_stmt *st;
	int r = store_prepare(s, "SELECT language FROM registrations WHERE user = ?1", &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);
		/* Only a catalog name comes out, whatever the file holds. */
		if (v && language_name_valid(v))
			snprintf(out, 16, "%s", v);
	} else if (rc != SQLITE_DONE) {
		r = store_sql_err(s, "reading the language");
	}
	sqlite3_finalize(st);
	return r;
}

int store_language_set(struct store *s, const char *user, const char *lang, int64_t now)
{
	if (!lang || (lang[0] && !language_name_valid(lang)))
		return -EINVAL;
	if (s->dir_store)
		return store_dir_language_set(s, user, lang, now);
	sqlite3_stmt *st;
	int r = store_prepare(s,
			      "INSERT INTO registrations (user, language) VALUES (?1, ?2) "
			      "ON CONFLICT (user) DO UPDATE SET language = excluded.language",
			      &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, lang, -1, SQLITE_STATIC);
	return store_step_done(s, st, "saving the language");
}
