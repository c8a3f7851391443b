/* Authenticator apps: enrolment, the otpauth URI, checks with drift and
 * replay, the RFC 6238 vectors, on a real store. */
#include <check.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "ssprd/totp.h"
#include "tests/unit/fixture.h"
#include "tests/unit/suites.h"

#define NOW 1700000010 /* 10 s into a step */

static struct store *st;
static uint8_t key[CODE_KEY_SIZE];

static void setup(void)
{
	fixture_store_setup();
	st = fx_store;
	memcpy(key, fx_key, sizeof(key));
}

static void teardown(void)
{
	fixture_store_teardown();
}

/* Enrol user and return the secret as an app would read it from the URI. */
static void enroll(const char *user, uint8_t secret[TOTP_SECRET_SIZE])
{
	char b32[64], uri[512];
	size_t len = 0;
	ck_assert_int_eq(
	    totp_enroll(st, key, user, "Example", b32, sizeof(b32), uri, sizeof(uri), NOW), 0);
	const char *p = strstr(uri, "?secret=");
	ck_assert_ptr_nonnull(p);
	char from_uri[64];
	ck_assert_int_eq(sscanf(p, "?secret=%63[A-Z2-7]&", from_uri), 1);
	ck_assert_str_eq(from_uri, b32);
	ck_assert_int_eq(totp_base32_decode(from_uri, secret, TOTP_SECRET_SIZE, &len), 0);
	ck_assert_uint_eq(len, TOTP_SECRET_SIZE);
}

static enum totp_result check(const char *user, const char *typed, int64_t now)
{
	enum totp_result res;
	ck_assert_int_eq(totp_check(st, key, user, typed, now, &res), 0);
	return res;
}

static const char *code_at(const uint8_t secret[TOTP_SECRET_SIZE], int64_t t)
{
	static char out[TOTP_DIGITS + 1];
	ck_assert_int_eq(totp_generate(secret, TOTP_SECRET_SIZE, t, out), 0);
	return out;
}

START_TEST(enroll_uri_and_sealed_secret)
{
	char b32[64], uri[512];
	uint8_t secret[TOTP_SECRET_SIZE];
	size_t len;
	ck_assert_int_eq(totp_enroll(st, key, "carol@corp", "Example Corp", b32, sizeof(b32), uri,
				     sizeof(uri), NOW),
			 0);
	ck_assert_uint_eq(strlen(b32), 32); /* 160 bits, no padding */
	ck_assert_uint_eq(strspn(b32, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), 32);
	char want[512];
	snprintf(want, sizeof(want),
		 "otpauth://totp/Example%%20Corp:carol%%40corp?secret=%s&issuer=Example%%20Corp"
		 "&algorithm=SHA1&digits=6&period=30",
		 b32);
	ck_assert_str_eq(uri, want);
	ck_assert_int_eq(totp_base32_decode(b32, secret, sizeof(secret), &len), 0);
	ck_assert_uint_eq(len, TOTP_SECRET_SIZE);

	/* The store holds the secret sealed, neither raw nor in base32. */
	struct store_totp t;
	store_lock(st);
	ck_assert_int_eq(store_totp_get(st, "carol@corp", &t), 0);
	store_unlock(st);
	ck_assert_uint_le(t.sealed_len, STORE_TOTP_SEALED_MAX);
	ck_assert_uint_gt(t.sealed_len, TOTP_SECRET_SIZE);
	ck_assert_ptr_null(memmem(t.sealed, t.sealed_len, secret, sizeof(secret)));
	ck_assert_ptr_null(memmem(t.sealed, t.sealed_len, b32, 8));
	ck_assert_int_eq(t.created, NOW);

	/* Re-enrolling gives a new secret: the old app stops working. */
	const char *old = code_at(secret, NOW);
	char oldc[TOTP_DIGITS + 1];
	memcpy(oldc, old, sizeof(oldc));
	char b32b[64];
	ck_assert_int_eq(totp_enroll(st, key, "carol@corp", "Example Corp", b32b, sizeof(b32b), uri,
				     sizeof(uri), NOW),
			 0);
	ck_assert_str_ne(b32, b32b);
	uint8_t secret2[TOTP_SECRET_SIZE];
	ck_assert_int_eq(totp_base32_decode(b32b, secret2, sizeof(secret2), &len), 0);
	if (strcmp(oldc, code_at(secret2, NOW)) != 0) /* 1 in 10^6 they agree */
		ck_assert_int_eq(check("carol@corp", oldc, NOW), TOTP_WRONG);
	ck_assert_int_eq(check("carol@corp", code_at(secret2, NOW), NOW), TOTP_OK);
}
END_TEST

