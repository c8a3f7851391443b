#include "common/proto.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/util.h"

struct proto_spec {
	enum proto_type type;
	const char *name;
	unsigned nfields;
	size_t max[PROTO_MAX_FIELDS];
};

/* One row per message type: the decoder accepts exactly these shapes. */
static const struct proto_spec specs[] = {
    {PROTO_RESET_START,
     "RESET_START",
     4,
     {PROTO_MAX_USER, PROTO_MAX_SERVICE, PROTO_MAX_RHOST, PROTO_MAX_TTY}},
    {PROTO_ANSWER, "ANSWER", 1, {PROTO_MAX_ANSWER}},
    {PROTO_CANCEL, "CANCEL", 0, {0}},
    {PROTO_ADMIN_ENROLL, "ADMIN_ENROLL", 3, {PROTO_MAX_USER, 16, PROTO_MAX_VALUE}},
    {PROTO_ADMIN_SHOW, "ADMIN_SHOW", 1, {PROTO_MAX_USER}},
    {PROTO_USER_STATUS, "USER_STATUS", 0, {0}},
    {PROTO_POLICY_CHECK,
     "POLICY_CHECK",
     3,
     {PROTO_MAX_USER, PROTO_MAX_PASSWORD, PROTO_MAX_PASSWORD}},
    {PROTO_HISTORY_RECORD, "HISTORY_RECORD", 1, {PROTO_MAX_USER}},
    {PROTO_ADMIN_QUESTIONS,
     "ADMIN_QUESTIONS",
     3,
     {PROTO_MAX_USER, PROTO_MAX_QUESTIONS_TEXT, PROTO_MAX_QUESTIONS_TEXT}},
    {PROTO_REGISTER_START, "REGISTER_START", 2, {PROTO_MAX_KIND, PROTO_MAX_VALUE}},
    {PROTO_ADMIN_CLEAR, "ADMIN_CLEAR", 2, {PROTO_MAX_USER, PROTO_MAX_KIND}},
    {PROTO_ADMIN_UNLOCK, "ADMIN_UNLOCK", 1, {PROTO_MAX_USER}},
    {PROTO_ADMIN_LIST, "ADMIN_LIST", 1, {PROTO_MAX_KIND}},
    {PROTO_ADMIN_AUDIT, "ADMIN_AUDIT", 3, {PROTO_MAX_USER, PROTO_MAX_NUMBER, PROTO_MAX_NUMBER}},
    {PROTO_ADMIN_REPORT, "ADMIN_REPORT", 1, {PROTO_MAX_NUMBER}},
    {PROTO_ADMIN_TEST, "ADMIN_TEST", 2, {PROTO_MAX_KIND, PROTO_MAX_VALUE}},
    {PROTO_REMIND,
     "REMIND",
     4,
     {PROTO_MAX_USER, PROTO_MAX_SERVICE, PROTO_MAX_RHOST, PROTO_MAX_TTY}},
    {PROTO_LANGUAGE, "LANGUAGE", 1, {PROTO_MAX_LANGUAGE}},
    {PROTO_PROMPT_ECHO_ON, "PROMPT_ECHO_ON", 1, {PROTO_MAX_TEXT}},
    {PROTO_PROMPT_ECHO_OFF, "PROMPT_ECHO_OFF", 1, {PROTO_MAX_TEXT}},
    {PROTO_INFO, "INFO", 1, {PROTO_MAX_TEXT}},
    {PROTO_ERROR, "ERROR", 1, {PROTO_MAX_TEXT}},
    {PROTO_END, "END", 1, {2}},
    {PROTO_DATA, "DATA", 1, {PROTO_MAX_TEXT}},
};

static const struct proto_spec *spec_of(unsigned type)
{
	for (size_t i = 0; i < ARRAY_SIZE(specs); i++)
		if ((unsigned)specs[i].type == type)
			return &specs[i];
	return NULL;
}

int proto_field_count(enum proto_type type)
{
	const struct proto_spec *s = spec_of(type);
	return s ? (int)s->nfields : -EINVAL;
}

const char *proto_type_name(enum proto_type type)
{
	const struct proto_spec *s = spec_of(type);
	return s ? s->name : "UNKNOWN";
}

