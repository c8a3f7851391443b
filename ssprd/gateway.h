/* Text messages and phone calls through an HTTP gateway (libcurl): Twilio's
 * Messages and Calls APIs, or any gateway described by templates in
 * [gateway] (the "http" provider). */
#pragma once

#include "common/conf.h"

/* What a call asks of the person who answers. */
struct gateway_call {
	const char *to; /* E.164 */
	enum voice_mode mode;
	const char *code;	  /* VOICE_SPEAK_CODE: the digits to read out */
	const char *callback;	  /* VOICE_PRESS_POUND: URL the keypress is reported to */
	const char *organisation; /* spoken name of the site, may be NULL */
};

/* Send text to an E.164 number. 0; -EPERM when the number is not allowed
 * by allowed_prefixes (nothing is sent); -EIO when the gateway failed
 * after the bounded retries (logged, without the text). */
int gateway_send_sms(const struct sspr_conf *conf, const char *to, const char *text);

/* Place a call. Same returns as gateway_send_sms. */
int gateway_place_call(const struct sspr_conf *conf, const struct gateway_call *call);

/* Read [gateway] auth_file into memory before ssprd drops privileges; the
 * requests then use that copy (see privsep_secret.h). 0 or negative errno.
 * gateway_secret_free wipes it. */
int gateway_secret_load(const struct sspr_conf *conf);
void gateway_secret_free(void);
