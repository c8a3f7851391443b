#include "ssprd/listen.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "common/log.h"

#define BACKLOG 64

static int from_systemd(int *fd)
{
	int n = sd_listen_fds(1);
	if (n <= 0)
		return n;
	if (n > 1) {
		log_error("systemd passed %d sockets; expected one", n);
		return -EINVAL;
	}
	if (sd_is_socket_unix(SD_LISTEN_FDS_START, SOCK_STREAM, 1, NULL, 0) <= 0) {
		log_error("the socket passed by systemd is not a listening AF_UNIX stream socket");
		return -EINVAL;
	}
	*fd = SD_LISTEN_FDS_START;
	/* sd_listen_fds(1) set CLOEXEC; accept must not block the loop. */
	int fl = fcntl(*fd, F_GETFL);
	if (fl < 0 || fcntl(*fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	return 1;
}

/* A stale socket file from a crashed daemon may be removed; a live one
 * means another ssprd is serving this path. */
static int remove_stale(const char *path, const struct sockaddr_un *sa)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		log_error("%s exists and is not a socket", path);
		return -EEXIST;
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int r = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	close(fd);
	if (r == 0) {
		log_error("another ssprd is listening on %s", path);
		return -EADDRINUSE;
	}
	return unlink(path) < 0 ? -errno : 0;
}

static int make_parent(const char *path)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0755) == 0) {
		/* ssprd runs under umask 077; users must still reach the
		 * socket (sspr status). */
		if (chmod(dir, 0755) < 0)
			return -errno;
	} else if (errno != EEXIST) {
		return -errno;
	}
	return 0;
}

int listen_socket_open(const char *path, bool *activated)
{
	int fd = -1;
	int r = from_systemd(&fd);
	if (r < 0)
		return r;
	if (r > 0) {
		*activated = true;
		return fd;
	}
	*activated = false;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	r = make_parent(path);
	if (r == 0)
		r = remove_stale(path, &sa);
	if (r < 0)
		return r;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* Everyone may connect (sspr status runs as the user); what a peer
	 * may ask is decided per request from SO_PEERCRED. */
	mode_t old = umask(0111);
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r < 0 || listen(fd, BACKLOG) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

void listen_socket_close(int fd, const char *path, bool activated)
{
	if (fd < 0)
		return;
	close(fd);
	if (!activated)
		unlink(path);
}
