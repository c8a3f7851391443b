/* Authenticator apps (RFC 6238 with liboath): 30 s steps, one step of
 * drift either way, each step accepted once. Secrets are sealed in the
 * store with a key derived from ssprd's code key. */
#pragma once

#include <stdint.h>

#include "ssprd/code.h"
#include "ssprd/store.h"

#define TOTP_SECRET_SIZE 20 /* bytes: 160 bits, as RFC 4226 recommends */
#define TOTP_DIGITS	 6
#define TOTP_STEP	 30

enum totp_result {
	TOTP_OK,
	TOTP_WRONG,
	TOTP_REPLAY,  /* right code, but its step was used already */
	TOTP_MISSING, /* no authenticator registered */
};

/* New random secret for user, sealed into the store. base32_out gets the
 * secret in base32 (for the otpauth URI; a secret: wipe it), uri_out the
 * otpauth://totp/ URI with issuer and account name. */
int totp_enroll(struct store *s, const uint8_t key[CODE_KEY_SIZE], const char *user,
		const char *issuer, char *base32_out, size_t base32sz, char *uri_out, size_t urisz,
		int64_t now);

/* Check typed (6 digits) at unix time now. */
int totp_check(struct store *s, const uint8_t key[CODE_KEY_SIZE], const char *user,
	       const char *typed, int64_t now, enum totp_result *result);

/* The code for the secret at time now: for tests (out: 6 digits + NUL). */
int totp_generate(const uint8_t *secret, size_t len, int64_t now, char out[TOTP_DIGITS + 1]);
/* Decode base32 (as shown to the user) into bytes: for tests and tools. */
int totp_base32_decode(const char *in, uint8_t *out, size_t outsz, size_t *len);
