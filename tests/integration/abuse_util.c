/* The abuse suite's shared helpers: see abuse_util.h. */
#include <check.h>
#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/proto.h"
#include "common/util.h"
#include "common/validate.h"
#include "tests/integration/abuse_util.h"
#include "tests/integration/harness.h"

/* --- a PAM login with PAM_RHOST and PAM_TTY ----------------------------- */

void abuse_note(struct talk *t, const char *tag, const char *text)
{
	size_t n = strlen(t->transcript);
	snprintf(t->transcript + n, sizeof(t->transcript) - n, "%s%s\n", tag, text);
}

static const char *held_line(int fd, char *buf, size_t sz)
{
	size_t n = 0;
	for (; n + 1 < sz; n++) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, 30000) <= 0 || read(fd, buf + n, 1) != 1)
			return NULL;
		if (buf[n] == '\n')
			break;
	}
	buf[n] = '\0';
	return buf;
}

/* Tokens: "@CODE" the newest code mailed, "@HOLD" a line from hold_fd. */
static const char *talk_answer(struct talk *t, const char *token)
{
	static char buf[64];
	if (strcmp(token, "@HOLD") == 0)
		return held_line(t->hold_fd, buf, sizeof(buf));
	if (strcmp(token, "@CODE") == 0)
		return mail_code(0, buf) == 0 ? buf : NULL;
	return token;
}

static int talk_fn(int n, const struct pam_message **msg, struct pam_response **resp, void *ud)
{
	struct talk *t = ud;
	struct pam_response *r = calloc((size_t)n, sizeof(*r));
	if (!r)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++) {
		int style = msg[i]->msg_style;
		bool prompt = style == PAM_PROMPT_ECHO_ON || style == PAM_PROMPT_ECHO_OFF;
		abuse_note(t, prompt ? "P:" : style == PAM_ERROR_MSG ? "E:" : "I:", msg[i]->msg);
		if (!prompt)
			continue;
		const char *a = t->next < ARRAY_SIZE(t->answers) && t->answers[t->next]
				    ? talk_answer(t, t->answers[t->next++])
				    : NULL;
		if (!a) {
			abuse_note(t, "X:", "(no answer)");
			for (int j = 0; j < i; j++)
				free(r[j].resp);
			free(r);
			return PAM_CONV_ERR;
		}
		r[i].resp = strdup(a);
	}
	*resp = r;
	return PAM_SUCCESS;
}

int pam_talk(const char *user, const char *rhost, const char *tty, struct talk *t)
{
	int (*start)(const char *, const char *, const struct pam_conv *, pam_handle_t **);
	int (*set_item)(pam_handle_t *, int, const void *);
	int (*authenticate)(pam_handle_t *, int);
	int (*end)(pam_handle_t *, int);
	*(void **)&start = dlsym(RTLD_DEFAULT, "pam_start");
	*(void **)&set_item = dlsym(RTLD_DEFAULT, "pam_set_item");
	*(void **)&authenticate = dlsym(RTLD_DEFAULT, "pam_authenticate");
	*(void **)&end = dlsym(RTLD_DEFAULT, "pam_end");
	if (!start || !set_item || !authenticate || !end)
		return -1;
	struct pam_conv conv = {.conv = talk_fn, .appdata_ptr = t};
	pam_handle_t *h = NULL;
	if (start(SERVICE, user, &conv, &h) != PAM_SUCCESS)
		return -1;
	if ((rhost && set_item(h, PAM_RHOST, rhost) != PAM_SUCCESS) ||
	    (tty && set_item(h, PAM_TTY, tty) != PAM_SUCCESS)) {
		end(h, PAM_SYSTEM_ERR);
		return -1;
	}
	int r = authenticate(h, 0);
	end(h, r);
	return r;
}

/* --- what a transcript reveals; the log and the store ------------------ */

void abuse_reveal(const char *in, char *out, size_t outsz)
{
	size_t o = 0;
	while (*in && o + 16 < outsz) {
		size_t len = strcspn(in, " \n");
		if (len == 0) {
			out[o++] = *in++;
			continue;
		}
		if (memchr(in, '*', len))
			o += (size_t)snprintf(out + o, outsz - o, "<masked>");
		else if (o + len + 1 < outsz)
			o += (size_t)snprintf(out + o, outsz - o, "%.*s", (int)len, in);
		in += len;
	}
	out[o] = '\0';
}

const char *abuse_shown(const char *s)
{
	static char buf[4][80];
	static int i;
	char *b = buf[i++ % 4];
	sanitize_for_log(s, b, sizeof(buf[0]));
	return b;
}

void assert_log_clean(void)
{
	const char *log = slurp(run_path("ssprd.log"));
	unsigned n = 1;
	ck_assert_msg(log[0] != '\0', "empty ssprd.log");
	for (const char *line = log; *line; n++) {
		size_t len = strcspn(line, "\n");
		ck_assert_msg(strncmp(line, FORGED, 37) != 0, "ssprd.log line %u was forged: %.*s",
			      n, (int)len, line);
		for (size_t i = 0; i < len; i++)
			ck_assert_msg(line[i] >= 0x20 && line[i] < 0x7f,
				      "ssprd.log line %u, byte %zu is 0x%02x: %s", n, i,
				      (unsigned char)line[i], abuse_shown(line));
		line += len + (line[len] == '\n');
	}
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	*len = 0;
	if (!f)
		return NULL;
	size_t cap = 1 << 20;
	char *buf = malloc(cap);
	ck_assert_ptr_nonnull(buf);
	size_t k;
	while ((k = fread(buf + *len, 1, cap - *len, f)) > 0) {
		*len += k;
		if (*len == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			ck_assert_ptr_nonnull(buf);
		}
	}
	fclose(f);
	return buf;
}

