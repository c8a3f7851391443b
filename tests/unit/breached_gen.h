/* Deterministic breached-password lists for the unit tests and `make
 * bench`: lines of "HEX40:count" in ascending order, spread like SHA-1
 * digests, with the real SHA-1 digests of chosen passwords merged in. The
 * generated digests are not digests of anything. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ssprd/sha1.h"

struct breached_gen {
	uint64_t lines; /* generated lines, besides the passwords */
	uint64_t seed;
	const char *const *passwords; /* their SHA-1 digests are merged in */
	size_t npasswords;
	/* Filled with the digests of nsample generated lines spread evenly
	 * from the first to the last (nsample >= 2), for lookups of lines
	 * that are present. May be NULL. */
	uint8_t (*sample)[SHA1_DIGEST_SIZE];
	size_t nsample;
	bool crlf; /* "\r\n" line ends, as some downloads have */
};

/* Write the list to path (created or truncated, mode 0644). 0 or -errno;
 * *bytes_out (may be NULL) gets the file size. */
int breached_gen_write(const char *path, const struct breached_gen *g, uint64_t *bytes_out);

/* Uppercase hex of a digest into out[41]. */
void breached_gen_hex(const uint8_t d[SHA1_DIGEST_SIZE], char out[2 * SHA1_DIGEST_SIZE + 1]);
