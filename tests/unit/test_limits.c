/* Abuse limits ([limits]) over the real store with a clock the tests move:
 * windows, locks and their end, atomicity under threads, a restart. The
 * code rules they rely on are in test_code_rules.c. */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "common/conf.h"
#include "ssprd/audit.h"
#include "ssprd/daemon.h"
#include "ssprd/limits.h"
#include "ssprd/limits_internal.h"
#include "tests/unit/fixture.h"
#include "tests/unit/suites.h"

#define T0 1000000000LL

static struct daemon_ctx ctx;
static int64_t fake_time;
static int64_t (*real_clock)(void);

static int64_t fake_now(void)
{
	return __atomic_load_n(&fake_time, __ATOMIC_SEQ_CST);
}

static void setup(void)
{
	fixture_store_setup();
	memset(&ctx, 0, sizeof(ctx));
	ck_assert_int_eq(conf_init_defaults(&ctx.conf), 0);
	ctx.store = fx_store;
	real_clock = limits_now;
	limits_now = fake_now;
	fake_time = T0;
}

static void teardown(void)
{
	limits_now = real_clock;
	conf_free(&ctx.conf);
	fixture_store_teardown();
}

static void advance(int64_t seconds)
{
	__atomic_add_fetch(&fake_time, seconds, __ATOMIC_SEQ_CST);
}

static int count_rate_limited(void *userdata, const struct store_event *e)
{
	if (strcmp(e->event, AUDIT_RATE_LIMITED) == 0)
		++*(unsigned *)userdata;
	return 0;
}

static unsigned rate_limited_rows(void)
{
	unsigned n = 0;
	ck_assert_int_eq(store_events_query(fx_store, NULL, 0, 0, count_rate_limited, &n), 0);
	return n;
}

START_TEST(source_keys)
{
	char out[300];
	limits_source("Host.Example.ORG", "pts/1", out, sizeof(out));
	ck_assert_str_eq(out, "rhost:host.example.org");
	limits_source("", "/dev/pts/3", out, sizeof(out));
	ck_assert_str_eq(out, "tty:pts/3");
	limits_source(NULL, "pts/3", out, sizeof(out));
	ck_assert_str_eq(out, "tty:pts/3");
	limits_source(NULL, NULL, out, sizeof(out));
	ck_assert_str_eq(out, "local");
	/* Newlines, invalid UTF-8 and ':' stay a key, safe for logs. */
	limits_source("a\nb\xff\xfe:../c", NULL, out, sizeof(out));
	ck_assert_str_eq(out, "rhost:a?b??:../c");
	char longhost[301];
	memset(longhost, 'h', 300);
	longhost[300] = '\0';
	limits_source(longhost, NULL, out, sizeof(out));
	ck_assert_uint_le(strlen(out), 6 + 200);
	/* A small buffer is cut, never overrun. */
	char small[8];
	limits_source(longhost, NULL, small, sizeof(small));
	ck_assert_str_eq(small, "rhost:h");
}
END_TEST

START_TEST(codes_per_hour_and_day)
{
	ctx.conf.codes_per_hour = 2;
	ctx.conf.codes_per_day = 3;
	ck_assert_int_eq(limits_code_send(&ctx, "carol"), 0);
	ck_assert_int_eq(limits_code_send(&ctx, "carol"), 0);
	ck_assert_int_eq(limits_code_send(&ctx, "carol"), -EBUSY);
	/* Per account: dave has his own. */
	ck_assert_int_eq(limits_code_send(&ctx, "dave"), 0);
	/* The window slides: an hour later one more, then the day is full. */
	advance(3599);
	ck_assert_int_eq(limits_code_send(&ctx, "carol"), -EBUSY);
	advance(1);
	ck_assert_int_eq(limits_code_send(&ctx, "carol"), 0);
	advance(2 * 3600);
	ck_assert_int_eq(limits_code_send(&ctx, "carol"), -EBUSY);
	advance(86400);
	ck_assert_int_eq(limits_code_send(&ctx, "carol"), 0);
}
END_TEST

