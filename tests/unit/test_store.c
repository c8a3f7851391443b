/* The sqlite store: schema, permissions, records. */
#include <check.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ssprd/store.h"
#include "tests/unit/suites.h"

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/sspr-store-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(open_creates_private_versioned_db)
{
	struct store *s = NULL;
	ck_assert_int_eq(store_open(dir, &s), 0);
	ck_assert_int_eq(store_schema_version(s), 6);
	store_close(s);
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", dir, STORE_DB_NAME);
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	/* Reopening migrates nothing and keeps the data. */
	ck_assert_int_eq(store_open(dir, &s), 0);
	ck_assert_int_eq(store_schema_version(s), 6);
	store_close(s);
}
END_TEST

START_TEST(refuses_newer_schema)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", dir, STORE_DB_NAME);
	sqlite3 *db;
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	struct store *s = NULL;
	ck_assert_int_eq(store_open(dir, &s), -EPROTO);
	ck_assert_ptr_null(s);
}
END_TEST

START_TEST(contacts)
{
	struct store *s;
	struct store_contact c;
	ck_assert_int_eq(store_open(dir, &s), 0);
	ck_assert_int_eq(store_contact_get(s, "carol", "email", &c), -ENOENT);
	ck_assert_int_eq(store_contact_set(s, "carol", "email", "a@example.org", "admin", 100), 0);
	ck_assert_int_eq(store_contact_set(s, "carol", "email", "b@example.org", "user", 200), 0);
	ck_assert_int_eq(store_contact_get(s, "carol", "email", &c), 0);
	ck_assert_str_eq(c.value, "b@example.org");
	ck_assert_str_eq(c.source, "user");
	ck_assert_int_eq(c.created, 200);
	store_contact_clear(&c);
	ck_assert_int_eq(store_contact_get(s, "dave", "email", &c), -ENOENT);
	store_close(s);
}
END_TEST

START_TEST(codes_and_events)
{
	struct store *s;
	struct store_code in = {.expires = 500, .attempts = 2}, out;
	memset(in.request, 7, sizeof(in.request));
	memset(in.hash, 9, sizeof(in.hash));
	ck_assert_int_eq(store_open(dir, &s), 0);
	ck_assert_int_eq(store_code_get(s, "carol", "email", &out), -ENOENT);
	ck_assert_int_eq(store_code_put(s, "carol", "email", &in), 0);
	ck_assert_int_eq(store_code_get(s, "carol", "email", &out), 0);
	ck_assert_mem_eq(out.request, in.request, sizeof(in.request));
	ck_assert_mem_eq(out.hash, in.hash, sizeof(in.hash));
	ck_assert_int_eq(out.expires, 500);
	ck_assert_uint_eq(out.attempts, 2);
	ck_assert_int_eq(store_code_set_attempts(s, "carol", "email", 3), 0);
	ck_assert_int_eq(store_code_get(s, "carol", "email", &out), 0);
	ck_assert_uint_eq(out.attempts, 3);
	ck_assert_int_eq(store_code_delete(s, "carol", "email"), 0);
	ck_assert_int_eq(store_code_get(s, "carol", "email", &out), -ENOENT);

	int64_t when;
	ck_assert_int_eq(store_event_last(s, "carol", "reset", &when), 0);
	ck_assert_int_eq(when, 0);
	ck_assert_int_eq(store_event_add(s, "carol", "reset", "service=login", 1000), 0);
	ck_assert_int_eq(store_event_add(s, "carol", "reset", "service=sshd", 3000), 0);
	ck_assert_int_eq(store_event_add(s, "dave", "reset", "", 5000), 0);
	ck_assert_int_eq(store_event_last(s, "carol", "reset", &when), 0);
	ck_assert_int_eq(when, 3000);
	store_close(s);
}
END_TEST

