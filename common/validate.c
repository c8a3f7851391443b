#include "common/validate.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define EMAIL_LOCAL_MAX 64
#define DNS_LABEL_MAX	63

static bool is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* RFC 5322 atext. Spelled out rather than using isalnum()/ispunct(), which
 * depend on the locale and could let bytes >= 0x80 through. */
static bool is_atext(unsigned char c)
{
	return is_alpha(c) || is_digit(c) || (c != '\0' && strchr("!#$%&'*+/=?^_`{|}~-", c));
}

static bool local_part_valid(const char *s, size_t len)
{
	if (len == 0 || len > EMAIL_LOCAL_MAX || s[0] == '.' || s[len - 1] == '.')
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '.') {
			if (s[i + 1] == '.')
				return false;
			continue;
		}
		if (!is_atext(c))
			return false;
	}
	return true;
}

/* Returns the number of labels, 0 when the domain is not LDH. */
static size_t domain_labels(const char *s, size_t len)
{
	size_t labels = 0, start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && s[i] != '.') {
			unsigned char c = (unsigned char)s[i];
			if (!is_alpha(c) && !is_digit(c) && c != '-')
				return 0;
			continue;
		}
		size_t n = i - start;
		if (n == 0 || n > DNS_LABEL_MAX || s[start] == '-' || s[i - 1] == '-')
			return 0;
		labels++;
		start = i + 1;
	}
	return labels;
}

bool email_valid(const char *addr)
{
	if (!addr)
		return false;
	size_t len = strnlen(addr, EMAIL_MAX + 1);
	if (len == 0 || len > EMAIL_MAX)
		return false;
	const char *at = memchr(addr, '@', len);
	if (!at || memchr(at + 1, '@', len - (size_t)(at + 1 - addr)))
		return false;
	size_t local_len = (size_t)(at - addr);
	const char *domain = at + 1;
	size_t domain_len = len - local_len - 1;
	return local_part_valid(addr, local_len) && domain_labels(domain, domain_len) >= 2;
}

int email_mask(const char *addr, char *out, size_t outsz)
{
	if (!email_valid(addr))
		return -EINVAL;
	const char *at = strchr(addr, '@');
	/* email_valid guarantees at least two labels, so there is a dot. */
	const char *tld = strrchr(at, '.') + 1;
	if (!out || outsz == 0)
		return -ENOBUFS;
	int n = snprintf(out, outsz, "%c***@%c***.%s", addr[0], at[1], tld);
	if (n < 0 || (size_t)n >= outsz) {
		out[0] = '\0';
		return -ENOBUFS;
	}
	return 0;
}

bool username_valid(const char *name)
{
	if (!name)
		return false;
	size_t len = strnlen(name, USERNAME_MAX + 1);
	if (len == 0 || len > USERNAME_MAX || name[0] == '-')
		return false;
	/* "." and ".." would name directories if a login ever ends up in a
	 * path; an all-digit name is ambiguous with a UID in tools that accept
	 * either. Current shadow-utils refuses both. */
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return false;
	bool all_digits = true;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c == '$' && i == len - 1 && i > 0)
			continue;
		if (!is_alpha(c) && !is_digit(c) && c != '_' && c != '-' && c != '.')
			return false;
		if (!is_digit(c))
			all_digits = false;
	}
	return !all_digits;
}

void sanitize_for_log(const char *in, char *out, size_t outsz)
{
	if (!out || outsz == 0)
		return;
	size_t i = 0;
	if (in) {
		for (; i < outsz - 1 && in[i] != '\0'; i++) {
			unsigned char c = (unsigned char)in[i];
			out[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
		}
	}
	out[i] = '\0';
}

bool sender_valid(const char *addr)
{
	if (email_valid(addr))
		return true;
	const char *at = strrchr(addr, '@');
	if (!at || strcasecmp(at + 1, "localhost") != 0)
		return false;
	size_t local = (size_t)(at - addr);
	if (local == 0 || local > 64)
		return false;
	/* Same rules for the local part as any address. */
	char buf[96];
	snprintf(buf, sizeof(buf), "%.*s@localhost.localdomain", (int)local, addr);
	return email_valid(buf);
}

static bool ascii_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool ascii_alnum(char c)
{
	return ascii_alpha(c) || (c >= '0' && c <= '9');
}

bool language_name_valid(const char *lang)
{
	if (!lang || strlen(lang) > 15)
		return false;
	const char *p = lang;
	size_t n = 0;
	while (p[n] >= 'a' && p[n] <= 'z')
		n++;
	if (n < 2 || n > 3)
		return false;
	p += n;
	if (*p == '_') {
		p++;
		if (!(p[0] >= 'A' && p[0] <= 'Z' && p[1] >= 'A' && p[1] <= 'Z'))
			return false;
		p += 2;
	}
	if (*p == '@') {
		p++;
		if (!*p)
			return false;
		for (; *p; p++)
			if (!ascii_alnum(*p))
				return false;
	}
	return *p == '\0';
}

bool ldap_attr_name_valid(const char *name)
{
	if (!name || !ascii_alpha(name[0]) || strlen(name) > 64)
		return false;
	for (const char *p = name; *p; p++)
		if (!ascii_alnum(*p) && *p != '-')
			return false;
	return true;
}

bool ldap_filter_template_valid(const char *filter, size_t max)
{
	size_t len = filter ? strlen(filter) : 0;
	if (len < 2 || len > max || filter[0] != '(' || filter[len - 1] != ')')
		return false;
	int depth = 0;
	unsigned conversions = 0;
	for (const char *p = filter; *p; p++) {
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			return false;
		if (*p == '(')
			depth++;
		else if (*p == ')' && --depth < 0)
			return false;
		else if (*p == '%') {
			if (p[1] != 's')
				return false;
			conversions++;
			p++;
		}
		/* Only the outer pair may close at the end. */
		if (depth == 0 && p[1] != '\0')
			return false;
	}
	return depth == 0 && conversions == 1;
}
