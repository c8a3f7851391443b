/* ssprctl: the administrator's client of ssprd. */
#include "cli/ssprctl.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"
#include "common/i18n.h"
#include "common/log.h"
#include "common/util.h"
#include "common/validate.h"

static void usage(FILE *f)
{
	/* Command and option names stay as they are in every language. */
	fprintf(f, _("Usage: %s [--config PATH] [--socket PATH] COMMAND [ARGS] [OPTIONS]\n"), PROG);
	fputs(_("\n"
		"Commands:\n"
		"  show USER             show what USER has registered\n"
		"  enroll USER [--email ADDRESS] [--mobile NUMBER] [--office NUMBER]\n"
		"              [--questions] [--totp] [--recovery-codes]\n"
		"                        register what USER can reset their password with; one\n"
		"                        request per option, in the order given; \"\" removes\n"
		"                        an address or number\n"
		"  clear USER [METHOD]   remove USER's registrations, or only METHOD: email,\n"
		"                        mobile, office, questions, totp or recovery_codes\n"
		"  unlock USER           clear USER's failed-login records (pam_faillock)\n"
		"  list [--unregistered] [--json]\n"
		"                        list the users and what they have registered\n"
		"  audit [--user USER] [--since TIME] [--limit N] [--json]\n"
		"                        show the event log, newest first\n"
		"  report [--days N] [--json]\n"
		"                        registration coverage and activity of the last N days\n"
		"  check-config          check the configuration file and the templates\n"
		"  test-email ADDRESS    send a test message to ADDRESS\n"
		"  test-sms NUMBER       send a test text message to NUMBER\n"
		"\n"
		"Options:\n"),
	      f);
	fprintf(f, _("  -c, --config PATH     configuration file (default %s)\n"),
		CONF_DEFAULT_PATH);
	fputs(_("  -s, --socket PATH     ssprd socket (default: [daemon] socket from the "
		"configuration)\n"
		"  -e, --email ADDRESS   the email address for one-time codes\n"
		"      --mobile NUMBER   the mobile number for SMS codes, E.164 (+ country code)\n"
		"      --office NUMBER   the office number for voice calls, E.164\n"
		"      --questions       set the security questions: asked on the terminal, or\n"
		"                        read as QUESTION<TAB>ANSWER lines from standard input\n"
		"      --totp            create an authenticator-app secret and show it once\n"
		"      --recovery-codes  create new recovery codes and show them once\n"
		"  -y, --yes             clear without asking for confirmation\n"
		"      --unregistered    list only enabled users who cannot reset yet\n"
		"  -u, --user USER       audit: only the events of USER\n"
		"      --since TIME      audit: events from TIME on: YYYY-MM-DD,\n"
		"                        YYYY-MM-DDTHH:MM:SSZ (UTC), unix seconds, or a span\n"
		"                        back from now such as 7d, 24h or 2w\n"
		"      --limit N         audit: at most N events (default 1000)\n"
		"      --days N          report: the last N days (default 30)\n"
		"      --json            print JSON (documented in ssprctl(8)) instead of tables\n"
		"  -h, --help            show this help\n"
		"  -V, --version         show the version\n"
		"\n"
		"Exit status: 0 done, 1 failed, 2 usage, invalid input or configuration,\n"
		"3 ssprd unreachable, 4 permission denied.\n"),
	      f);
}

int ssprctl_usage_error(const char *msg)
{
	fprintf(stderr, PROG ": %s\n", msg);
	usage(stderr);
	return CLI_EXIT_USAGE;
}

int ssprctl_check_user(const char *user)
{
	if (username_valid(user))
		return CLI_EXIT_OK;
	char shown[64];
	sanitize_for_log(user, shown, sizeof(shown));
	fprintf(stderr, _("%s: invalid user name \"%s\"\n"), PROG, shown);
	return CLI_EXIT_USAGE;
}

int ssprctl_parse_count(const char *option, const char *s, unsigned min, unsigned max,
			unsigned *out)
{
	unsigned long long n = 0;
	size_t len = strlen(s);
	bool ok = len > 0 && len <= 10 && strspn(s, "0123456789") == len;
	if (ok) {
		for (size_t i = 0; i < len; i++)
			n = n * 10 + (unsigned)(s[i] - '0');
		ok = n >= min && n <= max;
	}
	if (!ok) {
		char shown[64];
		sanitize_for_log(s, shown, sizeof(shown));
		fprintf(stderr, _("%s: %s must be a number from %u to %u, not \"%s\"\n"), PROG,
			option, min, max, shown);
		return CLI_EXIT_USAGE;
	}
	*out = (unsigned)n;
	return CLI_EXIT_OK;
}

