/* The .mo parser (catalogs from msgfmt and hand-made ones, malformed,
 * truncated and oversized files), the printf-directive check on
 * translations, and Plural-Forms expressions (common/i18n_*.c). */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/i18n_internal.h"
#include "common/util.h"
#include "tests/unit/fixture.h"
#include "tests/unit/suites.h"

#define HDR "Content-Type: text/plain; charset=UTF-8\nPlural-Forms: nplurals=1; plural=0;\n"

struct mo_text {
	const char *s;
	size_t len;
};

/* A literal with its length, inner NULs (plural msgids) included. */
#define T(lit)                                                                                     \
	{                                                                                          \
		lit, sizeof(lit) - 1                                                               \
	}

struct mo_pair {
	struct mo_text id, str;
};

static size_t tlen(const struct mo_text *t)
{
	return t->len;
}

static void put32(uint8_t *p, uint32_t v, bool big)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (big ? 24 - 8 * i : 8 * i));
}

/* A .mo file as msgfmt lays it out (no hash table) into buf; its size. */
static size_t mo_make(uint8_t *buf, size_t cap, const struct mo_pair *e, uint32_t n, bool big,
		      uint32_t revision)
{
	size_t at = 28 + 16 * (size_t)n;
	ck_assert_uint_le(at, cap);
	put32(buf, 0x950412de, big);
	put32(buf + 4, revision, big);
	put32(buf + 8, n, big);
	put32(buf + 12, 28, big);
	put32(buf + 16, 28 + 8 * n, big);
	put32(buf + 20, 0, big);
	put32(buf + 24, at, big);
	for (uint32_t i = 0; i < n; i++) {
		const struct mo_text *t[2] = {&e[i].id, &e[i].str};
		for (int k = 0; k < 2; k++) {
			size_t l = tlen(t[k]);
			ck_assert_uint_le(at + l + 1, cap);
			put32(buf + 28 + 8 * n * k + 8 * i, (uint32_t)l, big);
			put32(buf + 28 + 8 * n * k + 8 * i + 4, (uint32_t)at, big);
			memcpy(buf + at, t[k]->s, l);
			buf[at + l] = '\0';
			at += l + 1;
		}
	}
	return at;
}

static const struct mo_pair basic[] = {
    {T(""), T(HDR)},
    {T("Password"), T("密碼")},
    {T("%u attempt left\0%u attempts left"), T("剩下 %u 次")},
    {T("Hello %s, code %u"), T("%2$u 給 %1$s")},
    {T("bad %s"), T("壞 %d")},
    {T("evil %s"), T("%s%n")},
    {T("Untranslated"), T("")},
};

START_TEST(parse_handmade_both_byte_orders)
{
	static uint8_t buf[4096];
	for (int big = 0; big < 2; big++)
		for (uint32_t rev = 0; rev <= 0x10001; rev += 0x10001) {
			size_t len = mo_make(buf, sizeof(buf), basic, 7, big, rev);
			struct i18n_catalog *c = NULL;
			ck_assert_int_eq(i18n_mo_parse(buf, len, &c), 0);
			ck_assert_str_eq(i18n_catalog_lookup(c, "Password"), "密碼");
			ck_assert_str_eq(i18n_catalog_nlookup(c, "%u attempt left", 7),
					 "剩下 %u 次");
			ck_assert_str_eq(i18n_catalog_lookup(c, "Hello %s, code %u"),
					 "%2$u 給 %1$s");
			/* Wrong or dangerous directives: the English text is used. */
			ck_assert_ptr_null(i18n_catalog_lookup(c, "bad %s"));
			ck_assert_ptr_null(i18n_catalog_lookup(c, "evil %s"));
			ck_assert_ptr_null(i18n_catalog_lookup(c, "Untranslated"));
			ck_assert_ptr_null(i18n_catalog_lookup(c, ""));
			ck_assert_ptr_null(i18n_catalog_lookup(c, "Passwor"));
			ck_assert_uint_eq(i18n_catalog_count(c), 3);
			i18n_catalog_free(c);
		}
	/* Major revision 2 is a format we do not know. */
	size_t len = mo_make(buf, sizeof(buf), basic, 7, false, 0x20000);
	struct i18n_catalog *c = NULL;
	ck_assert_int_eq(i18n_mo_parse(buf, len, &c), -EINVAL);
	ck_assert_ptr_null(c);
}
END_TEST

/* Every prefix of a valid file is refused, without reading past it. */
START_TEST(truncated_rejected)
{
	static uint8_t buf[4096];
	size_t len = mo_make(buf, sizeof(buf), basic, 7, false, 0);
	for (size_t l = 0; l < len; l++) {
		uint8_t *copy = malloc(l ? l : 1);
		memcpy(copy, buf, l);
		struct i18n_catalog *c = NULL;
		ck_assert_msg(i18n_mo_parse(copy, l, &c) < 0, "prefix of %zu bytes accepted", l);
		ck_assert_ptr_null(c);
		free(copy);
	}
}
END_TEST

