/* ssprctl: the administrator's client of ssprd. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/enroll.h"
#include "cli/term.h"
#include "common/conf.h"
#include "common/log.h"
#include "common/phone.h"
#include "common/proto.h"
#include "common/util.h"
#include "common/validate.h"

#define PROG "ssprctl"

static void usage(FILE *f)
{
	fputs("Usage: " PROG " [--config PATH] [--socket PATH] COMMAND\n"
	      "\n"
	      "Commands:\n"
	      "  enroll USER [--email ADDRESS] [--mobile NUMBER] [--office NUMBER]\n"
	      "              [--questions] [--totp] [--recovery-codes]\n"
	      "                        register what USER can reset their password with; one\n"
	      "                        request per option, in the order given; \"\" removes\n"
	      "                        an address or number\n"
	      "  show USER             show what USER has registered\n"
	      "\n"
	      "Options:\n"
	      "  -c, --config PATH     configuration file (default " CONF_DEFAULT_PATH ")\n"
	      "  -s, --socket PATH     ssprd socket (default: [daemon] socket from the "
	      "configuration)\n"
	      "  -e, --email ADDRESS   the email address for one-time codes\n"
	      "      --mobile NUMBER   the mobile number for SMS codes, E.164 (+ country code)\n"
	      "      --office NUMBER   the office number for voice calls, E.164\n"
	      "      --questions       set the security questions: asked on the terminal, or\n"
	      "                        read as QUESTION<TAB>ANSWER lines from standard input\n"
	      "      --totp            create an authenticator-app secret and show it once\n"
	      "      --recovery-codes  create new recovery codes and show them once\n"
	      "  -h, --help            show this help\n"
	      "  -V, --version         show the version\n"
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

enum enroll_kind {
	ENROLL_EMAIL,
	ENROLL_MOBILE,
	ENROLL_OFFICE,
	ENROLL_QUESTIONS,
	ENROLL_TOTP,
	ENROLL_RECOVERY,
	ENROLL_KINDS,
};

/* The option of each step, for messages, and the kind it enrolls. */
static const struct {
	const char *option;
	const char *kind; /* PROTO_ADMIN_ENROLL kind; NULL: PROTO_ADMIN_QUESTIONS */
} step_info[ENROLL_KINDS] = {
    [ENROLL_EMAIL] = {"--email", "email"},
    [ENROLL_MOBILE] = {"--mobile", "mobile"},
    [ENROLL_OFFICE] = {"--office", "office"},
    [ENROLL_QUESTIONS] = {"--questions", NULL},
    [ENROLL_TOTP] = {"--totp", "totp"},
    [ENROLL_RECOVERY] = {"--recovery-codes", "recovery_codes"},
};

struct steps {
	size_t n;
	struct {
		enum enroll_kind kind;
		const char *value; /* as given; "" for the options without one */
		char phone[PHONE_MAX + 1];
	} s[ENROLL_KINDS];
};

static int add_step(struct steps *st, enum enroll_kind kind, const char *value)
{
	char msg[64];
	for (size_t i = 0; i < st->n; i++)
		if (st->s[i].kind == kind) {
			snprintf(msg, sizeof(msg), "%s given twice", step_info[kind].option);
			return usage_error(msg);
		}
	st->s[st->n].kind = kind;
	st->s[st->n].value = value ? value : "";
	st->n++;
	return CLI_EXIT_OK;
}

/* Every value is checked before the first request, so a typo in the last
 * option does not leave the first ones done. */
static int check_steps(struct steps *st)
{
	char shown[64];
	for (size_t i = 0; i < st->n; i++) {
		const char *v = st->s[i].value;
		if (!*v)
			continue;
		sanitize_for_log(v, shown, sizeof(shown));
		switch (st->s[i].kind) {
		case ENROLL_EMAIL:
			if (!email_valid(v)) {
				fprintf(stderr, PROG ": invalid email address \"%s\"\n", shown);
				return CLI_EXIT_USAGE;
			}
			break;
		case ENROLL_MOBILE:
		case ENROLL_OFFICE:
			if (phone_normalize(v, st->s[i].phone) < 0) {
				fprintf(stderr,
					PROG ": not an E.164 number (start with + and the country "
					     "code): %s\n",
					shown);
				return CLI_EXIT_USAGE;
			}
			st->s[i].value = st->s[i].phone;
			break;
		default:
			break;
		}
	}
	return CLI_EXIT_OK;
}