int ssprctl_send(const struct ssprctl_opts *o, enum proto_type type, unsigned nfields,
		 const char *const *fields, cli_data_fn data, void *userdata)
{
	struct proto_msg req = {0};
	int r = proto_msg_build(&req, type, nfields, fields);
	if (r < 0) {
		fprintf(stderr, _("%s: cannot build the request: %s\n"), PROG, strerror(-r));
		return CLI_EXIT_USAGE;
	}
	int ret = cli_request_data(PROG, o->config, o->socket, &req, data, userdata);
	proto_msg_clear(&req);
	return ret;
}

/* Options beyond --config, each allowed with some commands only. */
enum {
	OF_SOCKET = 1 << 0,
	OF_STEPS = 1 << 1, /* the options of enroll */
	OF_YES = 1 << 2,
	OF_UNREGISTERED = 1 << 3,
	OF_USER = 1 << 4,
	OF_SINCE = 1 << 5,
	OF_LIMIT = 1 << 6,
	OF_JSON = 1 << 7,
	OF_DAYS = 1 << 8,
};

static const struct {
	unsigned bit;
	const char *name;
} option_names[] = {
    {OF_SOCKET, "--socket"}, {OF_YES, "--yes"},	    {OF_UNREGISTERED, "--unregistered"},
    {OF_USER, "--user"},     {OF_SINCE, "--since"}, {OF_LIMIT, "--limit"},
    {OF_JSON, "--json"},     {OF_DAYS, "--days"},
};

static const struct command {
	const char *name;
	int min_args, max_args;
	unsigned allowed; /* OF_* */
	const char *args_msg;
	int (*run)(struct ssprctl_opts *o, char **args, int nargs);
} commands[] = {
    {"show", 1, 1, OF_SOCKET, N_("show takes one user name"), ssprctl_show},
    {"enroll", 1, 1, OF_SOCKET | OF_STEPS, N_("enroll takes one user name"), ssprctl_enroll},
    {"clear", 1, 2, OF_SOCKET | OF_YES, N_("clear takes a user name and optionally a method"),
     ssprctl_clear},
    {"unlock", 1, 1, OF_SOCKET, N_("unlock takes one user name"), ssprctl_unlock},
    {"list", 0, 0, OF_SOCKET | OF_UNREGISTERED | OF_JSON, N_("list takes no arguments"),
     ssprctl_list},
    {"audit", 0, 0, OF_SOCKET | OF_USER | OF_SINCE | OF_LIMIT | OF_JSON,
     N_("audit takes no arguments (use --user USER)"), ssprctl_audit},
    {"report", 0, 0, OF_SOCKET | OF_DAYS | OF_JSON, N_("report takes no arguments (use --days N)"),
     ssprctl_report},
    {"check-config", 0, 0, 0, N_("check-config takes no arguments (use --config PATH)"),
     ssprctl_check_config},
    {"test-email", 1, 1, OF_SOCKET, N_("test-email takes one email address"), ssprctl_test_email},
    {"test-sms", 1, 1, OF_SOCKET, N_("test-sms takes one phone number"), ssprctl_test_sms},
};

