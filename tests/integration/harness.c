#include "tests/integration/harness.h"
#include "tests/integration/harness_internal.h"

#include <arpa/inet.h>
#include <check.h>
#include <crypt.h>
#include <dirent.h>
#include <errno.h>
#include <libpamtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char run_dir[512], build_dir[512];
static pid_t smtp_pid = -1, daemon_pid = -1;
static int smtp_port;

const char *run_path(const char *name)
{
	static char bufs[8][1024];
	static int i;
	char *b = bufs[i++ % 8];
	snprintf(b, sizeof(bufs[0]), "%s/%s", run_dir, name);
	return b;
}

/* Usable outside a test too (harness_init), where ck_assert cannot report. */
#define require(cond, ...)                                                                         \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "harness: " __VA_ARGS__);                                  \
			fprintf(stderr, " (%s)\n", strerror(errno));                               \
			exit(2);                                                                   \
		}                                                                                  \
	} while (0)

void write_file(const char *path, mode_t mode, const char *fmt, ...)
{
	va_list ap;
	FILE *f = fopen(path, "we");
	require(f != NULL, "open %s", path);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	require(fclose(f) == 0, "write %s", path);
	require(chmod(path, mode) == 0, "chmod %s", path);
}

int run_cmd(char *out, size_t outsz, const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	FILE *p = popen(cmd, "r");
	require(p != NULL, "popen %s", cmd);
	size_t n = fread(out, 1, outsz - 1, p);
	out[n] = '\0';
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

const char *slurp(const char *path)
{
	static char buf[65536];
	buf[0] = '\0';
	FILE *f = fopen(path, "re");
	if (!f)
		return buf;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

const char *build_path(void)
{
	return build_dir;
}

const char *pam_libdir(void)
{
	static char libdir[512];
	if (!libdir[0]) {
		run_cmd(libdir, sizeof(libdir), "pkg-config --variable=libdir pam");
		libdir[strcspn(libdir, "\n")] = '\0';
	}
	return libdir;
}

void harness_init(char **argv)
{
	const char *r = getenv("SSPR_TEST_RUN"), *b = getenv("SSPR_BUILD");
	if (!r || !b) {
		fprintf(stderr, "run through tests/run-tests.sh (SSPR_TEST_RUN, SSPR_BUILD)\n");
		exit(2);
	}
	snprintf(run_dir, sizeof(run_dir), "%s", r);
	snprintf(build_dir, sizeof(build_dir), "%s", b);
	mkdir(run_dir, 0755);
	mkdir(run_path("pam.d"), 0755);
	/* The user running the tests needs an entry too: cracklib (libpwquality's
	 * dictionary check in ssprd) refuses every password when the calling
	 * uid is not in the password file. */
	static const unsigned taken[] = {0, 990, 999, 1001, 1002, 1003, 1004};
	char runner[128] = "";
	bool known = false;
	for (size_t i = 0; i < sizeof(taken) / sizeof(taken[0]); i++)
		known = known || taken[i] == (unsigned)getuid();
	if (!known)
		snprintf(runner, sizeof(runner), "sspr-runner:x:%u:%u:Test runner:/:/bin/sh\n",
			 (unsigned)getuid(), (unsigned)getgid());
	write_file(run_path("passwd"), 0644,
		   "root:x:0:0:root:/root:/bin/sh\n"
		   "sysuser:x:999:999:System:/:/usr/sbin/nologin\n"
		   /* [daemon] user: ssprd, started as root, runs its engine as it */
		   "sspr:x:990:990:sspr engine:/nonexistent:/usr/sbin/nologin\n"
		   "carol:x:1001:1001:Carol Example,,,:/home/carol:/bin/sh\n"
		   "dave:x:1002:1002:Dave,Room 2,+44 20 7183 8750,,:/home/dave:/bin/sh\n"
		   "erin:x:1003:1003:Erin:/home/erin:/bin/sh\n"
		   "frank:x:1004:1004:Frank:/home/frank:/bin/sh\n%s",
		   runner);
	write_file(run_path("group"), 0644,
		   "root:x:0:\nsysuser:x:999:\nsspr:x:990:\ncarol:x:1001:\ndave:x:1002:\n"
		   "erin:x:1003:\nfrank:x:1004:\nstaff:x:2000:carol,dave\n");
	write_file(run_path("pam.d/" SERVICE), 0644,
		   "auth [success=done ignore=ignore default=die] %s/pam_sspr.so socket=%s "
		   "timeout=3\n"
		   "auth required %s/tests/pam_testpw.so shadow=%s\n",
		   build_dir, run_path("ssprd.sock"), build_dir, run_path("shadow"));
	write_file(run_path("pam.d/sspr-badarg"), 0644,
		   "auth [success=done ignore=ignore default=die] %s/pam_sspr.so bogus=1\n"
		   "password requisite %s/pam_sspr.so bogus=1\n",
		   build_dir, build_dir);
	static const struct {
		const char *service, *socket, *testpw_args;
	} passwd[] = {
	    {"passwd", "ssprd.sock", ""}, /* for the real passwd(1), when root */
	    {PASSWD_SERVICE, "ssprd.sock", ""},
	    {PASSWD_USER_SERVICE, "ssprd.sock", " askold"},
	    {PASSWD_DOWN_SERVICE, "nothing.sock", ""},
	};
	for (size_t i = 0; i < sizeof(passwd) / sizeof(passwd[0]); i++) {
		char name[64];
		snprintf(name, sizeof(name), "pam.d/%s", passwd[i].service);
		write_file(run_path(name), 0644,
			   "password requisite %s/pam_sspr.so socket=%s timeout=3\n"
			   "password required %s/tests/pam_testpw.so shadow=%s%s\n"
			   "password optional %s/pam_sspr.so record socket=%s timeout=3\n",
			   build_dir, run_path(passwd[i].socket), build_dir, run_path("shadow"),
			   passwd[i].testpw_args, build_dir, run_path(passwd[i].socket));
	}
	write_file(run_path("pam.d/" FAILLOCK_SERVICE), 0644,
		   "auth required %s/security/pam_faillock.so preauth dir=%s deny=3 "
		   "unlock_time=600\n"
		   "auth [success=done ignore=ignore default=die] %s/pam_sspr.so socket=%s "
		   "timeout=3\n"
		   "auth [success=1 default=ignore] %s/tests/pam_testpw.so shadow=%s\n"
		   "auth [default=die] %s/security/pam_faillock.so authfail dir=%s deny=3 "
		   "unlock_time=600\n"
		   "auth sufficient %s/security/pam_faillock.so authsucc dir=%s deny=3 "
		   "unlock_time=600\n",
		   pam_libdir(), run_path("faillock"), build_dir, run_path("ssprd.sock"), build_dir,
		   run_path("shadow"), pam_libdir(), run_path("faillock"), pam_libdir(),
		   run_path("faillock"));
	write_file(run_path("pam.d/sspr-hung"), 0644,
		   "auth [success=done ignore=ignore default=die] %s/pam_sspr.so socket=%s "
		   "timeout=2\n"
		   "auth required %s/tests/pam_testpw.so shadow=%s\n",
		   build_dir, run_path("hung.sock"), build_dir, run_path("shadow"));
	/* Reminders (test_remind.c): pam_sspr must return PAM_IGNORE in the
	 * account and session groups (anything else fails the stack);
	 * pam_set_items sets PAM_RHOST and PAM_TTY from the environment. */
	static const struct {
		const char *service, *socket, *timeout;
	} remind[] = {{"sspr-remind", "ssprd.sock", "3"}, {"sspr-remind-hung", "hung.sock", "10"}};
	char pw_modules[512];
	run_cmd(pw_modules, sizeof(pw_modules), "pkg-config --variable=modules pam_wrapper");
	pw_modules[strcspn(pw_modules, "\n")] = '\0';
	for (size_t i = 0; i < sizeof(remind) / sizeof(remind[0]); i++) {
		char name[64];
		const char *sock = run_path(remind[i].socket), *t = remind[i].timeout;
		snprintf(name, sizeof(name), "pam.d/%s", remind[i].service);
		write_file(
		    run_path(name), 0644,
		    "auth optional %s/pam_set_items.so\n"
		    "auth [success=done ignore=ignore default=die] %s/pam_sspr.so "
		    "socket=%s timeout=3\n"
		    "auth required %s/tests/pam_testpw.so shadow=%s\n"
		    "account optional %s/pam_set_items.so\n"
		    "account [ignore=ignore default=bad] %s/pam_sspr.so socket=%s timeout=%s\n"
		    "account required %s/security/pam_permit.so\n"
		    "session [ignore=ignore default=bad] %s/pam_sspr.so socket=%s timeout=%s\n"
		    "session required %s/security/pam_permit.so\n",
		    pw_modules, build_dir, sock, build_dir, run_path("shadow"), pw_modules,
		    build_dir, sock, t, pam_libdir(), build_dir, sock, t, pam_libdir());
	}
	write_file(run_path("pam.d/other"), 0644, "auth required %s/security/pam_deny.so\n",
		   pam_libdir());
	/* pam_wrapper reads the service files when it is loaded: start
	 * again under the wrappers now that the files exist. */
	if (!getenv("PAM_WRAPPER")) {
		setenv("LD_PRELOAD", "libpam_wrapper.so libnss_wrapper.so", 1);
		setenv("PAM_WRAPPER", "1", 1);
		setenv("PAM_WRAPPER_SERVICE_DIR", run_path("pam.d"), 1);
		setenv("NSS_WRAPPER_PASSWD", run_path("passwd"), 1);
		setenv("NSS_WRAPPER_GROUP", run_path("group"), 1);
		execv("/proc/self/exe", argv);
		perror("execv /proc/self/exe");
		exit(2);
	}
}

static char *make_hash(const char *password)
{
	static char out[3][256];
	static int i;
	char *o = out[i++ % 3];
	struct crypt_data data;
	memset(&data, 0, sizeof(data));
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	ck_assert_ptr_nonnull(crypt_gensalt_rn("$6$", 1000, NULL, 0, salt, sizeof(salt)));
	const char *h = crypt_r(password, salt, &data);
	ck_assert_ptr_nonnull(h);
	snprintf(o, sizeof(out[0]), "%s", h);
	return o;
}

int free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

bool tcp_ready(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	bool ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

static bool unix_ready(const char *path)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	bool ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

pid_t spawn(const char *log, char *const argv[])
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		FILE *f = freopen(log, "a", stderr);
		(void)f;
		dup2(2, 1);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

void stop(pid_t *pid)
{
	if (*pid <= 0)
		return;
	kill(*pid, SIGTERM);
	for (int i = 0; i < 100; i++) {
		if (waitpid(*pid, NULL, WNOHANG) == *pid) {
			*pid = -1;
			return;
		}
		usleep(50000);
	}
	kill(*pid, SIGKILL);
	waitpid(*pid, NULL, 0);
	*pid = -1;
}

static void enroll(const char *user, const char *email)
{
	char out[1024];
	int st = run_cmd(out, sizeof(out), "%s/ssprctl --config %s enroll %s --email %s 2>&1",
			 build_dir, run_path("sspr.conf"), user, email);
	ck_assert_msg(st == 0, "ssprctl enroll %s: %d %s", user, st, out);
}

void world_start(const struct world_opts *o)
{
	char out[256];
	run_cmd(out, sizeof(out), "rm -rf %s %s %s %s", run_path("state"), run_path("Maildir"),
		run_path("shadow.lock"), run_path("ssprd.log"));
	long today = (long)(time(NULL) / 86400);
	write_file(run_path("shadow"), 0640,
		   "root:*:19000:0:99999:7:::\n"
		   "sysuser:%s:19000:0:99999:7:::\n"
		   "carol:%s:19000:0:99999:7:::\n"
		   "dave:%s:19000:0:99999:7:::\n"
		   "erin:!%s:19000:0:99999:7:::\n"
		   "frank:%s:19000:0:99999:7::%ld:\n",
		   make_hash(OLD_PASSWORD), make_hash(OLD_PASSWORD), make_hash(OLD_PASSWORD),
		   make_hash(OLD_PASSWORD), make_hash(OLD_PASSWORD), today - 1);
	smtp_port = free_port();
	char *extra = methods_world_start(o);
	/* libpwquality's own defaults (dictionary check included), whatever
	 * this machine's pwquality.conf says; no system opasswd. */
	write_file(run_path("pwquality.conf"), 0644, "dictcheck = 1\nusercheck = 1\n");
	write_file(
	    run_path("sspr.conf"), 0644,
	    "[general]\nhelpdesk = Call the IT helpdesk at 555-0100.\n"
	    "[daemon]\nsocket = %s\nstate_dir = %s\nmax_connections = %u\n"
	    "[backend]\nshadow_file = %s\n"
	    "[methods]\ncode_ttl = %u\ncode_attempts = %u\n"
	    "[email]\nsmtp_url = smtp://127.0.0.1:%d\nfrom = sspr@example.org\ntimeout = 10\n"
	    "[policy]\npwquality_conf = %s\nopasswd = %s\n%s",
	    run_path("ssprd.sock"), run_path("state"),
	    o && o->max_connections ? o->max_connections : 64, run_path("shadow"),
	    o && o->code_ttl ? o->code_ttl : 600, o && o->code_attempts ? o->code_attempts : 5,
	    smtp_port, run_path("pwquality.conf"), run_path("opasswd"), extra ? extra : "");
	free(extra);
	char port[16];
	snprintf(port, sizeof(port), "127.0.0.1:%d", smtp_port);
	char *smtp_argv[] = {"/usr/bin/python3",
			     "-m",
			     "aiosmtpd",
			     "-n",
			     "-l",
			     port,
			     "-c",
			     "aiosmtpd.handlers.Mailbox",
			     (char *)run_path("Maildir"),
			     NULL};
	smtp_pid = spawn(run_path("smtp.log"), smtp_argv);
	for (int i = 0; i < 100 && !tcp_ready(smtp_port); i++)
		usleep(50000);
	ck_assert_msg(tcp_ready(smtp_port), "aiosmtpd did not start");
	if (o && o->no_daemon)
		return;
	char prog[600];
	snprintf(prog, sizeof(prog), "%s/ssprd", build_dir);
	char *argv[] = {prog, "--config", (char *)run_path("sspr.conf"), NULL};
	daemon_pid = spawn(run_path("ssprd.log"), argv);
	for (int i = 0; i < 100 && !unix_ready(run_path("ssprd.sock")); i++)
		usleep(50000);
	ck_assert_msg(unix_ready(run_path("ssprd.sock")), "ssprd did not start: %s",
		      slurp(run_path("ssprd.log")));
	enroll("carol", "carol@example.org");
	enroll("erin", "erin@example.org");
	enroll("frank", "frank@example.org");
}

void smtp_pause(bool stop)
{
	ck_assert_int_gt(smtp_pid, 0);
	ck_assert_int_eq(kill(smtp_pid, stop ? SIGSTOP : SIGCONT), 0);
}

TCase *world_tcase(const char *name, void (*setup)(void))
{
	TCase *tc = tcase_create(name);
	tcase_add_checked_fixture(tc, setup, world_stop);
	tcase_set_timeout(tc, 60);
	return tc;
}

void world_stop(void)
{
	methods_world_stop();
	if (smtp_pid > 0)
		kill(smtp_pid, SIGCONT);
	stop(&daemon_pid);
	stop(&smtp_pid);
}

static void append(struct convo *c, const char *tag, const char *text)
{
	if (c->observe)
		c->observe(c, tag, text);
	size_t n = strlen(c->transcript);
	snprintf(c->transcript + n, sizeof(c->transcript) - n, "%s%s\n", tag, text);
}

static const char *answer_for(struct convo *c, const char *token)
{
	static char buf[64];
	if (strcmp(token, "@LATE") == 0)
		usleep(2500000);
	if (strcmp(token, "@PREV") == 0) {
		ck_assert_int_eq(mail_code(1, buf), 0);
		return buf;
	}
	const char *prompt = strstr(c->transcript, "P:");
	for (const char *p = prompt; p; p = strstr(p + 1, "\nP:"))
		prompt = p[0] == '\n' ? p + 1 : p;
	if (methods_answer(token, prompt ? prompt + 2 : "", buf, sizeof(buf)))
		return buf;
	if (strcmp(token, "@MAIL") == 0 || strcmp(token, "@MAILWRONG") == 0) {
		mail_code_decoded(c->last_code);
		snprintf(buf, sizeof(buf), "%s", c->last_code);
		if (token[5] == 'W')
			buf[5] = buf[5] == '9' ? '0' : (char)(buf[5] + 1);
		return buf;
	}
	if (strcmp(token, "@CODE") == 0 || strcmp(token, "@LATE") == 0 ||
	    strcmp(token, "@WRONG") == 0) {
		ck_assert_int_eq(mail_code(0, c->last_code), 0);
		snprintf(buf, sizeof(buf), "%s", c->last_code);
		if (token[1] == 'W')
			buf[5] = buf[5] == '9' ? '0' : (char)(buf[5] + 1);
		return buf;
	}
	return token;
}

static int conv_fn(int n, const struct pam_message **msg, struct pam_response **resp, void *ud)
{
	struct convo *c = ud;
	struct pam_response *r = calloc((size_t)n, sizeof(*r));
	if (!r)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++) {
		switch (msg[i]->msg_style) {
		case PAM_PROMPT_ECHO_ON:
		case PAM_PROMPT_ECHO_OFF:
			append(c, "P:", msg[i]->msg);
			if (c->next >= sizeof(c->answers) / sizeof(c->answers[0]) ||
			    !c->answers[c->next]) {
				append(c, "X:", "(script exhausted)");
				free(r);
				return PAM_CONV_ERR;
			}
			r[i].resp = strdup(answer_for(c, c->answers[c->next++]));
			break;
		case PAM_TEXT_INFO:
			append(c, "I:", msg[i]->msg);
			break;
		case PAM_ERROR_MSG:
			append(c, "E:", msg[i]->msg);
			break;
		default:
			free(r);
			return PAM_CONV_ERR;
		}
	}
	*resp = r;
	return PAM_SUCCESS;
}

int pam_run(const char *service, const char *user, struct convo *c)
{
	struct pam_testcase tests[] = {pam_test(PAMTEST_AUTHENTICATE, PAM_SUCCESS)};
	_pamtest_conv(service, user, conv_fn, c, tests, 1, NULL);
	return tests[0].op_rv;
}

int pam_run_chauthtok(const char *service, const char *user, struct convo *c)
{
	struct pam_testcase tests[] = {pam_test(PAMTEST_CHAUTHTOK, PAM_SUCCESS)};
	_pamtest_conv(service, user, conv_fn, c, tests, 1, NULL);
	return tests[0].op_rv;
}

/* Python's Maildir names messages "SECONDS.MMICROSECONDSP...Q..." without
 * padding the microseconds: compare the numbers, not the strings, or two
 * mails within one second may come out in the wrong order. */
static bool mail_older(const char *a, const char *b)
{
	unsigned long long as = 0, au = 0, bs = 0, bu = 0;
	if (sscanf(a, "%llu.M%llu", &as, &au) < 1 || sscanf(b, "%llu.M%llu", &bs, &bu) < 1)
		return strcmp(a, b) < 0;
	return as < bs || (as == bs && au < bu);
}

/* Every message aiosmtpd received, newest last (by delivery time, which
 * Maildir names start with). */
static int mail_list(char names[][512], int max)
{
	DIR *d = opendir(run_path("Maildir/new"));
	int n = 0;
	if (!d)
		return 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < max)
		if (e->d_name[0] != '.')
			snprintf(names[n++], 512, "%s", e->d_name);
	closedir(d);
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && mail_older(names[j], names[j - 1]); j--) {
			char t[512];
			memcpy(t, names[j], 512);
			memcpy(names[j], names[j - 1], 512);
			memcpy(names[j - 1], t, 512);
		}
	return n;
}

