/* pam_sspr.so on its own: exports, arguments, an absent or hung daemon. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "tests/integration/harness.h"
#include "tests/integration/suites.h"

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

START_TEST(exports_only_pam_entry_points)
{
	char out[4096];
	int st = run_cmd(out, sizeof(out), "nm -D --defined-only %s/pam_sspr.so | awk '{print $3}'",
			 getenv("SSPR_BUILD"));
	ck_assert_int_eq(st, 0);
	int n = 0;
	for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n"), n++)
		ck_assert_msg(strncmp(line, "pam_sm_", 7) == 0, "unexpected export: %s", line);
	ck_assert_int_ge(n, 1);
}
END_TEST

START_TEST(unknown_argument_is_an_error)
{
	struct convo c = {.answers = {"whatever"}};
	ck_assert_int_eq(pam_run("sspr-badarg", "carol", &c), PAM_SERVICE_ERR);
	ck_assert_uint_eq(c.next, 0); /* refused before asking anything */
}
END_TEST

START_TEST(daemon_not_running)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct convo c = {.answers = {"", OLD_PASSWORD}};
	ck_assert_int_eq(pam_run(SERVICE, "carol", &c), PAM_SUCCESS);
	ck_assert_msg(strstr(c.transcript, "E:Password reset is not available right now.") != NULL,
		      "%s", c.transcript);
	ck_assert_msg(seconds_since(&t0) < 3.0, "took %.1f s", seconds_since(&t0));
}
END_TEST

START_TEST(hung_daemon_times_out)
{
	/* A socket that accepts connections (backlog) but never answers:
	 * the login must go on after timeout=2. */
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", run_path("hung.sock"));
	unlink(sa.sun_path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(fd, 4), 0);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct convo c = {.answers = {"", OLD_PASSWORD}};
	ck_assert_int_eq(pam_run("sspr-hung", "carol", &c), PAM_SUCCESS);
	double took = seconds_since(&t0);
	ck_assert_msg(strstr(c.transcript, "E:Password reset is not available right now.") != NULL,
		      "%s", c.transcript);
	ck_assert_msg(took >= 1.9 && took < 5.0, "took %.1f s", took);
	close(fd);
	unlink(sa.sun_path);
}
END_TEST

static void start_without_daemon(void)
{
	struct world_opts o = {.no_daemon = true};
	world_start(&o);
}

Suite *module_suite(void)
{
	Suite *s = suite_create("module");
	TCase *tc = tcase_create("module");
	tcase_add_checked_fixture(tc, start_without_daemon, world_stop);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, exports_only_pam_entry_points);
	tcase_add_test(tc, unknown_argument_is_an_error);
	tcase_add_test(tc, daemon_not_running);
	tcase_add_test(tc, hung_daemon_times_out);
	suite_add_tcase(s, tc);
	return s;
}
