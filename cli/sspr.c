/* sspr: what a user can ask ssprd about their own account. The
 * registration dialogue runs in the daemon; this is only its terminal. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/term.h"
#include "common/conf.h"
#include "common/i18n.h"
#include "common/log.h"
#include "common/phone.h"
#include "common/proto.h"
#include "common/util.h"
#include "common/validate.h"

#define PROG "sspr"

static void usage(FILE *f)
{
	/* Command and option names stay as they are in every language. */
	fprintf(
	    f,
	    _("Usage: %s [--config PATH] [--socket PATH] status\n"
	      "       %s [--config PATH] [--socket PATH] register\n"
	      "            [--email ADDRESS | --mobile NUMBER | --office NUMBER | --reconfirm]\n"),
	    PROG, PROG);
	fputs(_("\n"
		"Commands:\n"
		"  status    show how you can reset your password (addresses are masked)\n"
		"  register  add or change what you can reset your password with: asks for\n"
		"            your current password, then shows a menu\n"
		"\n"
		"Register options (each skips the menu; \"-\" as the value removes it):\n"
		"  --email ADDRESS    register this email address (a code is sent to it)\n"
		"  --mobile NUMBER    register this mobile number, +country code first (a code\n"
		"                     is sent to it)\n"
		"  --office NUMBER    register this office number, +country code first\n"
		"  --reconfirm        confirm that your registered information is still right\n"
		"\n"
		"Options:\n"),
	      f);
	fprintf(f,
		_("  -c, --config PATH  configuration file (default %s)\n"
		  "  -s, --socket PATH  ssprd socket (default: [daemon] socket from the "
		  "configuration)\n"
		  "  -h, --help         show this help\n"
		  "  -V, --version      show the version\n"),
		CONF_DEFAULT_PATH);
	fputs(_("\n"
		"Answers are read from the terminal, or from standard input without one.\n"
		"Exit status: 0 done, 1 failed or cancelled, 2 usage or invalid input,\n"
		"3 ssprd unreachable, 4 permission denied.\n"),
	      f);
}

enum {
	OPT_EMAIL = 256,
	OPT_MOBILE,
	OPT_OFFICE,
	OPT_RECONFIRM,
};

struct register_args {
	const char *kind; /* "" for the menu */
	const char *value;
	unsigned count; /* how many register options were given */
};

static void set_kind(struct register_args *a, const char *kind, const char *value)
{
	a->kind = kind;
	a->value = value;
	a->count++;
}

/* Catch a typo before the password is asked; the daemon checks again. */
static int check_value(const struct register_args *a)
{
	char number[PHONE_MAX + 1];
	bool remove = strcmp(a->value, "-") == 0;
	if (strcmp(a->kind, "email") == 0)
		return remove || email_valid(a->value) ? 0 : -1;
	if (strcmp(a->kind, "mobile") == 0 || strcmp(a->kind, "office") == 0)
		return remove || (phone_normalize(a->value, number) == 0 && phone_valid(number))
			   ? 0
			   : -1;
	return 0;
}

static int bad_value(const struct register_args *a)
{
	char shown[128];
	sanitize_for_log(a->value, shown, sizeof(shown));
	if (strcmp(a->kind, "email") == 0)
		fprintf(stderr, _("%s: \"%s\" is not a valid email address\n"), PROG, shown);
	else
		fprintf(stderr,
			_("%s: \"%s\" is not a phone number in international form (+ and the "
			  "country code, e.g. +15550100167)\n"),
			PROG, shown);
	return CLI_EXIT_USAGE;
}

static int run(const char *config, const char *socket_opt, enum proto_type type, unsigned n,
	       const char *const *fields)
{
	struct proto_msg req = {0};
	int r = proto_msg_build(&req, type, n, fields);
	if (r < 0) {
		fprintf(stderr, _("%s: cannot build the request: %s\n"), PROG,
			r == -E2BIG ? _("a value is too long") : strerror(-r));
		return r == -E2BIG || r == -EINVAL ? CLI_EXIT_USAGE : CLI_EXIT_FAILED;
	}
	int ret = cli_request(PROG, config, socket_opt, &req);
	proto_msg_clear(&req);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"socket", required_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {"email", required_argument, NULL, OPT_EMAIL},
	    {"mobile", required_argument, NULL, OPT_MOBILE},
	    {"office", required_argument, NULL, OPT_OFFICE},
	    {"reconfirm", no_argument, NULL, OPT_RECONFIRM},
	    {NULL, 0, NULL, 0},
	};
	const char *config = NULL, *socket_opt = NULL;
	struct register_args reg = {"", "", 0};
	int c;

	log_init(PROG, LOG_WARNING);
	cli_i18n_init();
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
		case OPT_EMAIL:
			set_kind(&reg, "email", optarg);
			break;
		case OPT_MOBILE:
			set_kind(&reg, "mobile", optarg);
			break;
		case OPT_OFFICE:
			set_kind(&reg, "office", optarg);
			break;
		case OPT_RECONFIRM:
			set_kind(&reg, "reconfirm", "");
			break;
		default:
			usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, _("%s: no command given\n"), PROG);
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	const char *cmd = argv[optind];
	char shown[64];
	sanitize_for_log(cmd, shown, sizeof(shown));
	bool is_status = strcmp(cmd, "status") == 0, is_register = strcmp(cmd, "register") == 0;
	if (!is_status && !is_register) {
		fprintf(stderr, _("%s: unknown command \"%s\"\n"), PROG, shown);
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (optind + 1 != argc) {
		fprintf(stderr, _("%s: %s takes no arguments\n"), PROG, shown);
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (is_status) {
		if (reg.count > 0) {
			fprintf(stderr, _("%s: status takes no options\n"), PROG);
			usage(stderr);
			return CLI_EXIT_USAGE;
		}
		return run(config, socket_opt, PROTO_USER_STATUS, 0, NULL);
	}
	if (reg.count > 1) {
		fprintf(stderr,
			_("%s: give at most one of --email, --mobile, --office and --reconfirm\n"),
			PROG);
		return CLI_EXIT_USAGE;
	}
	if (check_value(&reg) < 0)
		return bad_value(&reg);
	const char *fields[] = {reg.kind, reg.value};
	return run(config, socket_opt, PROTO_REGISTER_START, 2, fields);
}