static int parse_pairs(const struct mo_pair *e, uint32_t n)
{
	static uint8_t buf[4096];
	size_t len = mo_make(buf, sizeof(buf), e, n, false, 0);
	struct i18n_catalog *c = NULL;
	int r = i18n_mo_parse(buf, len, &c);
	ck_assert(r == 0 ? c != NULL : c == NULL);
	i18n_catalog_free(c);
	return r;
}

START_TEST(malformed_rejected)
{
	static uint8_t buf[4096];
	size_t len = mo_make(buf, sizeof(buf), basic, 7, false, 0);
	struct i18n_catalog *c = NULL;
	uint8_t *bad = malloc(len);
	/* Field offset, value: magic, count, table offsets, string lengths and
	 * offsets beyond the end or without their NUL. */
	const struct {
		size_t off;
		uint32_t v;
	} edits[] = {
	    {0, 0x12345678},
	    {8, 0xffffffff},
	    {8, 8},
	    {12, (uint32_t)len},
	    {12, 0xfffffff8},
	    {16, 30},
	    {28, 0xffffffff},
	    {32, (uint32_t)len},
	    {32, 0xfffffff0},
	    {36, 5},
	    {28 + 56 + 8, 1000},
	    {28 + 56 + 8, 3},
	};
	for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		memcpy(bad, buf, len);
		put32(bad + edits[i].off, edits[i].v, false);
		ck_assert_msg(i18n_mo_parse(bad, len, &c) < 0, "edit %zu accepted", i);
		ck_assert_ptr_null(c);
	}
	free(bad);

	/* Too big to be a catalog. */
	uint8_t *huge = calloc(1, I18N_MO_MAX + 1);
	memcpy(huge, buf, len);
	ck_assert_int_eq(i18n_mo_parse(huge, I18N_MO_MAX + 1, &c), -EFBIG);
	free(huge);

	/* No header; another charset; a broken Plural-Forms; two headers;
	 * invalid UTF-8 or a control character in a translation. */
	const struct mo_pair noheader[] = {{T("a"), T("b")}};
	ck_assert_int_eq(parse_pairs(noheader, 1), -EINVAL);
	const struct mo_pair latin1[] = {
	    {T(""), T("Content-Type: text/plain; charset=ISO-8859-1\n")}};
	ck_assert_int_eq(parse_pairs(latin1, 1), -EINVAL);
	const struct mo_pair plural[] = {
	    {T(""), T("Content-Type: text/plain; charset=UTF-8\nPlural-Forms: nplurals=2; plural=n "
		      "+;\n")}};
	ck_assert_int_eq(parse_pairs(plural, 1), -EINVAL);
	const struct mo_pair twice[] = {{T(""), T(HDR)}, {T(""), T(HDR)}};
	ck_assert_int_eq(parse_pairs(twice, 2), -EINVAL);
	const struct mo_pair utf8[] = {{T(""), T(HDR)}, {T("a"), T("\xe5\xaf")}};
	ck_assert_int_eq(parse_pairs(utf8, 2), -EINVAL);
	const struct mo_pair ctrl[] = {{T(""), T(HDR)}, {T("a"), T("b\x1b[2J")}};
	ck_assert_int_eq(parse_pairs(ctrl, 2), -EINVAL);
	const struct mo_pair ok[] = {{T(""), T(HDR)}, {T("a\n"), T("b\tc\n")}};
	ck_assert_int_eq(parse_pairs(ok, 2), 0);
}
END_TEST

