#include "tests/integration/ldap_fixture.h"

#include <check.h>
#include <errno.h>
#include <ldap.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/integration/harness.h"
#include "tests/integration/harness_internal.h"

#define SLAPD	"/usr/sbin/slapd"
#define SLAPADD "/usr/sbin/slapadd"

static pid_t slapd_pid = -1;
static int slapd_port;
static bool slapd_paused;

bool ldap_available(void)
{
	static int noted;
	if (access(SLAPD, X_OK) == 0 && access(SLAPADD, X_OK) == 0)
		return true;
	if (!noted++)
		printf("ldap: skipped: %s is not installed (make deps installs slapd)\n", SLAPD);
	return false;
}

int ldap_port(void)
{
	return slapd_port;
}

const char *ldap_uri(void)
{
	static char uri[64];
	snprintf(uri, sizeof(uri), "ldap://127.0.0.1:%d", slapd_port);
	return uri;
}

const char *ldap_site_key_path(void)
{
	return run_path("ldap/site.key");
}

const char *ldap_bind_pw_path(void)
{
	return run_path("ldap/bind.pw");
}

const char *ldap_user_dn(const char *user)
{
	static char bufs[4][256];
	static int i;
	char *b = bufs[i++ % 4];
	snprintf(b, sizeof(bufs[0]), "uid=%s," LDAP_TEST_PEOPLE, user);
	return b;
}

