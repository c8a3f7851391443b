#include "cli/term.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "common/conf.h"
#include "common/i18n.h"
#include "common/proto.h"
#include "common/util.h"
#include "common/validate.h"

/* What a signal handler needs to give the terminal its echo back. The CLIs
 * are single-threaded and ask one question at a time. */
static int echo_fd = -1;
static struct termios echo_saved;
static volatile sig_atomic_t echo_is_off;

/* Generous for an admin tool; the daemon bounds its own work. */
#define CLI_TIMEOUT_MS 30000

/* The language of the locale, told to ssprd before each request ("" none:
 * the daemon then uses the user's saved preference or the site's). */
static char cli_language[I18N_LANGUAGE_MAX + 1];

void cli_i18n_init(void)
{
	i18n_init();
	if (i18n_language_from_env(cli_language) < 0 || !language_name_valid(cli_language))
		cli_language[0] = '\0';
	i18n_set_language(cli_language[0] ? cli_language : "en");
}

static const int restore_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
static struct sigaction old_actions[ARRAY_SIZE(restore_signals)];

static void restore_and_reraise(int sig)
{
	if (echo_is_off)
		tcsetattr(echo_fd, TCSAFLUSH, &echo_saved);
	/* Die of the signal as we would have without the handler. */
	signal(sig, SIG_DFL);
	raise(sig);
}

static int echo_disable(int fd)
{
	struct termios t;
	if (tcgetattr(fd, &echo_saved) < 0)
		return -errno;
	t = echo_saved;
	t.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK);
	t.c_lflag |= ECHONL;
	echo_fd = fd;
	struct sigaction sa = {.sa_handler = restore_and_reraise};
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(restore_signals); i++)
		sigaction(restore_signals[i], &sa, &old_actions[i]);
	echo_is_off = 1;
	if (tcsetattr(fd, TCSAFLUSH, &t) < 0) {
		int e = -errno;
		echo_is_off = 0;
		for (size_t i = 0; i < ARRAY_SIZE(restore_signals); i++)
			sigaction(restore_signals[i], &old_actions[i], NULL);
		return e;
	}
	return 0;
}

static void echo_restore(void)
{
	if (!echo_is_off)
		return;
	tcsetattr(echo_fd, TCSAFLUSH, &echo_saved);
	echo_is_off = 0;
	for (size_t i = 0; i < ARRAY_SIZE(restore_signals); i++)
		sigaction(restore_signals[i], &old_actions[i], NULL);
}

static int write_all(int fd, const char *s, size_t len)
{
	while (len > 0) {
		ssize_t k = write(fd, s, len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		s += k;
		len -= (size_t)k;
	}
	return 0;
}

/* Read one line byte by byte, so nothing after it is consumed from a pipe
 * that later prompts still read. */
static int read_line(int fd, char *buf, size_t max, size_t *len_out)
{
	size_t len = 0;
	bool any = false, too_long = false;
	char c = 0;
	int r = 0;
	for (;;) {
		ssize_t k = read(fd, &c, 1);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			r = -errno;
			break;
		}
		if (k == 0) {
			if (!any)
				r = -ECANCELED;
			break;
		}
		any = true;
		if (c == '\n')
			break;
		if (len < max)
			buf[len++] = c;
		else
			too_long = true;
	}
	secure_zero(&c, sizeof(c));
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	buf[len] = '\0';
	*len_out = len;
	if (r == 0 && too_long)
		r = -E2BIG;
	return r;
}

