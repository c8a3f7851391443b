/* gateway_send_sms / gateway_place_call against tests/integration/
 * fake_gateway.py on loopback (found under $SSPR_SRC, else the current
 * directory), which records every request it receives as a JSON line. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "common/util.h"
#include "ssprd/gateway.h"
#include "ssprd/gateway_body.h"
#include "tests/unit/fixture.h"
#include "tests/unit/suites.h"

#define PY    "/usr/bin/python3"
#define SID   "ACf00dfeed"
#define TOKEN "s3cret-token"
#define FROM  "+15550100100"
#define TO    "+15550100167"
#define ECHO  "https://echo.example.org/echo"
/* & = " and a non-ASCII character. */
#define NASTY "a&b=c \"q\" caf\xc3\xa9"

static char basedir[64];
static struct {
	char dir[96], log[128], control[128], auth[128], query[128], url[64];
	pid_t pid;
	int port;
} fk;

static void basedir_setup(void)
{
	ck_assert_int_eq(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
	fixture_tmpdir_make(basedir, "gw");
}

static void basedir_teardown(void)
{
	fixture_tmpdir_remove(basedir);
	curl_global_cleanup();
}

static void write_file(const char *path, const char *data, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, strlen(data)), (ssize_t)strlen(data));
	close(fd);
}

/* Prints what the test asks of the log: "count KIND|*", "get N FIELD",
 * "form N FIELD NAME" / "json N FIELD NAME" (FIELD decoded as a form or
 * JSON object, then NAME's value). Any mismatch exits non-zero. */
static const char query_py[] =
    "import json, sys, urllib.parse\n"
    "try:\n"
    "    recs = [json.loads(l) for l in open(sys.argv[1], encoding='utf-8')]\n"
    "except FileNotFoundError:\n"
    "    recs = []\n"
    "op = sys.argv[2]\n"
    "if op == 'count':\n"
    "    v = str(sum(1 for r in recs if sys.argv[3] in ('*', r.get('kind'))))\n"
    "else:\n"
    "    v = recs[int(sys.argv[3])].get(sys.argv[4])\n"
    "    if op == 'form':\n"
    "        v = urllib.parse.parse_qs(v, keep_blank_values=True, strict_parsing=True)\n"
    "        v = v[sys.argv[5]][0]\n"
    "    elif op == 'json':\n"
    "        v = json.loads(v)[sys.argv[5]]\n"
    "sys.stdout.write(v if isinstance(v, str) else json.dumps(v))\n";

/* The fake's answer to a query; the caller frees it. */
static char *logq(const char *fmt, ...)
{
	char args[256], cmd[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), PY " %s %s %s", fk.query, fk.log, args);
	FILE *p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	char *out = calloc(1, 65536);
	ck_assert_ptr_nonnull(out);
	size_t n = fread(out, 1, 65535, p);
	out[n] = '\0';
	ck_assert_msg(pclose(p) == 0, "log query failed: %s", args);
	return out;
}

static int logcount(const char *kind)
{
	char *s = logq("count '%s'", kind);
	int n = atoi(s);
	free(s);
	return n;
}

static void assert_field(int idx, const char *field, const char *want)
{
	char *got = logq("get %d %s", idx, field);
	ck_assert_str_eq(got, want);
	free(got);
}

