/* The wire protocol: round trips and every way a frame can be malformed. */
#include <check.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/proto.h"
#include "tests/unit/suites.h"

static size_t encode(const struct proto_msg *m, uint8_t *buf, size_t sz)
{
	size_t len = 0;
	ck_assert_int_eq(proto_encode(m, buf, sz, &len), 0);
	return len;
}

/* Decode a whole frame the way proto_read does. */
static int decode(const uint8_t *buf, size_t len, struct proto_msg *out)
{
	enum proto_type type;
	uint32_t body;
	memset(out, 0, sizeof(*out));
	if (len < PROTO_HEADER_SIZE)
		return -EPROTO;
	int r = proto_decode_header(buf, &type, &body);
	if (r < 0)
		return r;
	if (body != len - PROTO_HEADER_SIZE)
		return -EPROTO;
	return proto_decode_body(type, buf + PROTO_HEADER_SIZE, body, out);
}

START_TEST(round_trip_every_type)
{
	static const struct {
		enum proto_type type;
		unsigned n;
		const char *f[4];
	} cases[] = {
	    {PROTO_RESET_START, 4, {"carol", "sshd", "192.0.2.7", "ssh"}},
	    {PROTO_ANSWER, 1, {"pässwörd 密碼"}},
	    {PROTO_CANCEL, 0, {NULL}},
	    {PROTO_ADMIN_ENROLL, 3, {"carol", "email", "carol@example.org"}},
	    {PROTO_ADMIN_SHOW, 1, {"carol"}},
	    {PROTO_USER_STATUS, 0, {NULL}},
	    {PROTO_POLICY_CHECK, 3, {"carol", "N\xc3\xa9w pass \xf0\x9f\xa6\x89", "old pass"}},
	    {PROTO_POLICY_CHECK, 3, {"carol", "new", ""}},
	    {PROTO_HISTORY_RECORD, 1, {"carol"}},
	    {PROTO_PROMPT_ECHO_ON, 1, {"Menu\n  1) Email\nChoose: "}},
	    {PROTO_PROMPT_ECHO_OFF, 1, {"New password: "}},
	    {PROTO_INFO, 1, {"info\twith tab"}},
	    {PROTO_ERROR, 1, {""}},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct proto_msg m, d;
		uint8_t buf[PROTO_HEADER_SIZE + PROTO_MAX_BODY];
		ck_assert_int_eq(proto_msg_build(&m, cases[i].type, cases[i].n, cases[i].f), 0);
		size_t len = encode(&m, buf, sizeof(buf));
		ck_assert_int_eq(decode(buf, len, &d), 0);
		ck_assert_int_eq(d.type, cases[i].type);
		ck_assert_uint_eq(d.nfields, cases[i].n);
		for (unsigned j = 0; j < cases[i].n; j++)
			ck_assert_str_eq(d.field[j], cases[i].f[j]);
		proto_msg_clear(&m);
		proto_msg_clear(&d);
		ck_assert_ptr_null(d.field[0]);
	}
}
END_TEST

START_TEST(end_status)
{
	struct proto_msg m, d;
	uint8_t buf[64];
	enum proto_status st;
	for (unsigned s = 0; s <= PROTO_STATUS_MAX; s++) {
		ck_assert_int_eq(proto_msg_end(&m, (enum proto_status)s), 0);
		ck_assert_int_eq(decode(buf, encode(&m, buf, sizeof(buf)), &d), 0);
		ck_assert_int_eq(proto_end_status(&d, &st), 0);
		ck_assert_uint_eq(st, s);
		proto_msg_clear(&m);
		proto_msg_clear(&d);
	}
	static const char *const bad[] = {"", "8", "01", "a", "-1", "99"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct proto_msg e = {.type = PROTO_END, .nfields = 1};
		e.field[0] = (char *)bad[i];
		e.len[0] = strlen(bad[i]);
		ck_assert_int_eq(proto_end_status(&e, &st), -EPROTO);
	}
}
END_TEST

