#include "ssprd/privsep_secret.h"

#include <errno.h>
#include <sodium.h>
#include <string.h>

#include "common/util.h"

void privsep_secret_free(struct privsep_secret *h)
{
	if (!h)
		return;
	sodium_free(h->value); /* wipes; NULL-safe */
	free(h->path);
	h->value = NULL;
	h->path = NULL;
}

int privsep_secret_load(struct privsep_secret *h, const char *path, size_t max)
{
	privsep_secret_free(h);
	if (!path)
		return 0;
	if (sodium_init() < 0)
		return -EIO;
	char *s = NULL;
	int r = read_secret_file(path, max, &s);
	if (r < 0)
		return r;
	size_t n = strlen(s);
	/* sodium_malloc: guard pages, mlock and MADV_DONTDUMP. */
	h->value = sodium_malloc(n + 1);
	h->path = strdup(path);
	if (!h->value || !h->path) {
		secret_free(s);
		privsep_secret_free(h);
		return -ENOMEM;
	}
	memcpy(h->value, s, n + 1);
	secret_free(s);
	sodium_mprotect_readonly(h->value);
	return 0;
}

const char *privsep_secret_get(const struct privsep_secret *h, const char *path)
{
	if (!h->value || !path || strcmp(h->path, path) != 0)
		return NULL;
	return h->value;
}
