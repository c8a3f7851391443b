/* The harness's part for the methods beyond email: the fake SMS and voice
 * gateway, enrolment through ssprctl, authenticator codes, recovery codes
 * and pam_faillock records. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tests/integration/harness.h"
#include "tests/integration/harness_internal.h"

static pid_t gateway_pid = -1;
static char totp_secret[64];
static char recovery[10][16];

static void replace_all(char *out, size_t outsz, const char *in, const char *from, const char *to)
{
	size_t n = 0, flen = strlen(from);
	out[0] = '\0';
	for (const char *p = in; *p;) {
		if (strncmp(p, from, flen) == 0) {
			n += (size_t)snprintf(out + n, outsz - n, "%s", to);
			p += flen;
		} else {
			n += (size_t)snprintf(out + n, outsz - n, "%c", *p++);
		}
		ck_assert_uint_lt(n, outsz);
	}
}

char *methods_world_start(const struct world_opts *o)
{
	char out[256];
	run_cmd(out, sizeof(out), "rm -rf %s %s %s && mkdir -m 755 %s", run_path("faillock"),
		run_path("gateway.log"), run_path("gateway.json"), run_path("faillock"));
	totp_secret[0] = '\0';
	memset(recovery, 0, sizeof(recovery));
	char gw[64] = "127.0.0.1:1", cb[64];
	snprintf(cb, sizeof(cb), "127.0.0.1:%d", free_port());
	if (o && o->gateway) {
		int port = free_port();
		snprintf(gw, sizeof(gw), "127.0.0.1:%d", port);
		write_file(run_path("gateway-token"), 0600, "%s\n", GATEWAY_TOKEN);
		write_file(run_path("gateway.json"), 0644, "{}\n");
		char script[1024], portarg[16];
		snprintf(script, sizeof(script), "%s/../tests/integration/fake_gateway.py",
			 build_path());
		snprintf(portarg, sizeof(portarg), "%d", port);
		char *argv[] = {"/usr/bin/python3",
				script,
				"--port",
				portarg,
				"--log",
				(char *)run_path("gateway.log"),
				"--control",
				(char *)run_path("gateway.json"),
				"--sid",
				GATEWAY_SID,
				"--token",
				GATEWAY_TOKEN,
				NULL};
		gateway_pid = spawn(run_path("gateway.out"), argv);
		for (int i = 0; i < 100 && !tcp_ready(port); i++)
			usleep(50000);
		ck_assert_msg(tcp_ready(port), "fake gateway did not start: %s",
			      slurp(run_path("gateway.out")));
	}
	if (!o || !o->extra_conf)
		return NULL;
	char a[8192], b[8192], c[8192];
	replace_all(a, sizeof(a), o->extra_conf, "@GW", gw);
	replace_all(b, sizeof(b), a, "@CB", cb);
	replace_all(c, sizeof(c), b, "@RUN", run_path(""));
	char *r = strdup(c);
	ck_assert_ptr_nonnull(r);
	return r;
}

void methods_world_stop(void)
{
	stop(&gateway_pid);
}

void gateway_control(const char *json)
{
	/* Written whole then renamed: the server re-reads it per request. */
	write_file(run_path("gateway.json.new"), 0644, "%s\n", json);
	ck_assert_int_eq(rename(run_path("gateway.json.new"), run_path("gateway.json")), 0);
}

const char *gateway_log(void)
{
	return slurp(run_path("gateway.log"));
}

int gateway_count(const char *kind)
{
	char needle[64];
	snprintf(needle, sizeof(needle), "\"kind\": \"%s\"", kind);
	int n = 0;
	for (const char *p = gateway_log(); (p = strstr(p, needle)); p++)
		n++;
	return n;
}

int gateway_code(const char *kind, char out[7])
{
	char cmd[2048], buf[64];
	/* The code is in the SMS body, or in the echo URL of the call's TwiML
	 * (percent-encoded, digits separated by commas). */
	snprintf(cmd, sizeof(cmd),
		 "python3 -c 'import json,re,sys,urllib.parse\n"
		 "recs=[json.loads(l) for l in open(sys.argv[1]) if l.strip()]\n"
		 "recs=[r for r in recs if r.get(\"kind\")==sys.argv[2]]\n"
		 "t=urllib.parse.unquote(json.dumps(recs[-1])) if recs else \"\"\n"
		 "m=re.search(r\"code is ([0-9](?:[ ,]*[0-9]){5})\",t)\n"
		 "print(re.sub(r\"[^0-9]\",\"\",m.group(1)) if m else \"\")' %s %s",
		 run_path("gateway.log"), kind);
	run_cmd(buf, sizeof(buf), "%s", cmd);
	if (strlen(buf) < 6)
		return -1;
	memcpy(out, buf, 6);
	out[6] = '\0';
	return 0;
}

