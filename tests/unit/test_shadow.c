/* shadow.c: only the target entry changes, owner and mode survive, failures
 * leave the original and no temp file, locking, parsing. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "ssprd/shadow.h"
#include "tests/unit/suites.h"

#define NEW_HASH "$y$j9T$abcdefghijklmnopqrstu.$0123456789abcdefghijklmnopqrstuvwxyzABCDE"

static char dir[64];
static char path[128];

static const char *const base_lines[] = {
    "root:$y$j9T$Qx4bR1k0cZ3nG2oV5pH8a/$3vDpY7mWq1tK9sLx0bN2cF4gJ6hE8iU5rO7aS9dZ1fC:19500:0:"
    "99999:7:::\n",
    "daemon:*:19400:0:99999:7:::\n",
    "alice:$6$rounds=5000$saltsalt$OldHashOldHashOldHash:19000:1:90:14:30:20500:\n",
    "bob:!:19001::::::\n",
    "carol:$y$j9T$carolsalt$carolhash:18000:0:99999:7:::\n",
};

static void setup(void)
{
	strcpy(dir, "/tmp/sspr-shadow-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/shadow", dir);
}

static void teardown(void)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		char p[512];
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

static void write_file(const char *p, const char *content)
{
	FILE *f = fopen(p, "we");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(content, 1, strlen(content), f), strlen(content));
	ck_assert_int_eq(fclose(f), 0);
}

static char *read_file(const char *p)
{
	char *buf = NULL;
	size_t len = 0;
	ck_assert_int_eq(read_small_file(p, 1 << 20, &buf, &len), 0);
	ck_assert_uint_eq(strlen(buf), len);
	return buf;
}

/* The base file, with line `replace` swapped for `with` (or nothing). */
static char *build(size_t replace, const char *with, bool final_newline)
{
	static char buf[4096];
	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(base_lines); i++)
		strcat(buf, (i == replace && with) ? with : base_lines[i]);
	if (!final_newline)
		buf[strlen(buf) - 1] = '\0';
	return strdup(buf);
}

/* Entries in dir other than the shadow file and its lock. */
static int stray_files(void)
{
	DIR *d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		const char *s = de->d_name;
		if (strcmp(s, ".") && strcmp(s, "..") && strcmp(s, "shadow") &&
		    strcmp(s, "shadow.lock"))
			n++;
	}
	closedir(d);
	return n;
}

START_TEST(test_only_target_line_changes)
{
	char *orig = build(SIZE_MAX, NULL, true);
	write_file(path, orig);
	ck_assert_int_eq(shadow_replace_hash(path, "alice", NEW_HASH, 20123), 0);
	char *want = build(2, "alice:" NEW_HASH ":20123:1:90:14:30:20500:\n", true);
	char *got = read_file(path);
	ck_assert_str_eq(got, want);
	ck_assert_int_eq(stray_files(), 0);
	free(orig);
	free(want);
	free(got);
}
END_TEST

START_TEST(test_empty_fields_kept)
{
	char *orig = build(SIZE_MAX, NULL, true);
	write_file(path, orig);
	ck_assert_int_eq(shadow_replace_hash(path, "bob", NEW_HASH, 0), 0);
	char *want = build(3, "bob:" NEW_HASH ":0::::::\n", true);
	char *got = read_file(path);
	ck_assert_str_eq(got, want);
	free(orig);
	free(want);
	free(got);
}
END_TEST

START_TEST(test_no_final_newline)
{
	char *orig = build(SIZE_MAX, NULL, false);
	write_file(path, orig);
	/* carol is the last line, the one without a newline. */
	ck_assert_int_eq(shadow_replace_hash(path, "carol", NEW_HASH, 20001), 0);
	char *want = build(4, "carol:" NEW_HASH ":20001:0:99999:7:::\n", false);
	char *got = read_file(path);
	ck_assert_str_eq(got, want);
	ck_assert_int_ne(got[strlen(got) - 1], '\n');
	free(got);
	/* And a middle line of that file keeps the missing final newline too. */
	ck_assert_int_eq(shadow_replace_hash(path, "root", NEW_HASH, 20002), 0);
	got = read_file(path);
	ck_assert_ptr_nonnull(strstr(got, "root:" NEW_HASH ":20002:0:99999:7:::\ndaemon:"));
	ck_assert_int_ne(got[strlen(got) - 1], '\n');
	free(orig);
	free(want);
	free(got);
}
END_TEST

