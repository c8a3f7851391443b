/* The PAM conversation as pam_sspr.so uses it: one message per call, answers
 * treated as secrets; plus the ops that relay a daemon dialogue to it. */
#pragma once

#include <stdbool.h>
#include <syslog.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "common/client.h"
#include "pam_sspr/cfg.h"

/* Debug lines only with the module's `debug` argument. Never pass an answer. */
#define sspr_debug(cfg, pamh, ...)                                                                 \
	do {                                                                                       \
		if ((cfg)->debug)                                                                  \
			pam_syslog((pamh), LOG_DEBUG, __VA_ARGS__);                                \
	} while (0)

/* Ask one question (PAM_PROMPT_ECHO_ON/OFF). On PAM_SUCCESS *answer is
 * malloc'd (free with secret_free); an application that returns no answer
 * is a conversation error. */
int conv_ask(pam_handle_t *pamh, int style, const char *text, char **answer);

/* A PAM item as a protocol field: "" when unset, longer than max or not
 * plain text, since a cut or mangled host name would be worse than none. */
const char *conv_item_field(pam_handle_t *pamh, int item, size_t max);

/* Show one PAM_TEXT_INFO or PAM_ERROR_MSG line. */
int conv_show(pam_handle_t *pamh, int style, const char *text);

/* State of one relayed dialogue: set by conv_relay_ops, read by the caller. */
struct conv_relay {
	pam_handle_t *pamh;
	const struct sspr_cfg *cfg;
	bool shown;	  /* the user has seen something from the daemon */
	bool conv_failed; /* the application's conversation failed */
	bool refused;	  /* an answer we could not relay (too long, not text) */
};

extern const struct client_ops conv_relay_ops;
