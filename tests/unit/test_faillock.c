/* faillock.c: counting and clearing pam_faillock tallies in place, never
 * through a link and never creating one; the lock pam_faillock takes; the
 * tally directory from faillock.conf; the real faillock(8) reading the
 * result when it is installed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "ssprd/faillock.h"
#include "tests/unit/suites.h"

/* Linux-PAM modules/pam_faillock/faillock.h, struct tally. */
struct tally_rec {
	char source[52];
	uint16_t reserved;
	uint16_t status;
	uint64_t time;
};
_Static_assert(sizeof(struct tally_rec) == 64, "pam_faillock's record is 64 bytes");
#define TALLY_STATUS_VALID 0x1
#define TALLY_STATUS_RHOST 0x2
#define TALLY_STATUS_TTY   0x4

#define USER "nobody"

static char dir[64];
static char tally[128];

static void rm_tree(const char *p)
{
	DIR *d = opendir(p);
	if (!d) {
		unlink(p);
		return;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		char sub[512];
		snprintf(sub, sizeof(sub), "%s/%s", p, de->d_name);
		struct stat st;
		if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
			rm_tree(sub);
		else
			unlink(sub);
	}
	closedir(d);
	rmdir(p);
}

static void setup(void)
{
	strcpy(dir, "/tmp/sspr-faillock-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(tally, sizeof(tally), "%s/" USER, dir);
}

static void teardown(void)
{
	rm_tree(dir);
}

static void write_tally(const char *p, unsigned n, size_t extra)
{
	static const char *const sources[] = {"192.0.2.7", "tty3", "sshd"};
	static const uint16_t kinds[] = {TALLY_STATUS_RHOST, TALLY_STATUS_TTY, 0};
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	for (unsigned i = 0; i < n; i++) {
		struct tally_rec t = {0};
		snprintf(t.source, sizeof(t.source), "%s", sources[i % 3]);
		t.status = TALLY_STATUS_VALID | kinds[i % 3];
		t.time = 1700000000u + i;
		ck_assert_int_eq(write(fd, &t, sizeof(t)), (ssize_t)sizeof(t));
	}
	char junk[64] = {0};
	ck_assert_uint_lt(extra, sizeof(junk));
	ck_assert_int_eq(write(fd, junk, extra), (ssize_t)extra);
	ck_assert_int_eq(close(fd), 0);
}

static off_t file_size(const char *p)
{
	struct stat st;
	ck_assert_int_eq(lstat(p, &st), 0);
	return st.st_size;
}

START_TEST(test_count_and_reset)
{
	unsigned n = 99;
	struct stat before, after;
	write_tally(tally, 3, 0);
	ck_assert_int_eq(stat(tally, &before), 0);
	ck_assert_int_eq(faillock_count(dir, USER, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(faillock_reset(dir, USER), 0);
	ck_assert_int_eq(stat(tally, &after), 0);
	ck_assert_int_eq(after.st_size, 0);
	/* Emptied in place: pam_faillock's owner and mode stay. */
	ck_assert_uint_eq(after.st_ino, before.st_ino);
	ck_assert_uint_eq(after.st_mode, before.st_mode);
	ck_assert_int_eq(faillock_count(dir, USER, &n), 0);
	ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(test_partial_record_not_counted)
{
	unsigned n = 0;
	write_tally(tally, 3, 10);
	ck_assert_int_eq(file_size(tally), 3 * 64 + 10);
	ck_assert_int_eq(faillock_count(dir, USER, &n), 0);
	ck_assert_uint_eq(n, 3);
}
END_TEST

START_TEST(test_trailing_slash_dir)
{
	char d[96];
	unsigned n = 0;
	write_tally(tally, 2, 0);
	snprintf(d, sizeof(d), "%s//", dir);
	ck_assert_int_eq(faillock_count(d, USER, &n), 0);
	ck_assert_uint_eq(n, 2);
}
END_TEST

START_TEST(test_missing_file_not_created)
{
	unsigned n = 7;
	ck_assert_int_eq(faillock_count(dir, USER, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(faillock_reset(dir, USER), 0);
	ck_assert_int_eq(access(tally, F_OK), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

/* pam_faillock creates its directory with the first failure after boot. */
START_TEST(test_missing_dir_means_no_failures)
{
	char d[96];
	unsigned n = 7;
	snprintf(d, sizeof(d), "%s/absent", dir);
	ck_assert_int_eq(faillock_reset(d, USER), 0);
	ck_assert_int_eq(faillock_count(d, USER, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(access(d, F_OK), -1);
}
END_TEST

START_TEST(test_user_symlink_refused)
{
	char target[128];
	unsigned n = 7;
	snprintf(target, sizeof(target), "%s/target", dir);
	write_tally(target, 3, 0);
	ck_assert_int_eq(symlink(target, tally), 0);
	ck_assert_int_eq(faillock_reset(dir, USER), -ELOOP);
	ck_assert_int_eq(faillock_count(dir, USER, &n), -ELOOP);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(file_size(target), 3 * 64);
}
END_TEST

START_TEST(test_dir_symlink_refused)
{
	char real[96], link[96], linkslash[100];
	unsigned n = 7;
	snprintf(real, sizeof(real), "%s/real", dir);
	snprintf(link, sizeof(link), "%s/link", dir);
	snprintf(linkslash, sizeof(linkslash), "%s/", link);
	ck_assert_int_eq(mkdir(real, 0700), 0);
	ck_assert_int_eq(symlink(real, link), 0);
	char inside[128];
	snprintf(inside, sizeof(inside), "%s/" USER, real);
	write_tally(inside, 3, 0);
	int r = faillock_reset(link, USER);
	ck_assert_msg(r == -ELOOP || r == -ENOTDIR, "reset through a linked dir: %d", r);
	/* A trailing slash makes the kernel follow even with O_NOFOLLOW. */
	r = faillock_reset(linkslash, USER);
	ck_assert_msg(r == -ELOOP || r == -ENOTDIR, "reset through link/: %d", r);
	r = faillock_count(link, USER, &n);
	ck_assert_msg(r == -ELOOP || r == -ENOTDIR, "count through a linked dir: %d", r);
	ck_assert_int_eq(file_size(inside), 3 * 64);
}
END_TEST

START_TEST(test_bad_names_refused)
{
	char outside[128];
	snprintf(outside, sizeof(outside), "%s/victim", dir);
	char sub[96];
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	write_tally(outside, 2, 0);
	static const char *const names[] = {"../victim", "sub/../victim", "", ".", "..", "-x"};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		ck_assert_int_eq(faillock_reset(sub, names[i]), -EINVAL);
	ck_assert_int_eq(file_size(outside), 2 * 64);
	ck_assert_int_eq(faillock_reset("relative/dir", USER), -EINVAL);
}
END_TEST

START_TEST(test_not_regular_refused)
{
	unsigned n = 7;
	/* Opening a FIFO must neither block nor be taken for a tally. */
	ck_assert_int_eq(mkfifo(tally, 0600), 0);
	ck_assert_int_eq(faillock_reset(dir, USER), -EBADFD);
	ck_assert_int_eq(faillock_count(dir, USER, &n), -EBADFD);
	ck_assert_int_eq(unlink(tally), 0);
	ck_assert_int_eq(mkdir(tally, 0700), 0);
	ck_assert_int_eq(faillock_reset(dir, USER), -EISDIR);
}
END_TEST

/* flock locks belong to the open file description, so a second open in
 * this process stands in for pam_faillock holding the tally. */
START_TEST(test_waits_for_pam_faillock_lock)
{
	write_tally(tally, 3, 0);
	int held = open(tally, O_RDWR | O_CLOEXEC);
	ck_assert_int_ge(held, 0);
	ck_assert_int_eq(flock(held, LOCK_EX), 0);
	int64_t t0 = now_ms();
	ck_assert_int_eq(faillock_reset(dir, USER), -ETIMEDOUT);
	ck_assert_int_ge(now_ms() - t0, 1000);
	ck_assert_int_eq(file_size(tally), 3 * 64);
	ck_assert_int_eq(flock(held, LOCK_UN), 0);
	ck_assert_int_eq(faillock_reset(dir, USER), 0);
	ck_assert_int_eq(file_size(tally), 0);
	close(held);
}
END_TEST

static void write_text(const char *p, const char *text)
{
	FILE *f = fopen(p, "we");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

START_TEST(test_dir_from_conf)
{
	char conf[96], out[64];
	snprintf(conf, sizeof(conf), "%s/faillock.conf", dir);
	write_text(conf, "# The directory where the user files are kept.\n"
			 "# dir = /commented/out\n"
			 "\n"
			 "deny = 3\n"
			 "   dir   =   /x/y   # trailing comment\n"
			 "dir = relative/ignored\n"
			 "unlock_time = 600\n");
	ck_assert_int_eq(faillock_dir(NULL, conf, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "/x/y");

	write_text(conf, "dir=/first\ndir /second\n");
	ck_assert_int_eq(faillock_dir(NULL, conf, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "/second");

	/* "directory" is another key, not dir. */
	write_text(conf, "directory = /nope\n# dir = /nope\nsilent\n");
	ck_assert_int_eq(faillock_dir(NULL, conf, out, sizeof(out)), 0);
	ck_assert_str_eq(out, FAILLOCK_DEFAULT_DIR);

	write_text(conf, "dir = /a/rather/long/directory/name/for/a/small/buffer\n");
	ck_assert_int_eq(faillock_dir(NULL, conf, out, 8), -ENAMETOOLONG);
}
END_TEST

START_TEST(test_dir_defaults)
{
	char conf[96], out[64];
	snprintf(conf, sizeof(conf), "%s/absent.conf", dir);
	ck_assert_int_eq(faillock_dir(NULL, conf, out, sizeof(out)), 0);
	ck_assert_str_eq(out, FAILLOCK_DEFAULT_DIR);
	/* An explicit directory wins over the file. */
	snprintf(conf, sizeof(conf), "%s/faillock.conf", dir);
	write_text(conf, "dir = /from/conf\n");
	ck_assert_int_eq(faillock_dir("/explicit", conf, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "/explicit");
	ck_assert_int_eq(faillock_dir("explicit", conf, out, sizeof(out)), -EINVAL);
	/* A file that exists but cannot be read is an error, not the default. */
	ck_assert_int_eq(faillock_dir(NULL, dir, out, sizeof(out)), -EISDIR);
}
END_TEST

/* Output of the real `faillock --dir dir --user USER`, or NULL when it is
 * not installed. */
static char *run_faillock(void)
{
	char cmd[256], buf[4096];
	if (access("/usr/sbin/faillock", X_OK) < 0 || !getpwnam(USER))
		return NULL;
	snprintf(cmd, sizeof(cmd), "/usr/sbin/faillock --dir %s --user " USER " 2>&1", dir);
	FILE *p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	size_t len = fread(buf, 1, sizeof(buf) - 1, p);
	buf[len] = '\0';
	ck_assert_int_eq(pclose(p), 0);
	return strdup(buf);
}

static unsigned count_lines(const char *s)
{
	unsigned n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

START_TEST(test_real_faillock_reads_result)
{
	write_tally(tally, 3, 0);
	char *before = run_faillock();
	if (!before) {
		fprintf(stderr, "faillock: /usr/sbin/faillock or user " USER
				" missing, real-tool check skipped\n");
		return;
	}
	/* Our records are pam_faillock's: it shows each with its type. */
	ck_assert_uint_eq(count_lines(before), 2 + 3);
	ck_assert_ptr_nonnull(strstr(before, "RHOST 192.0.2.7"));
	ck_assert_ptr_nonnull(strstr(before, "TTY   tty3"));
	ck_assert_ptr_nonnull(strstr(before, "SVC   sshd"));
	free(before);
	ck_assert_int_eq(faillock_reset(dir, USER), 0);
	char *after = run_faillock();
	ck_assert_ptr_nonnull(after);
	/* "nobody:" and the column header, no record. */
	ck_assert_uint_eq(count_lines(after), 2);
	ck_assert_ptr_nonnull(strstr(after, USER ":\nWhen"));
	free(after);
}
END_TEST

Suite *faillock_suite(void)
{
	Suite *s = suite_create("faillock");
	TCase *tc = tcase_create("tally");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_count_and_reset);
	tcase_add_test(tc, test_partial_record_not_counted);
	tcase_add_test(tc, test_trailing_slash_dir);
	tcase_add_test(tc, test_missing_file_not_created);
	tcase_add_test(tc, test_missing_dir_means_no_failures);
	tcase_add_test(tc, test_user_symlink_refused);
	tcase_add_test(tc, test_dir_symlink_refused);
	tcase_add_test(tc, test_bad_names_refused);
	tcase_add_test(tc, test_not_regular_refused);
	tcase_add_test(tc, test_waits_for_pam_faillock_lock);
	tcase_add_test(tc, test_dir_from_conf);
	tcase_add_test(tc, test_dir_defaults);
	tcase_add_test(tc, test_real_faillock_reads_result);
	suite_add_tcase(s, tc);
	return s;
}
