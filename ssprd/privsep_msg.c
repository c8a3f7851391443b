#include "ssprd/privsep_msg.h"

#include <errno.h>
#include <string.h>

#include "common/util.h"

enum field_kind { F_TEXT = 1, F_NUM };

struct field_spec {
	enum field_kind kind;
	uint32_t max; /* bytes of text, or the largest number */
};

struct msg_spec {
	enum privsep_type type;
	const char *name;
	unsigned nfields;
	struct field_spec f[PRIVSEP_MAX_FIELDS];
};

#define USER                                                                                       \
	{                                                                                          \
		F_TEXT, PRIVSEP_MAX_USER                                                           \
	}
#define PASSWORD                                                                                   \
	{                                                                                          \
		F_TEXT, PRIVSEP_MAX_PASSWORD                                                       \
	}
#define ERRNO                                                                                      \
	{                                                                                          \
		F_NUM, PRIVSEP_MAX_ERRNO                                                           \
	}

/* One row per type: the decoder accepts exactly these shapes. */
static const struct msg_spec specs[] = {
    {PRIVSEP_CHANNEL, "CHANNEL", 0, {{0}}},
    {PRIVSEP_READY, "READY", 0, {{0}}},
    {PRIVSEP_STOP, "STOP", 0, {{0}}},
    {PRIVSEP_ACCOUNT_STATE, "ACCOUNT_STATE", 1, {USER}},
    {PRIVSEP_CURRENT_HASH, "CURRENT_HASH", 1, {USER}},
    {PRIVSEP_VERIFY_PASSWORD, "VERIFY_PASSWORD", 2, {USER, PASSWORD}},
    {PRIVSEP_MARK_VERIFIED, "MARK_VERIFIED", 1, {USER}},
    {PRIVSEP_SET_PASSWORD, "SET_PASSWORD", 2, {USER, PASSWORD}},
    {PRIVSEP_FAILLOCK_RECORDS, "FAILLOCK_RECORDS", 1, {USER}},
    {PRIVSEP_UNLOCK, "UNLOCK", 1, {USER}},
    {PRIVSEP_AUDIT_LOG,
     "AUDIT_LOG",
     5,
     {{F_TEXT, PRIVSEP_MAX_OP},
      USER,
      {F_TEXT, PRIVSEP_MAX_RHOST},
      {F_TEXT, PRIVSEP_MAX_TTY},
      {F_NUM, 1}}},
    {PRIVSEP_OPASSWD_MATCH, "OPASSWD_MATCH", 2, {USER, PASSWORD}},
    {PRIVSEP_R_STATUS, "R_STATUS", 1, {ERRNO}},
    {PRIVSEP_R_VALUE, "R_VALUE", 2, {ERRNO, {F_NUM, UINT32_MAX}}},
    {PRIVSEP_R_HASH, "R_HASH", 2, {ERRNO, {F_TEXT, PRIVSEP_MAX_HASH}}},
    {PRIVSEP_R_BUSY, "R_BUSY", 0, {{0}}},
};

static const struct msg_spec *spec_of(unsigned type)
{
	for (size_t i = 0; i < ARRAY_SIZE(specs); i++)
		if ((unsigned)specs[i].type == type)
			return &specs[i];
	return NULL;
}

const char *privsep_type_name(enum privsep_type type)
{
	const struct msg_spec *s = spec_of(type);
	return s ? s->name : "UNKNOWN";
}

int privsep_field_count(enum privsep_type type)
{
	const struct msg_spec *s = spec_of(type);
	return s ? (int)s->nfields : -EINVAL;
}

void privsep_msg_clear(struct privsep_msg *m)
{
	if (m)
		secure_zero(m, sizeof(*m));
}

int privsep_msg_init(struct privsep_msg *m, enum privsep_type type)
{
	memset(m, 0, offsetof(struct privsep_msg, store));
	if (!spec_of(type))
		return -EINVAL;
	m->type = type;
	return 0;
}

/* The next field's spec when it is of kind k, else NULL. */
static const struct field_spec *next_field(const struct privsep_msg *m, enum field_kind k)
{
	const struct msg_spec *s = spec_of(m->type);
	if (!s || m->nfields >= s->nfields || s->f[m->nfields].kind != k)
		return NULL;
	return &s->f[m->nfields];
}

