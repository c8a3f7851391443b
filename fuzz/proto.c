/*
 * libFuzzer target: the wire protocol decoder (common/proto.c), what every
 * peer of ssprd's socket can reach. The input is a frame: an 8-byte header
 * and a body. The body is also decoded as every message type, whatever the
 * header says, so each type's field limits and text checks get fuzzed even
 * when the header is refused.
 *
 * Invariants beyond "no crash, no leak": a decoded message has exactly its
 * type's field count, NUL-terminated fields of the decoded lengths, and
 * encodes back to the very bytes it came from.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz/proto.c:%d: invariant failed: %s\n", __LINE__,       \
				#cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* Every type the decoder knows, client and daemon side. */
static const enum proto_type types[] = {
    PROTO_RESET_START,
    PROTO_ANSWER,
    PROTO_CANCEL,
    PROTO_ADMIN_ENROLL,
    PROTO_ADMIN_SHOW,
    PROTO_USER_STATUS,
    PROTO_POLICY_CHECK,
    PROTO_HISTORY_RECORD,
    PROTO_ADMIN_QUESTIONS,
    PROTO_REGISTER_START,
    PROTO_ADMIN_CLEAR,
    PROTO_ADMIN_UNLOCK,
    PROTO_ADMIN_LIST,
    PROTO_ADMIN_AUDIT,
    PROTO_ADMIN_REPORT,
    PROTO_ADMIN_TEST,
    PROTO_REMIND,
    PROTO_PROMPT_ECHO_ON,
    PROTO_PROMPT_ECHO_OFF,
    PROTO_INFO,
    PROTO_ERROR,
    PROTO_END,
    PROTO_DATA,
};

/* A decoded message re-encodes to exactly the input: the decoder accepts
 * one spelling per message, so no two frames mean the same thing. */
static void check_decoded(enum proto_type type, const uint8_t *body, size_t len,
			  const struct proto_msg *m)
{
	static uint8_t frame[PROTO_HEADER_SIZE + PROTO_MAX_BODY];
	size_t out_len = 0;
	CHECK(m->type == type);
	CHECK((int)m->nfields == proto_field_count(type));
	for (unsigned i = 0; i < m->nfields; i++) {
		CHECK(m->field[i] != NULL);
		CHECK(strlen(m->field[i]) == m->len[i]);
	}
	CHECK(proto_encode(m, frame, sizeof(frame), &out_len) == 0);
	CHECK(out_len == PROTO_HEADER_SIZE + len);
	CHECK(memcmp(frame + PROTO_HEADER_SIZE, body, len) == 0);

	enum proto_type t2;
	uint32_t len2 = 0;
	CHECK(proto_decode_header(frame, &t2, &len2) == 0);
	CHECK(t2 == type && len2 == len);

	/* Building from the decoded strings must accept them as well. */
	struct proto_msg b;
	const char *fields[PROTO_MAX_FIELDS] = {NULL};
	for (unsigned i = 0; i < m->nfields; i++)
		fields[i] = m->field[i];
	CHECK(proto_msg_build(&b, type, m->nfields, fields) == 0);
	proto_msg_clear(&b);

	if (type == PROTO_END) {
		enum proto_status st;
		if (proto_end_status(m, &st) == 0) {
			CHECK(st <= PROTO_STATUS_MAX);
			struct proto_msg e;
			CHECK(proto_msg_end(&e, st) == 0);
			CHECK(e.len[0] == m->len[0] &&
			      memcmp(e.field[0], m->field[0], e.len[0]) == 0);
			proto_msg_clear(&e);
		}
	}
}

static void decode_as(enum proto_type type, const uint8_t *body, size_t len)
{
	struct proto_msg m;
	int r = proto_decode_body(type, body, len, &m);
	CHECK(r == 0 || r == -EPROTO || r == -ENOMEM);
	if (r == 0)
		check_decoded(type, body, len, &m);
	else
		CHECK(m.nfields == 0 && m.field[0] == NULL);
	proto_msg_clear(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < PROTO_HEADER_SIZE)
		return 0;
	/* Exact-size copies, so that ASan sees any read past the end. */
	uint8_t *hdr = malloc(PROTO_HEADER_SIZE);
	size_t len = size - PROTO_HEADER_SIZE;
	uint8_t *body = malloc(len ? len : 1);
	if (!hdr || !body)
		abort();
	memcpy(hdr, data, PROTO_HEADER_SIZE);
	memcpy(body, data + PROTO_HEADER_SIZE, len);

	enum proto_type type;
	uint32_t body_len = 0;
	int r = proto_decode_header(hdr, &type, &body_len);
	CHECK(r == 0 || r == -EPROTO || r == -EMSGSIZE);
	if (r == 0) {
		CHECK(body_len <= PROTO_MAX_BODY);
		CHECK(proto_field_count(type) >= 0);
		/* proto_read hands the decoder exactly body_len bytes. */
		if (body_len <= len)
			decode_as(type, body, body_len);
	}
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		decode_as(types[i], body, len);
	/* An unknown type never decodes. */
	struct proto_msg m;
	CHECK(proto_decode_body((enum proto_type)hdr[3] | 0x80, body, len, &m) == -EPROTO);
	proto_msg_clear(&m);

	free(hdr);
	free(body);
	return 0;
}
