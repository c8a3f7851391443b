/* Which users the admin enabled for self-service ([general] enabled_groups)
 * and who may administer ([general] admin_group). */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "common/conf.h"

/* *out = user exists and is a member (primary or supplementary) of one of
 * enabled_groups, or enabled_groups is empty. */
int access_user_enabled(const struct sspr_conf *conf, const char *user, bool *out);

/* *out = user (primary group primary) is a member of one of the
 * NULL-terminated group names. A user in too many groups to list is an
 * error (-E2BIG), never a guess. */
int access_user_in_groups(const char *user, gid_t primary, char *const *groups, bool *out);
