/* libpwquality, configured by the same pwquality.conf as pam_pwquality, so
 * that sspr and pam_pwquality accept the same passwords. */
#pragma once

#include <stddef.h>

#include "common/conf.h"

/* pwquality_check with [policy] pwquality_conf and pwquality_min_score.
 * 0: accepted; -EINVAL: refused, with libpwquality's sentence in reason;
 * -EIO: the check itself failed (e.g. no cracklib dictionary), logged.
 * old may be NULL (a reset: the old password is not known). */
int pwq_check(const struct sspr_conf *conf, const char *user, const char *password, const char *old,
	      char *reason, size_t reasonsz);
