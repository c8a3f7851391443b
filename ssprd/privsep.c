/* Privilege separation: what happens as root before and at the split. */
#include "ssprd/privsep.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"

#define EXIT_RUNTIME 1

static int main_fd = -1;
static pid_t parent_pid;

int privsep_lookup_user(const char *name, uid_t *uid, gid_t *gid)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	int e = getpwnam_r(name, &pw, buf, sizeof(buf), &res);
	if (e != 0 && e != ENOENT && e != ESRCH)
		return -e;
	if (!res)
		return -ENOENT;
	if (pw.pw_uid == 0 || pw.pw_gid == 0)
		return -EPERM;
	*uid = pw.pw_uid;
	*gid = pw.pw_gid;
	return 0;
}

/* One entry of the state directory: a regular file with a single link
 * (a hard link the engine made to a root file must not change owner). */
static int hand_over(int dfd, const char *name, uid_t uid, gid_t gid)
{
	struct stat st;
	/* O_PATH: no read permission needed on a file the engine owns, and
	 * the file is never opened. */
	int fd = openat(dfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ELOOP || errno == ENOENT ? 0 : -errno;
	int r = 0;
	if (fstat(fd, &st) < 0) {
		r = -errno;
	} else if (!S_ISREG(st.st_mode) || st.st_nlink != 1 ||
		   (st.st_uid != 0 && st.st_uid != uid)) {
		log_warning("state directory: leaving %s alone (not a regular file with one link "
			    "owned by root or uid %u)",
			    name, (unsigned)uid);
	} else if ((st.st_uid != uid || st.st_gid != gid) &&
		   fchownat(fd, "", uid, gid, AT_EMPTY_PATH) < 0) {
		r = -errno;
	}
	close(fd);
	return r;
}

int privsep_prepare_state(const char *dir, uid_t uid, gid_t gid)
{
	struct stat st;
	if (lstat(dir, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (st.st_uid != 0 && st.st_uid != uid) {
		log_error("state directory %s belongs to uid %u, neither root nor uid %u", dir,
			  (unsigned)st.st_uid, (unsigned)uid);
		return -EPERM;
	}
	/* Back to root first: under the unit's capability bounding set root
	 * cannot look into a 0700 directory it does not own. */
	if ((st.st_uid != 0 && lchown(dir, 0, 0) < 0) || chmod(dir, 0700) < 0)
		return -errno;
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	int r = 0, dup_fd = dup(dfd);
	DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
	if (!d) {
		r = -errno;
		if (dup_fd >= 0)
			close(dup_fd);
	}
	for (struct dirent *de; d && r == 0 && (de = readdir(d));)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			r = hand_over(dfd, de->d_name, uid, gid);
	if (d)
		closedir(d);
	if (r == 0 && fchown(dfd, uid, gid) < 0)
		r = -errno;
	close(dfd);
	return r;
}

pid_t privsep_fork(void)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	parent_pid = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(sv[0]);
		close(sv[1]);
		return -e;
	}
	if (pid == 0) {
		close(sv[0]);
		/* Until the drop clears it (any change of credentials does). */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		privsep_client_attach(sv[1]);
		return 0;
	}
	close(sv[1]);
	main_fd = sv[0];
	return pid;
}

static bool ids_are(uid_t uid, gid_t gid)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg, groups[2];
	return getresuid(&ru, &eu, &su) == 0 && ru == uid && eu == uid && su == uid &&
	       getresgid(&rg, &eg, &sg) == 0 && rg == gid && eg == gid && sg == gid &&
	       getgroups(2, groups) == 1 && groups[0] == gid;
}

int privsep_drop(uid_t uid, gid_t gid)
{
	/* glibc applies each of these to every thread (the voice callback
	 * server's are already running). */
	if (setgroups(1, &gid) < 0 || setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0)
		return -errno;
	if (!ids_are(uid, gid) || setresuid(0, 0, 0) == 0 || setegid(0) == 0) {
		log_error("privilege separation: the engine could still become root");
		return -EPERM;
	}
	/* Set again after the change of credentials: the engine dies with
	 * the privileged process, which may lack CAP_KILL to end it. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || prctl(PR_SET_DUMPABLE, 0) < 0 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	if (getppid() != parent_pid) {
		log_error("privilege separation: the privileged process is gone");
		return -ESRCH;
	}
	return 0;
}

/* The engine's status as ssprd's own. After a malformed message it may
 * not stop when told (no CAP_KILL): wait 2 s, then leave it to
 * PR_SET_PDEATHSIG. */
static int reap(pid_t engine, bool patient)
{
	int st = 0;
	for (int i = 0; i < 20 || patient; i++) {
		pid_t p = waitpid(engine, &st, patient ? 0 : WNOHANG);
		if (p == engine)
			return WIFEXITED(st) ? WEXITSTATUS(st) : EXIT_RUNTIME;
		if (p < 0 && errno != EINTR)
			return EXIT_RUNTIME;
		if (p == 0) {
			struct timespec ts = {0, 100 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
	}
	return EXIT_RUNTIME;
}

int privsep_parent_run(const struct sspr_conf *conf, pid_t engine, uid_t engine_uid, int sig_fd)
{
	/* Shadow hashes and new passwords pass through here. */
	prctl(PR_SET_DUMPABLE, 0);
	log_debug("privilege separation: engine pid %d runs as uid %u", (int)engine,
		  (unsigned)engine_uid);
	int r = privsep_serve_main(conf, main_fd, engine, engine_uid, sig_fd);
	/* A malformed message or no stop in time: the engine must not go
	 * on. Without CAP_KILL this fails, and our exit ends it instead
	 * (PR_SET_PDEATHSIG). */
	if (r < 0)
		kill(engine, SIGKILL);
	close(main_fd);
	main_fd = -1;
	sd_notify(0, "STOPPING=1");
	int status = reap(engine, r == 0);
	return r == 0 ? status : EXIT_RUNTIME;
}
