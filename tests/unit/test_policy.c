/* The password policy, rule by rule: each with a password that passes and
 * one that fails, and the sentence the user sees. History, opasswd and
 * min_age_hours run against a real store and a temporary shadow file. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/conf.h"
#include "common/util.h"
#include "ssprd/history.h"
#include "ssprd/policy.h"
#include "ssprd/pwhash.h"
#include "ssprd/store.h"
#include "tests/unit/breached_gen.h"
#include "tests/unit/suites.h"

#define GOOD	      "Zq8#mW2!pL4x" /* 12 characters */
#define PASSPHRASE_64 "Quietly the violet heron fished beneath seven crooked willows..."
#define EMOJI	      "\xf0\x9f\xa6\x89 Gr\xc3\xbcne Eulen \xf0\x9f\x8c\x99 tanzen bei Nacht 7x"

static char dir[128];
static struct sspr_conf conf;
static struct store *store;
static char reason[256];

static const char *in_dir(const char *name)
{
	static char buf[4][256];
	static int i;
	char *b = buf[i++ % 4];
	snprintf(b, sizeof(buf[0]), "%s/%s", dir, name);
	return b;
}

static void write_file(const char *name, const char *text)
{
	FILE *f = fopen(in_dir(name), "we");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static char *hash_of(const char *password)
{
	char *h = NULL;
	ck_assert_int_eq(pwhash_make(HASH_SHA512, NULL, password, &h), 0);
	return h;
}

/* carol's shadow entry holds password (with prefix, e.g. "!" for locked). */
static void set_shadow(const char *prefix, const char *password)
{
	char *h = hash_of(password);
	char text[1024];
	snprintf(text, sizeof(text), "root:*:19000:0:99999:7:::\ncarol:%s%s:19000:0:99999:7:::\n",
		 prefix, h);
	secret_free(h);
	write_file("shadow", text);
}

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/sspr-policy-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(conf_init_defaults(&conf), 0);
	/* libpwquality's defaults, whatever this machine's file says. */
	write_file("pwquality.conf", "dictcheck = 1\nusercheck = 1\n");
	free(conf.pwquality_conf);
	conf.pwquality_conf = strdup(in_dir("pwquality.conf"));
	free(conf.shadow_file);
	conf.shadow_file = strdup(in_dir("shadow"));
	free(conf.opasswd);
	conf.opasswd = strdup(in_dir("opasswd"));
	ck_assert_int_eq(store_open(dir, &store), 0);
	set_shadow("", "Initial-password-0");
}

