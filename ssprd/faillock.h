/* pam_faillock's tally files: count the records of a user and clear them
 * the way `faillock --user U --reset` does. */
#pragma once

#include <stddef.h>

#define FAILLOCK_CONF	     "/etc/security/faillock.conf"
#define FAILLOCK_DEFAULT_DIR "/var/run/faillock"

/* The tally directory: dir when set, else "dir =" of conf_path, else the
 * default. */
int faillock_dir(const char *dir, const char *conf_path, char *out, size_t outsz);

/* Number of failure records in user's tally (0 when there is no file).
 * Opens without following links; never creates the file. */
int faillock_count(const char *dir, const char *user, unsigned *records);

/* Empty user's tally: open without following links and without creating,
 * take the lock pam_faillock takes, truncate. 0 also when there is no
 * file. */
int faillock_reset(const char *dir, const char *user);
