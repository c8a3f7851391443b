/* Privilege separation of the real ssprd, started as root: the engine runs
 * as the [daemon] user ("sspr", uid 990 in the harness's passwd file)
 * with no capabilities, its parent stays root; the state belongs to the
 * engine, the client socket to root; both processes stop on SIGTERM to
 * the parent. The dialogue suites, which run against the same daemon,
 * show that everything still works through the privileged process. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/integration/harness.h"
#include "tests/integration/suites.h"

#define ENGINE_UID 990

struct proc {
	int pid, ppid;
	char status[4096];
};

/* ssprd processes started with this run's configuration. */
static int find_daemons(struct proc *out, int max)
{
	char want[600];
	snprintf(want, sizeof(want), "%s/ssprd", getenv("SSPR_BUILD"));
	int n = 0;
	DIR *d = opendir("/proc");
	ck_assert_ptr_nonnull(d);
	for (struct dirent *de; (de = readdir(d));) {
		int pid = atoi(de->d_name);
		if (pid <= 0)
			continue;
		char path[64], cmd[2048];
		snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
		FILE *f = fopen(path, "re");
		if (!f)
			continue;
		size_t len = fread(cmd, 1, sizeof(cmd) - 1, f);
		fclose(f);
		cmd[len] = '\0';
		/* argv[0] NUL --config NUL path */
		const char *conf = cmd + strlen(cmd) + 1;
		if (strcmp(cmd, want) != 0 || conf >= cmd + len ||
		    strcmp(conf + strlen(conf) + 1, run_path("sspr.conf")) != 0)
			continue;
		ck_assert_int_lt(n, max);
		out[n].pid = pid;
		snprintf(path, sizeof(path), "/proc/%d/status", pid);
		snprintf(out[n].status, sizeof(out[n].status), "%s", slurp(path));
		const char *pp = strstr(out[n].status, "\nPPid:");
		out[n].ppid = pp ? atoi(pp + 6) : -1;
		n++;
	}
	closedir(d);
	return n;
}

static void assert_field(const struct proc *p, const char *line)
{
	ck_assert_msg(strstr(p->status, line), "pid %d: no \"%s\" in\n%s", p->pid, line, p->status);
}

START_TEST(engine_runs_as_the_daemon_user)
{
	struct proc p[4];
	int n = find_daemons(p, 4);
	ck_assert_int_eq(n, 2);
	struct proc *parent = p[0].ppid == p[1].pid ? &p[1] : &p[0];
	struct proc *engine = parent == &p[0] ? &p[1] : &p[0];
	ck_assert_int_eq(engine->ppid, parent->pid);
	assert_field(parent, "\nUid:\t0\t0\t0\t0\n");
	assert_field(engine, "\nUid:\t990\t990\t990\t990\n");
	assert_field(engine, "\nGid:\t990\t990\t990\t990\n");
	assert_field(engine, "\nGroups:\t990 \n");
	assert_field(engine, "\nCapPrm:\t0000000000000000\n");
	assert_field(engine, "\nCapEff:\t0000000000000000\n");
	assert_field(engine, "\nNoNewPrivs:\t1\n");
}
END_TEST

/* The voice callback server's threads start before the drop (it binds and
 * reads its key as root): every thread of the engine must have dropped. */
START_TEST(every_engine_thread_dropped)
{
	struct proc p[4];
	ck_assert_int_eq(find_daemons(p, 4), 2);
	int engine = p[0].ppid == p[1].pid ? p[0].pid : p[1].pid;
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", engine);
	DIR *d = opendir(path);
	ck_assert_ptr_nonnull(d);
	int threads = 0;
	for (struct dirent *de; (de = readdir(d));) {
		if (de->d_name[0] == '.')
			continue;
		char st[384];
		snprintf(st, sizeof(st), "%s/%s/status", path, de->d_name);
		struct proc t = {.pid = atoi(de->d_name)};
		snprintf(t.status, sizeof(t.status), "%s", slurp(st));
		assert_field(&t, "\nUid:\t990\t990\t990\t990\n");
		assert_field(&t, "\nCapEff:\t0000000000000000\n");
		threads++;
	}
	closedir(d);
	ck_assert_int_gt(threads, 1);
}
END_TEST

START_TEST(state_belongs_to_the_engine_socket_to_root)
{
	static const char *const engine_owned[] = {"state", "state/sspr.db", "state/code.key"};
	struct stat st;
	for (size_t i = 0; i < sizeof(engine_owned) / sizeof(engine_owned[0]); i++) {
		ck_assert_int_eq(lstat(run_path(engine_owned[i]), &st), 0);
		ck_assert_msg(st.st_uid == ENGINE_UID && st.st_gid == ENGINE_UID, "%s is %u:%u",
			      engine_owned[i], (unsigned)st.st_uid, (unsigned)st.st_gid);
	}
	ck_assert_int_eq(lstat(run_path("state"), &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0700);
	/* Bound before the split: clients' SO_PEERCRED checks see root. */
	ck_assert_int_eq(lstat(run_path("ssprd.sock"), &st), 0);
	ck_assert_uint_eq(st.st_uid, 0);
}
END_TEST

START_TEST(sigterm_to_the_parent_stops_both)
{
	struct proc p[4];
	ck_assert_int_eq(find_daemons(p, 4), 2);
	world_stop();
	/* world_stop reaped the parent, which waits for the engine. */
	ck_assert_int_eq(find_daemons(p, 4), 0);
	ck_assert_int_ne(access(run_path("ssprd.sock"), F_OK), 0);
}
END_TEST

static void start_default(void)
{
	world_start(NULL);
}

static void start_voice(void)
{
	struct world_opts o = {.gateway = true,
			       .extra_conf =
				   "[methods]\nenabled = email voice_mobile\n"
				   "[gateway]\nurl = http://@GW\naccount_sid = " GATEWAY_SID "\n"
				   "auth_file = @RUN/gateway-token\nfrom = +15550100000\n"
				   "[voice]\nmode = press_pound\ncallback_listen = @CB\n"
				   "callback_url = http://@CB/voice\n"};
	world_start(&o);
}

Suite *privsep_daemon_suite(void)
{
	Suite *s = suite_create("privsep_daemon");
	TCase *tc = tcase_create("split");
	tcase_add_checked_fixture(tc, start_default, world_stop);
	tcase_set_timeout(tc, 60);
	if (geteuid() == 0) {
		tcase_add_test(tc, engine_runs_as_the_daemon_user);
		tcase_add_test(tc, state_belongs_to_the_engine_socket_to_root);
		tcase_add_test(tc, sigterm_to_the_parent_stops_both);
	}
	suite_add_tcase(s, tc);
	tc = tcase_create("voice");
	tcase_add_checked_fixture(tc, start_voice, world_stop);
	tcase_set_timeout(tc, 60);
	if (geteuid() == 0)
		tcase_add_test(tc, every_engine_thread_dropped);
	else
		fprintf(stderr, "note: privsep_daemon: ssprd splits only when started as root; "
				"not run\n");
	suite_add_tcase(s, tc);
	return s;
}