/* A catalog as the build makes them: msgfmt, in both byte orders. */
START_TEST(parse_msgfmt_catalog)
{
	char dir[64], cmd[512];
	fixture_tmpdir_make(dir, "mo");
	char po[128];
	snprintf(po, sizeof(po), "%s/t.po", dir);
	FILE *f = fopen(po, "w");
	ck_assert_ptr_nonnull(f);
	fputs("msgid \"\"\nmsgstr \"\"\n\"Content-Type: text/plain; charset=UTF-8\\n\"\n"
	      "\"Plural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && "
	      "n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);\\n\"\n\n"
	      "msgid \"Verification code\"\nmsgstr \"驗證碼\"\n\n"
	      "#, c-format\nmsgid \"%u file\"\nmsgid_plural \"%u files\"\n"
	      "msgstr[0] \"%u файл\"\nmsgstr[1] \"%u файла\"\nmsgstr[2] \"%u файлов\"\n\n"
	      "msgid \"Line one\\nLine two\\n\"\nmsgstr \"第一行\\n第二行\\n\"\n\n"
	      "#, fuzzy\nmsgid \"Fuzzy\"\nmsgstr \"模糊\"\n",
	      f);
	fclose(f);
	for (int big = 0; big < 2; big++) {
		snprintf(cmd, sizeof(cmd), "msgfmt --endianness=%s -o %s/t.mo %s",
			 big ? "big" : "little", dir, po);
		ck_assert_int_eq(system(cmd), 0);
		snprintf(cmd, sizeof(cmd), "%s/t.mo", dir);
		char *data = NULL;
		size_t len = 0;
		ck_assert_int_eq(read_small_file(cmd, I18N_MO_MAX, &data, &len), 0);
		struct i18n_catalog *c = NULL;
		ck_assert_int_eq(i18n_mo_parse(data, len, &c), 0);
		free(data);
		ck_assert_str_eq(i18n_catalog_lookup(c, "Verification code"), "驗證碼");
		ck_assert_str_eq(i18n_catalog_lookup(c, "Line one\nLine two\n"),
				 "第一行\n第二行\n");
		ck_assert_ptr_null(i18n_catalog_lookup(c, "Fuzzy"));
		const char *want[] = {"%u файлов", "%u файл", "%u файла", "%u файла", "%u файлов"};
		const unsigned long n[] = {0, 1, 2, 4, 5};
		for (size_t i = 0; i < 5; i++)
			ck_assert_str_eq(i18n_catalog_nlookup(c, "%u file", n[i]), want[i]);
		ck_assert_str_eq(i18n_catalog_nlookup(c, "%u file", 21), "%u файл");
		ck_assert_str_eq(i18n_catalog_nlookup(c, "%u file", 111), "%u файлов");
		i18n_catalog_free(c);
	}
	fixture_tmpdir_remove(dir);
}
END_TEST

START_TEST(formats_checked)
{
	ck_assert(i18n_formats_match("%s has %u", "%s 有 %u"));
	ck_assert(i18n_formats_match("%s has %u", "%2$u 在 %1$s"));
	ck_assert(i18n_formats_match("%u tries left", "還可以再試 %u 次"));
	ck_assert(i18n_formats_match("%d%% done", "完成 %d%%"));
	ck_assert(i18n_formats_match("%-10s|%5.2f|%zu", "%-12s|%.1f|%zu"));
	ck_assert(i18n_formats_match("%lld days", "%lld 天"));
	ck_assert(i18n_formats_match("%*s", "%*s"));
	/* Fewer arguments, from the end: fine. */
	ck_assert(i18n_formats_match("%u attempt", "一次"));
	ck_assert(i18n_formats_match("%s: %u", "%s"));
	/* Not a format at all: a text without directives is fine. */
	ck_assert(i18n_formats_match("100% sure", "百分之百確定"));

	ck_assert(!i18n_formats_match("%s", "%d"));
	ck_assert(!i18n_formats_match("%u", "%s"));
	ck_assert(!i18n_formats_match("%u", "%lu"));
	ck_assert(!i18n_formats_match("%s", "%s %s"));
	ck_assert(!i18n_formats_match("%s", "%n"));
	ck_assert(!i18n_formats_match("%s", "%1$s%2$s"));
	ck_assert(!i18n_formats_match("%s %u", "%2$u"));    /* a gap */
	ck_assert(!i18n_formats_match("%s %u", "%1$s %u")); /* mixed */
	ck_assert(!i18n_formats_match("%s", "%"));
	ck_assert(!i18n_formats_match("%s", "%33$s"));
	ck_assert(!i18n_formats_match("plain", "%s"));
	ck_assert(!i18n_formats_match("100% sure", "%d"));
}
END_TEST

/* Rules from the gettext manual, against a direct C version of each. */
static unsigned long rule_ref(int rule, unsigned long n)
{
	switch (rule) {
	case 0:
		return 0;
	case 1:
		return n != 1;
	case 2:
		return n > 1;
	case 3:
		return n % 10 == 1 && n % 100 != 11 ? 0 : n != 0 ? 1 : 2;
	case 4:
		return n == 1 ? 0 : n == 2 ? 1 : 2;
	case 5:
		return n % 10 == 1 && n % 100 != 11			? 0
		       : n % 10 >= 2 && (n % 100 < 10 || n % 100 >= 20) ? 1
									: 2;
	case 6:
		return n == 1 ? 0 : (n >= 2 && n <= 4) ? 1 : 2;
	case 7:
		return n % 100 == 1 ? 0 : n % 100 == 2 ? 1 : n % 100 == 3 || n % 100 == 4 ? 2 : 3;
	default:
		return n == 0			       ? 0
		       : n == 1			       ? 1
		       : n == 2			       ? 2
		       : n % 100 >= 3 && n % 100 <= 10 ? 3
		       : n % 100 >= 11		       ? 4
						       : 5;
	}
}

