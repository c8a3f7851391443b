/* Languages (common/i18n.c): per-thread choice, fallback to English, texts
 * in a given language, the CLIs' language from the environment; and text
 * widths on a terminal (common/textwidth.c). The catalogs are built with
 * msgfmt into a temporary directory, under test-only language names. */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "common/i18n_internal.h"
#include "common/textwidth.h"
#include "tests/unit/fixture.h"
#include "tests/unit/suites.h"

static char lang_dir[64];

static void write_catalog(const char *lang, const char *entries)
{
	char path[256], cmd[600];
	snprintf(path, sizeof(path), "%s/%s/LC_MESSAGES", lang_dir, lang);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", path);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(path + strlen(path), sizeof(path) - strlen(path), "/t.po");
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f,
		"msgid \"\"\nmsgstr \"\"\n\"Content-Type: text/plain; charset=UTF-8\\n\"\n"
		"\"Plural-Forms: nplurals=2; plural=n > 1;\\n\"\n\n%s",
		entries);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "cd '%s/%s/LC_MESSAGES' && msgfmt -o sspr.mo t.po", lang_dir,
		 lang);
	ck_assert_int_eq(system(cmd), 0);
}

static void setup(void)
{
	fixture_tmpdir_make(lang_dir, "i18n");
	write_catalog("xx", "msgid \"Password\"\nmsgstr \"XX-Password\"\n\n"
			    "msgid \"%u try\"\nmsgid_plural \"%u tries\"\n"
			    "msgstr[0] \"XX %u one\"\nmsgstr[1] \"XX %u many\"\n");
	write_catalog("yy_ZZ", "msgid \"Password\"\nmsgstr \"密碼\"\n\n"
			       "msgid \"Cancel\"\nmsgstr \"取消\"\n");
	write_catalog("yy", "msgid \"Password\"\nmsgstr \"YY-Password\"\n");
	/* A broken catalog is no catalog. */
	char cmd[256];
	snprintf(cmd, sizeof(cmd),
		 "mkdir -p '%s/zz/LC_MESSAGES' && echo junk >'%s/zz/LC_MESSAGES/sspr.mo'", lang_dir,
		 lang_dir);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(i18n_localedir_set(lang_dir), 0);
	ck_assert_int_eq(i18n_set_language("en"), 0);
}

static void teardown(void)
{
	i18n_set_language("en");
	fixture_tmpdir_remove(lang_dir);
}

START_TEST(choose_and_fall_back)
{
	ck_assert_str_eq(i18n_language(), "en");
	ck_assert_str_eq(_("Password"), "Password");
	ck_assert_int_eq(i18n_set_language("xx"), 0);
	ck_assert_str_eq(i18n_language(), "xx");
	ck_assert_str_eq(_("Password"), "XX-Password");
	/* Not in the catalog: English. */
	ck_assert_str_eq(_("Cancel"), "Cancel");
	ck_assert_str_eq(_(""), "");
	ck_assert_str_eq(P_("%u try", "%u tries", 0), "XX %u one");
	ck_assert_str_eq(P_("%u try", "%u tries", 1), "XX %u one");
	ck_assert_str_eq(P_("%u try", "%u tries", 2), "XX %u many");
	ck_assert_str_eq(P_("%u day", "%u days", 1), "%u day");
	ck_assert_str_eq(P_("%u day", "%u days", 0), "%u days");

	/* No catalog, a broken one, or not a language name: English. */
	ck_assert_int_eq(i18n_set_language("fr"), -ENOENT);
	ck_assert_str_eq(i18n_language(), "en");
	ck_assert_str_eq(_("Password"), "Password");
	ck_assert_int_eq(i18n_set_language("zz"), -ENOENT);
	ck_assert_int_eq(i18n_set_language("xx"), 0);
	ck_assert_int_eq(i18n_set_language("../xx"), -EINVAL);
	ck_assert_str_eq(i18n_language(), "en");
	ck_assert_int_eq(i18n_set_language(NULL), -EINVAL);
	ck_assert_int_eq(i18n_set_language("xx/LC_MESSAGES"), -EINVAL);
	ck_assert_int_eq(i18n_set_language("en"), 0);
	ck_assert_str_eq(P_("%u day", "%u days", 1), "%u day");

	ck_assert(i18n_available("en"));
	ck_assert(i18n_available("xx"));
	ck_assert(i18n_available("yy_ZZ"));
	ck_assert(!i18n_available("fr"));
	ck_assert(!i18n_available("zz"));
	ck_assert(!i18n_available("/etc"));

	/* Another language's text, whatever this thread's language is. */
	ck_assert_str_eq(i18n_gettext_in("yy_ZZ", "Cancel"), "取消");
	ck_assert_str_eq(i18n_gettext_in("fr", "Cancel"), "Cancel");
	ck_assert_str_eq(i18n_gettext_in("en", "Cancel"), "Cancel");
	ck_assert_str_eq(i18n_language(), "en");
}
END_TEST

