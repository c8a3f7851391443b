/* voicecb with a real server on loopback and libcurl as the provider. The
 * expected signatures are computed here with OpenSSL from hand-sorted
 * parameter strings, independently of voicecb.c. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "common/util.h"
#include "ssprd/voicecb.h"
#include "tests/unit/fixture.h"
#include "tests/unit/suites.h"

#define KEY	  "AuthToken-0123456789abcdef"
#define OTHER_KEY "AuthToken-0123456789abcdeg"
#define BASE	  "https://sspr.example.org/hooks/voice"
#define PATH	  "/hooks/voice/"
#define THANKS	  "<Response><Say>Thank you. You can go back to your screen.</Say></Response>"

/* Made once per test case in the runner process, whose teardown runs even
 * when a forked test fails. */
static char tmpdir[64];
static char keyfile[128];
static int port;
static struct voicecb *cb;

static void write_file(const char *path, const char *data, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fchmod(fd, mode), 0);
	ck_assert_int_eq(write(fd, data, strlen(data)), (ssize_t)strlen(data));
	close(fd);
}

static void dir_setup(void)
{
	strcpy(tmpdir, "/tmp/sspr-voicecb-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(keyfile, sizeof(keyfile), "%s/auth", tmpdir);
	/* Only the first line is the key. */
	write_file(keyfile, KEY "\nsecond line\n", 0600);
}

static void dir_teardown(void)
{
	char p[160];
	const char *names[] = {"auth", "other", "log"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", tmpdir, names[i]);
		unlink(p);
	}
	rmdir(tmpdir);
}

static void test_setup(void)
{
	ck_assert_int_eq(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
}

static void test_teardown(void)
{
	voicecb_stop(cb);
	cb = NULL;
	curl_global_cleanup();
}

static int start_with(enum gateway_provider prov, const char *url, const char *key)
{
	static char listen[32];
	port = fixture_free_port();
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
	struct sspr_conf c;
	memset(&c, 0, sizeof(c));
	c.gw_provider = prov;
	c.gw_auth_file = (char *)key;
	c.voice_listen = listen;
	c.voice_callback_url = (char *)url;
	return voicecb_start(&c, &cb);
}

static void start(enum gateway_provider prov)
{
	ck_assert_int_eq(start_with(prov, BASE, keyfile), 0);
}

static void expect(char token[VOICECB_TOKEN_LEN + 1])
{
	char url[256], want[256];
	ck_assert_int_eq(voicecb_expect(cb, token, url, sizeof(url)), 0);
	ck_assert_uint_eq(strlen(token), VOICECB_TOKEN_LEN);
	ck_assert_uint_eq(strspn(token, "0123456789abcdef"), VOICECB_TOKEN_LEN);
	snprintf(want, sizeof(want), "%s/%s", BASE, token);
	ck_assert_str_eq(url, want);
}

/* --- the provider's side ----------------------------------------------- */

struct result {
	long status;
	char ctype[64];
	char body[1024];
	size_t len;
};

struct upload {
	const char *p;
	size_t left;
};

static size_t collect(char *p, size_t sz, size_t n, void *ud)
{
	struct result *r = ud;
	size_t k = sz * n, room = sizeof(r->body) - 1 - r->len;
	memcpy(r->body + r->len, p, k < room ? k : room);
	r->len += k < room ? k : room;
	r->body[r->len] = '\0';
	return k;
}

static size_t feed(char *buf, size_t sz, size_t n, void *ud)
{
	struct upload *u = ud;
	size_t k = sz * n < u->left ? sz * n : u->left;
	memcpy(buf, u->p, k);
	u->p += k;
	u->left -= k;
	return k;
}

/* method "POST" sends body (chunked if asked), anything else sends none.
 * header: a whole "Name: value" line or NULL. */
static CURLcode request(const char *method, const char *path, const char *header, const char *body,
			size_t len, bool chunked, struct result *res)
{
	char url[256];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
	memset(res, 0, sizeof(*res));
	CURL *c = curl_easy_init();
	ck_assert_ptr_nonnull(c);
	struct curl_slist *h = NULL;
	struct upload up = {body, len};
	if (header)
		h = curl_slist_append(h, header);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, res);
	if (strcmp(method, "POST") == 0 && chunked) {
		h = curl_slist_append(h, "Transfer-Encoding: chunked");
		h = curl_slist_append(h, "Content-Type: application/x-www-form-urlencoded");
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_READFUNCTION, feed);
		curl_easy_setopt(c, CURLOPT_READDATA, &up);
	} else if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
	} else if (strcmp(method, "HEAD") == 0) {
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	} else {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	CURLcode rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &res->status);
	char *ct = NULL;
	if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct)
		snprintf(res->ctype, sizeof(res->ctype), "%s", ct);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return rc;
}

