/*
 * libFuzzer target: the decoder of the typed messages between ssprd's
 * engine and its privileged process (ssprd/privsep_msg.c). The privileged
 * side decodes whatever an engine sends; an engine taken over by an
 * attacker sends anything. The input is one datagram.
 *
 * Invariants: a decoded message has its type's field count, NUL-terminated
 * text fields of the decoded lengths inside the message, and encodes back
 * to exactly the datagram; building it again field by field gives the same
 * bytes; a refused datagram leaves no fields and nothing of itself in the
 * message (which may hold a password); privsep_msg_clear wipes it all.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ssprd/privsep_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz/privsep.c:%d: invariant failed: %s\n", __LINE__,     \
				#cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

#define FILL 0xa5

static bool wiped(const struct privsep_msg *m)
{
	const unsigned char *p = (const unsigned char *)m;
	for (size_t i = 0; i < sizeof(*m); i++)
		if (p[i])
			return false;
	return true;
}

/* After a refusal: no fields, and the text store wiped or never written. */
static bool nothing_left(const struct privsep_msg *m)
{
	if (m->nfields != 0 || m->used != 0)
		return false;
	for (size_t i = 0; i < PRIVSEP_MAX_FIELDS; i++)
		if (m->text[i] || m->len[i] || m->num[i])
			return false;
	bool zero = true, untouched = true;
	for (size_t i = 0; i < sizeof(m->store); i++) {
		zero = zero && m->store[i] == 0;
		untouched = untouched && (unsigned char)m->store[i] == FILL;
	}
	return zero || untouched;
}

static bool inside(const struct privsep_msg *m, const char *t, size_t len)
{
	return t >= m->store && t + len < m->store + sizeof(m->store);
}

static void check_decoded(const uint8_t *buf, size_t len, const struct privsep_msg *m)
{
	static uint8_t out[PRIVSEP_MAX_MSG], again[PRIVSEP_MAX_MSG];
	size_t out_len = 0, again_len = 0;
	CHECK((int)m->nfields == privsep_field_count(m->type));
	CHECK(strcmp(privsep_type_name(m->type), "UNKNOWN") != 0);
	CHECK(privsep_msg_encode(m, out, sizeof(out), &out_len) == 0);
	CHECK(out_len == len && memcmp(out, buf, len) == 0);

	struct privsep_msg b;
	CHECK(privsep_msg_init(&b, m->type) == 0);
	for (unsigned i = 0; i < m->nfields; i++) {
		if (m->text[i]) {
			CHECK(inside(m, m->text[i], m->len[i]));
			CHECK(m->text[i][m->len[i]] == '\0' && strlen(m->text[i]) == m->len[i]);
			CHECK(privsep_msg_add_text(&b, m->text[i]) == 0);
		} else {
			CHECK(privsep_msg_add_num(&b, m->num[i]) == 0);
		}
	}
	/* One field too many is refused, whatever its kind. */
	CHECK(privsep_msg_add_num(&b, 0) == -EINVAL && privsep_msg_add_text(&b, "") == -EINVAL);
	CHECK(privsep_msg_encode(&b, again, sizeof(again), &again_len) == 0);
	CHECK(again_len == len && memcmp(again, buf, len) == 0);
	if (len > 0)
		CHECK(privsep_msg_encode(&b, again, len - 1, &again_len) == -ENOBUFS);
	privsep_msg_clear(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy, so that ASan sees any read past the datagram. */
	uint8_t *buf = malloc(size ? size : 1);
	if (!buf)
		abort();
	memcpy(buf, data, size);

	struct privsep_msg *m = malloc(sizeof(*m));
	if (!m)
		abort();
	memset(m, FILL, sizeof(*m));
	int r = privsep_msg_decode(buf, size, m);
	CHECK(r == 0 || r == -EPROTO);
	if (r == 0)
		check_decoded(buf, size, m);
	else
		CHECK(nothing_left(m));
	privsep_msg_clear(m);
	CHECK(wiped(m));

	/* The datagram cut short never decodes. */
	if (r == 0 && size > PRIVSEP_HEADER_SIZE)
		CHECK(privsep_msg_decode(buf, size - 1, m) == -EPROTO);

	free(m);
	free(buf);
	return 0;
}
