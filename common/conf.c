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

#include "common/util.h"
#include "common/validate.h"

#define CONF_MAX_SIZE (64 * 1024)
#define CONF_LINE_MAX 199
#define LIST_SEPS     ", \t"

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

static bool smtp_url_valid(const char *v, size_t max)
{
	size_t len = strlen(v), skip;
	if (len > max)
		return false;
	if (strncmp(v, "smtp://", 7) == 0)
		skip = 7;
	else if (strncmp(v, "smtps://", 8) == 0)
		skip = 8;
	else
		return false;
	if (v[skip] == '\0' || v[skip] == '/')
		return false;
	for (const char *q = v; *q; q++)
		if ((unsigned char)*q <= 0x20 || (unsigned char)*q >= 0x7f)
			return false;
	return true;
}

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

static int set_groups(struct parser *p, const struct conf_key *k, char **groups, const char *v)
{
	char copy[CONF_LINE_MAX + 1], shown[64];
	char *list[CONF_MAX_GROUPS] = {NULL};
	size_t n = 0;
	int r = 0;
	snprintf(copy, sizeof(copy), "%s", v);
	char *save = NULL;
	for (char *tok = strtok_r(copy, LIST_SEPS, &save); tok;
	     tok = strtok_r(NULL, LIST_SEPS, &save)) {
		if (!username_valid(tok)) {
			fail(p, p->line, "%s: invalid group name '%s'", k->key,
			     safe(tok, shown, sizeof(shown)));
			r = -EINVAL;
			goto out;
		}
		/* One slot stays NULL: the array is NULL-terminated. */
		if (n == CONF_MAX_GROUPS - 1) {
			fail(p, p->line, "%s: at most %d groups", k->key, CONF_MAX_GROUPS - 1);
			r = -EINVAL;
			goto out;
		}
		list[n] = strdup(tok);
		if (!list[n]) {
			r = oom(p);
			goto out;
		}
		n++;
	}
	for (size_t i = 0; i < CONF_MAX_GROUPS; i++) {
		free(groups[i]);
		groups[i] = list[i];
		list[i] = NULL;
	}
out:
	for (size_t i = 0; i < CONF_MAX_GROUPS; i++)
		free(list[i]);
	return r;
}

static int set_methods(struct parser *p, bool *email, const char *v)
{
	char copy[CONF_LINE_MAX + 1], shown[64];
	bool any = false;
	snprintf(copy, sizeof(copy), "%s", v);
	char *save = NULL;
	for (char *tok = strtok_r(copy, LIST_SEPS, &save); tok;
	     tok = strtok_r(NULL, LIST_SEPS, &save)) {
		if (strcmp(tok, "email") != 0) {
			fail(p, p->line, "unknown method '%s' (supported: email)",
			     safe(tok, shown, sizeof(shown)));
			return -EINVAL;
		}
		any = true;
	}
	if (!any) {
		fail(p, p->line, "enabled: at least one method is required (supported: email)");
		return -EINVAL;
	}
	*email = true;
	return 0;
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
	case CT_BACKEND:
		return strcmp(v, "shadow") == 0;
	case CT_SMTP_URL:
		return smtp_url_valid(v, k->max);
	case CT_ADDRESS:
		return sender_valid(v);
	default:
		return false;
	}
}

static int parse_hash(const char *v, enum hash_method *out)
{
	if (strcmp(v, "yescrypt") == 0)
		*out = HASH_YESCRYPT;
	else if (strcmp(v, "sha512") == 0)
		*out = HASH_SHA512;
	else
		return -EINVAL;
	return 0;
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
	    [CT_BACKEND] = {"shadow (the only backend available)", NULL},
	    [CT_HASH] = {"yescrypt or sha512", NULL},
	    [CT_SMTP_URL] = {"smtp://host[:port] or smtps://host[:port]", ", without spaces"},
	    [CT_ADDRESS] = {"an address like sspr@example.org or sspr@localhost", NULL},
	};
	if (k->expect)
		fail(p, p->line, "%s: %s", k->key, k->expect);
	else if (k->type == CT_UINT)
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
	switch (k->type) {
	case CT_GROUPS:
		r = set_groups(p, k, field, value);
		break;
	case CT_METHODS:
		r = set_methods(p, field, value);
		break;
	case CT_BOOL:
		ok = parse_bool(value, field) == 0;
		break;
	case CT_UINT:
		ok = parse_uint(value, k->min, k->max, field) == 0;
		break;
	case CT_HASH:
		ok = parse_hash(value, field) == 0;
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

int conf_init_defaults(struct sspr_conf *c)
{
	*c = (struct sspr_conf){
	    .enabled = true,
	    .min_uid = 1000,
	    .max_connections = 64,
	    .dialogue_timeout = 900,
	    .answer_timeout = 300,
	    .hash_method = HASH_YESCRYPT,
	    .method_email = true,
	    .required = 1,
	    .code_ttl = 600,
	    .code_attempts = 5,
	    .smtp_timeout = 30,
	    .notify_on_reset = true,
	    .min_length = 12,
	    .max_length = 256,
	    .pwquality = true,
	    .history = 5,
	};
	c->helpdesk = strdup("Contact your system administrator.");
	c->socket_path = strdup("/run/sspr/ssprd.sock");
	c->state_dir = strdup("/var/lib/sspr");
	c->backend_type = strdup("shadow");
	c->shadow_file = strdup("/etc/shadow");
	c->smtp_url = strdup("smtp://localhost");
	c->mail_from = strdup("sspr@localhost");
	c->pwquality_conf = strdup("/etc/security/pwquality.conf");
	c->opasswd = strdup("/etc/security/opasswd");
	if (!c->helpdesk || !c->socket_path || !c->state_dir || !c->backend_type ||
	    !c->shadow_file || !c->smtp_url || !c->mail_from || !c->pwquality_conf || !c->opasswd) {
		conf_free(c);
		return -ENOMEM;
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
	if (!c->smtp_username != !c->smtp_password_file) {
		if (err && errsz)
			snprintf(err, errsz, "%s: [email] username and password_file go together",
				 path);
		r = -EINVAL;
	} else if (c->min_length > c->max_length) {
		if (err && errsz)
			snprintf(err, errsz,
				 "%s: [policy] min_length (%u) is larger than max_length (%u)",
				 path, c->min_length, c->max_length);
		r = -EINVAL;
	}
out:
	free(buf);
	return r;
}

void conf_free(struct sspr_conf *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < CONF_MAX_GROUPS; i++)
		free(c->enabled_groups[i]);
	free(c->helpdesk);
	free(c->socket_path);
	free(c->state_dir);
	free(c->backend_type);
	free(c->shadow_file);
	free(c->smtp_url);
	free(c->smtp_username);
	free(c->smtp_password_file);
	free(c->mail_from);
	free(c->pwquality_conf);
	free(c->organisation);
	free(c->opasswd);
	free(c->breached_list);
	memset(c, 0, sizeof(*c));
}