/* base64(HMAC-SHA1(key, url + sorted)) as an X-Twilio-Signature header. */
static void twilio_header(const char *key, const char *url, const char *sorted, char *out,
			  size_t outsz)
{
	char data[8192];
	unsigned char mac[EVP_MAX_MD_SIZE], b64[64];
	unsigned n = 0;
	snprintf(data, sizeof(data), "%s%s", url, sorted);
	ck_assert_ptr_nonnull(
	    HMAC(EVP_sha1(), key, (int)strlen(key), (unsigned char *)data, strlen(data), mac, &n));
	ck_assert_uint_eq(n, 20);
	ck_assert_int_eq(EVP_EncodeBlock(b64, mac, 20), 28);
	snprintf(out, outsz, "X-Twilio-Signature: %s", b64);
}

/* Lowercase hex HMAC-SHA256(key, url + body) as an X-Sspr-Signature header. */
static void http_header(const char *key, const char *url, const char *body, char *out, size_t outsz)
{
	char data[8192];
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	snprintf(data, sizeof(data), "%s%s", url, body);
	ck_assert_ptr_nonnull(HMAC(EVP_sha256(), key, (int)strlen(key), (unsigned char *)data,
				   strlen(data), mac, &n));
	ck_assert_uint_eq(n, 32);
	int w = snprintf(out, outsz, "X-Sspr-Signature: ");
	for (unsigned i = 0; i < n; i++)
		w += snprintf(out + w, outsz - (size_t)w, "%02x", mac[i]);
}

/* A Gather report as Twilio posts it: parameters in no particular order;
 * sorted is the same set sorted by name, names and values decoded. */
static long twilio_report(const char *key, const char *url_signed, const char *token,
			  const char *digit_enc, const char *digit, struct result *res)
{
	char body[512], sorted[512], hdr[128], path[128], url[256];
	snprintf(body, sizeof(body),
		 "To=%%2B15550199&Digits=%s&From=%%2B15550100&CallSid=CA0123&AccountSid=AC42"
		 "&CallStatus=in-progress&msg=Gather+End",
		 digit_enc);
	snprintf(sorted, sizeof(sorted),
		 "AccountSidAC42CallSidCA0123CallStatusin-progressDigits%sFrom+15550100"
		 "To+15550199msgGather End",
		 digit);
	snprintf(url, sizeof(url), "%s/%s", url_signed, token);
	twilio_header(key, url, sorted, hdr, sizeof(hdr));
	snprintf(path, sizeof(path), PATH "%s", token);
	ck_assert_int_eq(request("POST", path, hdr, body, strlen(body), false, res), CURLE_OK);
	return res->status;
}

static long http_report(const char *key, const char *token, const char *body, struct result *res)
{
	char hdr[128], path[128], url[256];
	snprintf(url, sizeof(url), BASE "/%s", token);
	http_header(key, url, body, hdr, sizeof(hdr));
	snprintf(path, sizeof(path), PATH "%s", token);
	ck_assert_int_eq(request("POST", path, hdr, body, strlen(body), false, res), CURLE_OK);
	return res->status;
}

struct waiter {
	pthread_t thread;
	const char *token;
	int64_t deadline;
	int result;
};

static void *wait_thread(void *p)
{
	struct waiter *w = p;
	w->result = voicecb_wait(cb, w->token, w->deadline);
	return NULL;
}

/* --- tests ------------------------------------------------------------- */

