/* Tests for common/conf.c: defaults, a full file, every error with its exact
 * "path:line: message", and the shipped conf/sspr.conf and man page. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/conf.h"
#include "common/conf_keys.h"
#include "common/method.h"
#include "common/util.h"
#include "tests/unit/suites.h"

static char dir[64];
static char path[128];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/sspr-conf-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sspr.conf", dir);
}

static void teardown(void)
{
	unlink(path);
	rmdir(dir);
}

static void write_file(const char *text, size_t len)
{
	FILE *f = fopen(path, "we");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

/* Loads text over fresh defaults into c; the caller frees c. */
static int load(const char *text, struct sspr_conf *c, char *err, size_t errsz)
{
	write_file(text, strlen(text));
	ck_assert_int_eq(conf_init_defaults(c), 0);
	return conf_load(c, path, err, errsz);
}

static void expect_error(const char *text, unsigned line, const char *msg)
{
	struct sspr_conf c;
	char err[512], want[512];
	int r = load(text, &c, err, sizeof(err));
	if (line)
		snprintf(want, sizeof(want), "%s:%u: %s", path, line, msg);
	else
		snprintf(want, sizeof(want), "%s: %s", path, msg);
	ck_assert_msg(r == -EINVAL, "r=%d for:\n%s", r, text);
	ck_assert_str_eq(err, want);
	conf_free(&c);
}

static void expect_ok(const char *text, struct sspr_conf *c)
{
	char err[512] = "";
	int r = load(text, c, err, sizeof(err));
	ck_assert_msg(r == 0, "r=%d err=%s for:\n%s", r, err, text);
	ck_assert_str_eq(err, "");
}

START_TEST(test_defaults)
{
	struct sspr_conf c;
	ck_assert_int_eq(conf_init_defaults(&c), 0);
	ck_assert(c.enabled);
	ck_assert_uint_eq(c.min_uid, 1000);
	ck_assert_ptr_null(c.enabled_groups[0]);
	ck_assert_str_eq(c.helpdesk, "Contact your system administrator.");
	ck_assert_str_eq(c.socket_path, "/run/sspr/ssprd.sock");
	ck_assert_str_eq(c.state_dir, "/var/lib/sspr");
	ck_assert_uint_eq(c.max_connections, 64);
	ck_assert_uint_eq(c.dialogue_timeout, 900);
	ck_assert_uint_eq(c.answer_timeout, 300);
	ck_assert_int_eq(c.backend, BACKEND_SHADOW);
	ck_assert_str_eq(c.shadow_file, "/etc/shadow");
	ck_assert_int_eq(c.hash_method, HASH_YESCRYPT);
	ck_assert(c.methods & METHOD_BIT(METHOD_EMAIL));
	ck_assert_uint_eq(c.required, 1);
	ck_assert_uint_eq(c.code_ttl, 600);
	ck_assert_uint_eq(c.code_attempts, 5);
	ck_assert_str_eq(c.smtp_url, "smtp://localhost");
	ck_assert_ptr_null(c.smtp_username);
	ck_assert_ptr_null(c.smtp_password_file);
	ck_assert_str_eq(c.mail_from, "sspr@localhost");
	ck_assert_uint_eq(c.smtp_timeout, 30);
	ck_assert(c.notify_on_reset);
	ck_assert_uint_eq(c.min_length, 12);
	ck_assert_uint_eq(c.max_length, 256);
	ck_assert_uint_eq(c.min_classes, 0);
	ck_assert(c.pwquality);
	ck_assert_str_eq(c.pwquality_conf, "/etc/security/pwquality.conf");
	ck_assert_uint_eq(c.pwquality_min_score, 0);
	ck_assert_ptr_null(c.organisation);
	ck_assert_uint_eq(c.history, 5);
	ck_assert_str_eq(c.opasswd, "/etc/security/opasswd");
	ck_assert_ptr_null(c.breached_list);
	ck_assert_uint_eq(c.min_age_hours, 0);
	conf_free(&c);
	ck_assert_ptr_null(c.helpdesk);
	conf_free(&c);
	conf_free(NULL);
}
END_TEST