static const char *mail_path(const char *name)
{
	static char p[2048];
	int n = snprintf(p, sizeof(p), "%s/", run_path("Maildir/new"));
	snprintf(p + n, sizeof(p) - (size_t)n, "%.500s", name);
	return p;
}

int mail_count(const char *subject, int min, int wait_ms)
{
	char want[256];
	snprintf(want, sizeof(want), "Subject: %s\r\n", subject);
	for (int waited = 0;; waited += 100) {
		static char names[64][512];
		int n = mail_list(names, 64), count = 0;
		for (int i = 0; i < n; i++) {
			const char *m = slurp(mail_path(names[i]));
			/* aiosmtpd's Mailbox writes with \n line ends */
			char alt[256];
			snprintf(alt, sizeof(alt), "Subject: %s\n", subject);
			if (strstr(m, want) || strstr(m, alt))
				count++;
		}
		if (count >= min || waited >= wait_ms)
			return count;
		usleep(100000);
	}
}

int mail_code(int skip, char out[7])
{
	static char names[64][512];
	int n = mail_list(names, 64);
	for (int i = n - 1; i >= 0; i--) {
		const char *m = slurp(mail_path(names[i]));
		const char *p = strstr(m, "Your password reset code is: ");
		if (!p)
			continue;
		p += strlen("Your password reset code is: ");
		if (skip-- > 0)
			continue;
		memcpy(out, p, 6);
		out[6] = '\0';
		return 0;
	}
	return -1;
}

