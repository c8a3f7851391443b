/* Terminal side of the sspr and ssprctl dialogues. */
#pragma once

#include <stdbool.h>

#include "common/client.h"

/* Ask on /dev/tty (stdin/stderr without a controlling terminal), echo off
 * unless echo. *answer is malloc'd (free with secret_free). Returns 0,
 * -ECANCELED on end of input, -E2BIG for a line over PROTO_MAX_ANSWER bytes,
 * or negative errno. */
int term_prompt(bool echo, const char *text, char **answer);

/* One line of daemon text: info to stdout, errors to stderr. */
void term_info(const char *text);
void term_error(const char *text);

/* client_ops over the functions above; userdata points to a struct term_seen. */
struct term_seen {
	bool any;   /* something from the daemon reached the user */
	bool error; /* the daemon explained a failure itself */
};
extern const struct client_ops term_client_ops;

/* The CLIs' language: catalogs from $SSPR_LOCALEDIR or LOCALEDIR, the
 * language from the locale's environment (i18n_language_from_env), which
 * is also sent to ssprd before each request. Call first in main. */
void cli_i18n_init(void);

/* Exit statuses shared by sspr and ssprctl (documented in their usage). */
enum cli_exit {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FAILED = 1,
	CLI_EXIT_USAGE = 2, /* also invalid input and a broken config */
	CLI_EXIT_UNREACHABLE = 3,
	CLI_EXIT_DENIED = 4,
};

/* Connect to ssprd, send req and relay the dialogue on the terminal. The
 * socket is socket_opt when given, else [daemon] socket from config_path
 * (or CONF_DEFAULT_PATH, which may be missing or unreadable: defaults then).
 * Prints why on stderr and returns the enum cli_exit the tool exits with. */
int cli_request(const char *prog, const char *config_path, const char *socket_opt,
		const struct proto_msg *req);

/* As cli_request, and each PROTO_DATA message of the answer goes to
 * data(userdata, json); the daemon's INFO lines then go to stderr, leaving
 * stdout to the data. A negative return from data ends the dialogue
 * with CLI_EXIT_FAILED; data has said why on stderr. */
typedef int (*cli_data_fn)(void *userdata, const char *json);
int cli_request_data(const char *prog, const char *config_path, const char *socket_opt,
		     const struct proto_msg *req, cli_data_fn data, void *userdata);
