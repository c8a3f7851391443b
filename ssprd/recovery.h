/* Recovery codes: ten one-time codes issued at once, stored as keyed
 * BLAKE2b hashes (they carry 50 bits of entropy each, so a fast keyed hash
 * is enough), each usable once. */
#pragma once

#include <stdint.h>

#include "ssprd/code.h"
#include "ssprd/store.h"

#define RECOVERY_COUNT	  10
#define RECOVERY_CODE_LEN 11 /* "xxxxx-xxxxx" from an unambiguous alphabet */

/* Issue a fresh set, replacing any old one. out gets RECOVERY_COUNT codes
 * (secrets: wipe them). */
int recovery_issue(struct store *s, const uint8_t key[CODE_KEY_SIZE], const char *user,
		   char out[RECOVERY_COUNT][RECOVERY_CODE_LEN + 1], int64_t now);

/* Use a typed code (case, spaces and dashes ignored). 0 accepted (now
 * spent), -EACCES wrong or already used. */
int recovery_use(struct store *s, const uint8_t key[CODE_KEY_SIZE], const char *user,
		 const char *typed, int64_t now);
