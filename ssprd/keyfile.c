#include "ssprd/keyfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <sodium.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"

static int write_new_key(const char *path, uint8_t *key, size_t keylen)
{
	/* O_EXCL: if two daemons race, one creates and the other reads. */
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	randombytes_buf(key, keylen);
	int r = 0;
	if (write(fd, key, keylen) != (ssize_t)keylen || fsync(fd) < 0)
		r = errno ? -errno : -EIO;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r < 0) {
		unlink(path);
		sodium_memzero(key, keylen);
		return r;
	}
	log_info("created code key %s", path);
	return 0;
}

/* Read exactly keylen bytes from fd (closed here) after checking that the
 * file is private: mode 0600 or 0400 and, when own, our euid's. Anyone else
 * able to read the key could turn a stolen database into codes (the code
 * key) or unseal every host's authenticator secrets (the site key). */
static int read_key(int fd, const char *path, uint8_t *key, size_t keylen, bool own)
{
	struct stat st;
	int r = 0;
	if (fstat(fd, &st) < 0) {
		r = -errno;
	} else if (!S_ISREG(st.st_mode) || (st.st_mode & 077) || (own && st.st_uid != geteuid())) {
		if (own)
			log_error("%s must be a regular file owned by uid %u with mode 0600", path,
				  (unsigned)geteuid());
		else
			log_error("%s must be a regular file with mode 0600 or 0400", path);
		r = -EPERM;
	} else if (st.st_size != (off_t)keylen || read(fd, key, keylen) != (ssize_t)keylen) {
		log_error("%s: expected exactly %zu bytes", path, keylen);
		r = -EINVAL;
	}
	close(fd);
	if (r < 0)
		sodium_memzero(key, keylen);
	return r;
}

int keyfile_load_or_create(const char *state_dir, uint8_t *key, size_t keylen)
{
	char path[PATH_MAX];
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", state_dir, KEYFILE_NAME) >= sizeof(path))
		return -ENAMETOOLONG;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT) {
		int r = write_new_key(path, key, keylen);
		if (r != -EEXIST)
			return r;
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	}
	if (fd < 0)
		return -errno;
	return read_key(fd, path, key, keylen, true);
}

int keyfile_load(const char *path, uint8_t *key, size_t keylen)
{
	if (!path || !path[0])
		return -EINVAL;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	return read_key(fd, path, key, keylen, false);
}
