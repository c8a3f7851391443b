/* Does a password match a stored crypt(5) string, lock marks and all: for
 * the password history (ours and pam_pwhistory's opasswd). */
#pragma once

#include <stdbool.h>

/* The hash behind lock marks ("!"), or NULL for an entry that holds no
 * password ("*", "", "!" alone). */
const char *pwmatch_usable(const char *hash);

/* Verify inside a CPU slot (cpuslot.h): the hashes are memory-hard. */
bool pwmatch(const char *password, const char *hash);
