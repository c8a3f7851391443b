#include "ssprd/dir_conn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/log.h"
#include "common/util.h"
#include "common/validate.h"
#include "ssprd/privsep_secret.h"

/* A bind password longer than this is not one. */
#define DIR_PASSWORD_MAX 1024
/* Longest search filter built from user_filter and an escaped name. */
#define DIR_FILTER_MAX 1024

static struct privsep_secret bind_password;

static bool dir_used(const struct sspr_conf *conf)
{
	return conf->backend == BACKEND_LDAP || conf->store == STORE_LDAP;
}

int dir_secret_load(const struct sspr_conf *conf)
{
	const char *path =
	    dir_used(conf) && conf->ldap_bind_dn ? conf->ldap_bind_password_file : NULL;
	return privsep_secret_load(&bind_password, path, DIR_PASSWORD_MAX);
}

void dir_secret_free(void)
{
	privsep_secret_free(&bind_password);
}

int dir_errno(int rc)
{
	switch (rc) {
	case LDAP_SUCCESS:
		return 0;
	case LDAP_TIMEOUT:
	case LDAP_TIMELIMIT_EXCEEDED:
		return -ETIMEDOUT;
	case LDAP_SERVER_DOWN:
	case LDAP_CONNECT_ERROR:
		return -ECONNREFUSED;
	case LDAP_INVALID_CREDENTIALS:
	case LDAP_INSUFFICIENT_ACCESS:
		return -EACCES;
	case LDAP_NO_SUCH_OBJECT:
		return -ENOENT;
	case LDAP_NO_SUCH_ATTRIBUTE:
		return -ENODATA;
	default:
		return -EIO;
	}
}

static bool host_loopback(const char *host)
{
	unsigned char addr[sizeof(struct in6_addr)];
	if (!host || !host[0])
		return false;
	if (strcasecmp(host, "localhost") == 0)
		return true;
	if (inet_pton(AF_INET, host, addr) == 1)
		return addr[0] == 127;
	return inet_pton(AF_INET6, host, addr) == 1 &&
	       memcmp(addr, &in6addr_loopback, sizeof(in6addr_loopback)) == 0;
}

/* StartTLS is needed unless every URL of uri is ldaps://, ldapi:// or a
 * loopback ldap://: a password never crosses a network in clear. */
int dir_uri_needs_starttls(const char *uri, bool *out)
{
	char buf[1024];
	*out = false;
	if (strlen(uri) >= sizeof(buf))
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s", uri);
	unsigned count = 0;
	char *save = NULL;
	/* libldap takes a list separated by spaces or commas. */
	for (char *t = strtok_r(buf, " ,\t", &save); t; t = strtok_r(NULL, " ,\t", &save)) {
		LDAPURLDesc *u = NULL;
		if (ldap_url_parse(t, &u) != LDAP_URL_SUCCESS || !u)
			return -EINVAL;
		bool plain = strcasecmp(u->lud_scheme, "ldap") == 0;
		bool known = plain || strcasecmp(u->lud_scheme, "ldaps") == 0 ||
			     strcasecmp(u->lud_scheme, "ldapi") == 0;
		if (plain && !host_loopback(u->lud_host))
			*out = true;
		ldap_free_urldesc(u);
		if (!known)
			return -EINVAL;
		count++;
	}
	return count ? 0 : -EINVAL;
}

static int set_options(LDAP *ld, const struct sspr_conf *conf)
{
	int v3 = LDAP_VERSION3, hard = LDAP_OPT_X_TLS_HARD, zero = 0;
	struct timeval net = {.tv_sec = conf->ldap_network_timeout};
	struct timeval op = {.tv_sec = conf->ldap_timeout};
	int limit = (int)conf->ldap_timeout;
	if (ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &v3) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &net) != LDAP_OPT_SUCCESS ||
	    /* the default wait of every synchronous call (ldap_result) */
	    ldap_set_option(ld, LDAP_OPT_TIMEOUT, &op) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_TIMELIMIT, &limit) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &hard) != LDAP_OPT_SUCCESS)
		return -EINVAL;
	if (conf->ldap_ca_file &&
	    ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, conf->ldap_ca_file) != LDAP_OPT_SUCCESS)
		return -EINVAL;
	/* The options above apply only to a context made after them. */
	if (ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &zero) != LDAP_OPT_SUCCESS)
		return -EPROTO;
	return 0;
}

