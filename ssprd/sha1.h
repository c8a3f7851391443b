/* SHA-1 (OpenSSL libcrypto), only to look passwords up in breached-password lists,
 * which are published as SHA-1 digests. Not for anything needing collision
 * resistance. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define SHA1_DIGEST_SIZE 20

/* The digest of len bytes at data. -EIO when libcrypto cannot make it (a
 * provider without SHA-1): callers must then fail closed. */
int sha1(const void *data, size_t len, uint8_t out[SHA1_DIGEST_SIZE]);