static int run_command(struct ssprctl_opts *o, unsigned given, int nargs, char **args,
		       const char *name)
{
	const struct command *cmd = NULL;
	char msg[256];
	for (size_t i = 0; i < ARRAY_SIZE(commands) && !cmd; i++)
		if (strcmp(commands[i].name, name) == 0)
			cmd = &commands[i];
	if (!cmd) {
		char shown[64];
		sanitize_for_log(name, shown, sizeof(shown));
		fprintf(stderr, _("%s: unknown command \"%s\"\n"), PROG, shown);
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (nargs < cmd->min_args || nargs > cmd->max_args)
		return ssprctl_usage_error(_(cmd->args_msg));
	unsigned extra = given & ~cmd->allowed;
	if (extra & OF_STEPS) {
		snprintf(msg, sizeof(msg), _("%s only goes with enroll"),
			 enroll_option(o->steps.s[0].kind));
		return ssprctl_usage_error(msg);
	}
	for (size_t i = 0; i < ARRAY_SIZE(option_names); i++)
		if (extra & option_names[i].bit) {
			snprintf(msg, sizeof(msg), _("%s does not go with %s"),
				 option_names[i].name, cmd->name);
			return ssprctl_usage_error(msg);
		}
	return cmd->run(o, args, nargs);
}

/* Record a value option; each may be given once. */
static int set_once(unsigned *given, unsigned bit, const char **field, const char *value)
{
	if (*given & bit) {
		char msg[128] = "";
		for (size_t i = 0; i < ARRAY_SIZE(option_names); i++)
			if (option_names[i].bit == bit)
				snprintf(msg, sizeof(msg), _("%s given twice"),
					 option_names[i].name);
		return ssprctl_usage_error(msg);
	}
	*given |= bit;
	if (field)
		*field = value;
	return CLI_EXIT_OK;
}

int main(int argc, char **argv)
{
	enum {
		OPT_MOBILE = 256,
		OPT_OFFICE,
		OPT_QUESTIONS,
		OPT_TOTP,
		OPT_RECOVERY,
		OPT_UNREGISTERED,
		OPT_SINCE,
		OPT_LIMIT,
		OPT_JSON,
		OPT_DAYS,
	};
	static const struct option opts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"socket", required_argument, NULL, 's'},
	    {"email", required_argument, NULL, 'e'},
	    {"mobile", required_argument, NULL, OPT_MOBILE},
	    {"office", required_argument, NULL, OPT_OFFICE},
	    {"questions", no_argument, NULL, OPT_QUESTIONS},
	    {"totp", no_argument, NULL, OPT_TOTP},
	    {"recovery-codes", no_argument, NULL, OPT_RECOVERY},
	    {"yes", no_argument, NULL, 'y'},
	    {"unregistered", no_argument, NULL, OPT_UNREGISTERED},
	    {"user", required_argument, NULL, 'u'},
	    {"since", required_argument, NULL, OPT_SINCE},
	    {"limit", required_argument, NULL, OPT_LIMIT},
	    {"json", no_argument, NULL, OPT_JSON},
	    {"days", required_argument, NULL, OPT_DAYS},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	struct ssprctl_opts o = {0};
	unsigned given = 0;
	int c, ret;

	log_init(PROG, LOG_WARNING);
	cli_i18n_init();
	while ((c = getopt_long(argc, argv, "c:s:e:yu:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o.config = optarg;
			ret = CLI_EXIT_OK;
			break;
		case 's':
			/* The last one counts, as it always did. */
			o.socket = optarg;
			given |= OF_SOCKET;
			ret = CLI_EXIT_OK;
			break;
		case 'e':
			ret = enroll_add_step(&o.steps, ENROLL_EMAIL, optarg);
			break;
		case OPT_MOBILE:
			ret = enroll_add_step(&o.steps, ENROLL_MOBILE, optarg);
			break;
		case OPT_OFFICE:
			ret = enroll_add_step(&o.steps, ENROLL_OFFICE, optarg);
			break;
		case OPT_QUESTIONS:
			ret = enroll_add_step(&o.steps, ENROLL_QUESTIONS, NULL);
			break;
		case OPT_TOTP:
			ret = enroll_add_step(&o.steps, ENROLL_TOTP, NULL);
			break;
		case OPT_RECOVERY:
			ret = enroll_add_step(&o.steps, ENROLL_RECOVERY, NULL);
			break;
		case 'y':
			o.yes = true;
			ret = set_once(&given, OF_YES, NULL, NULL);
			break;
		case OPT_UNREGISTERED:
			o.unregistered = true;
			ret = set_once(&given, OF_UNREGISTERED, NULL, NULL);
			break;
		case 'u':
			ret = set_once(&given, OF_USER, &o.user, optarg);
			break;
		case OPT_SINCE:
			ret = set_once(&given, OF_SINCE, &o.since, optarg);
			break;
		case OPT_LIMIT:
			ret = set_once(&given, OF_LIMIT, &o.limit, optarg);
			break;
		case OPT_JSON:
			o.json = true;
			ret = set_once(&given, OF_JSON, NULL, NULL);
			break;
		case OPT_DAYS:
			ret = set_once(&given, OF_DAYS, &o.days, optarg);
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
		if (ret != CLI_EXIT_OK)
			return ret;
	}
	if (o.steps.n > 0)
		given |= OF_STEPS;
	if (optind >= argc)
		return ssprctl_usage_error(_("no command given"));
	return run_command(&o, given, argc - optind - 1, argv + optind + 1, argv[optind]);
}
