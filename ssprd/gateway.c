#include "ssprd/gateway.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <sodium.h>

#include "common/log.h"
#include "common/phone.h"
#include "common/util.h"
#include "ssprd/gateway_body.h"
#include "ssprd/mail.h"
#include "ssprd/privsep_secret.h"

#define AUTH_MAX	 1024
#define RESPONSE_MAX	 (64 * 1024)
#define CODE_MAX	 16
#define SMS_TEXT_MAX	 1600 /* Twilio's limit for Body */
#define URL_MAX		 1024
#define TWIML_MAX	 4000 /* Twilio's limit for Twiml */
#define TWILIO_FORM_MAX	 (16 * 1024)
#define CONNECT_TIMEOUT	 5U
#define DEFAULT_TIMEOUT	 10U
#define BACKOFF_FIRST_MS 200

/* One POST, tried up to 1 + gw_retries times. */
struct request {
	const char *what; /* "text message" or "call", for the log */
	char masked[32];  /* the number as the log shows it */
	const char *url;
	const char *body;
	size_t body_len;
	const char *content_type;
	const char *username, *password; /* HTTP Basic (twilio) */
	const char *authorization;	 /* header value (http provider) */
};

/* https:// anywhere; http:// only to this host, since the request carries
 * the auth token and the code. 1 for loopback http, 0 https, -EINVAL. */
static int url_check(const char *key, const char *url)
{
	int r = -EINVAL;
	char *scheme = NULL;
	CURLU *u = url ? curl_url() : NULL;
	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK) {
		if (strcasecmp(scheme, "https") == 0)
			r = 0;
		else if (strcasecmp(scheme, "http") == 0 && mail_url_is_loopback(url) == 1)
			r = 1;
	}
	curl_free(scheme);
	curl_url_cleanup(u);
	if (r < 0)
		log_error("gateway: %s must be an https:// URL (http:// only to loopback)", key);
	return r;
}

static struct privsep_secret gw_auth;

int gateway_secret_load(const struct sspr_conf *conf)
{
	return privsep_secret_load(&gw_auth, conf->gw_auth_file, AUTH_MAX);
}

void gateway_secret_free(void)
{
	privsep_secret_free(&gw_auth);
}

/* First line of the auth file, which must be printable: from the copy read
 * at start when it is this file's, else from the file. */
static int read_auth(const struct sspr_conf *conf, char **out)
{
	char *s = NULL;
	const char *held = privsep_secret_get(&gw_auth, conf->gw_auth_file);
	int r = held		     ? strdup_bounded(held, AUTH_MAX, &s)
		: conf->gw_auth_file ? read_secret_file(conf->gw_auth_file, AUTH_MAX, &s)
				     : -ENOENT;
	if (r < 0) {
		log_error("gateway: cannot read auth_file: %s", strerror(-r));
		return -EINVAL;
	}
	s[strcspn(s, "\r\n")] = '\0';
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			r = -EINVAL;
	if (r < 0 || !*s) {
		log_error(
		    "gateway: the first line of auth_file is empty or has control characters");
		secret_free(s);
		return -EINVAL;
	}
	*out = s;
	return 0;
}

static size_t discard_cb(char *data, size_t size, size_t nmemb, void *userp)
{
	(void)data;
	size_t *seen = userp, n = size * nmemb;
	if (n > RESPONSE_MAX - *seen)
		return 0; /* aborts the transfer: a gateway has no reason to say this much */
	*seen += n;
	return n;
}

static bool curl_error_retryable(CURLcode e)
{
	switch (e) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_SSL_CONNECT_ERROR:
		return true;
	default:
		return false;
	}
}