static int build_step(struct proto_msg *req, const char *user, enum enroll_kind kind,
		      const char *value, const struct qa_set *qa)
{
	char *questions = NULL, *answers = NULL;
	int r;
	if (step_info[kind].kind) {
		const char *fields[] = {user, step_info[kind].kind, value};
		return proto_msg_build(req, PROTO_ADMIN_ENROLL, ARRAY_SIZE(fields), fields);
	}
	r = qa_join(qa, false, &questions);
	if (r == 0)
		r = qa_join(qa, true, &answers);
	if (r == 0) {
		const char *fields[] = {user, questions, answers};
		r = proto_msg_build(req, PROTO_ADMIN_QUESTIONS, ARRAY_SIZE(fields), fields);
	}
	free(questions);
	secret_free(answers);
	return r;
}

/* Every request is built, and so checked, before the first is sent. */
static int run_enroll(const char *config, const char *socket_opt, const char *user,
		      struct steps *st)
{
	struct qa_set qa = {0};
	struct proto_msg req[ENROLL_KINDS] = {0};
	int ret = check_steps(st);
	for (size_t i = 0; i < st->n && ret == CLI_EXIT_OK; i++)
		if (st->s[i].kind == ENROLL_QUESTIONS)
			ret = enroll_questions_input(PROG, config, &qa);
	for (size_t i = 0; i < st->n && ret == CLI_EXIT_OK; i++) {
		int r = build_step(&req[i], user, st->s[i].kind, st->s[i].value, &qa);
		if (r < 0) {
			fprintf(stderr, PROG ": cannot build the %s request: %s\n",
				step_info[st->s[i].kind].option, strerror(-r));
			ret = CLI_EXIT_USAGE;
		}
	}
	qa_set_clear(&qa);
	for (size_t i = 0; i < st->n && ret == CLI_EXIT_OK; i++)
		ret = cli_request(PROG, config, socket_opt, &req[i]);
	for (size_t i = 0; i < ENROLL_KINDS; i++)
		proto_msg_clear(&req[i]);
	return ret;
}

int main(int argc, char **argv)
{
	enum {
		OPT_MOBILE = 256,
		OPT_OFFICE,
		OPT_QUESTIONS,
		OPT_TOTP,
		OPT_RECOVERY,
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
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	const char *config = NULL, *socket_opt = NULL;
	struct steps st = {0};
	struct proto_msg req = {0};
	int c, ret;

	log_init(PROG, LOG_WARNING);
	while ((c = getopt_long(argc, argv, "c:s:e:hV", opts, NULL)) != -1) {
		ret = CLI_EXIT_OK;
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 's':
			socket_opt = optarg;
			break;
		case 'e':
			ret = add_step(&st, ENROLL_EMAIL, optarg);
			break;
		case OPT_MOBILE:
			ret = add_step(&st, ENROLL_MOBILE, optarg);
			break;
		case OPT_OFFICE:
			ret = add_step(&st, ENROLL_OFFICE, optarg);
			break;
		case OPT_QUESTIONS:
			ret = add_step(&st, ENROLL_QUESTIONS, NULL);
			break;
		case OPT_TOTP:
			ret = add_step(&st, ENROLL_TOTP, NULL);
			break;
		case OPT_RECOVERY:
			ret = add_step(&st, ENROLL_RECOVERY, NULL);
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
	if (optind >= argc)
		return usage_error("no command given");
	const char *cmd = argv[optind];
	int nargs = argc - optind - 1;
	char **args = argv + optind + 1;
	if (strcmp(cmd, "enroll") == 0) {
		if (nargs != 1)
			return usage_error("enroll takes one user name");
		if (st.n == 0)
			return usage_error(
			    "enroll needs at least one of --email, --mobile, --office, "
			    "--questions, --totp, --recovery-codes");
		if ((ret = check_user(args[0])) != CLI_EXIT_OK)
			return ret;
		return run_enroll(config, socket_opt, args[0], &st);
	}
	if (strcmp(cmd, "show") == 0) {
		if (nargs != 1)
			return usage_error("show takes one user name");
		if (st.n > 0) {
			char msg[64];
			snprintf(msg, sizeof(msg), "%s only goes with enroll",
				 step_info[st.s[0].kind].option);
			return usage_error(msg);
		}
		if ((ret = check_user(args[0])) != CLI_EXIT_OK)
			return ret;
		const char *fields[] = {args[0]};
		int r = proto_msg_build(&req, PROTO_ADMIN_SHOW, ARRAY_SIZE(fields), fields);
		if (r < 0) {
			fprintf(stderr, PROG ": cannot build the request: %s\n", strerror(-r));
			return CLI_EXIT_USAGE;
		}
		ret = cli_request(PROG, config, socket_opt, &req);
		proto_msg_clear(&req);
		return ret;
	}
	char shown[64];
	sanitize_for_log(cmd, shown, sizeof(shown));
	fprintf(stderr, PROG ": unknown command \"%s\"\n", shown);
	usage(stderr);
	return CLI_EXIT_USAGE;
}
