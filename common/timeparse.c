#include "common/timeparse.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

/* Exactly n digits at s. */
static bool digits(const char *s, size_t n, unsigned *out)
{
	unsigned v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return true;
}

static bool leap(unsigned y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian, y >= 1970):
 * computed here rather than with timegm, which would quietly normalise
 * an impossible date into a real one. */
static int64_t days_since_epoch(unsigned y, unsigned m, unsigned d)
{
	static const unsigned before[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
	int64_t days = 0;
	for (unsigned yy = 1970; yy < y; yy++)
		days += leap(yy) ? 366 : 365;
	days += before[m - 1] + (m > 2 && leap(y)) + (d - 1);
	return days;
}

static int parse_date(const char *s, int64_t *days)
{
	static const unsigned mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	unsigned y, m, d;
	if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m) || s[7] != '-' ||
	    !digits(s + 8, 2, &d))
		return -EINVAL;
	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1] || (m == 2 && d == 29 && !leap(y)))
		return -EINVAL;
	if (y < 1970)
		return -ERANGE;
	*days = days_since_epoch(y, m, d);
	return 0;
}

/* A span back from now: digits and one unit letter. */
static int parse_relative(const char *spec, size_t len, int64_t now, int64_t *out)
{
	int64_t unit;
	switch (spec[len - 1]) {
	case 'w':
		unit = 7 * 86400;
		break;
	case 'd':
		unit = 86400;
		break;
	case 'h':
		unit = 3600;
		break;
	default:
		return -EINVAL;
	}
	if (len < 2)
		return -EINVAL;
	int64_t n = 0;
	bool too_far = false;
	for (size_t i = 0; i + 1 < len; i++) {
		if (spec[i] < '0' || spec[i] > '9')
			return -EINVAL;
		n = n * 10 + (spec[i] - '0');
		/* Stop counting before n can overflow; keep checking the form. */
		if (n > now / unit) {
			too_far = true;
			n = 0;
		}
	}
	if (too_far)
		return -ERANGE;
	*out = now - n * unit;
	return 0;
}

int timeparse_since(const char *spec, int64_t now, int64_t *out)
{
	size_t len = spec ? strlen(spec) : 0;
	int64_t days;
	unsigned hh, mm, ss;
	int r;
	if (len == 0)
		return -EINVAL;
	if (strspn(spec, "0123456789") == len) {
		/* Unix seconds: twelve digits reach past TIMEPARSE_MAX. */
		if (len > 12)
			return -ERANGE;
		int64_t t = 0;
		for (size_t i = 0; i < len; i++)
			t = t * 10 + (spec[i] - '0');
		if (t > TIMEPARSE_MAX)
			return -ERANGE;
		*out = t;
		return 0;
	}
	if (len == 10 || len == 20) {
		if ((r = parse_date(spec, &days)) < 0)
			return r;
		if (len == 10) {
			*out = days * 86400;
			return 0;
		}
		if ((spec[10] != 'T' && spec[10] != 't') || !digits(spec + 11, 2, &hh) ||
		    spec[13] != ':' || !digits(spec + 14, 2, &mm) || spec[16] != ':' ||
		    !digits(spec + 17, 2, &ss) || (spec[19] != 'Z' && spec[19] != 'z'))
			return -EINVAL;
		if (hh > 23 || mm > 59 || ss > 59)
			return -EINVAL;
		*out = days * 86400 + hh * 3600 + mm * 60 + ss;
		return 0;
	}
	return parse_relative(spec, len, now, out);
}

int timeparse_iso(int64_t t, char out[TIMEPARSE_ISO_SIZE])
{
	struct tm tm;
	time_t tt = (time_t)t;
	if (t < 0 || t > TIMEPARSE_MAX || !gmtime_r(&tt, &tm))
		return -ERANGE;
	if (strftime(out, TIMEPARSE_ISO_SIZE, "%Y-%m-%dT%H:%M:%SZ", &tm) != TIMEPARSE_ISO_SIZE - 1)
		return -ERANGE;
	return 0;
}