START_TEST(test_lastchg_and_read_back)
{
	char *orig = build(SIZE_MAX, NULL, true);
	write_file(path, orig);
	ck_assert_int_eq(shadow_replace_hash(path, "alice", NEW_HASH, 20456), 0);
	struct shadow_entry e;
	ck_assert_int_eq(shadow_read_entry(path, "alice", &e), 0);
	ck_assert_str_eq(e.name, "alice");
	ck_assert_str_eq(e.hash, NEW_HASH);
	ck_assert_int_eq(e.lastchg, 20456);
	ck_assert_int_eq(e.min, 1);
	ck_assert_int_eq(e.max, 90);
	ck_assert_int_eq(e.warn, 14);
	ck_assert_int_eq(e.inact, 30);
	ck_assert_int_eq(e.expire, 20500);
	shadow_entry_clear(&e);
	ck_assert_ptr_null(e.name);
	ck_assert_ptr_null(e.hash);
	free(orig);
}
END_TEST

START_TEST(test_mode_and_owner_kept)
{
	char *orig = build(SIZE_MAX, NULL, true);
	write_file(path, orig);
	ck_assert_int_eq(chmod(path, 0640), 0);
	bool root = geteuid() == 0;
	if (root)
		ck_assert_int_eq(chown(path, 12345, 54321), 0);
	struct stat before, after;
	ck_assert_int_eq(stat(path, &before), 0);
	ck_assert_int_eq(shadow_replace_hash(path, "alice", NEW_HASH, 20000), 0);
	ck_assert_int_eq(stat(path, &after), 0);
	ck_assert_uint_ne(after.st_ino, before.st_ino); /* replaced, not edited */
	ck_assert_uint_eq(after.st_mode & 07777, 0640);
	ck_assert_uint_eq(after.st_uid, before.st_uid);
	ck_assert_uint_eq(after.st_gid, before.st_gid);
	if (root) {
		ck_assert_uint_eq(after.st_uid, 12345);
		ck_assert_uint_eq(after.st_gid, 54321);
	}
	free(orig);
}
END_TEST

START_TEST(test_fail_before_rename)
{
	char *orig = build(SIZE_MAX, NULL, true);
	write_file(path, orig);
	shadow_test_fail_before_rename(true);
	ck_assert_int_eq(shadow_replace_hash(path, "alice", NEW_HASH, 20000), -EIO);
	shadow_test_fail_before_rename(false);
	char *got = read_file(path);
	ck_assert_str_eq(got, orig);
	ck_assert_int_eq(stray_files(), 0);
	free(got);
	/* The hook is gone: the same call now goes through. */
	ck_assert_int_eq(shadow_replace_hash(path, "alice", NEW_HASH, 20000), 0);
	got = read_file(path);
	ck_assert_str_ne(got, orig);
	free(got);
	free(orig);
}
END_TEST

START_TEST(test_user_absent)
{
	char *orig = build(SIZE_MAX, NULL, true);
	write_file(path, orig);
	ck_assert_int_eq(shadow_replace_hash(path, "mallory", NEW_HASH, 20000), -ENOENT);
	/* A prefix of an existing name is a different user. */
	ck_assert_int_eq(shadow_replace_hash(path, "ali", NEW_HASH, 20000), -ENOENT);
	char *got = read_file(path);
	ck_assert_str_eq(got, orig);
	ck_assert_int_eq(stray_files(), 0);
	struct shadow_entry e;
	ck_assert_int_eq(shadow_read_entry(path, "mallory", &e), -ENOENT);
	ck_assert_ptr_null(e.hash);
	free(got);
	free(orig);
}
END_TEST