int term_prompt(bool echo, const char *text, char **answer)
{
	char buf[PROTO_MAX_ANSWER + 1];
	size_t len = 0;
	int in_fd = STDIN_FILENO, out_fd = STDERR_FILENO;
	bool in_tty, hidden = false;
	*answer = NULL;

	int tty = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (tty >= 0)
		in_fd = out_fd = tty;
	fflush(stdout);
	int r = write_all(out_fd, text, strlen(text));
	if (r < 0)
		goto out;
	in_tty = isatty(in_fd);
	if (!echo && in_tty) {
		r = echo_disable(in_fd);
		if (r < 0)
			goto out;
		hidden = true;
	}
	r = read_line(in_fd, buf, PROTO_MAX_ANSWER, &len);
	if (hidden)
		echo_restore();
	/* Keep later output off the prompt line when nothing echoed a newline. */
	if (!in_tty || r == -ECANCELED)
		write_all(out_fd, "\n", 1);
	if (r < 0)
		goto out;
	char *copy = malloc(len + 1);
	if (!copy) {
		r = -ENOMEM;
		goto out;
	}
	memcpy(copy, buf, len + 1);
	*answer = copy;
out:
	secure_zero(buf, sizeof(buf));
	if (tty >= 0)
		close(tty);
	return r;
}

void term_info(const char *text)
{
	fputs(text, stdout);
	fputc('\n', stdout);
	fflush(stdout);
}

void term_error(const char *text)
{
	fflush(stdout);
	fputs(text, stderr);
	fputc('\n', stderr);
}

static int ops_prompt(void *userdata, bool echo, const char *text, char **answer)
{
	struct term_seen *seen = userdata;
	seen->any = true;
	int r = term_prompt(echo, text, answer);
	if (r == -E2BIG) {
		fprintf(stderr, _("Answer too long (at most %d bytes).\n"), PROTO_MAX_ANSWER);
		seen->error = true;
	}
	return r;
}

static void ops_info(void *userdata, const char *text)
{
	struct term_seen *seen = userdata;
	seen->any = true;
	term_info(text);
}

static void ops_error(void *userdata, const char *text)
{
	struct term_seen *seen = userdata;
	seen->any = true;
	seen->error = true;
	term_error(text);
}

const struct client_ops term_client_ops = {
    .prompt = ops_prompt,
    .info = ops_info,
    .error = ops_error,
};

static int cli_socket_path(const char *prog, const char *config_path, const char *socket_opt,
			   char **out)
{
	struct sspr_conf conf;
	char err[512];
	int ret = CLI_EXIT_OK;
	*out = NULL;
	/* An explicit --config is checked even when --socket makes it moot:
	 * a typo in its name should not go unnoticed. */
	if (socket_opt && !config_path) {
		*out = strdup(socket_opt);
		return *out ? CLI_EXIT_OK : CLI_EXIT_FAILED;
	}
	int r = conf_init_defaults(&conf);
	if (r < 0) {
		fprintf(stderr, "%s: %s\n", prog, strerror(-r));
		return CLI_EXIT_FAILED;
	}
	r = conf_load(&conf, config_path ? config_path : CONF_DEFAULT_PATH, err, sizeof(err));
	/* Users may not be allowed to read the system config; the default
	 * socket is then the best guess, and ssprd has the final word. The
	 * file was not parsed, so conf still holds the defaults. */
	if (r < 0 && !(!config_path && (r == -ENOENT || r == -EACCES))) {
		fprintf(stderr, "%s: %s\n", prog, err);
		ret = CLI_EXIT_USAGE;
		goto out;
	}
	*out = strdup(socket_opt ? socket_opt : conf.socket_path);
	if (!*out)
		ret = CLI_EXIT_FAILED;
out:
	conf_free(&conf);
	return ret;
}

static int connect_failed(const char *prog, const char *path, int r)
{
	if (r == -EPERM) {
		fprintf(stderr, _("%s: %s is served by neither root nor you; refusing to use it\n"),
			prog, path);
		return CLI_EXIT_DENIED;
	}
	fprintf(stderr, _("%s: cannot connect to ssprd at %s: %s\n"), prog, path, strerror(-r));
	return r == -EACCES ? CLI_EXIT_DENIED : CLI_EXIT_UNREACHABLE;
}

/* Exit status for how the daemon ended; a line of our own only when the
 * daemon gave no reason itself. */
