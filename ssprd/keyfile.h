/* The secret key that hashes codes: state_dir/code.key, 32 random bytes,
 * made on first start, mode 0600. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define KEYFILE_NAME "code.key"

int keyfile_load_or_create(const char *state_dir, uint8_t *key, size_t keylen);
