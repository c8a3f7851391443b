/* Message templates: an override file is checked as strictly as a
 * configuration file (UTF-8 text, a known name, known placeholders), so a
 * typo is reported with its line instead of reaching a user. */
#include "common/template.h"
#include "common/template_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "common/validate.h"

#define NAME_MAX_LEN 32
#define SUBJECT_TAG  "Subject:"

int template_fail(const struct template_parse *p, unsigned line, const char *fmt, ...)
{
	char why[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (p->msg && p->msgsz) {
		if (line)
			snprintf(p->msg, p->msgsz, "%s:%u: %s", p->where, line, why);
		else
			snprintf(p->msg, p->msgsz, "%s: %s", p->where, why);
	}
	return -EINVAL;
}

static void put(struct template_out *o, const char *s, size_t n)
{
	if (!o)
		return;
	if (o->overflow || o->len + n >= o->size) {
		o->overflow = true;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

/* A value is data, never structure: control characters become spaces (the
 * body keeps its line breaks and tabs), so no value can add a header line
 * to the subject; invalid UTF-8 becomes '?'. */
static void put_value(struct template_out *o, const char *v, bool subject)
{
	const unsigned char *p = (const unsigned char *)(v ? v : "");
	while (*p) {
		unsigned c = *p;
		if (c < 0x20 || c == 0x7f) {
			char k = (!subject && (c == '\n' || c == '\t')) ? (char)c : ' ';
			put(o, &k, 1);
			p++;
			continue;
		}
		size_t n = c < 0x80		    ? 1
			   : c >= 0xc2 && c <= 0xdf ? 2
			   : c >= 0xe0 && c <= 0xef ? 3
			   : c >= 0xf0 && c <= 0xf4 ? 4
						    : 0;
		if (n == 0 || strnlen((const char *)p, n) < n ||
		    !utf8_text_valid((const char *)p, n, n, NULL)) {
			put(o, "?", 1);
			p++;
			continue;
		}
		put(o, (const char *)p, n);
		p += n;
	}
}

static int var_id(const char *name, size_t n)
{
	for (int i = 0; i < TV_COUNT; i++)
		if (strlen(template_var_names[i]) == n &&
		    memcmp(template_var_names[i], name, n) == 0)
			return i;
	return -1;
}

static const char *var_value(const struct template_parse *p, int id)
{
	for (size_t i = 0; i < p->nvars; i++)
		if (p->vars[i].name && strcmp(p->vars[i].name, template_var_names[id]) == 0)
			return p->vars[i].value;
	return NULL;
}

/* Expand text[0, len) whose first line is line; o NULL only checks. */
static int expand(const struct template_parse *p, const char *text, size_t len, unsigned line,
		  struct template_out *o, bool subject)
{
	size_t i = 0;
	while (i < len) {
		char c = text[i];
		if (c != '{') {
			line += c == '\n';
			put(o, subject && c == '\t' ? " " : &text[i], 1);
			i++;
			continue;
		}
		if (i + 1 < len && text[i + 1] == '{') {
			put(o, "{", 1);
			i += 2;
			continue;
		}
		size_t end = i + 1;
		while (end < len && text[end] != '}' && text[end] != '\n' && text[end] != '{')
			end++;
		if (end >= len || text[end] != '}')
			return template_fail(p, line,
					     "unterminated placeholder (write {{ for a literal {)");
		const char *name = text + i + 1;
		size_t n = end - i - 1;
		int id = var_id(name, n);
		if (id < 0 || !(p->allowed & TV_BIT(id))) {
			char raw[NAME_MAX_LEN + 2], safe[NAME_MAX_LEN + 2];
			snprintf(raw, sizeof(raw), "%.*s",
				 (int)(n < NAME_MAX_LEN ? n : NAME_MAX_LEN), name);
			sanitize_for_log(raw, safe, sizeof(safe));
			return template_fail(p, line, "unknown placeholder {%s}", safe);
		}
		if (o)
			put_value(o, var_value(p, id), subject);
		i = end + 1;
	}
	return 0;
}

/* Check (out NULL) or render text: a "Subject:" line, an empty line and
 * the body; or, for an SMS template, only the body. */
int template_parse_text(const struct template_parse *p, bool sms, const char *text, size_t len,
			struct template_out *subj, struct template_out *body)
{
	size_t start = 0;
	unsigned line = 1;
	bool has_subject = strncasecmp(text, SUBJECT_TAG, strlen(SUBJECT_TAG)) == 0;
	if (sms && has_subject)
		return template_fail(
		    p, 1, "an SMS template has no Subject line: the whole file is the text");
	if (!sms) {
		if (!has_subject)
			return template_fail(p, 1, "the first line must be \"Subject: ...\"");
		const char *nl = memchr(text, '\n', len);
		size_t end = nl ? (size_t)(nl - text) : len;
		size_t s = strlen(SUBJECT_TAG);
		while (s < end && (text[s] == ' ' || text[s] == '\t'))
			s++;
		if (s == end)
			return template_fail(p, 1, "the subject is empty");
		int r = expand(p, text + s, end - s, 1, subj, true);
		if (r < 0)
			return r;
		start = nl ? end + 1 : len;
		line = 2;
		if (start < len && text[start] != '\n')
			return template_fail(p, 2, "an empty line must follow the Subject line");
		if (start < len) {
			start++;
			line = 3;
		}
	}
	int r = expand(p, text + start, len - start, line, body, false);
	if (r < 0)
		return r;
	/* A text message ends where its text does. */
	while (sms && body && body->len > 0 &&
	       (body->buf[body->len - 1] == '\n' || body->buf[body->len - 1] == ' '))
		body->buf[--body->len] = '\0';
	return 0;
}

/* Every line valid UTF-8 without control characters but tabs; CRLF line
 * ends become LF. Works in place; *len shrinks. */
static int clean_text(const struct template_parse *p, char *buf, size_t *len)
{
	if (*len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		memmove(buf, buf + 3, *len - 3);
		*len -= 3;
	}
	size_t in = 0, outp = 0;
	unsigned line = 1;
	while (in < *len) {
		char *nl = memchr(buf + in, '\n', *len - in);
		size_t end = nl ? (size_t)(nl - buf) : *len, n = end - in;
		if (n > 0 && buf[end - 1] == '\r')
			n--;
		if (!utf8_text_valid(buf + in, n, n, "\t"))
			return template_fail(p, line, "not UTF-8 text (or a control character)");
		memmove(buf + outp, buf + in, n);
		outp += n;
		if (nl)
			buf[outp++] = '\n';
		in = end + (nl ? 1 : 0);
		line++;
	}
	*len = outp;
	buf[outp] = '\0';
	return 0;
}

/* The override file: 0 with the text in *out, -ENOENT when there is none,
 * else -EINVAL (or another error) with the reason in msg. */
int template_load_file(const struct template_parse *p, char **out, size_t *len)
{
	int fd = open(p->where, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		int r = -errno;
		if (r != -ENOENT)
			template_fail(p, 0, "cannot open: %s", strerror(-r));
		return r;
	}
	struct stat st;
	char *buf = NULL;
	int r = 0;
	size_t n = 0;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		r = template_fail(p, 0, "not a regular file");
		goto out;
	}
	buf = malloc(TEMPLATE_MAX_SIZE + 2);
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t k = read(fd, buf + n, TEMPLATE_MAX_SIZE + 1 - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			r = template_fail(p, 0, "cannot read: %s", strerror(errno));
			goto out;
		}
		if (k == 0)
			break;
		n += (size_t)k;
		if (n > TEMPLATE_MAX_SIZE) {
			r = template_fail(p, 0, "larger than %d bytes", TEMPLATE_MAX_SIZE);
			goto out;
		}
	}
	buf[n] = '\0';
	r = clean_text(p, buf, &n);
out:
	close(fd);
	if (r < 0) {
		free(buf);
		return r;
	}
	*out = buf;
	*len = n;
	return 0;
}
