#include "ssprd/gateway_body.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/i18n.h"
#include "common/util.h"

int gwbuf_init(struct gwbuf *b, size_t cap)
{
	*b = (struct gwbuf){0};
	b->data = malloc(cap + 1);
	if (!b->data)
		return -ENOMEM;
	b->data[0] = '\0';
	b->cap = cap;
	return 0;
}

void gwbuf_wipe(struct gwbuf *b)
{
	if (!b || !b->data)
		return;
	sodium_memzero(b->data, b->cap + 1);
	free(b->data);
	*b = (struct gwbuf){0};
}

void gwbuf_add(struct gwbuf *b, const char *s, size_t n)
{
	if (b->overflow || n > b->cap - b->len) {
		b->overflow = true;
		return;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void gwbuf_puts(struct gwbuf *b, const char *s)
{
	gwbuf_add(b, s, strlen(s));
}

static bool unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

/* Appends the escape of one byte. */
static void escape_byte(struct gwbuf *b, enum gwesc esc, unsigned char c)
{
	char tmp[8];
	const char *rep = NULL;
	switch (esc) {
	case GWESC_FORM:
		if (!unreserved(c)) {
			snprintf(tmp, sizeof(tmp), "%%%02X", c);
			rep = tmp;
		}
		break;
	case GWESC_JSON:
		if (c == '"')
			rep = "\\\"";
		else if (c == '\\')
			rep = "\\\\";
		else if (c == '\n')
			rep = "\\n";
		else if (c == '\r')
			rep = "\\r";
		else if (c == '\t')
			rep = "\\t";
		else if (c < 0x20) {
			snprintf(tmp, sizeof(tmp), "\\u%04x", c);
			rep = tmp;
		}
		break;
	case GWESC_XML:
		rep = c == '&'	  ? "&amp;"
		      : c == '<'  ? "&lt;"
		      : c == '>'  ? "&gt;"
		      : c == '"'  ? "&quot;"
		      : c == '\'' ? "&apos;"
				  : NULL;
		break;
	case GWESC_NONE:
		break;
	}
	if (rep)
		gwbuf_puts(b, rep);
	else
		gwbuf_add(b, (const char *)&c, 1);
}

void gwbuf_escape(struct gwbuf *b, enum gwesc esc, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++)
		escape_byte(b, esc, *p);
}

/* Length of the placeholder name at p ("{" already consumed) when it is
 * lower-case letters and "_" closed by "}", else 0. */
static size_t placeholder_len(const char *p)
{
	size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz_");
	return n > 0 && p[n] == '}' ? n : 0;
}

static const char *const *lookup(const struct gwvars *v, const char *name, size_t n)
{
	static const char *const names[] = {"to", "text", "code", "callback", "mode"};
	const char *const *vals[] = {&v->to, &v->text, &v->code, &v->callback, &v->mode};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == n && memcmp(names[i], name, n) == 0)
			return vals[i];
	return NULL;
}

int gateway_body_expand(const char *tmpl, enum body_format fmt, const struct gwvars *v,
			struct gwbuf *out)
{
	int r = gwbuf_init(out, GATEWAY_BODY_MAX);
	if (r < 0)
		return r;
	if (!tmpl)
		return -EINVAL;
	enum gwesc esc = fmt == BODY_JSON ? GWESC_JSON : GWESC_FORM;
	const char *p = tmpl;
	while (*p) {
		const char *brace = strchr(p, '{');
		if (!brace) {
			gwbuf_puts(out, p);
			break;
		}
		size_t n = placeholder_len(brace + 1);
		gwbuf_add(out, p, (size_t)(brace - p) + (n ? 0 : 1));
		p = brace + 1;
		if (!n)
			continue;
		const char *const *val = lookup(v, brace + 1, n);
		if (!val)
			return -EINVAL;
		gwbuf_escape(out, esc, *val);
		p += n + 1;
	}
	return out->overflow ? -EINVAL : 0;
}

/* The site's spoken name: the call's, else the first of [policy]
 * organisation. */
int gateway_spoken_org(const struct sspr_conf *conf, const struct gateway_call *call, char *out,
		       size_t outsz)
{
	const char *o = call->organisation ? call->organisation : conf->organisation;
	size_t n = o ? (call->organisation ? strlen(o) : strcspn(o, ",")) : 0;
	while (n > 0 && (o[0] == ' ' || o[0] == '\t'))
		o++, n--;
	while (n > 0 && (o[n - 1] == ' ' || o[n - 1] == '\t'))
		n--;
	if (n >= outsz || (n > 0 && !utf8_text_valid(o, n, GATEWAY_ORG_MAX, NULL)))
		return -EINVAL;
	memcpy(out, n ? o : "", n);
	out[n] = '\0';
	return 0;
}

