/*
 * Looking a password up in a breached-password list: a text file of SHA-1
 * digests as Have I Been Pwned publishes them, one per line, 40 hex digits
 * (uppercase), optionally followed by ":count", LF or CRLF line ends, sorted
 * by digest. The file is never loaded: it is searched in place with a few
 * bounded reads (interpolation on the digest, which is uniform, falling back
 * to bisection), so a list of hundreds of millions of lines costs a few
 * disk reads per check.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ssprd/sha1.h"

/* Bytes read per probe; a line longer than this is malformed. */
#define BREACHED_WINDOW 4096
/* A sorted file needs about 3 log2(size / window) probes at worst. */
#define BREACHED_MAX_PROBES 128

struct breached_stats {
	unsigned probes; /* reads of the file */
	size_t bytes;	 /* bytes read */
};

/* Search the open list fd of size bytes for digest. 0 and *found; -EBADMSG
 * when a line we read is malformed or out of order (an unsorted file is
 * detected where it is read, never searched forever); -errno when reading
 * fails. stats may be NULL. */
int breached_search_fd(int fd, uint64_t size, const uint8_t digest[SHA1_DIGEST_SIZE], bool *found,
		       struct breached_stats *stats);

/* Open the list at path and look up the SHA-1 of password. */
int breached_check(const char *path, const char *password, bool *found,
		   struct breached_stats *stats);
