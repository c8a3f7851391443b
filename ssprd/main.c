/* ssprd: the sspr daemon. See ssprd(8). */
#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "common/conf.h"
#include "common/i18n.h"
#include "common/log.h"
#include "common/util.h"
#include "common/template.h"
#include "ssprd/audit.h"
#include "ssprd/daemon.h"
#include "ssprd/dir_conn.h"
#include "ssprd/keyfile.h"
#include "ssprd/voicecb.h"
#include "common/method.h"
#include "ssprd/listen.h"
#include "ssprd/server.h"
#include "ssprd/gateway.h"
#include "ssprd/mail.h"
#include "ssprd/privsep.h"

/* Exit statuses, see ssprd(8). */
#define EXIT_CONFIG  2
#define EXIT_RUNTIME 1

static void usage(FILE *f)
{
	fprintf(f, "Usage: ssprd [--config PATH] [--check-config] [--debug] [--version]\n"
		   "Self-service password reset daemon. See ssprd(8).\n");
}

static int make_state_dir(const char *dir)
{
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	struct stat st;
	if (stat(dir, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	return 0;
}

/* Split when started as root with [daemon] user set; that user must exist. */
static int want_split(const struct sspr_conf *conf, bool *split, uid_t *uid, gid_t *gid)
{
	const char *user = conf->daemon_user;
	*split = false;
	if (geteuid() != 0 || !user || !user[0])
		return 0;
	int r = privsep_lookup_user(user, uid, gid);
	if (r == -ENOENT)
		log_error(
		    "[daemon] user %s does not exist (create it: useradd --system --user-group "
		    "--home-dir /var/lib/sspr --shell /usr/sbin/nologin %s, or set user = to "
		    "run without privilege separation)",
		    user, user);
	else if (r == -EPERM)
		log_error("[daemon] user %s is root or in group root: the engine must not be",
			  user);
	else if (r < 0)
		log_error("[daemon] user %s: %s", user, strerror(-r));
	*split = r == 0;
	return r;
}

/* Read before the split: the engine may not be able to. A file that
 * cannot be read now is tried again, and reported, when it is needed. */
static void load_secrets(const struct sspr_conf *conf)
{
	int r = mail_secret_load(conf);
	if (r < 0)
		log_warning("[email] password_file %s: %s", conf->smtp_password_file, strerror(-r));
	r = gateway_secret_load(conf);
	if (r < 0)
		log_warning("[gateway] auth_file %s: %s", conf->gw_auth_file, strerror(-r));
	r = dir_secret_load(conf);
	if (r < 0)
		log_warning("[ldap] bind_password_file %s: %s", conf->ldap_bind_password_file,
			    strerror(-r));
}

static bool uses_directory(const struct sspr_conf *conf)
{
	return conf->backend == BACKEND_LDAP || conf->store == STORE_LDAP;
}

/* --check-config: the files ssprd reads at start, as this user can. */
static int check_ldap_files(const struct sspr_conf *conf)
{
	int status = 0;
	if (uses_directory(conf) && conf->ldap_bind_password_file) {
		char *pw = NULL;
		int r = read_secret_file(conf->ldap_bind_password_file, 1024, &pw);
		secret_free(pw);
		if (r < 0) {
			fprintf(stderr, "ssprd: [ldap] bind_password_file %s: %s\n",
				conf->ldap_bind_password_file, strerror(-r));
			status = -1;
		}
	}
	if (conf->store == STORE_LDAP) {
		uint8_t key[CODE_KEY_SIZE];
		int r = keyfile_load(conf->ldap_site_key_file, key, sizeof(key));
		sodium_memzero(key, sizeof(key));
		if (r < 0) {
			fprintf(stderr, "ssprd: [ldap] site_key_file %s: %s\n",
				conf->ldap_site_key_file, strerror(-r));
			status = -1;
		}
	}
	return status;
}

static void close_listen(int fd, const struct sspr_conf *conf, bool activated, bool engine)
{
	if (engine) {
		if (fd >= 0)
			close(fd);
	} else {
		listen_socket_close(fd, conf->socket_path, activated);
	}
}

static int block_signals(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	/* Blocked before any thread starts, so only the signalfd sees them. */
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	int fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return fd < 0 ? -errno : fd;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"config", required_argument, NULL, 'c'}, {"check-config", no_argument, NULL, 'C'},
	    {"debug", no_argument, NULL, 'd'},	      {"version", no_argument, NULL, 'V'},
	    {"help", no_argument, NULL, 'h'},	      {0},
	};
	const char *config = CONF_DEFAULT_PATH;
	bool check_only = false, debug = false;
	int o;
	while ((o = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			config = optarg;
			break;
		case 'C':
			check_only = true;
			break;
		case 'd':
			debug = true;
			break;
		case 'V':
			printf("ssprd %s\n", SSPR_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_CONFIG;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EXIT_CONFIG;
	}
	log_init("ssprd", debug ? LOG_DEBUG : LOG_INFO);

	static struct daemon_ctx ctx;
	char err[512];
	if (conf_init_defaults(&ctx.conf) < 0 ||
	    conf_load(&ctx.conf, config, err, sizeof(err)) < 0) {
		fprintf(stderr, "ssprd: %s\n", err);
		return EXIT_CONFIG;
	}
	/* A broken template falls back to the built-in text when sent; at
	 * start it is only worth a warning, for --check-config an error. */
	if (template_check_dir(ctx.conf.templates_dir, err, sizeof(err)) < 0) {
		if (check_only) {
			fprintf(stderr, "ssprd: %s\n", err);
			conf_free(&ctx.conf);
			return EXIT_CONFIG;
		}
		log_warning("%s (the built-in text is used instead)", err);
	}
	if (check_only && check_ldap_files(&ctx.conf) < 0) {
		conf_free(&ctx.conf);
		return EXIT_CONFIG;
	}
	if (check_only) {
		printf("%s: configuration OK\n", config);
		conf_free(&ctx.conf);
		return 0;
	}

	int status = EXIT_RUNTIME, listen_fd = -1, sig_fd = -1;
	bool activated = false, split = false;
	uid_t engine_uid = 0;
	gid_t engine_gid = 0;
	umask(077);
	/* No core dumps and no ptrace by our own uid: codes, answers, keys
	 * and passwords are in this memory (the split keeps this in both). */
	prctl(PR_SET_DUMPABLE, 0);
	if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_error("cannot initialise libsodium or libcurl");
		goto out;
	}
	/* Peers with our starting uid (or root) may drive dialogues: root
	 * even after the split, never the engine's user. */
	ctx.uid = geteuid();
	if (gethostname(ctx.hostname, sizeof(ctx.hostname) - 1) < 0)
		snprintf(ctx.hostname, sizeof(ctx.hostname), "localhost");
	int r = want_split(&ctx.conf, &split, &engine_uid, &engine_gid);
	if (r < 0) {
		status = EXIT_CONFIG;
		goto out;
	}
	r = make_state_dir(ctx.conf.state_dir);
	if (r == 0 && split)
		r = privsep_prepare_state(ctx.conf.state_dir, engine_uid, engine_gid);
	if (r < 0) {
		log_error("state directory %s: %s", ctx.conf.state_dir, strerror(-r));
		goto out;
	}
	load_secrets(&ctx.conf);
	/* Before the engine drops privileges: it may not be able to read
	 * the catalog directory as [daemon] user. */
	r = i18n_preload();
	if (r < 0)
		log_warning("message catalogs: %s", strerror(-r));
	/* The site key makes codes, authenticator seals and recovery hashes
	 * agree on every host sharing the directory; read as root, like the
	 * secrets. */
	if (ctx.conf.store == STORE_LDAP) {
		r = keyfile_load(ctx.conf.ldap_site_key_file, ctx.code_key, sizeof(ctx.code_key));
		if (r < 0) {
			log_error("[ldap] site_key_file %s: %s", ctx.conf.ldap_site_key_file,
				  strerror(-r));
			status = EXIT_CONFIG;
			goto out;
		}
	}
	sig_fd = block_signals();
	if (sig_fd < 0) {
		log_error("signals: %s", strerror(-sig_fd));
		goto out;
	}
	/* Bound by root: clients' SO_PEERCRED checks see root on the other
	 * end whichever process serves them. */
	listen_fd = listen_socket_open(ctx.conf.socket_path, &activated);
	if (listen_fd < 0) {
		log_error("socket %s: %s", ctx.conf.socket_path, strerror(-listen_fd));
		goto out;
	}
	if (split) {
		pid_t pid = privsep_fork();
		if (pid < 0) {
			log_error("fork: %s", strerror(-pid));
			goto out;
		}
		if (pid > 0) {
			/* The privileged process sends no mail. */
			mail_secret_free();
			gateway_secret_free();
			/* Nor needs the engine's key; it keeps the directory's
			 * bind password (the password backend). */
			sodium_memzero(ctx.code_key, sizeof(ctx.code_key));
			status = privsep_parent_run(&ctx.conf, pid, engine_uid, sig_fd);
			goto out;
		}
	}
	/* The engine from here on. The voice callback server reads its key
	 * and binds before the drop; its threads start with signals blocked. */
	if ((ctx.conf.methods &
	     (METHOD_BIT(METHOD_VOICE_MOBILE) | METHOD_BIT(METHOD_VOICE_OFFICE))) &&
	    ctx.conf.voice_mode == VOICE_PRESS_POUND) {
		r = voicecb_start(&ctx.conf, &ctx.voicecb);
		if (r < 0) {
			log_error("voice callback server on %s: %s", ctx.conf.voice_listen,
				  strerror(-r));
			goto out;
		}
	}
	if (split) {
		r = privsep_drop(engine_uid, engine_gid);
		if (r < 0) {
			log_error("privilege separation: cannot become user %s: %s",
				  ctx.conf.daemon_user, strerror(-r));
			goto out;
		}
		log_info("privilege separation: the engine runs as %s (uid %u)",
			 ctx.conf.daemon_user, (unsigned)engine_uid);
	}
	/* store = ldap: the site key, read before the split. */
	r = ctx.conf.store == STORE_LDAP
		? 0
		: keyfile_load_or_create(ctx.conf.state_dir, ctx.code_key, sizeof(ctx.code_key));
	if (r < 0) {
		log_error("code key in %s: %s", ctx.conf.state_dir, strerror(-r));
		goto out;
	}
	r = store_open(ctx.conf.state_dir, &ctx.store);
	if (r < 0)
		goto out;
	if (uses_directory(&ctx.conf)) {
		r = store_attach_directory(ctx.store, &ctx.conf);
		if (r < 0) {
			log_error("the directory of [ldap]: %s", strerror(-r));
			goto out;
		}
	}
	audit_prune(&ctx, (int64_t)time(NULL));
	if (activated)
		log_info("ssprd %s listening on the socket passed by systemd (socket-activated)",
			 SSPR_VERSION);
	else
		log_info("ssprd %s listening on %s", SSPR_VERSION, ctx.conf.socket_path);
	r = split ? privsep_engine_ready() : sd_notify(0, "READY=1");
	if (split && r < 0) {
		log_error("privilege separation: %s", strerror(-r));
		goto out;
	}
	r = server_run(&ctx, listen_fd, sig_fd);
	if (!split)
		sd_notify(0, "STOPPING=1");
	if (r == -EBUSY) {
		/* Threads still hold the store: exit without tearing it down. */
		close_listen(listen_fd, &ctx.conf, activated, split);
		_exit(EXIT_RUNTIME);
	}
	status = r < 0 ? EXIT_RUNTIME : 0;
out:
	/* The socket file is the privileged process's to remove (the
	 * engine could not: /run/sspr is root's). */
	close_listen(listen_fd, &ctx.conf, activated, split && privsep_engine_active());
	if (sig_fd >= 0)
		close(sig_fd);
	voicecb_stop(ctx.voicecb);
	store_close(ctx.store);
	mail_secret_free();
	gateway_secret_free();
	dir_secret_free();
	sodium_memzero(ctx.code_key, sizeof(ctx.code_key));
	curl_global_cleanup();
	conf_free(&ctx.conf);
	log_info("stopped");
	return status;
}
