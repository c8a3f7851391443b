/* Tests for ssprd/registration.c: what counts as registered, the factor
 * count against [methods] required, and reconfirmation dates. */
#include <errno.h>
#include <string.h>

#include "common/method.h"
#include "ssprd/registration.h"
#include "tests/unit/fixture.h"
#include "tests/unit/suites.h"

#define NOW  1800000000LL
#define DAYS 86400LL

static struct daemon_ctx ctx;

static void setup(void)
{
	fixture_store_setup();
	memset(&ctx, 0, sizeof(ctx));
	ck_assert_int_eq(conf_init_defaults(&ctx.conf), 0);
	ctx.store = fx_store;
	ctx.conf.methods = METHOD_BIT(METHOD_EMAIL) | METHOD_BIT(METHOD_SMS) |
			   METHOD_BIT(METHOD_VOICE_MOBILE) | METHOD_BIT(METHOD_QUESTIONS);
}

static void teardown(void)
{
	conf_free(&ctx.conf);
	fixture_store_teardown();
}

static struct registration get(const char *user, int64_t now)
{
	struct registration r;
	ck_assert_int_eq(registration_get(&ctx, user, now, &r), 0);
	return r;
}

START_TEST(test_nothing_registered)
{
	struct registration r = get("alice", NOW);
	ck_assert_uint_eq(r.registered, 0);
	ck_assert_uint_eq(r.factors, 0);
	ck_assert(!r.meets);
	ck_assert_int_eq(r.confirmed, 0);
	ck_assert(!r.reconfirm_due);
}
END_TEST

START_TEST(test_text_and_call_are_one_factor)
{
	ctx.conf.required = 2;
	ck_assert_int_eq(
	    store_contact_set(fx_store, "alice", "mobile", "+15551234567", "user", NOW), 0);
	struct registration r = get("alice", NOW);
	ck_assert_uint_eq(r.usable, METHOD_BIT(METHOD_SMS) | METHOD_BIT(METHOD_VOICE_MOBILE));
	ck_assert_uint_eq(r.factors, 1);
	ck_assert(!r.meets);
	ck_assert_int_eq(
	    store_contact_set(fx_store, "alice", "email", "alice@example.org", "user", NOW), 0);
	r = get("alice", NOW);
	ck_assert_uint_eq(r.factors, 2);
	ck_assert(r.meets);
}
END_TEST

START_TEST(test_disabled_method_is_not_usable)
{
	ctx.conf.methods = METHOD_BIT(METHOD_SMS);
	ck_assert_int_eq(
	    store_contact_set(fx_store, "alice", "email", "alice@example.org", "admin", NOW), 0);
	struct registration r = get("alice", NOW);
	ck_assert_uint_eq(r.registered, METHOD_BIT(METHOD_EMAIL));
	ck_assert_uint_eq(r.usable, 0);
	ck_assert(!r.meets);
}
END_TEST

START_TEST(test_questions_alone_do_not_count)
{
	struct store_question q[3] = {{0, "Q1", "h1"}, {1, "Q2", "h2"}, {2, "Q3", "h3"}};
	ck_assert_int_eq(store_questions_set(fx_store, "alice", q, 3, NOW), 0);
	ctx.conf.questions_alone = false;
	struct registration r = get("alice", NOW);
	ck_assert(r.usable & METHOD_BIT(METHOD_QUESTIONS));
	ck_assert_uint_eq(r.factors, 0);
	ck_assert(!r.meets);
	ctx.conf.questions_alone = true;
	r = get("alice", NOW);
	ck_assert_uint_eq(r.factors, 1);
	ck_assert(r.meets);
	/* Fewer than [questions] answer registered: not a way in. */
	ctx.conf.questions_answer = 4;
	r = get("alice", NOW);
	ck_assert_uint_eq(r.registered, 0);
}
END_TEST