START_TEST(twilio_pound_confirms)
{
	char token[VOICECB_TOKEN_LEN + 1];
	struct result res;
	start(GATEWAY_TWILIO);
	expect(token);
	/* A waiter already asleep is woken by the report. */
	struct waiter w = {.token = token, .deadline = now_ms() + 5000, .result = 1};
	ck_assert_int_eq(pthread_create(&w.thread, NULL, wait_thread, &w), 0);
	ck_assert_int_eq(twilio_report(KEY, BASE, token, "%23", "#", &res), 200);
	ck_assert_int_eq(pthread_join(w.thread, NULL), 0);
	ck_assert_int_eq(w.result, 0);
	ck_assert_int_lt(now_ms(), w.deadline);
	ck_assert_str_eq(res.ctype, "text/xml");
	ck_assert_ptr_nonnull(strstr(res.body, THANKS));
	ck_assert_int_eq(voicecb_wait(cb, token, now_ms() + 100), 0);
	voicecb_forget(cb, token);
	ck_assert_int_eq(voicecb_wait(cb, token, now_ms() + 100), -ENOENT);
}
END_TEST

START_TEST(twilio_forged_refused)
{
	char token[VOICECB_TOKEN_LEN + 1], hdr[128], path[128], logpath[160], *log = NULL;
	struct result res;
	snprintf(logpath, sizeof(logpath), "%s/log", tmpdir);
	int fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_ge(dup2(fd, 2), 0);
	close(fd);
	start(GATEWAY_TWILIO);
	expect(token);

	ck_assert_int_eq(twilio_report(OTHER_KEY, BASE, token, "%23", "#", &res), 403);
	/* Signed for the address the server listens on, not callback_url. */
	char local[64];
	snprintf(local, sizeof(local), "http://127.0.0.1:%d/hooks/voice", port);
	ck_assert_int_eq(twilio_report(KEY, local, token, "%23", "#", &res), 403);
	/* A valid "1" report with its Digits turned into "#". */
	const char *body = "Digits=%23&CallSid=CA0123";
	char url[256];
	snprintf(url, sizeof(url), BASE "/%s", token);
	twilio_header(KEY, url, "CallSidCA0123Digits1", hdr, sizeof(hdr));
	snprintf(path, sizeof(path), PATH "%s", token);
	ck_assert_int_eq(request("POST", path, hdr, body, strlen(body), false, &res), CURLE_OK);
	ck_assert_int_eq(res.status, 403);
	ck_assert_int_eq(request("POST", path, NULL, body, strlen(body), false, &res), CURLE_OK);
	ck_assert_int_eq(res.status, 403);
	/* The right signature with one character near its end changed. */
	twilio_header(KEY, url, "CallSidCA0123Digits#", hdr, sizeof(hdr));
	size_t last = strlen(hdr) - 3;
	hdr[last] = hdr[last] == 'A' ? 'B' : 'A';
	ck_assert_int_eq(request("POST", path, hdr, body, strlen(body), false, &res), CURLE_OK);
	ck_assert_int_eq(res.status, 403);
	ck_assert_int_eq(
	    request("POST", path, "X-Twilio-Signature: !!!", body, strlen(body), false, &res),
	    CURLE_OK);
	ck_assert_int_eq(res.status, 403);

	int64_t t0 = now_ms();
	ck_assert_int_eq(voicecb_wait(cb, token, t0 + 300), -ETIMEDOUT);
	ck_assert_int_ge(now_ms() - t0, 300);

	/* Logged with the peer, never with the token or the key. */
	ck_assert_int_eq(read_small_file(logpath, 1 << 16, &log, NULL), 0);
	ck_assert_ptr_nonnull(strstr(log, "127.0.0.1"));
	ck_assert_ptr_null(strstr(log, token));
	ck_assert_ptr_null(strstr(log, "AuthToken"));
	free(log);

	/* The refused reports left the token pending. */
	ck_assert_int_eq(twilio_report(KEY, BASE, token, "%23", "#", &res), 200);
	ck_assert_int_eq(voicecb_wait(cb, token, now_ms() + 100), 0);
}
END_TEST