START_TEST(refusals_are_not_counted)
{
	ctx.conf.codes_per_hour = 1;
	ck_assert_int_eq(limits_code_send(&ctx, "carol"), 0);
	advance(3000);
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(limits_code_send(&ctx, "carol"), -EBUSY);
	/* An hour after the one code sent, the flood before does not count. */
	advance(600);
	ck_assert_int_eq(limits_code_send(&ctx, "carol"), 0);
}
END_TEST

START_TEST(names_are_only_keys)
{
	ctx.conf.codes_per_hour = 1;
	/* Names that look like other keys, or contain separators, count
	 * for themselves only. */
	static const char *const names[] = {"a",    "a:code", "a:dialogue", "a:fail",	  "user:a",
					    "../a", "a\nb",   "\xff\xfe",   "a:code:code"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		ck_assert_msg(limits_code_send(&ctx, names[i]) == 0, "%zu", i);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		ck_assert_msg(limits_code_send(&ctx, names[i]) == -EBUSY, "%zu", i);
	/* 300 characters (a name can be that long on the wire): counted. */
	char name[301];
	memset(name, 'x', 300);
	name[300] = '\0';
	ck_assert_int_eq(limits_code_send(&ctx, name), 0);
	ck_assert_int_eq(limits_code_send(&ctx, name), -EBUSY);
	/* Beyond any key: refused (fail closed), never counted as another. */
	char huge[1001];
	memset(huge, 'y', 1000);
	huge[1000] = '\0';
	ck_assert_int_lt(limits_code_send(&ctx, huge), 0);
	ck_assert_int_lt(limits_failure(&ctx, huge, "local"), 0);
	ck_assert(limits_locked(&ctx, huge, NULL));
}
END_TEST

START_TEST(dialogues_per_account_and_source)
{
	ctx.conf.dialogues_per_hour = 2;
	ctx.conf.source_dialogues_per_hour = 3;
	int64_t until = -1;
	ck_assert_int_eq(limits_dialogue_start(&ctx, "carol", "rhost:a", &until), 0);
	ck_assert_int_eq(until, 0);
	ck_assert_int_eq(limits_dialogue_start(&ctx, "carol", "rhost:a", NULL), 0);
	ck_assert_int_eq(limits_dialogue_start(&ctx, "carol", "rhost:b", NULL), -EBUSY);
	/* The source's third, then the source is full for anybody. */
	ck_assert_int_eq(limits_dialogue_start(&ctx, "dave", "rhost:a", NULL), 0);
	ck_assert_int_eq(limits_dialogue_start(&ctx, "erin", "rhost:a", NULL), -EBUSY);
	ck_assert_int_eq(limits_dialogue_start(&ctx, "erin", "rhost:b", NULL), 0);
	advance(3600);
	ck_assert_int_eq(limits_dialogue_start(&ctx, "carol", "rhost:a", NULL), 0);
}
END_TEST

START_TEST(failures_lock_the_reset_flow_for_a_while)
{
	ctx.conf.failures = 3;
	ctx.conf.lockout_minutes = 10;
	int64_t until = -1;
	ck_assert_int_eq(limits_failure(&ctx, "carol", "rhost:a"), 0);
	advance(100);
	ck_assert_int_eq(limits_failure(&ctx, "carol", "rhost:b"), 0);
	ck_assert(!limits_locked(&ctx, "carol", &until));
	ck_assert_int_eq(until, 0);
	ck_assert_int_eq(limits_failure(&ctx, "carol", NULL), -EBUSY);
	ck_assert(limits_locked(&ctx, "carol", &until));
	ck_assert_int_eq(until, T0 + 100 + 600);
	/* Locked: no new dialogue, every further failure refused too. */
	until = 0;
	ck_assert_int_eq(limits_dialogue_start(&ctx, "carol", "rhost:c", &until), -EBUSY);
	ck_assert_int_eq(until, T0 + 700);
	ck_assert_int_eq(limits_failure(&ctx, "carol", NULL), -EBUSY);
	/* Only carol's reset flow. */
	ck_assert(!limits_locked(&ctx, "dave", NULL));
	ck_assert_int_eq(limits_dialogue_start(&ctx, "dave", "rhost:c", NULL), 0);
	advance(599);
	ck_assert(limits_locked(&ctx, "carol", NULL));
	advance(1);
	ck_assert(!limits_locked(&ctx, "carol", NULL));
	ck_assert_int_eq(limits_dialogue_start(&ctx, "carol", "rhost:c", NULL), 0);
	/* The count starts afresh after a lock. */
	ck_assert_int_eq(limits_failure(&ctx, "carol", NULL), 0);
	ck_assert_int_eq(limits_failure(&ctx, "carol", NULL), 0);
	ck_assert_int_eq(limits_failure(&ctx, "carol", NULL), -EBUSY);
}
END_TEST

START_TEST(failures_older_than_a_day_drop_out)
{
	ctx.conf.failures = 2;
	ck_assert_int_eq(limits_failure(&ctx, "carol", NULL), 0);
	advance(86400);
	ck_assert_int_eq(limits_failure(&ctx, "carol", NULL), 0);
	ck_assert(!limits_locked(&ctx, "carol", NULL));
}
END_TEST

START_TEST(source_failures_per_hour)
{
	ctx.conf.source_failures_per_hour = 2;
	/* A wrong CAPTCHA: no user, the source only. */
	ck_assert_int_eq(limits_failure(&ctx, NULL, "tty:pts/1"), 0);
	ck_assert_int_eq(limits_failure(&ctx, "carol", "tty:pts/1"), -EBUSY);
	/* The source starts nothing new; the account is not locked. */
	ck_assert_int_eq(limits_dialogue_start(&ctx, "dave", "tty:pts/1", NULL), -EBUSY);
	ck_assert(!limits_locked(&ctx, "carol", NULL));
	ck_assert_int_eq(limits_dialogue_start(&ctx, "carol", "tty:pts/2", NULL), 0);
	advance(3600);
	ck_assert_int_eq(limits_dialogue_start(&ctx, "dave", "tty:pts/1", NULL), 0);
}
END_TEST

START_TEST(gateway_budget_tells_once_per_window)
{
	ctx.conf.sends_per_hour = 2;
	ctx.conf.sends_per_day = 3;
	ck_assert_int_eq(limits_gateway_send(&ctx), 0);
	ck_assert_int_eq(limits_gateway_send(&ctx), 0);
	ck_assert_uint_eq(rate_limited_rows(), 0);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(limits_gateway_send(&ctx), -EBUSY);
	ck_assert_uint_eq(rate_limited_rows(), 1);
	advance(3600);
	ck_assert_int_eq(limits_gateway_send(&ctx), 0);
	/* Now the day's budget: its own notice, once. */
	ck_assert_int_eq(limits_gateway_send(&ctx), -EBUSY);
	ck_assert_int_eq(limits_gateway_send(&ctx), -EBUSY);
	ck_assert_uint_eq(rate_limited_rows(), 2);
	advance(86400);
	ck_assert_int_eq(limits_gateway_send(&ctx), 0);
}
END_TEST

struct racer {
	int (*fn)(void);
	int result;
};

static int send_one(void)
{
	return limits_code_send(&ctx, "carol");
}

static int budget_one(void)
{
	return limits_gateway_send(&ctx);
}

static int fail_one(void)
{
	return limits_failure(&ctx, "carol", "rhost:a");
}

static void *race(void *arg)
{
	struct racer *r = arg;
	r->result = r->fn();
	return NULL;
}

/* How many of 20 concurrent calls of fn returned 0. */
static int race_20(int (*fn)(void))
{
	pthread_t t[20];
	struct racer r[20];
	for (int i = 0; i < 20; i++) {
		r[i] = (struct racer){.fn = fn, .result = -1};
		ck_assert_int_eq(pthread_create(&t[i], NULL, race, &r[i]), 0);
	}
	int ok = 0;
	for (int i = 0; i < 20; i++) {
		pthread_join(t[i], NULL);
		ck_assert_msg(r[i].result == 0 || r[i].result == -EBUSY, "%d", r[i].result);
		ok += r[i].result == 0;
	}
	return ok;
}

START_TEST(atomic_under_threads)
{
	ctx.conf.codes_per_hour = 5;
	ctx.conf.sends_per_hour = 7;
	ctx.conf.failures = 10;
	ck_assert_int_eq(race_20(send_one), 5);
	ck_assert_int_eq(race_20(budget_one), 7);
	/* Failures 1 to 9 pass; the 10th locks, the rest find it locked. */
	ck_assert_int_eq(race_20(fail_one), 9);
	ck_assert(limits_locked(&ctx, "carol", NULL));
}
END_TEST

START_TEST(counts_survive_a_restart)
{
	ctx.conf.codes_per_hour = 2;
	ctx.conf.failures = 2;
	ctx.conf.sends_per_hour = 1;
	ck_assert_int_eq(limits_code_send(&ctx, "carol"), 0);
	ck_assert_int_eq(limits_code_send(&ctx, "carol"), 0);
	ck_assert_int_eq(limits_failure(&ctx, "dave", NULL), 0);
	ck_assert_int_eq(limits_failure(&ctx, "dave", NULL), -EBUSY);
	ck_assert_int_eq(limits_gateway_send(&ctx), 0);
	ck_assert_int_eq(limits_gateway_send(&ctx), -EBUSY);
	store_close(fx_store);
	fx_store = NULL;
	ck_assert_int_eq(store_open(fx_dir, &fx_store), 0);
	ctx.store = fx_store;
	advance(60);
	ck_assert_int_eq(limits_code_send(&ctx, "carol"), -EBUSY);
	ck_assert(limits_locked(&ctx, "dave", NULL));
	ck_assert_int_eq(limits_gateway_send(&ctx), -EBUSY);
	/* ... and the budget notice was not repeated. */
	ck_assert_uint_eq(rate_limited_rows(), 1);
}
END_TEST

START_TEST(store_windows_and_pruning)
{
	unsigned n = 99;
	int64_t until = -1;
	ck_assert_int_eq(store_limit_hit(fx_store, "k", T0), 0);
	ck_assert_int_eq(store_limit_count(fx_store, "k", 3600, T0 + 3599, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(store_limit_count(fx_store, "k", 3600, T0 + 3600, &n), 0);
	ck_assert_uint_eq(n, 0);
	/* A hit "from the future" (the clock went back) still counts. */
	ck_assert_int_eq(store_limit_count(fx_store, "k", 3600, T0 - 10, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(store_limit_lock(fx_store, "l", T0 + 100), 0);
	ck_assert_int_eq(store_limit_lock(fx_store, "l", T0 + 50), 0); /* the longer stays */
	ck_assert_int_eq(store_limit_locked(fx_store, "l", T0, &until), 0);
	ck_assert_int_eq(until, T0 + 100);
	ck_assert_int_eq(store_limit_locked(fx_store, "l", T0 + 100, &until), 0);
	ck_assert_int_eq(until, 0);
	ck_assert_int_eq(store_limits_prune(fx_store, T0 + STORE_LIMIT_KEEP), 0);
	ck_assert_int_eq(store_limit_count(fx_store, "k", STORE_LIMIT_KEEP * 10, T0, &n), 0);
	ck_assert_uint_eq(n, 0);
	char key[STORE_LIMIT_KEY_MAX + 2];
	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	ck_assert_int_eq(store_limit_hit(fx_store, key, T0), -ENAMETOOLONG);
	ck_assert_int_eq(store_limit_hit(fx_store, "", T0), -EINVAL);
}
END_TEST

Suite *limits_suite(void)
{
	Suite *s = suite_create("limits");
	TCase *tc = tcase_create("limits");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, source_keys);
	tcase_add_test(tc, codes_per_hour_and_day);
	tcase_add_test(tc, refusals_are_not_counted);
	tcase_add_test(tc, names_are_only_keys);
	tcase_add_test(tc, dialogues_per_account_and_source);
	tcase_add_test(tc, failures_lock_the_reset_flow_for_a_while);
	tcase_add_test(tc, failures_older_than_a_day_drop_out);
	tcase_add_test(tc, source_failures_per_hour);
	tcase_add_test(tc, gateway_budget_tells_once_per_window);
	tcase_add_test(tc, atomic_under_threads);
	tcase_add_test(tc, counts_survive_a_restart);
	tcase_add_test(tc, store_windows_and_pruning);
	suite_add_tcase(s, tc);
	return s;
}
