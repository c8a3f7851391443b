/* Abuse cases below the daemon: many verifications of codes at the same
 * moment on the shared store, hostile RESET_START fields at the protocol
 * and in the log, and frames that trickle in or announce too much. */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/proto.h"
#include "common/util.h"
#include "common/validate.h"
#include "ssprd/code.h"
#include "tests/unit/fixture.h"
#include "tests/unit/suites.h"

#define RACERS 20
#define ROUNDS 10

static uint8_t req[STORE_REQUEST_SIZE];
static pthread_barrier_t go;

static void setup(void)
{
	fixture_store_setup();
	randombytes_buf(req, sizeof(req));
}

static void teardown(void)
{
	fixture_store_teardown();
}

/* --- concurrent verifications ------------------------------------------- */

struct racer {
	const char *user;
	char typed[CODE_DIGITS + 1];
	unsigned max;
	enum code_result res;
	unsigned left;
	int rc;
};

static void *race(void *arg)
{
	struct racer *r = arg;
	pthread_barrier_wait(&go);
	r->rc = code_check(fx_store, fx_key, r->user, "email", req, r->typed, r->max, 1001, &r->res,
			   &r->left);
	return NULL;
}

/* Release RACERS threads on r[] at the same moment; wait for them all. */
static void run_race(struct racer *r)
{
	pthread_t t[RACERS];
	ck_assert_int_eq(pthread_barrier_init(&go, NULL, RACERS), 0);
	for (int i = 0; i < RACERS; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, race, &r[i]), 0);
	for (int i = 0; i < RACERS; i++) {
		pthread_join(t[i], NULL);
		ck_assert_int_eq(r[i].rc, 0);
	}
	pthread_barrier_destroy(&go);
}

static void racers(struct racer *r, const char *user, const char *typed, unsigned max)
{
	for (int i = 0; i < RACERS; i++) {
		r[i] = (struct racer){.user = user, .max = max};
		snprintf(r[i].typed, sizeof(r[i].typed), "%s", typed);
	}
}

static void wrong_of(const char *code, char out[CODE_DIGITS + 1])
{
	memcpy(out, code, CODE_DIGITS + 1);
	out[CODE_DIGITS - 1] = out[CODE_DIGITS - 1] == '9' ? '0' : (char)(out[CODE_DIGITS - 1] + 1);
}

static void issue(const char *user, char code[CODE_DIGITS + 1])
{
	ck_assert_int_eq(code_issue(fx_store, fx_key, user, "email", req, 600, 1000, code), 0);
}

static bool code_gone(const char *user)
{
	struct store_code c;
	int r = store_code_get(fx_store, user, "email", &c);
	sodium_memzero(&c, sizeof(c));
	return r == -ENOENT;
}

START_TEST(twenty_verifications_one_winner)
{
	/* The right code, 20 times at the same moment (a leaked code, a
	 * client that retries): exactly one wins, the others find it gone.
	 * Repeated, since a race shows only sometimes. */
	for (int round = 0; round < ROUNDS; round++) {
		char code[CODE_DIGITS + 1];
		struct racer r[RACERS];
		issue("carol", code);
		racers(r, "carol", code, 5);
		run_race(r);
		int wins = 0, missing = 0;
		for (int i = 0; i < RACERS; i++) {
			wins += r[i].res == CODE_OK;
			missing += r[i].res == CODE_MISSING;
		}
		ck_assert_msg(wins == 1 && missing == RACERS - 1,
			      "round %d: %d of %d verifications won, %d found the code gone", round,
			      wins, RACERS, missing);
		ck_assert(code_gone("carol"));
	}
}
END_TEST

START_TEST(concurrent_wrong_tries_all_counted)
{
	/* 20 wrong tries at once with room for 50: each one is counted (each
	 * sees a different number of tries left), none is lost. */
	enum { MAX = 50 };
	for (int round = 0; round < ROUNDS; round++) {
		char code[CODE_DIGITS + 1], wrong[CODE_DIGITS + 1];
		struct racer r[RACERS];
		bool seen[MAX] = {false};
		issue("carol", code);
		wrong_of(code, wrong);
		racers(r, "carol", wrong, MAX);
		run_race(r);
		for (int i = 0; i < RACERS; i++) {
			ck_assert_int_eq(r[i].res, CODE_WRONG);
			ck_assert_uint_ge(r[i].left, MAX - RACERS);
			ck_assert_uint_lt(r[i].left, MAX);
			ck_assert_msg(!seen[r[i].left], "round %d: two tries both left %u", round,
				      r[i].left);
			seen[r[i].left] = true;
		}
		struct store_code c;
		ck_assert_int_eq(store_code_get(fx_store, "carol", "email", &c), 0);
		ck_assert_uint_eq(c.attempts, RACERS);
		sodium_memzero(&c, sizeof(c));
		ck_assert_int_eq(store_code_delete(fx_store, "carol", "email"), 0);
	}
}
END_TEST