START_TEST(test_reconfirmation)
{
	ck_assert_int_eq(
	    store_contact_set(fx_store, "alice", "email", "alice@example.org", "admin", NOW), 0);
	/* Off by default. */
	struct registration r = get("alice", NOW);
	ck_assert(!r.reconfirm_due);
	ck_assert_int_eq(r.reconfirm_at, 0);

	/* Never confirmed by the user: due now. */
	ctx.conf.reconfirm_days = 30;
	r = get("alice", NOW);
	ck_assert(r.reconfirm_due);

	ck_assert_int_eq(store_registration_confirm(fx_store, "alice", NOW), 0);
	r = get("alice", NOW + 29 * DAYS);
	ck_assert_int_eq(r.confirmed, NOW);
	ck_assert_int_eq(r.reconfirm_at, NOW + 30 * DAYS);
	ck_assert(!r.reconfirm_due);
	r = get("alice", NOW + 30 * DAYS);
	ck_assert(r.reconfirm_due);

	/* Nothing registered: nothing to reconfirm. */
	r = get("bob", NOW);
	ck_assert(!r.reconfirm_due);
}
END_TEST

START_TEST(test_notice_marker_and_registered_users)
{
	int64_t id = -1;
	ck_assert_int_eq(store_notice_shown(fx_store, "alice", &id), 0);
	ck_assert_int_eq(id, 0);
	ck_assert_int_eq(store_notice_set_shown(fx_store, "alice", 42), 0);
	ck_assert_int_eq(store_notice_shown(fx_store, "alice", &id), 0);
	ck_assert_int_eq(id, 42);
	/* Confirming keeps the marker and the other way round. */
	ck_assert_int_eq(store_registration_confirm(fx_store, "alice", NOW), 0);
	ck_assert_int_eq(store_notice_shown(fx_store, "alice", &id), 0);
	ck_assert_int_eq(id, 42);

	ck_assert_int_eq(store_contact_set_verified(fx_store, "carol", "email", NOW), -ENOENT);
	ck_assert_int_eq(
	    store_contact_set(fx_store, "carol", "email", "carol@example.org", "user", NOW), 0);
	ck_assert_int_eq(store_contact_set_verified(fx_store, "carol", "email", NOW + 5), 0);
	struct store_contact c;
	ck_assert_int_eq(store_contact_get(fx_store, "carol", "email", &c), 0);
	ck_assert_int_eq(c.verified, NOW + 5);
	store_contact_clear(&c);
}
END_TEST

static int collect(void *userdata, const char *user)
{
	char *out = userdata;
	strcat(out, user);
	strcat(out, ",");
	return 0;
}

START_TEST(test_registered_users_sorted)
{
	char seen[128] = "";
	ck_assert_int_eq(store_contact_set(fx_store, "zed", "email", "z@example.org", "user", NOW),
			 0);
	ck_assert_int_eq(store_contact_set(fx_store, "amy", "mobile", "+15551234567", "user", NOW),
			 0);
	struct store_question q = {0, "Q", "h"};
	ck_assert_int_eq(store_questions_set(fx_store, "kim", &q, 1, NOW), 0);
	ck_assert_int_eq(store_contact_set(fx_store, "amy", "email", "a@example.org", "user", NOW),
			 0);
	ck_assert_int_eq(store_registered_users(fx_store, collect, seen), 0);
	ck_assert_str_eq(seen, "amy,kim,zed,");
}
END_TEST

Suite *registration_suite(void)
{
	Suite *s = suite_create("registration");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_nothing_registered);
	tcase_add_test(tc, test_text_and_call_are_one_factor);
	tcase_add_test(tc, test_disabled_method_is_not_usable);
	tcase_add_test(tc, test_questions_alone_do_not_count);
	tcase_add_test(tc, test_reconfirmation);
	tcase_add_test(tc, test_notice_marker_and_registered_users);
	tcase_add_test(tc, test_registered_users_sorted);
	suite_add_tcase(s, tc);
	return s;
}
