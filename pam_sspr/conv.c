#include "pam_sspr/conv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <security/pam_appl.h>

#include "common/proto.h"
#include "common/util.h"

/* Free a response array the application handed us, wiping answers. */
static void free_responses(struct pam_response *resp)
{
	if (!resp)
		return;
	secret_free(resp[0].resp);
	free(resp);
}

static int converse(pam_handle_t *pamh, int style, const char *text, struct pam_response **resp)
{
	const struct pam_conv *conv = NULL;
	*resp = NULL;
	int r = pam_get_item(pamh, PAM_CONV, (const void **)&conv);
	if (r != PAM_SUCCESS)
		return r;
	if (!conv || !conv->conv)
		return PAM_CONV_ERR;
	struct pam_message msg = {.msg_style = style, .msg = text};
	const struct pam_message *msgp = &msg;
	r = conv->conv(1, &msgp, resp, conv->appdata_ptr);
	if (r != PAM_SUCCESS) {
		/* Some applications leave a half-filled array behind. */
		free_responses(*resp);
		*resp = NULL;
		return r == PAM_BUF_ERR ? r : PAM_CONV_ERR;
	}
	return PAM_SUCCESS;
}

int conv_ask(pam_handle_t *pamh, int style, const char *text, char **answer)
{
	struct pam_response *resp = NULL;
	*answer = NULL;
	int r = converse(pamh, style, text, &resp);
	if (r != PAM_SUCCESS)
		return r;
	if (!resp || !resp[0].resp) {
		free_responses(resp);
		return PAM_CONV_ERR;
	}
	*answer = resp[0].resp;
	free(resp);
	return PAM_SUCCESS;
}

int conv_show(pam_handle_t *pamh, int style, const char *text)
{
	struct pam_response *resp = NULL;
	int r = converse(pamh, style, text, &resp);
	free_responses(resp);
	return r;
}

static int relay_prompt(void *userdata, bool echo, const char *text, char **answer)
{
	struct conv_relay *c = userdata;
	c->shown = true;
	int r = conv_ask(c->pamh, echo ? PAM_PROMPT_ECHO_ON : PAM_PROMPT_ECHO_OFF, text, answer);
	if (r != PAM_SUCCESS) {
		pam_syslog(c->pamh, LOG_NOTICE, "conversation failed during password reset: %s",
			   pam_strerror(c->pamh, r));
		c->conv_failed = true;
		return -ECANCELED;
	}
	/* Refuse here rather than let client_run cancel quietly, so the
	 * outcome is a failure and not "the user chose to log in normally". */
	if (!utf8_text_valid(*answer, strlen(*answer), PROTO_MAX_ANSWER, "")) {
		pam_syslog(c->pamh, LOG_NOTICE, "answer too long or not text; cancelling reset");
		secret_free(*answer);
		*answer = NULL;
		c->refused = true;
		return -EINVAL;
	}
	return 0;
}

static void relay_show(struct conv_relay *c, int style, const char *text)
{
	c->shown = true;
	int r = conv_show(c->pamh, style, text);
	if (r != PAM_SUCCESS) {
		sspr_debug(c->cfg, c->pamh, "cannot show a message: %s", pam_strerror(c->pamh, r));
		c->conv_failed = true;
	}
}

static void relay_info(void *userdata, const char *text)
{
	relay_show(userdata, PAM_TEXT_INFO, text);
}

static void relay_error(void *userdata, const char *text)
{
	relay_show(userdata, PAM_ERROR_MSG, text);
}

const struct client_ops conv_relay_ops = {
    .prompt = relay_prompt,
    .info = relay_info,
    .error = relay_error,
};

const char *conv_item_field(pam_handle_t *pamh, int item, size_t max)
{
	const void *v = NULL;
	if (pam_get_item(pamh, item, &v) != PAM_SUCCESS || !v)
		return "";
	const char *s = v;
	size_t len = strnlen(s, max + 1);
	return utf8_text_valid(s, len, max, "") ? s : "";
}
