#include "common/phone.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

bool phone_valid(const char *n)
{
	if (!n || n[0] != '+' || n[1] < '1' || n[1] > '9')
		return false;
	size_t len = strlen(n + 1);
	if (len < 8 || len > PHONE_MAX - 1)
		return false;
	return strspn(n + 1, "0123456789") == len;
}

int phone_normalize(const char *in, char out[PHONE_MAX + 1])
{
	size_t o = 0;
	for (const char *p = in; *p; p++) {
		if (*p == ' ' || *p == '-' || *p == '.' || *p == '(' || *p == ')')
			continue;
		if (o >= PHONE_MAX)
			return -EINVAL;
		out[o++] = *p;
	}
	out[o] = '\0';
	return phone_valid(out) ? 0 : -EINVAL;
}

/* ITU-T E.164 assigned codes: "1" and "7" are one digit; these two-digit
 * codes exist; every other code has three digits. */
size_t phone_country_code_len(const char *d)
{
	static const char *const two[] = {"20", "27", "30", "31", "32", "33", "34", "36", "39",
					  "40", "41", "43", "44", "45", "46", "47", "48", "49",
					  "51", "52", "53", "54", "55", "56", "57", "58", "60",
					  "61", "62", "63", "64", "65", "66", "81", "82", "84",
					  "86", "90", "91", "92", "93", "94", "95", "98"};
	if (d[0] == '1' || d[0] == '7')
		return 1;
	for (size_t i = 0; i < sizeof(two) / sizeof(two[0]); i++)
		if (strncmp(d, two[i], 2) == 0)
			return 2;
	return 3;
}

int phone_mask(const char *n, char *out, size_t outsz)
{
	if (!phone_valid(n))
		return -EINVAL;
	const char *d = n + 1;
	size_t cc = phone_country_code_len(d), len = strlen(d);
	size_t rest = len - cc, o = 0;
	char buf[64];
	buf[o++] = '+';
	memcpy(buf + o, d, cc);
	o += cc;
	/* Groups of three from the left; the last group takes what remains. */
	for (size_t i = 0; i < rest; i++) {
		if (i % 3 == 0 && rest - i >= 3)
			buf[o++] = ' ';
		buf[o++] = i + 2 >= rest ? d[cc + i] : '*';
	}
	buf[o] = '\0';
	if (o + 1 > outsz)
		return -ENOBUFS;
	memcpy(out, buf, o + 1);
	return 0;
}

bool phone_prefix_allowed(const char *n, char *const *prefixes)
{
	if (!prefixes[0])
		return true;
	for (size_t i = 0; prefixes[i]; i++)
		if (strncmp(n, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	return false;
}
