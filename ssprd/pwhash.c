/* Password hashing with libxcrypt, costs chosen like shadow-utils does from
 * login.defs, so a reset password is as strong as one set with passwd(1). */
#include "ssprd/pwhash.h"

#include <crypt.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <sys/random.h>

#include "common/log.h"
#include "common/util.h"

#define LOGIN_DEFS_MAX	 (1024 * 1024)
#define YESCRYPT_MIN	 1
#define YESCRYPT_MAX	 11
#define SHA_ROUNDS_MIN	 1000L
#define SHA_ROUNDS_MAX	 999999999L
#define LOGIN_DEFS_LINE	 1024
#define LOGIN_DEFS_VALUE 64

struct login_defs_costs {
	long yescrypt_cost; /* -1 when unset */
	long sha_min;	    /* -1 when unset */
	long sha_max;	    /* -1 when unset */
};

static bool parse_long(const char *s, long *out)
{
	if (!*s)
		return false;
	for (const char *p = s; *p; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	errno = 0;
	char *end = NULL;
	long v = strtol(s, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

/* One "KEY value" line; values may be double-quoted as getdef.c allows. Later
 * lines override earlier ones, as in shadow-utils. */
static void login_defs_line(const char *path, unsigned lineno, char *line,
			    struct login_defs_costs *c)
{
	while (isspace((unsigned char)*line))
		line++;
	if (!*line || *line == '#')
		return;
	char *key = line;
	while (*line && !isspace((unsigned char)*line))
		line++;
	if (*line)
		*line++ = '\0';
	while (isspace((unsigned char)*line))
		line++;
	char *val = line;
	size_t n = strlen(val);
	while (n > 0 && isspace((unsigned char)val[n - 1]))
		val[--n] = '\0';
	if (n >= 2 && val[0] == '"' && val[n - 1] == '"') {
		val[n - 1] = '\0';
		val++;
	}

	long *slot = NULL;
	if (strcmp(key, "YESCRYPT_COST_FACTOR") == 0)
		slot = &c->yescrypt_cost;
	else if (strcmp(key, "SHA_CRYPT_MIN_ROUNDS") == 0)
		slot = &c->sha_min;
	else if (strcmp(key, "SHA_CRYPT_MAX_ROUNDS") == 0)
		slot = &c->sha_max;
	if (!slot)
		return;
	long v;
	if (strlen(val) > LOGIN_DEFS_VALUE || !parse_long(val, &v)) {
		/* shadow-utils ignores an unparsable value too. */
		log_warning("%s:%u: ignoring invalid value for %s", path, lineno, key);
		return;
	}
	*slot = v;
}

static void login_defs_read(const char *path, struct login_defs_costs *c)
{
	c->yescrypt_cost = c->sha_min = c->sha_max = -1;
	if (!path)
		return;
	char *buf = NULL;
	int r = read_small_file(path, LOGIN_DEFS_MAX, &buf, NULL);
	if (r < 0) {
		if (r != -ENOENT)
			log_warning("cannot read %s (%s), using default hash cost", path,
				    strerror(-r));
		return;
	}
	unsigned lineno = 0;
	for (char *p = buf; p && *p;) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		lineno++;
		if (strlen(p) <= LOGIN_DEFS_LINE)
			login_defs_line(path, lineno, p, c);
		else
			log_warning("%s:%u: line too long, ignored", path, lineno);
		p = nl ? nl + 1 : NULL;
	}
	free(buf);
}

/* Uniform in [lo, hi] without modulo bias; shadow-utils randomises the SHA
 * round count within the configured range the same way. */
static long random_between(long lo, long hi)
{
	unsigned long span = (unsigned long)(hi - lo) + 1, v;
	unsigned long limit = ULONG_MAX - ULONG_MAX % span;
	do {
		if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
			return lo;
	} while (v >= limit);
	return lo + (long)(v % span);
}

static unsigned long cost_for(enum hash_method method, const char *login_defs)
{
	struct login_defs_costs c;
	login_defs_read(login_defs, &c);
	if (method == HASH_YESCRYPT) {
		if (c.yescrypt_cost < 0)
			return 0;
		if (c.yescrypt_cost < YESCRYPT_MIN)
			return YESCRYPT_MIN;
		if (c.yescrypt_cost > YESCRYPT_MAX)
			return YESCRYPT_MAX;
		return (unsigned long)c.yescrypt_cost;
	}
	if (c.sha_min < 0 && c.sha_max < 0)
		return 0;
	if (c.sha_min < 0)
		c.sha_min = c.sha_max;
	if (c.sha_max < 0 || c.sha_max < c.sha_min)
		c.sha_max = c.sha_min;
	long rounds = random_between(c.sha_min, c.sha_max);
	if (rounds < SHA_ROUNDS_MIN)
		rounds = SHA_ROUNDS_MIN;
	if (rounds > SHA_ROUNDS_MAX)
		rounds = SHA_ROUNDS_MAX;
	return (unsigned long)rounds;
}

/* A NULL or "*..." result is libxcrypt's way of saying the setting is
 * unusable; it must never reach /etc/shadow or be compared as a hash. */
static bool crypt_failed(const char *h)
{
	return !h || h[0] == '*' || h[0] == '\0';
}

int pwhash_make(enum hash_method method, const char *login_defs, const char *password, char **out)
{
	if (!password || !out)
		return -EINVAL;
	if (strnlen(password, CRYPT_MAX_PASSPHRASE_SIZE + 1) > CRYPT_MAX_PASSPHRASE_SIZE)
		return -E2BIG;
	const char *prefix;
	switch (method) {
	case HASH_YESCRYPT:
		prefix = "$y$";
		break;
	case HASH_SHA512:
		prefix = "$6$";
		break;
	default:
		return -EINVAL;
	}

	int r;
	void *data = NULL;
	int size = 0;
	unsigned long cost = cost_for(method, login_defs);
	errno = 0;
	char *setting = crypt_gensalt_ra(prefix, cost, NULL, 0);
	if (!setting) {
		r = errno ? -errno : -EINVAL;
		log_error("crypt_gensalt failed for %s: %s", prefix, strerror(-r));
		goto out;
	}
	const char *h = crypt_ra(password, setting, &data, &size);
	if (crypt_failed(h)) {
		log_error("crypt failed for %s", prefix);
		r = -EINVAL;
		goto out;
	}
	r = strdup_bounded(h, CRYPT_OUTPUT_SIZE, out);
out:
	if (data)
		secure_zero(data, (size_t)size);
	free(data);
	free(setting);
	return r;
}

static bool equal_const_time(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la != lb)
		return false;
	volatile unsigned char diff = 0;
	for (size_t i = 0; i < la; i++)
		diff |= (unsigned char)a[i] ^ (unsigned char)b[i];
	return diff == 0;
}

int pwhash_verify(const char *password, const char *hash)
{
	if (!password || !hash)
		return -EINVAL;
	/* Locked ("!..."), disabled ("*") and empty entries never match here:
	 * an empty hash would otherwise mean "no password". */
	if (hash[0] == '\0' || hash[0] == '!' || hash[0] == '*' ||
	    strnlen(hash, CRYPT_OUTPUT_SIZE) >= CRYPT_OUTPUT_SIZE)
		return -EINVAL;
	/* pwhash_make never accepts such a password, so it cannot match. */
	if (strnlen(password, CRYPT_MAX_PASSPHRASE_SIZE + 1) > CRYPT_MAX_PASSPHRASE_SIZE)
		return -EACCES;

	void *data = NULL;
	int size = 0;
	const char *h = crypt_ra(password, hash, &data, &size);
	int r;
	if (crypt_failed(h))
		r = -EINVAL;
	else
		r = equal_const_time(h, hash) ? 0 : -EACCES;
	if (data)
		secure_zero(data, (size_t)size);
	free(data);
	return r;
}
