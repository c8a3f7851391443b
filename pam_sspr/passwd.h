/* pam_sm_chauthtok of pam_sspr.so: the password-change path (see
 * pam_sspr(8), PASSWORD STACK). */
#pragma once

#include <security/pam_modules.h>

#include "pam_sspr/cfg.h"

int sspr_chauthtok(pam_handle_t *pamh, int flags, const struct sspr_cfg *cfg);
