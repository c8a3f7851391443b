/* Reading and rewriting a shadow(5) file the way pam_unix and shadow-utils
 * do: lock, same-directory temp file, owner and mode copied, only the
 * target entry's hash and last-change day rewritten, fsync, rename. */
#pragma once

#include <stdbool.h>

struct shadow_entry {
	char *name;
	char *hash;			    /* secret-ish: freed with secret_free */
	long lastchg;			    /* days since epoch, -1 when empty */
	long min, max, warn, inact, expire; /* -1 when empty */
};

/* Find user's entry in path. 0, -ENOENT when absent, -errno otherwise. */
int shadow_read_entry(const char *path, const char *user, struct shadow_entry *out);
void shadow_entry_clear(struct shadow_entry *e);

/* Replace user's hash and set lastchg to lastchg_day, under the lock:
 * lckpwdf() when path is /etc/shadow, else an fcntl lock on "<path>.lock".
 * The new file replaces the old one atomically; on any error the old file is
 * untouched and no temp file is left. -ENOENT when the user has no entry. */
int shadow_replace_hash(const char *path, const char *user, const char *new_hash, long lastchg_day);

/* For tests: make the next shadow_replace_hash fail just before rename. */
void shadow_test_fail_before_rename(bool on);
