/* mail_format checked with Python's email parser; mail_send against a real
 * SMTP server (aiosmtpd) on loopback. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "common/util.h"
#include "common/validate.h"
#include "ssprd/mail.h"
#include "tests/unit/fixture.h"
#include "tests/unit/suites.h"

#define PY   "/usr/bin/python3"
#define FROM "sspr@example.org"
#define TO   "carol@example.org"
/* 2026-11-24 19:40:35 UTC, a Tuesday. */
#define T_FIXED ((time_t)1795549235)

/* --- helpers ----------------------------------------------------------- */

/* basedir is made once per test case in the runner process, whose
 * teardown runs even when a forked test fails an assertion; each test works
 * in its own tmpdir below it. */
static char basedir[64];
static char tmpdir[96];

static void basedir_setup(void)
{
	ck_assert_int_eq(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
	fixture_tmpdir_make(basedir, "mail");
}

static void basedir_teardown(void)
{
	fixture_tmpdir_remove(basedir);
	curl_global_cleanup();
}

static void tmpdir_setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "%s/t-XXXXXX", basedir);
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void path_in_tmp(char *out, size_t outsz, const char *name)
{
	int n = snprintf(out, outsz, "%s/%s", tmpdir, name);
	ck_assert(n > 0 && (size_t)n < outsz);
}

