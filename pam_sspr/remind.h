/* The account and session groups: after a login, show what ssprd has to
 * tell the user (a reset of their password since the last login, that they
 * have not registered, that they should confirm their data). */
#pragma once

#include <security/pam_modules.h>

#include "pam_sspr/cfg.h"

/* Always PAM_IGNORE: a reminder never decides a login, and a daemon that
 * is down or slow only costs the wait (at most 2 seconds per step). */
int sspr_remind(pam_handle_t *pamh, int flags, const struct sspr_cfg *cfg);
