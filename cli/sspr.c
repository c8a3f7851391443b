/* sspr: what a user can ask ssprd about their own account. */
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

#define PROG "sspr"

static void usage(FILE *f)
{
	fputs(
	    "Usage: " PROG " [--config PATH] [--socket PATH] COMMAND\n"
	    "\n"
	    "Commands:\n"
	    "  status    show how you can reset your password (addresses are masked)\n"
	    "  register  register an address (not available yet)\n"
	    "\n"
	    "Options:\n"
	    "  -c, --config PATH  configuration file (default " CONF_DEFAULT_PATH ")\n"
	    "  -s, --socket PATH  ssprd socket (default: [daemon] socket from the configuration)\n"
	    "  -h, --help         show this help\n"
	    "  -V, --version      show the version\n"
	    "\n"
	    "Exit status: 0 done, 1 failed, 2 usage, 3 ssprd unreachable, 4 permission denied.\n",
	    f);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"socket", required_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	const char *config = NULL, *socket_opt = NULL;
	struct proto_msg req = {0};
	int c, r, ret;

	log_init(PROG, LOG_WARNING);
	while ((c = getopt_long(argc, argv, "c:s:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 's':
			socket_opt = optarg;
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
	if (optind >= argc) {
		fputs(PROG ": no command given\n", stderr);
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	const char *cmd = argv[optind];
	if (strcmp(cmd, "register") == 0 && optind + 1 == argc) {
		fputs(PROG " register is not available yet; ask your administrator to enroll "
			   "your address (ssprctl enroll).\n",
		      stderr);
		return CLI_EXIT_FAILED;
	}
	if (strcmp(cmd, "status") != 0 || optind + 1 != argc) {
		char shown[64];
		sanitize_for_log(cmd, shown, sizeof(shown));
		if (strcmp(cmd, "status") == 0 || strcmp(cmd, "register") == 0)
			fprintf(stderr, PROG ": %s takes no arguments\n", shown);
		else
			fprintf(stderr, PROG ": unknown command \"%s\"\n", shown);
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	r = proto_msg_build(&req, PROTO_USER_STATUS, 0, NULL);
	if (r < 0) {
		fprintf(stderr, PROG ": cannot build the request: %s\n", strerror(-r));
		return CLI_EXIT_FAILED;
	}
	ret = cli_request(PROG, config, socket_opt, &req);
	proto_msg_clear(&req);
	return ret;
}