START_TEST(right_code_among_wrong_ones)
{
	/* One right and 19 wrong tries at once, code_attempts 5: the right
	 * one wins only if fewer than 5 wrong ones came before it; otherwise
	 * the 5th wrong one used the code up. Never more than 5 tries
	 * counted, never a win after the 5th wrong one. */
	for (int round = 0; round < ROUNDS; round++) {
		char code[CODE_DIGITS + 1], wrong[CODE_DIGITS + 1];
		struct racer r[RACERS];
		issue("carol", code);
		wrong_of(code, wrong);
		racers(r, "carol", wrong, 5);
		int right = round % RACERS;
		memcpy(r[right].typed, code, sizeof(code));
		run_race(r);
		int ok = 0, bad = 0, exhausted = 0, missing = 0;
		for (int i = 0; i < RACERS; i++) {
			ok += r[i].res == CODE_OK;
			bad += r[i].res == CODE_WRONG;
			exhausted += r[i].res == CODE_EXHAUSTED;
			missing += r[i].res == CODE_MISSING;
		}
		ck_assert_int_eq(ok + bad + exhausted + missing, RACERS);
		if (ok)
			ck_assert_msg(
			    ok == 1 && r[right].res == CODE_OK && exhausted == 0 && bad <= 4,
			    "round %d: %d won, %d wrong, %d used up", round, ok, bad, exhausted);
		else
			ck_assert_msg(exhausted == 1 && bad == 4,
				      "round %d: nobody won, %d wrong, %d used up (want 4 and 1)",
				      round, bad, exhausted);
		ck_assert(code_gone("carol"));
	}
}
END_TEST

START_TEST(codes_stay_with_their_user_under_load)
{
	/* 20 users with a live code each; at once, each types the next
	 * user's code: no code works for anybody else, and every user's own
	 * code still works afterwards. */
	char users[RACERS][16], codes[RACERS][CODE_DIGITS + 1];
	struct racer r[RACERS];
	for (int i = 0; i < RACERS; i++) {
		snprintf(users[i], sizeof(users[i]), "user%02d", i);
		issue(users[i], codes[i]);
	}
	for (int i = 0; i < RACERS; i++) {
		r[i] = (struct racer){.user = users[i], .max = 5};
		memcpy(r[i].typed, codes[(i + 1) % RACERS], CODE_DIGITS + 1);
	}
	run_race(r);
	for (int i = 0; i < RACERS; i++) {
		/* Two users holding the same digits: one in a hundred thousand. */
		if (strcmp(codes[i], codes[(i + 1) % RACERS]) != 0)
			ck_assert_msg(r[i].res == CODE_WRONG, "%s took %s's code (result %d)",
				      users[i], users[(i + 1) % RACERS], r[i].res);
	}
	for (int i = 0; i < RACERS; i++) {
		enum code_result res;
		unsigned left;
		ck_assert_int_eq(code_check(fx_store, fx_key, users[i], "email", req, codes[i], 5,
					    1002, &res, &left),
				 0);
		ck_assert_int_eq(res, CODE_OK);
	}
}
END_TEST

/* --- hostile RESET_START fields ----------------------------------------- */

#define FORGED "ssprd: notice: password of root reset"

/* What no terminal may send in a text field (so no name, host or terminal
 * the daemon logs or stores can hold it). len 0: strlen; given where a NUL
 * is part of the value. */
static const struct {
	const char *v;
	size_t len;
} unsendable[] = {
    {"ghost\n" FORGED, 0},
    {"x\r\nBcc: evil@example.org", 0},
    {"car\0ol", 6},
    {"\0", 1},
    {"caro\xffl", 0},
    {"caro\xc0\xafl", 0},    /* overlong '/' */
    {"\xed\xa0\x80", 0},     /* a UTF-16 surrogate */
    {"\xe2\x82", 0},	     /* cut short */
    {"\xf4\x90\x80\x80", 0}, /* past U+10FFFF */
    {"\x1b]0;owned\x07", 0}, /* terminal title */
    {"a\tb", 0},
    {"\x7f", 0},
};

