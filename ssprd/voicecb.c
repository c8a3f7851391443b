#include "ssprd/voicecb.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <sodium.h>

#include "common/log.h"
#include "common/util.h"
#include "ssprd/voicecb_sig.h"

#define VOICECB_MAX_TOKENS 256
#define VOICECB_BODY_MAX   4096
/* A chunked body beyond the limit is read and dropped up to here so the
 * provider still gets its 413; past it the connection is simply closed. */
#define VOICECB_DISCARD_MAX (64 * 1024)
#define VOICECB_MAX_PARAMS  128
#define VOICECB_BASE_MAX    512
#define VOICECB_KEY_MAX	    4096
/* MHD has deprecated PAYLOAD_TOO_LARGE for CONTENT_TOO_LARGE, which older
 * releases lack. */
#define HTTP_TOO_LARGE 413

enum voicecb_state { SLOT_FREE, SLOT_PENDING, SLOT_CONFIRMED, SLOT_DECLINED };

struct voicecb_slot {
	enum voicecb_state state;
	char token[VOICECB_TOKEN_LEN];
};

struct voicecb {
	struct MHD_Daemon *mhd;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	enum gateway_provider provider;
	unsigned char *key; /* sodium_malloc'd */
	size_t keylen;
	char base[VOICECB_BASE_MAX]; /* callback_url without trailing '/' */
	const char *path;	     /* its path part, inside base */
	struct voicecb_slot slots[VOICECB_MAX_TOKENS];
};

struct voicecb_req {
	char token[VOICECB_TOKEN_LEN + 1];
	size_t len, dropped;
	char body[VOICECB_BODY_MAX + 1];
};

static const char twiml_ok[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Say>Thank "
			       "you. You can go back to your screen.</Say></Response>";
static const char twiml_declined[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Say>"
    "The password reset was not confirmed. Goodbye.</Say></Response>";

static bool token_valid(const char *t)
{
	for (size_t i = 0; i < VOICECB_TOKEN_LEN; i++)
		if (!((t[i] >= '0' && t[i] <= '9') || (t[i] >= 'a' && t[i] <= 'f')))
			return false;
	return t[VOICECB_TOKEN_LEN] == '\0';
}

/* Every live slot is compared in full, so the time taken says nothing about
 * how close a guess came. Called with the lock held. */
static int slot_find(struct voicecb *cb, const char *token)
{
	int found = -1;
	for (int i = 0; i < VOICECB_MAX_TOKENS; i++)
		if (cb->slots[i].state != SLOT_FREE &&
		    sodium_memcmp(cb->slots[i].token, token, VOICECB_TOKEN_LEN) == 0)
			found = i;
	return found;
}

static void slot_clear(struct voicecb_slot *s)
{
	sodium_memzero(s, sizeof(*s));
	s->state = SLOT_FREE;
}

/* --- requests ------------------------------------------------------------ */

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status, const char *text)
{
	bool xml = text[0] == '<';
	struct MHD_Response *r =
	    MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				xml ? "text/xml" : "text/plain; charset=utf-8");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, MHD_HTTP_METHOD_POST);
	enum MHD_Result ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static void peer_name(struct MHD_Connection *conn, char *out, size_t outsz)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	snprintf(out, outsz, "?");
	if (!ci || !ci->client_addr)
		return;
	socklen_t sl = ci->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
							      : sizeof(struct sockaddr_in);
	char host[NI_MAXHOST];
	if (getnameinfo(ci->client_addr, sl, host, sizeof(host), NULL, 0, NI_NUMERICHOST) == 0)
		snprintf(out, outsz, "%s", host);
}

