/* Authenticator apps (RFC 6238 with liboath): 30 s steps, one step of
 * drift either way, each step accepted once. Secrets are sealed in the
 * store with a key derived from ssprd's code key. */
#pragma once

#include <stddef.h>
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

/* sspr register: a new secret that is not stored until the user's app has
 * shown it works. secret gets TOTP_SECRET_SIZE random bytes, base32_out
 * and uri_out as for totp_enroll (all three secrets: wipe them). */
int totp_prepare(const char *issuer, const char *user, uint8_t secret[TOTP_SECRET_SIZE],
		 char *base32_out, size_t base32sz, char *uri_out, size_t urisz);
/* Check typed against a secret held in memory: 0 and *step the matching
 * time step (one step of drift either way), -EACCES for a wrong code. */
int totp_check_secret(const uint8_t *secret, size_t len, const char *typed, int64_t now,
		      int64_t *step);
/* Seal secret into the store as user's authenticator, replacing any, with
 * accepted_step recorded as used: the code that confirmed the app cannot
 * pass a reset afterwards. */
int totp_save(struct store *s, const uint8_t key[CODE_KEY_SIZE], const char *user,
	      const uint8_t *secret, size_t len, int64_t accepted_step, int64_t now);

/* Check typed (6 digits) at unix time now. */
int totp_check(struct store *s, const uint8_t key[CODE_KEY_SIZE], const char *user,
	       const char *typed, int64_t now, enum totp_result *result);

/* The code for the secret at time now: for tests (out: 6 digits + NUL). */
int totp_generate(const uint8_t *secret, size_t len, int64_t now, char out[TOTP_DIGITS + 1]);
/* Decode base32 (as shown to the user) into bytes: for tests and tools. */
int totp_base32_decode(const char *in, uint8_t *out, size_t outsz, size_t *len);