static const size_t field_max[4] = {PROTO_MAX_USER, PROTO_MAX_SERVICE, PROTO_MAX_RHOST,
				    PROTO_MAX_TTY};

/* A RESET_START body of "ghost", "login", "", "" with field f replaced. */
static size_t start_body(uint8_t *buf, size_t bufsz, unsigned f, const char *v, size_t vlen)
{
	const char *fields[4] = {"ghost", "login", "", ""};
	size_t off = 0;
	for (unsigned i = 0; i < 4; i++) {
		const char *p = i == f ? v : fields[i];
		size_t len = i == f ? vlen : strlen(fields[i]);
		ck_assert_uint_le(off + 2 + len, bufsz);
		buf[off++] = (uint8_t)(len >> 8);
		buf[off++] = (uint8_t)len;
		memcpy(buf + off, p, len);
		off += len;
	}
	return off;
}

START_TEST(hostile_reset_start_fields_refused)
{
	uint8_t body[2048];
	char big[PROTO_MAX_RHOST + 2];
	for (unsigned f = 0; f < 4; f++) {
		for (size_t i = 0; i < ARRAY_SIZE(unsendable); i++) {
			struct proto_msg m;
			const char *v = unsendable[i].v;
			size_t vlen = unsendable[i].len ? unsendable[i].len : strlen(v);
			size_t len = start_body(body, sizeof(body), f, v, vlen);
			ck_assert_msg(proto_decode_body(PROTO_RESET_START, body, len, &m) ==
					  -EPROTO,
				      "field %u: value #%zu decoded", f, i);
			for (unsigned k = 0; k < PROTO_MAX_FIELDS; k++)
				ck_assert_ptr_null(m.field[k]);
			if (unsendable[i].len)
				continue;
			const char *fields[4] = {"ghost", "login", "", ""};
			fields[f] = v;
			ck_assert_int_eq(proto_msg_build(&m, PROTO_RESET_START, 4, fields),
					 -EINVAL);
		}
		/* One byte over the field's maximum is refused; the maximum is
		 * not. */
		for (size_t n = field_max[f]; n <= field_max[f] + 1; n++) {
			struct proto_msg m;
			memset(big, 'a', n);
			big[n] = '\0';
			size_t len = start_body(body, sizeof(body), f, big, n);
			bool over = n > field_max[f];
			ck_assert_int_eq(proto_decode_body(PROTO_RESET_START, body, len, &m),
					 over ? -EPROTO : 0);
			proto_msg_clear(&m);
			const char *fields[4] = {"ghost", "login", "", ""};
			fields[f] = big;
			ck_assert_int_eq(proto_msg_build(&m, PROTO_RESET_START, 4, fields),
					 over ? -E2BIG : 0);
			proto_msg_clear(&m);
		}
	}
}
END_TEST

START_TEST(odd_valid_fields_kept_but_logged_safely)
{
	/* Valid text that is still hostile as a name or host: it travels
	 * unchanged, is no user name, and its logged form is printable ASCII
	 * of the same length, at most the field's size. */
	char longest[PROTO_MAX_USER + 1];
	memset(longest, 'a', PROTO_MAX_USER);
	longest[PROTO_MAX_USER] = '\0';
	const char *const odd[] = {"carol:0:0:root:/root:/bin/sh",
				   "../../../etc/shadow",
				   "%s%n%x%n",
				   "-carol",
				   "carol ",
				   "c\xc3\xa4rol",
				   "\xe2\x80\xae"
				   "dlrow",	       /* right-to-left override */
				   "\xf0\x9f\x94\x91", /* an emoji */
				   longest};
	for (size_t i = 0; i < ARRAY_SIZE(odd); i++) {
		uint8_t body[2048];
		struct proto_msg m;
		size_t len = start_body(body, sizeof(body), 0, odd[i], strlen(odd[i]));
		ck_assert_int_eq(proto_decode_body(PROTO_RESET_START, body, len, &m), 0);
		ck_assert_str_eq(m.field[0], odd[i]);
		proto_msg_clear(&m);
		ck_assert_msg(!username_valid(odd[i]), "#%zu is a valid user name", i);
		char shown[PROTO_MAX_USER + 1];
		sanitize_for_log(odd[i], shown, sizeof(shown));
		ck_assert_uint_eq(strlen(shown), strlen(odd[i]));
		for (const char *p = shown; *p; p++)
			ck_assert(*p >= 0x20 && *p < 0x7f);
	}
	/* What a forged line would need, a newline, never survives. */
	char shown[128];
	sanitize_for_log("ghost\n" FORGED, shown, sizeof(shown));
	ck_assert_ptr_null(strchr(shown, '\n'));
	ck_assert_str_eq(shown, "ghost?" FORGED);
}
END_TEST

