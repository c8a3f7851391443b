/* Search of a sorted breached-password list without loading it. The range
 * [lo, hi) of the file that may still hold the digest always starts and ends
 * on a line boundary, and every probe removes at least one whole line from
 * it, so the search ends even on a file that is not sorted. */
#include "ssprd/breached.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"

#define HEX_DIGITS  (2 * SHA1_DIGEST_SIZE)
#define COUNT_MAX   20 /* digits of ":count" */
#define LINE_MAX_SZ (HEX_DIGITS + 1 + COUNT_MAX + 2)

struct bound {
	bool known; /* false at the start or the end of the file */
	uint8_t d[SHA1_DIGEST_SIZE];
};

struct search {
	int fd;
	uint64_t size;
	const uint8_t *target;
	uint64_t lo, hi;
	struct bound below, above; /* the lines just before lo and at hi */
	struct breached_stats *st;
	char buf[BREACHED_WINDOW];
};

/* One line of the window, as a range of the file. */
struct line {
	uint64_t start, end; /* end is past the '\n' */
	uint8_t d[SHA1_DIGEST_SIZE];
};

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* "HEX40", "HEX40:123", with an optional '\r'; len excludes the '\n'. */
static bool parse_line(const char *p, size_t len, uint8_t d[SHA1_DIGEST_SIZE])
{
	if (len > 0 && p[len - 1] == '\r')
		len--;
	if (len < HEX_DIGITS || len > LINE_MAX_SZ)
		return false;
	for (size_t i = 0; i < SHA1_DIGEST_SIZE; i++) {
		int a = hexval(p[2 * i]), b = hexval(p[2 * i + 1]);
		if (a < 0 || b < 0)
			return false;
		d[i] = (uint8_t)(a << 4 | b);
	}
	if (len == HEX_DIGITS)
		return true;
	if (p[HEX_DIGITS] != ':' || len == HEX_DIGITS + 1 || len - HEX_DIGITS - 1 > COUNT_MAX)
		return false;
	for (size_t i = HEX_DIGITS + 1; i < len; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	return true;
}

static uint64_t top64(const uint8_t d[SHA1_DIGEST_SIZE])
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | d[i];
	return v;
}

static int read_at(struct search *s, uint64_t off, size_t len)
{
	size_t got = 0;
	s->st->probes++;
	while (got < len) {
		ssize_t k = pread(s->fd, s->buf + got, len - got, (off_t)(off + got));
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		if (k == 0)
			return -EIO; /* the file shrank while we searched it */
		got += (size_t)k;
	}
	s->st->bytes += len;
	return 0;
}

/* Where the target should be, from the digests around [lo, hi), if their
 * first 64 bits spread evenly (SHA-1 output does). */
static uint64_t interpolate(const struct search *s)
{
	unsigned __int128 lo_key = s->below.known ? top64(s->below.d) : 0;
	unsigned __int128 hi_key = s->above.known ? top64(s->above.d) : (unsigned __int128)1 << 64;
	unsigned __int128 t = top64(s->target);
	if (t < lo_key)
		t = lo_key;
	if (t > hi_key)
		t = hi_key;
	if (hi_key <= lo_key)
		return s->lo + (s->hi - s->lo) / 2;
	unsigned __int128 span = s->hi - s->lo;
	return s->lo + (uint64_t)(span * (t - lo_key) / (hi_key - lo_key + 1));
}

/* Parse the complete lines of buf[0, n) read at off (a line start when
 * at_start), checking their order against each other and the bounds. Sets
 * *found, or the first and last line and how many there were. */
static int scan(struct search *s, uint64_t off, size_t n, bool at_start, bool *found,
		struct line *first, struct line *last, unsigned *nlines)
{
	size_t i = 0;
	*nlines = 0;
	if (!at_start) {
		const char *nl = memchr(s->buf, '\n', n);
		if (!nl)
			return -EBADMSG;
		i = (size_t)(nl - s->buf) + 1;
	}
	while (i < n) {
		const char *nl = memchr(s->buf + i, '\n', n - i);
		size_t len;
		if (nl)
			len = (size_t)(nl - (s->buf + i));
		else if (off + n == s->size)
			len = n - i; /* the last line may lack its '\n' */
		else
			break;
		struct line cur;
		if (!parse_line(s->buf + i, len, cur.d))
			return -EBADMSG;
		const uint8_t *prev = *nlines ? last->d : s->below.known ? s->below.d : NULL;
		if ((prev && memcmp(prev, cur.d, SHA1_DIGEST_SIZE) > 0) ||
		    (s->above.known && memcmp(cur.d, s->above.d, SHA1_DIGEST_SIZE) > 0))
			return -EBADMSG;
		if (memcmp(cur.d, s->target, SHA1_DIGEST_SIZE) == 0) {
			*found = true;
			return 0;
		}
		cur.start = off + i;
		cur.end = off + i + len + (nl ? 1 : 0);
		if (*nlines == 0)
			*first = cur;
		*last = cur;
		(*nlines)++;
		i += len + 1;
	}
	return 0;
}

