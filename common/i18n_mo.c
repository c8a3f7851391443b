/* GNU .mo catalogs (the format msgfmt writes): a header of 32-bit words in
 * the writer's byte order, then two tables of (length, offset) pairs for the
 * original and the translated strings. Every offset and length is checked
 * against the file before use; the strings are copied, sorted and looked up
 * by binary search (the file's hash table is not needed). */
#include "common/i18n_internal.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"

#define MO_MAGIC	 0x950412deu
#define MO_MAGIC_SWAPPED 0xde120495u
#define MO_HEADER_WORDS	 7
/* Longest single text (a whole mail template is a few KiB). */
#define I18N_MO_STRING_MAX (64u << 10)

struct mo_entry {
	const char *msgid;	  /* singular, NUL-terminated */
	const char *msgid_plural; /* NULL unless a plural entry */
	const char *msgstr;	  /* forms separated by NUL */
	size_t msgstr_len;	  /* all forms, without the final NUL */
};

struct i18n_catalog {
	char *data; /* the file, copied */
	size_t count;
	struct mo_entry *entry;
	unsigned nplurals;
	struct i18n_plural *plural; /* NULL: English rule, n != 1 */
};

struct mo_reader {
	const unsigned char *data;
	size_t len;
	bool swap;
};

static uint32_t mo_word(const struct mo_reader *r, size_t off)
{
	uint32_t w;
	memcpy(&w, r->data + off, sizeof(w));
	return r->swap ? __builtin_bswap32(w) : w;
}

/* String i of the table at table_off: NUL-terminated at its length. */
static int mo_string(const struct mo_reader *r, uint32_t table_off, uint32_t i, size_t *off,
		     size_t *len)
{
	size_t at = (size_t)table_off + (size_t)i * 8;
	if (at + 8 > r->len)
		return -EINVAL;
	size_t l = mo_word(r, at), o = mo_word(r, at + 4);
	if (l > I18N_MO_STRING_MAX || o >= r->len || l >= r->len - o || r->data[o + l] != '\0')
		return -EINVAL;
	*off = o;
	*len = l;
	return 0;
}

/* Every NUL-separated form is UTF-8 text (newlines and tabs allowed). */
static bool forms_valid(const char *s, size_t len, unsigned *forms)
{
	size_t start = 0;
	*forms = 0;
	for (size_t i = 0; i <= len; i++) {
		if (s[i] != '\0')
			continue;
		if (!utf8_text_valid(s + start, i - start, I18N_MO_STRING_MAX, "\n\t"))
			return false;
		(*forms)++;
		start = i + 1;
	}
	return true;
}

static bool formats_ok(const struct mo_entry *e)
{
	const char *form = e->msgstr, *end = e->msgstr + e->msgstr_len;
	for (; form <= end; form += strlen(form) + 1)
		if (!i18n_formats_match(e->msgid, form) &&
		    !(e->msgid_plural && i18n_formats_match(e->msgid_plural, form)))
			return false;
	return true;
}

/* The header entry (msgid ""): charset must be UTF-8; Plural-Forms, when
 * present, must parse. */
static int mo_header(struct i18n_catalog *c, const char *h)
{
	const char *ct = strstr(h, "Content-Type:");
	const char *cs = ct ? strstr(ct, "charset=") : NULL;
	if (!cs)
		return -EINVAL;
	cs += strlen("charset=");
	size_t n = strcspn(cs, " ;\n");
	if (!((n == 5 && strncasecmp(cs, "UTF-8", 5) == 0) ||
	      (n == 5 && strncasecmp(cs, "ASCII", 5) == 0)))
		return -EINVAL;
	const char *pf = strncmp(h, "Plural-Forms:", 13) == 0 ? h : strstr(h, "\nPlural-Forms:");
	if (!pf) {
		c->nplurals = 2;
		return 0;
	}
	pf = strchr(pf, ':') + 1;
	/* Only this line: the parser must not find "plural=" on another. */
	char line[640];
	size_t len = strcspn(pf, "\n");
	if (len >= sizeof(line))
		return -E2BIG;
	memcpy(line, pf, len);
	line[len] = '\0';
	return i18n_plural_forms_parse(line, &c->nplurals, &c->plural);
}

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct mo_entry *)a)->msgid, ((const struct mo_entry *)b)->msgid);
}

