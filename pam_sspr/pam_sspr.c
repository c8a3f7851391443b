/*
 * pam_sspr.so: asks for the password itself; an empty answer starts a
 * password-reset dialogue relayed from ssprd. The module never
 * authenticates anybody: a typed password goes to pam_unix (try_first_pass),
 * and a finished reset still ends in a failed login. In the password stack
 * it applies ssprd's policy to every change (passwd.c); in the account and
 * session stacks it shows reminders after a login (remind.c).
 */
#include <errno.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_appl.h>
#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "common/client.h"
#include "common/proto.h"
#include "common/util.h"
#include "pam_sspr/cfg.h"
#include "pam_sspr/conv.h"
#include "pam_sspr/passwd.h"
#include "pam_sspr/remind.h"
#include "pam_sspr/text.h"

#define PASSWORD_PROMPT _("Password (press Enter if you forgot it): ")
#define UNAVAILABLE_MSG _("Password reset is not available right now.")
/* The daemon bounds each step of the dialogue itself (answer_timeout); this
 * only keeps a wedged daemon from holding the login forever. */
#define STEP_TIMEOUT_MS 300000

static void say_unavailable(pam_handle_t *pamh, int flags)
{
	if (!(flags & PAM_SILENT))
		conv_show(pamh, PAM_ERROR_MSG, UNAVAILABLE_MSG);
}

static const char *status_name(enum proto_status s)
{
	static const char *const names[] = {"ok",	   "reset",  "failed",	"cancelled",
					    "unavailable", "denied", "invalid", "unlocked"};
	return (unsigned)s < ARRAY_SIZE(names) ? names[s] : "unknown";
}

static int build_request(pam_handle_t *pamh, const struct sspr_cfg *cfg, const char *user,
			 struct proto_msg *req)
{
	const char *service = conv_item_field(pamh, PAM_SERVICE, PROTO_MAX_SERVICE);
	const char *fields[] = {
	    user,
	    service,
	    conv_item_field(pamh, PAM_RHOST, PROTO_MAX_RHOST),
	    conv_item_field(pamh, PAM_TTY, PROTO_MAX_TTY),
	};
	sspr_debug(cfg, pamh, "starting reset for %s (service \"%s\", rhost \"%s\", tty \"%s\")",
		   user, service, fields[2], fields[3]);
	return proto_msg_build(req, PROTO_RESET_START, ARRAY_SIZE(fields), fields);
}

/* Relay one reset dialogue. PAM_IGNORE lets the normal login go on. */
static int recover(pam_handle_t *pamh, int flags, const struct sspr_cfg *cfg, const char *user)
{
	struct proto_msg req = {0};
	enum proto_status status = PROTO_STATUS_FAILED;
	struct conv_relay relay = {.pamh = pamh, .cfg = cfg};
	int r, ret, fd = -1;

	/* Checked before printing the name anywhere: it came from the user. */
	if (!utf8_text_valid(user, strnlen(user, PROTO_MAX_USER + 1), PROTO_MAX_USER, "")) {
		pam_syslog(pamh, LOG_NOTICE, "user name too long or not text; no password reset");
		ret = PAM_AUTH_ERR;
		goto out;
	}
	r = build_request(pamh, cfg, user, &req);
	if (r < 0) {
		pam_syslog(pamh, LOG_ERR, "cannot build reset request: %s", strerror(-r));
		say_unavailable(pamh, flags);
		ret = PAM_IGNORE;
		goto out;
	}
	fd = client_connect(cfg->socket_path, (int)cfg->timeout * 1000);
	if (fd < 0) {
		pam_syslog(pamh, LOG_ERR, "cannot reach ssprd at %s: %s", cfg->socket_path,
			   strerror(-fd));
		say_unavailable(pamh, flags);
		ret = PAM_IGNORE;
		goto out;
	}
	r = client_run(fd, &req, &conv_relay_ops, &relay, (int)cfg->timeout * 1000, STEP_TIMEOUT_MS,
		       &status);
	if (r < 0) {
		pam_syslog(pamh, LOG_ERR, "password reset dialogue for %s broke off: %s", user,
			   strerror(-r));
		if (!relay.shown) {
			say_unavailable(pamh, flags);
			ret = PAM_IGNORE;
		} else {
			ret = PAM_AUTH_ERR;
		}
		goto out;
	}
	pam_syslog(pamh, LOG_INFO, "password reset dialogue for %s ended: %s", user,
		   status_name(status));
	if (relay.conv_failed)
		ret = PAM_CONV_ERR;
	else if (relay.refused)
		ret = PAM_AUTH_ERR;
	else if (status == PROTO_STATUS_CANCELLED)
		ret = PAM_IGNORE;
	else if (status == PROTO_STATUS_UNAVAILABLE && !relay.shown) {
		/* Refused before saying anything (connection limit): the
		 * same as a daemon that is not there. */
		say_unavailable(pamh, flags);
		ret = PAM_IGNORE;
	} else
		/* Even after a successful reset the user logs in again with
		 * the new password: a reset is never a login. */
		ret = PAM_AUTH_ERR;
out:
	if (fd >= 0)
		close(fd);
	proto_msg_clear(&req);
	return ret;
}