void mail_code_decoded(char out[7])
{
	char buf[64] = "";
	for (int i = 0; i < 50; i++) {
		run_cmd(buf, sizeof(buf),
			"python3 -c 'import email,email.policy,os,re,sys\n"
			"d=sys.argv[1]\n"
			"def key(n):\n"
			"    m=re.match(r\"(\\d+)\\.M(\\d+)\",n)\n"
			"    return (int(m.group(1)),int(m.group(2))) if m else (0,0)\n"
			"for n in sorted(os.listdir(d),key=key,reverse=True):\n"
			"    m=email.message_from_bytes(open(os.path.join(d,n),\"rb\").read(),"
			"policy=email.policy.default)\n"
			"    b=m.get_body((\"plain\",))\n"
			"    c=re.search(r\"(?<![0-9])([0-9]{6})(?![0-9])\",b.get_content() if b "
			"else \"\")\n"
			"    if c:\n"
			"        print(c.group(1)); break' %s 2>&1",
			run_path("Maildir/new"));
		if (strlen(buf) >= 6 && buf[0] >= '0' && buf[0] <= '9')
			break;
		usleep(100000);
	}
	ck_assert_msg(strlen(buf) >= 6, "no code in the mail: %s", buf);
	memcpy(out, buf, 6);
	out[6] = '\0';
}

