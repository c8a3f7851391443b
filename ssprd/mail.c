#include "ssprd/mail.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <strings.h>

#include <curl/curl.h>
#include <sodium.h>

#include "common/log.h"
#include "common/util.h"
#include "common/validate.h"
#include "ssprd/privsep_secret.h"

#define PASSWORD_MAX	     4096
#define CONNECT_TIMEOUT	     10L
#define DEFAULT_SMTP_TIMEOUT 60L

static bool host_is_loopback(const char *host)
{
	if (strcasecmp(host, "localhost") == 0 || strcasecmp(host, "localhost.") == 0)
		return true;
	struct in_addr a4;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	char tmp[INET6_ADDRSTRLEN + 2];
	size_t n = strlen(host);
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']' && n - 2 < sizeof(tmp)) {
		memcpy(tmp, host + 1, n - 2);
		tmp[n - 2] = '\0';
		host = tmp;
	}
	struct in6_addr a6;
	if (inet_pton(AF_INET6, host, &a6) != 1)
		return false;
	return IN6_IS_ADDR_LOOPBACK(&a6) || (IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127);
}

/* Parses url with curl's own parser, so the host we judge is the host curl
 * will connect to. *scheme_out (optional) receives the scheme to free with
 * curl_free. */
static int url_inspect(const char *url, char **scheme_out)
{
	if (!url)
		return -EINVAL;
	CURLU *u = curl_url();
	if (!u)
		return -ENOMEM;
	char *host = NULL, *scheme = NULL;
	int r = -EINVAL;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK)
		goto out;
	r = host_is_loopback(host) ? 1 : 0;
	if (scheme_out) {
		*scheme_out = scheme;
		scheme = NULL;
	}
out:
	curl_free(host);
	curl_free(scheme);
	curl_url_cleanup(u);
	return r;
}

int mail_url_is_loopback(const char *url)
{
	return url_inspect(url, NULL);
}

struct reader {
	const char *data;
	size_t len, pos;
};

static size_t read_cb(char *dst, size_t size, size_t nmemb, void *userp)
{
	struct reader *rd = userp;
	size_t room = size * nmemb, n = rd->len - rd->pos;
	if (n > room)
		n = room;
	memcpy(dst, rd->data + rd->pos, n);
	rd->pos += n;
	return n;
}

/* Builds the easy handle's options; the caller keeps ownership of the
 * strings, which curl copies. */
