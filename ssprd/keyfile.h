/* The secret key that hashes codes: state_dir/code.key, 32 random bytes,
 * made on first start, mode 0600. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define KEYFILE_NAME "code.key"

int keyfile_load_or_create(const char *state_dir, uint8_t *key, size_t keylen);

/* A key of exactly keylen bytes from path (e.g. [ldap] site_key_file,
 * shared by every host): a regular file, not readable by group or others.
 * 0, or negative errno (-EPERM for a bad mode, -EINVAL for a wrong size);
 * key is wiped on failure. */
int keyfile_load(const char *path, uint8_t *key, size_t keylen);
