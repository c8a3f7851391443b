/* Password hashing for the shadow backend (libxcrypt). */
#pragma once

#include "common/conf.h"

/* Where the system sets the hash cost, as passwd(1) reads it. */
#define PWHASH_LOGIN_DEFS "/etc/login.defs"

/* Hash password with method; cost from login_defs (YESCRYPT_COST_FACTOR or
 * SHA_CRYPT_MIN/MAX_ROUNDS) when that file exists and sets it, else the
 * library default. Never returns a failure token as a hash: 0 and *out set
 * (free with secret_free), or negative errno. */
int pwhash_make(enum hash_method method, const char *login_defs, const char *password, char **out);

/* 0 when password matches hash, -EACCES when not, -EINVAL for a hash crypt
 * cannot use. Compares in constant time. */
int pwhash_verify(const char *password, const char *hash);