START_TEST(build_rejects_bad_fields)
{
	struct proto_msg m;
	char big[PROTO_MAX_USER + 2];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	const char *f[4] = {big, "login", "", ""};
	ck_assert_int_eq(proto_msg_build(&m, PROTO_RESET_START, 4, f), -E2BIG);
	f[0] = "carol\n";
	ck_assert_int_eq(proto_msg_build(&m, PROTO_RESET_START, 4, f), -EINVAL);
	f[0] = "carol";
	ck_assert_int_eq(proto_msg_build(&m, PROTO_RESET_START, 3, f), -EINVAL);
	ck_assert_int_eq(proto_msg_build(&m, (enum proto_type)99, 0, f), -EINVAL);
	const char *esc = "\x1b[2J";
	ck_assert_int_eq(proto_msg_build(&m, PROTO_INFO, 1, &esc), -EINVAL);

	/* The change path: fixed counts, password limits, no controls. */
	char pw[PROTO_MAX_PASSWORD + 2];
	memset(pw, 'p', sizeof(pw) - 1);
	pw[sizeof(pw) - 1] = '\0';
	const char *check[3] = {"carol", pw, ""};
	ck_assert_int_eq(proto_msg_build(&m, PROTO_POLICY_CHECK, 3, check), -E2BIG);
	pw[PROTO_MAX_PASSWORD] = '\0';
	ck_assert_int_eq(proto_msg_build(&m, PROTO_POLICY_CHECK, 3, check), 0);
	proto_msg_clear(&m);
	check[1] = "tab\tin password";
	ck_assert_int_eq(proto_msg_build(&m, PROTO_POLICY_CHECK, 3, check), -EINVAL);
	ck_assert_int_eq(proto_msg_build(&m, PROTO_POLICY_CHECK, 2, check), -EINVAL);
	ck_assert_int_eq(proto_msg_build(&m, PROTO_HISTORY_RECORD, 0, check), -EINVAL);
	ck_assert_int_eq(proto_field_count(PROTO_POLICY_CHECK), 3);
	ck_assert_int_eq(proto_field_count(PROTO_HISTORY_RECORD), 1);
	ck_assert_str_eq(proto_type_name(PROTO_POLICY_CHECK), "POLICY_CHECK");
	ck_assert_str_eq(proto_type_name(PROTO_HISTORY_RECORD), "HISTORY_RECORD");
}
END_TEST

/* A valid ADMIN_SHOW frame for "carol" to corrupt. */
static size_t good_frame(uint8_t *buf)
{
	struct proto_msg m;
	const char *f = "carol";
	ck_assert_int_eq(proto_msg_build(&m, PROTO_ADMIN_SHOW, 1, &f), 0);
	size_t len = encode(&m, buf, 64);
	proto_msg_clear(&m);
	return len;
}

