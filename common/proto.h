/*
 * The sspr wire protocol between ssprd and its thin terminals (pam_sspr.so,
 * sspr, ssprctl). Documented in ssprd(8), section PROTOCOL.
 *
 * A frame is an 8-byte header followed by a body:
 *   magic 'S' 'P' | version (1) | type (u8) | body length (u32, big endian)
 * The body is a sequence of fields, each a u16 big-endian length and that
 * many bytes. Every message type has a fixed field count and per-field
 * limits; decoding is strict and rejects anything else.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROTO_MAGIC0	  'S'
#define PROTO_MAGIC1	  'P'
#define PROTO_VERSION	  1
#define PROTO_HEADER_SIZE 8
#define PROTO_MAX_BODY	  8192
#define PROTO_MAX_FIELDS  4

enum proto_type {
	/* client -> daemon */
	PROTO_RESET_START = 1, /* user, service, rhost, tty */
	PROTO_ANSWER = 2,      /* text: an answer to the last prompt (secret) */
	PROTO_CANCEL = 3,      /* (no fields) */
	/* user, kind, value: kind "email", "mobile", "office" (value: the
	 * address or E.164 number; "" removes it), "totp" or "recovery_codes"
	 * (value "": the daemon generates and shows the secrets once) */
	PROTO_ADMIN_ENROLL = 4,
	PROTO_ADMIN_SHOW = 5,  /* user */
	PROTO_USER_STATUS = 6, /* (no fields): the peer's own registration */
	/* The password-change path (pam_sspr in the password stack): */
	PROTO_POLICY_CHECK = 7,	  /* user, new password, old password ("": unknown) */
	PROTO_HISTORY_RECORD = 8, /* user: remember the current hash */
	/* user, questions, answers (secret): one per line, same order; replaces
	 * the user's whole set */
	PROTO_ADMIN_QUESTIONS = 9,
	/* sspr register: kind, value. Both "" for the interactive menu; kind
	 * "email", "mobile" or "office" with a value goes straight to that
	 * step; "reconfirm" (value "") confirms the data as it stands. The
	 * user is the peer (SO_PEERCRED). */
	PROTO_REGISTER_START = 10,
	PROTO_ADMIN_CLEAR = 11,	 /* user, method ("": every registration) */
	PROTO_ADMIN_UNLOCK = 12, /* user: clear failed-login records */
	PROTO_ADMIN_LIST = 13,	 /* filter: "" every user, "unregistered" */
	/* user ("": any), since (unix time, decimal; "" or "0": all), limit
	 * (decimal, 1..PROTO_MAX_AUDIT_ROWS; ""): newest first */
	PROTO_ADMIN_AUDIT = 14,
	PROTO_ADMIN_REPORT = 15, /* days (decimal, 1..3650) */
	PROTO_ADMIN_TEST = 16,	 /* kind ("email" or "sms"), destination */
	/* From pam_sspr in the account or session stack, after a login:
	 * user, service, rhost, tty. Answered by INFO lines (maybe none)
	 * and END OK. */
	PROTO_REMIND = 17,
	/* From sspr and ssprctl only, before their request: the language of
	 * the client's locale ("zh_TW"; "" none), a catalog name as
	 * language_name_valid() accepts. It outranks the user's saved
	 * preference and the site default for this connection; pam_sspr never
	 * sends it (the daemon decides for logins). */
	PROTO_LANGUAGE = 18,

	/* daemon -> client */
	PROTO_PROMPT_ECHO_ON = 64,
	PROTO_PROMPT_ECHO_OFF = 65,
	PROTO_INFO = 66,
	PROTO_ERROR = 67,
	PROTO_END = 68, /* status: one decimal enum proto_status */
	/* One JSON object (a row of a listing, or a report); see ssprctl(8)
	 * for the documented fields. */
	PROTO_DATA = 69,
};

/* How a dialogue ended, carried by PROTO_END. */
enum proto_status {
	PROTO_STATUS_OK = 0,	      /* admin request done */
	PROTO_STATUS_RESET = 1,	      /* password was changed */
	PROTO_STATUS_FAILED = 2,      /* verification failed or refused */
	PROTO_STATUS_CANCELLED = 3,   /* user chose not to continue */
	PROTO_STATUS_UNAVAILABLE = 4, /* daemon cannot serve now */
	PROTO_STATUS_DENIED = 5,      /* peer not allowed to ask this */
	PROTO_STATUS_INVALID = 6,     /* bad request (admin input) */
	PROTO_STATUS_UNLOCKED = 7,    /* account unlocked, password kept */
	PROTO_STATUS_MAX = PROTO_STATUS_UNLOCKED,
};

/* Limits on what a peer may send in each field. */
#define PROTO_MAX_USER	  256
#define PROTO_MAX_SERVICE 64
#define PROTO_MAX_RHOST	  256
#define PROTO_MAX_TTY	  64
#define PROTO_MAX_ANSWER  1024
#define PROTO_MAX_TEXT	  4096
#define PROTO_MAX_VALUE	  512
/* Ten lines of a question or an answer. */
#define PROTO_MAX_QUESTIONS_TEXT 2048
/* A password field: longer than any the policy accepts (511 bytes), so the
 * daemon, not the transport, gives the reason for a refusal. */
#define PROTO_MAX_PASSWORD 1024
#define PROTO_MAX_KIND	   16
#define PROTO_MAX_LANGUAGE 15 /* CONF_LANGUAGE_MAX */
#define PROTO_MAX_NUMBER   20
/* Most rows one ADMIN_AUDIT answers. */
#define PROTO_MAX_AUDIT_ROWS 10000

struct proto_msg {
	enum proto_type type;
	unsigned nfields;
	char *field[PROTO_MAX_FIELDS]; /* NUL-terminated, owned */
	size_t len[PROTO_MAX_FIELDS];
};

/* Field count of a type, or -EINVAL for an unknown type. */
int proto_field_count(enum proto_type type);
const char *proto_type_name(enum proto_type type);

/* Build a message: copies the strings. Returns 0 or -errno (-E2BIG when a
 * field exceeds its limit, -EINVAL for a wrong count or bad text). */
int proto_msg_build(struct proto_msg *m, enum proto_type type, unsigned nfields,
		    const char *const *fields);
int proto_msg_text(struct proto_msg *m, enum proto_type type, const char *text);
int proto_msg_end(struct proto_msg *m, enum proto_status status);
/* Parse the status of a PROTO_END message. */
int proto_end_status(const struct proto_msg *m, enum proto_status *out);

/* Wipe (fields may hold answers) and free. NULL-safe, leaves m empty. */
void proto_msg_clear(struct proto_msg *m);

/* Encode into buf; *out_len gets the frame size. -ENOBUFS if too small. */
int proto_encode(const struct proto_msg *m, uint8_t *buf, size_t bufsz, size_t *out_len);

/* Check a header: -EPROTO on bad magic/version/type, -EMSGSIZE on a body
 * over PROTO_MAX_BODY. */
int proto_decode_header(const uint8_t hdr[PROTO_HEADER_SIZE], enum proto_type *type,
			uint32_t *body_len);
/* Decode a body of the given type; -EPROTO on any malformation. */
int proto_decode_body(enum proto_type type, const uint8_t *body, size_t len, struct proto_msg *out);

/* Blocking I/O on a stream socket with a deadline (timeout_ms < 0: none).
 * proto_read returns -ETIMEDOUT, -ECONNRESET on EOF, -EPROTO, -EMSGSIZE. */
int proto_write(int fd, const struct proto_msg *m, int timeout_ms);
int proto_read(int fd, struct proto_msg *m, int timeout_ms);
