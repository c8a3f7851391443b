/*
 * Login reminders. The daemon decides what to say (PROTO_REMIND answered
 * by INFO lines and END); the module shows the lines as PAM_TEXT_INFO and
 * returns PAM_IGNORE whatever happens. With the module in both the account
 * and the session group of a service, the second call in the same PAM
 * transaction says nothing.
 */
#include "pam_sspr/remind.h"

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

/* A login waits for this: far shorter than a reset's timeout. */
#define REMIND_TIMEOUT_MS 2000
#define REMIND_DATA_NAME  "pam_sspr_reminded"

struct remind_relay {
	pam_handle_t *pamh;
	const struct sspr_cfg *cfg;
	bool prompted;
};

/* Reminders never ask anything: a prompt is a protocol error. */
static int remind_prompt(void *userdata, bool echo, const char *text, char **answer)
{
	struct remind_relay *c = userdata;
	c->prompted = true;
	(void)echo;
	(void)text;
	*answer = NULL;
	return -EPROTO;
}

static void remind_info(void *userdata, const char *text)
{
	struct remind_relay *c = userdata;
	int r = conv_show(c->pamh, PAM_TEXT_INFO, text);
	if (r != PAM_SUCCESS)
		sspr_debug(c->cfg, c->pamh, "cannot show a reminder: %s", pam_strerror(c->pamh, r));
}

/* Errors are for the log, not for a user who just logged in. */
static void remind_error(void *userdata, const char *text)
{
	struct remind_relay *c = userdata;
	sspr_debug(c->cfg, c->pamh, "ssprd: %s", text);
}

static const struct client_ops remind_ops = {
    .prompt = remind_prompt,
    .info = remind_info,
    .error = remind_error,
};

/* Without a conversation the daemon would mark the reset notice as shown
 * to nobody. */
static bool can_converse(pam_handle_t *pamh)
{
	const void *v = NULL;
	const struct pam_conv *conv;
	if (pam_get_item(pamh, PAM_CONV, &v) != PAM_SUCCESS || !v)
		return false;
	conv = v;
	return conv->conv != NULL;
}

static bool already_reminded(pam_handle_t *pamh)
{
	const void *v = NULL;
	return pam_get_data(pamh, REMIND_DATA_NAME, &v) == PAM_SUCCESS && v;
}

static void mark_reminded(pam_handle_t *pamh)
{
	static char marker;
	pam_set_data(pamh, REMIND_DATA_NAME, &marker, NULL);
}

static int ask_daemon(pam_handle_t *pamh, const struct sspr_cfg *cfg, const char *user)
{
	const char *fields[] = {
	    user,
	    conv_item_field(pamh, PAM_SERVICE, PROTO_MAX_SERVICE),
	    conv_item_field(pamh, PAM_RHOST, PROTO_MAX_RHOST),
	    conv_item_field(pamh, PAM_TTY, PROTO_MAX_TTY),
	};
	struct remind_relay relay = {.pamh = pamh, .cfg = cfg};
	struct proto_msg req = {0};
	enum proto_status status = PROTO_STATUS_FAILED;
	int timeout = (int)cfg->timeout * 1000;
	if (timeout > REMIND_TIMEOUT_MS)
		timeout = REMIND_TIMEOUT_MS;
	int fd = -1, r = proto_msg_build(&req, PROTO_REMIND, ARRAY_SIZE(fields), fields);
	if (r < 0)
		goto out;
	fd = client_connect(cfg->socket_path, timeout);
	if (fd < 0) {
		r = fd;
		sspr_debug(cfg, pamh, "no reminders: cannot reach ssprd at %s: %s",
			   cfg->socket_path, strerror(-r));
		goto out;
	}
	r = client_run(fd, &req, &remind_ops, &relay, timeout, timeout, &status);
	if (r == 0 && relay.prompted)
		r = -EPROTO;
	if (r == -EPROTO)
		pam_syslog(pamh, LOG_ERR, "ssprd answered the reminder request wrongly");
	else if (r < 0)
		sspr_debug(cfg, pamh, "no reminders: %s", strerror(-r));
	else if (status != PROTO_STATUS_OK) {
		/* DENIED when the application does not run as root (a screen
		 * locker), INVALID for a user the daemon does not know. */
		sspr_debug(cfg, pamh, "ssprd refused the reminder request (status %d)",
			   (int)status);
		r = -EPERM;
	}
out:
	if (fd >= 0)
		close(fd);
	proto_msg_clear(&req);
	return r;
}

int sspr_remind(pam_handle_t *pamh, int flags, const struct sspr_cfg *cfg)
{
	const void *item = NULL;
	/* The item, not pam_get_user: a login that got this far has a user,
	 * and a reminder must never prompt. */
	if (pam_get_item(pamh, PAM_USER, &item) != PAM_SUCCESS || !item || !*(const char *)item)
		return PAM_IGNORE;
	const char *user = item;
	if (!utf8_text_valid(user, strnlen(user, PROTO_MAX_USER + 1), PROTO_MAX_USER, "")) {
		sspr_debug(cfg, pamh, "user name too long or not text: no reminders");
		return PAM_IGNORE;
	}
	/* Silent: the daemon would count the reset notice as shown. */
	if ((flags & PAM_SILENT) || !can_converse(pamh)) {
		sspr_debug(cfg, pamh, "no reminders for %s: silent or no conversation", user);
		return PAM_IGNORE;
	}
	if (already_reminded(pamh)) {
		sspr_debug(cfg, pamh, "reminders for %s already shown", user);
		return PAM_IGNORE;
	}
	sspr_debug(cfg, pamh, "asking ssprd for the reminders of %s", user);
	if (ask_daemon(pamh, cfg, user) == 0)
		mark_reminded(pamh);
	return PAM_IGNORE;
}