/* The source tree: SSPR_SRC, else the parent of the build directory. */
static const char *src_path(const char *name)
{
	static char buf[1024];
	const char *src = getenv("SSPR_SRC");
	if (src && src[0])
		snprintf(buf, sizeof(buf), "%s/%s", src, name);
	else
		snprintf(buf, sizeof(buf), "%s/../%s", build_path(), name);
	return buf;
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "re");
	ck_assert_msg(f != NULL, "open %s: %s", path, strerror(errno));
	char *buf = calloc(1, 65536);
	ck_assert_ptr_nonnull(buf);
	size_t n = fread(buf, 1, 65535, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

/* text with every "@NAME@" of names replaced by the matching value. */
static char *fill(const char *text, const char *const (*subst)[2])
{
	size_t cap = strlen(text) * 2 + 8192, n = 0;
	char *out = malloc(cap);
	ck_assert_ptr_nonnull(out);
	for (const char *p = text; *p;) {
		bool done = false;
		for (size_t i = 0; subst[i][0] && !done; i++) {
			size_t len = strlen(subst[i][0]);
			if (strncmp(p, subst[i][0], len) == 0) {
				size_t vlen = strlen(subst[i][1]);
				ck_assert_uint_lt(n + vlen, cap - 1);
				memcpy(out + n, subst[i][1], vlen);
				n += vlen;
				p += len;
				done = true;
			}
		}
		if (!done) {
			ck_assert_uint_lt(n, cap - 1);
			out[n++] = *p++;
		}
	}
	out[n] = '\0';
	return out;
}

/* The helpers run without the wrappers: slapd and ldap-utils need none. */
static pid_t spawn_clean(const char *log, char *const argv[])
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		/* A test that fails exits at once: slapd goes with it. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		unsetenv("LD_PRELOAD");
		FILE *f = freopen(log, "a", stderr);
		(void)f;
		dup2(2, 1);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

static void write_config(void)
{
	char schema_inc[1200] = "", acl[1024] = "";
	const char *schema = src_path("conf/sspr.schema");
	if (access(schema, R_OK) == 0) {
		snprintf(schema_inc, sizeof(schema_inc), "include %s", schema);
		snprintf(acl, sizeof(acl),
			 "access to dn.subtree=\"" LDAP_TEST_PEOPLE "\" attrs=ssprEnrolment\n"
			 "\tby dn.exact=\"" LDAP_SERVICE_DN "\" write\n"
			 "\tby * none");
	}
	char dir[600], yesterday[32];
	snprintf(dir, sizeof(dir), "%s", run_path("ldap"));
	snprintf(yesterday, sizeof(yesterday), "%ld", (long)(time(NULL) / 86400) - 1);
	const char *const subst[][2] = {
	    {"@DIR@", dir},
	    {"@SSPR_SCHEMA@", schema_inc},
	    {"@SSPR_ACL@", acl},
	    {"@ROOTPW@", LDAP_TEST_ROOT_PW},
	    {"@SERVICEPW@", LDAP_SERVICE_PASSWORD},
	    {"@OLDPW@", OLD_PASSWORD},
	    {"@YESTERDAY@", yesterday},
	    {NULL, NULL},
	};
	char *tmpl = read_all(src_path("tests/ldap/slapd.conf.in"));
	char *conf = fill(tmpl, subst);
	write_file(run_path("ldap/slapd.conf"), 0600, "%s", conf);
	free(conf);
	free(tmpl);
	tmpl = read_all(src_path("tests/ldap/base.ldif.in"));
	conf = fill(tmpl, subst);
	write_file(run_path("ldap/base.ldif"), 0600, "%s", conf);
	free(conf);
	free(tmpl);
}

static void write_secrets(void)
{
	write_file(ldap_bind_pw_path(), 0600, "%s\n", LDAP_SERVICE_PASSWORD);
	unsigned char key[32];
	FILE *f = fopen("/dev/urandom", "re");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fread(key, 1, sizeof(key), f), sizeof(key));
	fclose(f);
	f = fopen(ldap_site_key_path(), "we");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(key, 1, sizeof(key), f), sizeof(key));
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(chmod(ldap_site_key_path(), 0600), 0);
}

void ldap_start(void)
{
	char out[4096];
	ldap_stop();
	run_cmd(out, sizeof(out), "rm -rf %s && mkdir -p %s/db", run_path("ldap"),
		run_path("ldap"));
	write_config();
	write_secrets();
	int st = run_cmd(out, sizeof(out), "env -u LD_PRELOAD %s -q -f %s -l %s 2>&1", SLAPADD,
			 run_path("ldap/slapd.conf"), run_path("ldap/base.ldif"));
	ck_assert_msg(st == 0, "slapadd failed (%d): %s", st, out);
	slapd_port = free_port();
	char url[64], conf[600];
	snprintf(url, sizeof(url), "ldap://127.0.0.1:%d/", slapd_port);
	snprintf(conf, sizeof(conf), "%s", run_path("ldap/slapd.conf"));
	char *argv[] = {SLAPD, "-d", "0", "-f", conf, "-h", url, NULL};
	slapd_pid = spawn_clean(run_path("ldap/slapd.log"), argv);
	slapd_paused = false;
	for (int i = 0; i < 200 && !tcp_ready(slapd_port); i++) {
		if (waitpid(slapd_pid, NULL, WNOHANG) == slapd_pid) {
			slapd_pid = -1;
			break;
		}
		usleep(25000);
	}
	ck_assert_msg(slapd_pid > 0 && tcp_ready(slapd_port), "slapd did not start: %s",
		      slurp(run_path("ldap/slapd.log")));
}

void ldap_stop(void)
{
	if (slapd_pid <= 0)
		return;
	if (slapd_paused)
		kill(slapd_pid, SIGCONT);
	slapd_paused = false;
	stop(&slapd_pid);
}

void ldap_pause(bool pause)
{
	ck_assert_int_gt(slapd_pid, 0);
	ck_assert_int_eq(kill(slapd_pid, pause ? SIGSTOP : SIGCONT), 0);
	slapd_paused = pause;
}

static LDAP *connect_bound(const char *dn, const char *password, int *rc)
{
	LDAP *ld = NULL;
	*rc = ldap_initialize(&ld, ldap_uri());
	if (*rc != LDAP_SUCCESS)
		return NULL;
	int v3 = LDAP_VERSION3;
	struct timeval tv = {.tv_sec = 3};
	ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &v3);
	ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tv);
	ldap_set_option(ld, LDAP_OPT_TIMEOUT, &tv);
	ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
	struct berval cred = {.bv_val = (char *)password, .bv_len = strlen(password)};
	*rc = ldap_sasl_bind_s(ld, dn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL);
	if (*rc != LDAP_SUCCESS) {
		ldap_unbind_ext_s(ld, NULL, NULL);
		return NULL;
	}
	return ld;
}

bool ldap_bind_ok(const char *user, const char *password)
{
	int rc;
	if (!password[0])
		return false;
	LDAP *ld = connect_bound(ldap_user_dn(user), password, &rc);
	if (ld)
		ldap_unbind_ext_s(ld, NULL, NULL);
	return ld != NULL;
}

int ldap_modify(const char *ldif)
{
	char out[4096];
	write_file(run_path("ldap/modify.ldif"), 0600, "%s", ldif);
	return run_cmd(out, sizeof(out),
		       "env -u LD_PRELOAD ldapmodify -x -e relax -H %s -D '" LDAP_TEST_ROOT_DN
		       "' -w '" LDAP_TEST_ROOT_PW "' -f %s >%s 2>&1",
		       ldap_uri(), run_path("ldap/modify.ldif"), run_path("ldap/modify.out"));
}

static bool volatile_attr(const char *a)
{
	static const char *const skip[] = {"entryCSN", "modifyTimestamp", "modifiersName",
					   "contextCSN", NULL};
	for (size_t i = 0; skip[i]; i++)
		if (strcasecmp(a, skip[i]) == 0)
			return true;
	return false;
}

/* attr NULL: the whole entry with operational attributes, as
 * "name: value" lines; else the values of attr only. */
static void read_entry(const char *user, const char *attr, char *out, size_t outsz)
{
	int rc;
	out[0] = '\0';
	LDAP *ld = connect_bound(LDAP_TEST_ROOT_DN, LDAP_TEST_ROOT_PW, &rc);
	ck_assert_msg(ld != NULL, "root bind: %s", ldap_err2string(rc));
	char *all[] = {"*", "+", NULL}, *one[] = {(char *)attr, NULL};
	LDAPMessage *res = NULL;
	struct timeval tv = {.tv_sec = 3};
	rc = ldap_search_ext_s(ld, ldap_user_dn(user), LDAP_SCOPE_BASE, "(objectClass=*)",
			       attr ? one : all, 0, NULL, NULL, &tv, 0, &res);
	LDAPMessage *e = rc == LDAP_SUCCESS ? ldap_first_entry(ld, res) : NULL;
	size_t n = 0;
	BerElement *ber = NULL;
	for (char *a = e ? ldap_first_attribute(ld, e, &ber) : NULL; a;
	     a = ldap_next_attribute(ld, e, ber)) {
		struct berval **vals = volatile_attr(a) ? NULL : ldap_get_values_len(ld, e, a);
		for (size_t i = 0; vals && vals[i]; i++) {
			int w = attr ? snprintf(out + n, outsz - n, "%s%.*s", n ? "\n" : "",
						(int)vals[i]->bv_len, vals[i]->bv_val)
				     : snprintf(out + n, outsz - n, "%s: %.*s\n", a,
						(int)vals[i]->bv_len, vals[i]->bv_val);
			if (w > 0 && (size_t)w < outsz - n)
				n += (size_t)w;
		}
		ldap_value_free_len(vals);
		ldap_memfree(a);
	}
	ber_free(ber, 0);
	ldap_msgfree(res);
	ldap_unbind_ext_s(ld, NULL, NULL);
}

const char *ldap_attr(const char *user, const char *attr)
{
	static char bufs[2][8192];
	static int i;
	char *b = bufs[i++ % 2];
	read_entry(user, attr, b, sizeof(bufs[0]));
	return b;
}

const char *ldap_entry_dump(const char *user)
{
	static char buf[32768];
	read_entry(user, NULL, buf, sizeof(buf));
	return buf;
}

const char *ldap_extra_conf(bool backend, bool store, const char *extra)
{
	static char buf[8192];
	snprintf(buf, sizeof(buf),
		 "\n%s%s"
		 "[ldap]\nuri = %s\nbind_dn = " LDAP_SERVICE_DN "\nbind_password_file = %s\n"
		 "base_dn = " LDAP_TEST_PEOPLE "\nnetwork_timeout = 2\ntimeout = 2\n"
		 "site_key_file = %s\n%s",
		 backend ? "[backend]\ntype = ldap\n" : "", store ? "[daemon]\nstore = ldap\n" : "",
		 ldap_uri(), ldap_bind_pw_path(), ldap_site_key_path(), extra ? extra : "");
	return buf;
}
