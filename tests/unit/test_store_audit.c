/* The audit trail in the store (store_audit.c) and audit_record/_prune. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/conf.h"
#include "ssprd/audit.h"
#include "ssprd/daemon.h"
#include "ssprd/dialogue.h"
#include "ssprd/store.h"
#include "tests/unit/fixture.h"
#include "tests/unit/suites.h"

/* What a walk saw: ids and a line per row. */
struct seen {
	unsigned n, stop_after;
	int64_t ids[32];
	char rows[32][160];
};

static int collect(void *userdata, const struct store_event *e)
{
	struct seen *s = userdata;
	if (s->n < 32) {
		s->ids[s->n] = e->id;
		snprintf(s->rows[s->n], sizeof(s->rows[0]), "%lld %s %s %s %s %s %s %s %s",
			 (long long)e->time, e->user, e->event, e->method, e->service, e->rhost,
			 e->tty, e->actor, e->detail);
	}
	s->n++;
	return s->stop_after && s->n >= s->stop_after ? 42 : 0;
}

static void insert(int64_t time, const char *user, const char *event, const char *method,
		   int64_t *id)
{
	struct store_event e = {.time = time,
				.user = user,
				.event = event,
				.method = method,
				.service = "login",
				.rhost = "10.0.0.5",
				.tty = method[0] ? "pts/4" : NULL,
				.actor = NULL,
				.detail = NULL};
	ck_assert_int_eq(store_event_insert(fx_store, &e, id), 0);
}

START_TEST(insert_and_query_newest_first)
{
	int64_t a = 0, b = 0, c = 0, d = 0;
	insert(100, "carol", "dialogue_started", "", &a);
	insert(200, "carol", "code_sent", "email", &b);
	insert(200, "dave", "code_sent", "sms", &c);
	insert(300, "carol", "reset", "email+sms", &d);
	ck_assert_int_gt(a, 0);
	ck_assert_int_gt(b, a);
	ck_assert_int_gt(c, b);
	ck_assert_int_gt(d, c);
	struct seen s = {0};
	ck_assert_int_eq(store_events_query(fx_store, NULL, 0, 100, collect, &s), 0);
	ck_assert_uint_eq(s.n, 4);
	/* Newest first; the same second by insertion. */
	ck_assert_int_eq(s.ids[0], d);
	ck_assert_int_eq(s.ids[1], c);
	ck_assert_int_eq(s.ids[2], b);
	ck_assert_int_eq(s.ids[3], a);
	/* NULL strings read back as "". */
	ck_assert_str_eq(s.rows[0], "300 carol reset email+sms login 10.0.0.5 pts/4  ");
	ck_assert_str_eq(s.rows[3], "100 carol dialogue_started  login 10.0.0.5   ");

	struct seen u = {0};
	ck_assert_int_eq(store_events_query(fx_store, "carol", 0, 100, collect, &u), 0);
	ck_assert_uint_eq(u.n, 3);
	ck_assert_int_eq(u.ids[1], b);
	struct seen since = {0};
	ck_assert_int_eq(store_events_query(fx_store, NULL, 200, 100, collect, &since), 0);
	ck_assert_uint_eq(since.n, 3);
	ck_assert_int_eq(since.ids[2], b);
	struct seen limited = {0};
	ck_assert_int_eq(store_events_query(fx_store, NULL, 0, 2, collect, &limited), 0);
	ck_assert_uint_eq(limited.n, 2);
	ck_assert_int_eq(limited.ids[1], c);
	/* 0: no limit. */
	struct seen all = {0};
	ck_assert_int_eq(store_events_query(fx_store, NULL, 0, 0, collect, &all), 0);
	ck_assert_uint_eq(all.n, 4);
	struct seen none = {0};
	ck_assert_int_eq(store_events_query(fx_store, "erin", 0, 100, collect, &none), 0);
	ck_assert_uint_eq(none.n, 0);
	/* The callback stops the walk; its value comes back. */
	struct seen stop = {.stop_after = 1};
	ck_assert_int_eq(store_events_query(fx_store, NULL, 0, 100, collect, &stop), 42);
	ck_assert_uint_eq(stop.n, 1);
}
END_TEST