START_TEST(migrates_version_1_keeping_data)
{
	/* A database as the first release left it: schema 1 with a contact. */
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", dir, STORE_DB_NAME);
	sqlite3 *db;
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(
	    sqlite3_exec(
		db,
		"CREATE TABLE contacts (user TEXT NOT NULL, kind TEXT NOT NULL,"
		" value TEXT NOT NULL, source TEXT NOT NULL, created INTEGER NOT NULL,"
		" verified INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (user, kind));"
		"CREATE TABLE codes (user TEXT NOT NULL, method TEXT NOT NULL,"
		" request BLOB NOT NULL, hash BLOB NOT NULL, expires INTEGER NOT NULL,"
		" attempts INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (user, method));"
		"CREATE TABLE events (id INTEGER PRIMARY KEY, time INTEGER NOT NULL,"
		" user TEXT NOT NULL, event TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '');"
		"INSERT INTO contacts VALUES ('carol', 'email', 'c@example.org', 'admin', 1, 0);"
		"INSERT INTO events (time, user, event, detail) VALUES (7, 'carol', 'reset', 'x');"
		"PRAGMA user_version = 1;",
		NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	struct store *s = NULL;
	ck_assert_int_eq(store_open(dir, &s), 0);
	ck_assert_int_eq(store_schema_version(s), 6);
	struct store_contact c;
	ck_assert_int_eq(store_contact_get(s, "carol", "email", &c), 0);
	ck_assert_str_eq(c.value, "c@example.org");
	store_contact_clear(&c);
	ck_assert_int_eq(store_history_add(s, "carol", "$6$a$b", 1, 5), 0);
	/* Events written before schema 4 keep their time under the new
	 * columns. */
	int64_t when = 0;
	ck_assert_int_eq(store_event_last(s, "carol", "reset", &when), 0);
	ck_assert_int_eq(when, 7);
	int64_t confirmed = -1;
	ck_assert_int_eq(store_registration_confirmed(s, "carol", &confirmed), 0);
	ck_assert_int_eq(confirmed, 0);
	store_close(s);
}
END_TEST

START_TEST(password_history)
{
	struct store *s;
	char **h = NULL;
	size_t n = 99;
	ck_assert_int_eq(store_open(dir, &s), 0);
	ck_assert_int_eq(store_history_list(s, "carol", 10, &h, &n), 0);
	ck_assert_uint_eq(n, 0);
	store_history_free(h, n);
	static const char *const hashes[] = {"$6$s1$h1", "$6$s2$h2", "$6$s3$h3", "$6$s4$h4"};
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(store_history_add(s, "carol", hashes[i], 100 + i, 3), 0);
	ck_assert_int_eq(store_history_add(s, "dave", "$6$d$d", 100, 3), 0);
	/* The same hash again is not a new entry and does not move up. */
	ck_assert_int_eq(store_history_add(s, "carol", hashes[2], 200, 3), 0);
	ck_assert_int_eq(store_history_list(s, "carol", 10, &h, &n), 0);
	ck_assert_uint_eq(n, 3); /* only the newest 3 are kept */
	ck_assert_str_eq(h[0], hashes[3]);
	ck_assert_str_eq(h[1], hashes[2]);
	ck_assert_str_eq(h[2], hashes[1]);
	store_history_free(h, n);
	ck_assert_int_eq(store_history_list(s, "carol", 2, &h, &n), 0);
	ck_assert_uint_eq(n, 2);
	store_history_free(h, n);
	/* keep = 0 forgets one user's history, not the others'. */
	ck_assert_int_eq(store_history_add(s, "carol", "", 300, 0), 0);
	ck_assert_int_eq(store_history_list(s, "carol", 10, &h, &n), 0);
	ck_assert_uint_eq(n, 0);
	store_history_free(h, n);
	ck_assert_int_eq(store_history_list(s, "dave", 10, &h, &n), 0);
	ck_assert_uint_eq(n, 1);
	store_history_free(h, n);
	store_history_free(NULL, 0);
	store_close(s);
}
END_TEST

Suite *store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("store");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, open_creates_private_versioned_db);
	tcase_add_test(tc, refuses_newer_schema);
	tcase_add_test(tc, contacts);
	tcase_add_test(tc, codes_and_events);
	tcase_add_test(tc, migrates_version_1_keeping_data);
	tcase_add_test(tc, password_history);
	suite_add_tcase(s, tc);
	return s;
}
