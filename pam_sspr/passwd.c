/*
 * The password stack. The check line (`password requisite pam_sspr.so`,
 * before pam_unix) asks for the new password, has ssprd check it with the
 * same policy as a reset and hands it to pam_unix in PAM_AUTHTOK
 * (use_authtok). In the preliminary phase it has ssprd remember the current
 * hash, which is about to become an earlier password. The record line
 * (`password optional pam_sspr.so record`, after pam_unix) has ssprd
 * remember the new hash.
 *
 * Without ssprd there is no policy, so the check line fails closed: the
 * password is not changed.
 */
#include "pam_sspr/passwd.h"

#include <errno.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_appl.h>
#include <security/pam_ext.h>

#include "common/client.h"
#include "common/proto.h"
#include "common/util.h"
#include "pam_sspr/conv.h"
#include "pam_sspr/text.h"

#define NEW_PROMPT    _("New password: ")
#define RETYPE_PROMPT _("Retype new password: ")
#define MAX_TRIES     3
/* ssprd answers a check after comparing with every remembered hash, which
 * takes longer than a dialogue step. */
#define CHECK_TIMEOUT_MS 30000
#define UNAVAILABLE_MSG                                                                            \
	_("The password cannot be changed right now because the password policy cannot be "        \
	  "checked. Try again later.")

static void say_unavailable(pam_handle_t *pamh, int flags)
{
	if (!(flags & PAM_SILENT))
		conv_show(pamh, PAM_ERROR_MSG, UNAVAILABLE_MSG);
}

/* Fields we send must be protocol text; a secret that is not is sent as
 * nothing rather than cut. */
static bool sendable(const char *s, size_t max)
{
	return s && utf8_text_valid(s, strnlen(s, max + 1), max, "");
}

/* One request; ssprd's error lines (a refusal's reason) reach the user.
 * 0 and *status, or negative errno when ssprd cannot be asked. */
static int ask(pam_handle_t *pamh, const struct sspr_cfg *cfg, const struct proto_msg *req,
	       int reply_timeout_ms, bool *shown, enum proto_status *status)
{
	struct conv_relay relay = {.pamh = pamh, .cfg = cfg};
	int fd = client_connect(cfg->socket_path, (int)cfg->timeout * 1000);
	if (fd < 0) {
		pam_syslog(pamh, LOG_ERR, "cannot reach ssprd at %s: %s", cfg->socket_path,
			   strerror(-fd));
		return fd;
	}
	int r = client_run(fd, req, &conv_relay_ops, &relay, reply_timeout_ms, reply_timeout_ms,
			   status);
	close(fd);
	if (r < 0)
		pam_syslog(pamh, LOG_ERR, "%s request to ssprd failed: %s",
			   proto_type_name(req->type), strerror(-r));
	*shown = relay.shown;
	return r < 0 ? r : relay.conv_failed ? -ECANCELED : 0;
}

static int record(pam_handle_t *pamh, const struct sspr_cfg *cfg, const char *user)
{
	struct proto_msg req;
	enum proto_status status = PROTO_STATUS_FAILED;
	bool shown = false;
	int r = proto_msg_build(&req, PROTO_HISTORY_RECORD, 1, &user);
	if (r == 0)
		r = ask(pamh, cfg, &req, (int)cfg->timeout * 1000, &shown, &status);
	proto_msg_clear(&req);
	if (r == 0 && status != PROTO_STATUS_OK) {
		pam_syslog(pamh, LOG_ERR, "ssprd could not record the password history of %s",
			   user);
		r = -EIO;
	}
	return r;
}

/* PAM_SUCCESS when ssprd accepts password; PAM_TRY_AGAIN when it refuses it
 * (the reason was shown); PAM_AUTHTOK_ERR when it cannot be asked. */
