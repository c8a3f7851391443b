/* The digests' first 64 bits are the scaled partial sums of lines + 1
 * exponentially distributed steps, which makes them exactly the sorted
 * values of uniform random numbers: sorted by construction and spread as
 * unevenly as real SHA-1 output (about sqrt(lines) lines off a straight
 * line, right up to FFFF...), which is what the interpolation search has to
 * cope with. A first pass only adds the steps up, to scale them. */
#include "tests/unit/breached_gen.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OUT_BUF	  (1 << 20)
#define LINE_ROOM 64

static const char hexdigits[] = "0123456789ABCDEF";

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* An exponential step with mean 2^32, at least 1. */
static uint64_t step(uint64_t *state)
{
	double u = ((double)(splitmix64(state) >> 11) + 1.0) / 9007199254740992.0;
	return 1 + (uint64_t)(-log(u) * 4294967296.0);
}

void breached_gen_hex(const uint8_t d[SHA1_DIGEST_SIZE], char out[2 * SHA1_DIGEST_SIZE + 1])
{
	for (size_t i = 0; i < SHA1_DIGEST_SIZE; i++) {
		out[2 * i] = hexdigits[d[i] >> 4];
		out[2 * i + 1] = hexdigits[d[i] & 15];
	}
	out[2 * SHA1_DIGEST_SIZE] = '\0';
}

struct out {
	int fd;
	char *buf;
	size_t n;
	uint64_t total;
	bool crlf;
};

static int flush_out(struct out *o)
{
	size_t done = 0;
	while (done < o->n) {
		ssize_t k = write(o->fd, o->buf + done, o->n - done);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		done += (size_t)k;
	}
	o->total += o->n;
	o->n = 0;
	return 0;
}

static int put_line(struct out *o, const uint8_t d[SHA1_DIGEST_SIZE], uint64_t count)
{
	if (o->n + LINE_ROOM > OUT_BUF) {
		int r = flush_out(o);
		if (r < 0)
			return r;
	}
	char *p = o->buf + o->n;
	breached_gen_hex(d, p);
	p += 2 * SHA1_DIGEST_SIZE;
	*p++ = ':';
	char digits[24];
	int nd = 0;
	do {
		digits[nd++] = (char)('0' + count % 10);
		count /= 10;
	} while (count);
	while (nd)
		*p++ = digits[--nd];
	if (o->crlf)
		*p++ = '\r';
	*p++ = '\n';
	o->n = (size_t)(p - o->buf);
	return 0;
}

static int cmp_digest(const void *a, const void *b)
{
	return memcmp(a, b, SHA1_DIGEST_SIZE);
}

int breached_gen_write(const char *path, const struct breached_gen *g, uint64_t *bytes_out)
{
	struct out o = {.fd = -1, .crlf = g->crlf};
	bool created = false;
	uint8_t(*real)[SHA1_DIGEST_SIZE] = calloc(g->npasswords + 1, SHA1_DIGEST_SIZE);
	o.buf = malloc(OUT_BUF);
	int r = -ENOMEM;
	if (!real || !o.buf)
		goto out;
	for (size_t i = 0; i < g->npasswords; i++) {
		r = sha1(g->passwords[i], strlen(g->passwords[i]), real[i]);
		if (r < 0)
			goto out;
	}
	r = -ENOMEM;
	qsort(real, g->npasswords, SHA1_DIGEST_SIZE, cmp_digest);
	o.fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (o.fd < 0) {
		r = -errno;
		goto out;
	}
	created = true;
	/* Steps below 2^40: sums of up to 2^40 of them, shifted left by 64,
	 * fit in 128 bits. */
	unsigned __int128 total = 0, sum = 0;
	uint64_t state = g->seed;
	for (uint64_t i = 0; i <= g->lines; i++) {
		total += step(&state);
		splitmix64(&state);
		splitmix64(&state);
	}
	uint64_t next_real = 0, next_sample = 0;
	state = g->seed;
	r = 0;
	for (uint64_t i = 0; i < g->lines && r == 0; i++) {
		sum += step(&state);
		uint64_t top = (uint64_t)((sum << 64) / total);
		uint64_t low = splitmix64(&state), more = splitmix64(&state);
		uint8_t d[SHA1_DIGEST_SIZE];
		for (int b = 0; b < 8; b++) {
			d[b] = (uint8_t)(top >> (56 - 8 * b));
			d[8 + b] = (uint8_t)(low >> (56 - 8 * b));
		}
		for (int b = 0; b < 4; b++)
			d[16 + b] = (uint8_t)(more >> (24 - 8 * b));
		while (r == 0 && next_real < g->npasswords && memcmp(real[next_real], d, 20) < 0)
			r = put_line(&o, real[next_real++], 4242);
		if (r == 0 && next_real < g->npasswords && memcmp(real[next_real], d, 20) == 0)
			next_real++;
		if (r == 0)
			r = put_line(&o, d, 1 + (more >> 40) % 5000);
		if (g->sample && next_sample < g->nsample && g->nsample >= 2 &&
		    i == next_sample * (g->lines - 1) / (g->nsample - 1))
			memcpy(g->sample[next_sample++], d, SHA1_DIGEST_SIZE);
	}
	while (r == 0 && next_real < g->npasswords)
		r = put_line(&o, real[next_real++], 4242);
	if (r == 0)
		r = flush_out(&o);
	if (r == 0 && close(o.fd) < 0)
		r = -errno;
	o.fd = -1;
	if (r == 0 && bytes_out)
		*bytes_out = o.total;
out:
	if (o.fd >= 0)
		close(o.fd);
	if (r < 0 && created)
		unlink(path);
	free(o.buf);
	free(real);
	return r;
}
