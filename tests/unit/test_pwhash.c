/* pwhash.c: methods, costs from login.defs, verification and refusals. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "ssprd/pwhash.h"
#include "tests/unit/suites.h"

static char dir[64];
static char defs[128];

static void setup(void)
{
	strcpy(dir, "/tmp/sspr-pwhash-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(defs, sizeof(defs), "%s/login.defs", dir);
}

static void teardown(void)
{
	unlink(defs);
	rmdir(dir);
}

static void write_defs(const char *content)
{
	FILE *f = fopen(defs, "we");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(content, f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

static char *make(enum hash_method m, const char *login_defs, const char *pw)
{
	char *h = NULL;
	ck_assert_int_eq(pwhash_make(m, login_defs, pw, &h), 0);
	ck_assert_ptr_nonnull(h);
	return h;
}

/* The yescrypt parameter field: "$y$PARAMS$salt$hash" -> "PARAMS". */
static char *yescrypt_params(const char *h)
{
	ck_assert_int_eq(strncmp(h, "$y$", 3), 0);
	const char *end = strchr(h + 3, '$');
	ck_assert_ptr_nonnull(end);
	return strndup(h + 3, (size_t)(end - (h + 3)));
}

START_TEST(test_yescrypt)
{
	char *h = make(HASH_YESCRYPT, NULL, "correct horse");
	ck_assert_int_eq(strncmp(h, "$y$", 3), 0);
	ck_assert_int_eq(pwhash_verify("correct horse", h), 0);
	ck_assert_int_eq(pwhash_verify("correct horsE", h), -EACCES);
	ck_assert_int_eq(pwhash_verify("", h), -EACCES);
	/* A fresh salt each time. */
	char *h2 = make(HASH_YESCRYPT, NULL, "correct horse");
	ck_assert_str_ne(h, h2);
	ck_assert_int_eq(pwhash_verify("correct horse", h2), 0);
	secret_free(h);
	secret_free(h2);
}
END_TEST

START_TEST(test_sha512)
{
	char *h = make(HASH_SHA512, NULL, "battery staple");
	ck_assert_int_eq(strncmp(h, "$6$", 3), 0);
	/* No login.defs: library default, no explicit rounds. */
	ck_assert_ptr_null(strstr(h, "rounds="));
	ck_assert_int_eq(pwhash_verify("battery staple", h), 0);
	ck_assert_int_eq(pwhash_verify("battery stapl", h), -EACCES);
	secret_free(h);
}
END_TEST

START_TEST(test_yescrypt_cost)
{
	write_defs("# comment\nYESCRYPT_COST_FACTOR 5\n");
	char *h5 = make(HASH_YESCRYPT, defs, "pw");
	write_defs("ENCRYPT_METHOD YESCRYPT\n  YESCRYPT_COST_FACTOR\t7  \n");
	char *h7 = make(HASH_YESCRYPT, defs, "pw");
	char *hd = make(HASH_YESCRYPT, NULL, "pw");
	char *p5 = yescrypt_params(h5), *p7 = yescrypt_params(h7), *pd = yescrypt_params(hd);
	ck_assert_str_ne(p5, p7);
	ck_assert_str_eq(p5, pd); /* 5 is libxcrypt's default */
	ck_assert_int_eq(pwhash_verify("pw", h7), 0);
	ck_assert_int_eq(pwhash_verify("wp", h7), -EACCES);
	/* Out of range values are clamped to 1..11, as shadow-utils does. */
	write_defs("YESCRYPT_COST_FACTOR 0\n");
	char *h1 = make(HASH_YESCRYPT, defs, "pw");
	write_defs("YESCRYPT_COST_FACTOR 1\n");
	char *h1b = make(HASH_YESCRYPT, defs, "pw");
	char *p1 = yescrypt_params(h1), *p1b = yescrypt_params(h1b);
	ck_assert_str_eq(p1, p1b);
	ck_assert_str_ne(p1, p5);
	/* The last setting wins; a garbage value is ignored. */
	write_defs("YESCRYPT_COST_FACTOR 1\nYESCRYPT_COST_FACTOR 7\nYESCRYPT_COST_FACTOR x\n");
	char *hl = make(HASH_YESCRYPT, defs, "pw");
	char *pl = yescrypt_params(hl);
	ck_assert_str_eq(pl, p7);
	free(p5);
	free(p7);
	free(pd);
	free(p1);
	free(p1b);
	free(pl);
	secret_free(h5);
	secret_free(h7);
	secret_free(hd);
	secret_free(h1);
	secret_free(h1b);
	secret_free(hl);
}
END_TEST