START_TEST(enroll_refuses_small_buffers)
{
	char b32[64], uri[512];
	struct store_totp t;
	ck_assert_int_eq(totp_enroll(st, key, "carol", "Example", b32, 32, uri, sizeof(uri), NOW),
			 -ENOBUFS);
	ck_assert_int_eq(totp_enroll(st, key, "carol", "Example", b32, sizeof(b32), uri, 60, NOW),
			 -ENOBUFS);
	ck_assert_int_eq(totp_enroll(st, key, "carol", "", b32, sizeof(b32), uri, sizeof(uri), NOW),
			 -EINVAL);
	/* Nothing half-enrolled. */
	store_lock(st);
	ck_assert_int_eq(store_totp_get(st, "carol", &t), -ENOENT);
	store_unlock(st);
}
END_TEST

START_TEST(code_once_per_step)
{
	uint8_t secret[TOTP_SECRET_SIZE];
	char code[TOTP_DIGITS + 1];
	enroll("carol", secret);
	memcpy(code, code_at(secret, NOW), sizeof(code));
	ck_assert_int_eq(check("carol", code, NOW), TOTP_OK);
	ck_assert_int_eq(check("carol", code, NOW), TOTP_REPLAY);
	ck_assert_int_eq(check("carol", code, NOW + 5), TOTP_REPLAY);
	/* The next step's code is new. */
	ck_assert_int_eq(check("carol", code_at(secret, NOW + 30), NOW + 30), TOTP_OK);
	/* The previous step is now older than the last used one. */
	ck_assert_int_eq(check("carol", code, NOW + 30), TOTP_REPLAY);
}
END_TEST

START_TEST(drift_of_one_step)
{
	uint8_t secret[TOTP_SECRET_SIZE];
	enroll("carol", secret);
	/* A slow phone: the previous step is accepted, then the current one,
	 * which is newer. */
	ck_assert_int_eq(check("carol", code_at(secret, NOW - 30), NOW), TOTP_OK);
	ck_assert_int_eq(check("carol", code_at(secret, NOW), NOW), TOTP_OK);
	/* The other order: after the current step, the previous one is old. */
	enroll("dave", secret);
	ck_assert_int_eq(check("dave", code_at(secret, NOW), NOW), TOTP_OK);
	ck_assert_int_eq(check("dave", code_at(secret, NOW - 30), NOW), TOTP_REPLAY);
	/* A fast phone: the next step is accepted too. */
	enroll("erin", secret);
	ck_assert_int_eq(check("erin", code_at(secret, NOW + 30), NOW), TOTP_OK);
	ck_assert_int_eq(check("erin", code_at(secret, NOW), NOW), TOTP_REPLAY);
}
END_TEST

START_TEST(outside_the_window_is_wrong)
{
	uint8_t secret[TOTP_SECRET_SIZE];
	char win[3][TOTP_DIGITS + 1], far[TOTP_DIGITS + 1];
	enroll("carol", secret);
	for (int i = 0; i < 3; i++)
		memcpy(win[i], code_at(secret, NOW + (i - 1) * 30), sizeof(win[i]));
	const int steps[] = {-3, -2, 2, 3};
	for (size_t i = 0; i < ARRAY_SIZE(steps); i++) {
		memcpy(far, code_at(secret, NOW + steps[i] * 30), sizeof(far));
		/* Skip the one-in-a-million code that repeats one in the window. */
		if (strcmp(far, win[0]) && strcmp(far, win[1]) && strcmp(far, win[2]))
			ck_assert_int_eq(check("carol", far, NOW), TOTP_WRONG);
	}
	/* None of that used up a step. */
	ck_assert_int_eq(check("carol", win[1], NOW), TOTP_OK);
}
END_TEST