void assert_store_clean(const char *const *raw)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *tables = NULL;
	ck_assert_int_eq(
	    sqlite3_open_v2(run_path("state/sspr.db"), &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	ck_assert_int_eq(sqlite3_prepare_v2(db,
					    "SELECT name FROM sqlite_master WHERE type = 'table'",
					    -1, &tables, NULL),
			 SQLITE_OK);
	while (sqlite3_step(tables) == SQLITE_ROW) {
		char sql[256];
		const char *table = (const char *)sqlite3_column_text(tables, 0);
		sqlite3_stmt *rows = NULL;
		snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\"", table);
		ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &rows, NULL), SQLITE_OK);
		while (sqlite3_step(rows) == SQLITE_ROW) {
			for (int c = 0; c < sqlite3_column_count(rows); c++) {
				if (sqlite3_column_type(rows, c) != SQLITE_TEXT)
					continue;
				const unsigned char *v = sqlite3_column_text(rows, c);
				int len = sqlite3_column_bytes(rows, c);
				for (int i = 0; i < len; i++)
					ck_assert_msg(v[i] >= 0x20 && v[i] != 0x7f,
						      "store %s.%s holds byte 0x%02x: %s", table,
						      sqlite3_column_name(rows, c), v[i],
						      abuse_shown((const char *)v));
			}
		}
		sqlite3_finalize(rows);
	}
	sqlite3_finalize(tables);
	sqlite3_close(db);
	static const char *const files[] = {"state/sspr.db", "state/sspr.db-wal",
					    "state/sspr.db-journal"};
	for (size_t f = 0; f < ARRAY_SIZE(files); f++) {
		size_t len;
		char *b = read_all(run_path(files[f]), &len);
		for (size_t i = 0; b && raw[i]; i++)
			ck_assert_msg(memmem(b, len, raw[i], strlen(raw[i])) == NULL,
				      "%s holds the raw \"%s\"", files[f], abuse_shown(raw[i]));
		free(b);
	}
}

void full_reset(const char *user)
{
	struct convo c = {.answers = {"", "y", "1", "@CODE", NEW_PASSWORD, NEW_PASSWORD, ""}};
	ck_assert_int_eq(pam_run(SERVICE, user, &c), PAM_AUTH_ERR);
	assert_has(&c, "P:Your password has been reset.");
	assert_password(user, NEW_PASSWORD, true);
}

/* --- the protocol spoken directly --------------------------------------- */

int raw_connect(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", run_path("ssprd.sock"));
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return -e;
	}
	return fd;
}

void send_bytes(int fd, const void *buf, size_t len)
{
	ssize_t k = send(fd, buf, len, MSG_NOSIGNAL);
	(void)k;
}

size_t raw_frame(uint8_t *buf, size_t bufsz, unsigned type, unsigned n, const char *const *f,
		 const size_t *len)
{
	size_t off = PROTO_HEADER_SIZE;
	for (unsigned i = 0; i < n; i++) {
		size_t l = len ? len[i] : strlen(f[i]);
		ck_assert_uint_le(off + 2 + l, bufsz);
		buf[off++] = (uint8_t)(l >> 8);
		buf[off++] = (uint8_t)l;
		memcpy(buf + off, f[i], l);
		off += l;
	}
	size_t body = off - PROTO_HEADER_SIZE;
	const uint8_t hdr[PROTO_HEADER_SIZE] = {
	    PROTO_MAGIC0,	   PROTO_MAGIC1,	  PROTO_VERSION,	(uint8_t)type,
	    (uint8_t)(body >> 24), (uint8_t)(body >> 16), (uint8_t)(body >> 8), (uint8_t)body};
	memcpy(buf, hdr, sizeof(hdr));
	return off;
}

struct drained abuse_drain(int fd, int ms)
{
	static uint8_t buf[1 << 16];
	struct drained d = {0};
	size_t got = 0;
	int64_t deadline = now_ms() + ms;
	while (got < sizeof(buf)) {
		int left = (int)(deadline - now_ms());
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (left <= 0 || poll(&p, 1, left) <= 0)
			break;
		ssize_t k = recv(fd, buf + got, sizeof(buf) - got, MSG_DONTWAIT);
		if (k < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (k <= 0) {
			d.closed = true;
			break;
		}
		got += (size_t)k;
	}
	for (size_t off = 0; off + PROTO_HEADER_SIZE <= got;) {
		const uint8_t *h = buf + off;
		size_t len = (size_t)h[4] << 24 | (size_t)h[5] << 16 | (size_t)h[6] << 8 | h[7];
		if (off + PROTO_HEADER_SIZE + len > got)
			break;
		if (d.frames < ARRAY_SIZE(d.types))
			d.types[d.frames] = h[3];
		if (h[3] == PROTO_END && len >= 3)
			d.end = (char)h[PROTO_HEADER_SIZE + 2];
		d.frames++;
		off += PROTO_HEADER_SIZE + len;
	}
	return d;
}

void assert_dropped(int fd, int ms, const char *what)
{
	struct drained d = abuse_drain(fd, ms);
	ck_assert_msg(d.closed, "%s: connection still open after %d ms", what, ms);
	for (unsigned i = 0; i < d.frames && i < ARRAY_SIZE(d.types); i++)
		ck_assert_msg(d.types[i] == PROTO_END || d.types[i] == PROTO_ERROR,
			      "%s: the daemon answered with %s", what,
			      proto_type_name((enum proto_type)d.types[i]));
	close(fd);
}
