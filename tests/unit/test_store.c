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
	ck_assert_int_eq(store_schema_version(s), 1);
	store_close(s);
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", dir, STORE_DB_NAME);
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	/* Reopening migrates nothing and keeps the data. */
	ck_assert_int_eq(store_open(dir, &s), 0);
	ck_assert_int_eq(store_schema_version(s), 1);
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

Suite *store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("store");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, open_creates_private_versioned_db);
	tcase_add_test(tc, refuses_newer_schema);
	tcase_add_test(tc, contacts);
	tcase_add_test(tc, codes_and_events);
	suite_add_tcase(s, tc);
	return s;
}
