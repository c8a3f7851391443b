/* libpwquality, configured by the same pwquality.conf as pam_pwquality, so
 * that sspr and pam_pwquality accept the same passwords. */
#pragma once

#include <stddef.h>

#include "common/conf.h"
#include "ssprd/policy.h"

/* pwquality_check with [policy] pwquality_conf and pwquality_min_score,
 * for req (req->old_password may be NULL: a reset does not know it).
 * 0: accepted; -EINVAL: refused, with a sentence in reason (ours for each
 * of libpwquality's errors, so that it can be translated: libpwquality's
 * own follow the process locale) and in English in req->log_reason;
 * -EIO: the check itself failed (e.g. no cracklib dictionary), logged. */
int pwq_check(const struct sspr_conf *conf, const struct policy_request *req, char *reason,
	      size_t reasonsz);