START_TEST(malformed_frames)
{
	uint8_t buf[64];
	struct proto_msg d;
	size_t len;

	len = good_frame(buf);
	buf[0] = 'X';
	ck_assert_int_eq(decode(buf, len, &d), -EPROTO); /* magic */
	len = good_frame(buf);
	buf[2] = 2;
	ck_assert_int_eq(decode(buf, len, &d), -EPROTO); /* version */
	len = good_frame(buf);
	buf[3] = 200;
	ck_assert_int_eq(decode(buf, len, &d), -EPROTO); /* unknown type */
	len = good_frame(buf);
	buf[4] = 1;
	ck_assert_int_eq(decode(buf, len, &d), -EMSGSIZE); /* body over the maximum */

	/* body shorter than its field length says */
	len = good_frame(buf);
	buf[PROTO_HEADER_SIZE + 1] = 9;
	ck_assert_int_eq(proto_decode_body(PROTO_ADMIN_SHOW, buf + 8, len - 8, &d), -EPROTO);
	/* a field length byte cut off */
	ck_assert_int_eq(proto_decode_body(PROTO_ADMIN_SHOW, buf + 8, 1, &d), -EPROTO);
	/* no body at all for a type that needs a field */
	ck_assert_int_eq(proto_decode_body(PROTO_ADMIN_SHOW, buf + 8, 0, &d), -EPROTO);
	/* trailing bytes after the last field */
	len = good_frame(buf);
	buf[len] = 'x';
	ck_assert_int_eq(proto_decode_body(PROTO_ADMIN_SHOW, buf + 8, len - 8 + 1, &d), -EPROTO);
	/* a field over its own limit */
	uint8_t body[PROTO_MAX_USER + 3];
	body[0] = (PROTO_MAX_USER + 1) >> 8;
	body[1] = (PROTO_MAX_USER + 1) & 0xff;
	memset(body + 2, 'a', PROTO_MAX_USER + 1);
	ck_assert_int_eq(proto_decode_body(PROTO_ADMIN_SHOW, body, sizeof(body), &d), -EPROTO);
	/* NUL, control characters, invalid and overlong UTF-8 */
	static const char *const bad[] = {"ca\0ol",   "ca\nol",	  "ca\x1bol",
					  "ca\xffol", "\xc0\xaf", "\xed\xa0\x80"};
	static const size_t badlen[] = {5, 5, 5, 5, 2, 3};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t b[16] = {0, (uint8_t)badlen[i]};
		memcpy(b + 2, bad[i], badlen[i]);
		ck_assert_int_eq(proto_decode_body(PROTO_ADMIN_SHOW, b, 2 + badlen[i], &d),
				 -EPROTO);
		ck_assert_ptr_null(d.field[0]);
	}
	/* HISTORY_RECORD has exactly one field: a second is trailing data */
	uint8_t two[] = {0, 1, 'a', 0, 1, 'b'};
	ck_assert_int_eq(proto_decode_body(PROTO_HISTORY_RECORD, two, sizeof(two), &d), -EPROTO);
	ck_assert_int_eq(proto_decode_body(PROTO_HISTORY_RECORD, two, 3, &d), 0);
	proto_msg_clear(&d);
	/* POLICY_CHECK with a missing third field */
	ck_assert_int_eq(proto_decode_body(PROTO_POLICY_CHECK, two, sizeof(two), &d), -EPROTO);
	/* CANCEL carries nothing: any body is refused */
	uint8_t one[2] = {0, 0};
	ck_assert_int_eq(proto_decode_body(PROTO_CANCEL, one, 2, &d), -EPROTO);
	ck_assert_int_eq(proto_decode_body(PROTO_CANCEL, one, 0, &d), 0);
	proto_msg_clear(&d);
}
END_TEST

START_TEST(socket_io)
{
	int sv[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	struct proto_msg m, d;
	ck_assert_int_eq(proto_msg_text(&m, PROTO_ANSWER, "123456"), 0);
	ck_assert_int_eq(proto_write(sv[0], &m, 1000), 0);
	proto_msg_clear(&m);
	ck_assert_int_eq(proto_read(sv[1], &d, 1000), 0);
	ck_assert_int_eq(d.type, PROTO_ANSWER);
	ck_assert_str_eq(d.field[0], "123456");
	proto_msg_clear(&d);

	/* nothing sent: the deadline holds */
	ck_assert_int_eq(proto_read(sv[1], &d, 100), -ETIMEDOUT);
	/* half a header, then the peer goes away */
	ck_assert_int_eq(write(sv[0], "SP\x01", 3), 3);
	close(sv[0]);
	ck_assert_int_eq(proto_read(sv[1], &d, 1000), -ECONNRESET);
	close(sv[1]);
}
END_TEST

Suite *proto_suite(void)
{
	Suite *s = suite_create("proto");
	TCase *tc = tcase_create("proto");
	tcase_add_test(tc, round_trip_every_type);
	tcase_add_test(tc, end_status);
	tcase_add_test(tc, build_rejects_bad_fields);
	tcase_add_test(tc, malformed_frames);
	tcase_add_test(tc, socket_io);
	suite_add_tcase(s, tc);
	return s;
}