int i18n_mo_parse(const void *data, size_t len, struct i18n_catalog **out)
{
	*out = NULL;
	if (len > I18N_MO_MAX)
		return -EFBIG;
	if (len < MO_HEADER_WORDS * 4)
		return -EINVAL;
	struct mo_reader r = {.data = data, .len = len};
	uint32_t magic = mo_word(&r, 0);
	if (magic == MO_MAGIC_SWAPPED)
		r.swap = true;
	else if (magic != MO_MAGIC)
		return -EINVAL;
	/* Major revision 0 or 1 (1 adds system-dependent strings, unused here). */
	if ((mo_word(&r, 4) >> 16) > 1)
		return -EINVAL;
	uint32_t n = mo_word(&r, 8), orig = mo_word(&r, 12), trans = mo_word(&r, 16);
	if (n > I18N_MO_MAX_STRINGS || orig % 4 || trans % 4)
		return -EINVAL;

	int ret = -ENOMEM;
	struct i18n_catalog *c = calloc(1, sizeof(*c));
	if (!c || !(c->data = malloc(len)) || !(c->entry = calloc(n ? n : 1, sizeof(*c->entry))))
		goto fail;
	memcpy(c->data, data, len);
	ret = -EINVAL;
	bool have_header = false;
	for (uint32_t i = 0; i < n; i++) {
		size_t ooff, olen, toff, tlen;
		if (mo_string(&r, orig, i, &ooff, &olen) < 0 ||
		    mo_string(&r, trans, i, &toff, &tlen) < 0)
			goto fail;
		unsigned idforms, forms;
		if (!forms_valid(c->data + ooff, olen, &idforms) || idforms > 2 ||
		    !forms_valid(c->data + toff, tlen, &forms) || forms > I18N_NPLURALS_MAX)
			goto fail;
		struct mo_entry e = {.msgid = c->data + ooff,
				     .msgid_plural =
					 idforms == 2 ? c->data + ooff + strlen(c->data + ooff) + 1
						      : NULL,
				     .msgstr = c->data + toff,
				     .msgstr_len = tlen};
		if (olen == 0) {
			if (have_header || mo_header(c, e.msgstr) < 0)
				goto fail;
			have_header = true;
			continue;
		}
		/* Empty translations are untranslated; bad formats are ignored. */
		if (tlen == 0 || !formats_ok(&e))
			continue;
		c->entry[c->count++] = e;
	}
	if (!have_header)
		goto fail;
	qsort(c->entry, c->count, sizeof(*c->entry), entry_cmp);
	*out = c;
	return 0;
fail:
	i18n_catalog_free(c);
	return ret;
}

void i18n_catalog_free(struct i18n_catalog *c)
{
	if (!c)
		return;
	i18n_plural_free(c->plural);
	free(c->entry);
	free(c->data);
	free(c);
}

static const struct mo_entry *find(const struct i18n_catalog *c, const char *msgid)
{
	if (!c || !msgid || !*msgid)
		return NULL;
	struct mo_entry key = {.msgid = msgid};
	return bsearch(&key, c->entry, c->count, sizeof(*c->entry), entry_cmp);
}

const char *i18n_catalog_lookup(const struct i18n_catalog *c, const char *msgid)
{
	const struct mo_entry *e = find(c, msgid);
	if (!e)
		return NULL;
	/* _() of a plural entry's singular: its first form may use the count,
	 * which such a caller does not pass. */
	if (e->msgid_plural && !i18n_formats_match(e->msgid, e->msgstr))
		return NULL;
	return e->msgstr;
}

const char *i18n_catalog_nlookup(const struct i18n_catalog *c, const char *singular,
				 unsigned long n)
{
	const struct mo_entry *e = find(c, singular);
	if (!e)
		return NULL;
	unsigned long idx = c->plural ? i18n_plural_eval(c->plural, n) : n != 1;
	if (idx >= c->nplurals)
		idx = 0;
	const char *form = e->msgstr, *end = e->msgstr + e->msgstr_len;
	for (; idx > 0 && form <= end; idx--)
		form += strlen(form) + 1;
	return form <= end ? form : NULL;
}

size_t i18n_catalog_count(const struct i18n_catalog *c)
{
	return c ? c->count : 0;
}
