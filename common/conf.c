/* /etc/sspr.conf parser. The file is read whole and fed to inih one line at a
 * time by our own reader, so every error carries an exact line number even
 * though Debian builds inih without INI_HANDLER_LINENO. */
#include "common/conf.h"
#include "common/conf_keys.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <strings.h>

#include "common/method.h"
#include "common/phone.h"
#include "common/util.h"
#include "common/validate.h"

#define CONF_MAX_SIZE (64 * 1024)
#define CONF_LINE_MAX 199

struct parser {
	struct sspr_conf *c;
	const char *path;
	char *err;
	size_t errsz;
	/* reader state */
	const char *pos, *end;
	unsigned line;
	/* first error we found ourselves; 0: none */
	unsigned err_line;
	int r;
	unsigned seen[CONF_MAX_KEYS]; /* line a key was set on */
};

static void __attribute__((format(printf, 3, 4)))
fail(struct parser *p, unsigned line, const char *fmt, ...)
{
	if (p->err_line)
		return;
	p->err_line = line;
	if (p->r == 0)
		p->r = -EINVAL;
	if (!p->err || p->errsz == 0)
		return;
	int n = snprintf(p->err, p->errsz, "%s:%u: ", p->path, line);
	if (n < 0 || (size_t)n >= p->errsz)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errsz - (size_t)n, fmt, ap);
	va_end(ap);
}

/* Names quoted in messages come from the file and may hold anything. */
static const char *safe(const char *in, char *buf, size_t bufsz)
{
	sanitize_for_log(in, buf, bufsz);
	return buf;
}

static bool section_known(const char *name)
{
	for (size_t i = 0; i < conf_key_count; i++)
		if (strcmp(conf_keys[i].section, name) == 0)
			return true;
	return false;
}

/* Mirrors how inih reads "[name]" (up to ']' or a ';' after whitespace), so
 * the section we check is the one inih will use. A missing ']' is left for
 * inih to report as a syntax error. */
static void check_section_line(struct parser *p, const char *s, size_t len)
{
	size_t i = 1;
	bool was_space = false;
	while (i < len && s[i] != ']' && !(was_space && s[i] == ';')) {
		was_space = isspace((unsigned char)s[i]);
		i++;
	}
	if (i >= len || s[i] != ']')
		return;
	char name[CONF_LINE_MAX + 1], shown[64];
	memcpy(name, s + 1, i - 1);
	name[i - 1] = '\0';
	size_t j = i + 1;
	while (j < len && isspace((unsigned char)s[j]))
		j++;
	bool blank = true;
	for (const char *q = name; *q; q++)
		blank = blank && isspace((unsigned char)*q);
	if (blank)
		fail(p, p->line, "empty section name");
	else if (!section_known(name))
		fail(p, p->line, "unknown section [%s]", safe(name, shown, sizeof(shown)));
	else if (j < len && s[j] != ';' && s[j] != '#')
		fail(p, p->line, "unexpected text after [%s]", name);
}

/* Hands inih exactly one line per call. Lines we reject are replaced by an
 * empty line so inih's line count stays in step with ours. */
static char *conf_reader(char *str, int num, void *stream)
{
	struct parser *p = stream;
	if (p->pos >= p->end || num < 2)
		return NULL;
	const char *s = p->pos;
	const char *nl = memchr(s, '\n', (size_t)(p->end - s));
	size_t len = nl ? (size_t)(nl - s) : (size_t)(p->end - s);
	p->pos = nl ? nl + 1 : p->end;
	p->line++;
	str[0] = '\0';

	size_t max = (size_t)num - 1 < CONF_LINE_MAX ? (size_t)num - 1 : CONF_LINE_MAX;
	if (len > max) {
		fail(p, p->line, "line too long (at most %zu bytes)", max);
		return str;
	}
	if (memchr(s, '\0', len)) {
		fail(p, p->line, "NUL byte in line");
		return str;
	}
	const char *t = s;
	if (p->line == 1 && len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		t += 3;
	const char *e = s + len;
	if (t < e && isspace((unsigned char)*t)) {
		/* inih would append an indented line to the previous value
		 * (INI_ALLOW_MULTILINE); that silently changes meaning. */
		while (t < e && isspace((unsigned char)*t))
			t++;
		if (t < e && *t != ';' && *t != '#') {
			fail(
			    p, p->line,
			    "continuation lines are not supported (remove the leading whitespace)");
			return str;
		}
	} else if (t < e && *t == '[') {
		check_section_line(p, t, (size_t)(e - t));
	}
	memcpy(str, s, len);
	str[len] = '\0';
	return str;
}

static int parse_uint(const char *v, unsigned long long min, unsigned long long max, unsigned *out)
{
	unsigned long long n = 0;
	if (!*v)
		return -EINVAL;
	for (const char *q = v; *q; q++) {
		if (*q < '0' || *q > '9')
			return -EINVAL;
		n = n * 10 + (unsigned)(*q - '0');
		if (n > max)
			return -ERANGE;
	}
	if (n < min)
		return -ERANGE;
	*out = (unsigned)n;
	return 0;
}

static int parse_bool(const char *v, bool *out)
{
	/* Pairs of false, true. */
	static const char *const words[] = {"no", "yes", "false", "true", "off", "on", "0", "1"};
	for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
		if (strcasecmp(v, words[i]) == 0) {
			*out = i % 2 == 1;
			return 0;
		}
	}
	return -EINVAL;
}

