/* Small helpers shared by every sspr component. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define _cleanup_(f) __attribute__((cleanup(f)))

/* Wipe memory in a way the compiler may not elide (explicit_bzero, so the
 * PAM module needs no libsodium in every login process). */
void secure_zero(void *p, size_t n);

/* Wipe and free a NUL-terminated secret; NULL-safe. */
void secret_free(char *s);

/* Bounded strdup: -E2BIG when s is longer than max bytes, -ENOMEM. */
int strdup_bounded(const char *s, size_t max, char **out);

/* Read a whole small file (at most max bytes, else -EFBIG) into a
 * NUL-terminated buffer. O_CLOEXEC|O_NOFOLLOW is not used: config paths may be
 * links. Returns 0 or negative errno. */
int read_small_file(const char *path, size_t max, char **out, size_t *len_out);

/* Same, for a secret (password file): trailing newline stripped, refuses a
 * file that others can read (-EPERM). The caller frees with secret_free. */
int read_secret_file(const char *path, size_t max, char **out);

/* Monotonic clock in milliseconds. */
int64_t now_ms(void);

/* Valid UTF-8 of at most max bytes, no NUL, no C0 controls other than
 * those in allow (e.g. "\n"), no DEL or C1 controls. */
bool utf8_text_valid(const char *s, size_t len, size_t max, const char *allow);

/* Cleanup helpers for _cleanup_. */
void freep(void *p);
void closep(int *fd);
void secret_freep(char **s);