PAM_EXTERN int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct sspr_cfg cfg;
	const char *user = NULL;
	char *answer = NULL;

	int r = cfg_parse(pamh, argc, argv, &cfg);
	if (r != PAM_SUCCESS)
		return r;
	if (cfg.record) {
		pam_syslog(pamh, LOG_ERR, "\"record\" belongs to the password stack");
		return PAM_SERVICE_ERR;
	}
	r = pam_get_user(pamh, &user, NULL);
	if (r != PAM_SUCCESS)
		return r;
	if (!user || !*user)
		return PAM_USER_UNKNOWN;

	/* Not pam_get_authtok: it cannot tell us that the answer was empty. */
	r = conv_ask(pamh, PAM_PROMPT_ECHO_OFF, PASSWORD_PROMPT, &answer);
	if (r != PAM_SUCCESS) {
		sspr_debug(&cfg, pamh, "password conversation failed: %s", pam_strerror(pamh, r));
		return PAM_CONV_ERR;
	}
	if (*answer) {
		r = pam_set_item(pamh, PAM_AUTHTOK, answer);
		secret_free(answer);
		if (r != PAM_SUCCESS) {
			pam_syslog(pamh, LOG_ERR, "cannot set PAM_AUTHTOK: %s",
				   pam_strerror(pamh, r));
			return PAM_AUTH_ERR;
		}
		/* pam_unix try_first_pass checks it. */
		return PAM_IGNORE;
	}
	secret_free(answer);
	sspr_debug(&cfg, pamh, "empty password: offering a reset to %s", user);
	return recover(pamh, flags, &cfg, user);
}

PAM_EXTERN int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh;
	(void)flags;
	(void)argc;
	(void)argv;
	return PAM_IGNORE;
}

PAM_EXTERN int pam_sm_chauthtok(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct sspr_cfg cfg;
	int r = cfg_parse(pamh, argc, argv, &cfg);
	if (r != PAM_SUCCESS)
		return r;
	return sspr_chauthtok(pamh, flags, &cfg);
}

/* The account and session groups only show reminders: apart from a broken
 * module line, the module returns PAM_IGNORE and the other modules decide. */
static int remind_entry(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct sspr_cfg cfg;
	int r = cfg_parse(pamh, argc, argv, &cfg);
	if (r != PAM_SUCCESS)
		return r;
	if (cfg.record) {
		pam_syslog(pamh, LOG_ERR, "\"record\" belongs to the password stack");
		return PAM_SERVICE_ERR;
	}
	return sspr_remind(pamh, flags, &cfg);
}

PAM_EXTERN int pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	return remind_entry(pamh, flags, argc, argv);
}

PAM_EXTERN int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	return remind_entry(pamh, flags, argc, argv);
}

PAM_EXTERN int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh;
	(void)flags;
	(void)argc;
	(void)argv;
	return PAM_IGNORE;
}
