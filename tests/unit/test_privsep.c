/* Privilege separation: the privileged side's request channel against a
 * temporary shadow file (writes only after a verification reported on the
 * same channel, once, never for a locked account; malformed messages end
 * the channel without harm), and the engine's priv.h calls over the main
 * channel (SCM_RIGHTS, SO_PEERCRED). The real users "nobody" (an ordinary
 * account with min_uid = 1) and "daemon" (locked here) stand in for
 * accounts: the privileged side asks getpwnam for them. */
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/conf.h"
#include "common/util.h"
#include "ssprd/priv.h"
#include "ssprd/privsep.h"
#include "ssprd/privsep_msg.h"
#include "ssprd/privsep_secret.h"
#include "ssprd/pwhash.h"
#include "ssprd/shadow.h"
#include "tests/unit/fixture.h"
#include "tests/unit/suites.h"

#define OK_USER	    "nobody"
#define LOCKED_USER "daemon"
#define OLD_PW	    "Old-password-1"
#define NEW_PW	    "Brand-new-Password-77"

static char dir[64];
static char shadow_path[128];
static struct sspr_conf conf;
static char *old_hash;

struct server {
	pthread_t t;
	int fd; /* the privileged side's end */
	int result;
};

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
}

static void setup(void)
{
	ck_assert_int_ge(sodium_init(), 0);
	fixture_tmpdir_make(dir, "privsep");
	snprintf(shadow_path, sizeof(shadow_path), "%s/shadow", dir);
	ck_assert_int_eq(pwhash_make(HASH_SHA512, "/nonexistent", OLD_PW, &old_hash), 0);
	char text[1024];
	snprintf(text, sizeof(text),
		 "root:*:19000:0:99999:7:::\n" OK_USER ":%s:19000:0:99999:7:::\n" LOCKED_USER
		 ":!%s:19000:0:99999:7:::\n",
		 old_hash, old_hash);
	write_text(shadow_path, text);
	ck_assert_int_eq(conf_init_defaults(&conf), 0);
	free(conf.shadow_file);
	conf.shadow_file = strdup(shadow_path);
	char fl[128];
	snprintf(fl, sizeof(fl), "%s/faillock", dir);
	ck_assert_int_eq(mkdir(fl, 0700), 0);
	free(conf.faillock_dir);
	conf.faillock_dir = strdup(fl);
	conf.min_uid = 1;
	conf.hash_method = HASH_SHA512;
}

static void teardown(void)
{
	secret_free(old_hash);
	old_hash = NULL;
	conf_free(&conf);
	fixture_tmpdir_remove(dir);
}

static const char *current_hash(const char *user)
{
	static char hash[512];
	struct shadow_entry e = {0};
	ck_assert_int_eq(shadow_read_entry(shadow_path, user, &e), 0);
	snprintf(hash, sizeof(hash), "%s", e.hash);
	shadow_entry_clear(&e);
	return hash;
}

static void *serve(void *arg)
{
	struct server *s = arg;
	s->result = privsep_serve_channel(&conf, s->fd);
	close(s->fd);
	return NULL;
}