static int put_text(struct privsep_msg *m, const struct field_spec *f, const char *s, size_t n)
{
	if (n > f->max)
		return -E2BIG;
	if (!utf8_text_valid(s, n, f->max, ""))
		return -EINVAL;
	char *dst = m->store + m->used;
	memcpy(dst, s, n);
	dst[n] = '\0';
	m->text[m->nfields] = dst;
	m->len[m->nfields] = n;
	m->used += n + 1;
	m->nfields++;
	return 0;
}

int privsep_msg_add_text(struct privsep_msg *m, const char *s)
{
	const struct field_spec *f = next_field(m, F_TEXT);
	if (!f || !s)
		return -EINVAL;
	size_t n = strnlen(s, (size_t)f->max + 1);
	/* Every field within its limit fits the store: the limits of one
	 * type add up to less than PRIVSEP_MAX_BODY. */
	return put_text(m, f, s, n);
}

int privsep_msg_add_num(struct privsep_msg *m, uint32_t v)
{
	const struct field_spec *f = next_field(m, F_NUM);
	if (!f)
		return -EINVAL;
	if (v > f->max)
		return -E2BIG;
	m->num[m->nfields++] = v;
	return 0;
}

static void put_u16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

int privsep_msg_encode(const struct privsep_msg *m, uint8_t *buf, size_t bufsz, size_t *out_len)
{
	const struct msg_spec *s = spec_of(m->type);
	if (!s || m->nfields != s->nfields)
		return -EINVAL;
	size_t body = 0;
	for (unsigned i = 0; i < s->nfields; i++)
		body += s->f[i].kind == F_NUM ? 4 : 2 + m->len[i];
	if (body > PRIVSEP_MAX_BODY)
		return -EMSGSIZE;
	if (bufsz < PRIVSEP_HEADER_SIZE + body)
		return -ENOBUFS;
	put_u16(buf, (size_t)m->type);
	put_u16(buf + 2, body);
	size_t off = PRIVSEP_HEADER_SIZE;
	for (unsigned i = 0; i < s->nfields; i++) {
		if (s->f[i].kind == F_NUM) {
			uint32_t v = m->num[i];
			buf[off++] = (uint8_t)(v >> 24);
			buf[off++] = (uint8_t)(v >> 16);
			buf[off++] = (uint8_t)(v >> 8);
			buf[off++] = (uint8_t)v;
		} else {
			put_u16(buf + off, m->len[i]);
			off += 2;
			memcpy(buf + off, m->text[i], m->len[i]);
			off += m->len[i];
		}
	}
	*out_len = off;
	return 0;
}

int privsep_msg_decode(const uint8_t *buf, size_t len, struct privsep_msg *out)
{
	memset(out, 0, offsetof(struct privsep_msg, store));
	if (!buf || len < PRIVSEP_HEADER_SIZE || len > PRIVSEP_MAX_MSG)
		return -EPROTO;
	unsigned type = (unsigned)buf[0] << 8 | buf[1];
	size_t body = (size_t)buf[2] << 8 | buf[3];
	const struct msg_spec *s = spec_of(type);
	if (!s || body != len - PRIVSEP_HEADER_SIZE)
		goto bad;
	out->type = (enum privsep_type)type;
	const uint8_t *p = buf + PRIVSEP_HEADER_SIZE;
	size_t off = 0;
	for (unsigned i = 0; i < s->nfields; i++) {
		if (s->f[i].kind == F_NUM) {
			if (body - off < 4)
				goto bad;
			uint32_t v = (uint32_t)p[off] << 24 | (uint32_t)p[off + 1] << 16 |
				     (uint32_t)p[off + 2] << 8 | p[off + 3];
			off += 4;
			if (privsep_msg_add_num(out, v) < 0)
				goto bad;
			continue;
		}
		if (body - off < 2)
			goto bad;
		size_t n = (size_t)p[off] << 8 | p[off + 1];
		off += 2;
		if (n > body - off || put_text(out, &s->f[i], (const char *)p + off, n) < 0)
			goto bad;
		off += n;
	}
	/* Trailing bytes mean the peer speaks something else: refuse. */
	if (off != body)
		goto bad;
	return 0;
bad:
	privsep_msg_clear(out);
	return -EPROTO;
}