static enum MHD_Result finish(struct voicecb *cb, struct MHD_Connection *conn,
			      struct voicecb_req *req)
{
	char url[VOICECB_BASE_MAX + VOICECB_TOKEN_LEN + 2], peer[NI_MAXHOST];
	struct voicecb_param p[VOICECB_MAX_PARAMS];
	bool twilio = cb->provider == GATEWAY_TWILIO, ok = false;
	const char *sig = MHD_lookup_connection_value(
	    conn, MHD_HEADER_KIND, twilio ? "X-Twilio-Signature" : "X-Sspr-Signature");
	snprintf(url, sizeof(url), "%s/%s", cb->base, req->token);
	req->body[req->len] = '\0';
	if (strlen(req->body) != req->len)
		return reply(conn, MHD_HTTP_BAD_REQUEST, "bad body\n");
	if (!twilio)
		ok = voicecb_http_sig_ok(cb->key, cb->keylen, url, req->body, req->len, sig);
	int n = voicecb_form_parse(req->body, p, VOICECB_MAX_PARAMS);
	if (twilio)
		ok = n >= 0 && voicecb_twilio_sig_ok(cb->key, cb->keylen, url, p, (size_t)n, sig);
	secure_zero(url, sizeof(url));
	if (!ok) {
		peer_name(conn, peer, sizeof(peer));
		log_warning("voice callback from %s: %s signature", peer, sig ? "bad" : "missing");
		return reply(conn, MHD_HTTP_FORBIDDEN, "forbidden\n");
	}
	const char *digits = NULL;
	for (int i = 0; i < n; i++)
		if (strcmp(p[i].name, twilio ? "Digits" : "digits") == 0)
			digits = p[i].value;
	if (n < 0 || !digits)
		return reply(conn, MHD_HTTP_BAD_REQUEST, "no digits\n");
	bool confirmed = strcmp(digits, "#") == 0;

	pthread_mutex_lock(&cb->lock);
	int i = slot_find(cb, req->token);
	/* The first report decides; a repeated one changes nothing. */
	if (i >= 0 && cb->slots[i].state == SLOT_PENDING) {
		cb->slots[i].state = confirmed ? SLOT_CONFIRMED : SLOT_DECLINED;
		pthread_cond_broadcast(&cb->cond);
	}
	pthread_mutex_unlock(&cb->lock);
	if (i < 0)
		return reply(conn, MHD_HTTP_NOT_FOUND, "not found\n");
	return reply(conn, MHD_HTTP_OK, confirmed ? twiml_ok : twiml_declined);
}

/* MHD calls this once with the headers, once per body chunk, and once at
 * the end; *con_cls carries the request between the calls. */
static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload_data,
			      size_t *upload_data_size, void **con_cls)
{
	struct voicecb *cb = cls;
	struct voicecb_req *req = *con_cls;
	(void)version;
	if (!req) {
		if (strcmp(method, MHD_HTTP_METHOD_POST) != 0)
			return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n");
		req = calloc(1, sizeof(*req));
		if (!req)
			return MHD_NO;
		*con_cls = req;
		size_t plen = strlen(cb->path);
		if (strncmp(url, cb->path, plen) != 0 || url[plen] != '/' ||
		    !token_valid(url + plen + 1))
			return reply(conn, MHD_HTTP_NOT_FOUND, "not found\n");
		memcpy(req->token, url + plen + 1, VOICECB_TOKEN_LEN + 1);
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							     MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > VOICECB_BODY_MAX)
			return reply(conn, HTTP_TOO_LARGE, "too large\n");
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		size_t n = *upload_data_size;
		*upload_data_size = 0;
		if (req->dropped == 0 && n <= VOICECB_BODY_MAX - req->len) {
			memcpy(req->body + req->len, upload_data, n);
			req->len += n;
			return MHD_YES;
		}
		req->dropped += n;
		return req->dropped > VOICECB_DISCARD_MAX ? MHD_NO : MHD_YES;
	}
	if (req->dropped > 0)
		return reply(conn, HTTP_TOO_LARGE, "too large\n");
	return finish(cb, conn, req);
}

static void request_done(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode why)
{
	(void)cls;
	(void)conn;
	(void)why;
	struct voicecb_req *req = *con_cls;
	if (req) {
		secure_zero(req, sizeof(*req));
		free(req);
		*con_cls = NULL;
	}
}

/* Keep the raw path: the token and the configured path are compared as the
 * provider was given them. */
