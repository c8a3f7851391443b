/* Authenticator apps: RFC 6238 TOTP through liboath. The shared secret is
 * kept sealed (XSalsa20-Poly1305) under a subkey of the code key, so a copy
 * of the database alone does not yield working codes. */
#include "ssprd/totp.h"

#include <errno.h>
#include <oath.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"

#define TOTP_KDF_ID	 1
#define TOTP_KDF_CONTEXT "ssprtotp"
#define SEALED_LEN	 (crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + TOTP_SECRET_SIZE)
/* Base32 of the secret: 20 bytes are exactly 32 characters, no padding. */
#define B32_LEN ((TOTP_SECRET_SIZE * 8 + 4) / 5)

_Static_assert(SEALED_LEN <= STORE_TOTP_SEALED_MAX, "sealed TOTP secret does not fit the store");
_Static_assert(crypto_kdf_KEYBYTES == CODE_KEY_SIZE, "code key is not a KDF key");

static const char b32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

static pthread_once_t oath_once = PTHREAD_ONCE_INIT;
static int oath_init_rc = OATH_OK;

static void oath_init_once(void)
{
	oath_init_rc = oath_init();
}

static int oath_ready(void)
{
	pthread_once(&oath_once, oath_init_once);
	if (oath_init_rc != OATH_OK) {
		log_error("totp: liboath: %s", oath_strerror(oath_init_rc));
		return -EIO;
	}
	return 0;
}

static void subkey(const uint8_t key[CODE_KEY_SIZE], uint8_t out[crypto_secretbox_KEYBYTES])
{
	crypto_kdf_derive_from_key(out, crypto_secretbox_KEYBYTES, TOTP_KDF_ID, TOTP_KDF_CONTEXT,
				   key);
}

static void base32_encode(const uint8_t *in, size_t len, char *out)
{
	unsigned acc = 0, bits = 0;
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[o++] = b32_alphabet[(acc >> bits) & 31];
		}
	}
	if (bits > 0)
		out[o++] = b32_alphabet[(acc << (5 - bits)) & 31];
	out[o] = '\0';
	secure_zero(&acc, sizeof(acc));
}

int totp_base32_decode(const char *in, uint8_t *out, size_t outsz, size_t *len)
{
	unsigned acc = 0, bits = 0;
	size_t o = 0;
	int r = 0;
	bool padding = false;
	/* Apps and people write secrets in groups, lower case, with '='. */
	for (const char *p = in; *p; p++) {
		char c = *p;
		if (c == ' ' || c == '-')
			continue;
		if (c == '=') {
			padding = true;
			continue;
		}
		const char *pos = strchr(b32_alphabet, c >= 'a' && c <= 'z' ? c - 32 : c);
		if (!pos || padding) {
			r = -EINVAL;
			goto out;
		}
		acc = (acc << 5) | (unsigned)(pos - b32_alphabet);
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			if (o == outsz) {
				r = -ENOBUFS;
				goto out;
			}
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	*len = o;
out:
	secure_zero(&acc, sizeof(acc));
	if (r < 0)
		secure_zero(out, o);
	return r;
}

/* RFC 3986 unreserved characters stay, everything else is %XX. */
static int percent_encode(const char *in, char *out, size_t outsz, size_t *pos)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
		bool plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
			     (*p >= '0' && *p <= '9') || strchr("-._~", *p);
		size_t need = plain ? 1 : 3;
		if (*pos + need >= outsz)
			return -ENOBUFS;
		if (plain) {
			out[(*pos)++] = (char)*p;
		} else {
			out[(*pos)++] = '%';
			out[(*pos)++] = hex[*p >> 4];
			out[(*pos)++] = hex[*p & 15];
		}
	}
	out[*pos] = '\0';
	return 0;
}

static int append(char *out, size_t outsz, size_t *pos, const char *s)
{
	size_t l = strlen(s);
	if (*pos + l >= outsz)
		return -ENOBUFS;
	memcpy(out + *pos, s, l + 1);
	*pos += l;
	return 0;
}