static void write_file(const char *path, const char *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fchmod(fd, mode), 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static bool port_accepts(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	bool ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

/* Starts argv (argv[0] an absolute path) with output in tmpdir/server.log
 * and waits up to 5 s for port to accept connections. */
static pid_t server_start(char *const argv[], int port)
{
	char logpath[128];
	path_in_tmp(logpath, sizeof(logpath), "server.log");
	pid_t parent = getpid();
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		/* Check forks each test; a failing assertion exits that
		 * process without teardown, so the server must die with it. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		int fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	int64_t deadline = now_ms() + 5000;
	while (!port_accepts(port)) {
		int status;
		ck_assert_msg(waitpid(pid, &status, WNOHANG) == 0, "SMTP server exited early");
		ck_assert_msg(now_ms() < deadline, "SMTP server not ready within 5 s");
		usleep(50 * 1000);
	}
	return pid;
}

static void server_stop(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static pid_t start_mailbox_server(int port, char *maildir, size_t maildirsz)
{
	path_in_tmp(maildir, maildirsz, "Maildir");
	char listen[32];
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
	char *const argv[] = {PY,      "-m",   "aiosmtpd", "-n",
			      "-l",    listen, "-c",	   "aiosmtpd.handlers.Mailbox",
			      maildir, NULL};
	return server_start(argv, port);
}

/* An aiosmtpd that requires AUTH (without TLS: loopback only) with one
 * login; handled=False lets aiosmtpd send the 535 on failure. */
static const char auth_server_py[] =
    "import sys, threading\n"
    "from aiosmtpd.controller import Controller\n"
    "from aiosmtpd.handlers import Mailbox\n"
    "from aiosmtpd.smtp import AuthResult, LoginPassword\n"
    "port, maildir = int(sys.argv[1]), sys.argv[2]\n"
    "user, pw = sys.argv[3].encode(), sys.argv[4].encode()\n"
    "def auth(server, session, envelope, mechanism, data):\n"
    "    ok = isinstance(data, LoginPassword) and data.login == user and data.password == pw\n"
    "    return AuthResult(success=ok, handled=False)\n"
    "c = Controller(Mailbox(maildir), hostname='127.0.0.1', port=port,\n"
    "               authenticator=auth, auth_required=True, auth_require_tls=False)\n"
    "c.start()\n"
    "threading.Event().wait()\n";

/* Files delivered into maildir/new; *content gets the only one's text. */
static int maildir_count(const char *maildir, char **content)
{
	char newdir[256];
	snprintf(newdir, sizeof(newdir), "%s/new", maildir);
	DIR *d = opendir(newdir);
	if (!d)
		return 0;
	int n = 0;
	struct dirent *de;
	char last[512] = "";
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		n++;
		snprintf(last, sizeof(last), "%s/%s", newdir, de->d_name);
	}
	closedir(d);
	if (content && n == 1)
		ck_assert_int_eq(read_small_file(last, 1 << 20, content, NULL), 0);
	return n;
}

static void conf_for(struct sspr_conf *c, const char *url)
{
	memset(c, 0, sizeof(*c));
	c->smtp_url = (char *)url;
	c->mail_from = (char *)FROM;
	c->smtp_timeout = 10;
}

/* --- mail_format ------------------------------------------------------- */

static void assert_crlf_only(const char *m, size_t len)
{
	ck_assert_uint_eq(strlen(m), len);
	for (size_t i = 0; i < len; i++) {
		if (m[i] == '\n')
			ck_assert_msg(i > 0 && m[i - 1] == '\r', "bare LF at %zu", i);
		if (m[i] == '\r')
			ck_assert_msg(m[i + 1] == '\n', "bare CR at %zu", i);
	}
}

START_TEST(test_format_headers)
{
	char *m = NULL;
	size_t len = 0;
	ck_assert_int_eq(mail_format(FROM, TO, "Password reset code",
				     "Hello,\n\nyour code: 123456\n\n.\n-- \nsspr", T_FIXED, &m,
				     &len),
			 0);
	assert_crlf_only(m, len);
	ck_assert_msg(strncmp(m, "Date: Tue, 24 Nov 2026 19:40:35 +0000\r\n", 39) == 0, "%s", m);
	ck_assert_ptr_nonnull(strstr(m, "\r\nFrom: " FROM "\r\n"));
	ck_assert_ptr_nonnull(strstr(m, "\r\nTo: " TO "\r\n"));
	ck_assert_ptr_nonnull(strstr(m, "\r\nSubject: Password reset code\r\n"));
	ck_assert_ptr_nonnull(strstr(m, "\r\nMIME-Version: 1.0\r\n"));
	ck_assert_ptr_nonnull(strstr(m, "\r\nContent-Type: text/plain; charset=UTF-8\r\n"));
	/* ASCII text goes as it is. */
	ck_assert_ptr_nonnull(strstr(m, "\r\nContent-Transfer-Encoding: 7bit\r\n"));

	const char *mid = strstr(m, "\r\nMessage-ID: <");
	ck_assert_ptr_nonnull(mid);
	mid += strlen("\r\nMessage-ID: <");
	for (int i = 0; i < 32; i++)
		ck_assert_msg(strchr("0123456789abcdef", mid[i]) && mid[i], "bad Message-ID");
	ck_assert(strncmp(mid + 32, "@example.org>\r\n", 15) == 0);

	const char *body = strstr(m, "\r\n\r\n");
	ck_assert_ptr_nonnull(body);
	ck_assert_str_eq(body + 4, "Hello,\r\n\r\nyour code: 123456\r\n\r\n.\r\n-- \r\nsspr\r\n");

	/* A second message gets another Message-ID. */
	char *m2 = NULL;
	ck_assert_int_eq(mail_format(FROM, TO, "x", "y\n", T_FIXED, &m2, NULL), 0);
	const char *mid2 = strstr(m2, "Message-ID: <") + strlen("Message-ID: <");
	ck_assert(strncmp(mid, mid2, 32) != 0);
	ck_assert_str_eq(strstr(m2, "\r\n\r\n"), "\r\n\r\ny\r\n");
	free(m);
	free(m2);

	/* Addresses of the maximum length on both sides. */
	char longaddr[EMAIL_MAX + 1], want[EMAIL_MAX + 16];
	memset(longaddr, 'l', 64);
	longaddr[64] = '@';
	for (size_t i = 65; i < EMAIL_MAX; i++)
		longaddr[i] = (i % 50 == 0) ? '.' : 'd';
	longaddr[EMAIL_MAX] = '\0';
	ck_assert(email_valid(longaddr));
	ck_assert_int_eq(mail_format(longaddr, longaddr, "s", "b", T_FIXED, &m, &len), 0);
	snprintf(want, sizeof(want), "\r\nTo: %s\r\n", longaddr);
	ck_assert_ptr_nonnull(strstr(m, want));
	snprintf(want, sizeof(want), "@%s>\r\n", longaddr + 65);
	ck_assert_ptr_nonnull(strstr(m, want));
	free(m);
}
END_TEST

START_TEST(test_format_dates)
{
	static const struct {
		time_t t;
		const char *want;
	} cases[] = {
	    {0, "Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n"},
	    {951782400, "Date: Tue, 29 Feb 2000 00:00:00 +0000\r\n"},
	    {1704067199, "Date: Sun, 31 Dec 2023 23:59:59 +0000\r\n"},
	    {1720000000, "Date: Wed, 03 Jul 2024 09:46:40 +0000\r\n"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *m = NULL;
		ck_assert_int_eq(mail_format(FROM, TO, "s", "b", cases[i].t, &m, NULL), 0);
		ck_assert_msg(strncmp(m, cases[i].want, strlen(cases[i].want)) == 0, "%s", m);
		free(m);
	}
}
END_TEST

START_TEST(test_format_rejects)
{
	char *m = NULL;
	size_t len;
	ck_assert_int_eq(mail_format("bad", TO, "s", "b", T_FIXED, &m, &len), -EINVAL);
	ck_assert_int_eq(
	    mail_format(FROM, "a@b.org\r\nRCPT TO:<x@y.org>", "s", "b", T_FIXED, &m, &len),
	    -EINVAL);
	ck_assert_int_eq(mail_format(FROM, TO, "s\r\nBcc: x@y.org", "b", T_FIXED, &m, &len),
			 -EINVAL);
	ck_assert_int_eq(mail_format(FROM, TO, "tab\there", "b", T_FIXED, &m, &len), -EINVAL);
	ck_assert_int_eq(mail_format(FROM, TO, "bad \xc3(", "b", T_FIXED, &m, &len), -EINVAL);
	ck_assert_int_eq(mail_format(FROM, TO, "s", "bad \xff", T_FIXED, &m, &len), -EINVAL);
	ck_assert_int_eq(mail_format(FROM, TO, "s", "bare\rcr", T_FIXED, &m, &len), -EINVAL);
	ck_assert_int_eq(mail_format(FROM, TO, NULL, "b", T_FIXED, &m, &len), -EINVAL);
	ck_assert_int_eq(mail_format(FROM, TO, "s", NULL, T_FIXED, &m, &len), -EINVAL);
	ck_assert_ptr_null(m);

	/* 998 octets per line are allowed, 999 are not. */
	char line[1100];
	memset(line, 'x', 998);
	strcpy(line + 998, "\nshort\n");
	ck_assert_int_eq(mail_format(FROM, TO, "s", line, T_FIXED, &m, &len), 0);
	assert_crlf_only(m, len);
	free(m);
	m = NULL;
	memset(line, 'x', 999);
	strcpy(line + 999, "\nshort\n");
	ck_assert_int_eq(mail_format(FROM, TO, "s", line, T_FIXED, &m, &len), -EINVAL);
	memset(line, 'x', 999);
	line[999] = '\0';
	ck_assert_int_eq(mail_format(FROM, TO, "s", line, T_FIXED, &m, &len), -EINVAL);

	/* Total size is bounded. */
	size_t big = 100 * 1024;
	char *body = malloc(big + 1);
	ck_assert_ptr_nonnull(body);
	for (size_t i = 0; i < big; i++)
		body[i] = (i % 80 == 79) ? '\n' : 'y';
	body[big] = '\0';
	int r = mail_format(FROM, TO, "s", body, T_FIXED, &m, &len);
	ck_assert_int_lt(r, 0);
	ck_assert_ptr_null(m);
	free(body);
}
END_TEST

static const char check_py[] =
    "import sys, re, base64, email, email.utils\n"
    "from email.header import decode_header, make_header\n"
    "raw = open(sys.argv[1], 'rb').read()\n"
    "msg = email.message_from_bytes(raw)\n"
    "assert not msg.defects, msg.defects\n"
    "assert msg['MIME-Version'] == '1.0'\n"
    "assert msg.get_content_type() == 'text/plain'\n"
    "assert msg.get_content_charset() == 'utf-8'\n"
    "assert email.utils.parsedate_to_datetime(msg['Date']).timestamp() == int(sys.argv[2])\n"
    "subj = msg['Subject']\n"
    "words = re.findall(r'=\\?UTF-8\\?B\\?[A-Za-z0-9+/=]*\\?=', subj)\n"
    "if words:\n"
    "    assert ''.join(words) == re.sub(r'\\s+', '', subj), 'stray text around words'\n"
    "for w in words:\n"
    "    assert len(w) <= 75, len(w)\n"
    "    base64.b64decode(w[10:-2], validate=True).decode('utf-8')\n"
    "sys.stdout.write(str(len(words)) + '\\n')\n"
    "sys.stdout.buffer.write(str(make_header(decode_header(subj))).encode('utf-8'))\n";

/* Formats a message with subject, has Python parse it and decode the
 * Subject; returns the number of encoded-words, fills decoded. */
static int python_decode_subject(const char *subject, char *decoded, size_t decsz)
{
	char *m = NULL;
	size_t len = 0;
	ck_assert_int_eq(mail_format(FROM, TO, subject, "body\n", T_FIXED, &m, &len), 0);
	assert_crlf_only(m, len);
	char msgpath[128], pypath[128], cmd[512];
	path_in_tmp(msgpath, sizeof(msgpath), "msg.eml");
	path_in_tmp(pypath, sizeof(pypath), "check.py");
	write_file(msgpath, m, len, 0600);
	write_file(pypath, check_py, strlen(check_py), 0600);
	free(m);
	snprintf(cmd, sizeof(cmd), PY " %s %s %lld", pypath, msgpath, (long long)T_FIXED);
	FILE *p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	int words = -1;
	ck_assert_int_eq(fscanf(p, "%d\n", &words), 1);
	size_t n = fread(decoded, 1, decsz - 1, p);
	decoded[n] = '\0';
	ck_assert_int_eq(pclose(p), 0);
	return words;
}

START_TEST(test_format_subject_encoded)
{
	char dec[4096];
	const char *s = "Réinitialisation 密碼";
	ck_assert_int_eq(python_decode_subject(s, dec, sizeof(dec)), 1);
	ck_assert_str_eq(dec, s);

	/* Plain ASCII stays unencoded. */
	ck_assert_int_eq(python_decode_subject("Password reset", dec, sizeof(dec)), 0);
	ck_assert_str_eq(dec, "Password reset");

	/* "=?" in plain text would be taken for an encoded-word: encode it. */
	s = "see =?UTF-8?B?eA==?= here";
	ck_assert_int_eq(python_decode_subject(s, dec, sizeof(dec)), 1);
	ck_assert_str_eq(dec, s);

	/* Long subjects split into several words; the 2-, 3- and 4-byte
	 * characters put sequence boundaries at every offset, so a split in
	 * the middle of a character would fail Python's strict decode. */
	char longs[512] = "";
	for (int i = 0; i < 20; i++)
		strcat(longs, i % 3 == 0 ? "é密😀" : i % 3 == 1 ? "ab密é" : "x😀");
	int w = python_decode_subject(longs, dec, sizeof(dec));
	ck_assert_int_ge(w, 3);
	ck_assert_str_eq(dec, longs);

	/* Mostly ASCII: words filled to the limit. */
	s = "Réinitialisation du mot de passe pour le compte carol sur le serveur "
	    "de fichiers principal, demande numéro 42";
	w = python_decode_subject(s, dec, sizeof(dec));
	ck_assert_int_ge(w, 2);
	ck_assert_str_eq(dec, s);
}
END_TEST

/* Every header line of a Chinese subject within RFC 5322's 78 characters,
 * every encoded-word within RFC 2047's 75, and the whole decodes back. */
START_TEST(test_format_subject_folded)
{
	char dec[4096], subject[512] = "";
	for (int i = 0; i < 12; i++)
		strcat(subject, "您的密碼重設驗證碼，");
	ck_assert_int_ge(python_decode_subject(subject, dec, sizeof(dec)), 4);
	ck_assert_str_eq(dec, subject);

	char *m = NULL;
	size_t len = 0;
	ck_assert_int_eq(mail_format(FROM, TO, subject, "body\n", T_FIXED, &m, &len), 0);
	const char *line = strstr(m, "\r\nSubject: ") + 2, *end = strstr(m, "\r\nMIME-Version");
	int lines = 0;
	while (line < end) {
		const char *eol = strstr(line, "\r\n");
		ck_assert_msg(eol - line <= 78, "header line of %d characters", (int)(eol - line));
		/* Continuation lines start with a space: one folded header. */
		ck_assert(lines == 0 ? strncmp(line, "Subject: =?UTF-8?B?", 19) == 0
				     : line[0] == ' ');
		lines++;
		line = eol + 2;
	}
	ck_assert_int_ge(lines, 4);
	free(m);
}
END_TEST

/* Python's parser, as a mail client would read it: the decoded Subject and
 * body, the charset and the transfer encoding, one per line. */
static const char body_py[] =
    "import sys, email, email.policy\n"
    "raw = open(sys.argv[1], 'rb').read()\n"
    "msg = email.message_from_bytes(raw, policy=email.policy.default)\n"
    "assert not msg.defects, msg.defects\n"
    "out = [msg['Subject'], msg.get_content_charset(), msg['Content-Transfer-Encoding'],\n"
    "       msg.get_content().replace('\\r\\n', '\\n')]\n"
    "sys.stdout.buffer.write('\\x00'.join(out).encode('utf-8'))\n";

/* mail_format(subject, body), parsed by Python into out (subject, charset,
 * encoding and body separated by NUL); the raw message in *raw. */
static size_t python_parse(const char *subject, const char *body, char *out, size_t outsz,
			   char **raw)
{
	size_t len = 0;
	ck_assert_int_eq(mail_format(FROM, TO, subject, body, T_FIXED, raw, &len), 0);
	assert_crlf_only(*raw, len);
	char msgpath[128], pypath[128], cmd[512];
	path_in_tmp(msgpath, sizeof(msgpath), "msg.eml");
	path_in_tmp(pypath, sizeof(pypath), "body.py");
	write_file(msgpath, *raw, len, 0600);
	write_file(pypath, body_py, strlen(body_py), 0600);
	snprintf(cmd, sizeof(cmd), PY " %s %s", pypath, msgpath);
	FILE *p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	size_t n = fread(out, 1, outsz - 1, p);
	out[n] = '\0';
	ck_assert_int_eq(pclose(p), 0);
	return n;
}

/* The fields python_parse wrote, NUL-separated. */
static const char *field(const char *out, size_t n, int i)
{
	const char *f = out;
	while (i-- > 0) {
		f += strlen(f) + 1;
		ck_assert(f < out + n + 1);
	}
	return f;
}

START_TEST(test_format_body_quoted_printable)
{
	char out[16384], body[4096] = "";
	char *raw = NULL;
	/* Chinese lines longer than a quoted-printable line, a code after a
	 * full-width colon, "=" and trailing spaces that must survive, a word
	 * longer than a line, and an empty line. */
	strcat(body, "carol 您好：\n\n您的密碼重設驗證碼是：493817\n\n");
	for (int i = 0; i < 6; i++)
		strcat(body, "請在 ws1.example.org 的密碼重設提示中輸入這組驗證碼，");
	strcat(body, "\na=b, 100% sure  \n");
	for (int i = 0; i < 30; i++)
		strcat(body, "abcdefghij");
	strcat(body, "\n\n服務台：分機 5100\n");
	size_t n = python_parse("您的密碼重設驗證碼", body, out, sizeof(out), &raw);
	ck_assert_str_eq(field(out, n, 0), "您的密碼重設驗證碼");
	ck_assert_str_eq(field(out, n, 1), "utf-8");
	ck_assert_str_eq(field(out, n, 2), "quoted-printable");
	ck_assert_str_eq(field(out, n, 3), body);

	/* On the wire: 7-bit, lines of at most 76 characters, and the code
	 * readable as it is (a soft break never splits a word). */
	const char *b = strstr(raw, "\r\n\r\n") + 4;
	ck_assert_ptr_nonnull(strstr(raw, "\r\nContent-Transfer-Encoding: quoted-printable\r\n"));
	for (const char *p = raw; *p; p++)
		ck_assert_msg((unsigned char)*p < 0x80, "8-bit byte at %zu", (size_t)(p - raw));
	for (const char *line = b; *line;) {
		const char *eol = strstr(line, "\r\n");
		ck_assert_ptr_nonnull(eol);
		ck_assert_msg(eol - line <= 76, "body line of %d characters", (int)(eol - line));
		/* Trailing white space would be eaten by relays. */
		ck_assert(eol == line || (eol[-1] != ' ' && eol[-1] != '\t'));
		line = eol + 2;
	}
	ck_assert_ptr_nonnull(strstr(b, "493817"));
	free(raw);

	/* ASCII bodies stay 7bit and are not touched. */
	n = python_parse("Password reset", "Your code: 493817\n", out, sizeof(out), &raw);
	ck_assert_str_eq(field(out, n, 2), "7bit");
	ck_assert_str_eq(field(out, n, 3), "Your code: 493817\n");
	ck_assert_ptr_nonnull(strstr(raw, "\r\n\r\nYour code: 493817\r\n"));
	free(raw);
}
END_TEST

/* --- mail_url_is_loopback ---------------------------------------------- */

START_TEST(test_url_loopback)
{
	ck_assert_int_eq(mail_url_is_loopback("smtp://localhost"), 1);
	ck_assert_int_eq(mail_url_is_loopback("smtp://LOCALHOST:25"), 1);
	ck_assert_int_eq(mail_url_is_loopback("smtp://127.0.0.1"), 1);
	ck_assert_int_eq(mail_url_is_loopback("smtp://127.0.0.2:25"), 1);
	ck_assert_int_eq(mail_url_is_loopback("smtp://127.255.1.9:2525/ehlo.example"), 1);
	ck_assert_int_eq(mail_url_is_loopback("smtp://[::1]:25"), 1);
	ck_assert_int_eq(mail_url_is_loopback("smtps://[::1]"), 1);
	ck_assert_int_eq(mail_url_is_loopback("smtp://mail.example.org"), 0);
	ck_assert_int_eq(mail_url_is_loopback("smtp://mail.example.org:587"), 0);
	ck_assert_int_eq(mail_url_is_loopback("smtps://10.0.0.1"), 0);
	ck_assert_int_eq(mail_url_is_loopback("smtp://128.0.0.1"), 0);
	ck_assert_int_eq(mail_url_is_loopback("smtp://0.0.0.0"), 0);
	ck_assert_int_eq(mail_url_is_loopback("smtp://[::2]:25"), 0);
	ck_assert_int_eq(mail_url_is_loopback("smtp://localhost.example.org"), 0);
	ck_assert_int_eq(mail_url_is_loopback("smtp://127.0.0.1.example.org"), 0);
	ck_assert_int_eq(mail_url_is_loopback("smtp://user@mail.example.org"), 0);
	ck_assert_int_lt(mail_url_is_loopback("smtp://"), 0);
	ck_assert_int_lt(mail_url_is_loopback("not a url"), 0);
	ck_assert_int_lt(mail_url_is_loopback(NULL), 0);
}
END_TEST

/* --- mail_send --------------------------------------------------------- */

START_TEST(test_send_delivers)
{
	int port = fixture_free_port();
	char maildir[128];
	pid_t srv = start_mailbox_server(port, maildir, sizeof(maildir));
	char url[64];
	snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", port);
	struct sspr_conf conf;
	conf_for(&conf, url);

	char token[40], body[256];
	snprintf(token, sizeof(token), "token-%ld-%d", (long)time(NULL), getpid());
	/* Lines starting with "." must survive SMTP dot-stuffing. */
	snprintf(body, sizeof(body), "Your code: %s\n.\n..two\n.hidden\nend", token);
	ck_assert_int_eq(mail_send(&conf, "dave@example.net", "Réinitialisation 密碼", body), 0);

	char *got = NULL;
	ck_assert_int_eq(maildir_count(maildir, &got), 1);
	ck_assert_ptr_nonnull(strstr(got, "To: dave@example.net"));
	ck_assert_ptr_nonnull(strstr(got, "From: " FROM));
	ck_assert_ptr_nonnull(strstr(got, "Subject: =?UTF-8?B?"));
	ck_assert_ptr_nonnull(strstr(got, "X-RcptTo: dave@example.net"));
	ck_assert_ptr_nonnull(strstr(got, "X-MailFrom: " FROM));
	char *b = strstr(got, token);
	ck_assert_ptr_nonnull(b);
	/* Python's Maildir stores "\n" line ends; dot-stuffing must be
	 * undone exactly. */
	ck_assert_str_eq(b + strlen(token), "\n.\n..two\n.hidden\nend\n");
	free(got);
	server_stop(srv);
}
END_TEST

START_TEST(test_send_nothing_listening)
{
	int port = fixture_free_port();
	char url[64];
	snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", port);
	struct sspr_conf conf;
	conf_for(&conf, url);
	conf.smtp_timeout = 3;
	int64_t t0 = now_ms();
	int r = mail_send(&conf, TO, "s", "b");
	ck_assert_int_lt(r, 0);
	ck_assert_int_eq(r, -EIO);
	ck_assert_int_lt(now_ms() - t0, 5000);
}
END_TEST

START_TEST(test_send_requires_starttls_off_loopback)
{
	int port = fixture_free_port();
	char maildir[128];
	pid_t srv = start_mailbox_server(port, maildir, sizeof(maildir));
	/* Linux routes 0.0.0.0 to this host, yet it is not a loopback
	 * address: the plain server offers no STARTTLS, so nothing may be
	 * sent. */
	char url[64];
	snprintf(url, sizeof(url), "smtp://0.0.0.0:%d", port);
	struct sspr_conf conf;
	conf_for(&conf, url);
	ck_assert_int_eq(mail_send(&conf, TO, "s", "secret 123456"), -EIO);
	ck_assert_int_eq(maildir_count(maildir, NULL), 0);

	/* smtps:// to loopback still insists on TLS. */
	snprintf(url, sizeof(url), "smtps://127.0.0.1:%d", port);
	ck_assert_int_eq(mail_send(&conf, TO, "s", "secret 123456"), -EIO);
	ck_assert_int_eq(maildir_count(maildir, NULL), 0);

	/* Control: the same server takes the mail over loopback. */
	snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", port);
	ck_assert_int_eq(mail_send(&conf, TO, "s", "ok"), 0);
	ck_assert_int_eq(maildir_count(maildir, NULL), 1);
	server_stop(srv);
}
END_TEST

START_TEST(test_send_rejects_bad_input)
{
	int port = fixture_free_port();
	char url[64];
	snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", port);
	struct sspr_conf conf;
	conf_for(&conf, url);
	ck_assert_int_eq(mail_send(&conf, "a@b.org\r\nRCPT TO:<x@y.org>", "s", "b"), -EINVAL);
	ck_assert_int_eq(mail_send(&conf, TO, "s\r\nBcc: x@y.org", "b"), -EINVAL);
	ck_assert_int_eq(mail_send(NULL, TO, "s", "b"), -EINVAL);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
	ck_assert_int_eq(mail_send(&conf, TO, "s", "b"), -EINVAL);
	conf.smtp_url = (char *)"not a url";
	ck_assert_int_eq(mail_send(&conf, TO, "s", "b"), -EINVAL);
	conf.smtp_url = url;
	conf.mail_from = (char *)"no-at-sign";
	snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", port);
	ck_assert_int_eq(mail_send(&conf, TO, "s", "b"), -EINVAL);
}
END_TEST

START_TEST(test_send_auth)
{
	int port = fixture_free_port();
	char maildir[128], pyfile[128], portstr[16];
	path_in_tmp(maildir, sizeof(maildir), "Maildir");
	path_in_tmp(pyfile, sizeof(pyfile), "authsrv.py");
	write_file(pyfile, auth_server_py, strlen(auth_server_py), 0600);
	snprintf(portstr, sizeof(portstr), "%d", port);
	char *const argv[] = {PY, pyfile, portstr, maildir, "mailer", "s3cret pw", NULL};
	pid_t srv = server_start(argv, port);

	char url[64], pwfile[128];
	snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", port);
	path_in_tmp(pwfile, sizeof(pwfile), "smtp.pw");
	struct sspr_conf conf;
	conf_for(&conf, url);
	conf.smtp_username = (char *)"mailer";
	conf.smtp_password_file = pwfile;

	/* No password file, then one others can read: refused before any
	 * connection. */
	ck_assert_int_eq(mail_send(&conf, TO, "s", "b"), -ENOENT);
	write_file(pwfile, "s3cret pw\n", 10, 0644);
	ck_assert_int_eq(mail_send(&conf, TO, "s", "b"), -EPERM);

	write_file(pwfile, "wrong\n", 6, 0600);
	ck_assert_int_eq(mail_send(&conf, TO, "s", "b"), -EIO);
	ck_assert_int_eq(maildir_count(maildir, NULL), 0);

	/* Without credentials the server refuses MAIL FROM. */
	conf.smtp_username = NULL;
	ck_assert_int_eq(mail_send(&conf, TO, "s", "b"), -EIO);
	ck_assert_int_eq(maildir_count(maildir, NULL), 0);

	conf.smtp_username = (char *)"mailer";
	write_file(pwfile, "s3cret pw\n", 10, 0600);
	ck_assert_int_eq(mail_send(&conf, TO, "auth ok", "authenticated body"), 0);
	char *got = NULL;
	ck_assert_int_eq(maildir_count(maildir, &got), 1);
	ck_assert_ptr_nonnull(strstr(got, "authenticated body"));
	ck_assert_ptr_nonnull(strstr(got, "Subject: auth ok"));
	free(got);
	server_stop(srv);
}
END_TEST

Suite *mail_suite(void)
{
	Suite *s = suite_create("mail");
	TCase *tc = tcase_create("format");
	tcase_add_unchecked_fixture(tc, basedir_setup, basedir_teardown);
	tcase_add_checked_fixture(tc, tmpdir_setup, NULL);
	tcase_add_test(tc, test_format_headers);
	tcase_add_test(tc, test_format_dates);
	tcase_add_test(tc, test_format_rejects);
	tcase_add_test(tc, test_format_subject_encoded);
	tcase_add_test(tc, test_format_subject_folded);
	tcase_add_test(tc, test_format_body_quoted_printable);
	tcase_set_timeout(tc, 20);
	suite_add_tcase(s, tc);

	tc = tcase_create("send");
	tcase_add_unchecked_fixture(tc, basedir_setup, basedir_teardown);
	tcase_add_checked_fixture(tc, tmpdir_setup, NULL);
	tcase_add_test(tc, test_url_loopback);
	tcase_add_test(tc, test_send_delivers);
	tcase_add_test(tc, test_send_nothing_listening);
	tcase_add_test(tc, test_send_requires_starttls_off_loopback);
	tcase_add_test(tc, test_send_rejects_bad_input);
	tcase_add_test(tc, test_send_auth);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}