int ssprctl_enroll(const char *user, const char *args, const char *input, char *out, size_t outsz)
{
	if (input)
		write_file(run_path("enroll.in"), 0600, "%s", input);
	return run_cmd(out, outsz, "%s/ssprctl --config %s enroll %s %s < %s 2>&1", build_path(),
		       run_path("sspr.conf"), user, args,
		       input ? run_path("enroll.in") : "/dev/null");
}

void enroll_totp(const char *user)
{
	char out[2048];
	int st = ssprctl_enroll(user, "--totp", NULL, out, sizeof(out));
	ck_assert_msg(st == 0, "enroll --totp: %d %s", st, out);
	const char *p = strstr(out, "secret: ");
	ck_assert_msg(p != NULL, "no secret in: %s", out);
	p += strlen("secret: ");
	snprintf(totp_secret, sizeof(totp_secret), "%.*s", (int)strcspn(p, "\n "), p);
}

void enroll_recovery_codes(const char *user)
{
	char out[2048];
	int st = ssprctl_enroll(user, "--recovery-codes", NULL, out, sizeof(out));
	ck_assert_msg(st == 0, "enroll --recovery-codes: %d %s", st, out);
	const char *p = strstr(out, "each works once):");
	ck_assert_msg(p != NULL, "no codes in: %s", out);
	for (int i = 0; i < 10; i++) {
		p = strstr(p, "\n  ");
		ck_assert_ptr_nonnull(p);
		p += 3;
		snprintf(recovery[i], sizeof(recovery[i]), "%.*s", (int)strcspn(p, "\n"), p);
	}
}

void totp_at(long t, char out[7])
{
	char buf[64];
	ck_assert_msg(totp_secret[0], "no authenticator enrolled");
	run_cmd(buf, sizeof(buf),
		"python3 -c 'import base64,hmac,hashlib,struct,sys\n"
		"s=sys.argv[1]; k=base64.b32decode(s+\"=\"*(-len(s)%%8))\n"
		"h=hmac.new(k,struct.pack(\">Q\",int(sys.argv[2])//30),hashlib.sha1).digest()\n"
		"o=h[-1]&15; "
		"print(\"%%06d\"%%((struct.unpack(\">I\",h[o:o+4])[0]&0x7fffffff)%%1000000))' "
		"%s %ld",
		totp_secret, t);
	ck_assert_uint_ge(strlen(buf), 6);
	memcpy(out, buf, 6);
	out[6] = '\0';
}

static const char *const (*qa_pairs)[2];
static char last_totp[7];

void questions_answers(const char *const (*pairs)[2])
{
	qa_pairs = pairs;
}

bool methods_answer(const char *token, const char *prompt, char *buf, size_t bufsz)
{
	char code[7];
	if (strcmp(token, "@ANSWER") == 0 || strcmp(token, "@BADANSWER") == 0) {
		for (size_t i = 0; qa_pairs && qa_pairs[i][0]; i++) {
			if (strstr(prompt, qa_pairs[i][0])) {
				snprintf(buf, bufsz, "%s%s", qa_pairs[i][1],
					 token[1] == 'B' ? " not" : "");
				return true;
			}
		}
		ck_abort_msg("no answer for prompt %s", prompt);
	}
	if (strcmp(token, "@TOTPLAST") == 0) {
		snprintf(buf, bufsz, "%s", last_totp);
		return true;
	}
	if (strcmp(token, "@SMS") == 0 || strcmp(token, "@CALL") == 0) {
		/* The message may still be on its way. */
		for (int i = 0; i < 50 && gateway_code(token[1] == 'S' ? "sms" : "call", code) < 0;
		     i++)
			usleep(100000);
		ck_assert_int_eq(gateway_code(token[1] == 'S' ? "sms" : "call", code), 0);
		snprintf(buf, bufsz, "%s", code);
		return true;
	}
	if (strcmp(token, "@TOTP") == 0) {
		totp_at((long)time(NULL), code);
		snprintf(buf, bufsz, "%s", code);
		memcpy(last_totp, code, sizeof(last_totp));
		return true;
	}
	if (strncmp(token, "@RC", 3) == 0) {
		int i = atoi(token + 3);
		ck_assert(i >= 1 && i <= 10 && recovery[i - 1][0]);
		snprintf(buf, bufsz, "%s", recovery[i - 1]);
		return true;
	}
	return false;
}

void faillock_fail_logins(const char *user, int n)
{
	for (int i = 0; i < n; i++) {
		struct convo c = {.answers = {"Wrong-password-9"}};
		ck_assert_int_ne(pam_run(FAILLOCK_SERVICE, user, &c), PAM_SUCCESS);
	}
}
