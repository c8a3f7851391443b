/* The message itself: RFC 5322 headers, RFC 2047 encoded-words for a
 * subject that is not ASCII, and a MIME text/plain body in UTF-8 that is
 * 7-bit clean on the wire (quoted-printable when it is not ASCII). */
#include "ssprd/mail.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/util.h"
#include "common/validate.h"

#define MAIL_MAX    (64 * 1024)
#define SUBJECT_MAX 512
#define BODY_MAX    (48 * 1024)
/* RFC 5322 2.1.1: at most 998 characters per line, excluding CRLF. */
#define LINE_MAX_OCTETS 998
/* RFC 2047: an encoded-word is at most 75 characters. "=?UTF-8?B?" and "?="
 * leave 63, i.e. 15 base64 quanta of 3 input bytes each. */
#define EW_PREFIX  "=?UTF-8?B?"
#define EW_RAW_MAX 45
/* The first encoded-word shares its line with "Subject: ": 39 bytes make
 * 52 base64 characters, 73 on the line with the tag. */
#define EW_RAW_FIRST 39
/* RFC 2045 6.7: quoted-printable lines at most 76 characters, the soft
 * line break "=" included. */
#define QP_LINE_MAX 76

struct buf {
	char *data;
	size_t len, cap;
};

static int buf_append(struct buf *b, const char *s, size_t n)
{
	if (n > MAIL_MAX - b->len)
		return -E2BIG;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *d = malloc(cap);
		if (!d)
			return -ENOMEM;
		/* Copy rather than realloc so the old block, which holds the
		 * code in the body, can be wiped before it is freed. */
		if (b->data) {
			memcpy(d, b->data, b->len);
			secure_zero(b->data, b->cap);
			free(b->data);
		}
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

static int buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

static int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int buf_printf(struct buf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -E2BIG;
	return buf_append(b, tmp, (size_t)n);
}

static void buf_wipe(struct buf *b)
{
	if (b->data) {
		secure_zero(b->data, b->cap);
		free(b->data);
	}
	b->data = NULL;
	b->len = b->cap = 0;
}

/* strftime's %a and %b follow LC_TIME; RFC 5322 wants these English names. */
static int format_date(time_t t, char *out, size_t outsz)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	struct tm tm;
	if (!gmtime_r(&t, &tm) || tm.tm_wday < 0 || tm.tm_wday > 6 || tm.tm_mon < 0 ||
	    tm.tm_mon > 11 || tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999)
		return -EINVAL;
	int n = snprintf(out, outsz, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday],
			 tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
			 tm.tm_sec);
	return (n < 0 || (size_t)n >= outsz) ? -EINVAL : 0;
}

static bool subject_needs_encoding(const char *s)
{
	/* "=?" in a plain subject would be read as the start of an
	 * encoded-word by a receiving client. */
	if (strstr(s, "=?"))
		return true;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			return true;
	return false;
}

static int append_subject(struct buf *b, const char *subject)
{
	int r = buf_puts(b, "Subject: ");
	if (r < 0)
		return r;
	if (!subject_needs_encoding(subject)) {
		r = buf_puts(b, subject);
		return r < 0 ? r : buf_puts(b, "\r\n");
	}
	const unsigned char *p = (const unsigned char *)subject;
	size_t left = strlen(subject);
	bool first = true;
	while (left > 0) {
		size_t max = first ? EW_RAW_FIRST : EW_RAW_MAX;
		size_t n = left < max ? left : max;
		/* Back off to a character boundary: an encoded-word must hold
		 * whole characters (RFC 2047 5). The subject is valid UTF-8, so
		 * a lead byte is found within 3 steps. */
		while (n < left && (p[n] & 0xc0) == 0x80)
			n--;
		char b64[sodium_base64_ENCODED_LEN(EW_RAW_MAX, sodium_base64_VARIANT_ORIGINAL)];
		sodium_bin2base64(b64, sizeof(b64), p, n, sodium_base64_VARIANT_ORIGINAL);
		/* Folding between encoded-words keeps lines short; the
		 * whitespace between adjacent encoded-words is not displayed. */
		r = buf_printf(b, "%s" EW_PREFIX "%s?=", first ? "" : "\r\n ", b64);
		if (r < 0)
			return r;
		first = false;
		p += n;
		left -= n;
	}
	return buf_puts(b, "\r\n");
}

static bool is_ascii(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p >= 0x80)
			return false;
	return true;
}

/* ASCII text as it is, CRLF line ends (7bit). */
static int append_body(struct buf *b, const char *body)
{
	const char *p = body;
	for (;;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (n > LINE_MAX_OCTETS)
			return -EINVAL;
		int r = buf_append(b, p, n);
		if (r < 0)
			return r;
		if (!nl)
			break;
		r = buf_puts(b, "\r\n");
		if (r < 0)
			return r;
		p = nl + 1;
	}
	/* SMTP DATA ends the message with CRLF.CRLF; a body without a final
	 * line end would otherwise glue its last line to the terminator. */
	if (b->len < 2 || memcmp(b->data + b->len - 2, "\r\n", 2) != 0)
		return buf_puts(b, "\r\n");
	return 0;
}

/* Bytes of the token at p (line[0, len)): a whole UTF-8 character, or a
 * run of ASCII letters and digits (a code is never split by a soft line
 * break, so it can still be read in the raw message), or one other byte. */
