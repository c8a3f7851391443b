/*
 * libFuzzer target: the validators every user-supplied identifier goes
 * through (common/validate.c, common/phone.c, utf8_text_valid in
 * common/util.c) and the time parser of ssprctl audit --since
 * (common/timeparse.c).
 *
 * The input, cut at its first NUL, is the string each function sees; the
 * raw bytes (NULs included) go to utf8_text_valid. Invariants: what a
 * validator accepts has the documented shape, masks and normal forms are
 * themselves valid, and a parsed time prints and parses back to itself.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/phone.h"
#include "common/timeparse.h"
#include "common/util.h"
#include "common/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz/validate.c:%d: invariant failed: %s\n", __LINE__,    \
				#cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static bool printable_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

static void fuzz_email(const char *s)
{
	bool valid = email_valid(s);
	if (valid) {
		size_t len = strlen(s);
		CHECK(len > 0 && len <= EMAIL_MAX && printable_ascii(s));
		CHECK(strchr(s, '@') == strrchr(s, '@'));
		CHECK(!strpbrk(s, "<>\"(),;:\\[]"));
		CHECK(sender_valid(s));
	}
	char out[EMAIL_MAX + 16];
	int r = email_mask(s, out, sizeof(out));
	CHECK(valid ? r == 0 : r == -EINVAL);
	if (r == 0)
		CHECK(strstr(out, "***@") && printable_ascii(out));
	char tiny[6];
	r = email_mask(s, tiny, sizeof(tiny));
	CHECK(r == (valid ? -ENOBUFS : -EINVAL));
	if (sender_valid(s))
		CHECK(printable_ascii(s) && strchr(s, '@'));
}

static void fuzz_phone(const char *s)
{
	bool valid = phone_valid(s);
	if (valid) {
		size_t len = strlen(s);
		CHECK(len >= 9 && len <= PHONE_MAX && s[0] == '+');
		CHECK(strspn(s + 1, "0123456789") == len - 1 && s[1] != '0');
		CHECK(phone_country_code_len(s + 1) >= 1 && phone_country_code_len(s + 1) <= 3);
	}
	char norm[PHONE_MAX + 1];
	int r = phone_normalize(s, norm);
	CHECK(r == 0 || r == -EINVAL);
	if (r == 0) {
		CHECK(phone_valid(norm));
		char again[PHONE_MAX + 1];
		CHECK(phone_normalize(norm, again) == 0 && strcmp(norm, again) == 0);
	}
	if (valid)
		CHECK(r == 0 && strcmp(norm, s) == 0);
	char mask[64];
	r = phone_mask(s, mask, sizeof(mask));
	CHECK(valid ? r == 0 : r == -EINVAL);
	if (r == 0) {
		CHECK(mask[0] == '+' && strchr(mask, '*'));
		/* The last two digits stay, and no more than those and the country code. */
		size_t digits = 0;
		for (const char *p = mask; *p; p++)
			digits += *p >= '0' && *p <= '9';
		CHECK(digits == phone_country_code_len(s + 1) + 2);
		char tiny[4];
		CHECK(phone_mask(s, tiny, sizeof(tiny)) == -ENOBUFS);
		char *const none[] = {NULL};
		char *const some[] = {"+1", "+44", "+8869", NULL};
		CHECK(phone_prefix_allowed(s, none));
		CHECK(phone_prefix_allowed(s, some) ==
		      (strncmp(s, "+1", 2) == 0 || strncmp(s, "+44", 3) == 0 ||
		       strncmp(s, "+8869", 5) == 0));
	}
}

static void fuzz_username(const char *s)
{
	if (!username_valid(s))
		return;
	size_t len = strlen(s);
	CHECK(len > 0 && len <= USERNAME_MAX && s[0] != '-');
	CHECK(strcmp(s, ".") != 0 && strcmp(s, "..") != 0);
	CHECK(!strchr(s, '/') && !strchr(s, ':') && printable_ascii(s));
	CHECK(strspn(s, "0123456789") != len);
}

static void fuzz_sanitize(const char *s)
{
	char out[64];
	sanitize_for_log(s, out, sizeof(out));
	CHECK(strlen(out) == (strlen(s) < sizeof(out) ? strlen(s) : sizeof(out) - 1));
	for (const char *p = out; *p; p++)
		CHECK((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f);
	char one[1] = {'x'};
	sanitize_for_log(s, one, sizeof(one));
	CHECK(one[0] == '\0');
}

static void fuzz_utf8(const uint8_t *data, size_t size)
{
	/* An exact-size copy: ASan sees any read past len. */
	char *raw = malloc(size ? size : 1);
	if (!raw)
		abort();
	memcpy(raw, data, size);
	bool any = utf8_text_valid(raw, size, size, "\n\t");
	bool strict = utf8_text_valid(raw, size, size, NULL);
	CHECK(!strict || any);
	if (any) {
		CHECK(!memchr(raw, '\0', size) && !memchr(raw, 0x7f, size));
		for (size_t i = 0; i < size; i++)
			CHECK((unsigned char)raw[i] >= 0x20 || raw[i] == '\n' || raw[i] == '\t');
	}
	if (size > 0)
		CHECK(!utf8_text_valid(raw, size, size - 1, "\n\t"));
	free(raw);
}

static void fuzz_time(const char *s)
{
	static const int64_t nows[] = {0, 1764000000, TIMEPARSE_MAX, INT64_MAX};
	for (size_t i = 0; i < sizeof(nows) / sizeof(nows[0]); i++) {
		int64_t t = -1;
		int r = timeparse_since(s, nows[i], &t);
		CHECK(r == 0 || r == -EINVAL || r == -ERANGE);
		if (r < 0)
			continue;
		CHECK(t >= 0);
		if (t > TIMEPARSE_MAX) {
			/* Only a span back from a "now" beyond the range. */
			CHECK(nows[i] > TIMEPARSE_MAX);
			continue;
		}
		char iso[TIMEPARSE_ISO_SIZE];
		CHECK(timeparse_iso(t, iso) == 0);
		int64_t back = -1;
		CHECK(timeparse_since(iso, nows[i], &back) == 0 && back == t);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Up to the first NUL, terminated. */
	char *s = strndup((const char *)data, size);
	if (!s)
		abort();
	fuzz_email(s);
	fuzz_phone(s);
	fuzz_username(s);
	fuzz_sanitize(s);
	fuzz_time(s);
	fuzz_utf8(data, size);
	free(s);
	return 0;
}
