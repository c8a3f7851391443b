/* ssprd as a process: configuration errors, peers, stopping, systemd. */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/proto.h"
#include "tests/integration/harness.h"
#include "tests/integration/suites.h"

static const char *build(void)
{
	return getenv("SSPR_BUILD");
}

static int connect_daemon(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", run_path("ssprd.sock"));
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

START_TEST(check_config_names_file_and_line)
{
	FILE *f = fopen(run_path("bad.conf"), "we");
	fputs("[general]\nmin_uid = 1000\nno_such_key = 1\n", f);
	fclose(f);
	char out[1024];
	int st = run_cmd(out, sizeof(out), "%s/ssprd --config %s --check-config 2>&1", build(),
			 run_path("bad.conf"));
	ck_assert_int_eq(st, 2);
	char want[600];
	snprintf(want, sizeof(want), "%s:3:", run_path("bad.conf"));
	ck_assert_msg(strstr(out, want) != NULL, "%s", out);
	st = run_cmd(out, sizeof(out), "%s/ssprd --config %s --check-config 2>&1", build(),
		     run_path("sspr.conf"));
	ck_assert_msg(st == 0 && strstr(out, "configuration OK"), "%d %s", st, out);
}
END_TEST

START_TEST(ssprctl_show_and_enroll)
{
	char out[2048];
	const char *conf = run_path("sspr.conf");
	int st = run_cmd(out, sizeof(out), "%s/ssprctl --config %s show carol 2>&1", build(), conf);
	ck_assert_msg(st == 0 && strstr(out, "c***@e***.org"), "%d %s", st, out);
	ck_assert_ptr_null(strstr(out, "carol@example.org"));
	st = run_cmd(out, sizeof(out), "%s/ssprctl --config %s show dave 2>&1", build(), conf);
	ck_assert_msg(st == 0 && strstr(out, "nothing registered"), "%d %s", st, out);
	st = run_cmd(out, sizeof(out), "%s/ssprctl --config %s show ghost 2>&1", build(), conf);
	ck_assert_int_eq(st, 2);
	st = run_cmd(
	    out, sizeof(out),
	    "%s/ssprctl --config %s enroll dave --email 'd@x.org\r\nRCPT TO:<e@y.org>' 2>&1",
	    build(), conf);
	ck_assert_int_eq(st, 2);
	st = run_cmd(out, sizeof(out),
		     "%s/ssprctl --config %s enroll dave --email dave@example.net", build(), conf);
	ck_assert_int_eq(st, 0);
	st = run_cmd(out, sizeof(out), "%s/ssprctl --config %s show dave 2>&1", build(), conf);
	ck_assert_msg(st == 0 && strstr(out, "d***@e***.net"), "%d %s", st, out);
}
END_TEST

START_TEST(state_files_are_private)
{
	struct stat st;
	ck_assert_int_eq(stat(run_path("state"), &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0700);
	ck_assert_int_eq(stat(run_path("state/sspr.db"), &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(stat(run_path("state/code.key"), &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(st.st_size, 32);
}
END_TEST

START_TEST(non_root_peer_is_refused)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(10);
		int fd = connect_daemon();
		struct proto_msg m;
		const char *f[] = {"carol", "login", "", "tty1"};
		if (proto_msg_build(&m, PROTO_RESET_START, 4, f) < 0 ||
		    proto_write(fd, &m, 2000) < 0)
			_exit(11);
		proto_msg_clear(&m);
		enum proto_status status;
		if (proto_read(fd, &m, 5000) < 0 || proto_end_status(&m, &status) < 0)
			_exit(12);
		_exit(status == PROTO_STATUS_DENIED ? 0 : 13);
	}
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_int_eq(WEXITSTATUS(st), 0);
	/* The admin tool says so with its own exit status. */
	char out[1024];
	int rc = run_cmd(out, sizeof(out),
			 "setpriv --reuid=65534 --regid=65534 --clear-groups "
			 "%s/ssprctl --config %s show carol 2>&1",
			 build(), run_path("sspr.conf"));
	ck_assert_msg(rc == 4, "%d %s", rc, out);
}
END_TEST

START_TEST(user_status_for_ordinary_user)
{
	/* uid 1001 is carol in the test passwd file. */
	char out[1024];
	int rc = run_cmd(out, sizeof(out),
			 "setpriv --reuid=1001 --regid=1001 --clear-groups "
			 "%s/sspr --config %s status 2>&1",
			 build(), run_path("sspr.conf"));
	ck_assert_msg(rc == 0 && strstr(out, "user: carol") && strstr(out, "c***@e***.org"),
		      "%d %s", rc, out);
}
END_TEST

START_TEST(socket_directory_is_reachable)
{
	/* ssprd runs with umask 077, yet the directory it makes for its
	 * socket must let users through. */
	char out[2048];
	int rc =
	    run_cmd(out, sizeof(out),
		    "set -e; d=%s; sed -e \"s|^socket = .*|socket = $d/sub/s.sock|\" "
		    "-e \"s|^state_dir = .*|state_dir = $d/state2|\" $d/sspr.conf >$d/sub.conf; "
		    "%s/ssprd --config $d/sub.conf 2>$d/sub.log & pid=$!; "
		    "for i in $(seq 100); do [ -S $d/sub/s.sock ] && break; sleep 0.05; done; "
		    "stat -c '%%a %%n' $d/sub $d/sub/s.sock $d/state2; kill $pid; wait $pid",
		    run_path(""), build());
	ck_assert_msg(rc == 0, "%d %s", rc, out);
	ck_assert_msg(strstr(out, "755 ") && strstr(out, "666 ") && strstr(out, "700 "), "%s", out);
}
END_TEST

START_TEST(malformed_frame_closes_connection)
{
	int fd = connect_daemon();
	/* Right header, body length over the maximum. */
	const unsigned char bad[] = {'S', 'P', 1, PROTO_RESET_START, 0, 1, 0, 0};
	ck_assert_int_eq(write(fd, bad, sizeof(bad)), (ssize_t)sizeof(bad));
	char buf[64];
	ck_assert_int_eq(read(fd, buf, sizeof(buf)), 0);
	close(fd);
	/* The daemon is still serving others. */
	char out[1024];
	ck_assert_int_eq(run_cmd(out, sizeof(out), "%s/ssprctl --config %s show carol", build(),
				 run_path("sspr.conf")),
			 0);
}
END_TEST

START_TEST(slow_client_does_not_stall_others)
{
	/* Two clients that connect and then say nothing. */
	int idle1 = connect_daemon(), idle2 = connect_daemon();
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct convo c = {.answers = {"", "y", "1", "@CODE", NEW_PASSWORD, NEW_PASSWORD, ""}};
	ck_assert_int_eq(pam_run(SERVICE, "carol", &c), PAM_AUTH_ERR);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_msg(strstr(c.transcript, "has been reset"), "%s", c.transcript);
	ck_assert_int_lt(t1.tv_sec - t0.tv_sec, 5);
	close(idle1);
	close(idle2);
}
END_TEST

START_TEST(stalled_smtp_does_not_stall_others)
{
	/* carol's dialogue blocks on a mail server that accepted the
	 * connection but stopped answering; the daemon keeps serving. */
	smtp_pause(true);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct convo c = {.answers = {"", "y", "1"}};
		pam_run(SERVICE, "carol", &c);
		_exit(0);
	}
	usleep(500000);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	char out[1024];
	int st = run_cmd(out, sizeof(out), "%s/ssprctl --config %s show erin 2>&1", build(),
			 run_path("sspr.conf"));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_msg(st == 0 && strstr(out, "e***@e***.org"), "%d %s", st, out);
	ck_assert_int_lt(t1.tv_sec - t0.tv_sec, 2);
	/* A second user's whole dialogue reaches its first prompt as well. */
	struct convo d = {.answers = {"", "n", OLD_PASSWORD}};
	ck_assert_int_eq(pam_run(SERVICE, "erin", &d), PAM_AUTH_ERR); /* erin is locked */
	ck_assert_msg(strstr(d.transcript, "P:Continue with password recovery?"), "%s",
		      d.transcript);
	smtp_pause(false);
	waitpid(pid, &st, 0);
}
END_TEST

START_TEST(connection_limit)
{
	/* max_connections = 2: two idle clients fill it; a login then goes
	 * on as if the daemon were not there. */
	int a = connect_daemon(), b = connect_daemon();
	usleep(200000);
	struct convo c = {.answers = {"", OLD_PASSWORD}};
	ck_assert_int_eq(pam_run(SERVICE, "carol", &c), PAM_SUCCESS);
	ck_assert_msg(strstr(c.transcript, "E:Password reset is not available right now."), "%s",
		      c.transcript);
	ck_assert_ptr_nonnull(strstr(slurp(run_path("ssprd.log")), "connection limit (2) reached"));
	close(a);
	close(b);
	/* Once they are gone, dialogues are served again. */
	usleep(200000);
	struct convo d = {.answers = {"", "n", OLD_PASSWORD}};
	ck_assert_int_eq(pam_run(SERVICE, "carol", &d), PAM_SUCCESS);
	ck_assert_msg(strstr(d.transcript, "I:Password recovery cancelled."), "%s", d.transcript);
}
END_TEST

START_TEST(sigterm_stops_cleanly)
{
	world_stop();
	/* world_stop sent SIGTERM and reaped the daemon; it removed its socket
	 * and said so in its log. */
	ck_assert_int_ne(access(run_path("ssprd.sock"), F_OK), 0);
	ck_assert_ptr_nonnull(strstr(slurp(run_path("ssprd.log")), "stopped"));
}
END_TEST

START_TEST(socket_activation_and_ready)
{
	world_stop();
	/* systemd-socket-activate passes the listening socket and the
	 * NOTIFY_SOCKET through, as systemd would. */
	int nfd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", run_path("notify.sock"));
	unlink(sa.sun_path);
	ck_assert_int_eq(bind(nfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		setenv("NOTIFY_SOCKET", run_path("notify.sock"), 1);
		FILE *f = freopen(run_path("activated.log"), "w", stderr);
		(void)f;
		char prog[600];
		snprintf(prog, sizeof(prog), "%s/ssprd", build());
		/* The sanitizer settings too, for make check-asan (unset: none). */
		execlp("systemd-socket-activate", "systemd-socket-activate", "-E", "NOTIFY_SOCKET",
		       "-E", "LD_PRELOAD", "-E", "NSS_WRAPPER_PASSWD", "-E", "NSS_WRAPPER_GROUP",
		       "-E", "ASAN_OPTIONS", "-E", "LSAN_OPTIONS", "-E", "UBSAN_OPTIONS", "-E",
		       "NSS_WRAPPER_DISABLE_DEEPBIND", "-l", run_path("ssprd.sock"), prog,
		       "--config", run_path("sspr.conf"), (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 100 && access(run_path("ssprd.sock"), F_OK) != 0; i++)
		usleep(50000);
	char out[1024];
	int st = run_cmd(out, sizeof(out), "%s/ssprctl --config %s show carol 2>&1", build(),
			 run_path("sspr.conf"));
	ck_assert_msg(st == 0 && strstr(out, "c***@e***.org"), "%d %s", st, out);
	char msg[256] = "";
	struct timeval tv = {.tv_sec = 5};
	setsockopt(nfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	ssize_t n = recv(nfd, msg, sizeof(msg) - 1, 0);
	ck_assert_int_gt(n, 0);
	msg[n] = '\0';
	ck_assert_msg(strstr(msg, "READY=1"), "%s", msg);
	kill(pid, SIGTERM);
	waitpid(pid, &st, 0);
	ck_assert_ptr_nonnull(strstr(slurp(run_path("activated.log")), "socket-activated"));
	close(nfd);
}
END_TEST

static void start_default(void)
{
	world_start(NULL);
}

static void start_two_connections(void)
{
	struct world_opts o = {.max_connections = 2};
	world_start(&o);
}

Suite *daemon_suite(void)
{
	Suite *s = suite_create("daemon");
	TCase *tc = tcase_create("daemon");
	tcase_add_checked_fixture(tc, start_default, world_stop);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, check_config_names_file_and_line);
	tcase_add_test(tc, ssprctl_show_and_enroll);
	tcase_add_test(tc, state_files_are_private);
	tcase_add_test(tc, socket_directory_is_reachable);
	tcase_add_test(tc, malformed_frame_closes_connection);
	tcase_add_test(tc, slow_client_does_not_stall_others);
	tcase_add_test(tc, stalled_smtp_does_not_stall_others);
	tcase_add_test(tc, sigterm_stops_cleanly);
	tcase_add_test(tc, socket_activation_and_ready);
	if (geteuid() == 0) {
		tcase_add_test(tc, non_root_peer_is_refused);
		tcase_add_test(tc, user_status_for_ordinary_user);
	} else {
		fprintf(stderr, "note: non_root_peer_is_refused and user_status_for_ordinary_user "
				"need root to switch users and were not run\n");
	}
	suite_add_tcase(s, tc);
	tc = tcase_create("limits");
	tcase_add_checked_fixture(tc, start_two_connections, world_stop);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, connection_limit);
	suite_add_tcase(s, tc);
	return s;
}