/* Starts the fake in a fresh directory and reads its "PORT n" line. */
static void fake_start(void)
{
	snprintf(fk.dir, sizeof(fk.dir), "%s/t-XXXXXX", basedir);
	ck_assert_ptr_nonnull(mkdtemp(fk.dir));
	snprintf(fk.log, sizeof(fk.log), "%s/requests.jsonl", fk.dir);
	snprintf(fk.control, sizeof(fk.control), "%s/control.json", fk.dir);
	snprintf(fk.auth, sizeof(fk.auth), "%s/auth", fk.dir);
	snprintf(fk.query, sizeof(fk.query), "%s/query.py", fk.dir);
	write_file(fk.query, query_py, 0600);
	/* Only the first line counts. */
	write_file(fk.auth, TOKEN "\nsecond line\n", 0600);

	const char *src = getenv("SSPR_SRC");
	char script[512], errlog[160];
	snprintf(script, sizeof(script), "%s/tests/integration/fake_gateway.py",
		 src && *src ? src : ".");
	ck_assert_msg(access(script, R_OK) == 0, "%s missing: run from the tree or set SSPR_SRC",
		      script);
	snprintf(errlog, sizeof(errlog), "%s/fake.err", fk.dir);
	int pfd[2];
	ck_assert_int_eq(pipe2(pfd, O_CLOEXEC), 0);
	pid_t parent = getpid();
	fk.pid = fork();
	ck_assert_int_ge(fk.pid, 0);
	if (fk.pid == 0) {
		/* Check forks each test; the fake must die with it. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		int fd = open(errlog, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		dup2(pfd[1], 1);
		if (fd >= 0)
			dup2(fd, 2);
		char *const argv[] = {PY,	 script,      "--port",	  "0",	   "--log",
				      fk.log,	 "--control", fk.control, "--sid", SID,
				      "--token", TOKEN,	      NULL};
		execv(PY, argv);
		_exit(127);
	}
	close(pfd[1]);
	char line[64] = "";
	size_t len = 0;
	int64_t deadline = now_ms() + 10000;
	while (!memchr(line, '\n', len)) {
		struct pollfd p = {.fd = pfd[0], .events = POLLIN};
		int64_t left = deadline - now_ms();
		ck_assert_msg(left > 0 && poll(&p, 1, (int)left) == 1, "fake gateway not ready");
		ssize_t n = read(pfd[0], line + len, sizeof(line) - 1 - len);
		ck_assert_msg(n > 0, "fake gateway exited; see %s", errlog);
		len += (size_t)n;
		line[len] = '\0';
	}
	close(pfd[0]);
	ck_assert_int_eq(sscanf(line, "PORT %d", &fk.port), 1);
	snprintf(fk.url, sizeof(fk.url), "http://127.0.0.1:%d", fk.port);
}

static void fake_stop(void)
{
	if (fk.pid > 0) {
		kill(fk.pid, SIGKILL);
		waitpid(fk.pid, NULL, 0);
	}
	fk.pid = 0;
}

static void control(const char *json)
{
	write_file(fk.control, json, 0600);
}

static void conf_twilio(struct sspr_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->gw_provider = GATEWAY_TWILIO;
	c->gw_url = fk.url;
	c->gw_account_sid = (char *)SID;
	c->gw_auth_file = fk.auth;
	c->gw_from = (char *)FROM;
	c->gw_timeout = 5;
	c->voice_echo_url = (char *)ECHO;
}

static char sms_url[96], call_url[96];

static void conf_http(struct sspr_conf *c, enum body_format f, const char *sms, const char *call)
{
	conf_twilio(c);
	c->gw_provider = GATEWAY_HTTP;
	c->gw_body_format = f;
	snprintf(sms_url, sizeof(sms_url), "%s/http/sms", fk.url);
	snprintf(call_url, sizeof(call_url), "%s/http/call", fk.url);
	c->gw_sms_url = sms_url;
	c->gw_call_url = call_url;
	c->gw_sms_body = (char *)sms;
	c->gw_call_body = (char *)call;
}

/* --- templates ----------------------------------------------------------- */

START_TEST(test_body_expand)
{
	struct gwbuf b;
	struct gwvars v = {.to = TO, .text = "x\"y\\z\n\x01", .mode = "press_pound"};
	ck_assert_int_eq(gateway_body_expand("{\"a\":{\"t\":\"{text}\",\"to\":\"{to}\"},{}{To}{c}"
					     "{code}{callback}",
					     BODY_JSON, &v, &b),
			 -EINVAL);
	gwbuf_wipe(&b);
	ck_assert_int_eq(gateway_body_expand("{\"a\":{\"t\":\"{text}\",\"to\":\"{to}\"},{}{To}"
					     "[{code}{callback}]{{mode}}",
					     BODY_JSON, &v, &b),
			 0);
	ck_assert_str_eq(b.data, "{\"a\":{\"t\":\"x\\\"y\\\\z\\n\\u0001\",\"to\":\"+15550100167\"},"
				 "{}{To}[]{press_pound}");
	gwbuf_wipe(&b);
	gwbuf_wipe(&b);

	v.text = NASTY " ~-._";
	ck_assert_int_eq(gateway_body_expand("t={text}&m={mode}", BODY_FORM, &v, &b), 0);
	ck_assert_str_eq(b.data, "t=a%26b%3Dc%20%22q%22%20caf%C3%A9%20~-._&m=press_pound");
	gwbuf_wipe(&b);

	/* GATEWAY_BODY_MAX bytes fit, one more does not. */
	char big[GATEWAY_BODY_MAX + 2];
	memset(big, 'a', sizeof(big) - 1);
	big[GATEWAY_BODY_MAX] = '\0';
	v.text = big;
	ck_assert_int_eq(gateway_body_expand("{text}", BODY_FORM, &v, &b), 0);
	ck_assert_uint_eq(b.len, GATEWAY_BODY_MAX);
	gwbuf_wipe(&b);
	ck_assert_int_eq(gateway_body_expand("x{text}", BODY_FORM, &v, &b), -EINVAL);
	gwbuf_wipe(&b);

	ck_assert_int_eq(gwbuf_init(&b, 64), 0);
	gwbuf_escape(&b, GWESC_XML, "<a href='x'>&\"</a>");
	ck_assert_str_eq(b.data, "&lt;a href=&apos;x&apos;&gt;&amp;&quot;&lt;/a&gt;");
	gwbuf_wipe(&b);
}
END_TEST

/* --- twilio ------------------------------------------------------------ */

START_TEST(test_twilio_sms)
{
	struct sspr_conf c;
	conf_twilio(&c);
	ck_assert_int_eq(gateway_send_sms(&c, TO, "Your code: 123456\n" NASTY), 0);
	ck_assert_int_eq(logcount("sms"), 1);
	assert_field(0, "api", "twilio");
	assert_field(0, "auth_ok", "true");
	assert_field(0, "to", TO);
	assert_field(0, "from", FROM);
	assert_field(0, "body", "Your code: 123456\n" NASTY);
	assert_field(0, "content_type", "application/x-www-form-urlencoded");
	assert_field(0, "status", "201");

	/* A trailing "/" on url changes nothing. */
	char url[80];
	snprintf(url, sizeof(url), "%s/", fk.url);
	c.gw_url = url;
	ck_assert_int_eq(gateway_send_sms(&c, TO, "x"), 0);
	assert_field(1, "path", "/2010-04-01/Accounts/" SID "/Messages.json");

	/* A wrong token is a 401, which is not retried. */
	write_file(fk.auth, "wrong\n", 0600);
	c.gw_retries = 3;
	ck_assert_int_eq(gateway_send_sms(&c, TO, "x"), -EIO);
	ck_assert_int_eq(logcount("sms"), 3);
	assert_field(2, "auth_ok", "false");
	assert_field(2, "status", "401");

	/* An auth file others can read is refused before anything is sent. */
	write_file(fk.auth, TOKEN "\n", 0644);
	chmod(fk.auth, 0644);
	ck_assert_int_eq(gateway_send_sms(&c, TO, "x"), -EINVAL);
	ck_assert_int_eq(logcount("*"), 3);
}
END_TEST

/* The "Your code is 1, 2, 3, 4, 5, 6." TwiML, percent-encoded. */
#define INNER_ENC                                                                                  \
	"%3CResponse%3E%3CSay%3EYour%20code%20is%201%2C%202%2C%203%2C%204%2C%205%2C%206."          \
	"%20Again%3A%201%2C%202%2C%203%2C%204%2C%205%2C%206.%3C%2FSay%3E%3CHangup%2F%3E"           \
	"%3C%2FResponse%3E"

START_TEST(test_twilio_speak_code)
{
	struct sspr_conf c;
	conf_twilio(&c);
	struct gateway_call call = {
	    .to = TO, .mode = VOICE_SPEAK_CODE, .code = "123456", .organisation = "Tom & Jerry's"};
	ck_assert_int_eq(gateway_place_call(&c, &call), 0);
	ck_assert_int_eq(logcount("call"), 1);
	assert_field(0, "auth_ok", "true");
	assert_field(0, "to", TO);
	assert_field(0, "from", FROM);
	assert_field(
	    0, "twiml",
	    "<Response><Gather input=\"dtmf\" numDigits=\"1\" timeout=\"15\" action=\"" ECHO
	    "?Twiml=" INNER_ENC "\" method=\"GET\"><Say>This is the password reset service of "
	    "Tom &amp; Jerry&apos;s. To hear your code, press any key.</Say></Gather>"
	    "<Say>Goodbye.</Say></Response>");
	/* Nothing outside the action attribute mentions the code. */
	char *tw = logq("get 0 twiml");
	char *action = strstr(tw, "action=\""), *end = strchr(action + 8, '"');
	ck_assert_ptr_null(strstr(tw, "123456"));
	ck_assert_ptr_null(strstr(end, "1, 2"));
	ck_assert_ptr_null(strstr(end, "1%2C"));
	ck_assert(strstr(tw, "<Gather") < strstr(tw, "<Say>"));
	free(tw);

	/* The organisation falls back to the first name in [policy]; an echo
	 * URL with a query gets "&Twiml=". */
	call.organisation = NULL;
	c.organisation = (char *)" ACME Corp , ACME";
	c.voice_echo_url = (char *)ECHO "?k=v";
	ck_assert_int_eq(gateway_place_call(&c, &call), 0);
	tw = logq("get 1 twiml");
	ck_assert_ptr_nonnull(strstr(tw, "action=\"" ECHO "?k=v&amp;Twiml=" INNER_ENC "\""));
	ck_assert_ptr_nonnull(strstr(tw, "service of ACME Corp. To hear"));
	free(tw);

	/* The echo URL carries the code: http:// only to loopback. */
	c.voice_echo_url = (char *)"http://echo.example.org/echo";
	ck_assert_int_eq(gateway_place_call(&c, &call), -EINVAL);
	c.voice_echo_url = (char *)ECHO;
	call.code = "12a456";
	ck_assert_int_eq(gateway_place_call(&c, &call), -EINVAL);
	ck_assert_int_eq(logcount("*"), 2);
}
END_TEST

/* A one-shot HTTP listener standing in for ssprd's callback server. */
static int cb_listen(int *port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof(sa);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(fd, 4), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

/* Reads one request into req (headers and body); returns the connection. */
static int cb_accept(int lfd, char *req, size_t reqsz, char **body)
{
	struct pollfd p = {.fd = lfd, .events = POLLIN};
	ck_assert_msg(poll(&p, 1, 10000) == 1, "no callback within 10 s");
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	size_t len = 0;
	for (;;) {
		ssize_t n = read(fd, req + len, reqsz - 1 - len);
		ck_assert_int_gt(n, 0);
		len += (size_t)n;
		req[len] = '\0';
		char *hend = strstr(req, "\r\n\r\n"), *cl = strcasestr(req, "\r\nContent-Length:");
		if (hend && cl && len >= (size_t)(hend + 4 - req) + strtoul(cl + 17, NULL, 10)) {
			*body = hend + 4;
			return fd;
		}
	}
}

static void cb_reply(int fd, int status)
{
	char r[128];
	int n = snprintf(r, sizeof(r),
			 "HTTP/1.1 %d X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", status);
	ck_assert_int_eq(write(fd, r, (size_t)n), n);
	close(fd);
}

static void header(const char *req, const char *name, char *out, size_t outsz)
{
	const char *h = strcasestr(req, name);
	ck_assert_ptr_nonnull(h);
	h += strlen(name);
	size_t n = strcspn(h, "\r\n");
	ck_assert_uint_lt(n, outsz);
	memcpy(out, h, n);
	out[n] = '\0';
}

/* Decodes one application/x-www-form-urlencoded field in place. */
static void form_decode(char *s)
{
	char *w = s;
	for (char *r = s; *r; r++) {
		unsigned v;
		if (*r == '%' && sscanf(r + 1, "%2x", &v) == 1)
			*w++ = (char)v, r += 2;
		else
			*w++ = *r == '+' ? ' ' : *r;
	}
	*w = '\0';
}

/* Twilio's scheme, written independently of the fake: base64 HMAC-SHA1
 * over the URL and each name+value, names sorted. */
static void twilio_expected_sig(const char *url, char *body, char *out)
{
	char *names[8], *vals[8], msg[2048];
	int n = 0;
	for (char *save = NULL, *f = strtok_r(body, "&", &save); f && n < 8;
	     f = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(f, '=');
		ck_assert_ptr_nonnull(eq);
		*eq = '\0';
		form_decode(f);
		form_decode(eq + 1);
		names[n] = f, vals[n++] = eq + 1;
	}
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			char *t = names[j];
			names[j] = names[j - 1], names[j - 1] = t;
			t = vals[j], vals[j] = vals[j - 1], vals[j - 1] = t;
		}
	snprintf(msg, sizeof(msg), "%s", url);
	for (int i = 0; i < n; i++)
		strcat(strcat(msg, names[i]), vals[i]);
	ck_assert_str_eq(names[1], "Digits");
	ck_assert_str_eq(vals[1], "#");
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned mlen = 0;
	ck_assert_ptr_nonnull(HMAC(EVP_sha1(), TOKEN, (int)strlen(TOKEN), (unsigned char *)msg,
				   strlen(msg), mac, &mlen));
	EVP_EncodeBlock((unsigned char *)out, mac, (int)mlen);
}

static void wait_callback_recorded(int idx, const char *status)
{
	int64_t deadline = now_ms() + 10000;
	while (logcount("callback") < 1) {
		ck_assert_msg(now_ms() < deadline, "callback not recorded");
		usleep(50 * 1000);
	}
	assert_field(idx, "kind", "callback");
	assert_field(idx, "status", status);
}

START_TEST(test_twilio_press_pound)
{
	struct sspr_conf c;
	conf_twilio(&c);
	int cbport, lfd = cb_listen(&cbport);
	char cb[128], want[256];
	snprintf(cb, sizeof(cb), "http://127.0.0.1:%d/cb/0123abcd?x=1&y=<2>", cbport);
	struct gateway_call call = {.to = TO, .mode = VOICE_PRESS_POUND, .callback = cb};
	const char *forged = _i == 1 ? "forged" : "valid";
	char ctl[64];
	snprintf(ctl, sizeof(ctl), "{\"press\": \"%s\", \"press_delay\": 0.05}", forged);
	control(ctl);
	ck_assert_int_eq(gateway_place_call(&c, &call), 0);
	snprintf(want, sizeof(want),
		 "<Response><Gather input=\"dtmf\" numDigits=\"1\" finishOnKey=\"\" timeout=\"15\" "
		 "action=\"http://127.0.0.1:%d/cb/0123abcd?x=1&amp;y=&lt;2&gt;\" method=\"POST\">",
		 cbport);
	char *tw = logq("get 0 twiml");
	ck_assert_msg(strncmp(tw, want, strlen(want)) == 0, "%s", tw);
	ck_assert_str_eq(
	    tw + strlen(want),
	    "<Say>This is the password reset service. If you asked to reset your "
	    "password, press the pound key now. If you did not, hang up.</Say></Gather>"
	    "<Say>Goodbye.</Say></Response>");
	free(tw);

	char req[4096], *body, sig[128], expect[128];
	int fd = cb_accept(lfd, req, sizeof(req), &body);
	ck_assert_msg(strncmp(req, "POST /cb/0123abcd?x=1&y=<2> ", 28) == 0, "%s", req);
	header(req, "\r\nX-Twilio-Signature: ", sig, sizeof(sig));
	twilio_expected_sig(cb, body, expect);
	bool ok = strcmp(sig, expect) == 0;
	ck_assert(ok == (_i == 0));
	cb_reply(fd, ok ? 204 : 403);
	wait_callback_recorded(1, ok ? "204" : "403");
	close(lfd);
}
END_TEST

/* --- http provider ------------------------------------------------------ */

START_TEST(test_http_form)
{
	struct sspr_conf c;
	conf_http(&c, BODY_FORM, "to={to}&text={text}&code={code}",
		  "to={to}&text={text}&callback={callback}&mode={mode}&code={code}");
	ck_assert_int_eq(gateway_send_sms(&c, TO, NASTY), 0);
	assert_field(0, "api", "http");
	assert_field(0, "kind", "sms");
	assert_field(0, "authorization", TOKEN);
	assert_field(0, "content_type", "application/x-www-form-urlencoded");
	assert_field(0, "body", "to=%2B15550100167&text=a%26b%3Dc%20%22q%22%20caf%C3%A9&code=");
	char *v = logq("form 0 body text");
	ck_assert_str_eq(v, NASTY);
	free(v);

	/* press_pound: the callback, no code; the keypress comes back signed
	 * with HMAC-SHA256 over URL and body. */
	int cbport, lfd = cb_listen(&cbport);
	char cb[128];
	snprintf(cb, sizeof(cb), "http://127.0.0.1:%d/cb/feed", cbport);
	control("{\"press\": \"star\", \"press_delay\": 0}");
	struct gateway_call call = {.to = TO, .mode = VOICE_PRESS_POUND, .callback = cb};
	ck_assert_int_eq(gateway_place_call(&c, &call), 0);
	assert_field(1, "kind", "call");
	v = logq("form 1 body callback");
	ck_assert_str_eq(v, cb);
	free(v);
	v = logq("form 1 body text");
	ck_assert_str_eq(v,
			 "This is the password reset service. If you asked to reset your password, "
			 "press the pound key now. If you did not, hang up.");
	free(v);
	v = logq("get 1 body");
	ck_assert_ptr_nonnull(strstr(v, "&mode=press_pound&code="));
	free(v);

	char req[4096], *body, sig[128], hex[65];
	int fd = cb_accept(lfd, req, sizeof(req), &body);
	ck_assert_str_eq(body, "digits=%2A");
	header(req, "\r\nX-Sspr-Signature: ", sig, sizeof(sig));
	char msg[256];
	snprintf(msg, sizeof(msg), "%s%s", cb, body);
	unsigned char mac[32];
	unsigned mlen = 0;
	HMAC(EVP_sha256(), TOKEN, (int)strlen(TOKEN), (unsigned char *)msg, strlen(msg), mac,
	     &mlen);
	for (unsigned i = 0; i < mlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", mac[i]);
	ck_assert_str_eq(sig, hex);
	cb_reply(fd, 200);
	wait_callback_recorded(2, "200");
	close(lfd);
}
END_TEST

START_TEST(test_http_json)
{
	struct sspr_conf c;
	conf_http(&c, BODY_JSON, "{\"to\":\"{to}\",\"text\":\"{text}\"}",
		  "{\"to\":\"{to}\",\"say\":\"{text}\",\"code\":\"{code}\",\"mode\":\"{mode}\","
		  "\"callback\":\"{callback}\"}");
	ck_assert_int_eq(gateway_send_sms(&c, TO, NASTY "\\\n"), 0);
	assert_field(0, "content_type", "application/json");
	assert_field(0, "authorization", TOKEN);
	assert_field(0, "body",
		     "{\"to\":\"+15550100167\",\"text\":\"a&b=c \\\"q\\\" caf\xc3\xa9\\\\\\n\"}");
	char *v = logq("json 0 body text");
	ck_assert_str_eq(v, NASTY "\\\n");
	free(v);

	struct gateway_call call = {
	    .to = TO, .mode = VOICE_SPEAK_CODE, .code = "4071", .organisation = "\"Ex\" & Co"};
	ck_assert_int_eq(gateway_place_call(&c, &call), 0);
	v = logq("json 1 body say");
	ck_assert_str_eq(v,
			 "This is the password reset service of \"Ex\" & Co. Your code is 4, 0, 7, "
			 "1. Again: 4, 0, 7, 1.");
	free(v);
	assert_field(
	    1, "body",
	    "{\"to\":\"+15550100167\",\"say\":\"This is the password reset service of "
	    "\\\"Ex\\\" & Co. Your code is 4, 0, 7, 1. Again: 4, 0, 7, 1.\",\"code\":\"4071\","
	    "\"mode\":\"speak_code\",\"callback\":\"\"}");

	/* Unknown placeholder, or a body past 4 KiB: nothing is sent. */
	c.gw_sms_body = (char *)"{\"to\":\"{to}\",\"x\":\"{from}\"}";
	ck_assert_int_eq(gateway_send_sms(&c, TO, "x"), -EINVAL);
	c.gw_sms_body = (char *)"{\"to\":\"{to}\",\"text\":\"{text}\"}";
	char big[1601];
	memset(big, '"', 1600);
	big[1600] = '\0';
	c.gw_body_format = BODY_FORM; /* 3 bytes for each '"' */
	c.gw_sms_body = (char *)"to={to}&text={text}";
	ck_assert_int_eq(gateway_send_sms(&c, TO, big), -EINVAL);
	ck_assert_int_eq(logcount("*"), 2);
}
END_TEST

/* --- refusals, retries, timeouts --------------------------------------- */

START_TEST(test_prefix_refused)
{
	struct sspr_conf c;
	conf_twilio(&c);
	c.gw_allowed_prefixes[0] = (char *)"+44";
	c.gw_allowed_prefixes[1] = (char *)"+1555";
	c.gw_auth_file = (char *)"/nonexistent"; /* not even read */
	struct gateway_call call = {.to = "+15560100167", .mode = VOICE_SPEAK_CODE, .code = "1"};
	ck_assert_int_eq(gateway_send_sms(&c, "+15560100167", "x"), -EPERM);
	ck_assert_int_eq(gateway_place_call(&c, &call), -EPERM);
	ck_assert_int_eq(gateway_send_sms(&c, "15550100167", "x"), -EPERM);
	c.gw_provider = GATEWAY_HTTP;
	ck_assert_int_eq(gateway_send_sms(&c, "+3312345678", "x"), -EPERM);
	ck_assert_int_eq(logcount("*"), 0);
	/* Control: an allowed number gets through. */
	c.gw_provider = GATEWAY_TWILIO;
	c.gw_auth_file = fk.auth;
	ck_assert_int_eq(gateway_send_sms(&c, "+441234567890", "x"), 0);
	ck_assert_int_eq(logcount("*"), 1);
}
END_TEST

START_TEST(test_retry_503)
{
	struct sspr_conf c;
	conf_twilio(&c);
	c.gw_retries = 1;
	control("{\"status\": 503, \"fail_times\": 1}");
	ck_assert_int_eq(gateway_send_sms(&c, TO, "x"), 0);
	ck_assert_int_eq(logcount("sms"), 2);
	assert_field(0, "status", "503");
	assert_field(1, "status", "201");

	/* 429 is retried too, up to retries extra attempts. */
	c.gw_retries = 2;
	control("{\"status\": 429}");
	ck_assert_int_eq(gateway_send_sms(&c, TO, "x"), -EIO);
	ck_assert_int_eq(logcount("sms"), 5);
}
END_TEST

START_TEST(test_no_retry_400)
{
	struct sspr_conf c;
	conf_http(&c, BODY_FORM, "to={to}&text={text}", "to={to}");
	c.gw_retries = 3;
	control("{\"status\": 400}");
	ck_assert_int_eq(gateway_send_sms(&c, TO, "x"), -EIO);
	ck_assert_int_eq(logcount("sms"), 1);
	assert_field(0, "status", "400");
}
END_TEST

START_TEST(test_stall_timeout)
{
	struct sspr_conf c;
	conf_twilio(&c);
	c.gw_timeout = 1;
	c.gw_retries = 1;
	control("{\"stall\": 4}");
	int64_t t0 = now_ms();
	ck_assert_int_eq(gateway_send_sms(&c, TO, "x"), -EIO);
	int64_t ms = now_ms() - t0;
	/* Two attempts of 1 s and a 200 ms pause. */
	ck_assert_int_ge(ms, 2000);
	ck_assert_int_lt(ms, 3500);
	ck_assert_int_eq(logcount("sms"), 2);

	/* Nothing listening: network errors are retried, with backoff. */
	fake_stop();
	c.gw_retries = 2;
	t0 = now_ms();
	ck_assert_int_eq(gateway_send_sms(&c, TO, "x"), -EIO);
	ms = now_ms() - t0;
	ck_assert_int_ge(ms, 600);
	ck_assert_int_lt(ms, 3000);
}
END_TEST

START_TEST(test_plain_http_refused)
{
	struct sspr_conf c;
	conf_twilio(&c);
	/* 0.0.0.0 reaches the fake on Linux but is not loopback: were the
	 * check missing, the request would be recorded. */
	char url[64];
	snprintf(url, sizeof(url), "http://0.0.0.0:%d", fk.port);
	c.gw_url = url;
	ck_assert_int_eq(gateway_send_sms(&c, TO, "x"), -EINVAL);
	c.gw_url = (char *)"ftp://127.0.0.1/";
	ck_assert_int_eq(gateway_send_sms(&c, TO, "x"), -EINVAL);

	conf_http(&c, BODY_FORM, "to={to}&text={text}", "to={to}&callback={callback}");
	snprintf(url, sizeof(url), "http://0.0.0.0:%d/http/sms", fk.port);
	c.gw_sms_url = url;
	ck_assert_int_eq(gateway_send_sms(&c, TO, "x"), -EINVAL);
	c.gw_sms_url = NULL;
	ck_assert_int_eq(gateway_send_sms(&c, TO, "x"), -EINVAL);
	ck_assert_int_eq(logcount("*"), 0);

	/* Control: localhost is loopback. */
	snprintf(url, sizeof(url), "http://localhost:%d/http/sms", fk.port);
	c.gw_sms_url = url;
	ck_assert_int_eq(gateway_send_sms(&c, TO, "x"), 0);
	ck_assert_int_eq(logcount("*"), 1);
}
END_TEST

Suite *gateway_suite(void)
{
	Suite *s = suite_create("gateway");
	TCase *tc = tcase_create("body");
	tcase_add_test(tc, test_body_expand);
	suite_add_tcase(s, tc);

	tc = tcase_create("send");
	tcase_add_unchecked_fixture(tc, basedir_setup, basedir_teardown);
	tcase_add_checked_fixture(tc, fake_start, fake_stop);
	tcase_add_test(tc, test_twilio_sms);
	tcase_add_test(tc, test_twilio_speak_code);
	tcase_add_loop_test(tc, test_twilio_press_pound, 0, 2);
	tcase_add_test(tc, test_http_form);
	tcase_add_test(tc, test_http_json);
	tcase_add_test(tc, test_prefix_refused);
	tcase_add_test(tc, test_retry_503);
	tcase_add_test(tc, test_no_retry_400);
	tcase_add_test(tc, test_stall_timeout);
	tcase_add_test(tc, test_plain_http_refused);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}