START_TEST(test_lock_file)
{
	char *orig = build(SIZE_MAX, NULL, true);
	write_file(path, orig);
	ck_assert_int_eq(shadow_replace_hash(path, "alice", NEW_HASH, 20000), 0);
	char lock[160];
	snprintf(lock, sizeof(lock), "%s.lock", path);
	struct stat st;
	ck_assert_int_eq(stat(lock, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	char *want = build(2, "alice:" NEW_HASH ":20000:1:90:14:30:20500:\n", true);
	char *got = read_file(path);
	ck_assert_str_eq(got, want);
	free(want);
	free(got);
	free(orig);
}
END_TEST

/* A child holds the lock briefly: the writer waits for it, then succeeds. */
START_TEST(test_lock_waits_for_holder)
{
	char *orig = build(SIZE_MAX, NULL, true);
	write_file(path, orig);
	char lock[160];
	snprintf(lock, sizeof(lock), "%s.lock", path);
	int p[2];
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int fd = open(lock, O_CREAT | O_RDWR | O_CLOEXEC, 0600);
		struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
		if (fd < 0 || fcntl(fd, F_SETLK, &fl) < 0)
			_exit(1);
		if (write(p[1], "L", 1) != 1)
			_exit(1);
		usleep(400 * 1000);
		_exit(0);
	}
	close(p[1]);
	char c;
	ck_assert_int_eq(read(p[0], &c, 1), 1);
	close(p[0]);
	int64_t start = now_ms();
	ck_assert_int_eq(shadow_replace_hash(path, "alice", NEW_HASH, 20000), 0);
	ck_assert_int_ge(now_ms() - start, 300);
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	struct shadow_entry e;
	ck_assert_int_eq(shadow_read_entry(path, "alice", &e), 0);
	ck_assert_str_eq(e.hash, NEW_HASH);
	shadow_entry_clear(&e);
	free(orig);
}
END_TEST

START_TEST(test_read_entry_fields)
{
	char *orig = build(SIZE_MAX, NULL, true);
	write_file(path, orig);
	struct shadow_entry e;
	ck_assert_int_eq(shadow_read_entry(path, "alice", &e), 0);
	ck_assert_str_eq(e.hash, "$6$rounds=5000$saltsalt$OldHashOldHashOldHash");
	ck_assert_int_eq(e.lastchg, 19000);
	ck_assert_int_eq(e.min, 1);
	ck_assert_int_eq(e.max, 90);
	ck_assert_int_eq(e.warn, 14);
	ck_assert_int_eq(e.inact, 30);
	ck_assert_int_eq(e.expire, 20500);
	shadow_entry_clear(&e);
	ck_assert_int_eq(shadow_read_entry(path, "bob", &e), 0);
	ck_assert_str_eq(e.name, "bob");
	ck_assert_str_eq(e.hash, "!");
	ck_assert_int_eq(e.lastchg, 19001);
	ck_assert_int_eq(e.min, -1);
	ck_assert_int_eq(e.max, -1);
	ck_assert_int_eq(e.warn, -1);
	ck_assert_int_eq(e.inact, -1);
	ck_assert_int_eq(e.expire, -1);
	shadow_entry_clear(&e);
	ck_assert_int_eq(shadow_read_entry(path, "carol", &e), 0);
	ck_assert_int_eq(e.max, 99999);
	ck_assert_int_eq(e.inact, -1);
	shadow_entry_clear(&e);
	free(orig);
}
END_TEST

START_TEST(test_malformed_files)
{
	struct shadow_entry e;
	/* A line over the bound makes the whole file unusable. */
	char *big = malloc(6000);
	ck_assert_ptr_nonnull(big);
	strcpy(big, "alice:x:1:2:3:4:5:6:\nzed:");
	size_t n = strlen(big);
	memset(big + n, 'a', 5000);
	strcpy(big + n + 5000, ":1::::::\n");
	write_file(path, big);
	ck_assert_int_eq(shadow_read_entry(path, "alice", &e), -EINVAL);
	ck_assert_int_eq(shadow_replace_hash(path, "alice", NEW_HASH, 1), -EINVAL);
	char *got = read_file(path);
	ck_assert_str_eq(got, big);
	ck_assert_int_eq(stray_files(), 0);
	free(got);
	free(big);

	/* Wrong field counts and non-numeric fields in the target entry. */
	const char *bad[] = {
	    "alice:x:1:2:3:4:5:6\n",
	    "alice:x:1:2:3:4:5:6:7:8\n",
	    "alice:x:1:2x:3:4:5:6:\n",
	    "alice:x:1:-2:3:4:5:6:\n",
	    "alice:x:1::::::\nalice:y:1::::::\n",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		write_file(path, bad[i]);
		ck_assert_int_eq(shadow_read_entry(path, "alice", &e), -EINVAL);
		ck_assert_int_eq(shadow_replace_hash(path, "alice", NEW_HASH, 1), -EINVAL);
		got = read_file(path);
		ck_assert_str_eq(got, bad[i]);
		free(got);
		ck_assert_int_eq(stray_files(), 0);
	}
	/* Malformed lines of other users are copied untouched. */
	write_file(path, "junk line\nalice:x:1::::::\n");
	ck_assert_int_eq(shadow_replace_hash(path, "alice", NEW_HASH, 2), 0);
	got = read_file(path);
	ck_assert_str_eq(got, "junk line\nalice:" NEW_HASH ":2::::::\n");
	free(got);
}
END_TEST

START_TEST(test_invalid_arguments)
{
	char *orig = build(SIZE_MAX, NULL, true);
	write_file(path, orig);
	const char *bad_hashes[] = {"", "$6$a:b", "$6$a\nroot::0:0:99999:7:::", "$6$a\tb",
				    "$6$a\rb"};
	for (size_t i = 0; i < ARRAY_SIZE(bad_hashes); i++)
		ck_assert_int_eq(shadow_replace_hash(path, "alice", bad_hashes[i], 20000), -EINVAL);
	const char *bad_users[] = {"", "alice:", "ali:ce", "alice\n"};
	for (size_t i = 0; i < ARRAY_SIZE(bad_users); i++)
		ck_assert_int_eq(shadow_replace_hash(path, bad_users[i], NEW_HASH, 20000), -EINVAL);
	ck_assert_int_eq(shadow_replace_hash(path, NULL, NEW_HASH, 20000), -EINVAL);
	ck_assert_int_eq(shadow_replace_hash(path, "alice", NULL, 20000), -EINVAL);
	ck_assert_int_eq(shadow_replace_hash(path, "alice", NEW_HASH, -1), -EINVAL);
	struct shadow_entry e;
	ck_assert_int_eq(shadow_read_entry(path, "ali:ce", &e), -EINVAL);
	char *got = read_file(path);
	ck_assert_str_eq(got, orig);
	ck_assert_int_eq(stray_files(), 0);
	free(got);
	free(orig);
}
END_TEST

START_TEST(test_symlink_refused)
{
	char *orig = build(SIZE_MAX, NULL, true);
	char real[160];
	snprintf(real, sizeof(real), "%s/real", dir);
	write_file(real, orig);
	ck_assert_int_eq(symlink(real, path), 0);
	ck_assert_int_eq(shadow_replace_hash(path, "alice", NEW_HASH, 20000), -ELOOP);
	struct shadow_entry e;
	ck_assert_int_eq(shadow_read_entry(path, "alice", &e), -ELOOP);
	char *got = read_file(real);
	ck_assert_str_eq(got, orig);
	struct stat st;
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	free(got);
	free(orig);
}
END_TEST

START_TEST(test_missing_file)
{
	struct shadow_entry e;
	ck_assert_int_eq(shadow_read_entry(path, "alice", &e), -ENOENT);
	ck_assert_int_eq(shadow_replace_hash(path, "alice", NEW_HASH, 1), -ENOENT);
	ck_assert_int_eq(stray_files(), 0);
}
END_TEST

Suite *shadow_suite(void)
{
	Suite *s = suite_create("shadow");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_only_target_line_changes);
	tcase_add_test(tc, test_empty_fields_kept);
	tcase_add_test(tc, test_no_final_newline);
	tcase_add_test(tc, test_lastchg_and_read_back);
	tcase_add_test(tc, test_mode_and_owner_kept);
	tcase_add_test(tc, test_fail_before_rename);
	tcase_add_test(tc, test_user_absent);
	tcase_add_test(tc, test_lock_file);
	tcase_add_test(tc, test_lock_waits_for_holder);
	tcase_add_test(tc, test_read_entry_fields);
	tcase_add_test(tc, test_malformed_files);
	tcase_add_test(tc, test_invalid_arguments);
	tcase_add_test(tc, test_symlink_refused);
	tcase_add_test(tc, test_missing_file);
	suite_add_tcase(s, tc);
	return s;
}