START_TEST(twilio_other_key_declines)
{
	char token[VOICECB_TOKEN_LEN + 1];
	struct result res;
	start(GATEWAY_TWILIO);
	expect(token);
	ck_assert_int_eq(twilio_report(KEY, BASE, token, "1", "1", &res), 200);
	ck_assert_ptr_null(strstr(res.body, THANKS));
	ck_assert_int_eq(voicecb_wait(cb, token, now_ms() + 1000), -EACCES);
	/* The first report decides. */
	ck_assert_int_eq(twilio_report(KEY, BASE, token, "%23", "#", &res), 200);
	ck_assert_int_eq(voicecb_wait(cb, token, now_ms() + 1000), -EACCES);
	/* Nothing pressed (Twilio's empty Digits) is not a confirmation. */
	expect(token);
	ck_assert_int_eq(twilio_report(KEY, BASE, token, "", "", &res), 200);
	ck_assert_int_eq(voicecb_wait(cb, token, now_ms() + 1000), -EACCES);
}
END_TEST

START_TEST(http_provider)
{
	char token[VOICECB_TOKEN_LEN + 1], t2[VOICECB_TOKEN_LEN + 1], t3[VOICECB_TOKEN_LEN + 1];
	struct result res;
	start(GATEWAY_HTTP);
	expect(token);
	expect(t2);
	expect(t3);
	ck_assert_int_eq(http_report(KEY, token, "digits=%23", &res), 200);
	ck_assert_ptr_nonnull(strstr(res.body, THANKS));
	ck_assert_int_eq(voicecb_wait(cb, token, now_ms() + 1000), 0);

	ck_assert_int_eq(http_report(OTHER_KEY, t2, "digits=%23", &res), 403);
	char hdr[128], path[128], url[256];
	snprintf(url, sizeof(url), BASE "/%s", t2);
	snprintf(path, sizeof(path), PATH "%s", t2);
	http_header(KEY, url, "digits=%23", hdr, sizeof(hdr));
	size_t last = strlen(hdr) - 1;
	hdr[last] = hdr[last] == '0' ? '1' : '0';
	ck_assert_int_eq(request("POST", path, hdr, "digits=%23", 10, false, &res), CURLE_OK);
	ck_assert_int_eq(res.status, 403);
	hdr[last] = '\0';
	ck_assert_int_eq(request("POST", path, hdr, "digits=%23", 10, false, &res), CURLE_OK);
	ck_assert_int_eq(res.status, 403);
	/* A Twilio signature means nothing to the http provider. */
	ck_assert_int_eq(twilio_report(KEY, BASE, t2, "%23", "#", &res), 403);
	ck_assert_int_eq(voicecb_wait(cb, t2, now_ms() + 300), -ETIMEDOUT);

	ck_assert_int_eq(http_report(KEY, t3, "digits=5", &res), 200);
	ck_assert_int_eq(voicecb_wait(cb, t3, now_ms() + 1000), -EACCES);
	/* Signed, but without the digits parameter. */
	ck_assert_int_eq(http_report(KEY, t2, "x=%23", &res), 400);
	ck_assert_int_eq(voicecb_wait(cb, t2, now_ms() + 50), -ETIMEDOUT);
}
END_TEST

START_TEST(unknown_paths_404)
{
	char token[VOICECB_TOKEN_LEN + 1], path[160];
	const char *never = "0123456789abcdef0123456789abcdef";
	struct result res;
	start(GATEWAY_HTTP);
	expect(token);
	/* Correctly signed, but nobody expects it. */
	ck_assert_int_eq(http_report(KEY, never, "digits=%23", &res), 404);
	static const struct {
		const char *before, *after;
	} bad[] = {{"/hooks/other/", ""}, {PATH, "/x"}, {"/hooks/voice", ""}, {"/", ""}};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(path, sizeof(path), "%s%s%s", bad[i].before, token, bad[i].after);
		ck_assert_int_eq(request("POST", path, NULL, "digits=%23", 10, false, &res),
				 CURLE_OK);
		ck_assert_msg(res.status == 404, "%s: %ld", path, res.status);
	}
	char upper[VOICECB_TOKEN_LEN + 1];
	for (int i = 0; i <= VOICECB_TOKEN_LEN; i++)
		upper[i] = (char)(token[i] >= 'a' ? token[i] - 32 : token[i]);
	snprintf(path, sizeof(path), PATH "%s", upper);
	ck_assert_int_eq(request("POST", path, NULL, "digits=%23", 10, false, &res), CURLE_OK);
	ck_assert_int_eq(res.status, strcmp(upper, token) ? 404 : 403);
	/* Forgotten: nobody waits any more. */
	voicecb_forget(cb, token);
	ck_assert_int_eq(http_report(KEY, token, "digits=%23", &res), 404);
}
END_TEST