/* A request channel served by a thread; returns the engine's end. */
static int channel_start(struct server *s)
{
	int sv[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	s->fd = sv[1];
	s->result = 1;
	ck_assert_int_eq(pthread_create(&s->t, NULL, serve, s), 0);
	return sv[0];
}

static int channel_end(struct server *s, int fd)
{
	close(fd);
	pthread_join(s->t, NULL);
	return s->result;
}

static void send_raw(int fd, const void *buf, size_t len)
{
	ck_assert_int_eq(send(fd, buf, len, MSG_NOSIGNAL), (ssize_t)len);
}

/* Send a request of text fields (and one number when num >= 0); return
 * the reply's errno and its second field in *value / *text. */
static unsigned ask(int fd, enum privsep_type type, const char *const *fields, size_t n, long num,
		    uint32_t *value, char *text, size_t textsz)
{
	struct privsep_msg m;
	uint8_t buf[PRIVSEP_MAX_MSG + 1];
	size_t len = 0;
	ck_assert_int_eq(privsep_msg_init(&m, type), 0);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(privsep_msg_add_text(&m, fields[i]), 0);
	if (num >= 0)
		ck_assert_int_eq(privsep_msg_add_num(&m, (uint32_t)num), 0);
	ck_assert_int_eq(privsep_msg_encode(&m, buf, sizeof(buf), &len), 0);
	send_raw(fd, buf, len);
	ssize_t k = recv(fd, buf, sizeof(buf), 0);
	ck_assert_int_gt(k, 0);
	ck_assert_int_eq(privsep_msg_decode(buf, (size_t)k, &m), 0);
	if (m.type == PRIVSEP_R_VALUE && value)
		*value = m.num[1];
	if (m.type == PRIVSEP_R_HASH && text)
		snprintf(text, textsz, "%s", m.text[1]);
	return m.num[0];
}

static unsigned ask_user(int fd, enum privsep_type type, const char *user, const char *pw)
{
	const char *f[] = {user, pw};
	return ask(fd, type, f, pw ? 2 : 1, -1, NULL, NULL, 0);
}

START_TEST(set_password_needs_a_verification)
{
	struct server s;
	int fd = channel_start(&s);
	ck_assert_uint_eq(ask_user(fd, PRIVSEP_SET_PASSWORD, OK_USER, NEW_PW), EACCES);
	ck_assert_str_eq(current_hash(OK_USER), old_hash);
	/* Another user's verification does not count. */
	ck_assert_uint_eq(ask_user(fd, PRIVSEP_MARK_VERIFIED, LOCKED_USER, NULL), 0);
	ck_assert_uint_eq(ask_user(fd, PRIVSEP_SET_PASSWORD, OK_USER, NEW_PW), EACCES);
	ck_assert_str_eq(current_hash(OK_USER), old_hash);
	ck_assert_int_eq(channel_end(&s, fd), 0);
}
END_TEST

START_TEST(verified_write_is_accepted_once)
{
	struct server s;
	int fd = channel_start(&s);
	ck_assert_uint_eq(ask_user(fd, PRIVSEP_MARK_VERIFIED, OK_USER, NULL), 0);
	ck_assert_uint_eq(ask_user(fd, PRIVSEP_SET_PASSWORD, OK_USER, NEW_PW), 0);
	char hash[512];
	snprintf(hash, sizeof(hash), "%s", current_hash(OK_USER));
	ck_assert_int_eq(pwhash_verify(NEW_PW, hash), 0);
	/* The verification is used up. */
	ck_assert_uint_eq(ask_user(fd, PRIVSEP_SET_PASSWORD, OK_USER, "Third-password-99"), EACCES);
	ck_assert_str_eq(current_hash(OK_USER), hash);
	ck_assert_uint_eq(ask_user(fd, PRIVSEP_VERIFY_PASSWORD, OK_USER, NEW_PW), 0);
	ck_assert_uint_eq(ask_user(fd, PRIVSEP_VERIFY_PASSWORD, OK_USER, OLD_PW), EACCES);
	ck_assert_int_eq(channel_end(&s, fd), 0);
}
END_TEST

START_TEST(locked_account_is_refused_even_when_verified)
{
	struct server s;
	int fd = channel_start(&s);
	char before[512];
	snprintf(before, sizeof(before), "%s", current_hash(LOCKED_USER));
	ck_assert_uint_eq(ask_user(fd, PRIVSEP_MARK_VERIFIED, LOCKED_USER, NULL), 0);
	ck_assert_uint_eq(ask_user(fd, PRIVSEP_SET_PASSWORD, LOCKED_USER, NEW_PW), EPERM);
	ck_assert_str_eq(current_hash(LOCKED_USER), before);
	ck_assert_uint_eq(ask_user(fd, PRIVSEP_UNLOCK, LOCKED_USER, NULL), EPERM);
	ck_assert_int_eq(channel_end(&s, fd), 0);
}
END_TEST

START_TEST(verification_is_per_channel_and_expires)
{
	struct server s1, s2;
	int fd1 = channel_start(&s1), fd2 = channel_start(&s2);
	ck_assert_uint_eq(ask_user(fd1, PRIVSEP_MARK_VERIFIED, OK_USER, NULL), 0);
	ck_assert_uint_eq(ask_user(fd2, PRIVSEP_SET_PASSWORD, OK_USER, NEW_PW), EACCES);
	ck_assert_int_eq(channel_end(&s2, fd2), 0);
	ck_assert_str_eq(current_hash(OK_USER), old_hash);
	/* Older than dialogue_timeout: refused (and used up). */
	conf.dialogue_timeout = 0;
	usleep(20000);
	ck_assert_uint_eq(ask_user(fd1, PRIVSEP_SET_PASSWORD, OK_USER, NEW_PW), EACCES);
	ck_assert_str_eq(current_hash(OK_USER), old_hash);
	ck_assert_int_eq(channel_end(&s1, fd1), 0);
}
END_TEST

START_TEST(reads_and_checks)
{
	struct server s;
	int fd = channel_start(&s);
	uint32_t v = 99;
	const char *u[] = {OK_USER};
	ck_assert_uint_eq(ask(fd, PRIVSEP_ACCOUNT_STATE, u, 1, -1, &v, NULL, 0), 0);
	ck_assert_uint_eq(v, ACCOUNT_OK);
	const char *l[] = {LOCKED_USER};
	ck_assert_uint_eq(ask(fd, PRIVSEP_ACCOUNT_STATE, l, 1, -1, &v, NULL, 0), 0);
	ck_assert_uint_eq(v, ACCOUNT_LOCKED);
	const char *r[] = {"root"};
	ck_assert_uint_eq(ask(fd, PRIVSEP_ACCOUNT_STATE, r, 1, -1, &v, NULL, 0), 0);
	ck_assert_uint_eq(v, ACCOUNT_SYSTEM);
	/* A name no account can have: refused, and the channel goes on. */
	const char *bad[] = {"../etc/passwd"};
	ck_assert_uint_eq(ask(fd, PRIVSEP_ACCOUNT_STATE, bad, 1, -1, &v, NULL, 0), 0);
	ck_assert_uint_eq(v, ACCOUNT_NOT_FOUND);
	ck_assert_uint_eq(ask_user(fd, PRIVSEP_MARK_VERIFIED, "a:b", NULL), EINVAL);
	char hash[512] = "";
	ck_assert_uint_eq(ask(fd, PRIVSEP_CURRENT_HASH, u, 1, -1, NULL, hash, sizeof(hash)), 0);
	ck_assert_str_eq(hash, old_hash);
	ck_assert_uint_eq(ask(fd, PRIVSEP_CURRENT_HASH, bad, 1, -1, NULL, hash, sizeof(hash)),
			  ENOENT);
	ck_assert_uint_eq(ask(fd, PRIVSEP_FAILLOCK_RECORDS, u, 1, -1, &v, NULL, 0), 0);
	ck_assert_uint_eq(v, 0);
	/* Only sspr's own audit operations (a known one would reach this
	 * machine's audit log: the integration tests cover those). */
	const char *audit[] = {"add-user", OK_USER, "192.0.2.1", "pts/1"};
	ck_assert_uint_eq(ask(fd, PRIVSEP_AUDIT_LOG, audit, 4, 0, NULL, NULL, 0), EINVAL);
	ck_assert_int_eq(channel_end(&s, fd), 0);
}
END_TEST

/* Each malformed datagram ends the channel (-EPROTO) without an answer. */
static void expect_malformed(const void *buf, size_t len)
{
	struct server s;
	int fd = channel_start(&s);
	send_raw(fd, buf, len);
	uint8_t reply[16];
	ck_assert_int_eq(recv(fd, reply, sizeof(reply), 0), 0);
	ck_assert_int_eq(channel_end(&s, fd), -EPROTO);
}

START_TEST(malformed_requests_end_the_channel)
{
	static uint8_t big[PRIVSEP_MAX_MSG + 100];
	/* Shorter than a header. */
	expect_malformed("\x00\x10", 2);
	/* Longer than any message. */
	big[1] = PRIVSEP_ACCOUNT_STATE;
	big[2] = 0xff;
	big[3] = 0xff;
	expect_malformed(big, sizeof(big));
	/* Unknown type; a reply or a main-channel message as a request. */
	expect_malformed("\x00\x63\x00\x00", 4);
	expect_malformed("\x00\x40\x00\x04\x00\x00\x00\x00", 8);
	expect_malformed("\x00\x01\x00\x00", 4);
	/* Body length says 7, the datagram holds 6 bytes of body. */
	expect_malformed("\x00\x10\x00\x07\x00\x04nobo", 10);
	/* Field length past the body; a byte left over; no field at all. */
	expect_malformed("\x00\x10\x00\x08\x00\x09nobody", 12);
	expect_malformed("\x00\x10\x00\x09\x00\x06nobodyX", 13);
	expect_malformed("\x00\x10\x00\x00", 4);
	/* A NUL or a control character inside a name. */
	expect_malformed("\x00\x10\x00\x08\x00\x06nob\x00"
			 "dy",
			 12);
	expect_malformed("\x00\x10\x00\x08\x00\x06nob\ndy", 12);
	/* A user field over its 256-byte limit. */
	memset(big, 'a', sizeof(big));
	big[0] = 0;
	big[1] = PRIVSEP_ACCOUNT_STATE;
	big[2] = 0x01;
	big[3] = 0x03; /* 259 = 2 + 257 */
	big[4] = 0x01;
	big[5] = 0x01;
	expect_malformed(big, 4 + 259);
	/* AUDIT_LOG's result is 0 or 1. */
	static const uint8_t audit[] = {
	    0, PRIVSEP_AUDIT_LOG, 0, 14, 0, 2, 'o', 'p', 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
	expect_malformed(audit, sizeof(audit));
	/* A password request cut after the user. */
	expect_malformed("\x00\x14\x00\x08\x00\x06nobody", 12);
	ck_assert_str_eq(current_hash(OK_USER), old_hash);
}
END_TEST

START_TEST(message_builder_keeps_limits)
{
	struct privsep_msg m;
	char longname[PRIVSEP_MAX_USER + 2];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	ck_assert_int_eq(privsep_msg_init(&m, 999), -EINVAL);
	ck_assert_int_eq(privsep_msg_init(&m, PRIVSEP_ACCOUNT_STATE), 0);
	ck_assert_int_eq(privsep_msg_add_num(&m, 1), -EINVAL);
	ck_assert_int_eq(privsep_msg_add_text(&m, longname), -E2BIG);
	ck_assert_int_eq(privsep_msg_add_text(&m, "tab\there"), -EINVAL);
	uint8_t buf[64];
	size_t len = 0;
	ck_assert_int_eq(privsep_msg_encode(&m, buf, sizeof(buf), &len), -EINVAL);
	ck_assert_int_eq(privsep_msg_add_text(&m, "carol"), 0);
	ck_assert_int_eq(privsep_msg_add_text(&m, "more"), -EINVAL);
	ck_assert_int_eq(privsep_msg_encode(&m, buf, sizeof(buf), &len), 0);
	ck_assert_uint_eq(len, 4 + 2 + 5);
	ck_assert_int_eq(privsep_msg_decode(buf, len, &m), 0);
	ck_assert_str_eq(m.text[0], "carol");
	ck_assert_int_eq(privsep_msg_decode(buf, len - 1, &m), -EPROTO);
	ck_assert_int_eq(privsep_msg_init(&m, PRIVSEP_R_STATUS), 0);
	ck_assert_int_eq(privsep_msg_add_num(&m, PRIVSEP_MAX_ERRNO + 1), -E2BIG);
}
END_TEST

/* Secret files read before the split: kept for their own path only. */
START_TEST(secret_files_are_held_for_their_path)
{
	char path[128], other[128];
	snprintf(path, sizeof(path), "%s/token", dir);
	snprintf(other, sizeof(other), "%s/other", dir);
	write_text(path, "s3cret-token\n");
	ck_assert_int_eq(chmod(path, 0600), 0);
	struct privsep_secret h = {0};
	ck_assert_int_eq(privsep_secret_load(&h, path, 64), 0);
	ck_assert_str_eq(privsep_secret_get(&h, path), "s3cret-token");
	ck_assert_ptr_null(privsep_secret_get(&h, other));
	ck_assert_ptr_null(privsep_secret_get(&h, NULL));
	/* Too long, readable by others, missing: nothing held. */
	ck_assert_int_eq(privsep_secret_load(&h, path, 4), -EFBIG);
	ck_assert_ptr_null(privsep_secret_get(&h, path));
	ck_assert_int_eq(chmod(path, 0644), 0);
	ck_assert_int_eq(privsep_secret_load(&h, path, 64), -EPERM);
	ck_assert_int_eq(privsep_secret_load(&h, other, 64), -ENOENT);
	ck_assert_int_eq(privsep_secret_load(&h, NULL, 64), 0);
	ck_assert_ptr_null(h.value);
	privsep_secret_free(&h);
	privsep_secret_free(&h);
}
END_TEST

/* --- The engine's side: priv.h over the main channel --- */

struct main_server {
	pthread_t t;
	int fd;
	int result;
};

static void *serve_main(void *arg)
{
	struct main_server *m = arg;
	m->result = privsep_serve_main(&conf, m->fd, getpid(), getuid(), -1);
	return NULL;
}

static int main_start(struct main_server *m)
{
	int sv[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	m->fd = sv[1];
	m->result = 1;
	ck_assert_int_eq(pthread_create(&m->t, NULL, serve_main, m), 0);
	return sv[0];
}

static int main_end(struct main_server *m, int fd)
{
	close(fd);
	pthread_join(m->t, NULL);
	close(m->fd);
	return m->result;
}

struct engine_job {
	const char *user, *password;
	bool mark;
	int result;
};

/* Each engine thread has its own channel: run a dialogue's calls in one. */
static void *engine_thread(void *arg)
{
	struct engine_job *j = arg;
	j->result = j->mark ? priv_mark_verified(&conf, j->user) : 0;
	if (j->result == 0)
		j->result = priv_set_password(&conf, j->user, j->password);
	return NULL;
}

static int run_engine_job(struct engine_job *j)
{
	pthread_t t;
	ck_assert_int_eq(pthread_create(&t, NULL, engine_thread, j), 0);
	pthread_join(t, NULL);
	return j->result;
}

START_TEST(engine_calls_go_through_the_privileged_side)
{
	struct main_server m;
	int fd = main_start(&m);
	privsep_client_attach(fd);
	ck_assert(privsep_engine_active());
	enum account_state st = ACCOUNT_NOT_FOUND;
	ck_assert_int_eq(priv_account_state(&conf, OK_USER, &st), 0);
	ck_assert_int_eq(st, ACCOUNT_OK);
	ck_assert_int_eq(priv_account_state(&conf, LOCKED_USER, &st), 0);
	ck_assert_int_eq(st, ACCOUNT_LOCKED);
	char *hash = NULL;
	ck_assert_int_eq(priv_current_hash(&conf, OK_USER, &hash), 0);
	ck_assert_str_eq(hash, old_hash);
	secret_free(hash);
	ck_assert_int_eq(priv_verify_password(&conf, OK_USER, OLD_PW), 0);
	ck_assert_int_eq(priv_verify_password(&conf, OK_USER, "wrong"), -EACCES);
	unsigned records = 7;
	ck_assert_int_eq(priv_faillock_records(&conf, OK_USER, &records), 0);
	ck_assert_uint_eq(records, 0);

	struct engine_job unverified = {OK_USER, NEW_PW, false, 0};
	ck_assert_int_eq(run_engine_job(&unverified), -EACCES);
	ck_assert_str_eq(current_hash(OK_USER), old_hash);
	struct engine_job verified = {OK_USER, NEW_PW, true, 0};
	ck_assert_int_eq(run_engine_job(&verified), 0);
	hash = strdup(current_hash(OK_USER));
	ck_assert_int_eq(pwhash_verify(NEW_PW, hash), 0);
	free(hash);
	struct engine_job locked = {LOCKED_USER, NEW_PW, true, 0};
	ck_assert_int_eq(run_engine_job(&locked), -EPERM);

	privsep_client_attach(-1);
	ck_assert_int_eq(main_end(&m, fd), 0);
}
END_TEST

static void *parallel_thread(void *arg)
{
	int *ok = arg;
	enum account_state st = ACCOUNT_NOT_FOUND;
	*ok = priv_account_state(&conf, OK_USER, &st) == 0 && st == ACCOUNT_OK &&
	      priv_verify_password(&conf, OK_USER, OLD_PW) == 0 &&
	      priv_verify_password(&conf, OK_USER, "Not-the-password-1") == -EACCES;
	return NULL;
}

/* Many engine threads at once: each gets its channel and its answers. */
START_TEST(engine_threads_are_served_in_parallel)
{
	enum { N = 40 };
	struct main_server m;
	int fd = main_start(&m);
	privsep_client_attach(fd);
	pthread_t t[N];
	int ok[N];
	for (int i = 0; i < N; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, parallel_thread, &ok[i]), 0);
	for (int i = 0; i < N; i++) {
		pthread_join(t[i], NULL);
		ck_assert_msg(ok[i], "thread %d", i);
	}
	privsep_client_attach(-1);
	ck_assert_int_eq(main_end(&m, fd), 0);
}
END_TEST

/* The main channel takes CHANNEL with exactly one SEQPACKET socket the
 * engine made, and READY once: anything else ends it. */
static void send_with_fd(int fd, const void *buf, size_t len, int pass)
{
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	memset(&ctl, 0, sizeof(ctl));
	struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	if (pass >= 0) {
		mh.msg_control = ctl.b;
		mh.msg_controllen = sizeof(ctl.b);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &pass, sizeof(int));
	}
	ck_assert_int_eq(sendmsg(fd, &mh, MSG_NOSIGNAL), (ssize_t)len);
}

static void expect_main_malformed(const void *buf, size_t len, int pass, int repeat)
{
	struct main_server m;
	int fd = main_start(&m);
	for (int i = 0; i < repeat; i++)
		send_with_fd(fd, buf, len, pass);
	pthread_join(m.t, NULL);
	ck_assert_int_eq(m.result, -EPROTO);
	close(fd);
	close(m.fd);
}

START_TEST(malformed_main_messages_end_it)
{
	static const uint8_t channel[] = {0, PRIVSEP_CHANNEL, 0, 0};
	static const uint8_t ready[] = {0, PRIVSEP_READY, 0, 0};
	/* CHANNEL without a descriptor, READY with one, READY twice. */
	expect_main_malformed(channel, sizeof(channel), -1, 1);
	int sv[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	expect_main_malformed(ready, sizeof(ready), sv[1], 1);
	expect_main_malformed(ready, sizeof(ready), -1, 2);
	/* A request on the main channel. */
	expect_main_malformed("\x00\x10\x00\x08\x00\x06nobody", 12, -1, 1);
	/* A pipe is no request channel. */
	int p[2];
	ck_assert_int_eq(pipe(p), 0);
	expect_main_malformed(channel, sizeof(channel), p[0], 1);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

Suite *privsep_suite(void)
{
	Suite *s = suite_create("privsep");
	TCase *tc = tcase_create("privileged");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, set_password_needs_a_verification);
	tcase_add_test(tc, verified_write_is_accepted_once);
	tcase_add_test(tc, locked_account_is_refused_even_when_verified);
	tcase_add_test(tc, verification_is_per_channel_and_expires);
	tcase_add_test(tc, reads_and_checks);
	tcase_add_test(tc, malformed_requests_end_the_channel);
	tcase_add_test(tc, message_builder_keeps_limits);
	tcase_add_test(tc, secret_files_are_held_for_their_path);
	tcase_add_test(tc, engine_calls_go_through_the_privileged_side);
	tcase_add_test(tc, engine_threads_are_served_in_parallel);
	tcase_add_test(tc, malformed_main_messages_end_it);
	suite_add_tcase(s, tc);
	return s;
}
