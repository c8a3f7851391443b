/* ssprctl enroll: one request per option, every one checked and built
 * before the first is sent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/enroll.h"
#include "cli/ssprctl.h"
#include "common/i18n.h"
#include "common/util.h"
#include "common/validate.h"

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

const char *enroll_option(enum enroll_kind kind)
{
	return step_info[kind].option;
}

int enroll_add_step(struct steps *st, enum enroll_kind kind, const char *value)
{
	char msg[128];
	for (size_t i = 0; i < st->n; i++)
		if (st->s[i].kind == kind) {
			snprintf(msg, sizeof(msg), _("%s given twice"), step_info[kind].option);
			return ssprctl_usage_error(msg);
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
				fprintf(stderr, _("%s: invalid email address \"%s\"\n"), PROG,
					shown);
				return CLI_EXIT_USAGE;
			}
			break;
		case ENROLL_MOBILE:
		case ENROLL_OFFICE:
			if (phone_normalize(v, st->s[i].phone) < 0) {
				fprintf(stderr,
					_("%s: not an E.164 number (start with + and the country "
					  "code): %s\n"),
					PROG, shown);
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

int ssprctl_enroll(struct ssprctl_opts *o, char **args, int nargs)
{
	struct steps *st = &o->steps;
	struct qa_set qa = {0};
	struct proto_msg req[ENROLL_KINDS] = {0};
	const char *user = args[0];
	(void)nargs;
	if (st->n == 0)
		return ssprctl_usage_error(
		    _("enroll needs at least one of --email, --mobile, --office, "
		      "--questions, --totp, --recovery-codes"));
	int ret = ssprctl_check_user(user);
	if (ret == CLI_EXIT_OK)
		ret = check_steps(st);
	for (size_t i = 0; i < st->n && ret == CLI_EXIT_OK; i++)
		if (st->s[i].kind == ENROLL_QUESTIONS)
			ret = enroll_questions_input(PROG, o->config, &qa);
	for (size_t i = 0; i < st->n && ret == CLI_EXIT_OK; i++) {
		int r = build_step(&req[i], user, st->s[i].kind, st->s[i].value, &qa);
		if (r < 0) {
			fprintf(stderr, _("%s: cannot build the %s request: %s\n"), PROG,
				step_info[st->s[i].kind].option, strerror(-r));
			ret = CLI_EXIT_USAGE;
		}
	}
	qa_set_clear(&qa);
	for (size_t i = 0; i < st->n && ret == CLI_EXIT_OK; i++)
		ret = cli_request(PROG, o->config, o->socket, &req[i]);
	for (size_t i = 0; i < ENROLL_KINDS; i++)
		proto_msg_clear(&req[i]);
	return ret;
}
