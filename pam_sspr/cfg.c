#include "pam_sspr/cfg.h"

#include <string.h>
#include <sys/un.h>
#include <syslog.h>

#include <security/pam_ext.h>

/* "value" when arg is "name=value", else NULL. */
static const char *arg_value(const char *arg, const char *name)
{
	size_t n = strlen(name);
	if (strncmp(arg, name, n) != 0 || arg[n] != '=')
		return NULL;
	return arg + n + 1;
}

/* Digits only: strtoul would accept signs, spaces and overflow quietly. */
static bool parse_timeout(const char *s, unsigned *out)
{
	unsigned v = 0;
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned)(*s - '0');
		if (v > SSPR_MAX_TIMEOUT)
			return false;
	}
	if (v < 1)
		return false;
	*out = v;
	return true;
}

static bool socket_path_ok(const char *p)
{
	return p[0] == '/' && strlen(p) < sizeof(((struct sockaddr_un *)0)->sun_path);
}

int cfg_parse(pam_handle_t *pamh, int argc, const char **argv, struct sspr_cfg *cfg)
{
	cfg->socket_path = SSPR_DEFAULT_SOCKET;
	cfg->timeout = SSPR_DEFAULT_TIMEOUT;
	cfg->debug = false;
	cfg->record = false;
	/* A typo in /etc/pam.d must not silently change how logins behave:
	 * refuse anything we do not understand. */
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v;
		if (strcmp(a, "debug") == 0) {
			cfg->debug = true;
		} else if (strcmp(a, "record") == 0) {
			cfg->record = true;
		} else if ((v = arg_value(a, "socket"))) {
			if (!socket_path_ok(v)) {
				pam_syslog(pamh, LOG_ERR,
					   "invalid argument \"%s\": socket= needs an absolute "
					   "path shorter than %zu bytes",
					   a, sizeof(((struct sockaddr_un *)0)->sun_path));
				return PAM_SERVICE_ERR;
			}
			cfg->socket_path = v;
		} else if ((v = arg_value(a, "timeout"))) {
			if (!parse_timeout(v, &cfg->timeout)) {
				pam_syslog(
				    pamh, LOG_ERR,
				    "invalid argument \"%s\": timeout= needs 1 to %d seconds", a,
				    SSPR_MAX_TIMEOUT);
				return PAM_SERVICE_ERR;
			}
		} else {
			pam_syslog(pamh, LOG_ERR, "unknown argument \"%s\"", a);
			return PAM_SERVICE_ERR;
		}
	}
	return PAM_SUCCESS;
}