START_TEST(every_column_round_trips)
{
	struct store_event e = {.time = 1234,
				.user = "carol",
				.event = "admin_clear",
				.method = "email",
				.service = "ssprctl",
				.rhost = "",
				.tty = "tty1",
				.actor = "uid 0",
				.detail = "cleared by an administrator"};
	int64_t id = 0;
	ck_assert_int_eq(store_event_insert(fx_store, &e, &id), 0);
	ck_assert_int_eq(store_event_insert(fx_store, &e, NULL), 0);
	struct seen s = {0};
	ck_assert_int_eq(store_events_query(fx_store, "carol", 0, 1, collect, &s), 0);
	ck_assert_uint_eq(s.n, 1);
	ck_assert_int_eq(s.ids[0], id + 1);
	ck_assert_str_eq(
	    s.rows[0],
	    "1234 carol admin_clear email ssprctl  tty1 uid 0 cleared by an administrator");
}
END_TEST

START_TEST(newest_of_a_kind)
{
	int64_t old = 0, newer = 0;
	insert(100, "carol", "reset", "email", &old);
	insert(500, "carol", "reset", "sms", &newer);
	insert(900, "carol", "unlock", "email", NULL);
	insert(950, "dave", "reset", "email", NULL);
	struct seen s = {0};
	ck_assert_int_eq(store_event_newest(fx_store, "carol", "reset", collect, &s), 0);
	ck_assert_uint_eq(s.n, 1);
	ck_assert_int_eq(s.ids[0], newer);
	struct seen none = {0};
	ck_assert_int_eq(store_event_newest(fx_store, "erin", "reset", collect, &none), 0);
	ck_assert_uint_eq(none.n, 0);
	/* The older interface still reads the same rows. */
	int64_t when = 0;
	ck_assert_int_eq(store_event_last(fx_store, "carol", "reset", &when), 0);
	ck_assert_int_eq(when, 500);
	ck_assert_int_eq(store_event_add(fx_store, "carol", "reset", "old style", 700), 0);
	ck_assert_int_eq(store_event_last(fx_store, "carol", "reset", &when), 0);
	ck_assert_int_eq(when, 700);
}
END_TEST

START_TEST(prune_and_count)
{
	insert(100, "carol", "code_sent", "email", NULL);
	insert(150, "carol", "verify_failed", "totp", NULL);
	insert(200, "carol", "code_sent", "email", NULL);
	insert(300, "dave", "code_sent", "email", NULL);
	insert(300, "dave", "code_sent", "sms", NULL);
	insert(400, "dave", "reset", "email+sms", NULL);
	unsigned deleted = 99;
	ck_assert_int_eq(store_events_prune(fx_store, 200, &deleted), 0);
	ck_assert_uint_eq(deleted, 2);
	ck_assert_int_eq(store_events_prune(fx_store, 200, &deleted), 0);
	ck_assert_uint_eq(deleted, 0);
	ck_assert_int_eq(store_events_prune(fx_store, 0, NULL), 0);
	struct seen s = {0};
	ck_assert_int_eq(store_events_query(fx_store, NULL, 0, 0, collect, &s), 0);
	ck_assert_uint_eq(s.n, 4);
}
END_TEST

static int count_into(void *userdata, const char *event, const char *method, unsigned count)
{
	char *out = userdata;
	size_t n = strlen(out);
	snprintf(out + n, 512 - n, "%s/%s=%u;", event, method, count);
	return 0;
}

START_TEST(counts_by_event_and_method)
{
	insert(100, "carol", "code_sent", "email", NULL);
	insert(200, "carol", "code_sent", "email", NULL);
	insert(300, "dave", "code_sent", "email", NULL);
	insert(300, "dave", "code_sent", "sms", NULL);
	insert(400, "dave", "reset", "email+sms", NULL);
	insert(400, "dave", "cancelled", "", NULL);
	char got[512] = "";
	ck_assert_int_eq(store_events_count(fx_store, 200, count_into, got), 0);
	ck_assert_str_eq(got, "cancelled/=1;code_sent/email=2;code_sent/sms=1;reset/email+sms=1;");
	got[0] = '\0';
	ck_assert_int_eq(store_events_count(fx_store, 1000, count_into, got), 0);
	ck_assert_str_eq(got, "");
}
END_TEST

