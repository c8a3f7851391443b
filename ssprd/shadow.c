/* shadow(5) reading and atomic rewriting. The rewrite follows pam_unix and
 * shadow-utils: take the password-file lock, write a same-directory temp
 * file that already carries the original's owner and mode, change only the
 * target entry, fsync, rename over the original, fsync the directory. */
#include "ssprd/shadow.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <shadow.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"

#define SHADOW_PATH	"/etc/shadow"
#define SHADOW_LINE_MAX 4096 /* bytes per line, newline included */
#define SHADOW_FIELDS	9
#define SHADOW_NAME_MAX 256
#define SHADOW_HASH_MAX 512
#define LOCK_TIMEOUT_MS 15000 /* what lckpwdf() waits */
#define LOCK_RETRY_NS	50000000L
#define TEMP_SUFFIX	".sspr-XXXXXX"
#define LOCK_SUFFIX	".lock"

static bool fail_before_rename;

/* fcntl locks belong to the process, so they cannot keep two of our own
 * threads apart, and glibc's lckpwdf() fails when the process holds it. */
static pthread_mutex_t replace_mutex = PTHREAD_MUTEX_INITIALIZER;

void shadow_test_fail_before_rename(bool on)
{
	fail_before_rename = on;
}

static bool user_valid(const char *user)
{
	if (!user || !*user || strnlen(user, SHADOW_NAME_MAX + 1) > SHADOW_NAME_MAX)
		return false;
	return strpbrk(user, ":\n") == NULL;
}

