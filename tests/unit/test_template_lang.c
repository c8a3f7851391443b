/* Templates per language: which text wins (the site's per language, the
 * catalog's translation, the site's own, the built-in English), the checks
 * of the language subdirectories, and the length of every text message in
 * every catalog (SMS segments). Catalogs come from $SSPR_LOCALEDIR (the
 * build's, set by tests/run-tests.sh). */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/i18n.h"
#include "common/template.h"
#include "common/template_internal.h"
#include "common/util.h"
#include "tests/unit/fixture.h"
#include "tests/unit/suites.h"

static char dir[64];
static char subject[512], body[8192], msg[512];

static const struct template_var vars[] = {
    {"user", "carol"},
    {"host", "ws1.example.org"},
    {"time", "2026-11-24 10:00:00 UTC"},
    {"organisation", "Example Corp"},
    {"helpdesk", "Helpdesk: 5100"},
    {"code", "493817"},
    {"minutes", "10 minutes"},
};
#define NVARS (sizeof(vars) / sizeof(vars[0]))

static void catalogs(void)
{
	i18n_init();
}

static void setup(void)
{
	fixture_tmpdir_make(dir, "tlang");
}

static void teardown(void)
{
	fixture_tmpdir_remove(dir);
}

static void put(const char *name, const char *text)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	char *slash = strrchr(path, '/');
	*slash = '\0';
	mkdir(path, 0755);
	*slash = '/';
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static void del(const char *name)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_int_eq(unlink(path), 0);
}

static int render(const char *d, const char *lang, const char *name)
{
	return template_render_lang(d, lang, name, vars, NVARS, subject, sizeof(subject), body,
				    sizeof(body), msg, sizeof(msg));
}

START_TEST(lookup_order)
{
	ck_assert_msg(i18n_available("zh_TW"), "no zh_TW catalog: is SSPR_LOCALEDIR set?");
	/* Nothing of the site's: the catalog's text, the code kept. */
	ck_assert_msg(render(dir, "zh_TW", "code") == 0, "%s", msg);
	ck_assert_str_eq(subject, "您的密碼重設驗證碼");
	ck_assert_ptr_nonnull(strstr(body, "493817"));
	ck_assert_ptr_nonnull(strstr(body, "carol"));
	ck_assert_ptr_null(strchr(body, '{'));

	/* The site's own text does not hide the translation... */
	put("code.txt", "Subject: Site code\n\nSite {code}\n");
	ck_assert_int_eq(render(dir, "zh_TW", "code"), 0);
	ck_assert_str_eq(subject, "您的密碼重設驗證碼");
	/* ...but is what English readers and languages without a catalog get. */
	ck_assert_int_eq(render(dir, "en", "code"), 0);
	ck_assert_str_eq(subject, "Site code");
	ck_assert_int_eq(render(dir, "fr", "code"), 0);
	ck_assert_str_eq(subject, "Site code");
	ck_assert_int_eq(render(dir, NULL, "code"), 0);
	ck_assert_str_eq(subject, "Site code");
	ck_assert_int_eq(template_render(dir, "code", vars, NVARS, subject, sizeof(subject), body,
					 sizeof(body), msg, sizeof(msg)),
			 0);
	ck_assert_str_eq(subject, "Site code");

	/* The site's text in the language wins over everything. */
	put("zh_TW/code.txt", "Subject: 本站驗證碼\n\n驗證碼 {code}\n");
	put("en/code.txt", "Subject: Site code (en)\n\nSite {code}\n");
	ck_assert_int_eq(render(dir, "zh_TW", "code"), 0);
	ck_assert_str_eq(subject, "本站驗證碼");
	ck_assert_str_eq(body, "驗證碼 493817\n");
	ck_assert_int_eq(render(dir, "en", "code"), 0);
	ck_assert_str_eq(subject, "Site code (en)");

	/* A language name is never a path. */
	ck_assert_int_eq(render(dir, "../zh_TW", "code"), 0);
	ck_assert_str_eq(subject, "Site code (en)");

	/* A broken file in the language is reported, with its path. */
	put("zh_TW/code.txt", "Subject: x\n\n{nope}\n");
	ck_assert_int_eq(render(dir, "zh_TW", "code"), -EINVAL);
	ck_assert_ptr_nonnull(strstr(msg, "zh_TW/code.txt:3:"));
	ck_assert_str_eq(body, "");

	/* Without any site text: English built-in for en. */
	del("zh_TW/code.txt");
	del("en/code.txt");
	del("code.txt");
	ck_assert_int_eq(render(dir, "en", "code"), 0);
	ck_assert_str_eq(subject, "Your password reset code");
	ck_assert_int_eq(render(NULL, "zh_TW", "sms_code"), 0);
	ck_assert_str_eq(subject, "");
	ck_assert_ptr_nonnull(strstr(body, "493817"));
}
END_TEST