static size_t unescape_none(void *cls, struct MHD_Connection *conn, char *s)
{
	(void)cls;
	(void)conn;
	return strlen(s);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char buf[512];
	(void)cls;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	buf[strcspn(buf, "\r\n")] = '\0';
	log_warning("voice callback server: %s", buf);
}

/* --- start and stop ------------------------------------------------------ */

static int listen_on(const char *spec, int *out)
{
	char host[256];
	const char *colon = strrchr(spec, ':');
	if (!colon || (size_t)(colon - spec) >= sizeof(host))
		return -EINVAL;
	const char *h = spec;
	size_t hl = (size_t)(colon - spec);
	if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
		h++;
		hl -= 2;
	}
	memcpy(host, h, hl);
	host[hl] = '\0';
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
	struct addrinfo *ai = NULL;
	if (getaddrinfo(host, colon + 1, &hints, &ai) != 0)
		return -EADDRNOTAVAIL;
	int r = -EADDRNOTAVAIL;
	for (struct addrinfo *a = ai; a; a = a->ai_next) {
		int fd = socket(a->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd < 0) {
			r = -errno;
			continue;
		}
		int one = 1;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (a->ai_family == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, 64) == 0) {
			*out = fd;
			r = 0;
			break;
		}
		r = -errno;
		close(fd);
	}
	freeaddrinfo(ai);
	return r;
}

static int load_key(struct voicecb *cb, const char *path)
{
	char *s = NULL;
	if (!path)
		return -EINVAL;
	int r = read_secret_file(path, VOICECB_KEY_MAX, &s);
	if (r < 0)
		return r;
	cb->keylen = strcspn(s, "\r\n");
	cb->key = cb->keylen ? sodium_malloc(cb->keylen) : NULL;
	if (cb->key)
		memcpy(cb->key, s, cb->keylen);
	secret_free(s);
	return cb->key ? 0 : cb->keylen ? -ENOMEM : -EINVAL;
}

/* The base must take "/<token>" as it is: no query or fragment. */
static int set_base(struct voicecb *cb, const char *url)
{
	const char *host = url ? strstr(url, "://") : NULL;
	if (!host || strpbrk(url, "?#") || strlen(url) >= sizeof(cb->base))
		return -EINVAL;
	size_t n = strlen(url);
	while (n > 0 && url[n - 1] == '/')
		n--;
	memcpy(cb->base, url, n);
	cb->base[n] = '\0';
	const char *path = strchr(cb->base + (host - url) + 3, '/');
	cb->path = path ? path : cb->base + n;
	return 0;
}

int voicecb_start(const struct sspr_conf *conf, struct voicecb **out)
{
	int fd = -1, r;
	pthread_condattr_t ca;
	if (sodium_init() < 0)
		return -EIO;
	struct voicecb *cb = calloc(1, sizeof(*cb));
	if (!cb)
		return -ENOMEM;
	cb->provider = conf->gw_provider;
	pthread_mutex_init(&cb->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&cb->cond, &ca);
	pthread_condattr_destroy(&ca);
	r = set_base(cb, conf->voice_callback_url);
	if (r < 0) {
		log_error("voice callback_url must be http(s)://host[/path]");
		goto fail;
	}
	r = load_key(cb, conf->gw_auth_file);
	if (r < 0) {
		log_error("voice callbacks: cannot read the key from auth_file: %s", strerror(-r));
		goto fail;
	}
	r = conf->voice_listen ? listen_on(conf->voice_listen, &fd) : -EINVAL;
	if (r < 0) {
		log_error("voice callbacks: cannot listen on %s: %s",
			  conf->voice_listen ? conf->voice_listen : "(unset)", strerror(-r));
		goto fail;
	}
	cb->mhd = MHD_start_daemon(
	    MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
	    handle, cb, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_LISTEN_SOCKET, fd,
	    MHD_OPTION_CONNECTION_LIMIT, 64u, MHD_OPTION_PER_IP_CONNECTION_LIMIT, 16u,
	    MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16384,
	    MHD_OPTION_NOTIFY_COMPLETED, request_done, NULL, MHD_OPTION_UNESCAPE_CALLBACK,
	    unescape_none, NULL, MHD_OPTION_END);
	if (!cb->mhd) {
		close(fd);
		log_error("voice callbacks: cannot start the HTTP server on %s",
			  conf->voice_listen);
		r = -EIO;
		goto fail;
	}
	*out = cb;
	return 0;
fail:
	voicecb_stop(cb);
	return r;
}