START_TEST(only_post_405)
{
	char token[VOICECB_TOKEN_LEN + 1], path[128];
	struct result res;
	start(GATEWAY_TWILIO);
	expect(token);
	snprintf(path, sizeof(path), PATH "%s", token);
	const char *methods[] = {"GET", "PUT", "DELETE", "HEAD"};
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		ck_assert_int_eq(request(methods[i], path, NULL, NULL, 0, false, &res), CURLE_OK);
		ck_assert_msg(res.status == 405, "%s: %ld", methods[i], res.status);
	}
	ck_assert_int_eq(voicecb_wait(cb, token, now_ms() + 50), -ETIMEDOUT);
}
END_TEST

START_TEST(oversize_413)
{
	char token[VOICECB_TOKEN_LEN + 1], path[128];
	static char body[1 << 20];
	struct result res;
	start(GATEWAY_HTTP);
	expect(token);
	snprintf(path, sizeof(path), PATH "%s", token);

	/* Exactly 4096 bytes, signed: accepted. */
	strcpy(body, "digits=%23&pad=");
	size_t n = strlen(body);
	memset(body + n, 'p', 4096 - n);
	body[4096] = '\0';
	/* One byte more, by Content-Length or chunked: refused. */
	char over[4098];
	memcpy(over, body, 4096);
	strcpy(over + 4096, "p");
	ck_assert_int_eq(request("POST", path, NULL, over, 4097, false, &res), CURLE_OK);
	ck_assert_int_eq(res.status, 413);
	ck_assert_int_eq(request("POST", path, NULL, over, 4097, true, &res), CURLE_OK);
	ck_assert_int_eq(res.status, 413);
	/* Far beyond the limit the connection is dropped rather than read. */
	memset(body + 4096, 'p', sizeof(body) - 4096);
	CURLcode rc = request("POST", path, NULL, body, sizeof(body), true, &res);
	ck_assert(rc != CURLE_OK || res.status == 413);
	ck_assert_int_eq(voicecb_wait(cb, token, now_ms() + 50), -ETIMEDOUT);

	body[4096] = '\0';
	ck_assert_int_eq(http_report(KEY, token, body, &res), 200);
	ck_assert_int_eq(voicecb_wait(cb, token, now_ms() + 1000), 0);
}
END_TEST

START_TEST(forgotten_enoent)
{
	char token[VOICECB_TOKEN_LEN + 1];
	start(GATEWAY_TWILIO);
	expect(token);
	/* A waiter is released when its token is forgotten. */
	struct waiter w = {.token = token, .deadline = now_ms() + 5000, .result = 1};
	ck_assert_int_eq(pthread_create(&w.thread, NULL, wait_thread, &w), 0);
	usleep(50 * 1000); /* not synchronisation: either order must give -ENOENT */
	voicecb_forget(cb, token);
	ck_assert_int_eq(pthread_join(w.thread, NULL), 0);
	ck_assert_int_eq(w.result, -ENOENT);
	ck_assert_int_lt(now_ms(), w.deadline);
	ck_assert_int_eq(voicecb_wait(cb, token, now_ms() + 100), -ENOENT);
	ck_assert_int_eq(voicecb_wait(cb, "0123456789abcdef0123456789abcdef", now_ms() + 100),
			 -ENOENT);
	ck_assert_int_eq(voicecb_wait(cb, "short", now_ms() + 100), -ENOENT);
	voicecb_forget(cb, token); /* twice is harmless */
}
END_TEST

