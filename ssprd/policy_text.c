#include "ssprd/policy_text.h"

#include <locale.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <wctype.h>

#include "common/conf.h"
#include "common/util.h"

/* More than any password (511 bytes) or name we look at. */
#define FOLD_MAX	 (CONF_POLICY_MAX_BYTES + 1)
#define NAME_MIN	 3
#define SEPARATOR	 0 /* marks a dropped character when splitting words */
#define REPLACEMENT_CHAR 0xfffd

struct folded {
	uint32_t c[FOLD_MAX];
	size_t n;
};

static pthread_once_t locale_once = PTHREAD_ONCE_INIT;
static locale_t utf8_locale;

/* ssprd never calls setlocale: a private C.UTF-8 locale gives Unicode case
 * mapping and classes without changing how anything else behaves. */
static void locale_init(void)
{
	utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

static locale_t loc(void)
{
	pthread_once(&locale_once, locale_init);
	return utf8_locale;
}

size_t utf8_length(const char *s)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p & 0xc0) != 0x80)
			n++;
	return n;
}

/* Next code point of s; an invalid byte (a GECOS field may be Latin-1)
 * counts as one character of its own. */
static uint32_t next_cp(const unsigned char **p)
{
	const unsigned char *s = *p;
	uint32_t c = s[0];
	size_t len = c < 0x80		  ? 1
		     : (c & 0xe0) == 0xc0 ? 2
		     : (c & 0xf0) == 0xe0 ? 3
		     : (c & 0xf8) == 0xf0 ? 4
					  : 0;
	if (len <= 1) {
		*p = s + 1;
		return len == 1 ? c : REPLACEMENT_CHAR;
	}
	c &= 0x7fu >> len;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*p = s + 1;
			return REPLACEMENT_CHAR;
		}
		c = c << 6 | (s[i] & 0x3f);
	}
	*p = s + len;
	return c;
}

static bool is_alnum(uint32_t c)
{
	locale_t l = loc();
	if (l)
		return iswalnum_l((wint_t)c, l);
	/* Without the locale every non-ASCII character counts as a letter. */
	return c >= 0x80 || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

static uint32_t lower(uint32_t c)
{
	locale_t l = loc();
	if (l)
		return (uint32_t)towlower_l((wint_t)c, l);
	return (c >= 'A' && c <= 'Z') ? c + 0x20 : c;
}

/* Lowercase letters and digits of s[0, len); anything else is dropped, or
 * kept as SEPARATOR when words are wanted. */
static void fold(const char *s, size_t len, bool keep_separators, struct folded *out)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	out->n = 0;
	while (p < end && *p && out->n < FOLD_MAX) {
		uint32_t c = next_cp(&p);
		if (is_alnum(c))
			out->c[out->n++] = lower(c);
		else if (keep_separators)
			out->c[out->n++] = SEPARATOR;
	}
}

static bool contains(const struct folded *hay, const uint32_t *needle, size_t n)
{
	if (n < NAME_MIN || n > hay->n)
		return false;
	for (size_t i = 0; i + n <= hay->n; i++)
		if (memcmp(hay->c + i, needle, n * sizeof(*needle)) == 0)
			return true;
	return false;
}

/* Any word of s[0, len) in the password? */
static bool contains_word(const struct folded *hay, const char *s, size_t len)
{
	struct folded words;
	fold(s, len, true, &words);
	size_t start = 0;
	for (size_t i = 0; i <= words.n; i++) {
		if (i < words.n && words.c[i] != SEPARATOR)
			continue;
		if (contains(hay, words.c + start, i - start))
			return true;
		start = i + 1;
	}
	return false;
}

static bool contains_whole(const struct folded *hay, const char *s, size_t len)
{
	struct folded name;
	fold(s, len, false, &name);
	return contains(hay, name.c, name.n);
}

enum policy_name policy_find_name(const char *user, const char *gecos, const char *organisation,
				  const char *password)
{
	struct folded *hay = malloc(sizeof(*hay));
	enum policy_name found = POLICY_NAME_NONE;
	if (!hay)
		return POLICY_NAME_NONE;
	fold(password, strlen(password), false, hay);
	if (user && contains_whole(hay, user, strlen(user)))
		found = POLICY_NAME_USER;
	if (!found && gecos && contains_word(hay, gecos, strcspn(gecos, ",")))
		found = POLICY_NAME_REAL;
	for (const char *o = organisation; !found && o && *o;) {
		size_t len = strcspn(o, ",");
		if (contains_whole(hay, o, len))
			found = POLICY_NAME_ORGANISATION;
		o += len + (o[len] == ',');
	}
	secure_zero(hay, sizeof(*hay));
	free(hay);
	return found;
}

unsigned policy_classes(const char *password)
{
	bool lowercase = false, uppercase = false, digit = false, other = false;
	locale_t l = loc();
	const unsigned char *p = (const unsigned char *)password;
	while (*p) {
		uint32_t c = next_cp(&p);
		if (l ? iswlower_l((wint_t)c, l) : (c >= 'a' && c <= 'z'))
			lowercase = true;
		else if (l ? iswupper_l((wint_t)c, l) : (c >= 'A' && c <= 'Z'))
			uppercase = true;
		else if (c >= '0' && c <= '9')
			digit = true;
		else
			other = true;
	}
	return (unsigned)lowercase + uppercase + digit + other;
}