static void teardown(void)
{
	store_close(store);
	store = NULL;
	conf_free(&conf);
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static int check_as(enum policy_path path, const char *user, const char *password)
{
	struct policy_request req = {.user = user, .password = password, .path = path};
	return policy_check(&conf, store, &req, reason, sizeof(reason));
}

static void accepted(const char *password)
{
	int r = check_as(POLICY_CHANGE, "carol", password);
	ck_assert_msg(r == 0, "\"%s\" refused (%d): %s", password, r, reason);
}

static void refused(const char *password, const char *want)
{
	int r = check_as(POLICY_CHANGE, "carol", password);
	ck_assert_msg(r == -EINVAL, "\"%s\" gave %d (%s)", password, r, reason);
	ck_assert_msg(strstr(reason, want) != NULL, "\"%s\": reason \"%s\" lacks \"%s\"", password,
		      reason, want);
}

START_TEST(length_in_characters)
{
	accepted(GOOD);
	accepted(PASSPHRASE_64);
	ck_assert_uint_eq(strlen(PASSPHRASE_64), 64);
	accepted(EMOJI);
	refused("Zq8#mW2!pL4", "The password must have at least 12 characters.");
	refused("", "at least 12 characters");
	/* 11 characters in 22 bytes: characters count, not bytes. */
	refused("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		"\xc3\xa9",
		"at least 12 characters");
	accepted("\xc3\x87\xc3\xa0 \xc3\xa9t\xc3\xa9 \xc3\xb4t\xc3\xa9 9"); /* "Çà été ôté 9" */

	/* 600 bytes of text and the NUL. */
	char buf[601];
	memset(buf, 0, sizeof(buf));
	for (int i = 0; i < 256; i++)
		buf[i] = (char)('a' + (i * 7 + i / 26) % 26);
	buf[0] = 'Q';
	buf[1] = '7';
	accepted(buf); /* exactly max_length = 256 */
	buf[256] = 'x';
	refused(buf, "The password is too long (at most 256 characters).");
	/* 200 characters of 3 bytes: few characters, too many bytes. */
	conf.max_length = 511;
	memset(buf, 0, sizeof(buf));
	for (int i = 0; i < 200; i++)
		memcpy(buf + 3 * i, "\xe2\x82\xac", 3);
	refused(buf, "at most 511 bytes");
}
END_TEST

START_TEST(composition_off_by_default)
{
	conf.pwquality = false;
	accepted("correct horse battery staple");
	conf.min_classes = 3;
	refused("correct horse battery staple", "at least 3 kinds of characters");
	accepted("Correct horse battery 9");
	conf.min_classes = 4;
	refused("Correctbatterystaple9", "at least 4 kinds");
	accepted("Correct horse battery 9");
	/* Uppercase outside ASCII counts as uppercase. */
	conf.min_classes = 2;
	accepted("\xc3\x89l\xc3\xa9phant-rose");
	refused("\xc3\xa9l\xc3\xa9phantrose", "kinds");
}
END_TEST

START_TEST(names)
{
	refused("my-CAROL-password", "The password must not contain your user name.");
	refused("C.a.r.o.l-2024-xyz!", "user name");
	accepted("Caro-2024-xyz!-Qw");
	conf.organisation = strdup("Example Corp, ExCo");
	refused("I work at example-corp 2024!", "The password must not contain the name of the "
						"organisation.");
	refused("Proud EXCO member 42!", "name of the organisation");
	accepted("Example of a corporate 42!");
}
END_TEST

START_TEST(names_from_gecos)
{
	static const struct {
		const char *user, *gecos, *org, *password;
		enum policy_name want;
	} cases[] = {
	    {"carol", "Carol Example,,,", NULL, "my-example-pass-1", POLICY_NAME_REAL},
	    {"carol", "Carol Example,,,", NULL, "Exampl3 but not quite", POLICY_NAME_NONE},
	    {"carol", "Carol Example,Room 5,,", NULL, "room5-is-mine-42", POLICY_NAME_NONE},
	    /* Parts shorter than 3 letters are not names to refuse. */
	    {"ann", "Ann Li,,,", NULL, "lighthouse-keeper-7", POLICY_NAME_NONE},
	    {"ann", "Ann Li,,,", NULL, "my ANN is here-7", POLICY_NAME_USER},
	    /* Unicode case folding: "ÉLODIE" contains "Élodie". */
	    {"edurand", "\xc3\x89lodie Durand", NULL, "\xc3\x89LODIE-rocks-2024", POLICY_NAME_REAL},
	    {"edurand", "Marie-Th\xc3\xa9r\xc3\xa8se Durand", NULL, "th\xc3\x89r\xc3\x88se-2024-x",
	     POLICY_NAME_REAL},
	    /* A Latin-1 GECOS is not UTF-8: still no crash, ASCII parts work. */
	    {"jd", "Jos\xe9 Dupont", NULL, "dupont-rules-99", POLICY_NAME_REAL},
	    {"bob", NULL, "ACME Inc.", "acmeinc-2024!!", POLICY_NAME_ORGANISATION},
	    {"bob", NULL, "ACME Inc.", "acme-2024!!xx", POLICY_NAME_NONE},
	    {"bob", NULL, ",, ,x", "anything-goes-42", POLICY_NAME_NONE},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(policy_find_name(cases[i].user, cases[i].gecos, cases[i].org,
					       cases[i].password) == cases[i].want,
			      "case %zu (%s)", i, cases[i].password);
}
END_TEST

START_TEST(pwquality_dictionary_and_settings)
{
	refused("international", "dictionary");
	conf.pwquality = false;
	accepted("international");
	conf.pwquality = true;
	/* libpwquality's own minlen, if larger, is honoured too. */
	write_file("pwquality.conf", "minlen = 20\n");
	refused(GOOD, "The password is shorter than 20 characters.");
	accepted("Kettle-umbrella-38-piano");
	/* The optional score threshold. */
	write_file("pwquality.conf", "minlen = 12\n");
	conf.pwquality_min_score = 50;
	refused(GOOD, "too easy to guess: its strength is 43 of 100, at least 50 is required");
	accepted("Kettle-umbrella-38-piano");
	conf.pwquality_min_score = 0;
	accepted(GOOD);
	/* A missing file means libpwquality's defaults, as in pam_pwquality. */
	unlink(in_dir("pwquality.conf"));
	accepted(GOOD);
	refused("international", "dictionary");
}
END_TEST

START_TEST(pwquality_sees_old_password)
{
	write_file("pwquality.conf", "difok = 5\n");
	struct policy_request req = {.user = "carol",
				     .password = "Zq8#mW2!pL4xy",
				     .old_password = GOOD,
				     .path = POLICY_CHANGE};
	ck_assert_int_eq(policy_check(&conf, store, &req, reason, sizeof(reason)), -EINVAL);
	ck_assert_str_eq(reason, "The password is too similar to the old one.");
	req.old_password = NULL; /* a reset: unknown */
	ck_assert_int_eq(policy_check(&conf, store, &req, reason, sizeof(reason)), 0);
}
END_TEST

START_TEST(breached_list)
{
	static const char *const listed[] = {"Kettle-umbrella-38-piano", "password"};
	struct breached_gen g = {.lines = 50000, .seed = 3, .passwords = listed, .npasswords = 2};
	ck_assert_int_eq(breached_gen_write(in_dir("pwned.txt"), &g, NULL), 0);
	conf.breached_list = strdup(in_dir("pwned.txt"));
	refused("Kettle-umbrella-38-piano",
		"The password is on a list of passwords exposed in data breaches");
	accepted(GOOD);
	/* A list that cannot be read stops every change: never accept
	 * unchecked. */
	free(conf.breached_list);
	conf.breached_list = strdup(in_dir("missing.txt"));
	int r = check_as(POLICY_CHANGE, "carol", GOOD);
	ck_assert_int_eq(r, -ENOENT);
	ck_assert_str_eq(reason, "The password could not be checked right now.");
	write_file("junk.txt", "this is not a list\n");
	free(conf.breached_list);
	conf.breached_list = strdup(in_dir("junk.txt"));
	ck_assert_int_eq(check_as(POLICY_CHANGE, "carol", GOOD), -EBADMSG);
}
END_TEST

static size_t history_count(const char *user)
{
	char **h = NULL;
	size_t n = 0;
	ck_assert_int_eq(store_history_list(store, user, 100, &h, &n), 0);
	store_history_free(h, n);
	return n;
}

/* What the reset and the PAM path do around a change. */
static void change_to(const char *password)
{
	ck_assert_int_eq(history_record_current(&conf, store, "carol"), 0);
	set_shadow("", password);
	ck_assert_int_eq(history_record_current(&conf, store, "carol"), 0);
}

START_TEST(history)
{
	refused("Initial-password-0", "The password is the same as the current one.");
	change_to("Second-password-1");
	refused("Initial-password-0", "You used this password recently");
	refused("Second-password-1", "same as the current one");
	accepted("Third-password-2");
	/* Recording again adds nothing: the same hash is the same snapshot. */
	ck_assert_uint_eq(history_count("carol"), 2);
	ck_assert_int_eq(history_record_current(&conf, store, "carol"), 0);
	ck_assert_uint_eq(history_count("carol"), 2);

	/* history = 2: the current password and at least the 2 before it. */
	conf.history = 2;
	change_to("Third-password-2");
	change_to("Fourth-password-3");
	change_to("Fifth-password-4");
	ck_assert_uint_eq(history_count("carol"), 3);
	refused("Fourth-password-3", "recently");
	refused("Third-password-2", "recently");
	accepted("Second-password-1");
	accepted("Initial-password-0");

	/* A locked entry still holds the current password. */
	set_shadow("!", "Fifth-password-4");
	refused("Fifth-password-4", "same as the current one");

	/* history = 0 turns the rule off and forgets what was kept. */
	conf.history = 0;
	accepted("Fifth-password-4");
	ck_assert_int_eq(history_record_current(&conf, store, "carol"), 0);
	ck_assert_uint_eq(history_count("carol"), 0);
	/* Without a shadow entry there is nothing to compare or record. */
	conf.history = 5;
	accepted("Fifth-password-4-but-for-dave");
	ck_assert_int_eq(history_record_current(&conf, store, "dave"), 0);
	ck_assert_uint_eq(history_count("dave"), 0);
}
END_TEST

START_TEST(opasswd_is_honoured)
{
	char *a = hash_of("Opasswd-first-1"), *b = hash_of("Opasswd-second-2");
	char *c = hash_of("Someone-elses-3");
	char text[2048];
	snprintf(text, sizeof(text),
		 "garbage line without fields\n"
		 "carolx:1009:1:%s\n"
		 "carol:1001:2:%s,%s\n"
		 "bob:1002:1:%s\n",
		 c, a, b, c);
	write_file("opasswd", text);
	secret_free(a);
	secret_free(b);
	secret_free(c);
	refused("Opasswd-first-1", "recently");
	refused("Opasswd-second-2", "recently");
	accepted("Someone-elses-3");
	/* Not there, or not wanted: not an error. */
	unlink(in_dir("opasswd"));
	accepted("Opasswd-first-1");
	free(conf.opasswd);
	conf.opasswd = NULL;
	accepted("Opasswd-first-1");
}
END_TEST

START_TEST(min_age_between_resets)
{
	conf.min_age_hours = 24;
	int64_t now = (int64_t)time(NULL);
	ck_assert_int_eq(check_as(POLICY_RESET, "carol", GOOD), 0);
	ck_assert_int_eq(store_event_add(store, "carol", "reset", "", now - 3600), 0);
	ck_assert_int_eq(check_as(POLICY_RESET, "carol", GOOD), -EAGAIN);
	ck_assert_str_eq(reason, "Your password was reset less than 24 hours ago. It can be reset "
				 "again in 23 hours.");
	/* Only self-service resets are limited, not passwd. */
	ck_assert_int_eq(check_as(POLICY_CHANGE, "carol", GOOD), 0);
	ck_assert_int_eq(check_as(POLICY_RESET, "dave", GOOD), 0);
	conf.min_age_hours = 1;
	ck_assert_int_eq(check_as(POLICY_RESET, "carol", GOOD), 0);
	conf.min_age_hours = 0;
	ck_assert_int_eq(check_as(POLICY_RESET, "carol", GOOD), 0);
}
END_TEST

Suite *policy_suite(void)
{
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("policy");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, length_in_characters);
	tcase_add_test(tc, composition_off_by_default);
	tcase_add_test(tc, names);
	tcase_add_test(tc, names_from_gecos);
	tcase_add_test(tc, pwquality_dictionary_and_settings);
	tcase_add_test(tc, pwquality_sees_old_password);
	tcase_add_test(tc, breached_list);
	tcase_add_test(tc, history);
	tcase_add_test(tc, opasswd_is_honoured);
	tcase_add_test(tc, min_age_between_resets);
	suite_add_tcase(s, tc);
	return s;
}