START_TEST(test_full_file)
{
	struct sspr_conf c;
	expect_ok("# a full configuration\n"
		  "[general]\n"
		  "enabled = no\n"
		  "min_uid = 4294967294\n"
		  "enabled_groups = wheel staff\n"
		  "helpdesk = Call 555-0100 (24/7), \xc3\xa9quipe IT\n"
		  "   ; an indented comment is fine\n"
		  "\n"
		  "[daemon]\n"
		  "socket = /tmp/s.sock\n"
		  "state_dir = /srv/sspr\n"
		  "max_connections = 1024\n"
		  "dialogue_timeout = 30\n"
		  "answer_timeout = 3600 ; an inline comment\n"
		  "[backend]\n"
		  "type = shadow\n"
		  "shadow_file = /tmp/shadow\n"
		  "hash_method = sha512\n"
		  "[methods]\n"
		  "enabled = email\n"
		  "required = 1\n"
		  "code_ttl = 86400\n"
		  "code_attempts = 20\n"
		  "[email]\n"
		  "smtp_url = smtps://mail.example.org:465\n"
		  "username = sspr-relay\n"
		  "password_file = /etc/sspr/smtp-password\n"
		  "from = Password-Reset@example.org\n"
		  "timeout = 600\n"
		  "notify_on_reset = off\n"
		  "[policy]\n"
		  "min_length = 511\n"
		  "max_length = 511\n"
		  "min_classes = 4\n"
		  "pwquality = no\n"
		  "pwquality_conf = /etc/sspr/pwquality.conf\n"
		  "pwquality_min_score = 100\n"
		  "organisation = Example Corp, ExCo\n"
		  "history = 50\n"
		  "opasswd =\n"
		  "breached_list = /srv/pwned/pwnedpasswords.txt\n"
		  "min_age_hours = 8760\n",
		  &c);
	ck_assert(!c.enabled);
	ck_assert_uint_eq(c.min_uid, 4294967294U);
	ck_assert_str_eq(c.enabled_groups[0], "wheel");
	ck_assert_str_eq(c.enabled_groups[1], "staff");
	ck_assert_ptr_null(c.enabled_groups[2]);
	ck_assert_str_eq(c.helpdesk, "Call 555-0100 (24/7), \xc3\xa9quipe IT");
	ck_assert_str_eq(c.socket_path, "/tmp/s.sock");
	ck_assert_str_eq(c.state_dir, "/srv/sspr");
	ck_assert_uint_eq(c.max_connections, 1024);
	ck_assert_uint_eq(c.dialogue_timeout, 30);
	ck_assert_uint_eq(c.answer_timeout, 3600);
	ck_assert_int_eq(c.backend, BACKEND_SHADOW);
	ck_assert_str_eq(c.shadow_file, "/tmp/shadow");
	ck_assert_int_eq(c.hash_method, HASH_SHA512);
	ck_assert(c.methods & METHOD_BIT(METHOD_EMAIL));
	ck_assert_uint_eq(c.required, 1);
	ck_assert_uint_eq(c.code_ttl, 86400);
	ck_assert_uint_eq(c.code_attempts, 20);
	ck_assert_str_eq(c.smtp_url, "smtps://mail.example.org:465");
	ck_assert_str_eq(c.smtp_username, "sspr-relay");
	ck_assert_str_eq(c.smtp_password_file, "/etc/sspr/smtp-password");
	ck_assert_str_eq(c.mail_from, "Password-Reset@example.org");
	ck_assert_uint_eq(c.smtp_timeout, 600);
	ck_assert(!c.notify_on_reset);
	ck_assert_uint_eq(c.min_length, 511);
	ck_assert_uint_eq(c.max_length, 511);
	ck_assert_uint_eq(c.min_classes, 4);
	ck_assert(!c.pwquality);
	ck_assert_str_eq(c.pwquality_conf, "/etc/sspr/pwquality.conf");
	ck_assert_uint_eq(c.pwquality_min_score, 100);
	ck_assert_str_eq(c.organisation, "Example Corp, ExCo");
	ck_assert_uint_eq(c.history, 50);
	ck_assert_ptr_null(c.opasswd);
	ck_assert_str_eq(c.breached_list, "/srv/pwned/pwnedpasswords.txt");
	ck_assert_uint_eq(c.min_age_hours, 8760);
	conf_free(&c);
}
END_TEST

START_TEST(test_partial_keeps_defaults)
{
	struct sspr_conf c;
	expect_ok("[general]\r\nmin_uid = 0\r\n\r\n[email]\r\nfrom = root@LOCALHOST\r\n", &c);
	ck_assert_uint_eq(c.min_uid, 0);
	ck_assert_str_eq(c.mail_from, "root@LOCALHOST");
	ck_assert_uint_eq(c.max_connections, 64);
	ck_assert_str_eq(c.helpdesk, "Contact your system administrator.");
	conf_free(&c);
}
END_TEST