void voicecb_stop(struct voicecb *cb)
{
	if (!cb)
		return;
	/* Stops the thread and closes the listening socket. */
	if (cb->mhd)
		MHD_stop_daemon(cb->mhd);
	sodium_free(cb->key);
	pthread_cond_destroy(&cb->cond);
	pthread_mutex_destroy(&cb->lock);
	sodium_memzero(cb->slots, sizeof(cb->slots));
	free(cb);
}

/* --- registry ------------------------------------------------------------ */

int voicecb_expect(struct voicecb *cb, char token[VOICECB_TOKEN_LEN + 1], char *url, size_t urlsz)
{
	unsigned char raw[VOICECB_TOKEN_LEN / 2];
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(token, VOICECB_TOKEN_LEN + 1, raw, sizeof(raw));
	sodium_memzero(raw, sizeof(raw));
	int n = snprintf(url, urlsz, "%s/%s", cb->base, token);
	if (n < 0 || (size_t)n >= urlsz) {
		sodium_memzero(url, urlsz);
		sodium_memzero(token, VOICECB_TOKEN_LEN + 1);
		return -ENOBUFS;
	}
	int r = -EBUSY;
	pthread_mutex_lock(&cb->lock);
	for (int i = 0; i < VOICECB_MAX_TOKENS; i++) {
		if (cb->slots[i].state == SLOT_FREE) {
			cb->slots[i].state = SLOT_PENDING;
			memcpy(cb->slots[i].token, token, VOICECB_TOKEN_LEN);
			r = 0;
			break;
		}
	}
	pthread_mutex_unlock(&cb->lock);
	if (r < 0) {
		sodium_memzero(url, urlsz);
		sodium_memzero(token, VOICECB_TOKEN_LEN + 1);
	}
	return r;
}

int voicecb_wait(struct voicecb *cb, const char *token, int64_t deadline_ms)
{
	if (!token || strnlen(token, VOICECB_TOKEN_LEN + 1) != VOICECB_TOKEN_LEN)
		return -ENOENT;
	if (deadline_ms < 0)
		deadline_ms = 0;
	struct timespec ts = {.tv_sec = deadline_ms / 1000,
			      .tv_nsec = (long)(deadline_ms % 1000) * 1000000};
	bool expired = false;
	int r;
	pthread_mutex_lock(&cb->lock);
	for (;;) {
		int i = slot_find(cb, token);
		if (i < 0) {
			r = -ENOENT;
			break;
		}
		if (cb->slots[i].state != SLOT_PENDING) {
			r = cb->slots[i].state == SLOT_CONFIRMED ? 0 : -EACCES;
			break;
		}
		if (expired || now_ms() >= deadline_ms) {
			r = -ETIMEDOUT;
			break;
		}
		expired = pthread_cond_timedwait(&cb->cond, &cb->lock, &ts) == ETIMEDOUT;
	}
	pthread_mutex_unlock(&cb->lock);
	return r;
}

void voicecb_forget(struct voicecb *cb, const char *token)
{
	if (!cb || !token || strnlen(token, VOICECB_TOKEN_LEN + 1) != VOICECB_TOKEN_LEN)
		return;
	pthread_mutex_lock(&cb->lock);
	int i = slot_find(cb, token);
	if (i >= 0) {
		slot_clear(&cb->slots[i]);
		/* A waiter on it returns -ENOENT rather than sleeping on. */
		pthread_cond_broadcast(&cb->cond);
	}
	pthread_mutex_unlock(&cb->lock);
}