static const char *uri_for_log(const struct sspr_conf *conf)
{
	return conf->ldap_uri ? conf->ldap_uri : "(none)";
}

/* A connection with every option set and TLS started where needed; not
 * bound. */
static int dir_connect(const struct sspr_conf *conf, LDAP **out)
{
	bool starttls = false;
	LDAP *ld = NULL;
	*out = NULL;
	if (!conf->ldap_uri || !conf->ldap_uri[0])
		return -EINVAL;
	int r = dir_uri_needs_starttls(conf->ldap_uri, &starttls);
	if (r < 0)
		return r;
	if (ldap_initialize(&ld, conf->ldap_uri) != LDAP_SUCCESS || !ld)
		return -EINVAL;
	r = set_options(ld, conf);
	if (r < 0) {
		log_error("ldap %s: cannot set the connection options", uri_for_log(conf));
		goto fail;
	}
	if (starttls) {
		int rc = ldap_start_tls_s(ld, NULL, NULL);
		if (rc != LDAP_SUCCESS) {
			r = dir_errno(rc);
			if (r != -ETIMEDOUT && r != -ECONNREFUSED)
				r = -EPROTO;
			log_warning("ldap %s: StartTLS failed: %s", uri_for_log(conf),
				    ldap_err2string(rc));
			goto fail;
		}
	}
	*out = ld;
	return 0;
fail:
	ldap_unbind_ext_s(ld, NULL, NULL);
	return r;
}

static int simple_bind(LDAP *ld, const struct sspr_conf *conf, const char *dn, const char *password)
{
	struct berval cred = {.bv_val = (char *)password, .bv_len = strlen(password)};
	struct timeval tv = {.tv_sec = conf->ldap_timeout};
	int msgid = 0, rc;
	LDAPMessage *res = NULL;
	rc = ldap_sasl_bind(ld, dn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, &msgid);
	if (rc != LDAP_SUCCESS)
		return dir_errno(rc);
	rc = ldap_result(ld, msgid, LDAP_MSG_ALL, &tv, &res);
	if (rc == 0) {
		ldap_abandon_ext(ld, msgid, NULL, NULL);
		return -ETIMEDOUT;
	}
	if (rc < 0) {
		ldap_get_option(ld, LDAP_OPT_RESULT_CODE, &rc);
		return dir_errno(rc);
	}
	int err = LDAP_OTHER;
	rc = ldap_parse_result(ld, res, &err, NULL, NULL, NULL, NULL, 1);
	return dir_errno(rc != LDAP_SUCCESS ? rc : err);
}

/* The copy read at start when it is this file's, else the file itself
 * (a configuration that changed since, or no start at all: the tests). */
static int bind_password_get(const struct sspr_conf *conf, const char **out, char **owned)
{
	*owned = NULL;
	*out = privsep_secret_get(&bind_password, conf->ldap_bind_password_file);
	if (*out)
		return 0;
	int r = read_secret_file(conf->ldap_bind_password_file, DIR_PASSWORD_MAX, owned);
	*out = *owned;
	return r;
}

int dir_open(const struct sspr_conf *conf, struct dir_conn *out)
{
	out->ld = NULL;
	out->conf = conf;
	LDAP *ld = NULL;
	int r = dir_connect(conf, &ld);
	if (r < 0) {
		if (r != -EPROTO)
			log_warning("ldap %s: cannot connect: %s", uri_for_log(conf), strerror(-r));
		return r;
	}
	if (conf->ldap_bind_dn) {
		const char *pw = NULL;
		char *owned = NULL;
		r = bind_password_get(conf, &pw, &owned);
		if (r < 0) {
			log_error("[ldap] bind_password_file %s: %s", conf->ldap_bind_password_file,
				  strerror(-r));
			r = -EACCES;
		} else {
			r = simple_bind(ld, conf, conf->ldap_bind_dn, pw);
			if (r < 0)
				log_warning("ldap %s: bind as %s failed: %s", uri_for_log(conf),
					    conf->ldap_bind_dn, strerror(-r));
		}
		secret_free(owned);
		if (r < 0) {
			ldap_unbind_ext_s(ld, NULL, NULL);
			return r;
		}
	}
	out->ld = ld;
	return 0;
}