static size_t qp_token(const unsigned char *p, size_t left)
{
	size_t n = 1;
	if (p[0] >= 0xc0) {
		while (n < left && n < 4 && (p[n] & 0xc0) == 0x80)
			n++;
	} else if ((p[0] >= '0' && p[0] <= '9') || ((p[0] | 0x20) >= 'a' && (p[0] | 0x20) <= 'z')) {
		while (n < left && ((p[n] >= '0' && p[n] <= '9') ||
				    ((p[n] | 0x20) >= 'a' && (p[n] | 0x20) <= 'z')))
			n++;
	}
	return n;
}

/* One byte in quoted-printable: printable ASCII but "=" as it is, a space
 * or tab as it is unless it ends the line (RFC 2045 6.7 rule 3). */
static size_t qp_byte(unsigned char c, bool last, char out[4])
{
	if ((c >= 0x21 && c <= 0x7e && c != '=') || ((c == ' ' || c == '\t') && !last)) {
		out[0] = (char)c;
		return 1;
	}
	snprintf(out, 4, "=%02X", c);
	return 3;
}

/* One line of the body, soft-broken so no line passes QP_LINE_MAX. */
static int qp_line(struct buf *b, const unsigned char *p, size_t len)
{
	size_t col = 0, i = 0;
	while (i < len) {
		size_t n = qp_token(p + i, len - i), enc = 0;
		char tok[4 * 3 * 64];
		/* A word longer than a line is split by bytes. */
		if (n > 64)
			n = 64;
		for (size_t k = 0; k < n; k++)
			enc += qp_byte(p[i + k], i + k + 1 == len, tok + enc);
		bool line_end = i + n == len;
		/* Room for the soft break "=" unless the line ends here. */
		size_t room = QP_LINE_MAX - (line_end ? 0 : 1);
		if (col > 0 && col + enc > room) {
			int r = buf_puts(b, "=\r\n");
			if (r < 0)
				return r;
			col = 0;
		}
		if (enc > room) {
			/* One token too long for an empty line: byte by byte. */
			for (size_t k = 0; k < n; k++) {
				char one[4];
				size_t m = qp_byte(p[i + k], i + k + 1 == len, one);
				if (col + m > QP_LINE_MAX - 1) {
					int r = buf_puts(b, "=\r\n");
					if (r < 0)
						return r;
					col = 0;
				}
				int r = buf_append(b, one, m);
				if (r < 0)
					return r;
				col += m;
			}
		} else {
			int r = buf_append(b, tok, enc);
			if (r < 0)
				return r;
			col += enc;
		}
		i += n;
	}
	return buf_puts(b, "\r\n");
}

/* Text that is not ASCII goes quoted-printable: 7-bit clean for any relay,
 * lines bounded, and the ASCII in it (codes, addresses, names) still
 * readable in the raw message. */
static int append_body_qp(struct buf *b, const char *body)
{
	const char *p = body;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		int r = qp_line(b, (const unsigned char *)p, n);
		if (r < 0)
			return r;
		p += n + (nl ? 1 : 0);
	}
	return 0;
}

int mail_format(const char *from, const char *to, const char *subject, const char *body,
		time_t date, char **out, size_t *out_len)
{
	if (!out || !subject || !body || !sender_valid(from) || !email_valid(to))
		return -EINVAL;
	if (!utf8_text_valid(subject, strnlen(subject, SUBJECT_MAX + 1), SUBJECT_MAX, NULL))
		return -EINVAL;
	size_t body_len = strnlen(body, BODY_MAX + 1);
	if (body_len > BODY_MAX)
		return -E2BIG;
	if (!utf8_text_valid(body, body_len, BODY_MAX, "\t\n"))
		return -EINVAL;
	if (sodium_init() < 0)
		return -EIO;

	char datestr[64];
	int r = format_date(date, datestr, sizeof(datestr));
	if (r < 0)
		return r;
	unsigned char rnd[16];
	char hex[sizeof(rnd) * 2 + 1];
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));

	struct buf b = {0};
	/* One call per header: two addresses of EMAIL_MAX bytes would not
	 * fit buf_printf's buffer together. */
	r = buf_printf(&b, "Date: %s\r\n", datestr);
	if (r >= 0)
		r = buf_printf(&b, "Message-ID: <%s@%s>\r\n", hex, strchr(from, '@') + 1);
	if (r >= 0)
		r = buf_printf(&b, "From: %s\r\n", from);
	if (r >= 0)
		r = buf_printf(&b, "To: %s\r\n", to);
	if (r >= 0)
		r = append_subject(&b, subject);
	bool ascii = is_ascii(body);
	if (r >= 0)
		r = buf_printf(&b,
			       "MIME-Version: 1.0\r\n"
			       "Content-Type: text/plain; charset=UTF-8\r\n"
			       "Content-Transfer-Encoding: %s\r\n"
			       "\r\n",
			       ascii ? "7bit" : "quoted-printable");
	if (r >= 0)
		r = ascii ? append_body(&b, body) : append_body_qp(&b, body);
	if (r >= 0) {
		*out = b.data;
		if (out_len)
			*out_len = b.len;
		b.data = NULL;
	}
	buf_wipe(&b);
	return r < 0 ? r : 0;
}
