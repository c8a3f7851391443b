/* Which users the admin enabled for self-service ([general] enabled_groups). */
#pragma once

#include <stdbool.h>

#include "common/conf.h"

/* *out = user exists and is a member (primary or supplementary) of one of
 * enabled_groups, or enabled_groups is empty. */
int access_user_enabled(const struct sspr_conf *conf, const char *user, bool *out);