static int check(pam_handle_t *pamh, int flags, const struct sspr_cfg *cfg, const char *user,
		 const char *password)
{
	const void *old = NULL;
	if (pam_get_item(pamh, PAM_OLDAUTHTOK, &old) != PAM_SUCCESS ||
	    !sendable(old, PROTO_MAX_PASSWORD))
		old = "";
	const char *fields[] = {user, password, old};
	struct proto_msg req;
	enum proto_status status = PROTO_STATUS_FAILED;
	bool shown = false;
	int r = proto_msg_build(&req, PROTO_POLICY_CHECK, ARRAY_SIZE(fields), fields);
	if (r == 0)
		r = ask(pamh, cfg, &req, CHECK_TIMEOUT_MS, &shown, &status);
	proto_msg_clear(&req);
	if (r == 0 && status == PROTO_STATUS_OK)
		return PAM_SUCCESS;
	if (r == 0 && status == PROTO_STATUS_FAILED)
		return PAM_TRY_AGAIN;
	if (r == 0)
		pam_syslog(pamh, LOG_ERR, "ssprd did not check the password of %s (status %d)",
			   user, (int)status);
	if (!shown)
		say_unavailable(pamh, flags);
	return PAM_AUTHTOK_ERR;
}

static int set_authtok(pam_handle_t *pamh, const char *password)
{
	int r = pam_set_item(pamh, PAM_AUTHTOK, password);
	if (r != PAM_SUCCESS)
		pam_syslog(pamh, LOG_ERR, "cannot set PAM_AUTHTOK: %s", pam_strerror(pamh, r));
	return r == PAM_SUCCESS ? PAM_SUCCESS : PAM_AUTHTOK_ERR;
}

/* Ask, check, ask again; up to MAX_TRIES refusals or mismatches. */
static int ask_new_password(pam_handle_t *pamh, int flags, const struct sspr_cfg *cfg,
			    const char *user)
{
	for (int tries = 0; tries < MAX_TRIES; tries++) {
		char *pw = NULL, *again = NULL;
		int r = conv_ask(pamh, PAM_PROMPT_ECHO_OFF, NEW_PROMPT, &pw);
		if (r != PAM_SUCCESS)
			return PAM_CONV_ERR;
		if (!*pw) {
			secret_free(pw);
			conv_show(pamh, PAM_ERROR_MSG, _("No password has been supplied."));
			return PAM_AUTHTOK_ERR;
		}
		if (!sendable(pw, PROTO_MAX_PASSWORD)) {
			secret_free(pw);
			conv_show(pamh, PAM_ERROR_MSG,
				  _("The password is too long or contains control characters."));
			continue;
		}
		r = check(pamh, flags, cfg, user, pw);
		if (r == PAM_SUCCESS)
			r = conv_ask(pamh, PAM_PROMPT_ECHO_OFF, RETYPE_PROMPT, &again);
		if (r == PAM_SUCCESS && strcmp(pw, again) != 0) {
			conv_show(pamh, PAM_ERROR_MSG, _("The passwords do not match. Try again."));
			r = PAM_TRY_AGAIN;
		}
		if (r == PAM_SUCCESS)
			r = set_authtok(pamh, pw);
		secret_free(pw);
		secret_free(again);
		if (r != PAM_TRY_AGAIN)
			return r;
	}
	conv_show(pamh, PAM_ERROR_MSG, _("Too many tries: the password was not changed."));
	return PAM_AUTHTOK_ERR;
}

int sspr_chauthtok(pam_handle_t *pamh, int flags, const struct sspr_cfg *cfg)
{
	const char *user = NULL;
	int r = pam_get_user(pamh, &user, NULL);
	if (r != PAM_SUCCESS)
		return r;
	if (!user || !*user)
		return PAM_USER_UNKNOWN;
	if (!sendable(user, PROTO_MAX_USER)) {
		pam_syslog(pamh, LOG_NOTICE, "user name too long or not text");
		return PAM_AUTHTOK_ERR;
	}
	if (flags & PAM_PRELIM_CHECK) {
		if (cfg->record)
			return PAM_SUCCESS;
		/* Before anything changes: the current hash becomes history.
		 * This is also where a missing ssprd stops the change, before
		 * the user types anything. */
		sspr_debug(cfg, pamh, "recording the current password hash of %s", user);
		if (record(pamh, cfg, user) < 0) {
			say_unavailable(pamh, flags);
			return PAM_AUTHTOK_ERR;
		}
		return PAM_SUCCESS;
	}
	if (!(flags & PAM_UPDATE_AUTHTOK))
		return PAM_SERVICE_ERR;
	if (cfg->record) {
		sspr_debug(cfg, pamh, "recording the new password hash of %s", user);
		return record(pamh, cfg, user) < 0 ? PAM_IGNORE : PAM_SUCCESS;
	}
	return ask_new_password(pamh, flags, cfg, user);
}