/* Text fields allow newlines (multi-line info and menus); nothing else below
 * 0x20, so a hostile field cannot smuggle terminal escapes. */
static bool field_ok(const struct proto_spec *s, unsigned i, const char *p, size_t len)
{
	const char *allow = s->type >= PROTO_PROMPT_ECHO_ON		? "\n\t"
			    : s->type == PROTO_ADMIN_QUESTIONS && i > 0 ? "\n"
									: "";
	return utf8_text_valid(p, len, s->max[i], allow);
}

void proto_msg_clear(struct proto_msg *m)
{
	if (!m)
		return;
	for (unsigned i = 0; i < PROTO_MAX_FIELDS; i++) {
		if (m->field[i]) {
			secure_zero(m->field[i], m->len[i]);
			free(m->field[i]);
		}
	}
	memset(m, 0, sizeof(*m));
}

int proto_msg_build(struct proto_msg *m, enum proto_type type, unsigned nfields,
		    const char *const *fields)
{
	const struct proto_spec *s = spec_of(type);
	memset(m, 0, sizeof(*m));
	if (!s || s->nfields != nfields)
		return -EINVAL;
	m->type = type;
	m->nfields = nfields;
	for (unsigned i = 0; i < nfields; i++) {
		size_t len = strlen(fields[i]);
		if (len > s->max[i]) {
			proto_msg_clear(m);
			return -E2BIG;
		}
		if (!field_ok(s, i, fields[i], len)) {
			proto_msg_clear(m);
			return -EINVAL;
		}
		m->field[i] = malloc(len + 1);
		if (!m->field[i]) {
			proto_msg_clear(m);
			return -ENOMEM;
		}
		memcpy(m->field[i], fields[i], len + 1);
		m->len[i] = len;
	}
	return 0;
}

int proto_msg_text(struct proto_msg *m, enum proto_type type, const char *text)
{
	return proto_msg_build(m, type, 1, &text);
}

int proto_msg_end(struct proto_msg *m, enum proto_status status)
{
	char buf[4];
	snprintf(buf, sizeof(buf), "%u", (unsigned)status);
	const char *f = buf;
	return proto_msg_build(m, PROTO_END, 1, &f);
}

int proto_end_status(const struct proto_msg *m, enum proto_status *out)
{
	if (m->type != PROTO_END || m->nfields != 1 || m->len[0] < 1 || m->len[0] > 2)
		return -EPROTO;
	unsigned v = 0;
	for (size_t i = 0; i < m->len[0]; i++) {
		char c = m->field[0][i];
		if (c < '0' || c > '9' || (i == 0 && c == '0' && m->len[0] > 1))
			return -EPROTO;
		v = v * 10 + (unsigned)(c - '0');
	}
	if (v > PROTO_STATUS_MAX)
		return -EPROTO;
	*out = (enum proto_status)v;
	return 0;
}

int proto_encode(const struct proto_msg *m, uint8_t *buf, size_t bufsz, size_t *out_len)
{
	const struct proto_spec *s = spec_of(m->type);
	if (!s || m->nfields != s->nfields)
		return -EINVAL;
	size_t body = 0;
	for (unsigned i = 0; i < m->nfields; i++) {
		if (m->len[i] > s->max[i])
			return -E2BIG;
		body += 2 + m->len[i];
	}
	if (body > PROTO_MAX_BODY)
		return -EMSGSIZE;
	if (bufsz < PROTO_HEADER_SIZE + body)
		return -ENOBUFS;
	buf[0] = PROTO_MAGIC0;
	buf[1] = PROTO_MAGIC1;
	buf[2] = PROTO_VERSION;
	buf[3] = (uint8_t)m->type;
	buf[4] = (uint8_t)(body >> 24);
	buf[5] = (uint8_t)(body >> 16);
	buf[6] = (uint8_t)(body >> 8);
	buf[7] = (uint8_t)body;
	size_t off = PROTO_HEADER_SIZE;
	for (unsigned i = 0; i < m->nfields; i++) {
		buf[off++] = (uint8_t)(m->len[i] >> 8);
		buf[off++] = (uint8_t)m->len[i];
		memcpy(buf + off, m->field[i], m->len[i]);
		off += m->len[i];
	}
	*out_len = off;
	return 0;
}