struct lang_thread {
	const char *lang;
	const char *want;
	int bad;
};

static void *lang_worker(void *arg)
{
	struct lang_thread *t = arg;
	if (i18n_set_language(t->lang) != 0 && strcmp(t->lang, "fr") != 0)
		t->bad++;
	for (int i = 0; i < 20000; i++) {
		if (strcmp(_("Password"), t->want) != 0)
			t->bad++;
		if (i % 1000 == 0)
			sched_yield();
	}
	return NULL;
}

/* Threads keep their own language, catalogs loading under each other. */
START_TEST(threads_independent)
{
	struct lang_thread t[] = {{"xx", "XX-Password", 0},
				  {"yy_ZZ", "密碼", 0},
				  {"en", "Password", 0},
				  {"fr", "Password", 0},
				  {"yy", "YY-Password", 0}};
	pthread_t th[5];
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, lang_worker, &t[i]), 0);
	for (int i = 0; i < 5; i++) {
		pthread_join(th[i], NULL);
		ck_assert_msg(t[i].bad == 0, "%s: %d wrong texts", t[i].lang, t[i].bad);
	}
	/* This thread never chose: still English. */
	ck_assert_str_eq(i18n_language(), "en");
	ck_assert_str_eq(_("Password"), "Password");
}
END_TEST

static void env_clear(void)
{
	unsetenv("LANGUAGE");
	unsetenv("LC_ALL");
	unsetenv("LC_MESSAGES");
	unsetenv("LANG");
}

static void env_expect(const char *want)
{
	char out[I18N_LANGUAGE_MAX + 1] = "unchanged";
	int r = i18n_language_from_env(out);
	if (!want) {
		ck_assert_int_eq(r, -ENOENT);
		return;
	}
	ck_assert_int_eq(r, 0);
	ck_assert_str_eq(out, want);
}

