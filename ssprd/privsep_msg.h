/*
 * The typed messages between the engine and the privileged process (see
 * privsep.h). One message is one SOCK_SEQPACKET datagram:
 *   type (u16, big endian) | body length (u16, big endian) | body
 * The body holds the type's fields in a fixed order: a text field is a u16
 * big-endian length and that many bytes (valid UTF-8, no control
 * characters, no NUL), a number field exactly 4 bytes (u32, big endian)
 * with a per-field maximum. The datagram must be exactly header + body.
 * Decoding is strict and rejects anything else: a wrong type, a field too
 * long, a number out of range, a byte left over or missing.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define PRIVSEP_HEADER_SIZE 4
#define PRIVSEP_MAX_FIELDS  5
#define PRIVSEP_MAX_BODY    4096
#define PRIVSEP_MAX_MSG	    (PRIVSEP_HEADER_SIZE + PRIVSEP_MAX_BODY)

/* Field limits. */
#define PRIVSEP_MAX_USER     256 /* PROTO_MAX_USER: what a client may name */
#define PRIVSEP_MAX_PASSWORD 1024
#define PRIVSEP_MAX_HASH     1024
#define PRIVSEP_MAX_OP	     64
#define PRIVSEP_MAX_RHOST    256
#define PRIVSEP_MAX_TTY	     64
#define PRIVSEP_MAX_ERRNO    4095

enum privsep_type {
	/* main channel, engine -> privileged: a new request channel, passed
	 * as the one file descriptor (SCM_RIGHTS) of an empty message */
	PRIVSEP_CHANNEL = 1,
	PRIVSEP_READY = 2, /* main channel, engine -> privileged: serving */
	PRIVSEP_STOP = 3,  /* main channel, privileged -> engine: stop now */

	/* requests, engine -> privileged, on a request channel */
	PRIVSEP_ACCOUNT_STATE = 16,    /* user -> R_VALUE (enum account_state) */
	PRIVSEP_CURRENT_HASH = 17,     /* user -> R_HASH */
	PRIVSEP_VERIFY_PASSWORD = 18,  /* user, password -> R_STATUS */
	PRIVSEP_MARK_VERIFIED = 19,    /* user -> R_STATUS */
	PRIVSEP_SET_PASSWORD = 20,     /* user, password -> R_STATUS */
	PRIVSEP_FAILLOCK_RECORDS = 21, /* user -> R_VALUE (records) */
	PRIVSEP_UNLOCK = 22,	       /* user -> R_STATUS */
	/* op, user, rhost, tty, ok (0 or 1) -> R_STATUS: a USER_CHAUTHTOK
	 * record for the Linux audit log */
	PRIVSEP_AUDIT_LOG = 23,
	PRIVSEP_OPASSWD_MATCH = 24, /* user, password -> R_VALUE (1: in opasswd) */

	/* replies, privileged -> engine; errno is 0 or a positive errno */
	PRIVSEP_R_STATUS = 64, /* errno */
	PRIVSEP_R_VALUE = 65,  /* errno, value */
	PRIVSEP_R_HASH = 66,   /* errno, hash ("" on error) */
	PRIVSEP_R_BUSY = 67,   /* (no fields): too many channels, this one ends */
};

struct privsep_msg {
	enum privsep_type type;
	unsigned nfields;
	const char *text[PRIVSEP_MAX_FIELDS]; /* text fields: NUL-terminated, in store */
	size_t len[PRIVSEP_MAX_FIELDS];
	uint32_t num[PRIVSEP_MAX_FIELDS]; /* number fields */
	size_t used;			  /* bytes of store in use */
	char store[PRIVSEP_MAX_BODY + PRIVSEP_MAX_FIELDS];
};

const char *privsep_type_name(enum privsep_type type);
/* Field count of a type, -EINVAL for an unknown one. */
int privsep_field_count(enum privsep_type type);

/* Build a message field by field, in the type's order: -EINVAL for an
 * unknown type, a field of the wrong kind or one too many, -E2BIG for text
 * over the field's limit or a number over its maximum. */
int privsep_msg_init(struct privsep_msg *m, enum privsep_type type);
int privsep_msg_add_text(struct privsep_msg *m, const char *s);
int privsep_msg_add_num(struct privsep_msg *m, uint32_t v);

/* Encode a complete message: -EINVAL when fields are missing, -ENOBUFS
 * when buf is too small. */
int privsep_msg_encode(const struct privsep_msg *m, uint8_t *buf, size_t bufsz, size_t *out_len);
/* Decode one datagram of exactly len bytes: 0 or -EPROTO. */
int privsep_msg_decode(const uint8_t *buf, size_t len, struct privsep_msg *out);

/* Wipe (fields may hold passwords and hashes). NULL-safe. */
void privsep_msg_clear(struct privsep_msg *m);