START_TEST(test_edge_formats)
{
	struct sspr_conf c;
	expect_ok("", &c);
	ck_assert_uint_eq(c.min_uid, 1000);
	conf_free(&c);
	/* A UTF-8 byte order mark, no final newline, separators without spaces. */
	expect_ok("\xef\xbb\xbf[general]\nmin_uid=7\n[methods]\ncode_ttl:60", &c);
	ck_assert_uint_eq(c.min_uid, 7);
	ck_assert_uint_eq(c.code_ttl, 60);
	conf_free(&c);
	/* A ';' not after whitespace belongs to the value. */
	expect_ok("[general]\nhelpdesk = Call 555;ext 12 ; comment\n", &c);
	ck_assert_str_eq(c.helpdesk, "Call 555;ext 12");
	conf_free(&c);
}
END_TEST

START_TEST(test_bools)
{
	static const struct {
		const char *v;
		bool want;
	} cases[] = {
	    {"yes", true}, {"YES", true}, {"true", true},   {"On", true},   {"1", true},
	    {"no", false}, {"No", false}, {"FALSE", false}, {"off", false}, {"0", false},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char text[128];
		struct sspr_conf c;
		snprintf(text, sizeof(text), "[email]\nnotify_on_reset = %s\n", cases[i].v);
		expect_ok(text, &c);
		ck_assert_msg(c.notify_on_reset == cases[i].want, "value %s", cases[i].v);
		conf_free(&c);
	}
}
END_TEST