const char *shadow_hash(const char *user)
{
	static char hash[512];
	const char *s = slurp(run_path("shadow"));
	size_t ulen = strlen(user);
	hash[0] = '\0';
	for (const char *line = s; *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : "") {
		if (strncmp(line, user, ulen) == 0 && line[ulen] == ':') {
			const char *h = line + ulen + 1;
			size_t len = strcspn(h, ":");
			snprintf(hash, sizeof(hash), "%.*s", (int)len, h);
			break;
		}
	}
	return hash;
}

void shadow_set_password(const char *user, const char *password)
{
	char text[8192] = "";
	const char *s = slurp(run_path("shadow"));
	size_t ulen = strlen(user), n = 0;
	for (const char *line = s; *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) + 1 : strlen(line);
		if (strncmp(line, user, ulen) == 0 && line[ulen] == ':') {
			const char *rest = memchr(line + ulen + 1, ':', len - ulen - 1);
			ck_assert_ptr_nonnull(rest);
			n += (size_t)snprintf(text + n, sizeof(text) - n, "%s:%s%.*s", user,
					      make_hash(password),
					      (int)(len - (size_t)(rest - line)), rest);
		} else {
			n += (size_t)snprintf(text + n, sizeof(text) - n, "%.*s", (int)len, line);
		}
		ck_assert_uint_lt(n, sizeof(text));
		line += len;
	}
	write_file(run_path("shadow"), 0640, "%s", text);
}

bool hash_matches(const char *password, const char *hash)
{
	struct crypt_data data;
	memset(&data, 0, sizeof(data));
	const char *r = crypt_r(password, hash, &data);
	return r && r[0] != '*' && strcmp(r, hash) == 0;
}

void assert_has(const struct convo *c, const char *needle)
{
	ck_assert_msg(strstr(c->transcript, needle) != NULL, "missing \"%s\" in transcript:\n%s",
		      needle, c->transcript);
}

void assert_lacks(const struct convo *c, const char *needle)
{
	ck_assert_msg(strstr(c->transcript, needle) == NULL, "\"%s\" in transcript:\n%s", needle,
		      c->transcript);
}

void assert_password(const char *user, const char *password, bool expect)
{
	ck_assert_msg(hash_matches(password, shadow_hash(user)) == expect,
		      "%s: password %s expected to %s", user, password,
		      expect ? "match" : "not match");
}
