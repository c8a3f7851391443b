/* ssprctl: the administrator's client of ssprd. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/term.h"
#include "common/conf.h"
#include "common/log.h"
#include "common/proto.h"
#include "common/util.h"
#include "common/validate.h"

#define PROG "ssprctl"

static void usage(FILE *f)
{
	fputs(
	    "Usage: " PROG " [--config PATH] [--socket PATH] COMMAND\n"
	    "\n"
	    "Commands:\n"
	    "  enroll USER --email ADDRESS  register ADDRESS for USER's password resets\n"
	    "  show USER                    show what USER has registered\n"
	    "\n"
	    "Options:\n"
	    "  -c, --config PATH  configuration file (default " CONF_DEFAULT_PATH ")\n"
	    "  -s, --socket PATH  ssprd socket (default: [daemon] socket from the configuration)\n"
	    "  -h, --help         show this help\n"
	    "  -V, --version      show the version\n"
	    "\n"
	    "Exit status: 0 done, 1 failed, 2 usage or invalid input, 3 ssprd unreachable,\n"
	    "4 permission denied.\n",
	    f);
}

static int usage_error(const char *msg)
{
	fprintf(stderr, PROG ": %s\n", msg);
	usage(stderr);
	return CLI_EXIT_USAGE;
}

/* Local checks only for a friendly message: ssprd checks again. */
static int check_user(const char *user)
{
	if (username_valid(user))
		return CLI_EXIT_OK;
	char shown[64];
	sanitize_for_log(user, shown, sizeof(shown));
	fprintf(stderr, PROG ": invalid user name \"%s\"\n", shown);
	return CLI_EXIT_USAGE;
}

static int build(struct proto_msg *req, const char *cmd, int nargs, char **args, const char *email)
{
	int r;
	if (strcmp(cmd, "enroll") == 0) {
		if (nargs != 1)
			return usage_error("enroll takes one user name");
		if (!email)
			return usage_error("enroll needs --email ADDRESS");
		if ((r = check_user(args[0])) != CLI_EXIT_OK)
			return r;
		if (!email_valid(email)) {
			char shown[64];
			sanitize_for_log(email, shown, sizeof(shown));
			fprintf(stderr, PROG ": invalid email address \"%s\"\n", shown);
			return CLI_EXIT_USAGE;
		}
		const char *fields[] = {args[0], "email", email};
		r = proto_msg_build(req, PROTO_ADMIN_ENROLL, ARRAY_SIZE(fields), fields);
	} else if (strcmp(cmd, "show") == 0) {
		if (nargs != 1)
			return usage_error("show takes one user name");
		if (email)
			return usage_error("--email only goes with enroll");
		if ((r = check_user(args[0])) != CLI_EXIT_OK)
			return r;
		const char *fields[] = {args[0]};
		r = proto_msg_build(req, PROTO_ADMIN_SHOW, ARRAY_SIZE(fields), fields);
	} else {
		char shown[64];
		sanitize_for_log(cmd, shown, sizeof(shown));
		fprintf(stderr, PROG ": unknown command \"%s\"\n", shown);
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (r < 0) {
		fprintf(stderr, PROG ": cannot build the request: %s\n", strerror(-r));
		return CLI_EXIT_USAGE;
	}
	return CLI_EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"config", required_argument, NULL, 'c'}, {"socket", required_argument, NULL, 's'},
	    {"email", required_argument, NULL, 'e'},  {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},      {NULL, 0, NULL, 0},
	};
	const char *config = NULL, *socket_opt = NULL, *email = NULL;
	struct proto_msg req = {0};
	int c, ret;

	log_init(PROG, LOG_WARNING);
	while ((c = getopt_long(argc, argv, "c:s:e:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 's':
			socket_opt = optarg;
			break;
		case 'e':
			email = optarg;
			break;
		case 'h':
			usage(stdout);
			return CLI_EXIT_OK;
		case 'V':
			puts(PROG " " SSPR_VERSION);
			return CLI_EXIT_OK;
		default:
			usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return usage_error("no command given");
	ret = build(&req, argv[optind], argc - optind - 1, argv + optind + 1, email);
	if (ret != CLI_EXIT_OK)
		goto out;
	ret = cli_request(PROG, config, socket_opt, &req);
out:
	proto_msg_clear(&req);
	return ret;
}