START_TEST(typed_input)
{
	uint8_t secret[TOTP_SECRET_SIZE];
	char code[TOTP_DIGITS + 1], spaced[16];
	enroll("carol", secret);
	memcpy(code, code_at(secret, NOW), sizeof(code));
	const char *bad[] = {"",	 "12345",	 "1234567", "12a456",  "-123456",
			     "123456\n", "１２３４５６", "0x1234",  "        "};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		ck_assert_int_eq(check("carol", bad[i], NOW), TOTP_WRONG);
	char longer[16];
	snprintf(longer, sizeof(longer), "%s0", code);
	ck_assert_int_eq(check("carol", longer, NOW), TOTP_WRONG);
	snprintf(spaced, sizeof(spaced), " %.3s %.3s ", code, code + 3);
	ck_assert_int_eq(check("carol", spaced, NOW), TOTP_OK);
}
END_TEST

START_TEST(missing_and_wrong_key)
{
	uint8_t secret[TOTP_SECRET_SIZE], other[CODE_KEY_SIZE];
	enum totp_result res;
	ck_assert_int_eq(check("nobody", "123456", NOW), TOTP_MISSING);
	ck_assert_int_eq(check("nobody", "garbage", NOW), TOTP_MISSING);
	enroll("carol", secret);
	/* Another code key cannot open the sealed secret. */
	randombytes_buf(other, sizeof(other));
	ck_assert_int_eq(totp_check(st, other, "carol", code_at(secret, NOW), NOW, &res), -EBADMSG);
	ck_assert_int_eq(check("carol", code_at(secret, NOW), NOW), TOTP_OK);
	store_lock(st);
	ck_assert_int_eq(store_totp_delete(st, "carol"), 0);
	store_unlock(st);
	ck_assert_int_eq(check("carol", code_at(secret, NOW + 30), NOW + 30), TOTP_MISSING);
}
END_TEST

/* RFC 6238 appendix B, SHA1 key; the 6-digit code is the last six of the
 * RFC's eight. */
START_TEST(rfc6238_vectors)
{
	const uint8_t *k = (const uint8_t *)"12345678901234567890";
	char out[TOTP_DIGITS + 1];
	static const struct {
		int64_t t;
		const char *code;
	} v[] = {
	    {59, "287082"},	    {1111111109, "081804"}, {1111111111, "050471"},
	    {1234567890, "005924"}, {2000000000, "279037"}, {20000000000, "353130"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		ck_assert_int_eq(totp_generate(k, 20, v[i].t, out), 0);
		ck_assert_str_eq(out, v[i].code);
	}
}
END_TEST

START_TEST(base32)
{
	uint8_t out[16];
	size_t len;
	/* RFC 4648 section 10. */
	ck_assert_int_eq(totp_base32_decode("MZXW6YTBOI", out, sizeof(out), &len), 0);
	ck_assert_uint_eq(len, 6);
	ck_assert_mem_eq(out, "foobar", 6);
	ck_assert_int_eq(totp_base32_decode("mzxw 6ytb oi======", out, sizeof(out), &len), 0);
	ck_assert_uint_eq(len, 6);
	ck_assert_mem_eq(out, "foobar", 6);
	ck_assert_int_eq(totp_base32_decode("MZXW6===", out, sizeof(out), &len), 0);
	ck_assert_uint_eq(len, 3);
	ck_assert_mem_eq(out, "foo", 3);
	ck_assert_int_eq(totp_base32_decode("", out, sizeof(out), &len), 0);
	ck_assert_uint_eq(len, 0);
	ck_assert_int_eq(totp_base32_decode("MZ1W", out, sizeof(out), &len), -EINVAL);
	ck_assert_int_eq(totp_base32_decode("MZ=XW", out, sizeof(out), &len), -EINVAL);
	ck_assert_int_eq(totp_base32_decode("MZXW6YTBOI", out, 5, &len), -ENOBUFS);
}
END_TEST

Suite *totp_suite(void)
{
	Suite *s = suite_create("totp");
	TCase *tc = tcase_create("totp");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, enroll_uri_and_sealed_secret);
	tcase_add_test(tc, enroll_refuses_small_buffers);
	tcase_add_test(tc, code_once_per_step);
	tcase_add_test(tc, drift_of_one_step);
	tcase_add_test(tc, outside_the_window_is_wrong);
	tcase_add_test(tc, typed_input);
	tcase_add_test(tc, missing_and_wrong_key);
	tcase_add_test(tc, rfc6238_vectors);
	tcase_add_test(tc, base32);
	suite_add_tcase(s, tc);
	return s;
}
