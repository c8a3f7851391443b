/*
 * `make bench` section 1: what pam_sspr.so adds to a normal login, where the
 * user types a password. Logins go through the real libpam (under
 * pam_wrapper, service files written by run-bench.sh):
 *   bench-permit     auth required pam_permit.so
 *   bench-sspr       pam_sspr.so socket=<nothing listens> + pam_permit.so
 *   bench-sspr-live  pam_sspr.so socket=<our counting listener> + pam_permit.so
 *   bench-two        pam_deny.so [default=ignore] + pam_permit.so: what loading
 *                    any second, trivial module costs, for reference
 * The listener proves the module makes no daemon round trip: it counts every
 * connection, and a control run with empty passwords shows that it would.
 *
 * A last pass keeps pam_sspr.so mapped (dlopen'ed once here) to show how
 * much of the cost is loading and unloading the module in every pam_start.
 *
 * Usage: bench_login MODULE_PATH LIVE_SOCKET_PATH USER [LOGINS ROUNDS SECONDS]
 */
#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <security/pam_appl.h>

#include "tests/bench/bench_stats.h"

#define MAX_ROUNDS	50
#define CONTROL_LOGINS	3
#define TYPED_PASSWORD	"Typed-password-1"
#define CONTROL_WAIT_US 2000000
#define LISTEN_POLL_MS	50
#define SVC_PERMIT	"bench-permit"
#define SVC_SSPR	"bench-sspr"
#define SVC_SSPR_LIVE	"bench-sspr-live"
#define SVC_TWO		"bench-two"
#define NSERVICES	4
#define MODE_FULL	0
#define MODE_AUTH_ONLY	1
#define NMODES		2

struct conv_state {
	const char *password;
	unsigned prompts, errors;
};

struct listener {
	int fd;
	atomic_uint accepted;
	atomic_bool stop;
	pthread_t thread;
};

static int conv_fn(int n, const struct pam_message **msg, struct pam_response **resp, void *ud)
{
	struct conv_state *cs = ud;
	struct pam_response *r = calloc((size_t)n, sizeof(*r));
	if (!r)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++) {
		switch (msg[i]->msg_style) {
		case PAM_PROMPT_ECHO_OFF:
		case PAM_PROMPT_ECHO_ON:
			cs->prompts++;
			r[i].resp = strdup(cs->password);
			if (!r[i].resp) {
				for (int j = 0; j < i; j++)
					free(r[j].resp);
				free(r);
				return PAM_BUF_ERR;
			}
			break;
		case PAM_ERROR_MSG:
			cs->errors++;
			break;
		default:
			break;
		}
	}
	*resp = r;
	return PAM_SUCCESS;
}

static void *listen_thread(void *arg)
{
	struct listener *l = arg;
	while (!atomic_load(&l->stop)) {
		struct pollfd p = {.fd = l->fd, .events = POLLIN};
		if (poll(&p, 1, LISTEN_POLL_MS) <= 0)
			continue;
		int c = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);
		if (c >= 0) {
			atomic_fetch_add(&l->accepted, 1);
			/* Closing at once makes the module see a broken
			 * daemon, so a control login ends quickly. */
			close(c);
		}
	}
	return NULL;
}

static int listener_start(struct listener *l, const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	unlink(path);
	l->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l->fd < 0)
		return -errno;
	if (bind(l->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(l->fd, 64) < 0) {
		int e = -errno;
		close(l->fd);
		return e;
	}
	atomic_init(&l->accepted, 0);
	atomic_init(&l->stop, false);
	int e = pthread_create(&l->thread, NULL, listen_thread, l);
	if (e != 0) {
		close(l->fd);
		return -e;
	}
	return 0;
}

static void listener_stop(struct listener *l, const char *path)
{
	atomic_store(&l->stop, true);
	pthread_join(l->thread, NULL);
	close(l->fd);
	unlink(path);
}

/* Mean microseconds per login over n logins, or -1 when one failed. MODE_FULL
 * is what a login process does (pam_start loads and parses the stack);
 * MODE_AUTH_ONLY reuses one handle to isolate the module's own work. */
static double batch(const char *service, const char *user, int mode, unsigned n,
		    struct conv_state *cs)
{
	struct pam_conv conv = {conv_fn, cs};
	pam_handle_t *h = NULL;
	int64_t t0 = now_us();
	if (mode == MODE_AUTH_ONLY && pam_start(service, user, &conv, &h) != PAM_SUCCESS)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		if (mode == MODE_FULL && pam_start(service, user, &conv, &h) != PAM_SUCCESS)
			return -1;
		int r = pam_authenticate(h, 0);
		if (mode == MODE_FULL)
			pam_end(h, r);
		if (r != PAM_SUCCESS) {
			if (mode == MODE_AUTH_ONLY)
				pam_end(h, r);
			fprintf(stderr, "bench_login: %s: %s\n", service, pam_strerror(NULL, r));
			return -1;
		}
	}
	if (mode == MODE_AUTH_ONLY)
		pam_end(h, PAM_SUCCESS);
	return (double)(now_us() - t0) / n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, unsigned n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct plan {
	const char *user;
	unsigned logins, rounds;
	int64_t deadline;
	struct conv_state cs[NSERVICES];
	unsigned long logins_done[NSERVICES];
};

/* Median microseconds per login of each service in svcs[0..n) for mode,
 * measured in interleaved rounds with the order rotated so that drift hits
 * every stack alike. Returns the number of rounds run, 0 on failure. */