/* "Your code is 1, 2, 3. Again: 1, 2, 3.": digits read one by one. */
static void code_sentences(struct gwbuf *b, const char *code)
{
	char digits[3 * 32], text[sizeof(digits) + 128];
	size_t n = 0;
	for (const char *d = code; *d && n + 3 < sizeof(digits); d++) {
		digits[n++] = *d;
		if (d[1]) {
			digits[n++] = ',';
			digits[n++] = ' ';
		}
	}
	digits[n] = '\0';
	snprintf(text, sizeof(text), _("Your code is %s."), digits);
	gwbuf_puts(b, text);
	gwbuf_puts(b, " ");
	snprintf(text, sizeof(text), _("Again: %s."), digits);
	gwbuf_puts(b, text);
	sodium_memzero(digits, sizeof(digits));
	sodium_memzero(text, sizeof(text));
}

/* The opening tag of a spoken text: Twilio reads it in the voice of the
 * call's language ("zh-TW"), English unless the text was translated. */
static void say_open(struct gwbuf *b)
{
	const char *lang = i18n_language();
	char tag[I18N_LANGUAGE_MAX + 1];
	if (strcmp(lang, "en") == 0 || strchr(lang, '@')) {
		gwbuf_puts(b, "<Say>");
		return;
	}
	snprintf(tag, sizeof(tag), "%s", lang);
	for (char *p = tag; *p; p++)
		if (*p == '_')
			*p = '-';
	gwbuf_puts(b, "<Say language=\"");
	gwbuf_escape(b, GWESC_XML, tag);
	gwbuf_puts(b, "\">");
}

/* What the call says first: the greeting, then the question, or for
 * speak_code the prompt (Twilio) or the code itself (http provider). */
void gateway_call_text(struct gwbuf *b, const char *org, const struct gateway_call *call,
		       bool say_code)
{
	char text[GATEWAY_ORG_MAX + 256];
	if (*org)
		snprintf(text, sizeof(text), _("This is the password reset service of %s."), org);
	else
		snprintf(text, sizeof(text), "%s", _("This is the password reset service."));
	gwbuf_puts(b, text);
	gwbuf_puts(b, " ");
	if (call->mode == VOICE_PRESS_POUND)
		gwbuf_puts(b, _("If you asked to reset your password, press the pound key now. "
				"If you did not, hang up."));
	else if (say_code)
		code_sentences(b, call->code);
	else
		gwbuf_puts(b, _("To hear your code, press any key."));
}

/* <Gather> comes first, so an answering machine hangs up before the
 * secret is spoken; the code is only in the echo URL the keypress opens. */
int gateway_twiml(const char *echo_url, const struct gateway_call *call, const char *org,
		  struct gwbuf *twiml)
{
	struct gwbuf say = {0}, inner = {0}, action = {0};
	int r = gwbuf_init(&say, 1024);
	if (r >= 0)
		r = gwbuf_init(&inner, 1024);
	if (r >= 0)
		r = gwbuf_init(&action, 2048);
	if (r < 0)
		goto out;
	if (call->mode == VOICE_SPEAK_CODE) {
		code_sentences(&say, call->code);
		gwbuf_puts(&inner, "<Response>");
		say_open(&inner);
		gwbuf_escape(&inner, GWESC_XML, say.data);
		gwbuf_puts(&inner, "</Say><Hangup/></Response>");
		gwbuf_puts(&action, echo_url);
		gwbuf_puts(&action, strchr(echo_url, '?') ? "&Twiml=" : "?Twiml=");
		gwbuf_escape(&action, GWESC_FORM, inner.data);
		/* say is reused for the prompt. */
		sodium_memzero(say.data, say.cap + 1);
		say.len = 0;
	} else {
		gwbuf_puts(&action, call->callback);
	}
	gateway_call_text(&say, org, call, false);
	gwbuf_puts(twiml, "<Response><Gather input=\"dtmf\" numDigits=\"1\"");
	if (call->mode == VOICE_PRESS_POUND)
		gwbuf_puts(twiml, " finishOnKey=\"\"");
	gwbuf_puts(twiml, " timeout=\"15\" action=\"");
	gwbuf_escape(twiml, GWESC_XML, action.data);
	gwbuf_puts(twiml,
		   call->mode == VOICE_PRESS_POUND ? "\" method=\"POST\">" : "\" method=\"GET\">");
	say_open(twiml);
	gwbuf_escape(twiml, GWESC_XML, say.data);
	gwbuf_puts(twiml, "</Say></Gather>");
	say_open(twiml);
	gwbuf_escape(twiml, GWESC_XML, _("Goodbye."));
	gwbuf_puts(twiml, "</Say></Response>");
	r = say.overflow || inner.overflow || action.overflow || twiml->overflow ? -EINVAL : 0;
out:
	gwbuf_wipe(&say);
	gwbuf_wipe(&inner);
	gwbuf_wipe(&action);
	return r;
}