void dir_close(struct dir_conn *c)
{
	if (!c || !c->ld)
		return;
	ldap_unbind_ext_s(c->ld, NULL, NULL);
	c->ld = NULL;
}

int dir_filter_escape(const char *value, char *out, size_t outsz)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;
	if (!outsz)
		return -ENAMETOOLONG;
	for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
		bool esc =
		    *p == '*' || *p == '(' || *p == ')' || *p == '\\' || *p < 0x20 || *p >= 0x7f;
		size_t need = esc ? 3 : 1;
		if (n + need >= outsz) {
			out[0] = '\0';
			return -ENAMETOOLONG;
		}
		if (esc) {
			out[n++] = '\\';
			out[n++] = hex[*p >> 4];
			out[n++] = hex[*p & 15];
		} else {
			out[n++] = (char)*p;
		}
	}
	out[n] = '\0';
	return 0;
}

/* user_filter with its one "%s" replaced by the escaped name. The
 * template is checked at load (ldap_filter_template_valid); it is never
 * used as a format string. */
int dir_user_filter(const struct sspr_conf *conf, const char *user, char *out, size_t outsz)
{
	char esc[DIR_FILTER_MAX];
	int r = dir_filter_escape(user, esc, sizeof(esc));
	if (r < 0)
		return r;
	const char *tmpl = conf->ldap_user_filter ? conf->ldap_user_filter
						  : "(&(objectClass=posixAccount)(uid=%s))";
	const char *at = strstr(tmpl, "%s");
	if (!at)
		return -EINVAL;
	int n = snprintf(out, outsz, "%.*s%s%s", (int)(at - tmpl), tmpl, esc, at + 2);
	return n < 0 || (size_t)n >= outsz ? -ENAMETOOLONG : 0;
}

int dir_find_user(struct dir_conn *c, const char *user, char **attrs, char **dn,
		  LDAPMessage **entry)
{
	static char *no_attrs[] = {LDAP_NO_ATTRS, NULL};
	char filter[DIR_FILTER_MAX + 256];
	*dn = NULL;
	*entry = NULL;
	if (!username_valid(user))
		return -ENOENT;
	if (!c || !c->ld || !c->conf->ldap_base_dn)
		return -EINVAL;
	int r = dir_user_filter(c->conf, user, filter, sizeof(filter));
	if (r < 0)
		return r == -ENAMETOOLONG ? -ENOENT : r;
	struct timeval tv = {.tv_sec = c->conf->ldap_timeout};
	LDAPMessage *res = NULL;
	/* Two are enough to know the filter is ambiguous. */
	int rc = ldap_search_ext_s(c->ld, c->conf->ldap_base_dn, LDAP_SCOPE_SUBTREE, filter,
				   attrs ? attrs : no_attrs, 0, NULL, NULL, &tv, 2, &res);
	if (rc != LDAP_SUCCESS && rc != LDAP_SIZELIMIT_EXCEEDED) {
		ldap_msgfree(res);
		r = dir_errno(rc);
		/* A base_dn that does not exist finds nobody. */
		if (r != -ENOENT)
			log_warning("ldap search for %s failed: %s", user, ldap_err2string(rc));
		return r;
	}
	int count = ldap_count_entries(c->ld, res);
	if (count != 1 || rc == LDAP_SIZELIMIT_EXCEEDED) {
		ldap_msgfree(res);
		if (count > 1 || rc == LDAP_SIZELIMIT_EXCEEDED) {
			log_error("ldap: user_filter matches more than one entry for %s; refused",
				  user);
			return -ENOTUNIQ;
		}
		return -ENOENT;
	}
	LDAPMessage *e = ldap_first_entry(c->ld, res);
	char *d = e ? ldap_get_dn(c->ld, e) : NULL;
	if (!d) {
		ldap_msgfree(res);
		return -EIO;
	}
	*dn = d;
	*entry = res;
	return 0;
}

int dir_check_password(const struct sspr_conf *conf, const char *dn, const char *password)
{
	if (!password || !password[0] || !dn || !dn[0])
		return -EACCES;
	LDAP *ld = NULL;
	int r = dir_connect(conf, &ld);
	if (r < 0)
		return r;
	r = simple_bind(ld, conf, dn, password);
	ldap_unbind_ext_s(ld, NULL, NULL);
	return r;
}
