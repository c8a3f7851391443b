/* The new-password policy. Each refusal names its rule in plain words. */
#pragma once

#include <stddef.h>

#include "common/conf.h"

/* pam_unix truncates longer passwords silently. */
#define POLICY_MAX_BYTES 511

/* 0 when password is acceptable for user; otherwise -EINVAL and a sentence
 * for the user in reason. */
int policy_check(const struct sspr_conf *conf, const char *user, const char *password, char *reason,
		 size_t reasonsz);

/* Characters (UTF-8 code points), not bytes. */
size_t utf8_length(const char *s);
