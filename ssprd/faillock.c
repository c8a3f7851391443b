#include "ssprd/faillock.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "common/validate.h"

/* sizeof(struct tally) in Linux-PAM's modules/pam_faillock/faillock.h:
 * source[52], reserved u16, status u16, time u64. */
#define FAILLOCK_RECORD_SIZE 64
/* pam_faillock skips longer lines of faillock.conf (FAILLOCK_CONF_MAX_LINELEN). */
#define FAILLOCK_CONF_LINE_MAX 1023
/* pam_faillock holds the lock only while it reads and rewrites a tally;
 * a holder that long is stuck, and a daemon thread must not wait for it. */
#define FAILLOCK_LOCK_TIMEOUT_MS 2000
#define FAILLOCK_LOCK_POLL_MS	 10

static int copy_path(const char *path, char *out, size_t outsz)
{
	size_t len = strlen(path);
	if (path[0] != '/')
		return -EINVAL;
	if (len >= outsz)
		return -ENAMETOOLONG;
	memcpy(out, path, len + 1);
	return 0;
}

/* One faillock.conf line the way pam_faillock reads it: '#' starts a
 * comment anywhere, the key ends at white space or '=', the value follows
 * white space and at most one '='. Returns the value of a "dir" line. */
static const char *conf_line_dir(char *line)
{
	char *p = strchr(line, '#');
	if (p)
		*p = '\0';
	p = line + strlen(line);
	while (p > line && isspace((unsigned char)p[-1]))
		*--p = '\0';
	for (p = line; isspace((unsigned char)*p); p++)
		;
	const char *key = p;
	bool eq = false;
	while (*p && !isspace((unsigned char)*p) && *p != '=')
		p++;
	if (*p) {
		eq = *p == '=';
		*p++ = '\0';
	}
	for (; *p; p++) {
		if (*p == '=' && !eq)
			eq = true;
		else if (!isspace((unsigned char)*p))
			break;
	}
	return strcmp(key, "dir") == 0 ? p : NULL;
}

static int conf_dir(const char *conf_path, char *out, size_t outsz, bool *found)
{
	char line[FAILLOCK_CONF_LINE_MAX + 1];
	int r = 0;
	*found = false;
	FILE *f = fopen(conf_path, "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	errno = 0;
	while (fgets(line, sizeof(line), f)) {
		size_t len = strlen(line);
		if (len > 0 && line[len - 1] != '\n' && !feof(f)) {
			int c;
			while ((c = getc(f)) != EOF && c != '\n')
				;
			continue;
		}
		const char *v = conf_line_dir(line);
		if (!v)
			continue;
		/* pam_faillock keeps the earlier value too. */
		if (v[0] != '/') {
			log_warning("%s: dir is not an absolute path; ignored", conf_path);
			continue;
		}
		r = copy_path(v, out, outsz);
		if (r < 0)
			break;
		*found = true;
	}
	if (r == 0 && ferror(f))
		r = errno > 0 ? -errno : -EIO;
	fclose(f);
	return r;
}

int faillock_dir(const char *dir, const char *conf_path, char *out, size_t outsz)
{
	bool found = false;
	if (!out || outsz == 0)
		return -EINVAL;
	if (dir)
		return copy_path(dir, out, outsz);
	int r = conf_dir(conf_path ? conf_path : FAILLOCK_CONF, out, outsz, &found);
	if (r < 0)
		return r;
	return found ? 0 : copy_path(FAILLOCK_DEFAULT_DIR, out, outsz);
}

/* The directory itself without following a link; O_NOFOLLOW applies to
 * the last component only, and a trailing '/' would make even that one
 * followed, so trailing slashes go first. */
static int open_dir(const char *dir)
{
	char path[PATH_MAX];
	int r = copy_path(dir, path, sizeof(path));
	if (r < 0)
		return r;
	for (size_t len = strlen(path); len > 1 && path[len - 1] == '/'; len--)
		path[len - 1] = '\0';
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static int lock_wait(int fd, int op)
{
	const struct timespec pause = {0, FAILLOCK_LOCK_POLL_MS * 1000000L};
	int64_t deadline = now_ms() + FAILLOCK_LOCK_TIMEOUT_MS;
	for (;;) {
		if (flock(fd, op | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -errno;
		if (now_ms() >= deadline)
			return -ETIMEDOUT;
		nanosleep(&pause, NULL);
	}
}

/* Open user's tally in dir, never creating it and never through a link,
 * and lock it as pam_faillock does (flock). -ENOENT when there is none. */
static int open_tally(const char *dir, const char *user, int mode, int lock_op, struct stat *st)
{
	_cleanup_(closep) int dfd = -1;
	int fd = -1, r;
	if (!username_valid(user))
		return -EINVAL;
	dfd = open_dir(dir);
	if (dfd < 0)
		return dfd;
	/* O_NONBLOCK: a FIFO or device planted under the user's name must not
	 * hang or wake anything on open; the type is checked right after. */
	fd = openat(dfd, user, mode | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, st) < 0) {
		r = -errno;
		goto fail;
	}
	if (!S_ISREG(st->st_mode)) {
		r = S_ISDIR(st->st_mode) ? -EISDIR : -EBADFD;
		goto fail;
	}
	r = lock_wait(fd, lock_op);
	if (r < 0)
		goto fail;
	/* The size may have changed while we waited for the lock. */
	if (fstat(fd, st) < 0) {
		r = -errno;
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return r;
}

int faillock_count(const char *dir, const char *user, unsigned *records)
{
	struct stat st;
	*records = 0;
	int fd = open_tally(dir, user, O_RDONLY, LOCK_SH, &st);
	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return fd;
	off_t n = st.st_size / FAILLOCK_RECORD_SIZE;
	*records = n > UINT_MAX ? UINT_MAX : (unsigned)n;
	close(fd);
	return 0;
}

int faillock_reset(const char *dir, const char *user)
{
	struct stat st;
	int r = 0;
	int fd = open_tally(dir, user, O_RDWR, LOCK_EX, &st);
	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return fd;
	if (ftruncate(fd, 0) < 0 || fsync(fd) < 0)
		r = -errno;
	close(fd);
	return r;
}
