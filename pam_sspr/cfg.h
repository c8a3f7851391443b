/* pam_sspr.so module arguments (see pam_sspr(8)). */
#pragma once

#include <stdbool.h>

#include <security/pam_modules.h>

#define SSPR_DEFAULT_SOCKET  "/run/sspr/ssprd.sock"
#define SSPR_DEFAULT_TIMEOUT 3
#define SSPR_MAX_TIMEOUT     60

struct sspr_cfg {
	const char *socket_path; /* points into argv or a literal */
	unsigned timeout;	 /* seconds: connect and the daemon's first reply */
	bool debug;
	bool record; /* password stack, the line after pam_unix: remember the new hash */
};

/* Parse argc/argv over the defaults. Logs and returns PAM_SERVICE_ERR for an
 * unknown or malformed argument, else PAM_SUCCESS. */
int cfg_parse(pam_handle_t *pamh, int argc, const char **argv, struct sspr_cfg *cfg);