static bool path_valid(const char *v, size_t max)
{
	return v[0] == '/' && utf8_text_valid(v, strlen(v), max, NULL);
}

/* scheme://host[...] for one of the schemes, printable ASCII without
 * spaces, at most max bytes. */
static bool url_valid(const char *v, size_t max, const char *const *schemes)
{
	if (strlen(v) > max)
		return false;
	size_t skip = 0;
	for (size_t i = 0; schemes[i] && !skip; i++)
		if (strncmp(v, schemes[i], strlen(schemes[i])) == 0)
			skip = strlen(schemes[i]);
	if (!skip || v[skip] == '\0' || v[skip] == '/')
		return false;
	for (const char *q = v; *q; q++)
		if ((unsigned char)*q <= 0x20 || (unsigned char)*q >= 0x7f)
			return false;
	return true;
}

static const char *const smtp_schemes[] = {"smtp://", "smtps://", NULL};
static const char *const http_schemes[] = {"https://", "http://", NULL};
static const char *const ldap_schemes[] = {"ldaps://", "ldap://", NULL};

static int oom(struct parser *p)
{
	p->r = -ENOMEM;
	fail(p, p->line, "out of memory");
	return -ENOMEM;
}

static int set_string(struct parser *p, char **field, const char *v)
{
	char *d = NULL;
	if (*v) {
		d = strdup(v);
		if (!d)
			return oom(p);
	}
	free(*field);
	*field = d;
	return 0;
}