static int build_uri(const char *issuer, const char *user, const char *b32, char *out, size_t outsz)
{
	size_t pos = 0;
	int r = append(out, outsz, &pos, "otpauth://totp/");
	if (r == 0)
		r = percent_encode(issuer, out, outsz, &pos);
	if (r == 0)
		r = append(out, outsz, &pos, ":");
	if (r == 0)
		r = percent_encode(user, out, outsz, &pos);
	if (r == 0)
		r = append(out, outsz, &pos, "?secret=");
	if (r == 0)
		r = append(out, outsz, &pos, b32);
	if (r == 0)
		r = append(out, outsz, &pos, "&issuer=");
	if (r == 0)
		r = percent_encode(issuer, out, outsz, &pos);
	if (r == 0)
		r = append(out, outsz, &pos, "&algorithm=SHA1&digits=6&period=30");
	return r;
}

int totp_prepare(const char *issuer, const char *user, uint8_t secret[TOTP_SECRET_SIZE],
		 char *base32_out, size_t base32sz, char *uri_out, size_t urisz)
{
	char b32[B32_LEN + 1];
	if (!user || !*user || !issuer || !*issuer)
		return -EINVAL;
	if (base32sz < sizeof(b32))
		return -ENOBUFS;
	randombytes_buf(secret, TOTP_SECRET_SIZE);
	base32_encode(secret, TOTP_SECRET_SIZE, b32);
	int r = build_uri(issuer, user, b32, uri_out, urisz);
	if (r == 0) {
		memcpy(base32_out, b32, sizeof(b32));
	} else {
		secure_zero(secret, TOTP_SECRET_SIZE);
		if (urisz > 0)
			secure_zero(uri_out, urisz);
	}
	secure_zero(b32, sizeof(b32));
	return r;
}

/* Seal and store under the store lock; step > 0 is recorded as used in the
 * same locked section, so no check can slip in between. */