int breached_search_fd(int fd, uint64_t size, const uint8_t digest[SHA1_DIGEST_SIZE], bool *found,
		       struct breached_stats *stats)
{
	struct breached_stats dummy;
	struct search *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->fd = fd;
	s->size = size;
	s->target = digest;
	s->hi = size;
	s->st = stats ? stats : &dummy;
	memset(s->st, 0, sizeof(*s->st));
	*found = false;
	/* Interpolation may take two probes to halve the range: the first
	 * usually lands within sqrt(lines) of the target but moves only one
	 * bound, the second, between close bounds, lands within a window.
	 * When two probes did not halve it, the digests are not spread
	 * evenly here: bisect once before trusting interpolation again. */
	bool bisect = false;
	unsigned tries = 0;
	uint64_t checkpoint = size;
	int r = -EBADMSG;
	for (unsigned probe = 0; probe < BREACHED_MAX_PROBES; probe++) {
		struct line first, last;
		unsigned nlines;
		uint64_t range = s->hi - s->lo;
		if (range <= BREACHED_WINDOW) {
			/* What is left fits in one read: scan it all. */
			r = range == 0 ? 0 : read_at(s, s->lo, (size_t)range);
			if (r == 0 && range > 0)
				r = scan(s, s->lo, (size_t)range, true, found, &first, &last,
					 &nlines);
			break;
		}
		uint64_t pos = bisect ? s->lo + range / 2 : interpolate(s);
		uint64_t ws = pos > s->lo + BREACHED_WINDOW / 2 ? pos - BREACHED_WINDOW / 2 : s->lo;
		if (ws + BREACHED_WINDOW > s->hi)
			ws = s->hi - BREACHED_WINDOW;
		r = read_at(s, ws, BREACHED_WINDOW);
		if (r == 0)
			r = scan(s, ws, BREACHED_WINDOW, ws == s->lo, found, &first, &last,
				 &nlines);
		if (r < 0 || *found)
			break;
		if (nlines == 0) {
			r = -EBADMSG; /* no whole line in a window: not a list */
			break;
		}
		if (memcmp(s->target, first.d, SHA1_DIGEST_SIZE) < 0) {
			s->hi = first.start;
			s->above.known = true;
			memcpy(s->above.d, first.d, SHA1_DIGEST_SIZE);
		} else if (memcmp(s->target, last.d, SHA1_DIGEST_SIZE) > 0) {
			s->lo = last.end;
			s->below.known = true;
			memcpy(s->below.d, last.d, SHA1_DIGEST_SIZE);
		} else {
			r = 0; /* between two neighbouring lines: absent */
			break;
		}
		uint64_t left = s->hi - s->lo;
		if (bisect || left <= checkpoint / 2) {
			checkpoint = left;
			tries = 0;
			bisect = false;
		} else if (++tries >= 2) {
			bisect = true;
		}
		r = -EBADMSG;
	}
	secure_zero(s, sizeof(*s));
	free(s);
	return r;
}

int breached_check(const char *path, const char *password, bool *found,
		   struct breached_stats *stats)
{
	uint8_t digest[SHA1_DIGEST_SIZE];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat st;
	int r = 0;
	if (fstat(fd, &st) < 0)
		r = -errno;
	else if (!S_ISREG(st.st_mode))
		r = -EINVAL;
	if (r == 0) {
		r = sha1(password, strlen(password), digest);
		if (r == 0)
			r = breached_search_fd(fd, (uint64_t)st.st_size, digest, found, stats);
		secure_zero(digest, sizeof(digest));
	}
	close(fd);
	return r;
}
