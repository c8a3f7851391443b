/* One-time codes: 6 digits from libsodium's uniform generator, stored only
 * as a keyed BLAKE2b hash bound to the user, the method and the dialogue's
 * request id. Single use; a newer code replaces an older one (keeping its
 * wrong tries); at most max_attempts wrong tries, after which the code is
 * gone; expires after ttl seconds. Checks are atomic (store_lock): of
 * concurrent tries of one code, one wins. */
#pragma once

#include <stdint.h>

#include "ssprd/store.h"

#define CODE_DIGITS   6
#define CODE_KEY_SIZE 32

enum code_result {
	CODE_OK,
	CODE_WRONG,	/* wrong code, tries left */
	CODE_EXPIRED,	/* past its lifetime (now deleted) */
	CODE_EXHAUSTED, /* too many wrong tries (now deleted) */
	CODE_MISSING,	/* no live code for this user, method and request */
};

/* Issue a code; out gets CODE_DIGITS digits and a NUL (a secret: wipe it).
 * It replaces the user's live code for method (which stops working) and
 * keeps that code's wrong tries: a resend does not reset the count. */
int code_issue(struct store *s, const uint8_t key[CODE_KEY_SIZE], const char *user,
	       const char *method, const uint8_t request[STORE_REQUEST_SIZE], unsigned ttl,
	       int64_t now, char out[CODE_DIGITS + 1]);

/* Check a typed code. *left gets the tries left after a CODE_WRONG. */
int code_check(struct store *s, const uint8_t key[CODE_KEY_SIZE], const char *user,
	       const char *method, const uint8_t request[STORE_REQUEST_SIZE], const char *typed,
	       unsigned max_attempts, int64_t now, enum code_result *result, unsigned *left);
