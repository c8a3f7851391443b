/* Request bodies for the SMS and voice gateway: bounded buffers that are
 * wiped when freed (they hold codes), the escapes each body format needs,
 * and the [gateway] sms_body / call_body templates. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/conf.h"
#include "ssprd/gateway.h"

/* Largest body a template may produce, in bytes. */
#define GATEWAY_BODY_MAX 4096
/* Longest spoken organisation name, in bytes. */
#define GATEWAY_ORG_MAX 190

enum gwesc {
	GWESC_NONE,
	GWESC_FORM, /* percent-encoding: everything but RFC 3986 unreserved */
	GWESC_JSON, /* inside a JSON string, without the quotes */
	GWESC_XML,  /* text or attribute value: & < > " ' */
};

/* Fixed capacity, so the text is never copied to a block that is freed
 * without being wiped. Appending past cap sets overflow and keeps the
 * content as it was. */
struct gwbuf {
	char *data; /* NUL-terminated */
	size_t len, cap;
	bool overflow;
};

int gwbuf_init(struct gwbuf *b, size_t cap);
/* Wipe and free; NULL-safe, may be called twice. */
void gwbuf_wipe(struct gwbuf *b);
void gwbuf_add(struct gwbuf *b, const char *s, size_t n);
void gwbuf_puts(struct gwbuf *b, const char *s);
/* Append s (NULL: nothing) escaped with esc. */
void gwbuf_escape(struct gwbuf *b, enum gwesc esc, const char *s);

/* Values of the template placeholders; NULL is the empty string. */
struct gwvars {
	const char *to, *text, *code, *callback, *mode;
};

/* Expand {to} {text} {code} {callback} {mode} in tmpl, each value escaped
 * for fmt. A "{" not followed by a lower-case name and "}" is copied as it
 * is (JSON templates are full of braces). 0; -EINVAL for an unknown
 * {name} or a result over GATEWAY_BODY_MAX; -ENOMEM. out is initialised
 * here and must be released with gwbuf_wipe, also after an error. */
int gateway_body_expand(const char *tmpl, enum body_format fmt, const struct gwvars *v,
			struct gwbuf *out);

/* The site's spoken name: call->organisation, else the first name of
 * [policy] organisation; "" when neither is set. -EINVAL when it is not
 * printable UTF-8 or does not fit. */
int gateway_spoken_org(const struct sspr_conf *conf, const struct gateway_call *call, char *out,
		       size_t outsz);

/* Append the sentences a call says first: the greeting with org, then for
 * press_pound the question, for speak_code the code (say_code) or the
 * prompt to press a key. call->code must be digits. */
void gateway_call_text(struct gwbuf *b, const char *org, const struct gateway_call *call,
		       bool say_code);

/* Twilio's TwiML for call into twiml: a <Gather> first, so that voicemail
 * never records the code; for speak_code the code is only inside the
 * Gather's action, an echo_url that returns the TwiML that speaks it.
 * 0 or -EINVAL when it does not fit. */
int gateway_twiml(const char *echo_url, const struct gateway_call *call, const char *org,
		  struct gwbuf *twiml);