static int setup_handle(CURL *c, const struct sspr_conf *conf, const struct request *rq,
			bool loopback_http, struct curl_slist *headers, size_t *seen, char *errbuf)
{
	long timeout = conf->gw_timeout ? conf->gw_timeout : DEFAULT_TIMEOUT;
	CURLcode e = CURLE_OK;
#define SET(opt, val)                                                                              \
	do {                                                                                       \
		if (e == CURLE_OK)                                                                 \
			e = curl_easy_setopt(c, opt, val);                                         \
	} while (0)
	SET(CURLOPT_ERRORBUFFER, errbuf);
	SET(CURLOPT_URL, rq->url);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	/* No alarm() in a threaded daemon; the threaded resolver keeps name
	 * lookups under the timeouts. */
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_TIMEOUT, timeout);
	SET(CURLOPT_CONNECTTIMEOUT,
	    timeout < (long)CONNECT_TIMEOUT ? timeout : (long)CONNECT_TIMEOUT);
	/* A proxy from the environment would see the token in clear text. */
	if (loopback_http)
		SET(CURLOPT_NOPROXY, "*");
	/* POSTFIELDS, not COPYPOSTFIELDS: curl must not keep a copy of the
	 * code that nobody wipes. */
	SET(CURLOPT_POST, 1L);
	SET(CURLOPT_POSTFIELDS, rq->body);
	SET(CURLOPT_POSTFIELDSIZE, (long)rq->body_len);
	SET(CURLOPT_HTTPHEADER, headers);
	SET(CURLOPT_WRITEFUNCTION, discard_cb);
	SET(CURLOPT_WRITEDATA, seen);
	if (rq->username) {
		SET(CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		SET(CURLOPT_USERNAME, rq->username);
		SET(CURLOPT_PASSWORD, rq->password);
	}
#undef SET
	return e == CURLE_OK ? 0 : -ENOMEM;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void headers_free(struct curl_slist *h)
{
	for (struct curl_slist *p = h; p; p = p->next)
		sodium_memzero(p->data, strlen(p->data));
	curl_slist_free_all(h);
}

static int http_post(const struct sspr_conf *conf, const struct request *rq, bool loopback_http)
{
	char hdr[AUTH_MAX + 32], errbuf[CURL_ERROR_SIZE];
	struct curl_slist *headers = NULL, *h;
	int r = -ENOMEM;
	CURL *c = curl_easy_init();
	if (!c)
		goto out;
	snprintf(hdr, sizeof(hdr), "Content-Type: %s", rq->content_type);
	/* "Expect:" turns off 100-continue, which would cost a second per
	 * request with servers that never answer it. */
	if (!(h = curl_slist_append(headers, hdr)) || !(headers = h) ||
	    !(h = curl_slist_append(headers, "Expect:")))
		goto out;
	headers = h;
	if (rq->authorization) {
		snprintf(hdr, sizeof(hdr), "Authorization: %s", rq->authorization);
		h = curl_slist_append(headers, hdr);
		sodium_memzero(hdr, sizeof(hdr));
		if (!h)
			goto out;
		headers = h;
	}
	unsigned attempts = conf->gw_retries + 1;
	for (unsigned i = 0; i < attempts; i++) {
		if (i > 0)
			sleep_ms(BACKOFF_FIRST_MS << (i - 1));
		size_t seen = 0;
		long status = 0;
		errbuf[0] = '\0';
		r = setup_handle(c, conf, rq, loopback_http, headers, &seen, errbuf);
		if (r < 0)
			goto out;
		CURLcode e = curl_easy_perform(c);
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		/* Once the gateway has answered, its status decides, even if
		 * the response body then failed: a message taken must not be
		 * sent twice. */
		if (status >= 200 && status < 300) {
			r = 0;
			goto out;
		}
		bool retry = status ? status == 429 || status >= 500 : curl_error_retryable(e);
		if (status)
			log_warning("gateway: %s to %s, attempt %u of %u: HTTP status %ld",
				    rq->what, rq->masked, i + 1, attempts, status);
		else
			log_warning("gateway: %s to %s, attempt %u of %u: %s", rq->what, rq->masked,
				    i + 1, attempts, errbuf[0] ? errbuf : curl_easy_strerror(e));
		if (!retry)
			break;
	}
	log_error("gateway: %s to %s failed", rq->what, rq->masked);
	r = -EIO;
out:
	headers_free(headers);
	curl_easy_cleanup(c);
	return r;
}

/* The number first, before anything is read or built. */
static int check_number(const struct sspr_conf *conf, const char *to, struct request *rq)
{
	if (!phone_valid(to)) {
		log_warning("gateway: refusing a %s to a number that is not E.164", rq->what);
		return -EPERM;
	}
	phone_mask(to, rq->masked, sizeof(rq->masked));
	if (!phone_prefix_allowed(to, conf->gw_allowed_prefixes)) {
		log_warning("gateway: %s to %s refused by allowed_prefixes", rq->what, rq->masked);
		return -EPERM;
	}
	return 0;
}

/* Twilio's endpoint for kind ("Messages" or "Calls"). */
static int twilio_url(const struct sspr_conf *conf, const char *kind, char *url, size_t urlsz)
{
	const char *sid = conf->gw_account_sid, *base = conf->gw_url;
	if (!sid || !*sid ||
	    strspn(sid, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			"0123456789") != strlen(sid) ||
	    !phone_valid(conf->gw_from) || !base) {
		log_error("gateway: twilio needs account_sid (letters and digits) and from");
		return -EINVAL;
	}
	size_t n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	int k =
	    snprintf(url, urlsz, "%.*s/2010-04-01/Accounts/%s/%s.json", (int)n, base, sid, kind);
	return k > 0 && (size_t)k < urlsz ? url_check("url", url) : -EINVAL;
}

/* Sends body (with the provider's auth) and wipes it. */
static int send_body(const struct sspr_conf *conf, struct request *rq, struct gwbuf *body,
		     int loopback)
{
	char *auth = NULL;
	int r = body->overflow ? -EINVAL : loopback;
	if (r >= 0)
		r = read_auth(conf, &auth);
	if (r >= 0) {
		rq->body = body->data;
		rq->body_len = body->len;
		if (conf->gw_provider == GATEWAY_TWILIO) {
			rq->content_type = "application/x-www-form-urlencoded";
			rq->username = conf->gw_account_sid;
			rq->password = auth;
		} else {
			rq->content_type = conf->gw_body_format == BODY_JSON
					       ? "application/json"
					       : "application/x-www-form-urlencoded";
			rq->authorization = auth;
		}
		r = http_post(conf, rq, loopback == 1);
	}
	secret_free(auth);
	gwbuf_wipe(body);
	return r;
}

/* An http provider request from its template and URL. */
static int send_template(const struct sspr_conf *conf, struct request *rq, const char *url_key,
			 const char *url, const char *tmpl, const struct gwvars *v)
{
	struct gwbuf body;
	int r = gateway_body_expand(tmpl, conf->gw_body_format, v, &body);
	if (r < 0)
		log_error("gateway: the %s template has an unknown {name} or grows past %d bytes",
			  url_key[0] == 's' ? "sms_body" : "call_body", GATEWAY_BODY_MAX);
	int lo = r < 0 ? r : url_check(url_key, url);
	if (lo < 0) {
		gwbuf_wipe(&body);
		return lo;
	}
	rq->url = url;
	return send_body(conf, rq, &body, lo);
}

int gateway_send_sms(const struct sspr_conf *conf, const char *to, const char *text)
{
	struct request rq = {.what = "text message"};
	if (!conf)
		return -EINVAL;
	int r = check_number(conf, to, &rq);
	if (r < 0)
		return r;
	if (!text || !utf8_text_valid(text, strlen(text), SMS_TEXT_MAX, "\n"))
		return -EINVAL;
	if (conf->gw_provider == GATEWAY_HTTP) {
		struct gwvars v = {.to = to, .text = text};
		return send_template(conf, &rq, "sms_url", conf->gw_sms_url, conf->gw_sms_body, &v);
	}
	char url[URL_MAX];
	int lo = twilio_url(conf, "Messages", url, sizeof(url));
	if (lo < 0)
		return lo;
	struct gwbuf body;
	if ((r = gwbuf_init(&body, TWILIO_FORM_MAX)) < 0)
		return r;
	gwbuf_puts(&body, "To=");
	gwbuf_escape(&body, GWESC_FORM, to);
	gwbuf_puts(&body, "&From=");
	gwbuf_escape(&body, GWESC_FORM, conf->gw_from);
	gwbuf_puts(&body, "&Body=");
	gwbuf_escape(&body, GWESC_FORM, text);
	rq.url = url;
	return send_body(conf, &rq, &body, lo);
}

static int call_twilio(const struct sspr_conf *conf, const struct gateway_call *call,
		       const char *org, struct request *rq)
{
	char url[URL_MAX];
	int lo = twilio_url(conf, "Calls", url, sizeof(url));
	if (lo < 0)
		return lo;
	/* Twilio fetches the echo URL, with the code in it. */
	if (call->mode == VOICE_SPEAK_CODE && url_check("voice echo_url", conf->voice_echo_url) < 0)
		return -EINVAL;
	struct gwbuf twiml = {0}, body = {0};
	int r = gwbuf_init(&twiml, TWIML_MAX);
	if (r >= 0)
		r = gwbuf_init(&body, TWILIO_FORM_MAX);
	if (r >= 0)
		r = gateway_twiml(conf->voice_echo_url, call, org, &twiml);
	if (r < 0) {
		gwbuf_wipe(&twiml);
		gwbuf_wipe(&body);
		return r;
	}
	gwbuf_puts(&body, "To=");
	gwbuf_escape(&body, GWESC_FORM, call->to);
	gwbuf_puts(&body, "&From=");
	gwbuf_escape(&body, GWESC_FORM, conf->gw_from);
	gwbuf_puts(&body, "&Twiml=");
	gwbuf_escape(&body, GWESC_FORM, twiml.data);
	gwbuf_wipe(&twiml);
	rq->url = url;
	return send_body(conf, rq, &body, lo);
}

int gateway_place_call(const struct sspr_conf *conf, const struct gateway_call *call)
{
	struct request rq = {.what = "call"};
	if (!conf || !call)
		return -EINVAL;
	int r = check_number(conf, call->to, &rq);
	if (r < 0)
		return r;
	bool speak = call->mode == VOICE_SPEAK_CODE;
	size_t codelen = call->code ? strlen(call->code) : 0;
	if (speak
		? codelen == 0 || codelen > CODE_MAX || strspn(call->code, "0123456789") != codelen
		: !call->callback || !*call->callback || strlen(call->callback) > URL_MAX / 2)
		return -EINVAL;
	char org[GATEWAY_ORG_MAX + 1];
	if (gateway_spoken_org(conf, call, org, sizeof(org)) < 0) {
		log_error("gateway: the organisation name cannot be spoken");
		return -EINVAL;
	}
	if (conf->gw_provider == GATEWAY_TWILIO)
		return call_twilio(conf, call, org, &rq);

	struct gwbuf text;
	if ((r = gwbuf_init(&text, 1024)) < 0)
		return r;
	gateway_call_text(&text, org, call, true);
	struct gwvars v = {.to = call->to,
			   .text = text.data,
			   .code = speak ? call->code : "",
			   .callback = speak ? "" : call->callback,
			   .mode = speak ? "speak_code" : "press_pound"};
	r = send_template(conf, &rq, "call_url", conf->gw_call_url, conf->gw_call_body, &v);
	gwbuf_wipe(&text);
	return r;
}