static unsigned rounds(struct plan *p, const unsigned *svcs, unsigned n, int mode, double *med)
{
	static const char *const names[NSERVICES] = {SVC_PERMIT, SVC_SSPR, SVC_SSPR_LIVE, SVC_TWO};
	double us[NSERVICES][MAX_ROUNDS];
	unsigned done = 0;
	/* Warm-up: page cache, lazy binding, pam_wrapper's first copy. */
	for (unsigned k = 0; k < n; k++) {
		unsigned s = svcs[k];
		if (batch(names[s], p->user, mode, p->logins / 10 + 1, &p->cs[s]) < 0)
			return 0;
		p->logins_done[s] += p->logins / 10 + 1;
	}
	for (; done < p->rounds && now_us() < p->deadline; done++)
		for (unsigned k = 0; k < n; k++) {
			unsigned s = svcs[(k + done) % n];
			us[s][done] = batch(names[s], p->user, mode, p->logins, &p->cs[s]);
			if (us[s][done] < 0)
				return 0;
			p->logins_done[s] += p->logins;
		}
	for (unsigned k = 0; k < n && done > 0; k++)
		med[svcs[k]] = median(us[svcs[k]], done);
	return done;
}

static void row(const char *what, double permit, double sspr)
{
	printf("   %-40s %10.0f/s %10.0f/s %7.3f %8.1f us\n", what, 1e6 / permit, 1e6 / sspr,
	       permit / sspr, sspr - permit);
}

int main(int argc, char **argv)
{
	if (argc != 4 && argc != 7) {
		fprintf(stderr, "usage: %s MODULE LIVE_SOCKET USER [LOGINS ROUNDS SECONDS]\n",
			argv[0]);
		return 2;
	}
	const char *module = argv[1], *live = argv[2];
	struct plan p = {.user = argv[3],
			 .logins = argc == 7 ? (unsigned)atoi(argv[4]) : 2000,
			 .rounds = argc == 7 ? (unsigned)atoi(argv[5]) : 10};
	int64_t budget_us = (argc == 7 ? atoi(argv[6]) : 40) * 1000000LL;
	if (p.logins < 1 || p.rounds < 1 || p.rounds > MAX_ROUNDS || budget_us <= 0) {
		fprintf(stderr, "bench_login: bad counts\n");
		return 2;
	}
	for (unsigned s = 0; s < NSERVICES; s++)
		p.cs[s].password = TYPED_PASSWORD;
	/* Four passes share the time budget. */
	int64_t start = now_us(), quarter = budget_us / 4;
	struct listener l;
	int r = listener_start(&l, live);
	if (r < 0) {
		fprintf(stderr, "bench_login: listen on %s: %s\n", live, strerror(-r));
		return 1;
	}
	static const unsigned all[] = {0, 1, 2, 3}, pair[] = {0, 1};
	double full[NSERVICES], auth[NSERVICES], mapped[NSERVICES];
	unsigned n_full, n_auth, n_mapped = 0;
	p.deadline = start + 2 * quarter;
	n_full = rounds(&p, all, 4, MODE_FULL, full);
	p.deadline = start + 3 * quarter;
	n_auth = n_full ? rounds(&p, pair, 2, MODE_AUTH_ONLY, auth) : 0;
	unsigned during = atomic_load(&l.accepted);

	/* Control: an empty password makes the module connect. */
	struct conv_state ctl = {"", 0, 0};
	for (unsigned i = 0; i < CONTROL_LOGINS; i++)
		batch(SVC_SSPR_LIVE, p.user, MODE_FULL, 1, &ctl);
	int64_t until = now_us() + CONTROL_WAIT_US;
	while (atomic_load(&l.accepted) < during + CONTROL_LOGINS && now_us() < until)
		usleep(10000);
	unsigned control = atomic_load(&l.accepted) - during;
	listener_stop(&l, live);

	void *keep = n_auth ? dlopen(module, RTLD_NOW | RTLD_LOCAL) : NULL;
	if (keep) {
		p.deadline = start + 4 * quarter;
		n_mapped = rounds(&p, pair, 2, MODE_FULL, mapped);
		dlclose(keep);
	}
	if (!n_full || !n_auth || !n_mapped) {
		fprintf(stderr,
			"bench_login: a login failed (%s); is it run under pam_wrapper "
			"with the bench service files?\n",
			keep || !n_auth ? "pam" : dlerror());
		return 1;
	}

	printf("1. Normal-login overhead: typed password, no recovery; real libpam under "
	       "pam_wrapper\n");
	printf("   median of %u interleaved rounds x %u logins per stack (handle reused: %u, "
	       "module kept mapped: %u rounds)\n",
	       n_full, p.logins, n_auth, n_mapped);
	printf("   %-40s %12s %12s %7s %11s\n", "measure", "pam_permit", "sspr+permit", "ratio",
	       "added/login");
	row("full login (pam_start..pam_end)", full[0], full[1]);
	row("  same, socket= has a listener", full[0], full[2]);
	row("  same, pam_sspr.so kept mapped", mapped[0], mapped[1]);
	row("  reference: pam_deny.so instead of sspr", full[0], full[3]);
	row("pam_authenticate only, handle reused", auth[0], auth[1]);
	printf("   daemon round trips: %u connections to the listening socket= in %lu logins "
	       "with a typed password\n",
	       during, p.logins_done[2]);
	printf("   (control: %u of %u empty-password logins did connect); \"not available\" "
	       "messages with a typed password: %u\n",
	       control, CONTROL_LOGINS, p.cs[1].errors + p.cs[2].errors);
	fflush(stdout);
	return 0;
}
