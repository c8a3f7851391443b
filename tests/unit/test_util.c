#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "tests/unit/suites.h"

START_TEST(utf8_validation)
{
	ck_assert(utf8_text_valid("abc", 3, 3, ""));
	ck_assert(!utf8_text_valid("abcd", 4, 3, ""));
	ck_assert(utf8_text_valid("密碼", 6, 10, ""));
	ck_assert(utf8_text_valid("😀", 4, 10, ""));
	ck_assert(!utf8_text_valid("a\nb", 3, 10, ""));
	ck_assert(utf8_text_valid("a\nb", 3, 10, "\n"));
	ck_assert(!utf8_text_valid("\x7f", 1, 10, ""));
	ck_assert(!utf8_text_valid("\xc2\x85", 2, 10, ""));	    /* C1 control NEL */
	ck_assert(!utf8_text_valid("\xe5\xaf", 2, 10, ""));	    /* truncated */
	ck_assert(!utf8_text_valid("\xf4\x90\x80\x80", 4, 10, "")); /* > U+10FFFF */
	ck_assert(!utf8_text_valid("\xe0\x80\xaf", 3, 10, ""));	    /* overlong */
}
END_TEST

START_TEST(secret_files)
{
	char dir[] = "/tmp/sspr-util-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof(path), "%s/pw", dir);
	int fd = open(path, O_WRONLY | O_CREAT, 0600);
	ck_assert_int_eq(write(fd, "s3cret\n", 7), 7);
	close(fd);
	char *s = NULL;
	ck_assert_int_eq(read_secret_file(path, 64, &s), 0);
	ck_assert_str_eq(s, "s3cret");
	secret_free(s);
	ck_assert_int_eq(read_secret_file(path, 3, &s), -EFBIG);
	chmod(path, 0644);
	ck_assert_int_eq(read_secret_file(path, 64, &s), -EPERM);
	unlink(path);
	ck_assert_int_eq(read_secret_file(path, 64, &s), -ENOENT);
	rmdir(dir);
	char *d = NULL;
	ck_assert_int_eq(strdup_bounded("abc", 2, &d), -E2BIG);
	ck_assert_int_eq(strdup_bounded("abc", 3, &d), 0);
	ck_assert_str_eq(d, "abc");
	free(d);
}
END_TEST

Suite *util_suite(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("util");
	tcase_add_test(tc, utf8_validation);
	tcase_add_test(tc, secret_files);
	suite_add_tcase(s, tc);
	return s;
}