/* --- frames that trickle or announce too much ---------------------------- */

struct trickle {
	int fd;
	const uint8_t *frame;
	size_t len;
};

static void *trickle_bytes(void *arg)
{
	struct trickle *t = arg;
	for (size_t i = 0; i < t->len; i++) {
		if (send(t->fd, t->frame + i, 1, MSG_NOSIGNAL) != 1)
			break;
		usleep(20000);
	}
	return NULL;
}

START_TEST(trickled_frame_times_out_as_a_whole)
{
	/* A byte every 20 ms: the reader's deadline covers the whole frame,
	 * not each byte, so a slow peer cannot hold a connection open. */
	int sv[2];
	char rhost[201];
	memset(rhost, 'r', 200);
	rhost[200] = '\0';
	const char *fields[4] = {"ghost", "login", rhost, ""};
	struct proto_msg m;
	uint8_t frame[PROTO_HEADER_SIZE + PROTO_MAX_BODY];
	size_t len;
	ck_assert_int_eq(proto_msg_build(&m, PROTO_RESET_START, 4, fields), 0);
	ck_assert_int_eq(proto_encode(&m, frame, sizeof(frame), &len), 0);
	proto_msg_clear(&m);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	struct trickle t = {.fd = sv[0], .frame = frame, .len = len};
	pthread_t th;
	ck_assert_int_eq(pthread_create(&th, NULL, trickle_bytes, &t), 0);
	int64_t t0 = now_ms();
	int r = proto_read(sv[1], &m, 300);
	int64_t took = now_ms() - t0;
	close(sv[1]);
	pthread_join(th, NULL);
	close(sv[0]);
	ck_assert_int_eq(r, -ETIMEDOUT);
	ck_assert_msg(took < 800, "a trickled frame held the reader %lld ms", (long long)took);
}
END_TEST

START_TEST(oversized_frame_refused_before_its_body)
{
	/* A header announcing more than PROTO_MAX_BODY is refused at once:
	 * the reader neither waits for nor buffers the body. */
	static const uint32_t lens[] = {PROTO_MAX_BODY + 1, 1u << 20, 0xffffffffu};
	for (size_t i = 0; i < ARRAY_SIZE(lens); i++) {
		int sv[2];
		uint8_t hdr[PROTO_HEADER_SIZE] = {PROTO_MAGIC0,
						  PROTO_MAGIC1,
						  PROTO_VERSION,
						  PROTO_RESET_START,
						  (uint8_t)(lens[i] >> 24),
						  (uint8_t)(lens[i] >> 16),
						  (uint8_t)(lens[i] >> 8),
						  (uint8_t)lens[i]};
		struct proto_msg m;
		ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
		ck_assert_int_eq(send(sv[0], hdr, sizeof(hdr), 0), (ssize_t)sizeof(hdr));
		int64_t t0 = now_ms();
		ck_assert_int_eq(proto_read(sv[1], &m, 5000), -EMSGSIZE);
		ck_assert_int_lt(now_ms() - t0, 1000);
		ck_assert_ptr_null(m.field[0]);
		close(sv[0]);
		close(sv[1]);
	}
}
END_TEST

Suite *abuse_suite(void)
{
	Suite *s = suite_create("abuse");
	TCase *tc = tcase_create("race");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, twenty_verifications_one_winner);
	tcase_add_test(tc, concurrent_wrong_tries_all_counted);
	tcase_add_test(tc, right_code_among_wrong_ones);
	tcase_add_test(tc, codes_stay_with_their_user_under_load);
	suite_add_tcase(s, tc);
	tc = tcase_create("wire");
	tcase_add_test(tc, hostile_reset_start_fields_refused);
	tcase_add_test(tc, odd_valid_fields_kept_but_logged_safely);
	tcase_add_test(tc, trickled_frame_times_out_as_a_whole);
	tcase_add_test(tc, oversized_frame_refused_before_its_body);
	suite_add_tcase(s, tc);
	return s;
}