static int setup_handle(CURL *c, const struct sspr_conf *conf, bool require_tls,
			const char *from_env, struct curl_slist *rcpt, struct reader *rd,
			const char *password, char *errbuf)
{
	long timeout = conf->smtp_timeout ? (long)conf->smtp_timeout : DEFAULT_SMTP_TIMEOUT;
	CURLcode e = CURLE_OK;
#define SET(opt, val)                                                                              \
	do {                                                                                       \
		if (e == CURLE_OK)                                                                 \
			e = curl_easy_setopt(c, opt, val);                                         \
	} while (0)
	SET(CURLOPT_ERRORBUFFER, errbuf);
	SET(CURLOPT_URL, conf->smtp_url);
	SET(CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	/* No alarm() or signal handlers inside a threaded daemon; with the
	 * threaded resolver (AsynchDNS) timeouts still cover name lookups. */
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT);
	SET(CURLOPT_TIMEOUT, timeout);
	SET(CURLOPT_MAIL_FROM, from_env);
	SET(CURLOPT_MAIL_RCPT, rcpt);
	SET(CURLOPT_READFUNCTION, read_cb);
	SET(CURLOPT_READDATA, rd);
	SET(CURLOPT_UPLOAD, 1L);
	SET(CURLOPT_INFILESIZE_LARGE, (curl_off_t)rd->len);
	if (require_tls) {
		/* _ALL, never _TRY: a man in the middle could strip STARTTLS
		 * from the EHLO reply and read the reset code. */
		SET(CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
		SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	}
	if (conf->smtp_username) {
		SET(CURLOPT_USERNAME, conf->smtp_username);
		SET(CURLOPT_PASSWORD, password);
	}
#undef SET
	if (e != CURLE_OK) {
		log_error("mail: cannot configure libcurl: %s", curl_easy_strerror(e));
		return -EINVAL;
	}
	return 0;
}

static struct privsep_secret smtp_password;

int mail_secret_load(const struct sspr_conf *conf)
{
	return privsep_secret_load(
	    &smtp_password, conf->smtp_username ? conf->smtp_password_file : NULL, PASSWORD_MAX);
}

void mail_secret_free(void)
{
	privsep_secret_free(&smtp_password);
}

/* The copy read at start when it is this file's, else the file itself
 * (a configuration that changed since, or no start at all: the tests). */
static int smtp_password_get(const char *path, const char **out, char **owned)
{
	*out = privsep_secret_get(&smtp_password, path);
	if (*out)
		return 0;
	int r = read_secret_file(path, PASSWORD_MAX, owned);
	*out = *owned;
	return r;
}

int mail_send(const struct sspr_conf *conf, const char *to, const char *subject, const char *body)
{
	if (!conf || !conf->smtp_url || !conf->mail_from)
		return -EINVAL;
	char *msg = NULL, *scheme = NULL, *owned = NULL;
	const char *password = NULL;
	size_t msg_len = 0;
	struct curl_slist *rcpt = NULL;
	CURL *c = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	char from_env[EMAIL_MAX + 3], rcpt_env[EMAIL_MAX + 3];
	struct reader rd = {0};

	int r = mail_format(conf->mail_from, to, subject, body, time(NULL), &msg, &msg_len);
	if (r < 0) {
		/* The address itself stays out of the log: it is user data
		 * and may be exactly what made the message invalid. */
		log_error("mail: cannot build message: %s", strerror(-r));
		goto out;
	}
	r = url_inspect(conf->smtp_url, &scheme);
	if (r < 0) {
		log_error("mail: smtp_url cannot be parsed");
		goto out;
	}
	bool loopback = r == 1;
	if (strcasecmp(scheme, "smtp") != 0 && strcasecmp(scheme, "smtps") != 0) {
		log_error("mail: smtp_url must use smtp:// or smtps://");
		r = -EINVAL;
		goto out;
	}
	/* smtps:// is TLS from the first byte; requiring it again is harmless
	 * and keeps one rule: everything that leaves this host is encrypted. */
	bool require_tls = !loopback || strcasecmp(scheme, "smtps") == 0;

	if (conf->smtp_username) {
		if (!conf->smtp_password_file) {
			log_error("mail: smtp_username is set but smtp_password_file is not");
			r = -EINVAL;
			goto out;
		}
		r = smtp_password_get(conf->smtp_password_file, &password, &owned);
		if (r < 0) {
			log_error("mail: cannot read smtp_password_file: %s", strerror(-r));
			goto out;
		}
	}

	/* Both addresses passed email_valid, so they fit. */
	snprintf(from_env, sizeof(from_env), "<%s>", conf->mail_from);
	snprintf(rcpt_env, sizeof(rcpt_env), "<%s>", to);
	r = -ENOMEM;
	rcpt = curl_slist_append(NULL, rcpt_env);
	c = curl_easy_init();
	if (!rcpt || !c)
		goto out;
	rd.data = msg;
	rd.len = msg_len;
	r = setup_handle(c, conf, require_tls, from_env, rcpt, &rd, password, errbuf);
	if (r < 0)
		goto out;
	CURLcode e = curl_easy_perform(c);
	if (e != CURLE_OK) {
		log_error("mail: delivery to a recipient at %s failed: %s", strchr(to, '@') + 1,
			  errbuf[0] ? errbuf : curl_easy_strerror(e));
		r = -EIO;
		goto out;
	}
	r = 0;
out:
	/* curl keeps its own copy of the password until cleanup and frees it
	 * without wiping; ours at least does not linger. */
	curl_easy_cleanup(c);
	curl_slist_free_all(rcpt);
	curl_free(scheme);
	secret_free(owned);
	if (msg) {
		secure_zero(msg, msg_len);
		free(msg);
	}
	return r;
}
