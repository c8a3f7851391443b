/* What a voice callback carries: its form-encoded body and the provider's
 * signature over it. Split from voicecb.c, which alone uses it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct voicecb_param {
	const char *name, *value;
};

/* Split an application/x-www-form-urlencoded body into p and decode it in
 * place. The number of parameters; -E2BIG beyond max, -EINVAL for a bad or
 * NUL escape. */
int voicecb_form_parse(char *body, struct voicecb_param *p, size_t max);

/* X-Twilio-Signature: base64(HMAC-SHA1(key, url + name1 value1 name2 value2
 * ...)), the decoded parameters sorted by name. Sorts p. */
bool voicecb_twilio_sig_ok(const unsigned char *key, size_t keylen, const char *url,
			   struct voicecb_param *p, size_t n, const char *sig);

/* X-Sspr-Signature: hex HMAC-SHA256(key, url + body), body as sent. */
bool voicecb_http_sig_ok(const unsigned char *key, size_t keylen, const char *url, const char *body,
			 size_t blen, const char *sig);