START_TEST(check_language_dirs)
{
	ck_assert_int_eq(template_check_dir(dir, msg, sizeof(msg)), 0);
	put("zh_TW/reset.txt", "Subject: 重設\n\n{user} {methods}\n");
	put("sr@latin/test.txt", "Subject: Test\n\n{host}\n");
	ck_assert_msg(template_check_dir(dir, msg, sizeof(msg)) == 0, "%s", msg);

	/* A misspelt file in a language directory. */
	put("zh_TW/rest.txt", "Subject: x\n\ny\n");
	ck_assert_int_eq(template_check_dir(dir, msg, sizeof(msg)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(msg, "zh_TW/rest.txt"));
	del("zh_TW/rest.txt");

	/* A broken override in a language directory. */
	put("zh_TW/code.txt", "no subject\n");
	ck_assert_int_eq(template_check_dir(dir, msg, sizeof(msg)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(msg, "zh_TW/code.txt:1:"));
	del("zh_TW/code.txt");

	/* A directory that is no language would never be read. */
	put("backup/code.txt", "Subject: x\n\ny\n");
	ck_assert_int_eq(template_check_dir(dir, msg, sizeof(msg)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(msg, "backup: not a language name"));
}
END_TEST

/* --- SMS segments ------------------------------------------------------ */

/* GSM 03.38: the basic set (one septet) and the extension (two). */
static const char *const gsm_basic[] = {
    "@", "£", "$", "¥", "è", "é", "ù", "ì", "ò", "Ç", "\n", "Ø", "ø", "\r", "Å", "å", "Δ",
    "_", "Φ", "Γ", "Λ", "Ω", "Π", "Ψ", "Σ", "Θ", "Ξ", "Æ",  "æ", "ß", "É",  " ", "!", "\"",
    "#", "¤", "%", "&", "'", "(", ")", "*", "+", ",", "-",  ".", "/", ":",  ";", "<", "=",
    ">", "?", "¡", "Ä", "Ö", "Ñ", "Ü", "§", "¿", "ä", "ö",  "ñ", "ü", "à",  NULL};
static const char gsm_ext[] = "^{}\\[~]|";

/* Septets of text in GSM-7, or 0 when a character needs UCS-2. */
static size_t gsm_septets(const char *text)
{
	size_t n = 0;
	for (const char *p = text; *p;) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9')) {
			n++, p++;
			continue;
		}
		if (strchr(gsm_ext, *p)) {
			n += 2, p++;
			continue;
		}
		size_t k = 0;
		for (; gsm_basic[k]; k++)
			if (strncmp(p, gsm_basic[k], strlen(gsm_basic[k])) == 0)
				break;
		if (!gsm_basic[k])
			return 0;
		n++;
		p += strlen(gsm_basic[k]);
	}
	return n;
}

/* UTF-16 code units of UTF-8 text. */
static size_t ucs2_units(const char *text)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		if ((*p & 0xc0) != 0x80)
			n += *p >= 0xf0 ? 2 : 1;
	return n;
}

/* Segments a text message takes: 160 septets or 70 UCS-2 units alone,
 * 153 or 67 each when concatenated. */
static size_t sms_segments(const char *text, bool *ucs2)
{
	size_t s = gsm_septets(text);
	*ucs2 = s == 0 && text[0];
	if (!*ucs2)
		return s <= 160 ? 1 : (s + 152) / 153;
	size_t u = ucs2_units(text);
	return u <= 70 ? 1 : (u + 66) / 67;
}