static int status_exit(const char *prog, enum proto_status status, bool explained)
{
	const char *why = NULL;
	int ret;
	switch (status) {
	case PROTO_STATUS_OK:
	case PROTO_STATUS_RESET:
	case PROTO_STATUS_UNLOCKED:
		return CLI_EXIT_OK;
	case PROTO_STATUS_INVALID:
		why = _("the request was rejected as invalid");
		ret = CLI_EXIT_USAGE;
		break;
	case PROTO_STATUS_DENIED:
		why = _("permission denied");
		ret = CLI_EXIT_DENIED;
		break;
	case PROTO_STATUS_UNAVAILABLE:
		why = _("the password reset service is not available right now");
		ret = CLI_EXIT_UNREACHABLE;
		break;
	case PROTO_STATUS_CANCELLED:
		why = _("cancelled");
		ret = CLI_EXIT_FAILED;
		break;
	default:
		why = _("the request failed");
		ret = CLI_EXIT_FAILED;
		break;
	}
	if (!explained)
		fprintf(stderr, "%s: %s\n", prog, why);
	return ret;
}

/* The userdata of a dialogue with DATA messages: seen comes first, so the
 * term_client_ops callbacks find their struct term_seen at the same
 * address. */
struct data_relay {
	struct term_seen seen;
	cli_data_fn fn;
	void *userdata;
	bool failed;
};

/* Standard output carries the data, to be rendered once it is complete:
 * a line of text there would corrupt --json. */
static void ops_info_stderr(void *userdata, const char *text)
{
	struct term_seen *seen = userdata;
	seen->any = true;
	fflush(stdout);
	fputs(text, stderr);
	fputc('\n', stderr);
}

static int ops_data(void *userdata, const char *json)
{
	struct data_relay *relay = userdata;
	int r = relay->fn(relay->userdata, json);
	if (r < 0)
		relay->failed = true;
	return r;
}

/* PROTO_LANGUAGE goes first, only when the locale names a language. */
static int send_language(int fd)
{
	struct proto_msg m;
	const char *fields[] = {cli_language};
	if (!cli_language[0])
		return 0;
	int r = proto_msg_build(&m, PROTO_LANGUAGE, ARRAY_SIZE(fields), fields);
	if (r < 0)
		return r;
	r = proto_write(fd, &m, CLI_TIMEOUT_MS);
	proto_msg_clear(&m);
	return r;
}

static int request_on(const char *prog, const char *socket_path, const struct proto_msg *req,
		      cli_data_fn data, void *userdata)
{
	struct data_relay relay = {.fn = data, .userdata = userdata};
	struct client_ops ops = term_client_ops;
	enum proto_status status = PROTO_STATUS_FAILED;
	if (data) {
		ops.data = ops_data;
		ops.info = ops_info_stderr;
	}
	int fd = client_connect(socket_path, CLI_TIMEOUT_MS);
	if (fd < 0)
		return connect_failed(prog, socket_path, fd);
	int r = send_language(fd);
	if (r == 0)
		r = client_run(fd, req, &ops, &relay, CLI_TIMEOUT_MS, CLI_TIMEOUT_MS, &status);
	close(fd);
	if (r < 0 && relay.failed)
		return CLI_EXIT_FAILED;
	if (r < 0) {
		if (r == -ETIMEDOUT)
			fprintf(stderr, _("%s: ssprd did not answer in time\n"), prog);
		else
			fprintf(stderr, _("%s: the conversation with ssprd failed: %s\n"), prog,
				strerror(-r));
		/* Nothing heard at all: as good as unreachable. */
		return relay.seen.any ? CLI_EXIT_FAILED : CLI_EXIT_UNREACHABLE;
	}
	return status_exit(prog, status, relay.seen.error);
}

int cli_request_data(const char *prog, const char *config_path, const char *socket_opt,
		     const struct proto_msg *req, cli_data_fn data, void *userdata)
{
	char *socket_path = NULL;
	int ret = cli_socket_path(prog, config_path, socket_opt, &socket_path);
	if (ret == CLI_EXIT_OK)
		ret = request_on(prog, socket_path, req, data, userdata);
	free(socket_path);
	return ret;
}

int cli_request(const char *prog, const char *config_path, const char *socket_opt,
		const struct proto_msg *req)
{
	return cli_request_data(prog, config_path, socket_opt, req, NULL, NULL);
}
