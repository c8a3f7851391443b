#include "ssprd/code.h"

#include <errno.h>
#include <sodium.h>
#include <string.h>

#include "common/util.h"

/* Domain separation and NUL separators keep (user, method) pairs from
 * colliding ("ab"+"c" vs "a"+"bc"). */
static void code_hash(const uint8_t key[CODE_KEY_SIZE], const char *user, const char *method,
		      const uint8_t request[STORE_REQUEST_SIZE], const char *code,
		      uint8_t out[STORE_HASH_SIZE])
{
	static const char tag[] = "sspr-code-v1";
	crypto_generichash_state st;
	crypto_generichash_init(&st, key, CODE_KEY_SIZE, STORE_HASH_SIZE);
	crypto_generichash_update(&st, (const uint8_t *)tag, sizeof(tag));
	crypto_generichash_update(&st, (const uint8_t *)user, strlen(user) + 1);
	crypto_generichash_update(&st, (const uint8_t *)method, strlen(method) + 1);
	crypto_generichash_update(&st, request, STORE_REQUEST_SIZE);
	crypto_generichash_update(&st, (const uint8_t *)code, CODE_DIGITS);
	crypto_generichash_final(&st, out, STORE_HASH_SIZE);
	sodium_memzero(&st, sizeof(st));
}

int code_issue(struct store *s, const uint8_t key[CODE_KEY_SIZE], const char *user,
	       const char *method, const uint8_t request[STORE_REQUEST_SIZE], unsigned ttl,
	       int64_t now, char out[CODE_DIGITS + 1])
{
	struct store_code c = {.expires = now + ttl, .attempts = 0};
	for (int i = 0; i < CODE_DIGITS; i++)
		out[i] = (char)('0' + randombytes_uniform(10));
	out[CODE_DIGITS] = '\0';
	memcpy(c.request, request, STORE_REQUEST_SIZE);
	code_hash(key, user, method, request, out, c.hash);
	/* A resend keeps the wrong tries of the live code it replaces, or
	 * asking again would reset the count. */
	struct store_code old;
	store_lock(s);
	int r = store_code_get(s, user, method, &old);
	if (r == 0 && now < old.expires)
		c.attempts = old.attempts;
	if (r == 0 || r == -ENOENT)
		r = store_code_put(s, user, method, &c);
	store_unlock(s);
	sodium_memzero(&old, sizeof(old));
	sodium_memzero(&c, sizeof(c));
	if (r < 0)
		sodium_memzero(out, CODE_DIGITS + 1);
	return r;
}

/* Users paste codes with spaces ("123 456"); anything but digits and spaces,
 * or a wrong count, is simply a wrong code. */
static bool normalize(const char *typed, char digits[CODE_DIGITS + 1])
{
	size_t n = 0;
	for (const char *p = typed; *p; p++) {
		if (*p == ' ' || *p == '-')
			continue;
		if (*p < '0' || *p > '9' || n == CODE_DIGITS)
			return false;
		digits[n++] = *p;
	}
	digits[n] = '\0';
	return n == CODE_DIGITS;
}

int code_check(struct store *s, const uint8_t key[CODE_KEY_SIZE], const char *user,
	       const char *method, const uint8_t request[STORE_REQUEST_SIZE], const char *typed,
	       unsigned max_attempts, int64_t now, enum code_result *result, unsigned *left)
{
	struct store_code c;
	uint8_t h[STORE_HASH_SIZE];
	char digits[CODE_DIGITS + 1] = "";
	*left = 0;
	/* The lock spans read and update, so two concurrent tries of one code
	 * cannot both win or both count as the same attempt. */
	store_lock(s);
	int r = store_code_get(s, user, method, &c);
	if (r == -ENOENT || (r == 0 && sodium_memcmp(c.request, request, STORE_REQUEST_SIZE))) {
		*result = CODE_MISSING;
		r = 0;
		goto out;
	}
	if (r < 0)
		goto out;
	if (now >= c.expires) {
		*result = CODE_EXPIRED;
		r = store_code_delete(s, user, method);
		goto out;
	}
	if (c.attempts >= max_attempts) {
		*result = CODE_EXHAUSTED;
		r = store_code_delete(s, user, method);
		goto out;
	}
	bool well_formed = normalize(typed, digits);
	if (well_formed)
		code_hash(key, user, method, request, digits, h);
	if (well_formed && sodium_memcmp(h, c.hash, STORE_HASH_SIZE) == 0) {
		*result = CODE_OK;
		r = store_code_delete(s, user, method);
		goto out;
	}
	c.attempts++;
	if (c.attempts >= max_attempts) {
		*result = CODE_EXHAUSTED;
		r = store_code_delete(s, user, method);
	} else {
		*result = CODE_WRONG;
		*left = max_attempts - c.attempts;
		r = store_code_set_attempts(s, user, method, c.attempts);
	}
out:
	store_unlock(s);
	sodium_memzero(&c, sizeof(c));
	sodium_memzero(h, sizeof(h));
	sodium_memzero(digits, sizeof(digits));
	return r;
}
