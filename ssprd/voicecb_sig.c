#include "ssprd/voicecb_sig.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include "common/util.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Names and values are used as C strings: an encoded NUL is refused. */
static int form_decode(char *s)
{
	char *w = s;
	for (const char *r = s; *r; r++) {
		if (*r == '+') {
			*w++ = ' ';
		} else if (*r == '%') {
			int hi = hexval(r[1]), lo = hi < 0 ? -1 : hexval(r[2]);
			if (lo < 0 || (hi | lo) == 0)
				return -EINVAL;
			*w++ = (char)(hi << 4 | lo);
			r += 2;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
	return 0;
}

int voicecb_form_parse(char *body, struct voicecb_param *p, size_t max)
{
	size_t n = 0;
	for (char *save = NULL, *f = strtok_r(body, "&", &save); f;
	     f = strtok_r(NULL, "&", &save)) {
		if (n == max)
			return -E2BIG;
		char *eq = strchr(f, '=');
		if (eq)
			*eq = '\0';
		p[n].name = f;
		p[n].value = eq ? eq + 1 : "";
		if (form_decode(f) < 0 || (eq && form_decode(eq + 1) < 0))
			return -EINVAL;
		n++;
	}
	return (int)n;
}

static int param_cmp(const void *a, const void *b)
{
	const struct voicecb_param *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : strcmp(x->value, y->value);
}

/* Like Twilio's own validator: equal names ordered by value, exact
 * duplicates counted once. */
bool voicecb_twilio_sig_ok(const unsigned char *key, size_t keylen, const char *url,
			   struct voicecb_param *p, size_t n, const char *sig)
{
	unsigned char want[EVP_MAX_MD_SIZE], got[EVP_MAX_MD_SIZE];
	unsigned wlen = 0;
	size_t glen = 0, cap = strlen(url) + 1, len = 0;
	for (size_t i = 0; i < n; i++)
		cap += strlen(p[i].name) + strlen(p[i].value);
	if (!sig || keylen > INT_MAX ||
	    sodium_base642bin(got, sizeof(got), sig, strlen(sig), NULL, &glen, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0)
		return false;
	char *msg = malloc(cap);
	if (!msg)
		return false;
	qsort(p, n, sizeof(*p), param_cmp);
	len = strlen(url);
	memcpy(msg, url, len);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && param_cmp(&p[i - 1], &p[i]) == 0)
			continue;
		size_t nl = strlen(p[i].name), vl = strlen(p[i].value);
		memcpy(msg + len, p[i].name, nl);
		memcpy(msg + len + nl, p[i].value, vl);
		len += nl + vl;
	}
	bool ok =
	    HMAC(EVP_sha1(), key, (int)keylen, (unsigned char *)msg, len, want, &wlen) != NULL &&
	    glen == wlen && CRYPTO_memcmp(want, got, wlen) == 0;
	secure_zero(msg, len);
	free(msg);
	return ok;
}

bool voicecb_http_sig_ok(const unsigned char *key, size_t keylen, const char *url, const char *body,
			 size_t blen, const char *sig)
{
	unsigned char want[EVP_MAX_MD_SIZE], got[32];
	unsigned wlen = 0;
	size_t ulen = strlen(url), glen = 0;
	if (!sig || keylen > INT_MAX || strlen(sig) != 64 ||
	    sodium_hex2bin(got, sizeof(got), sig, 64, NULL, &glen, NULL) != 0 || glen != 32)
		return false;
	char *msg = malloc(ulen + blen + 1);
	if (!msg)
		return false;
	memcpy(msg, url, ulen);
	memcpy(msg + ulen, body, blen);
	bool ok = HMAC(EVP_sha256(), key, (int)keylen, (unsigned char *)msg, ulen + blen, want,
		       &wlen) != NULL &&
		  wlen == 32 && CRYPTO_memcmp(want, got, 32) == 0;
	secure_zero(msg, ulen + blen);
	free(msg);
	return ok;
}