static const struct {
	const char *text;
	unsigned line;
	const char *msg;
} bad[] = {
    {"[general]\nenabled = yes\n[bogus]\n", 3, "unknown section [bogus]"},
    {"[general]\n[Daemon]\nsocket = /x\n", 2, "unknown section [Daemon]"},
    {"[]\n", 1, "empty section name"},
    {"[general]\n[   ]\nenabled = yes\n", 2, "empty section name"},
    {"[general] junk\n", 1, "unexpected text after [general]"},
    {"enabled = yes\n", 1, "key 'enabled' is outside of any [section]"},
    {"[daemon]\nsockt = /x\n", 2, "unknown key 'sockt' in section [daemon]"},
    {"[daemon]\nmin_uid = 5\n", 2, "unknown key 'min_uid' in section [daemon]"},
    {"[general]\nmin_uid = 1\n\n[general]\nmin_uid = 2\n", 5,
     "duplicate key 'min_uid' in section [general] (first set on line 2)"},
    {"[general]\nenabled = maybe\n", 2, "enabled: expected yes or no (or true/false, on/off, 1/0)"},
    {"[general]\nenabled =\n", 2, "enabled: expected yes or no (or true/false, on/off, 1/0)"},
    {"[daemon]\nmax_connections = 1025\n", 2, "max_connections: expected a number from 1 to 1024"},
    {"[daemon]\nmax_connections = 0\n", 2, "max_connections: expected a number from 1 to 1024"},
    {"[policy]\nmin_length = 12abc\n", 2, "min_length: expected a number from 8 to 511"},
    {"[policy]\nmin_length = 7\n", 2, "min_length: expected a number from 8 to 511"},
    {"[general]\nmin_uid = -1\n", 2, "min_uid: expected a number from 0 to 4294967294"},
    {"[general]\nmin_uid = +5\n", 2, "min_uid: expected a number from 0 to 4294967294"},
    {"[general]\nmin_uid = 4294967295\n", 2, "min_uid: expected a number from 0 to 4294967294"},
    {"[general]\nmin_uid = 99999999999999999999999\n", 2,
     "min_uid: expected a number from 0 to 4294967294"},
    {"[general]\nmin_uid = 1 000\n", 2, "min_uid: expected a number from 0 to 4294967294"},
    {"[daemon]\nanswer_timeout = 9\n", 2, "answer_timeout: expected a number from 10 to 3600"},
    {"[daemon]\ndialogue_timeout = 86401\n", 2,
     "dialogue_timeout: expected a number from 30 to 86400"},
    {"[methods]\ncode_attempts = 21\n", 2, "code_attempts: expected a number from 1 to 20"},
    {"[email]\ntimeout = 0\n", 2, "timeout: expected a number from 1 to 600"},
    {"[daemon]\nstate_dir = var/lib/sspr\n", 2,
     "state_dir: expected an absolute path of at most 4095 bytes"},
    {"[backend]\nshadow_file =\n", 2,
     "shadow_file: expected an absolute path of at most 4095 bytes"},
    {"[email]\npassword_file = secret.txt\nusername = u\n", 2,
     "password_file: expected an absolute path of at most 4095 bytes"},
    {"[daemon]\nsocket = /run/"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "aaaaaaaaaaaaaa\n",
     2, "socket: expected an absolute path of at most 107 bytes"},
    {"[general]\nfoo\nbar = 1\n", 2, "syntax error (expected key = value or [section])"},
    {"[general]\nbar = 1\nfoo\n", 2, "unknown key 'bar' in section [general]"},
    {"[general\nenabled = yes\n", 1, "syntax error (expected key = value or [section])"},
    {"[general]\nhelpdesk = Call us\n  on 555-0100\n", 3,
     "continuation lines are not supported (remove the leading whitespace)"},
    {"[general]\n\tenabled = yes\n", 2,
     "continuation lines are not supported (remove the leading whitespace)"},
    {"[general]\nhelpdesk = a\x01z\n", 2,
     "helpdesk: expected non-empty UTF-8 text of at most 512 bytes without control characters"},
    {"[general]\nhelpdesk = \xff\xfe\n", 2,
     "helpdesk: expected non-empty UTF-8 text of at most 512 bytes without control characters"},
    {"[general]\nhelpdesk = ; nothing\n", 2,
     "helpdesk: expected non-empty UTF-8 text of at most 512 bytes without control characters"},
    {"[general]\nenabled_groups = wheel, -bad\n", 2, "enabled_groups: invalid group name '-bad'"},
    {"[notify]\nadmins = ops@example.org, not-an-address\n", 2,
     "admins: invalid email address 'not-an-address'"},
    {"[notify]\nadmins = a@x.org b@x.org c@x.org d@x.org e@x.org f@x.org g@x.org h@x.org\n", 2,
     "admins: at most 7 addresses"},
    {"[registration]\nreconfirm_days = 3651\n", 2,
     "reconfirm_days: expected a number from 0 to 3650"},
    {"[daemon]\naudit_days = -1\n", 2, "audit_days: expected a number from 0 to 36500"},
    {"[general]\nadmin_group = wheel, -x\n", 2, "admin_group: invalid group name '-x'"},
    {"[backend]\nhash_method = md5\n", 2, "hash_method: expected yescrypt or sha512"},
    {"[backend]\nhash_method = SHA512\n", 2, "hash_method: expected yescrypt or sha512"},
    {"[methods]\nenabled = email, fax\n", 2,
     "enabled: unknown method 'fax' (known: email, sms, voice_mobile, voice_office, questions, "
     "totp, recovery_code)"},
    {"[methods]\nenabled = ,\n", 2, "enabled: at least one method is required"},
    {"[methods]\nrequired = 2\n", 0,
     "[methods] required is larger than the number of enabled methods"},
    {"[methods]\nrequired = 0\n", 2, "required: expected a number from 1 to 2"},
    {"[methods]\nrequired = 3\n", 2, "required: expected a number from 1 to 2"},
    {"[methods]\nenabled = email sms\n", 0,
     "[gateway] auth_file is required by the sms and voice methods"},
    {"[methods]\nenabled = sms\n[gateway]\nauth_file = /x\n", 0,
     "[gateway] provider twilio needs account_sid and from"},
    {"[methods]\nenabled = voice_mobile\n[gateway]\nprovider = http\nauth_file = /x\n"
     "call_url = http://127.0.0.1:1/call\n[voice]\nmode = press_pound\n",
     0, "[voice] mode press_pound needs callback_listen and callback_url"},
    {"[methods]\nenabled = questions\n", 0,
     "[methods] questions alone need questions_alone = yes (or required = 2)"},
    {"[gateway]\nprovider = sms77\n", 2, "provider: expected twilio or http"},
    {"[gateway]\nfrom = 5550100\n", 2,
     "from: expected an E.164 number such as +15550100 (+, then 8 to 15 digits)"},
    {"[gateway]\nallowed_prefixes = +1 44\n", 2,
     "allowed_prefixes: invalid prefix (expected + and digits) '44'"},
    {"[gateway]\nurl = ftp://x\n", 2,
     "url: expected http://host[/path] or https://host[/path] of at most 512 bytes, without "
     "spaces"},
    {"[voice]\ncallback_listen = 127.0.0.1\n", 2,
     "callback_listen: expected host:port, such as 127.0.0.1:8089"},
    {"[voice]\nmode = shout\n", 2, "mode: expected speak_code or press_pound"},
    {"[questions]\nregister = 2\nanswer = 3\n", 0, "[questions] answer is larger than register"},
    {"[email]\nfrom = not-an-address\n", 2,
     "from: expected an address like sspr@example.org or sspr@localhost"},
    {"[email]\nfrom = sspr@example\n", 2,
     "from: expected an address like sspr@example.org or sspr@localhost"},
    {"[email]\nfrom = @localhost\n", 2,
     "from: expected an address like sspr@example.org or sspr@localhost"},
    {"[email]\nfrom = a\rb@example.org\n", 2,
     "from: expected an address like sspr@example.org or sspr@localhost"},
    {"[email]\nsmtp_url = http://mail.example.org\n", 2,
     "smtp_url: expected smtp://host[:port] or smtps://host[:port] of at most 512 bytes, "
     "without spaces"},
    {"[email]\nsmtp_url = smtp://\n", 2,
     "smtp_url: expected smtp://host[:port] or smtps://host[:port] of at most 512 bytes, "
     "without spaces"},
    {"[email]\nsmtp_url = smtp://mail example\n", 2,
     "smtp_url: expected smtp://host[:port] or smtps://host[:port] of at most 512 bytes, "
     "without spaces"},
    {"[policy]\nmax_length = 512\n", 2, "max_length: expected a number from 8 to 511"},
    {"[policy]\nmin_length = 20\nmax_length = 16\n", 0,
     "[policy] min_length (20) is larger than max_length (16)"},
    {"[policy]\nmin_length = 300\n", 0,
     "[policy] min_length (300) is larger than max_length (256)"},
    {"[policy]\nmin_classes = 5\n", 2, "min_classes: expected a number from 0 to 4"},
    {"[policy]\npwquality = sometimes\n", 2,
     "pwquality: expected yes or no (or true/false, on/off, 1/0)"},
    {"[policy]\npwquality_conf =\n", 2,
     "pwquality_conf: expected an absolute path of at most 4095 bytes"},
    {"[policy]\npwquality_min_score = 101\n", 2,
     "pwquality_min_score: expected a number from 0 to 100"},
    {"[policy]\nhistory = 51\n", 2, "history: expected a number from 0 to 50"},
    {"[policy]\nopasswd = opasswd\n", 2,
     "opasswd: expected an absolute path of at most 4095 bytes"},
    {"[policy]\nbreached_list = pwned.txt\n", 2,
     "breached_list: expected an absolute path of at most 4095 bytes"},
    {"[policy]\nmin_age_hours = 8761\n", 2, "min_age_hours: expected a number from 0 to 8760"},
    {"[policy]\norganisation = Ex\x01Co\n", 2,
     "organisation: expected UTF-8 text of at most 190 bytes without control characters"},
    {"[email]\nusername = relay\n", 0, "[email] username and password_file go together"},
    {"[email]\npassword_file = /etc/sspr/pw\n", 0,
     "[email] username and password_file go together"},
    {"[general]\nlanguage = zh-TW\n", 2, "language: expected a language such as en or zh_TW"},
    {"[general]\nlanguage = ../etc\n", 2, "language: expected a language such as en or zh_TW"},
    {"[backend]\ntype = nis\n", 2, "type: expected shadow or ldap"},
    {"[daemon]\nstore = files\n", 2, "store: expected sqlite or ldap"},
    {"[ldap]\nuri = http://ldap.example.org\n", 2,
     "uri: expected ldap://host[:port] or ldaps://host[:port] of at most 512 bytes, without "
     "spaces"},
    {"[ldap]\nmail_attribute = 1mail\n", 2,
     "mail_attribute: expected an LDAP attribute name (a letter, then letters, digits or -)"},
    {"[ldap]\nuser_filter = uid=%s\n", 2,
     "user_filter: expected a filter in parentheses with exactly one %s (the user name) of at "
     "most 256 bytes, printable ASCII"},
    {"[ldap]\nuser_filter = (&(uid=%s)(cn=%s))\n", 2,
     "user_filter: expected a filter in parentheses with exactly one %s (the user name) of at "
     "most 256 bytes, printable ASCII"},
    {"[ldap]\nuser_filter = (uid=%s)(cn=x)\n", 2,
     "user_filter: expected a filter in parentheses with exactly one %s (the user name) of at "
     "most 256 bytes, printable ASCII"},
    {"[ldap]\nuser_filter = (uid=%d)\n", 2,
     "user_filter: expected a filter in parentheses with exactly one %s (the user name) of at "
     "most 256 bytes, printable ASCII"},
    {"[backend]\ntype = ldap\n", 0,
     "[ldap] uri and base_dn are required by backend type ldap and store ldap"},
    {"[ldap]\nbind_dn = cn=sspr,dc=example,dc=org\n", 0,
     "[ldap] bind_dn and bind_password_file go together"},
    {"[backend]\ntype = ldap\n[ldap]\nuri = ldap://127.0.0.1\nbase_dn = dc=example,dc=org\n", 0,
     "[ldap] bind_dn is required: sspr writes to the directory as that account"},
    {"[daemon]\nstore = ldap\n[ldap]\nuri = ldaps://ldap\nbase_dn = dc=x\nbind_dn = cn=s\n"
     "bind_password_file = /etc/sspr/ldap.secret\nsite_key_file =\n",
     0, "[ldap] store ldap needs enrolment_attribute and site_key_file"},
};