int proto_decode_header(const uint8_t hdr[PROTO_HEADER_SIZE], enum proto_type *type,
			uint32_t *body_len)
{
	if (hdr[0] != PROTO_MAGIC0 || hdr[1] != PROTO_MAGIC1 || hdr[2] != PROTO_VERSION)
		return -EPROTO;
	if (!spec_of(hdr[3]))
		return -EPROTO;
	uint32_t len =
	    (uint32_t)hdr[4] << 24 | (uint32_t)hdr[5] << 16 | (uint32_t)hdr[6] << 8 | hdr[7];
	if (len > PROTO_MAX_BODY)
		return -EMSGSIZE;
	*type = (enum proto_type)hdr[3];
	*body_len = len;
	return 0;
}

int proto_decode_body(enum proto_type type, const uint8_t *body, size_t len, struct proto_msg *out)
{
	const struct proto_spec *s = spec_of(type);
	memset(out, 0, sizeof(*out));
	if (!s || len > PROTO_MAX_BODY)
		return -EPROTO;
	out->type = type;
	size_t off = 0;
	for (unsigned i = 0; i < s->nfields; i++) {
		if (len - off < 2)
			goto bad;
		size_t flen = (size_t)body[off] << 8 | body[off + 1];
		off += 2;
		if (flen > len - off || flen > s->max[i] ||
		    !field_ok(s, i, (const char *)body + off, flen))
			goto bad;
		out->field[i] = malloc(flen + 1);
		if (!out->field[i]) {
			proto_msg_clear(out);
			return -ENOMEM;
		}
		memcpy(out->field[i], body + off, flen);
		out->field[i][flen] = '\0';
		out->len[i] = flen;
		out->nfields = i + 1;
		off += flen;
	}
	/* Trailing bytes mean the peer speaks something else: refuse. */
	if (off != len)
		goto bad;
	out->nfields = s->nfields;
	return 0;
bad:
	proto_msg_clear(out);
	return -EPROTO;
}

static int wait_fd(int fd, short events, int64_t deadline)
{
	for (;;) {
		int timeout = -1;
		if (deadline >= 0) {
			int64_t left = deadline - now_ms();
			if (left <= 0)
				return -ETIMEDOUT;
			timeout = left > 1000000 ? 1000000 : (int)left;
		}
		struct pollfd p = {.fd = fd, .events = events};
		int r = poll(&p, 1, timeout);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			continue;
		return 0;
	}
}

static int read_exact(int fd, uint8_t *buf, size_t n, int64_t deadline)
{
	size_t got = 0;
	while (got < n) {
		int r = wait_fd(fd, POLLIN, deadline);
		if (r < 0)
			return r;
		ssize_t k = recv(fd, buf + got, n - got, MSG_DONTWAIT);
		if (k < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (k < 0)
			return -errno;
		if (k == 0)
			return -ECONNRESET;
		got += (size_t)k;
	}
	return 0;
}

int proto_write(int fd, const struct proto_msg *m, int timeout_ms)
{
	uint8_t buf[PROTO_HEADER_SIZE + PROTO_MAX_BODY];
	size_t len = 0;
	int r = proto_encode(m, buf, sizeof(buf), &len);
	if (r < 0)
		return r;
	int64_t deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	size_t sent = 0;
	while (sent < len) {
		r = wait_fd(fd, POLLOUT, deadline);
		if (r < 0)
			break;
		ssize_t k = send(fd, buf + sent, len - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (k < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (k < 0) {
			r = -errno;
			break;
		}
		sent += (size_t)k;
	}
	secure_zero(buf, len);
	return sent == len ? 0 : r;
}

int proto_read(int fd, struct proto_msg *m, int timeout_ms)
{
	uint8_t hdr[PROTO_HEADER_SIZE];
	uint8_t body[PROTO_MAX_BODY];
	enum proto_type type;
	uint32_t len;
	int64_t deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	memset(m, 0, sizeof(*m));
	int r = read_exact(fd, hdr, sizeof(hdr), deadline);
	if (r < 0)
		return r;
	r = proto_decode_header(hdr, &type, &len);
	if (r < 0)
		return r;
	r = read_exact(fd, body, len, deadline);
	if (r == 0)
		r = proto_decode_body(type, body, len, m);
	secure_zero(body, len);
	return r;
}