START_TEST(sms_segment_counts)
{
	ck_assert_uint_eq(sms_segments("Your code is 123456.", &(bool){0}), 1);
	bool u = false;
	ck_assert_uint_eq(sms_segments("密碼重設驗證碼", &u), 1);
	ck_assert(u);
	char long_zh[512] = "";
	for (int i = 0; i < 71; i++)
		strcat(long_zh, "密");
	ck_assert_uint_eq(sms_segments(long_zh, &u), 2);
	ck_assert_uint_eq(sms_segments("[]", &u), 1);
	ck_assert(!u);
}
END_TEST

/* What a text message may take: a code message one segment, so it arrives
 * whole and costs one message; a notice (the outcome of a reset or unlock,
 * the test message) at most three. */
static size_t sms_budget(const char *name)
{
	return strcmp(name, "sms_code") == 0 || strcmp(name, "sms_confirm") == 0 ? 1 : 3;
}

static void check_language(const char *lang)
{
	char minutes[64], from[128];
	ck_assert_int_eq(i18n_set_language(lang), 0);
	/* The values as ssprd makes them (ssprd/language.c, notify.c), in
	 * the language, with a long organisation and helpdesk text. */
	/* The longest code lifetime ([methods] code_ttl = 86400). */
	snprintf(minutes, sizeof(minutes), P_("%u minute", "%u minutes", 1440), 1440);
	snprintf(from, sizeof(from), _("remote host %s"), "203.0.113.147");
	const struct template_var v[] = {
	    {"user", "carol.smith"},
	    {"host", "files01.example.org"},
	    {"time", "2026-11-24 10:00:00 UTC"},
	    {"organisation", "Example Corp"},
	    {"helpdesk", "Helpdesk +1 555 0100"},
	    {"code", "49381702"},
	    {"minutes", minutes},
	    {"service", "sshd"},
	    {"from", from},
	    {"methods", _("a code by email")},
	};
	for (size_t i = 0; template_names[i]; i++) {
		const char *name = template_names[i];
		if (!template_builtins[i].sms && strcmp(name, "test") != 0)
			continue;
		ck_assert_msg(template_render_lang(NULL, lang, name, v, sizeof(v) / sizeof(v[0]),
						   subject, sizeof(subject), body, sizeof(body),
						   msg, sizeof(msg)) == 0,
			      "%s %s: %s", lang, name, msg);
		bool ucs2 = false;
		size_t seg = sms_segments(body, &ucs2);
		ck_assert_msg(seg <= sms_budget(name), "%s %s: %zu segments (%zu %s): \"%s\"", lang,
			      name, seg, ucs2 ? ucs2_units(body) : gsm_septets(body),
			      ucs2 ? "UCS-2 units" : "septets", body);
		if (strcmp(name, "sms_code") == 0 || strcmp(name, "sms_confirm") == 0)
			ck_assert_ptr_nonnull(strstr(body, "49381702"));
	}
	i18n_set_language("en");
}

START_TEST(sms_in_every_catalog)
{
	const char *root = getenv("SSPR_LOCALEDIR");
	unsigned checked = 0;
	check_language("en");
	ck_assert_msg(root && *root, "SSPR_LOCALEDIR is not set");
	DIR *d = opendir(root);
	ck_assert_ptr_nonnull(d);
	struct dirent *e;
	while ((e = readdir(d))) {
		/* en@pseudo only exists to find unmarked texts. */
		if (e->d_name[0] == '.' || strchr(e->d_name, '@') || !i18n_available(e->d_name))
			continue;
		check_language(e->d_name);
		checked++;
	}
	closedir(d);
	ck_assert_msg(checked >= 1, "no catalog under %s", root);
	ck_assert(i18n_available("zh_TW"));
}
END_TEST

Suite *template_lang_suite(void)
{
	Suite *s = suite_create("template_lang");
	TCase *tc = tcase_create("lookup");
	tcase_add_unchecked_fixture(tc, catalogs, NULL);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, lookup_order);
	tcase_add_test(tc, check_language_dirs);
	suite_add_tcase(s, tc);
	tc = tcase_create("sms");
	tcase_add_unchecked_fixture(tc, catalogs, NULL);
	tcase_add_test(tc, sms_segment_counts);
	tcase_add_test(tc, sms_in_every_catalog);
	suite_add_tcase(s, tc);
	return s;
}