START_TEST(test_errors)
{
	expect_error(bad[_i].text, bad[_i].line, bad[_i].msg);
}
END_TEST

/* A text with an embedded NUL needs its real length. */
START_TEST(test_nul_byte)
{
	static const char text[] = "[general]\nmin_uid = 1\nen\0abled = no\n";
	struct sspr_conf c;
	char err[256], want[256];
	write_file(text, sizeof(text) - 1);
	ck_assert_int_eq(conf_init_defaults(&c), 0);
	ck_assert_int_eq(conf_load(&c, path, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:3: NUL byte in line", path);
	ck_assert_str_eq(err, want);
	conf_free(&c);
}
END_TEST

START_TEST(test_line_length)
{
	/* 199 bytes is the longest line accepted; 200 fails at its own line. */
	char text[512], value[256];
	struct sspr_conf c;
	size_t n = 199 - strlen("helpdesk = ");
	memset(value, 'x', n);
	value[n] = '\0';
	snprintf(text, sizeof(text), "[general]\n# fine\nhelpdesk = %s\n", value);
	expect_ok(text, &c);
	ck_assert_uint_eq(strlen(c.helpdesk), n);
	conf_free(&c);

	snprintf(text, sizeof(text), "[general]\n# fine\nhelpdesk = %sy\nmin_uid = 1\n", value);
	expect_error(text, 3, "line too long (at most 199 bytes)");

	/* A long comment is still a long line, and lines after it count. */
	memset(value, ';', 220);
	value[220] = '\0';
	snprintf(text, sizeof(text), "[general]\n\n%s\nenabled = yes\n", value);
	expect_error(text, 3, "line too long (at most 199 bytes)");
	snprintf(text, sizeof(text), "[general]\nmin_uid = 1\nbogus = 2\n%s\n", value);
	expect_error(text, 3, "unknown key 'bogus' in section [general]");
}
END_TEST

START_TEST(test_groups)
{
	struct sspr_conf c;
	expect_ok("[general]\nenabled_groups = wheel,staff  users , ,adm\tops$\n", &c);
	const char *want[] = {"wheel", "staff", "users", "adm", "ops$"};
	for (size_t i = 0; i < ARRAY_SIZE(want); i++)
		ck_assert_str_eq(c.enabled_groups[i], want[i]);
	ck_assert_ptr_null(c.enabled_groups[ARRAY_SIZE(want)]);
	conf_free(&c);

	/* CONF_MAX_GROUPS - 1 names fit (one slot is the NULL terminator). */
	char text[256] = "[general]\nenabled_groups =";
	for (int i = 0; i < CONF_MAX_GROUPS - 1; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), " g%d", i);
	strcat(text, "\n");
	expect_ok(text, &c);
	ck_assert_str_eq(c.enabled_groups[CONF_MAX_GROUPS - 2], "g30");
	ck_assert_ptr_null(c.enabled_groups[CONF_MAX_GROUPS - 1]);
	conf_free(&c);

	text[strlen(text) - 1] = '\0';
	strcat(text, ",extra\n");
	char msg[64];
	snprintf(msg, sizeof(msg), "enabled_groups: at most %d groups", CONF_MAX_GROUPS - 1);
	expect_error(text, 2, msg);
}
END_TEST

START_TEST(test_issue4_keys)
{
	struct sspr_conf c;
	expect_ok("[general]\nadmin_group = sspradmin wheel\n"
		  "[daemon]\naudit_days = 0\n"
		  "[registration]\nreconfirm_days = 180\nremind = no\n"
		  "[notify]\nadmins = ops@example.org,sec@example.org\nnotify_sms = yes\n"
		  "admin_failures = yes\ntemplates_dir = /srv/sspr/templates\n",
		  &c);
	ck_assert_str_eq(c.admin_groups[0], "sspradmin");
	ck_assert_str_eq(c.admin_groups[1], "wheel");
	ck_assert_ptr_null(c.admin_groups[2]);
	ck_assert_uint_eq(c.audit_days, 0);
	ck_assert_uint_eq(c.reconfirm_days, 180);
	ck_assert(!c.remind);
	ck_assert_str_eq(c.notify_admins[0], "ops@example.org");
	ck_assert_str_eq(c.notify_admins[1], "sec@example.org");
	ck_assert_ptr_null(c.notify_admins[2]);
	ck_assert(c.notify_sms);
	ck_assert(c.notify_admin_failures);
	ck_assert_str_eq(c.templates_dir, "/srv/sspr/templates");
	conf_free(&c);

	expect_ok("[general]\nmin_uid = 1000\n", &c);
	ck_assert_ptr_null(c.admin_groups[0]);
	ck_assert_ptr_null(c.notify_admins[0]);
	ck_assert_uint_eq(c.audit_days, 365);
	ck_assert_uint_eq(c.reconfirm_days, 0);
	ck_assert(c.remind);
	ck_assert(!c.notify_sms);
	ck_assert(!c.notify_admin_failures);
	ck_assert_str_eq(c.templates_dir, "/etc/sspr/templates");
	conf_free(&c);
}
END_TEST

START_TEST(test_groups_inline_comment_empty)
{
	struct sspr_conf c;
	char err[256] = "";
	const char *text = "[general]\nenabled_groups =   ; comment\n";
	write_file(text, strlen(text));
	ck_assert_int_eq(conf_init_defaults(&c), 0);
	/* A list set before (e.g. by defaults) must be cleared, not kept. */
	c.enabled_groups[0] = strdup("wheel");
	c.enabled_groups[1] = strdup("staff");
	ck_assert_int_eq(conf_load(&c, path, err, sizeof(err)), 0);
	ck_assert_ptr_null(c.enabled_groups[0]);
	ck_assert_ptr_null(c.enabled_groups[1]);
	conf_free(&c);
}
END_TEST

START_TEST(test_unreadable)
{
	struct sspr_conf c;
	char err[256], want[256];
	ck_assert_int_eq(conf_init_defaults(&c), 0);
	ck_assert_int_eq(conf_load(&c, "/nonexistent/sspr.conf", err, sizeof(err)), -ENOENT);
	ck_assert_str_eq(err, "/nonexistent/sspr.conf: No such file or directory");
	ck_assert_int_eq(conf_load(&c, "/", err, sizeof(err)), -EISDIR);
	ck_assert_str_eq(err, "/: Is a directory");

	size_t big = 64 * 1024 + 1;
	char *text = malloc(big);
	ck_assert_ptr_nonnull(text);
	for (size_t i = 0; i < big; i++)
		text[i] = (i % 64 == 63) ? '\n' : '#';
	write_file(text, big);
	free(text);
	ck_assert_int_eq(conf_load(&c, path, err, sizeof(err)), -EFBIG);
	snprintf(want, sizeof(want), "%s: file too large", path);
	ck_assert_str_eq(err, want);
	/* Nothing changed on failure. */
	ck_assert_uint_eq(c.min_uid, 1000);
	conf_free(&c);
}
END_TEST

START_TEST(test_small_err_buffer)
{
	struct sspr_conf c;
	char err[8];
	ck_assert_int_eq(load("[general]\nbogus = 1\n", &c, err, sizeof(err)), -EINVAL);
	ck_assert_uint_eq(strlen(err), sizeof(err) - 1);
	ck_assert_int_eq(conf_load(&c, path, NULL, 0), -EINVAL);
	conf_free(&c);
}
END_TEST

/* Every key is listed here once; the example file and the man page must
 * both document each. */
/* Every key of the parser's table (conf_keys.c) must be documented. */

START_TEST(test_example_file)
{
	struct sspr_conf c, d;
	char err[512] = "";
	ck_assert_int_eq(conf_init_defaults(&c), 0);
	ck_assert_int_eq(conf_init_defaults(&d), 0);
	/* Start from values unlike the defaults, so the file must set them. */
	c.min_uid = 1;
	c.enabled = false;
	c.max_connections = 2;
	c.min_length = 99;
	c.max_length = 100;
	c.history = 1;
	c.pwquality = false;
	c.code_ttl = 7;
	c.hash_method = HASH_SHA512;
	int r = conf_load(&c, "conf/sspr.conf", err, sizeof(err));
	ck_assert_msg(r == 0, "conf/sspr.conf: %s", err);
	ck_assert(c.enabled == d.enabled);
	ck_assert_uint_eq(c.min_uid, d.min_uid);
	ck_assert_ptr_null(c.enabled_groups[0]);
	ck_assert_str_eq(c.helpdesk, d.helpdesk);
	ck_assert_str_eq(c.socket_path, d.socket_path);
	ck_assert_str_eq(c.state_dir, d.state_dir);
	ck_assert_uint_eq(c.max_connections, d.max_connections);
	ck_assert_uint_eq(c.dialogue_timeout, d.dialogue_timeout);
	ck_assert_uint_eq(c.answer_timeout, d.answer_timeout);
	ck_assert_int_eq(c.backend, d.backend);
	ck_assert_str_eq(c.shadow_file, d.shadow_file);
	ck_assert_int_eq(c.hash_method, d.hash_method);
	ck_assert(c.methods & METHOD_BIT(METHOD_EMAIL));
	ck_assert_uint_eq(c.required, d.required);
	ck_assert_uint_eq(c.code_ttl, d.code_ttl);
	ck_assert_uint_eq(c.code_attempts, d.code_attempts);
	ck_assert_str_eq(c.smtp_url, d.smtp_url);
	ck_assert_ptr_null(c.smtp_username);
	ck_assert_ptr_null(c.smtp_password_file);
	ck_assert_str_eq(c.mail_from, d.mail_from);
	ck_assert_uint_eq(c.smtp_timeout, d.smtp_timeout);
	ck_assert(c.notify_on_reset == d.notify_on_reset);
	ck_assert_uint_eq(c.min_length, d.min_length);
	ck_assert_uint_eq(c.max_length, d.max_length);
	ck_assert_uint_eq(c.min_classes, d.min_classes);
	ck_assert(c.pwquality == d.pwquality);
	ck_assert_str_eq(c.pwquality_conf, d.pwquality_conf);
	ck_assert_uint_eq(c.pwquality_min_score, d.pwquality_min_score);
	ck_assert_ptr_null(c.organisation);
	ck_assert_uint_eq(c.history, d.history);
	ck_assert_str_eq(c.opasswd, d.opasswd);
	ck_assert_ptr_null(c.breached_list);
	ck_assert_uint_eq(c.min_age_hours, d.min_age_hours);
	conf_free(&c);
	conf_free(&d);

	char *text = NULL;
	ck_assert_int_eq(read_small_file("conf/sspr.conf", 65536, &text, NULL), 0);
	for (size_t i = 0; i < conf_key_count; i++) {
		char key[64];
		snprintf(key, sizeof(key), "\n%s =", conf_keys[i].key);
		bool found = strstr(text, key) != NULL;
		snprintf(key, sizeof(key), "\n# %s =", conf_keys[i].key);
		found = found || strstr(text, key) != NULL;
		ck_assert_msg(found, "conf/sspr.conf lacks %s", conf_keys[i].key);
	}
	free(text);
}
END_TEST

START_TEST(test_man_page_lists_keys)
{
	char *text = NULL;
	ck_assert_int_eq(read_small_file("man/sspr.conf.5", 262144, &text, NULL), 0);
	for (size_t i = 0; i < conf_key_count; i++) {
		char key[64];
		snprintf(key, sizeof(key), "\n.It Cm %s ", conf_keys[i].key);
		ck_assert_msg(strstr(text, key), "sspr.conf.5 lacks %s", conf_keys[i].key);
	}
	free(text);
}
END_TEST

Suite *conf_suite(void)
{
	Suite *s = suite_create("conf");
	TCase *tc = tcase_create("conf");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_full_file);
	tcase_add_test(tc, test_partial_keeps_defaults);
	tcase_add_test(tc, test_edge_formats);
	tcase_add_test(tc, test_bools);
	tcase_add_loop_test(tc, test_errors, 0, (int)ARRAY_SIZE(bad));
	tcase_add_test(tc, test_nul_byte);
	tcase_add_test(tc, test_line_length);
	tcase_add_test(tc, test_groups);
	tcase_add_test(tc, test_groups_inline_comment_empty);
	tcase_add_test(tc, test_issue4_keys);
	tcase_add_test(tc, test_unreadable);
	tcase_add_test(tc, test_small_err_buffer);
	tcase_add_test(tc, test_example_file);
	tcase_add_test(tc, test_man_page_lists_keys);
	suite_add_tcase(s, tc);
	return s;
}