START_TEST(language_from_env)
{
	env_clear();
	env_expect(NULL);
	setenv("LANG", "C", 1);
	env_expect(NULL);
	setenv("LANG", "C.UTF-8", 1);
	env_expect(NULL);
	setenv("LANG", "POSIX", 1);
	env_expect(NULL);
	setenv("LANG", "yy_ZZ.UTF-8", 1);
	env_expect("yy_ZZ");
	setenv("LANG", "yy_QQ.UTF-8", 1); /* no yy_QQ catalog: the language's */
	env_expect("yy");
	setenv("LANG", "en_GB.UTF-8", 1);
	env_expect("en");
	setenv("LANG", "fr_FR.UTF-8", 1); /* no catalog: named anyway */
	env_expect("fr_FR");
	setenv("LANG", "xx@euro", 1);
	env_expect("xx");
	setenv("LANG", "../../etc", 1);
	env_expect(NULL);
	/* LC_ALL, then LC_MESSAGES, then LANG. */
	setenv("LANG", "xx", 1);
	setenv("LC_MESSAGES", "yy_ZZ.UTF-8", 1);
	env_expect("yy_ZZ");
	setenv("LC_ALL", "C", 1);
	env_expect(NULL);
	setenv("LC_ALL", "", 1);
	env_expect("yy_ZZ");
	/* LANGUAGE first, its first entry with a catalog. */
	setenv("LANGUAGE", "fr:de:xx:yy_ZZ", 1);
	env_expect("xx");
	setenv("LANGUAGE", "fr:de", 1);
	env_expect("yy_ZZ");
	unsetenv("LC_MESSAGES");
	unsetenv("LC_ALL");
	unsetenv("LANG");
	env_expect("fr");
	setenv("LANGUAGE", "::yy_ZZ:", 1);
	env_expect("yy_ZZ");
	char longer[300];
	memset(longer, 'a', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	setenv("LANGUAGE", longer, 1);
	env_expect(NULL);
	env_clear();
}
END_TEST

START_TEST(text_widths)
{
	ck_assert_uint_eq(text_width(""), 0);
	ck_assert_uint_eq(text_width(NULL), 0);
	ck_assert_uint_eq(text_width("Password"), 8);
	ck_assert_uint_eq(text_width("密碼"), 4);
	ck_assert_uint_eq(text_width("驗證碼："), 8);	      /* fullwidth colon */
	ck_assert_uint_eq(text_width("請選擇 [1]： "), 13);   /* mixed */
	ck_assert_uint_eq(text_width("e\xcc\x81"), 1);	      /* e + combining acute */
	ck_assert_uint_eq(text_width("\xe2\x80\x8b"), 0);     /* zero-width space */
	ck_assert_uint_eq(text_width("한국어"), 6);	      /* Hangul */
	ck_assert_uint_eq(text_width("ｱｲ"), 2);		      /* halfwidth katakana */
	ck_assert_uint_eq(text_width("ＡＢ"), 4);	      /* fullwidth Latin */
	ck_assert_uint_eq(text_width("\xf0\xa0\x80\x80"), 2); /* U+20000 */
	ck_assert_uint_eq(text_width("\xf0\x9f\x98\x80"), 2); /* emoji */
	ck_assert_uint_eq(text_width("é"), 1);
	/* Invalid UTF-8: a column per byte. */
	ck_assert_uint_eq(text_width("\xff\xfe"), 2);
	ck_assert_uint_eq(text_width("\xe5\xaf"), 2);	  /* cut short */
	ck_assert_uint_eq(text_width("\xc0\xaf"), 2);	  /* overlong */
	ck_assert_uint_eq(text_width("\xed\xa0\x80"), 3); /* surrogate */
	ck_assert_uint_eq(text_width("a\tb"), 2);
}
END_TEST

START_TEST(text_padding)
{
	char out[64];
	ck_assert_uint_eq(text_pad(out, sizeof(out), "密碼", 8), strlen("密碼") + 4);
	ck_assert_str_eq(out, "密碼    ");
	ck_assert_uint_eq(text_width(out), 8);
	text_pad(out, sizeof(out), "User", 8);
	ck_assert_str_eq(out, "User    ");
	/* Columns line up whatever the script. */
	char a[64], b[64];
	text_pad(a, sizeof(a), "帳號", 10);
	text_pad(b, sizeof(b), "Account", 10);
	ck_assert_uint_eq(text_width(a), text_width(b));
	/* Wider than the column: whole, never cut. */
	text_pad(out, sizeof(out), "系統管理員", 4);
	ck_assert_str_eq(out, "系統管理員");
	/* A short buffer cuts between characters, never inside one. */
	ck_assert_uint_eq(text_pad(out, 5, "密碼", 8), 4);
	ck_assert_str_eq(out, "密 ");
	ck_assert_uint_eq(text_pad(out, 1, "x", 8), 0);
	ck_assert_str_eq(out, "");
	ck_assert_uint_eq(text_pad(out, 0, "x", 8), 0);
	text_pad(out, 6, "ab", 10);
	ck_assert_str_eq(out, "ab   ");
	text_pad(out, sizeof(out), NULL, 3);
	ck_assert_str_eq(out, "   ");
}
END_TEST

Suite *i18n_lang_suite(void)
{
	Suite *s = suite_create("i18n_lang");
	TCase *tc = tcase_create("languages");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, choose_and_fall_back);
	tcase_add_test(tc, threads_independent);
	tcase_add_test(tc, language_from_env);
	suite_add_tcase(s, tc);
	TCase *tw = tcase_create("textwidth");
	tcase_add_test(tw, text_widths);
	tcase_add_test(tw, text_padding);
	suite_add_tcase(s, tw);
	return s;
}
