/*
 * libFuzzer target: message catalogs (common/i18n_mo.c), Plural-Forms
 * expressions (common/i18n_plural.c) and the printf-directive check on
 * translations (common/i18n_format.c).
 *
 * The first byte chooses what the rest is:
 *   0 (mod 3): a .mo file. Accepted catalogs give, for every probe msgid and
 *     count, NULL or valid UTF-8 whose directives fit the English text's.
 *   1: a Plural-Forms header value. Accepted ones declare 1..16 forms, and
 *     evaluate the same twice for every probe count.
 *   2: two strings split at the first NUL, a msgid and a translation:
 *     a text always fits itself, and the check is the same both times.
 * Seeds: fuzz/corpus/mo/ (catalogs written by msgfmt, headers of the gettext
 * manual's rules, format pairs).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/i18n_internal.h"
#include "common/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz/mo.c:%d: invariant failed: %s\n", __LINE__, #cond);  \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static const unsigned long counts[] = {0, 1, 2, 3, 4, 5, 11, 12, 21, 101, 111, 1000000, ~0ul};

/* A translation as a caller would get it: text, and safe to printf with the
 * English text's arguments. */
static void check_translation(const char *msgid, const char *msgid_plural, const char *t)
{
	if (!t)
		return;
	CHECK(utf8_text_valid(t, strlen(t), SIZE_MAX, "\n\t"));
	CHECK(i18n_formats_match(msgid, t) ||
	      (msgid_plural && i18n_formats_match(msgid_plural, t)));
}

static void fuzz_catalog(const uint8_t *data, size_t size)
{
	struct i18n_catalog *c = NULL;
	int r = i18n_mo_parse(data, size, &c);
	if (r < 0) {
		CHECK(c == NULL);
		CHECK(r == -EINVAL || r == -EFBIG || r == -E2BIG || r == -ENOMEM);
		return;
	}
	CHECK(c != NULL);
	/* Probes: fixed texts, and the file's first original strings. */
	const char *probe[8] = {"", "a", "Password", "%u file", "%s", NULL, NULL, NULL};
	char own[3][64];
	for (unsigned i = 0; i < 3 && size >= 28; i++) {
		uint32_t w[2];
		uint32_t table;
		memcpy(&table, data + 12, 4);
		if (table > size || size - table < 8 * (size_t)(i + 1))
			break;
		memcpy(w, data + table + 8 * i, 8);
		size_t len = w[0] < sizeof(own[i]) - 1 ? w[0] : sizeof(own[i]) - 1;
		if (w[1] > size || size - w[1] < len)
			break;
		memcpy(own[i], data + w[1], len);
		own[i][len] = '\0';
		probe[5 + i] = own[i];
	}
	for (size_t i = 0; i < 8 && probe[i]; i++) {
		check_translation(probe[i], NULL, i18n_catalog_lookup(c, probe[i]));
		for (size_t k = 0; k < sizeof(counts) / sizeof(counts[0]); k++) {
			const char *t = i18n_catalog_nlookup(c, probe[i], counts[k]);
			/* A plural msgid is probed by its singular: the plural
			 * is not known here, so only the text is checked. */
			if (t)
				CHECK(utf8_text_valid(t, strlen(t), SIZE_MAX, "\n\t"));
		}
	}
	CHECK(i18n_catalog_lookup(c, "") == NULL);
	i18n_catalog_free(c);
}

static void fuzz_plural(const uint8_t *data, size_t size)
{
	char text[1024];
	size_t len = size < sizeof(text) - 1 ? size : sizeof(text) - 1;
	memcpy(text, data, len);
	text[len] = '\0';
	unsigned np = 0;
	struct i18n_plural *p = NULL;
	if (i18n_plural_forms_parse(text, &np, &p) == 0) {
		CHECK(np >= 1 && np <= I18N_NPLURALS_MAX);
		for (size_t k = 0; k < sizeof(counts) / sizeof(counts[0]); k++)
			CHECK(i18n_plural_eval(p, counts[k]) == i18n_plural_eval(p, counts[k]));
		i18n_plural_free(p);
	} else {
		CHECK(p == NULL);
	}
	/* The bare expression too. */
	if (i18n_plural_parse(text, &p) == 0) {
		for (size_t k = 0; k < sizeof(counts) / sizeof(counts[0]); k++)
			(void)i18n_plural_eval(p, counts[k]);
		i18n_plural_free(p);
	} else {
		CHECK(p == NULL);
	}
}

static void fuzz_formats(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 2);
	if (!buf)
		return;
	memcpy(buf, data, size);
	buf[size] = buf[size + 1] = '\0';
	const char *a = buf, *b = buf + strlen(buf) + 1;
	if (b > buf + size)
		b = buf + size;
	CHECK(i18n_formats_match(a, a));
	CHECK(i18n_formats_match(b, b));
	bool m = i18n_formats_match(a, b);
	CHECK(m == i18n_formats_match(a, b));
	/* A text with no directive fits nothing that takes an argument. */
	if (!strchr(a, '%') && m)
		CHECK(i18n_formats_match("", b));
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0:
		fuzz_catalog(data + 1, size - 1);
		break;
	case 1:
		fuzz_plural(data + 1, size - 1);
		break;
	default:
		fuzz_formats(data + 1, size - 1);
		break;
	}
	return 0;
}