static int parse_choice(const struct conf_key *k, const char *v, int *out)
{
	for (int i = 0; k->choices[i]; i++) {
		if (strcmp(v, k->choices[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	return -EINVAL;
}

/* host:port with a numeric port; the host is resolved when listening. */
static bool listen_valid(const char *v)
{
	const char *colon = strrchr(v, ':');
	if (!colon || colon == v || strlen(v) > 255)
		return false;
	unsigned port = 0;
	for (const char *q = colon + 1; *q; q++) {
		if (*q < '0' || *q > '9' || (port = port * 10 + (unsigned)(*q - '0')) > 65535)
			return false;
	}
	for (const char *q = v; q < colon; q++)
		if ((unsigned char)*q <= 0x20 || (unsigned char)*q >= 0x7f)
			return false;
	return colon[1] != '\0' && port > 0;
}

/* Strings stored as they are written, once checked. */
static bool string_ok(const struct conf_key *k, const char *v)
{
	size_t len = strlen(v);
	switch (k->type) {
	case CT_TEXT:
		return len > 0 && utf8_text_valid(v, len, k->max, NULL);
	case CT_OPT_TEXT:
		return utf8_text_valid(v, len, k->max, NULL);
	case CT_PATH:
		return path_valid(v, k->max);
	case CT_OPT_PATH:
		return len == 0 || path_valid(v, k->max);
	case CT_LANGUAGE:
		return language_name_valid(v);
	case CT_OPT_LDAP_URL:
		return len == 0 || url_valid(v, k->max, ldap_schemes);
	case CT_OPT_LDAP_ATTR:
		return len == 0 || ldap_attr_name_valid(v);
	case CT_LDAP_FILTER:
		return ldap_filter_template_valid(v, k->max);
	case CT_SMTP_URL:
		return url_valid(v, k->max, smtp_schemes);
	case CT_ADDRESS:
		return sender_valid(v);
	case CT_HTTP_URL:
		return url_valid(v, k->max, http_schemes);
	case CT_OPT_HTTP_URL:
		return len == 0 || url_valid(v, k->max, http_schemes);
	case CT_OPT_PHONE:
		return len == 0 || phone_valid(v);
	case CT_OPT_LISTEN:
		return len == 0 || listen_valid(v);
	default:
		return false;
	}
}

static void expected(struct parser *p, const struct conf_key *k)
{
	/* what: the expected form; tail set: the form has a size limit. */
	static const struct {
		const char *what, *tail;
	} forms[] = {
	    [CT_BOOL] = {"yes or no (or true/false, on/off, 1/0)", NULL},
	    [CT_TEXT] = {"non-empty UTF-8 text", " without control characters"},
	    [CT_OPT_TEXT] = {"UTF-8 text", " without control characters"},
	    [CT_PATH] = {"an absolute path", ""},
	    [CT_OPT_PATH] = {"an absolute path", ""},
	    [CT_LANGUAGE] = {"a language such as en or zh_TW", NULL},
	    [CT_OPT_LDAP_URL] = {"ldap://host[:port] or ldaps://host[:port]", ", without spaces"},
	    [CT_OPT_LDAP_ATTR] = {"an LDAP attribute name (a letter, then letters, digits or -)",
				  NULL},
	    [CT_LDAP_FILTER] = {"a filter in parentheses with exactly one %s (the user name)",
				", printable ASCII"},
	    [CT_HTTP_URL] = {"http://host[/path] or https://host[/path]", ", without spaces"},
	    [CT_OPT_HTTP_URL] = {"http://host[/path] or https://host[/path]", ", without spaces"},
	    [CT_OPT_PHONE] = {"an E.164 number such as +15550100 (+, then 8 to 15 digits)", NULL},
	    [CT_OPT_LISTEN] = {"host:port, such as 127.0.0.1:8089", NULL},
	    [CT_SMTP_URL] = {"smtp://host[:port] or smtps://host[:port]", ", without spaces"},
	    [CT_ADDRESS] = {"an address like sspr@example.org or sspr@localhost", NULL},
	};
	if (k->expect) {
		fail(p, p->line, "%s: %s", k->key, k->expect);
	} else if (k->type == CT_CHOICE) {
		char words[160] = "";
		for (size_t i = 0; k->choices[i]; i++)
			snprintf(words + strlen(words), sizeof(words) - strlen(words), "%s%s",
				 i == 0		     ? ""
				 : k->choices[i + 1] ? ", "
						     : " or ",
				 k->choices[i]);
		fail(p, p->line, "%s: expected %s", k->key, words);
	} else if (k->type == CT_UINT)
		fail(p, p->line, "%s: expected a number from %llu to %llu", k->key, k->min, k->max);
	else if (k->type >= ARRAY_SIZE(forms) || !forms[k->type].what)
		fail(p, p->line, "%s: invalid value", k->key);
	else if (forms[k->type].tail)
		fail(p, p->line, "%s: expected %s of at most %llu bytes%s", k->key,
		     forms[k->type].what, k->max, forms[k->type].tail);
	else
		fail(p, p->line, "%s: expected %s", k->key, forms[k->type].what);
}

static int conf_handler(void *user, const char *section, const char *name, const char *value)
{
	struct parser *p = user;
	char shown[64], shown_sec[64];
	if (p->err_line)
		return 0;
	if (!*section) {
		fail(p, p->line, "key '%s' is outside of any [section]",
		     safe(name, shown, sizeof(shown)));
		return 0;
	}
	size_t i;
	for (i = 0; i < conf_key_count; i++)
		if (strcmp(conf_keys[i].section, section) == 0 &&
		    strcmp(conf_keys[i].key, name) == 0)
			break;
	if (i == conf_key_count) {
		fail(p, p->line, "unknown key '%s' in section [%s]",
		     safe(name, shown, sizeof(shown)), safe(section, shown_sec, sizeof(shown_sec)));
		return 0;
	}
	const struct conf_key *k = &conf_keys[i];
	if (p->seen[i]) {
		fail(p, p->line, "duplicate key '%s' in section [%s] (first set on line %u)",
		     k->key, k->section, p->seen[i]);
		return 0;
	}
	p->seen[i] = p->line;
	void *field = (char *)p->c + k->offset;
	int r = 0;
	bool ok = true;
	char msg[192];
	switch (k->type) {
	case CT_GROUPS:
	case CT_METHODS:
	case CT_PREFIXES:
	case CT_QPOOL:
	case CT_ADDRESSES:
		r = conf_list_parse(k, field, value, msg, sizeof(msg));
		if (r == -ENOMEM)
			oom(p);
		else if (r < 0)
			fail(p, p->line, "%s: %s", k->key, msg);
		break;
	case CT_BOOL:
		ok = parse_bool(value, field) == 0;
		break;
	case CT_UINT:
		ok = parse_uint(value, k->min, k->max, field) == 0;
		break;
	case CT_CHOICE:
		ok = parse_choice(k, value, field) == 0;
		break;
	default:
		ok = string_ok(k, value);
		if (ok)
			r = set_string(p, field, value);
		break;
	}
	if (!ok)
		expected(p, k);
	return !p->err_line && r == 0;
}

static bool is_string(enum conf_type t)
{
	return t == CT_TEXT || t == CT_OPT_TEXT || t == CT_PATH || t == CT_OPT_PATH ||
	       t == CT_SMTP_URL || t == CT_ADDRESS || t == CT_HTTP_URL || t == CT_OPT_HTTP_URL ||
	       t == CT_OPT_PHONE || t == CT_OPT_LISTEN || t == CT_LANGUAGE ||
	       t == CT_OPT_LDAP_URL || t == CT_OPT_LDAP_ATTR || t == CT_LDAP_FILTER;
}

static bool is_list(enum conf_type t)
{
	return t == CT_GROUPS || t == CT_PREFIXES || t == CT_QPOOL || t == CT_ADDRESSES;
}

static size_t list_slots(enum conf_type t)
{
	return t == CT_GROUPS	   ? CONF_MAX_GROUPS
	       : t == CT_PREFIXES  ? CONF_MAX_PREFIXES
	       : t == CT_ADDRESSES ? CONF_MAX_ADMINS
				   : CONF_MAX_QUESTIONS;
}

int conf_init_defaults(struct sspr_conf *c)
{
	*c = (struct sspr_conf){
	    .enabled = true,
	    .min_uid = 1000,
	    .max_connections = 64,
	    .dialogue_timeout = 900,
	    .answer_timeout = 300,
	    .hash_method = HASH_YESCRYPT,
	    .methods = METHOD_BIT(METHOD_EMAIL),
	    .required = 1,
	    .code_ttl = 600,
	    .code_attempts = 5,
	    .smtp_timeout = 30,
	    .notify_on_reset = true,
	    .gw_provider = GATEWAY_TWILIO,
	    .gw_timeout = 10,
	    .gw_retries = 1,
	    .gw_body_format = BODY_FORM,
	    .voice_mode = VOICE_SPEAK_CODE,
	    .office_source = OFFICE_FROM_STORE,
	    .voice_confirm_timeout = 60,
	    .questions_custom = true,
	    .questions_register = 5,
	    .questions_answer = 3,
	    .questions_min_length = 3,
	    .min_length = 12,
	    .max_length = 256,
	    .pwquality = true,
	    .history = 5,
	    .audit_days = 365,
	    .codes_per_hour = 5,
	    .codes_per_day = 20,
	    .failures = 10,
	    .lockout_minutes = 60,
	    .dialogues_per_hour = 10,
	    .source_dialogues_per_hour = 30,
	    .source_failures_per_hour = 20,
	    .sends_per_hour = 100,
	    .sends_per_day = 1000,
	    .remind = true,
	};
	for (size_t i = 0; i < conf_key_count; i++) {
		const struct conf_key *k = &conf_keys[i];
		if (!k->def)
			continue;
		char **field = (char **)((char *)c + k->offset);
		*field = strdup(k->def);
		if (!*field) {
			conf_free(c);
			return -ENOMEM;
		}
	}
	return 0;
}

int conf_load(struct sspr_conf *c, const char *path, char *err, size_t errsz)
{
	char *buf = NULL;
	size_t len = 0;
	if (err && errsz)
		err[0] = '\0';
	int r = read_small_file(path, CONF_MAX_SIZE, &buf, &len);
	if (r < 0) {
		if (err && errsz)
			snprintf(err, errsz, "%s: %s", path,
				 r == -EFBIG ? "file too large" : strerror(-r));
		return r;
	}
	struct parser p = {
	    .c = c,
	    .path = path,
	    .err = err,
	    .errsz = errsz,
	    .pos = buf,
	    .end = buf + len,
	};
	int line = ini_parse_stream(conf_reader, &p, conf_handler, &p);
	if (line < 0) {
		/* Only allocation failure (-2) is possible with a custom reader. */
		r = -ENOMEM;
		if (err && errsz)
			snprintf(err, errsz, "%s: out of memory", path);
		goto out;
	}
	if (line > 0 && p.r != -ENOMEM && (p.err_line == 0 || (unsigned)line < p.err_line)) {
		p.err_line = 0;
		p.r = 0;
		fail(&p, (unsigned)line, "syntax error (expected key = value or [section])");
	}
	r = p.r;
	if (r < 0)
		goto out;
	char msg[192];
	r = conf_check_consistency(c, msg, sizeof(msg));
	if (r < 0 && err && errsz)
		snprintf(err, errsz, "%s: %s", path, msg);
out:
	free(buf);
	return r;
}

void conf_free(struct sspr_conf *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < conf_key_count; i++) {
		const struct conf_key *k = &conf_keys[i];
		void *field = (char *)c + k->offset;
		if (is_string(k->type))
			free(*(char **)field);
		else if (is_list(k->type))
			conf_list_free(field, list_slots(k->type));
	}
	memset(c, 0, sizeof(*c));
}