START_TEST(test_sha512_rounds)
{
	write_defs("SHA_CRYPT_MIN_ROUNDS 6000\n");
	char *h = make(HASH_SHA512, defs, "pw");
	ck_assert_int_eq(strncmp(h, "$6$rounds=6000$", 15), 0);
	ck_assert_int_eq(pwhash_verify("pw", h), 0);
	ck_assert_int_eq(pwhash_verify("pW", h), -EACCES);
	secret_free(h);

	write_defs("SHA_CRYPT_MAX_ROUNDS 7000\n");
	h = make(HASH_SHA512, defs, "pw");
	ck_assert_int_eq(strncmp(h, "$6$rounds=7000$", 15), 0);
	secret_free(h);

	/* max below min: min is used. */
	write_defs("SHA_CRYPT_MIN_ROUNDS 8000\nSHA_CRYPT_MAX_ROUNDS 2000\n");
	h = make(HASH_SHA512, defs, "pw");
	ck_assert_int_eq(strncmp(h, "$6$rounds=8000$", 15), 0);
	secret_free(h);

	/* A range: somewhere inside it. */
	write_defs("SHA_CRYPT_MIN_ROUNDS 2000\nSHA_CRYPT_MAX_ROUNDS 2010\n");
	h = make(HASH_SHA512, defs, "pw");
	long rounds = strtol(h + strlen("$6$rounds="), NULL, 10);
	ck_assert_int_eq(strncmp(h, "$6$rounds=", 10), 0);
	ck_assert_int_ge(rounds, 2000);
	ck_assert_int_le(rounds, 2010);
	secret_free(h);

	/* Below the floor: clamped to 1000. */
	write_defs("SHA_CRYPT_MIN_ROUNDS 10\n");
	h = make(HASH_SHA512, defs, "pw");
	ck_assert_int_eq(strncmp(h, "$6$rounds=1000$", 15), 0);
	secret_free(h);

	/* SHA settings do not affect yescrypt, and vice versa. */
	write_defs("SHA_CRYPT_MIN_ROUNDS 6000\nYESCRYPT_COST_FACTOR 7\n");
	h = make(HASH_SHA512, defs, "pw");
	ck_assert_int_eq(strncmp(h, "$6$rounds=6000$", 15), 0);
	secret_free(h);
}
END_TEST

START_TEST(test_missing_login_defs)
{
	char *h = make(HASH_SHA512, defs, "pw"); /* defs was never written */
	ck_assert_int_eq(strncmp(h, "$6$", 3), 0);
	ck_assert_ptr_null(strstr(h, "rounds="));
	secret_free(h);
	h = make(HASH_YESCRYPT, defs, "pw");
	ck_assert_int_eq(pwhash_verify("pw", h), 0);
	secret_free(h);
}
END_TEST

START_TEST(test_unusable_hashes)
{
	const char *bad[] = {"!", "*", "", "!!", "*LK*", "$9$abc$def", "x"};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		ck_assert_int_eq(pwhash_verify("pw", bad[i]), -EINVAL);
	/* A bare prefix is a usable setting but can never be a match. */
	ck_assert_int_eq(pwhash_verify("pw", "$6$"), -EACCES);
	/* A locked account ("!" before a valid hash) never verifies. */
	char *h = make(HASH_YESCRYPT, NULL, "pw");
	char locked[512];
	snprintf(locked, sizeof(locked), "!%s", h);
	ck_assert_int_eq(pwhash_verify("pw", locked), -EINVAL);
	/* A truncated hash is a mismatch or unusable, never a match. */
	h[strlen(h) - 1] = '\0';
	ck_assert_int_ne(pwhash_verify("pw", h), 0);
	secret_free(h);
	ck_assert_int_eq(pwhash_verify(NULL, "$6$abc$def"), -EINVAL);
	ck_assert_int_eq(pwhash_verify("pw", NULL), -EINVAL);
}
END_TEST

START_TEST(test_make_refusals)
{
	char *h = NULL;
	ck_assert_int_eq(pwhash_make(HASH_YESCRYPT, NULL, NULL, &h), -EINVAL);
	ck_assert_int_eq(pwhash_make((enum hash_method)42, NULL, "pw", &h), -EINVAL);
	ck_assert_ptr_null(h);
	char *longpw = malloc(2000);
	ck_assert_ptr_nonnull(longpw);
	memset(longpw, 'a', 1999);
	longpw[1999] = '\0';
	ck_assert_int_eq(pwhash_make(HASH_SHA512, NULL, longpw, &h), -E2BIG);
	ck_assert_ptr_null(h);
	free(longpw);
}
END_TEST

Suite *pwhash_suite(void)
{
	Suite *s = suite_create("pwhash");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_yescrypt);
	tcase_add_test(tc, test_sha512);
	tcase_add_test(tc, test_yescrypt_cost);
	tcase_add_test(tc, test_sha512_rounds);
	tcase_add_test(tc, test_missing_login_defs);
	tcase_add_test(tc, test_unusable_hashes);
	tcase_add_test(tc, test_make_refusals);
	suite_add_tcase(s, tc);
	return s;
}