START_TEST(audit_record_and_prune)
{
	struct daemon_ctx ctx = {.store = fx_store};
	ck_assert_int_eq(conf_init_defaults(&ctx.conf), 0);
	snprintf(ctx.hostname, sizeof(ctx.hostname), "test");
	ctx.conf.audit_days = 2;
	int64_t now = (int64_t)time(NULL);
	insert(now - 3 * 86400, "carol", "code_sent", "email", NULL);
	insert(now - 1 * 86400, "carol", "code_sent", "email", NULL);
	/* The first record of this process prunes; rows older than
	 * audit_days go. */
	struct audit_event e = {.event = AUDIT_CODE_SENT,
				.user = "carol",
				.method = "email",
				.service = "sshd",
				.rhost = "203.0.113.7",
				.tty = "pts/1",
				.detail = NULL};
	audit_record(&ctx, &e);
	struct seen s = {0};
	ck_assert_int_eq(store_events_query(fx_store, NULL, 0, 0, collect, &s), 0);
	ck_assert_uint_eq(s.n, 2);
	char *rest = NULL;
	long long t = strtoll(s.rows[0], &rest, 10);
	ck_assert_int_ge(t, now);
	ck_assert_int_le(t, now + 5);
	ck_assert_str_eq(rest, " carol code_sent email sshd 203.0.113.7 pts/1  ");
	/* audit_days = 0 keeps everything. */
	insert(now - 400 * 86400, "dave", "reset", "email", NULL);
	ctx.conf.audit_days = 0;
	audit_prune(&ctx, now);
	struct seen keep = {0};
	ck_assert_int_eq(store_events_query(fx_store, NULL, 0, 0, collect, &keep), 0);
	ck_assert_uint_eq(keep.n, 3);
	ctx.conf.audit_days = 365;
	audit_prune(&ctx, now);
	struct seen pruned = {0};
	ck_assert_int_eq(store_events_query(fx_store, NULL, 0, 0, collect, &pruned), 0);
	ck_assert_uint_eq(pruned.n, 2);
	ctx.store = NULL;
	conf_free(&ctx.conf);
}
END_TEST

static int discard(void *userdata, enum proto_type type, const char *text)
{
	(void)userdata, (void)type, (void)text;
	return 0;
}

/* The dialogue's own steps reach the trail: start, refusal, cancel, and a
 * client that went away. */
START_TEST(dialogue_steps_are_audited)
{
	struct daemon_ctx ctx = {.store = fx_store};
	ck_assert_int_eq(conf_init_defaults(&ctx.conf), 0);
	ctx.conf.enabled = false;
	struct dialogue_request req = {
	    .user = "carol", .service = "login", .rhost = "10.0.0.5", .tty = "pts/1"};
	struct dialogue *d = NULL;
	ck_assert_int_eq(dialogue_new(&ctx, &req, discard, NULL, &d), 0);
	ck_assert_int_eq(dialogue_start(d), 0);
	dialogue_abandoned(d);
	ck_assert(dialogue_done(d));
	dialogue_free(d);
	ck_assert_int_eq(dialogue_new(&ctx, &req, discard, NULL, &d), 0);
	ck_assert_int_eq(dialogue_start(d), 0);
	ck_assert_int_eq(dialogue_input(d, "n"), 0);
	/* Done already: nothing more to record. */
	dialogue_abandoned(d);
	dialogue_free(d);
	ck_assert_int_eq(dialogue_new(&ctx, &req, discard, NULL, &d), 0);
	ck_assert_int_eq(dialogue_start(d), 0);
	ck_assert_int_eq(dialogue_input(d, "y"), 0);
	dialogue_cancel(d);
	dialogue_free(d);
	struct seen s = {0};
	ck_assert_int_eq(store_events_query(fx_store, "carol", 0, 0, collect, &s), 0);
	ck_assert_uint_eq(s.n, 6);
	/* Newest first; the time is cut off. */
	static const char *const want[] = {
	    "refused  login 10.0.0.5 pts/1  self-service is disabled",
	    "dialogue_started  login 10.0.0.5 pts/1  ",
	    "cancelled  login 10.0.0.5 pts/1  ",
	    "dialogue_started  login 10.0.0.5 pts/1  ",
	    "abandoned  login 10.0.0.5 pts/1  at the first question",
	    "dialogue_started  login 10.0.0.5 pts/1  ",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const char *row = strstr(s.rows[i], " carol ");
		ck_assert_ptr_nonnull(row);
		ck_assert_str_eq(row + strlen(" carol "), want[i]);
	}
	conf_free(&ctx.conf);
}
END_TEST

Suite *store_audit_suite(void)
{
	Suite *s = suite_create("store_audit");
	TCase *tc = tcase_create("store_audit");
	tcase_add_checked_fixture(tc, fixture_store_setup, fixture_store_teardown);
	tcase_add_test(tc, insert_and_query_newest_first);
	tcase_add_test(tc, every_column_round_trips);
	tcase_add_test(tc, newest_of_a_kind);
	tcase_add_test(tc, prune_and_count);
	tcase_add_test(tc, counts_by_event_and_method);
	tcase_add_test(tc, audit_record_and_prune);
	tcase_add_test(tc, dialogue_steps_are_audited);
	suite_add_tcase(s, tc);
	return s;
}