static bool hash_valid(const char *h)
{
	if (!h || !*h || strnlen(h, SHADOW_HASH_MAX + 1) > SHADOW_HASH_MAX)
		return false;
	for (const unsigned char *p = (const unsigned char *)h; *p; p++)
		if (*p == ':' || *p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

/* One line, newline included, into buf (SHADOW_LINE_MAX + 1 bytes). getc
 * rather than fgets so that every byte, even a stray NUL, is counted and
 * copied. 1: a line, 0: end of file, -EINVAL: line too long. */
static int read_line(FILE *f, char *buf, size_t *len)
{
	size_t n = 0;
	int c;
	while ((c = getc_unlocked(f)) != EOF) {
		if (n == SHADOW_LINE_MAX)
			return -EINVAL;
		buf[n++] = (char)c;
		if (c == '\n')
			break;
	}
	if (ferror(f))
		return -EIO;
	buf[n] = '\0';
	*len = n;
	return n > 0;
}

static bool line_is_user(const char *line, size_t len, const char *user, size_t ulen)
{
	return len > ulen && memcmp(line, user, ulen) == 0 && line[ulen] == ':';
}

static void log_read_error(const char *path, int r)
{
	if (r == -EINVAL)
		log_error("%s: a line is longer than %d bytes", path, SHADOW_LINE_MAX);
	else
		log_error("%s: cannot read: %s", path, strerror(-r));
}

/* Split a NUL-terminated copy of one entry (newline already removed) in
 * place into exactly SHADOW_FIELDS fields. */
static int split_fields(char *s, char *f[SHADOW_FIELDS])
{
	size_t n = 0;
	f[n++] = s;
	for (char *p = s; *p; p++) {
		if (*p != ':')
			continue;
		if (n == SHADOW_FIELDS)
			return -EINVAL;
		*p = '\0';
		f[n++] = p + 1;
	}
	return n == SHADOW_FIELDS ? 0 : -EINVAL;
}

static int parse_num(const char *s, long *out)
{
	if (!*s) {
		*out = -1;
		return 0;
	}
	for (const char *p = s; *p; p++)
		if (*p < '0' || *p > '9')
			return -EINVAL;
	errno = 0;
	long v = strtol(s, NULL, 10);
	if (errno)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Parse line[0..len) into e. scratch receives a copy that is split in place,
 * so line stays intact for a verbatim copy. With e NULL only validates. */
static int parse_entry(const char *line, size_t len, char *scratch, struct shadow_entry *e)
{
	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (memchr(line, '\0', len))
		return -EINVAL;
	memcpy(scratch, line, len);
	scratch[len] = '\0';
	char *f[SHADOW_FIELDS];
	int r = split_fields(scratch, f);
	if (r < 0)
		return r;
	long num[6];
	for (size_t i = 0; i < ARRAY_SIZE(num); i++) {
		r = parse_num(f[2 + i], &num[i]);
		if (r < 0)
			return r;
	}
	if (!e)
		return 0;
	e->name = strdup(f[0]);
	e->hash = strdup(f[1]);
	if (!e->name || !e->hash)
		return -ENOMEM;
	e->lastchg = num[0];
	e->min = num[1];
	e->max = num[2];
	e->warn = num[3];
	e->inact = num[4];
	e->expire = num[5];
	return 0;
}

void shadow_entry_clear(struct shadow_entry *e)
{
	if (!e)
		return;
	free(e->name);
	secret_free(e->hash);
	*e = (struct shadow_entry){
	    .lastchg = -1, .min = -1, .max = -1, .warn = -1, .inact = -1, .expire = -1};
}

static int open_shadow(const char *path, char *iobuf, size_t iosize, FILE **out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	if (fd < 0)
		return -errno;
	FILE *f = fdopen(fd, "r");
	if (!f) {
		int r = -errno;
		close(fd);
		return r;
	}
	/* Our own buffer, so that the hashes stdio buffers can be wiped. */
	setvbuf(f, iobuf, _IOFBF, iosize);
	*out = f;
	return 0;
}

int shadow_read_entry(const char *path, const char *user, struct shadow_entry *out)
{
	char iobuf[BUFSIZ], line[SHADOW_LINE_MAX + 1], scratch[SHADOW_LINE_MAX + 1];
	struct shadow_entry e = {0};
	FILE *f = NULL;
	bool found = false;
	int r;

	shadow_entry_clear(&e);
	if (out)
		*out = e;
	if (!path || !out || !user_valid(user))
		return -EINVAL;
	size_t ulen = strlen(user);
	r = open_shadow(path, iobuf, sizeof(iobuf), &f);
	if (r < 0)
		goto out;
	for (;;) {
		size_t len;
		r = read_line(f, line, &len);
		if (r < 0) {
			log_read_error(path, r);
			goto out;
		}
		if (r == 0)
			break;
		if (!line_is_user(line, len, user, ulen))
			continue;
		if (found) {
			log_error("%s: more than one entry for %s", path, user);
			r = -EINVAL;
			goto out;
		}
		found = true;
		r = parse_entry(line, len, scratch, &e);
		if (r < 0) {
			log_error("%s: malformed entry for %s", path, user);
			goto out;
		}
	}
	r = found ? 0 : -ENOENT;
	if (found) {
		*out = e;
		e.name = e.hash = NULL;
	}
out:
	shadow_entry_clear(&e);
	if (f)
		fclose(f);
	secure_zero(iobuf, sizeof(iobuf));
	secure_zero(line, sizeof(line));
	secure_zero(scratch, sizeof(scratch));
	return r;
}

/* Build the target's new line in repl: name, new hash, new day, then the
 * original text from the third ':' on (newline included), byte for byte. */
static int rewrite_entry(const char *line, size_t len, const char *user, const char *new_hash,
			 long day, char *repl, size_t *repl_len)
{
	int r = parse_entry(line, len, repl, NULL);
	if (r < 0)
		return r;
	const char *rest = line;
	for (int colons = 0; colons < 3; rest++)
		if (*rest == ':')
			colons++;
	rest--;
	int n = snprintf(repl, SHADOW_LINE_MAX + 1, "%s:%s:%ld%s", user, new_hash, day, rest);
	if (n < 0 || n > SHADOW_LINE_MAX)
		return -EINVAL;
	*repl_len = (size_t)n;
	return 0;
}

static int copy_lines(const char *path, FILE *in, FILE *out, const char *user, const char *new_hash,
		      long day, char *line, char *repl)
{
	size_t ulen = strlen(user);
	bool found = false;
	for (;;) {
		size_t len, n;
		int r = read_line(in, line, &len);
		if (r < 0) {
			log_read_error(path, r);
			return r;
		}
		if (r == 0)
			break;
		const char *src = line;
		n = len;
		if (line_is_user(line, len, user, ulen)) {
			if (found) {
				log_error("%s: more than one entry for %s", path, user);
				return -EINVAL;
			}
			found = true;
			r = rewrite_entry(line, len, user, new_hash, day, repl, &n);
			if (r < 0) {
				log_error("%s: malformed entry for %s", path, user);
				return r;
			}
			src = repl;
		}
		if (fwrite(src, 1, n, out) != n)
			return errno ? -errno : -EIO;
	}
	return found ? 0 : -ENOENT;
}

static void sync_dir(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	if (!slash)
		strcpy(dir, ".");
	else if (slash == path)
		strcpy(dir, "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0)
		/* The rename is done and visible; only its durability across a
		 * crash is in doubt, so this is reported, not returned. */
		log_error("cannot fsync directory %s: %s", dir, strerror(errno));
	if (fd >= 0)
		close(fd);
}

static int rewrite_file(const char *path, const char *user, const char *new_hash, long day)
{
	char inbuf[BUFSIZ], outbuf[BUFSIZ];
	char line[SHADOW_LINE_MAX + 1], repl[SHADOW_LINE_MAX + 1];
	char tmp[PATH_MAX];
	FILE *in = NULL, *out = NULL;
	int tmpfd = -1, r;
	bool tmp_made = false;
	struct stat st, now;

	snprintf(tmp, sizeof(tmp), "%s" TEMP_SUFFIX, path);
	r = open_shadow(path, inbuf, sizeof(inbuf), &in);
	if (r < 0) {
		log_error("cannot open %s: %s", path, strerror(-r));
		goto out;
	}
	if (fstat(fileno(in), &st) < 0) {
		r = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		log_error("%s is not a regular file", path);
		r = -EINVAL;
		goto out;
	}
	tmpfd = mkostemp(tmp, O_CLOEXEC);
	if (tmpfd < 0) {
		r = -errno;
		log_error("cannot create temporary file next to %s: %s", path, strerror(-r));
		goto out;
	}
	tmp_made = true;
	/* Owner first (chown may clear mode bits), then mode, and both before
	 * any hash is written: the file is never readable by the wrong group. */
	if (fchown(tmpfd, st.st_uid, st.st_gid) < 0 || fchmod(tmpfd, st.st_mode & 07777) < 0) {
		r = -errno;
		log_error("cannot set owner and mode of %s: %s", tmp, strerror(-r));
		goto out;
	}
	out = fdopen(tmpfd, "w");
	if (!out) {
		r = -errno;
		goto out;
	}
	tmpfd = -1;
	setvbuf(out, outbuf, _IOFBF, sizeof(outbuf));
	errno = 0;
	r = copy_lines(path, in, out, user, new_hash, day, line, repl);
	if (r < 0)
		goto out;
	if (fflush(out) != 0 || fsync(fileno(out)) < 0) {
		r = -errno;
		log_error("cannot write %s: %s", tmp, strerror(-r));
		goto out;
	}
	FILE *done = out;
	out = NULL;
	if (fclose(done) != 0) {
		r = -errno;
		log_error("cannot write %s: %s", tmp, strerror(-r));
		goto out;
	}
	if (fail_before_rename) {
		fail_before_rename = false;
		r = -EIO;
		goto out;
	}
	/* Under the lock no cooperating writer can have replaced it; refuse
	 * to overwrite an edit made by one that ignores the lock. */
	if (lstat(path, &now) < 0 || now.st_dev != st.st_dev || now.st_ino != st.st_ino) {
		log_error("%s changed while it was being rewritten", path);
		r = -EBUSY;
		goto out;
	}
	if (rename(tmp, path) < 0) {
		r = -errno;
		log_error("cannot rename %s to %s: %s", tmp, path, strerror(-r));
		goto out;
	}
	tmp_made = false;
	sync_dir(path);
	r = 0;
out:
	if (out)
		fclose(out);
	if (tmpfd >= 0)
		close(tmpfd);
	if (tmp_made)
		unlink(tmp);
	if (in)
		fclose(in);
	secure_zero(inbuf, sizeof(inbuf));
	secure_zero(outbuf, sizeof(outbuf));
	secure_zero(line, sizeof(line));
	secure_zero(repl, sizeof(repl));
	return r;
}

/* lckpwdf() for the real file so that passwd, useradd, vipw and pam_unix
 * are kept out; an fcntl lock on "<path>.lock" for any other file. */
static int lock_take(const char *path, int *lockfd)
{
	*lockfd = -1;
	if (strcmp(path, SHADOW_PATH) == 0) {
		if (lckpwdf() == 0)
			return 0;
		int e = errno;
		log_error("cannot lock the password files: %s", strerror(e));
		return (e == 0 || e == EINTR || e == EAGAIN) ? -EBUSY : -e;
	}
	char lp[PATH_MAX];
	snprintf(lp, sizeof(lp), "%s" LOCK_SUFFIX, path);
	int fd = open(lp, O_CREAT | O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
	if (fd < 0) {
		int r = -errno;
		log_error("cannot open %s: %s", lp, strerror(-r));
		return r;
	}
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	int64_t deadline = now_ms() + LOCK_TIMEOUT_MS;
	for (;;) {
		if (fcntl(fd, F_SETLK, &fl) == 0) {
			*lockfd = fd;
			return 0;
		}
		if (errno != EACCES && errno != EAGAIN && errno != EINTR) {
			int r = -errno;
			close(fd);
			return r;
		}
		if (now_ms() >= deadline) {
			close(fd);
			log_error("%s: still locked after %d s", lp, LOCK_TIMEOUT_MS / 1000);
			return -EBUSY;
		}
		struct timespec ts = {.tv_nsec = LOCK_RETRY_NS};
		nanosleep(&ts, NULL);
	}
}

static void lock_release(int lockfd)
{
	if (lockfd >= 0)
		close(lockfd);
	else
		ulckpwdf();
}

int shadow_replace_hash(const char *path, const char *user, const char *new_hash, long lastchg_day)
{
	if (!path || !*path || !user_valid(user) || !hash_valid(new_hash) || lastchg_day < 0)
		return -EINVAL;
	if (strlen(path) + sizeof(TEMP_SUFFIX) > PATH_MAX)
		return -ENAMETOOLONG;

	pthread_mutex_lock(&replace_mutex);
	int lockfd;
	int r = lock_take(path, &lockfd);
	if (r == 0) {
		r = rewrite_file(path, user, new_hash, lastchg_day);
		lock_release(lockfd);
	}
	pthread_mutex_unlock(&replace_mutex);
	return r;
}