static int seal_and_store(struct store *s, const uint8_t key[CODE_KEY_SIZE], const char *user,
			  const uint8_t secret[TOTP_SECRET_SIZE], int64_t step, int64_t now)
{
	uint8_t k[crypto_secretbox_KEYBYTES], sealed[SEALED_LEN];
	subkey(key, k);
	randombytes_buf(sealed, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(sealed + crypto_secretbox_NONCEBYTES, secret, TOTP_SECRET_SIZE,
			      sealed, k);
	secure_zero(k, sizeof(k));
	store_lock(s);
	int r = store_totp_set(s, user, sealed, sizeof(sealed), now);
	if (r == 0 && step > 0) {
		r = store_totp_use_step(s, user, step);
		/* A secret whose confirming code could be replayed is not
		 * kept: fail closed. */
		if (r < 0 && store_totp_delete(s, user) < 0)
			log_error("totp: could not remove the half-saved secret of %s", user);
	}
	store_unlock(s);
	return r;
}

int totp_enroll(struct store *s, const uint8_t key[CODE_KEY_SIZE], const char *user,
		const char *issuer, char *base32_out, size_t base32sz, char *uri_out, size_t urisz,
		int64_t now)
{
	uint8_t secret[TOTP_SECRET_SIZE];
	int r = totp_prepare(issuer, user, secret, base32_out, base32sz, uri_out, urisz);
	if (r < 0)
		return r;
	r = seal_and_store(s, key, user, secret, 0, now);
	if (r < 0) {
		secure_zero(base32_out, base32sz);
		if (urisz > 0)
			secure_zero(uri_out, urisz);
	}
	secure_zero(secret, sizeof(secret));
	return r;
}

int totp_save(struct store *s, const uint8_t key[CODE_KEY_SIZE], const char *user,
	      const uint8_t *secret, size_t len, int64_t accepted_step, int64_t now)
{
	if (len != TOTP_SECRET_SIZE || !user || !*user)
		return -EINVAL;
	return seal_and_store(s, key, user, secret, accepted_step, now);
}

/* Digits only, spaces ignored, exactly TOTP_DIGITS of them. */
static bool typed_digits(const char *typed, char out[TOTP_DIGITS + 1])
{
	size_t n = 0;
	for (const char *p = typed; *p; p++) {
		if (*p == ' ')
			continue;
		if (*p < '0' || *p > '9' || n == TOTP_DIGITS)
			return false;
		out[n++] = *p;
	}
	out[n] = '\0';
	return n == TOTP_DIGITS;
}

/* liboath compares with strcmp by default; a constant-time compare does not
 * tell how many leading digits were right. */
static int otp_cmp(void *handle, const char *candidate)
{
	return sodium_memcmp(handle, candidate, TOTP_DIGITS) != 0;
}

static int unseal(const uint8_t key[CODE_KEY_SIZE], const struct store_totp *t,
		  uint8_t secret[TOTP_SECRET_SIZE])
{
	uint8_t k[crypto_secretbox_KEYBYTES];
	int r = 0;
	if (t->sealed_len != SEALED_LEN)
		return -EBADMSG;
	subkey(key, k);
	if (crypto_secretbox_open_easy(secret, t->sealed + crypto_secretbox_NONCEBYTES,
				       SEALED_LEN - crypto_secretbox_NONCEBYTES, t->sealed, k) != 0)
		r = -EBADMSG;
	secure_zero(k, sizeof(k));
	return r;
}

int totp_check(struct store *s, const uint8_t key[CODE_KEY_SIZE], const char *user,
	       const char *typed, int64_t now, enum totp_result *result)
{
	struct store_totp t;
	uint8_t secret[TOTP_SECRET_SIZE];
	char digits[TOTP_DIGITS + 1];
	int pos = 0;
	uint64_t step = 0;
	int r = oath_ready();
	if (r < 0)
		return r;
	*result = TOTP_WRONG;
	/* The lock spans the check and the step update: two dialogues typing
	 * the same code at once cannot both pass. */
	store_lock(s);
	r = store_totp_get(s, user, &t);
	if (r == -ENOENT) {
		*result = TOTP_MISSING;
		r = 0;
		goto out;
	}
	if (r < 0)
		goto out;
	if (!typed_digits(typed, digits))
		goto out;
	r = unseal(key, &t, secret);
	if (r < 0) {
		/* Wrong code key or a damaged record: an admin must look. */
		log_error("totp: cannot unseal the secret of %s", user);
		goto out;
	}
	/* Window 1: the step before and after now, for clock drift. */
	int rc = oath_totp_validate3_callback((const char *)secret, sizeof(secret), (time_t)now,
					      TOTP_STEP, OATH_TOTP_DEFAULT_START_TIME, TOTP_DIGITS,
					      1, &pos, &step, otp_cmp, digits);
	if (rc == OATH_INVALID_OTP)
		goto out;
	if (rc < 0) {
		log_error("totp: liboath: %s", oath_strerror(rc));
		r = -EIO;
		goto out;
	}
	r = store_totp_use_step(s, user, (int64_t)step);
	if (r == -EALREADY) {
		*result = TOTP_REPLAY;
		r = 0;
	} else if (r == 0) {
		*result = TOTP_OK;
	}
out:
	store_unlock(s);
	secure_zero(&t, sizeof(t));
	secure_zero(secret, sizeof(secret));
	secure_zero(digits, sizeof(digits));
	return r;
}

int totp_check_secret(const uint8_t *secret, size_t len, const char *typed, int64_t now,
		      int64_t *step)
{
	char digits[TOTP_DIGITS + 1];
	int pos = 0;
	uint64_t matched = 0;
	int r = oath_ready();
	if (r < 0)
		return r;
	if (!typed_digits(typed, digits)) {
		r = -EACCES;
		goto out;
	}
	int rc = oath_totp_validate3_callback((const char *)secret, len, (time_t)now, TOTP_STEP,
					      OATH_TOTP_DEFAULT_START_TIME, TOTP_DIGITS, 1, &pos,
					      &matched, otp_cmp, digits);
	if (rc == OATH_INVALID_OTP) {
		r = -EACCES;
	} else if (rc < 0) {
		log_error("totp: liboath: %s", oath_strerror(rc));
		r = -EIO;
	} else {
		*step = (int64_t)matched;
	}
out:
	secure_zero(digits, sizeof(digits));
	return r;
}

int totp_generate(const uint8_t *secret, size_t len, int64_t now, char out[TOTP_DIGITS + 1])
{
	int r = oath_ready();
	if (r < 0)
		return r;
	int rc = oath_totp_generate((const char *)secret, len, (time_t)now, TOTP_STEP,
				    OATH_TOTP_DEFAULT_START_TIME, TOTP_DIGITS, out);
	if (rc != OATH_OK) {
		secure_zero(out, TOTP_DIGITS + 1);
		return -EINVAL;
	}
	return 0;
}