START_TEST(plural_rules)
{
	static const char *const rules[] = {
	    "nplurals=1; plural=0;",
	    "nplurals=2; plural=n != 1;",
	    "nplurals=2; plural=(n > 1);",
	    "nplurals=3; plural=n%10==1 && n%100!=11 ? 0 : n != 0 ? 1 : 2;",
	    "nplurals=3; plural=n==1 ? 0 : n==2 ? 1 : 2;",
	    "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && (n%100<10 || "
	    "n%100>=20) ? 1 : 2);",
	    "nplurals=3; plural=(n==1) ? 0 : (n>=2 && n<=4) ? 1 : 2;",
	    "nplurals=4; plural=(n%100==1 ? 0 : n%100==2 ? 1 : n%100==3 || n%100==4 ? 2 : 3);",
	    "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : "
	    "n%100>=11 ? 4 : 5);",
	};
	const unsigned nplurals[] = {1, 2, 2, 3, 3, 3, 3, 4, 6};
	for (int r = 0; r < 9; r++) {
		unsigned np = 0;
		struct i18n_plural *p = NULL;
		ck_assert_int_eq(i18n_plural_forms_parse(rules[r], &np, &p), 0);
		ck_assert_uint_eq(np, nplurals[r]);
		for (unsigned long n = 0; n < 1000; n++)
			ck_assert_msg(i18n_plural_eval(p, n) == rule_ref(r, n), "rule %d n=%lu", r,
				      n);
		i18n_plural_free(p);
	}
}
END_TEST

START_TEST(plural_operators_and_errors)
{
	const struct {
		const char *expr;
		unsigned long n, want;
	} ok[] = {
	    {"n - 1", 5, 4},	  {"n * 3 + 1", 4, 13},
	    {"!n", 0, 1},	  {"!!n", 7, 1},
	    {"n / 0", 7, 0},	  {"n % 0", 7, 0},
	    {"(n)", 9, 9},	  {"n<=2", 2, 1},
	    {"n>=3", 2, 0},	  {"n<2", 2, 0},
	    {"n>2", 3, 1},	  {"1 || 0 && 0", 0, 1},
	    {"n ? n : 5", 0, 5},  {"2 + 3 * 4", 0, 14},
	    {"10 - 2 - 3", 0, 5}, {"n==1?0:n==2?1:2", 2, 1},
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct i18n_plural *p = NULL;
		ck_assert_msg(i18n_plural_parse(ok[i].expr, &p) == 0, "%s", ok[i].expr);
		ck_assert_msg(i18n_plural_eval(p, ok[i].n) == ok[i].want, "%s", ok[i].expr);
		i18n_plural_free(p);
	}
	const char *bad[] = {"",    "n ==", "(n",    "n)",	"n ? 1", "x",		"1 +",
			     "n n", "- n",  "n = 1", "n ? : 1", "n & 1", "999999999999"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct i18n_plural *p = NULL;
		ck_assert_msg(i18n_plural_parse(bad[i], &p) < 0, "accepted: %s", bad[i]);
		ck_assert_ptr_null(p);
	}
	/* Too deep, too long, too many nodes. */
	char deep[400], many[600];
	memset(deep, '(', 100);
	deep[100] = 'n';
	memset(deep + 101, ')', 100);
	deep[201] = '\0';
	struct i18n_plural *p = NULL;
	ck_assert_int_eq(i18n_plural_parse(deep, &p), -E2BIG);
	size_t o = 0;
	for (int i = 0; i < 150; i++)
		o += (size_t)snprintf(many + o, sizeof(many) - o, "%sn", i ? "+" : "");
	ck_assert_int_eq(i18n_plural_parse(many, &p), -E2BIG);
	unsigned np;
	ck_assert_int_eq(i18n_plural_forms_parse("nplurals=17; plural=n;", &np, &p), -E2BIG);
	ck_assert_int_eq(i18n_plural_forms_parse("nplurals=0; plural=n;", &np, &p), -EINVAL);
	ck_assert_int_eq(i18n_plural_forms_parse("plural=n;", &np, &p), -EINVAL);
	ck_assert_ptr_null(p);
}
END_TEST

Suite *i18n_suite(void)
{
	Suite *s = suite_create("i18n");
	TCase *tc = tcase_create("mo");
	tcase_add_test(tc, parse_handmade_both_byte_orders);
	tcase_add_test(tc, truncated_rejected);
	tcase_add_test(tc, malformed_rejected);
	tcase_add_test(tc, parse_msgfmt_catalog);
	tcase_add_test(tc, formats_checked);
	tcase_add_test(tc, plural_rules);
	tcase_add_test(tc, plural_operators_and_errors);
	suite_add_tcase(s, tc);
	return s;
}
