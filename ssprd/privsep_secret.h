/* Secret files (the SMTP password, the gateway's auth token) read once, as
 * root before ssprd splits: the engine, running as [daemon] user, may not
 * be able to read them. The copy lives in memory that is locked, kept out
 * of core dumps, read-only, and wiped when freed. */
#pragma once

#include <stddef.h>

struct privsep_secret {
	char *path;  /* the file it came from */
	char *value; /* NUL-terminated, trailing newline stripped */
};

/* Read path (read_secret_file rules, at most max bytes) into h, replacing
 * what h held. NULL path: h is emptied. 0 or negative errno (h empty). */
int privsep_secret_load(struct privsep_secret *h, const char *path, size_t max);

/* The value when h holds the file path, else NULL. */
const char *privsep_secret_get(const struct privsep_secret *h, const char *path);

/* Wipe and free; NULL-safe, leaves h empty. */
void privsep_secret_free(struct privsep_secret *h);
