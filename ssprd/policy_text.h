/* The text rules of the password policy: length in characters, kinds of
 * characters, and names a password must not contain. */
#pragma once

#include <stddef.h>

/* Characters (UTF-8 code points), not bytes. */
size_t utf8_length(const char *s);

/* How many of the four kinds a password mixes: lowercase letters, uppercase
 * letters, digits, anything else (Unicode-aware where the C.UTF-8 locale
 * exists, else ASCII). */
unsigned policy_classes(const char *password);

enum policy_name {
	POLICY_NAME_NONE,
	POLICY_NAME_USER,	  /* the login name */
	POLICY_NAME_REAL,	  /* a part of the real name in GECOS */
	POLICY_NAME_ORGANISATION, /* one of [policy] organisation */
};

/* Which name the password contains, if any. Comparison ignores letter case
 * (Unicode simple case folding with C.UTF-8, else ASCII) and everything but
 * letters and digits, in the password and in the names, so "C.Arol-2024"
 * contains "carol". Names shorter than 3 letters and digits are not
 * checked. gecos is the whole passwd field (its first comma-separated part
 * is the real name, split into words), organisation a comma-separated list
 * of names checked whole; either may be NULL. */
enum policy_name policy_find_name(const char *user, const char *gecos, const char *organisation,
				  const char *password);