START_TEST(busy_after_256)
{
	static char tokens[257][VOICECB_TOKEN_LEN + 1];
	char url[256];
	start(GATEWAY_TWILIO);
	for (int i = 0; i < 256; i++)
		ck_assert_int_eq(voicecb_expect(cb, tokens[i], url, sizeof(url)), 0);
	for (int i = 0; i < 256; i++)
		for (int j = i + 1; j < 256; j++)
			ck_assert_str_ne(tokens[i], tokens[j]);
	ck_assert_int_eq(voicecb_expect(cb, tokens[256], url, sizeof(url)), -EBUSY);
	voicecb_forget(cb, tokens[100]);
	ck_assert_int_eq(voicecb_expect(cb, tokens[256], url, sizeof(url)), 0);
	ck_assert_int_eq(voicecb_wait(cb, tokens[256], now_ms() + 10), -ETIMEDOUT);
	ck_assert_int_eq(voicecb_wait(cb, tokens[100], now_ms() + 10), -ENOENT);
	/* The URL must fit. */
	voicecb_forget(cb, tokens[101]);
	ck_assert_int_eq(voicecb_expect(cb, tokens[100], url, strlen(BASE) + 33), -ENOBUFS);
	ck_assert_int_eq(voicecb_expect(cb, tokens[100], url, strlen(BASE) + 34), 0);
}
END_TEST

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	ck_assert_ptr_nonnull(d);
	int n = 0;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

START_TEST(start_errors)
{
	char other[160];
	snprintf(other, sizeof(other), "%s/other", tmpdir);
	int fds = count_fds();
	ck_assert_int_eq(start_with(GATEWAY_TWILIO, BASE, other), -ENOENT);
	write_file(other, KEY "\n", 0644);
	ck_assert_int_eq(start_with(GATEWAY_TWILIO, BASE, other), -EPERM);
	write_file(other, "\nkey on the second line\n", 0600);
	ck_assert_int_eq(start_with(GATEWAY_TWILIO, BASE, other), -EINVAL);
	ck_assert_int_eq(start_with(GATEWAY_TWILIO, BASE "?a=b", keyfile), -EINVAL);
	ck_assert_ptr_null(cb);

	/* The port is taken. */
	start(GATEWAY_TWILIO);
	struct voicecb *first = cb;
	char listen[32];
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
	struct sspr_conf c;
	memset(&c, 0, sizeof(c));
	c.gw_auth_file = keyfile;
	c.voice_listen = listen;
	c.voice_callback_url = (char *)BASE;
	struct voicecb *second = NULL;
	ck_assert_int_eq(voicecb_start(&c, &second), -EADDRINUSE);
	voicecb_stop(first);
	cb = NULL;
	/* Stopping closed the listening socket. */
	ck_assert_int_eq(count_fds(), fds);
	ck_assert_int_eq(voicecb_start(&c, &cb), 0);
}
END_TEST

START_TEST(trailing_slash_root)
{
	char token[VOICECB_TOKEN_LEN + 1], url[256], hdr[128], path[64];
	struct result res;
	ck_assert_int_eq(start_with(GATEWAY_HTTP, "https://cb.example.org/", keyfile), 0);
	ck_assert_int_eq(voicecb_expect(cb, token, url, sizeof(url)), 0);
	ck_assert_str_eq(url + strlen("https://cb.example.org/"), token);
	ck_assert_uint_eq(strlen(url), strlen("https://cb.example.org/") + VOICECB_TOKEN_LEN);
	http_header(KEY, url, "digits=%23", hdr, sizeof(hdr));
	snprintf(path, sizeof(path), "/%s", token);
	ck_assert_int_eq(request("POST", path, hdr, "digits=%23", 10, false, &res), CURLE_OK);
	ck_assert_int_eq(res.status, 200);
	ck_assert_int_eq(voicecb_wait(cb, token, now_ms() + 1000), 0);
}
END_TEST

Suite *voicecb_suite(void)
{
	Suite *s = suite_create("voicecb");
	TCase *tc = tcase_create("voicecb");
	tcase_add_unchecked_fixture(tc, dir_setup, dir_teardown);
	tcase_add_checked_fixture(tc, test_setup, test_teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, twilio_pound_confirms);
	tcase_add_test(tc, twilio_forged_refused);
	tcase_add_test(tc, twilio_other_key_declines);
	tcase_add_test(tc, http_provider);
	tcase_add_test(tc, unknown_paths_404);
	tcase_add_test(tc, only_post_405);
	tcase_add_test(tc, oversize_413);
	tcase_add_test(tc, forgotten_enoent);
	tcase_add_test(tc, busy_after_256);
	tcase_add_test(tc, start_errors);
	tcase_add_test(tc, trailing_slash_root);
	suite_add_tcase(s, tc);
	return s;
}
